"""The op table, op by op: values and derivatives against closed forms and finite differences,
how each op prints, its domain and its kinks. One row here per row of ``OPS``."""

import math
from dataclasses import dataclass, field

import pytest

from autograd_lite import Value, gradients
from autograd_lite.engine import OPS, format_op, logsumexp, maximum, select, softplus
from autograd_lite.testing import gradcheck, gradgradcheck, numerical_gradient


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


@dataclass
class Row:
    """What the tests specify about one op: how to apply it to Values, its closed forms
    (value and the derivative for each operand), points to check them at, how it prints,
    and the points where its derivative has a kink, with the subgradient taken there."""

    apply: object
    forward: object
    derivatives: object
    points: list
    prints: str
    kinks: list = field(default_factory=list)


ROWS = {
    "+": Row(lambda a, b: a + b, lambda a, b: a + b, lambda a, b: (1.0, 1.0),
             [(1.5, 2.0), (0.3, -1.2)], "a + b"),
    "-": Row(lambda a, b: a - b, lambda a, b: a - b, lambda a, b: (1.0, -1.0),
             [(1.5, 2.0), (0.3, -1.2)], "a - b"),
    "*": Row(lambda a, b: a * b, lambda a, b: a * b, lambda a, b: (b, a),
             [(1.5, 2.0), (0.3, -1.2), (4.0, 3.0)], "a * b"),
    "/": Row(lambda a, b: a / b, lambda a, b: a / b, lambda a, b: (1.0 / b, -a / (b * b)),
             [(1.5, 2.0), (0.3, -1.2), (4.0, 3.0)], "a / b"),
    "**": Row(lambda a, b: a ** b, lambda a, b: a ** b,
              lambda a, b: (b * a ** (b - 1), a ** b * math.log(a)),
              [(1.5, 2.0), (2.0, 0.5), (4.0, 3.0), (0.3, -1.2)], "a ** b"),
    "neg": Row(lambda x: -x, lambda x: -x, lambda x: (-1.0,), [-2.0, 0.5, 3.0], "-a"),
    "abs": Row(abs, abs, lambda x: (math.copysign(1.0, x),), [-2.0, -0.3, 0.7, 3.0],
               "abs(a)", kinks=[((0.0,), (0.0,)), ((-0.0,), (0.0,))]),
    "exp": Row(Value.exp, math.exp, lambda x: (math.exp(x),), [-3.0, 0.0, 1.5, 5.0], "exp(a)"),
    "log": Row(Value.log, math.log, lambda x: (1.0 / x,), [0.1, 1.0, 2.5, 100.0], "log(a)"),
    "tanh": Row(Value.tanh, math.tanh, lambda x: (1.0 - math.tanh(x) ** 2,),
                [-3.0, -0.5, 0.0, 2.0], "tanh(a)"),
    "sigmoid": Row(Value.sigmoid, sigmoid, lambda x: (sigmoid(x) * (1.0 - sigmoid(x)),),
                   [-4.0, 0.0, 0.3, 6.0], "sigmoid(a)"),
    "relu": Row(Value.relu, lambda x: max(x, 0.0), lambda x: (1.0 if x > 0 else 0.0,),
                [-2.0, -0.1, 0.4, 3.0], "relu(a)", kinks=[((0.0,), (0.0,))]),
    "sin": Row(Value.sin, math.sin, lambda x: (math.cos(x),), [-2.0, 0.0, 1.0, 4.0], "sin(a)"),
    "cos": Row(Value.cos, math.cos, lambda x: (-math.sin(x),), [-2.0, 0.0, 1.0, 4.0], "cos(a)"),
    "sqrt": Row(Value.sqrt, math.sqrt, lambda x: (0.5 / math.sqrt(x),),
                [0.01, 1.0, 2.0, 50.0], "sqrt(a)"),
    "sum": Row(lambda *xs: Value.sum(xs), lambda *xs: math.fsum(xs),
               lambda *xs: (1.0,) * len(xs), [(1.5, -2.0, 0.25), (0.1, 0.2)], "sum(a, b)"),
    "maximum": Row(maximum, max, lambda a, b: (1.0, 0.0) if a > b else (0.0, 1.0),
                   [(1.5, 2.0), (0.3, -1.2)], "maximum(a, b)",
                   kinks=[((1.0, 1.0), (0.5, 0.5)), ((-2.0, -2.0), (0.5, 0.5))]),
    "logsumexp": Row(lambda *xs: logsumexp(xs), lambda *xs: math.log(math.fsum(map(math.exp, xs))),
                     lambda *xs: tuple(math.exp(x) / math.fsum(map(math.exp, xs)) for x in xs),
                     [(1.5, -2.0, 0.25), (0.1, 0.2), (30.0, 31.0)], "logsumexp(a, b)"),
    "softplus": Row(softplus, lambda x: math.log1p(math.exp(x)), lambda x: (sigmoid(x),),
                    [-3.0, 0.0, 2.0, 30.0], "softplus(a)"),
    # the index is a constant here (1); as a Value it gets no gradient (test_numerics)
    "select": Row(lambda *xs: select(1, xs), lambda *xs: xs[1],
                  lambda *xs: tuple(1.0 if k == 1 else 0.0 for k in range(len(xs))),
                  [(2.0, -1.0, 0.5), (0.3, 0.7)], "select(a, b)"),
}
NAMES = "abcdefgh"


def _points(row):
    return [p if isinstance(p, tuple) else (p,) for p in row.points]


def test_every_op_of_the_table_has_a_row_here_and_no_more():
    made_by_tests_and_examples = {n for n in OPS if n.startswith(("test_", "cube"))}
    assert set(ROWS) == set(OPS) - made_by_tests_and_examples


@pytest.mark.parametrize("name", sorted(ROWS))
def test_value_and_derivatives_match_closed_forms(name):
    row = ROWS[name]
    for point in _points(row):
        xs = [Value(v) for v in point]
        out = row.apply(*xs)
        out.backward()
        assert out._op == name and out._prev == tuple(xs)
        assert out.data == pytest.approx(row.forward(*point), rel=1e-15, abs=1e-300)
        expected = row.derivatives(*point)
        assert [x.grad for x in xs] == [pytest.approx(d, rel=1e-12) for d in expected]


@pytest.mark.parametrize("name", sorted(ROWS))
def test_derivatives_match_finite_differences_first_and_second_order(name):
    row = ROWS[name]
    for point in _points(row):
        assert gradcheck(row.apply, list(point))
        assert gradgradcheck(row.apply, list(point), atol=1e-4)


@pytest.mark.parametrize("name", sorted(ROWS))
def test_each_op_prints_as_specified(name):
    arity = OPS[name].arity or 2
    assert format_op(name, list(NAMES[:arity])) == ROWS[name].prints


@pytest.mark.parametrize("name", sorted(ROWS))
def test_kinks_are_where_the_table_says_with_the_documented_subgradient(name):
    row, op = ROWS[name], OPS[name]
    assert (op.kink is not None) == bool(row.kinks)
    for point, subgradient in row.kinks:
        assert op.kink(*point) == 0.0
        xs = [Value(v) for v in point]
        assert gradients(row.apply(*xs), xs) == list(subgradient)
    for point in _points(row):  # and the test points are away from them
        assert op.kink is None or op.kink(*point) != 0.0


@pytest.mark.parametrize("name", sorted(ROWS))
def test_the_domain_ends_where_the_table_says(name):
    # an operand the table says must be positive: at 0 the value or a derivative is not
    # finite, or the value is not real below 0; at the test points all is finite
    op = OPS[name]
    for i in op.positive:
        base = list(_points(ROWS[name])[0])
        edge = []
        for at in (0.0, -0.5):
            xs = [Value(v) for v in [*base[:i], at, *base[i + 1:]]]
            out = ROWS[name].apply(*xs)
            edge += [out.data, *gradients(out, xs)]
        assert not all(map(math.isfinite, edge)), f"{name}: operand {i} has no domain edge"
    for point in _points(ROWS[name]):
        xs = [Value(v) for v in point]
        out = ROWS[name].apply(*xs)
        assert all(map(math.isfinite, [out.data, *gradients(out, xs)]))


@pytest.mark.parametrize("name", ["+", "-", "*", "/", "**"])
def test_numbers_on_either_side_are_constants(name):
    row = ROWS[name]
    a0, b0 = 1.5, 2.0
    da, db = row.derivatives(a0, b0)
    x = Value(a0)
    left = row.apply(x, b0)  # Value <op> number
    assert left.data == pytest.approx(row.forward(a0, b0)) and left._prev == (x,)
    assert gradients(left, [x]) == [pytest.approx(da)]
    y = Value(b0)
    right = row.apply(a0, y)  # number <op> Value
    assert right.data == pytest.approx(row.forward(a0, b0)) and right._prev == (y,)
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
    assert (-x).data == 2.5 and abs(x).data == 2.5 and (+x) is x


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
