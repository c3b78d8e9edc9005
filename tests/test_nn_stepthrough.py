"""The step-through page of one neuron: a self-contained viewer of its backward pass."""

import pytest

pytest.importorskip("pygraphviz")

from autograd_lite.viz.stepthrough import backward_steps
from nn import MLP
from nn.stepthrough import save_neuron_stepthrough


def test_the_page_steps_through_one_named_neuron_and_leaves_it_alone(tmp_path):
    model = MLP(2, [4, 1], activation="tanh", seed=0)
    neuron = model.layers[0].neurons[0]
    before = [(p.data, p.grad, p.label) for p in neuron.parameters()]
    path = save_neuron_stepthrough(neuron, [0.5, -1.0], tmp_path / "backprop.html")
    page = path.read_text()
    assert path == tmp_path / "backprop.html" and page.lstrip().lower().startswith("<!doctype")
    for name in ("x0", "x1", "w0", "w1", "w0*x0", "b + w.x", "out"):
        assert name in page, name
    steps = list(backward_steps(neuron([0.5, -1.0])))  # tanh, sum, two products
    assert len(steps) == 4 and f"of {len(steps)}" in page
    assert "http://" not in page.replace("http://www.w3.org", "")  # opens with no network
    assert [(p.data, p.grad, p.label) for p in neuron.parameters()] == before


def test_wrong_arguments_are_named(tmp_path):
    neuron = MLP(2, [4, 1], seed=0).layers[0].neurons[0]
    with pytest.raises(ValueError, match="2 inputs, got 3"):
        save_neuron_stepthrough(neuron, [1.0, 2.0, 3.0], tmp_path / "p.html")
    with pytest.raises(TypeError, match=r"nn\.Neuron"):
        save_neuron_stepthrough(MLP(2, [1], seed=0), [1.0, 2.0], tmp_path / "p.html")
    assert not (tmp_path / "p.html").exists()
