"""A Value where Python wants a number: what users try from the lecture and PyTorch habits.

The behaviour is written down once, in ``Value``'s docstring; this file is its test."""

import math

import pytest

from autograd_lite import Value


def test_conversions_give_the_number():
    v = Value(2.75)
    assert float(v) == 2.75 and type(float(v)) is float
    assert v.item() == 2.75 and int(v) == 2 and int(Value(-2.75)) == -2
    assert round(v) == 3 and round(v, 1) == 2.8 and round(Value(2.5)) == 2  # as round(2.75)
    assert math.exp(v) == math.exp(2.75)  # the number: a float outside the graph
    assert f"{v:.1f}" == "2.8"


def test_truth_is_the_data_being_nonzero_as_for_numbers_and_pytorch():
    assert not Value(0.0) and not Value(-0.0) and Value(0.5) and Value(-3.0)
    assert Value(math.nan)  # as bool(float('nan'))
    x = Value(0.0)
    assert not (x * 5)


def test_comparisons_read_the_data():
    a, b = Value(1.0), Value(2.0)
    assert a < b and a <= b and b > a and b >= a and not a > b
    assert a < 1.5 and a <= 1 and a < 3 and a >= True and not (Value(math.nan) < 1.0)


def test_max_and_sorted_return_the_values_themselves():
    xs = [Value(v) for v in (0.3, -1.0, 2.5, 0.0)]
    top = max(xs)
    assert top is xs[2] and sorted(xs) == [xs[1], xs[3], xs[0], xs[2]]
    assert min(xs) is xs[1]
    (top * 3).backward()  # the gradient flows to the one that was picked, as in PyTorch
    assert [x.grad for x in xs] == [0.0, 0.0, 3.0, 0.0]


def test_equality_is_identity_and_comparing_with_a_number_says_so():
    a, b = Value(1.0), Value(1.0)
    assert a == a and a != b and (a == b) is False and len({a, b}) == 2 and {a: 1}[a] == 1
    assert hash(a) != hash(b)
    for number in (1.0, 1, True):
        with pytest.raises(TypeError, match=r"compare its number instead: v\.data == 2\.0"):
            a == number  # noqa: B015 - the point is that it raises
        with pytest.raises(TypeError, match="graph node"):
            a != number  # noqa: B015
    assert a != "a" and a != None  # noqa: E711 - only numbers could be a confusion
    assert a in [b, a] and a not in [b]


def test_values_and_their_comparisons_in_a_graph_do_not_change_the_graph():
    x = Value(3.0)
    y = x * 2
    assert y > x and float(y) == 6.0
    assert y._prev == (x,) and y._op == "*"


def test_unary_plus_is_the_value_itself():
    x = Value(-2.0)
    assert +x is x


def test_a_value_cannot_index_a_list_and_says_what_to_use():
    z = [Value(1.0), Value(2.0)]
    with pytest.raises(TypeError, match=r"cannot index or repeat a list.*select\(index, opt"):
        z[Value(1.0)]
    assert z[int(Value(1.0))] is z[1]


def test_a_numpy_scalar_assigned_to_data_becomes_a_python_float_at_the_first_op():
    np = pytest.importorskip("numpy")
    p = Value(1.0)
    p.data = np.float32(0.1)
    y = p * 3.0  # computed in Python floats, not in float32
    assert type(p.data) is float and p.data == float(np.float32(0.1))
    assert type(y.data) is float and y.data == float(np.float32(0.1)) * 3.0
    q = Value(2.0)
    q.data = np.int64(3)
    assert (q.exp().data, type(q.data)) == (pytest.approx(20.0855369), float)


@pytest.mark.parametrize("bad", ["0.5", None, 1 + 2j])
def test_data_that_is_not_a_real_number_is_refused_by_the_first_op(bad):
    p = Value(1.0)
    p.data = bad
    for op in (lambda v: v * 2.0, lambda v: 2.0 * v, lambda v: v.tanh(), lambda v: v + v,
               lambda v: Value.sum([v, v])):
        with pytest.raises(TypeError, match="expected a real number"):
            op(p)
