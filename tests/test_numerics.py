"""IEEE-754 numerics: domain edges, kinks, overflow and NaN, in values and in gradients."""

import math

import pytest

from autograd_lite import Value, gradients
from autograd_lite import numerics as F

inf, nan = math.inf, math.nan


def grad_of(f, x0):
    x = Value(x0)
    y = f(x)
    return y.data, gradients(y, [x])[0]


def same(a, b):
    """Equal as IEEE values, NaN equal to NaN."""
    return (math.isnan(a) and math.isnan(b)) or a == b


@pytest.mark.parametrize("expression, expected", [
    (lambda: Value(0.0).log(), -inf),
    (lambda: Value(-1.0).log(), nan),
    (lambda: Value(-1.0).sqrt(), nan),
    (lambda: Value(1.0) / 0, inf),
    (lambda: Value(-1.0) / 0, -inf),
    (lambda: Value(1.0) / -0.0, -inf),
    (lambda: Value(0.0) / 0, nan),
    (lambda: 1 / Value(0.0), inf),
    (lambda: Value(0.0) ** -1, inf),
    (lambda: Value(0.0) ** -0.5, inf),
    (lambda: Value(-0.0) ** -1, -inf),
    (lambda: Value(10.0) ** 400, inf),
    (lambda: Value(-10.0) ** 401, -inf),
    (lambda: Value(10.0) ** Value(400.0), inf),
    (lambda: Value(-8.0) ** (1 / 3), nan),
    (lambda: Value(-8.0) ** Value(1 / 3), nan),
    (lambda: 2 ** Value(5000.0), inf),
    (lambda: Value(1000.0).exp(), inf),
    (lambda: Value(-1000.0).exp(), 0.0),
    (lambda: Value(inf).sin(), nan),
    (lambda: Value(-inf).cos(), nan),
    (lambda: Value(10 ** 400), inf),
    (lambda: Value(1.0) + 10 ** 400, inf),
])
def test_ops_return_ieee_results_and_never_raise(expression, expected):
    result = expression()
    assert isinstance(result.data, float)
    assert same(result.data, expected)


def test_a_negative_base_never_gives_a_complex_number():
    y = Value(-8.0) ** (1 / 3)
    assert isinstance(y.data, float) and math.isnan(y.data)


@pytest.mark.parametrize("x0", [1000.0, -1000.0, 710.0, -710.0, 1e308, -1e308])
def test_sigmoid_and_tanh_are_stable_for_large_inputs(x0):
    for f in (Value.sigmoid, Value.tanh):
        value, derivative = grad_of(f, x0)
        assert math.isfinite(value) and math.isfinite(derivative)
        assert derivative == 0.0 or abs(derivative) < 1e-300
    assert grad_of(Value.sigmoid, 1000.0)[0] == 1.0
    assert grad_of(Value.sigmoid, -1000.0)[0] == 0.0


def test_kinks_have_derivative_zero():
    assert grad_of(Value.relu, 0.0) == (0.0, 0.0)
    assert grad_of(abs, 0.0) == (0.0, 0.0)
    assert grad_of(Value.relu, -0.0)[1] == 0.0


def test_gradients_follow_the_same_ieee_rules():
    assert grad_of(Value.log, 0.0) == (-inf, inf)
    assert grad_of(Value.sqrt, 0.0) == (0.0, inf)
    assert grad_of(lambda x: 1 / x, 0.0) == (inf, -inf)
    data, g = grad_of(Value.log, -1.0)
    assert math.isnan(data) and g == -1.0  # the rule 1/x as written, as PyTorch does
    assert grad_of(Value.exp, 1000.0) == (inf, inf)


def test_pow_derivatives_at_a_non_positive_base():
    x, y = Value(-2.0), Value(3.0)
    out = x ** y
    dx, dy = gradients(out, [x, y])
    assert out.data == -8.0 and dx == 12.0
    assert math.isnan(dy)  # d/dy x**y = x**y log(x): log of a negative base is not real
    x, y = Value(0.0), Value(2.0)
    assert gradients(x ** y, [x, y]) == [0.0, 0.0]  # zero base, y >= 0: d/dy is 0
    x, y = Value(0.0), Value(0.0)
    out = x ** y
    assert out.data == 1.0 and gradients(out, [x, y]) == [0.0, 0.0]  # y == 0: d/dx is 0
    x = Value(5.0)
    assert gradients(x ** 0, [x]) == [0.0]


# At NaN every value is NaN; a derivative is NaN where its formula reads x, and the formula's
# constant where it does not (as in PyTorch: d(x + 1)/dx is 1 even at NaN).
@pytest.mark.parametrize("f, derivative", [
    (lambda x: x + 1, 1.0), (lambda x: 2 - x, -1.0), (lambda x: x * 3, 3.0), (lambda x: x / 2, 0.5),
    (lambda x: 1 / x, nan), (lambda x: x ** 2, nan), (lambda x: 2 ** x, nan), (lambda x: -x, -1.0),
    (abs, nan), (Value.exp, nan), (Value.log, nan), (Value.tanh, nan), (Value.sigmoid, nan),
    (Value.relu, 1.0), (Value.sin, nan), (Value.cos, nan), (Value.sqrt, nan),
    (lambda x: Value.sum([x, x]), 2.0),
])
def test_nan_propagates_through_every_op(f, derivative):
    value, g = grad_of(f, nan)
    assert math.isnan(value)
    assert same(g, derivative)


def test_numerics_functions_directly():
    assert F.div(1.0, 0.0) == inf and F.div(-1.0, 0.0) == -inf and math.isnan(F.div(0.0, 0.0))
    assert math.isnan(F.div(nan, 0.0))
    assert F.pow(0.0, -1.0) == inf and math.isnan(F.pow(-8.0, 1 / 3)) and F.pow(10.0, 400.0) == inf
    assert F.pow(-10.0, 401.0) == -inf and F.pow(-10.0, 400.0) == inf
    assert F.pow(2.0, -2000.0) == 0.0 and F.pow(nan, 0.0) == 1.0
    assert F.exp(1000.0) == inf and F.log(0.0) == -inf and math.isnan(F.log(-1.0))
    assert math.isnan(F.sqrt(-1.0)) and F.sqrt(4.0) == 2.0
    assert F.sigmoid(-1000.0) == 0.0 and F.sigmoid(1000.0) == 1.0 and F.sigmoid(0.0) == 0.5
    assert F.relu(-1.0) == 0.0 and math.isnan(F.relu(nan)) and F.relu(2.0) == 2.0
    assert F.sign(0.0) == 0.0 and F.sign(-3.0) == -1.0 and math.isnan(F.sign(nan))
    assert F.to_float(10 ** 400) == inf and F.to_float(-(10 ** 400)) == -inf


def test_to_float_rejects_what_is_not_a_real_number():
    for bad in ["1", None, [1], 1j]:
        with pytest.raises(TypeError, match=type(bad).__name__):
            F.to_float(bad)


def test_pow_second_derivative_at_a_zero_exponent():
    # d/dx x**y = y x**(y-1) is 0 at y == 0, but its derivative in y is x**(y-1), not 0:
    # the rule must stay a formula there (found by the property test)
    x, y = Value(1.5), Value(0.0)
    (dx,) = gradients(x ** y, [x], create_graph=True)
    assert dx.data == 0.0
    assert gradients(dx, [y]) == [pytest.approx(1 / 1.5)]


@pytest.mark.parametrize("x0", [1e-300, 5e-309, 5e-324, -5e-324, 1e-160, 1e-200, -1e-170])
def test_pow_derivatives_stay_finite_for_tiny_bases(x0):
    # x ** 0 is flat in x and x ** 1 is straight: their derivatives are 0 and 1 even where
    # x ** -1 or x ** -2 overflows (PyTorch masks the zero exponent the same way)
    x = Value(x0)
    assert gradients(x ** 0, [x]) == [0.0]
    (d1,) = gradients(x ** 0, [x], create_graph=True)
    assert gradients(d1, [x]) == [0.0]
    (d1,) = gradients(x ** 1, [x], create_graph=True)
    assert d1.data == 1.0 and gradients(d1, [x]) == [0.0]
    (d1,) = gradients(x ** 2, [x], create_graph=True)
    assert d1.data == 2 * x0 and gradients(d1, [x]) == [2.0]
    y = Value(0.0)  # a Value exponent at 0: d/dx is 0 there too
    assert gradients(x ** y, [x])[0] == 0.0


def test_the_choice_ops_at_their_edges():
    from autograd_lite.engine import logsumexp, maximum, select, softplus

    assert logsumexp([Value(800.0), 0.0, 0.0]).data == 800.0  # no overflow
    assert logsumexp([Value(-inf), -inf]).data == -inf and logsumexp([Value(inf), 1.0]).data == inf
    assert math.isnan(logsumexp([Value(nan), 1.0]).data)
    z = [Value(800.0), Value(0.0), Value(0.0)]
    assert gradients(logsumexp(z), z) == [1.0, 0.0, 0.0]
    assert softplus(Value(-800.0)).data == 0.0 and softplus(Value(800.0)).data == 800.0
    x = Value(-800.0)
    assert gradients(softplus(x), [x]) == [0.0]
    assert math.isnan(maximum(Value(nan), 1.0).data) and maximum(Value(-0.5), -1.0).data == -0.5
    a, b = Value(2.0), Value(2.0)
    assert gradients(maximum(a, b), [a, b]) == [0.5, 0.5]  # a tie splits the gradient
    i = Value(2.0)  # an index that is a Value (a label fed to a traced function)
    options = [Value(v) for v in (0.1, 0.2, 0.3)]
    out = select(i, options)
    assert out.data == 0.3 and gradients(out, [i, *options]) == [0.0, 0.0, 0.0, 1.0]
    for bad in (1.5, -1.0, 3.0, nan):
        assert math.isnan(select(bad, options).data)


def test_select_with_an_infinite_index_is_nan_not_an_overflow_error():
    from autograd_lite.engine import select

    options = [Value(1.0), Value(2.0)]
    for bad in (math.inf, -math.inf):
        out = select(bad, options)
        assert math.isnan(out.data)
        assert gradients(out, options) == [0.0, 0.0]


def test_select_gives_a_finite_gradient_when_an_unchosen_option_has_an_infinite_one():
    from autograd_lite.engine import select

    x = Value(0.0)
    out = select(0, [x * 2.0, x.sqrt()])  # sqrt's derivative at 0 is inf; it is not chosen
    assert gradients(out, [x]) == [2.0]
