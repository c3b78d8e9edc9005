"""Following the lecture: its training loop with micrograd's default ReLU, and with tanh.

Karpathy's lecture trains MLP(3, [4, 4, 1]) on four examples with 20 steps of
``p.data += -0.05 * p.grad``. Its neurons use tanh; micrograd's MLP (and ours) defaults to
ReLU, with which that loop mostly does not learn. These tests measure the difference that
the MLP docstring and the guide describe.
"""

import pytest

from autograd_lite import no_grad
from nn import MLP

XS = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
YS = [1.0, -1.0, -1.0, 1.0]
SEEDS = range(10)


def lecture_loop(model, steps=20, lr=0.05):
    """The lecture's loop, as written there; returns the loss of the last step."""
    for _ in range(steps):
        ypred = [model(x) for x in XS]
        loss = sum((yout - ygt) ** 2 for ygt, yout in zip(YS, ypred, strict=True))
        for p in model.parameters():
            p.grad = 0.0
        loss.backward()
        for p in model.parameters():
            p.data += -lr * p.grad
    return loss.data


def test_the_default_activation_stays_micrograds_relu():
    assert MLP(3, [4, 4, 1]).activations == ["relu", "relu", "linear"]


def test_the_lectures_loop_stalls_with_relu_for_most_seeds_and_trains_with_tanh():
    relu = [lecture_loop(MLP(3, [4, 4, 1], seed=seed)) for seed in SEEDS]
    tanh = [lecture_loop(MLP(3, [4, 4, 1], activation="tanh", seed=seed)) for seed in SEEDS]
    # what the MLP docstring and the guide say, measured
    assert all(loss < 0.1 for loss in tanh), tanh
    assert sum(loss > 2.5 for loss in relu) == 8, relu
    assert sum(loss == pytest.approx(4.0, abs=1e-6) for loss in relu) == 4, relu


def test_a_stalled_relu_network_has_a_dead_hidden_layer():
    """Loss 4.0 is the loss of predicting 0 for every example: no second-layer ReLU is ever
    on, so no gradient reaches the weights, and only the output's bias (stuck near 0) moves."""
    model = MLP(3, [4, 4, 1], seed=0)
    assert lecture_loop(model) == pytest.approx(4.0, abs=1e-6)
    with no_grad():
        hidden = [model.layers[1].outputs(model.layers[0].outputs(x)) for x in XS]
    assert all(h.data == 0.0 for row in hidden for h in row)
    output_bias = model.layers[2].neurons[0].b
    assert all(p.grad == 0.0 for p in model.parameters() if p is not output_bias)


def test_the_mlp_docstring_shows_the_difference():
    doc = MLP.__doc__
    assert 'activation="tanh"' in doc and "lecture" in doc


def test_the_guide_s_lecture_example_prints_what_it_says(capsys):
    import re
    from pathlib import Path

    guide = (Path(__file__).resolve().parent.parent / "docs/guide/overview.md").read_text()
    (block,) = [b for b in re.findall(r"```python\n(.+?)\n```", guide, flags=re.S)
                if "MLP(3, [4, 4, 1]" in b]
    exec(compile(block, "overview.md", "exec"), {})
    assert capsys.readouterr().out == "relu 4.0\ntanh 0.0006\n"
    assert "# relu 4.0, tanh 0.0006" in block
