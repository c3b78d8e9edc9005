"""draw_dot(level="neuron"): a network too big to draw op by op, one box per neuron."""

import re

import pytest

import nn
from autograd_lite import Value
from autograd_lite.viz import draw_dot
from autograd_lite.viz.renderers import render_source


def records(source):
    return re.findall(r'(\w+) \[label="([^"]*)" shape=record\]', source)


def test_one_box_per_neuron_and_per_input_with_an_edge_from_each_input():
    model = nn.MLP(3, [4, 4, 1], seed=0)
    score = model([0.5, -1.0, 0.3])
    score.backward()
    source = draw_dot(score, level="neuron").source
    labels = [label.split(" | ")[0].strip("{ ") for _, label in records(source)]
    assert labels == ["x1", "x2", "x3", *[f"L1.n{j}" for j in range(1, 5)],
                      *[f"L2.n{j}" for j in range(1, 5)], "L3.n1"]  # in the model's order
    assert source.count(" -> ") == 3 * 4 + 4 * 4 + 4 * 1  # a layer's inputs feed each neuron
    first = dict(records(source))
    assert "data 0.5000" in first["x1"]
    out = next(label for _, label in records(source) if label.startswith("{ L3.n1"))
    assert f"data {score.data:.4f}" in out and "grad 1.0000" in out


def test_the_neuron_drawing_of_a_model_too_big_for_ops_fits_the_view():
    model = nn.MLP(2, [16, 16, 1], seed=0)
    score = model([0.5, -1.0])
    assert len(records(draw_dot(score, level="neuron").source)) == 2 + 16 + 16 + 1
    svg = render_source(draw_dot(score, level="neuron").source, "svg").decode()
    width, height = map(float, re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"',
                                         svg).groups())
    assert width * 4 / 3 <= 880 + 1 and height * 4 / 3 <= 640 + 1


def test_inputs_given_as_values_are_drawn_with_their_labels():
    neuron = nn.Neuron(2, seed=0)
    x = [Value(1.0, label="a"), Value(2.0, label="b")]
    out = neuron(x)
    labels = [label.split(" | ")[0].strip("{ ") for _, label in
              records(draw_dot(out, level="neuron").source)]
    assert labels == ["a", "b", "out"]


def test_a_graph_without_neuron_labels_or_an_unknown_level_is_refused_with_a_reason():
    with pytest.raises(ValueError, match="no Value of this graph is labelled as a neuron"):
        draw_dot(Value(2.0) * 3, level="neuron")
    with pytest.raises(ValueError, match="level must be 'op' or 'neuron', got 'layer'"):
        draw_dot(Value(2.0) * 3, level="layer")
