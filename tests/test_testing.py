"""autograd_lite.testing: the checks catch wrong rules, the strategies cover what they promise."""

import itertools
import math
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

from autograd_lite import Value, define_op
from autograd_lite.engine import OPS, div, exp, value_of
from autograd_lite.testing import (
    BOUND,
    Expression,
    GradcheckError,
    Step,
    expressions,
    expressions_with_inputs,
    gradcheck,
    gradgradcheck,
    numerical_gradient,
    safe_floats,
)


@pytest.fixture
def ops():
    """Ops made for one test, with deliberate slips, taken out of the table afterwards (the
    random expressions of other tests draw from the whole table)."""
    made = {
        # softplus(x) = log(1 + e^x); its derivative is sigmoid(x) = 1 - e^(-softplus(x))
        "good_softplus": define_op("test_softplus", lambda x: math.log1p(math.exp(x)),
                                   lambda g, out, x: g * (1.0 - exp(-out))),
        "wrong_softplus": define_op("test_softplus_wrong", lambda x: math.log1p(math.exp(x)),
                                    lambda g, out, x: g * exp(-out)),  # 1 - sigmoid: a slip
        # right value, but written with x.data as a constant: its own derivative is lost, so
        # first order passes and second order fails
        "wrong_second": define_op(
            "test_cube_wrong_second", lambda x: x * x * x,
            lambda g, out, x: g * 3.0 * (x.data if isinstance(x, Value) else x) ** 2),
    }
    yield SimpleNamespace(**made)
    for f in made.values():
        del OPS[f.__name__]


def test_gradcheck_passes_a_correct_rule_and_returns_true(ops):
    assert gradcheck(ops.good_softplus, [0.3]) is True
    assert gradgradcheck(ops.good_softplus, [0.3]) is True


def test_gradcheck_catches_a_wrong_rule_with_a_readable_report(ops):
    with pytest.raises(GradcheckError) as failure:
        gradcheck(lambda x, y: ops.wrong_softplus(x) * y, [0.3, 2.0])
    report = str(failure.value)
    assert "1 of 2 partial derivative(s) disagree" in report
    assert "input 0" in report and "input 1" not in report
    assert "analytic" in report and "numeric" in report
    assert gradcheck(lambda x: ops.wrong_softplus(x), [0.3], raise_exception=False) is False


def test_gradgradcheck_catches_a_rule_that_is_only_right_to_first_order(ops):
    assert gradcheck(ops.wrong_second, [0.7])
    with pytest.raises(GradcheckError, match=r"d2f / dx0 dx0"):
        gradgradcheck(ops.wrong_second, [0.7])


def test_property_test_catches_a_wrong_rule(ops):
    # the way a user would find the slip: a property test over random inputs
    @settings(max_examples=20, database=None)
    @given(expressions_with_inputs(n_inputs=1, max_steps=3, ops=("tanh", "*", "+")))
    def check(case):
        expression, xs = case
        gradcheck(lambda x: ops.wrong_softplus(expression(x)), xs)

    with pytest.raises(GradcheckError):
        check()


def test_inputs_may_be_values_and_report_non_finite_mismatch():
    assert gradcheck(lambda x: x * x, [Value(3.0)])
    with pytest.raises(TypeError, match="inputs"):
        gradcheck(lambda x: x, ["a"])
    assert gradcheck(lambda x: x.sqrt(), [0.0], raise_exception=False) is False


def test_numerical_gradient_of_a_constant_function():
    assert numerical_gradient(lambda x: 3.0, [1.0]) == [0.0]


def test_expression_runs_on_floats_and_values_alike():
    e = Expression(2, (Step("*", (0, 1)), Step("tanh", (2,)), Step("+", (3, 3)),
                       Step("-", (2.5, 4))))
    as_float = e(0.5, 1.5)
    as_value = e(Value(0.5), Value(1.5))
    assert isinstance(as_float, float) and as_value.data == as_float
    assert "v3 = tanh(v2)" in str(e) and "v5 = 2.5 - v4" in str(e)
    with pytest.raises(TypeError, match="takes 2 inputs"):
        e(1.0)


def test_kink_distance_and_smoothness():
    e = Expression(1, (Step("relu", (0,)),))
    assert e.kink_distance([0.25]) == 0.25
    assert not e.is_smooth_at([0.0]) and e.is_smooth_at([0.5])
    big = Expression(1, (Step("exp", (0,)), Step("exp", (1,))))
    assert not big.is_smooth_at([3.0])


def _shares(expression):
    uses = [o for step in expression.steps for o in step.operands if isinstance(o, int)]
    return len(uses) != len(set(uses))


def _has_constant(expression, side):
    return any(step.op in "+-*/" and isinstance(step.operands[side], float)
               for step in expression.steps)


def test_strategies_generate_shared_subexpressions_and_constants_on_both_sides():
    found = settings(suppress_health_check=list(HealthCheck), database=None, max_examples=500,
                     phases=[Phase.generate])  # an example is enough, no need to shrink it
    assert _shares(find(expressions(n_inputs=2), _shares, settings=found))
    assert find(expressions(), lambda e: any(s.op == "sum" for s in e.steps), settings=found)
    assert find(expressions(), lambda e: _has_constant(e, 0), settings=found)
    assert find(expressions(), lambda e: _has_constant(e, 1), settings=found)
    same_node_twice = find(expressions(), lambda e: any(
        len(s.operands) == 2 and s.operands[0] == s.operands[1] for s in e.steps), settings=found)
    assert same_node_twice


def _every_value(expression, xs):
    """Every value the expression computes at ``xs``, the inputs' included, in order."""
    n = expression.n_inputs
    return list(xs) + [Expression(n, expression.steps[:k])(*xs)
                       for k in range(1, len(expression.steps) + 1)]


def _corners_and_middle(n, low, high):
    return [list(p) for p in itertools.product((low, high, (low + high) / 2), repeat=n)]


@settings(max_examples=400, database=None)
@given(expressions(n_inputs=2, max_steps=12), st.lists(safe_floats(), min_size=2, max_size=2))
def test_domain_safe_expressions_stay_finite_and_within_the_bound(expression, xs):
    # every op, long programs, at the edges of the documented range and in between
    for point in [xs, *_corners_and_middle(2, -2.0, 2.0)]:
        for v in _every_value(expression, point):
            assert math.isfinite(v) and abs(v) <= BOUND, (str(expression), point, v)


@settings(max_examples=200, database=None)
@given(st.data())
def test_domain_safe_bound_holds_for_any_documented_input_range(data):
    low = data.draw(st.floats(-1e4, 1e4))
    high = data.draw(st.floats(low, 1e4))
    expression = data.draw(expressions(n_inputs=1, max_steps=10, min_value=low, max_value=high))
    x = data.draw(st.floats(low, high))
    for point in ([low], [high], [x]):
        for v in _every_value(expression, point):
            assert math.isfinite(v) and abs(v) <= BOUND, (str(expression), point, v)


def test_the_overflowing_power_the_old_strategy_drew_cannot_be_drawn():
    # 4.5 ** 512 overflowed at x0 = 2, then inf / inf was NaN; powers and divisions are
    # only ever built from bounded operands now
    found = settings(suppress_health_check=list(HealthCheck), database=None, max_examples=300,
                     phases=[Phase.generate])
    with pytest.raises(NoSuchExample):
        find(expressions(n_inputs=1, ops=("**", "/", "exp", "*")),
             lambda e: any(not math.isfinite(v) or abs(v) > BOUND
                           for p in ([-2.0], [2.0], [0.0]) for v in _every_value(e, p)),
             settings=found)


def test_an_input_range_that_cannot_be_bounded_is_refused():
    for low, high in ((0.0, math.inf), (2.0, 1.0), (-1e7, 0.0), (math.nan, 1.0)):
        with pytest.raises(ValueError, match="input range"):
            expressions(min_value=low, max_value=high)


@given(expressions(ops=("log", "sqrt", "/", "**")))
def test_domain_safe_expressions_stay_real(expression):
    for xs in ([-1.5, 0.0], [0.0, 0.0], [2.0, -0.3], [2.0, 2.0], [-2.0, -2.0]):
        out = expression(*xs)
        assert math.isfinite(out)


def test_unknown_ops_are_rejected():
    with pytest.raises(ValueError, match="unknown op"):
        expressions(ops=("tanh", "softmax"))


def test_div_helper_works_on_floats_and_values():
    assert div(1.0, 0.0) == math.inf
    assert div(Value(1.0), 2.0).data == 0.5


def test_an_op_added_with_define_op_shows_up_everywhere_with_no_other_edit():
    from autograd_lite.viz import dot_source
    from autograd_lite.viz.stepthrough import backward_steps

    hypot = define_op("test_hypot", math.hypot,
                      lambda g, out, a, b: g * div(a, out), lambda g, out, a, b: g * div(b, out),
                      symbol="(+)", commutative=True)
    try:
        found = settings(suppress_health_check=list(HealthCheck), database=None,
                         max_examples=300, phases=[Phase.generate])
        expression = find(expressions(n_inputs=2),
                          lambda e: any(s.op == "test_hypot" for s in e.steps), settings=found)
        assert "(+)" in str(expression)  # printed with its symbol
        x, y = Value(3.0, label="x"), Value(4.0, label="y")
        z = hypot(x, y)
        z.label = "z"
        assert "(+)" in dot_source(z)  # drawn, and its edges unnamed (commutative)
        assert "label=a" not in dot_source(z)
        (step,) = backward_steps(z)
        assert "'z' = x (+) y" in str(step)
        assert gradcheck(hypot, [3.0, 4.0])
    finally:
        del OPS["test_hypot"]


def test_define_op_domain_and_kinks_guide_the_generators():
    half_abs = define_op("test_half_abs", lambda x: 0.5 * abs(x),
                         lambda g, out, x: g * 0.5 * (1.0 if value_of(x) > 0 else
                                                      -1.0 if value_of(x) < 0 else 0.0),
                         kink=lambda x: x)
    root = define_op("test_root", math.sqrt, lambda g, out, x: div(g, 2.0 * out),
                     positive=(0,))
    try:
        e = Expression(1, (Step("test_half_abs", (0,)),))
        assert e.kink_distance([0.25]) == 0.25 and not e.is_smooth_at([0.0])
        assert half_abs(Value(-2.0)).data == 1.0
        assert not Expression(1, (Step("test_root", (0,)),)).is_smooth_at([0.0])

        @settings(max_examples=50, database=None)
        @given(expressions(n_inputs=1, ops=("test_root", "-")))
        def stays_real(expression):
            assert not math.isnan(expression(-1.5))

        stays_real()
        assert root(Value(4.0)).data == 2.0
    finally:
        del OPS["test_half_abs"], OPS["test_root"]


@pytest.mark.parametrize("check", [gradcheck, gradgradcheck])
def test_checks_that_would_check_nothing_say_so(check):
    name = check.__name__
    for bad in (math.nan, math.inf, -math.inf):
        with pytest.raises(ValueError, match=rf"{name}: inputs\[1\] is {bad!r}; finite"):
            check(lambda x, y: x * y, [1.0, bad])
    for eps in (0, 0.0, -1e-6, math.nan, math.inf):
        with pytest.raises(ValueError, match=rf"{name}: eps must be a finite number > 0, got"):
            check(lambda x: x * x, [1.0], eps=eps)
    with pytest.raises(ValueError, match=rf"{name}: atol must be a finite number >= 0"):
        check(lambda x: x * x, [1.0], atol=-1.0)
    with pytest.raises(ValueError, match=rf"{name}: rtol must be .* got nan"):
        check(lambda x: x * x, [1.0], rtol=math.nan)
    with pytest.raises(TypeError, match=rf"{name}: eps must be a number, got str"):
        check(lambda x: x * x, [1.0], eps="small")
    with pytest.raises(ValueError, match=rf"{name}: no inputs"):
        check(lambda: Value(1.0), [])
    with pytest.raises(ValueError, match=r"numerical_gradient: eps must be"):
        numerical_gradient(lambda x: x, [1.0], eps=0.0)


def test_checks_record_their_function_inside_no_grad():
    from autograd_lite import no_grad

    with no_grad():
        assert gradcheck(lambda x: x ** 3, [2.0]) and gradgradcheck(lambda x: x ** 3, [2.0])
        with pytest.raises(GradcheckError):
            gradcheck(lambda x: x.detach() * x, [2.0])  # a wrong derivative is still caught
