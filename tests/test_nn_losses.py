"""Losses: values against their formulas, gradients against finite differences, stability."""

import math

import pytest

from autograd_lite import Value
from autograd_lite.testing import gradcheck
from nn.losses import (
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
    l2_regularization,
    mse_loss,
)


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


def test_mse_value_and_gradient():
    assert mse_loss([Value(1.0), Value(3.0)], [0.0, 1.0]).data == 2.5
    assert gradcheck(lambda a, b: mse_loss([a, b], [0.5, -1.0]), [0.3, 2.0])


def test_mse_accepts_a_single_pair_and_multi_output_predictions():
    assert mse_loss(Value(3.0), 1.0).data == 4.0
    loss = mse_loss([[Value(1.0), Value(2.0)], [Value(0.0), Value(0.0)]], [[0.0, 0.0], [1.0, 1.0]])
    assert loss.data == (1 + 4 + 1 + 1) / 4


def test_hinge_is_micrograds_demo_loss_bit_for_bit():
    scores = [Value(v) for v in (0.3, -1.7, 2.5, -0.2, 0.9)]
    ys = [1.0, -1.0, -1.0, 1.0, 1.0]
    losses = [(1 + -yi * si).relu() for yi, si in zip(ys, scores, strict=True)]
    expected = sum(losses) * (1.0 / len(losses))
    assert hinge_loss(scores, ys).data == expected.data
    assert gradcheck(lambda a, b, c: hinge_loss([a, b, c], [1.0, -1.0, 1.0]), [0.3, -0.2, 2.0])


@pytest.mark.parametrize("z", [-30.0, -2.0, -0.1, 0.0, 0.1, 2.0, 30.0])
@pytest.mark.parametrize("y", [0.0, 1.0, 0.3])
def test_bce_with_logits_value_and_gradient(z, y):
    x = Value(z)
    loss = binary_cross_entropy_with_logits(x, y)
    p = sigmoid(z)
    expected = -(y * math.log(p) + (1 - y) * math.log1p(-p)) if abs(z) < 20 else None
    if expected is not None:
        assert loss.data == pytest.approx(expected, rel=1e-12, abs=1e-12)
    loss.backward()
    assert x.grad == pytest.approx(p - y, rel=1e-12, abs=1e-15)  # sigmoid(z) - y, z = 0 too
    if z != 0.0:
        assert gradcheck(lambda v: binary_cross_entropy_with_logits(v, y), [z])


def test_bce_with_logits_is_stable_for_huge_logits():
    for z, y, expected in ((1000.0, 0.0, 1000.0), (-1000.0, 1.0, 1000.0),
                           (1000.0, 1.0, 0.0), (-1000.0, 0.0, 0.0)):
        x = Value(z)
        loss = binary_cross_entropy_with_logits(x, y)
        loss.backward()
        assert loss.data == expected
        assert math.isfinite(x.grad)


def test_bce_batch_is_the_mean():
    zs = [Value(0.5), Value(-1.5)]
    loss = binary_cross_entropy_with_logits(zs, [1, 0])
    expected = (math.log1p(math.exp(-0.5)) + math.log1p(math.exp(-1.5))) / 2
    assert loss.data == pytest.approx(expected, rel=1e-14)


def test_cross_entropy_value_gradient_and_stability():
    zs = [1.0, -0.5, 2.0]
    lse = math.log(sum(math.exp(z) for z in zs))
    assert cross_entropy([Value(z) for z in zs], 2).data == pytest.approx(lse - 2.0, rel=1e-14)
    assert gradcheck(lambda a, b, c: cross_entropy([[a, b, c], [c, a, b]], [0, 2]), zs)
    big = [Value(1000.0), Value(0.0), Value(-1000.0)]
    loss = cross_entropy(big, 1)
    loss.backward()
    assert loss.data == 1000.0
    assert [v.grad for v in big] == pytest.approx([1.0, -1.0, 0.0])


def test_cross_entropy_rejects_bad_targets():
    with pytest.raises(ValueError, match=r"targets must be a class index \(an int from 0 to 2\), "
                                         r"got 3"):
        cross_entropy([Value(0.0)] * 3, 3)
    with pytest.raises(ValueError, match="one score per class"):
        cross_entropy([Value(0.0), Value(1.0)], [0, 1])
    with pytest.raises(ValueError, match=r"logits\[1\] needs one score per class, got a single"):
        cross_entropy([[Value(0.0), Value(1.0)], Value(1.0)], [0, 1])


@pytest.mark.parametrize("target, kind", [
    (2.7, TypeError), (2.0, TypeError), (True, TypeError), ("1", TypeError), (None, TypeError),
    (-1, ValueError), (3, ValueError),
])
def test_cross_entropy_targets_are_class_indices_not_anything_that_int_accepts(target, kind):
    logits = [[Value(0.0), Value(1.0), Value(2.0)], [Value(2.0), Value(1.0), Value(0.0)]]
    with pytest.raises(kind, match=r"cross_entropy: targets\[1\] must be a class index \(an "
                                   r"int from 0 to 2\), got "):
        cross_entropy(logits, [0, target])
    with pytest.raises(kind, match=r"cross_entropy: targets must be a class index"):
        cross_entropy(logits[0], target)  # one example


@pytest.mark.parametrize("call, kind, message", [
    (lambda: binary_cross_entropy_with_logits(["a"], [1]), TypeError,
     r"binary_cross_entropy_with_logits: logits\[0\] must be a Value or a number, got 'a' "
     r"\(str\)"),
    (lambda: binary_cross_entropy_with_logits([Value(0.0)], [1.5]), ValueError,
     r"targets\[0\] must be a finite number in \[0, 1\], got 1.5"),
    (lambda: binary_cross_entropy_with_logits(Value(0.0), None), TypeError,
     r"targets must be a number or a list of numbers, got None"),
    (lambda: mse_loss(Value(1.0), "a"), TypeError,
     r"mse_loss: targets must be a number or a list of numbers, got 'a' \(str\)"),
    (lambda: mse_loss([Value(1.0)], [math.nan]), ValueError,
     r"mse_loss: targets\[0\] must be a finite number, got nan"),
    (lambda: mse_loss([[Value(1.0), Value(2.0)]], [[0.0, "x"]]), TypeError,
     r"mse_loss: targets\[0\]\[1\] must be a number, got 'x'"),
    (lambda: mse_loss([[Value(1.0), Value(2.0)]], [[0.0]]), ValueError,
     r"mse_loss: 2 prediction\(s\) but 1 target\(s\)"),
    (lambda: mse_loss([Value(1.0), None], [0.0, 1.0]), TypeError,
     r"mse_loss: predictions\[1\] must be a Value or a number, got None"),
    (lambda: hinge_loss([Value(1.0), Value(2.0)], [1, 0]), ValueError,
     r"hinge_loss: targets\[1\] must be -1 or \+1 \(turn 0/1 labels into -1/\+1 with "
     r"nn.data.to_signed\), got 0"),
    (lambda: hinge_loss(None, None), TypeError, r"hinge_loss: scores must be a Value"),
    (lambda: cross_entropy("abc", 0), TypeError, r"cross_entropy: logits must be a list"),
    (lambda: cross_entropy([[Value(0.0), "x"]], [0]), TypeError,
     r"cross_entropy: logits\[0\]\[1\] must be a Value or a number, got 'x'"),
    (lambda: l2_regularization([Value(1.0)], math.nan), ValueError,
     r"l2_regularization: alpha must be a finite number >= 0, got nan"),
    (lambda: l2_regularization([Value(1.0)], -1e-4), ValueError, r"alpha must be a finite number"),
    (lambda: l2_regularization([Value(1.0)], "a"), TypeError,
     r"l2_regularization: alpha must be a number, got 'a' \(str\)"),
    (lambda: l2_regularization([Value(1.0), 2.0], 1e-4), TypeError,
     r"l2_regularization: parameters\[1\] must be a Value, got 2.0 \(float\)"),
])
def test_bad_loss_arguments_name_the_argument_what_it_got_and_what_it_wants(call, kind, message):
    with pytest.raises(kind, match=message):
        call()


def test_l2_regularization():
    ps = [Value(1.0), Value(-2.0), Value(0.5)]
    loss = l2_regularization(ps, alpha=1e-4)
    assert loss.data == 1e-4 * (1.0 + 4.0 + 0.25)
    assert loss._op == "*" and loss._prev[0]._op == "sum"  # one sum node for all the squares
    assert gradcheck(lambda a, b: l2_regularization([a, b], alpha=0.3), [0.7, -1.1])


@pytest.mark.parametrize("loss", [mse_loss, hinge_loss, binary_cross_entropy_with_logits])
def test_mismatched_lengths_and_empty_batches_are_value_errors(loss):
    with pytest.raises(ValueError, match="2 prediction"):
        loss([Value(1.0), Value(2.0)], [1.0])
    with pytest.raises(ValueError, match="no predictions"):
        loss([], [])


def test_number_predictions_are_constants():
    assert hinge_loss([0.5, -2.0], [1.0, -1.0]).data == 0.25
    assert binary_cross_entropy_with_logits(0.0, 1.0).data == pytest.approx(math.log(2.0))
