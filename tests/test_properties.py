"""Property tests over random expressions built from the op table."""

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from autograd_lite import Value, gradients
from autograd_lite.engine import topological_order
from autograd_lite.testing import (
    expressions_with_inputs,
    gradcheck,
    gradgradcheck,
    safe_floats,
)


@given(expressions_with_inputs(n_inputs=3, max_steps=10))
def test_first_derivatives_match_finite_differences(case):
    expression, xs = case
    assume(expression.is_smooth_at(xs))
    gradcheck(expression, xs)


@given(expressions_with_inputs(n_inputs=2, max_steps=6))
def test_second_derivatives_match_finite_differences(case):
    expression, xs = case
    assume(expression.is_smooth_at(xs, margin=1e-2, limit=1e4))
    gradgradcheck(expression, xs, atol=1e-4, rtol=1e-3)


def _same(a, b):
    return a == b or (math.isnan(a) and math.isnan(b))


@given(expressions_with_inputs(n_inputs=3, max_steps=12, domain_safe=False))
def test_backward_gradients_and_create_graph_agree_bit_for_bit(case):
    # three code paths (the float fast path, the generic path, and the recorded backward pass)
    # apply the same rules in the same order, so they agree exactly, NaN and inf included
    expression, xs = case
    inputs = [Value(x) for x in xs]
    out = expression(*inputs)
    assume(isinstance(out, Value))
    out.backward()
    fast = [x.grad for x in inputs]
    generic = gradients(out, inputs)
    recorded = [g.data for g in gradients(out, inputs, create_graph=True)]
    assert all(map(_same, fast, generic)) and all(map(_same, fast, recorded))


@given(expressions_with_inputs(n_inputs=2, max_steps=8))
def test_backward_twice_doubles_every_gradient(case):
    expression, xs = case
    out = expression(*[Value(x) for x in xs])
    assume(isinstance(out, Value))
    out.backward()
    once = {node: node.grad for node in topological_order(out)}
    out.backward()
    for node, g in once.items():
        assert _same(node.grad, 2 * g)


@given(safe_floats())
def test_x_minus_x_has_gradient_zero(x0):
    x = Value(x0)
    assert gradients(x - x, [x]) == [0.0]


@given(safe_floats().filter(lambda v: abs(v) > 1e-6))
def test_x_over_x_has_gradient_zero(x0):
    x = Value(x0)
    (g,) = gradients(x / x, [x])
    assert g == pytest.approx(0.0, abs=1e-12)


@given(st.floats(min_value=1e-3, max_value=1e3))
def test_exp_of_log_is_the_identity(x0):
    x = Value(x0)
    y = x.log().exp()
    assert y.data == pytest.approx(x0, rel=1e-12)
    assert gradients(y, [x])[0] == pytest.approx(1.0, rel=1e-12)


@given(safe_floats(), safe_floats())
def test_product_rule_and_sum_rule(a0, b0):
    a, b = Value(a0), Value(b0)
    assert gradients(a * b + a, [a, b]) == [b0 + 1.0, a0]


@given(safe_floats())
def test_tanh_is_twice_sigmoid_of_twice_minus_one(x0):
    x = Value(x0)
    lhs = x.tanh()
    rhs = 2 * (2 * x).sigmoid() - 1
    assert lhs.data == pytest.approx(rhs.data, abs=1e-12)
    assert gradients(lhs, [x])[0] == pytest.approx(gradients(rhs, [x])[0], abs=1e-12)
