"""The op table, op by op: values and derivatives against closed forms and finite differences."""

import math

import pytest

from autograd_lite import Value, gradients
from autograd_lite.engine import OPS
from autograd_lite.testing import gradcheck, gradgradcheck, numerical_gradient


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


# op -> (apply to a Value, forward closed form, derivative closed form, points)
UNARY = {
    "neg": (lambda x: -x, lambda x: -x, lambda x: -1.0, [-2.0, 0.5, 3.0]),
    "abs": (abs, abs, lambda x: math.copysign(1.0, x), [-2.0, -0.3, 0.7, 3.0]),
    "exp": (Value.exp, math.exp, math.exp, [-3.0, 0.0, 1.5, 5.0]),
    "log": (Value.log, math.log, lambda x: 1.0 / x, [0.1, 1.0, 2.5, 100.0]),
    "tanh": (Value.tanh, math.tanh, lambda x: 1.0 - math.tanh(x) ** 2, [-3.0, -0.5, 0.0, 2.0]),
    "sigmoid": (Value.sigmoid, sigmoid, lambda x: sigmoid(x) * (1.0 - sigmoid(x)),
                [-4.0, 0.0, 0.3, 6.0]),
    "relu": (Value.relu, lambda x: max(x, 0.0), lambda x: 1.0 if x > 0 else 0.0,
             [-2.0, -0.1, 0.4, 3.0]),
    "sin": (Value.sin, math.sin, math.cos, [-2.0, 0.0, 1.0, 4.0]),
    "cos": (Value.cos, math.cos, lambda x: -math.sin(x), [-2.0, 0.0, 1.0, 4.0]),
    "sqrt": (Value.sqrt, math.sqrt, lambda x: 0.5 / math.sqrt(x), [0.01, 1.0, 2.0, 50.0]),
}

BINARY = {
    "+": (lambda a, b: a + b, lambda a, b: (1.0, 1.0)),
    "-": (lambda a, b: a - b, lambda a, b: (1.0, -1.0)),
    "*": (lambda a, b: a * b, lambda a, b: (b, a)),
    "/": (lambda a, b: a / b, lambda a, b: (1.0 / b, -a / (b * b))),
    "**": (lambda a, b: a ** b, lambda a, b: (b * a ** (b - 1), a ** b * math.log(a))),
}
BINARY_POINTS = [(1.5, 2.0), (0.3, -1.2), (2.0, 0.5), (4.0, 3.0)]


def test_the_table_holds_every_op_the_tests_specify():
    defined_by_tests_and_examples = {name for name in OPS if name.startswith(("test_", "softplus"))}
    assert set(UNARY) | set(BINARY) | {"sum"} == set(OPS) - defined_by_tests_and_examples


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_value_and_derivative_match_closed_forms(name):
    apply, forward, derivative, points = UNARY[name]
    for x0 in points:
        x = Value(x0)
        y = apply(x)
        y.backward()
        assert y._op == name and y._prev == (x,)
        assert y.data == pytest.approx(forward(x0), rel=1e-15, abs=1e-300)
        assert x.grad == pytest.approx(derivative(x0), rel=1e-12)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_derivatives_match_finite_differences_first_and_second_order(name):
    apply, _, _, points = UNARY[name]
    for x0 in points:
        if name in ("abs", "relu") and abs(x0) < 1e-3:
            continue
        assert gradcheck(apply, [x0])
        if name not in ("abs", "relu"):
            assert gradgradcheck(apply, [x0], atol=1e-4)


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_value_and_derivatives_match_closed_forms(name):
    apply, derivatives = BINARY[name]
    for a0, b0 in BINARY_POINTS:
        a, b = Value(a0), Value(b0)
        out = apply(a, b)
        out.backward()
        assert out._op == name and out._prev == (a, b)
        assert out.data == pytest.approx(apply(a0, b0), rel=1e-15)
        da, db = derivatives(a0, b0)
        assert (a.grad, b.grad) == (pytest.approx(da, rel=1e-12), pytest.approx(db, rel=1e-12))
        assert gradcheck(apply, [a0, b0])
        assert gradgradcheck(apply, [a0, b0], atol=1e-4)


@pytest.mark.parametrize("name", sorted(BINARY))
def test_numbers_on_either_side_are_constants(name):
    apply, derivatives = BINARY[name]
    a0, b0 = 1.5, 2.0
    da, db = derivatives(a0, b0)
    x = Value(a0)
    left = apply(x, b0)  # Value <op> number
    assert left.data == pytest.approx(apply(a0, b0)) and left._prev == (x,)
    assert gradients(left, [x]) == [pytest.approx(da)]
    y = Value(b0)
    right = apply(a0, y)  # number <op> Value
    assert right.data == pytest.approx(apply(a0, b0)) and right._prev == (y,)
    assert gradients(right, [y]) == [pytest.approx(db)]
    assert right._operands == (a0, y)


def test_ints_and_bools_are_numbers_too():
    x = Value(3)
    assert (x * True).data == 3.0 and (2 ** x).data == 8.0 and Value(True).data == 1.0
    assert isinstance(Value(7).data, float)


def test_sum_adds_left_to_right_as_one_node_like_a_chain_of_adds():
    terms = [0.1, 0.7, 1e16, -1e16, 0.3]
    values = [Value(t) for t in terms]
    s = Value.sum(values)
    chain = values[0]
    for v in values[1:]:
        chain = chain + v
    assert s.data == chain.data  # same rounding, bit for bit
    assert s._op == "sum" and s._prev == tuple(values)
    s.backward()
    assert [v.grad for v in values] == [1.0] * 5


def test_sum_with_constants_and_a_repeated_term():
    x = Value(2.0)
    s = Value.sum([x, 3, x, 0.5])
    s.backward()
    assert s.data == 7.5 and x.grad == 2.0 and s._prev == (x, x)
    assert gradcheck(lambda x: Value.sum([x, 3.0, x * x]), [1.3])


def test_in_place_forms_build_new_nodes():
    x = Value(1.0)
    y = x
    y += 2
    y *= 3
    y -= 1
    y /= 2
    y **= 2
    assert x.data == 1.0 and y.data == 16.0
    y.backward()
    assert x.grad == pytest.approx(2 * 4.0 * 1.5)


def test_unary_plus_minus_and_abs():
    x = Value(-2.5)
    assert (-x).data == 2.5 and abs(x).data == 2.5


def test_pow_with_a_number_exponent():
    for x0, e in [(-1.5, 2), (-2.0, 3), (0.5, -1), (3.0, -2), (2.0, 0.5), (4.0, 1.5)]:
        x = Value(x0)
        y = x ** e
        y.backward()
        assert y.data == pytest.approx(x0 ** e)
        assert x.grad == pytest.approx(e * x0 ** (e - 1))


def test_pow_small_integer_exponents_are_exact_products():
    x = 1.1  # x ** 2 by the C library can differ from x * x in the last bit; PyTorch uses x * x
    assert (Value(x) ** 2).data == x * x
    assert (Value(x) ** 3).data == x * x * x
    assert (Value(x) ** -1).data == 1 / x


def test_numerical_gradient_matches_closed_form():
    g = numerical_gradient(lambda x, y: x * y * y, [2.0, 3.0])
    assert g == [pytest.approx(9.0), pytest.approx(12.0)]
