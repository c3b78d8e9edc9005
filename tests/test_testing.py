"""autograd_lite.testing: the checks catch wrong rules, the strategies cover what they promise."""

import math

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings

from autograd_lite import Value, define_op
from autograd_lite.engine import div, exp
from autograd_lite.testing import (
    Expression,
    GradcheckError,
    Step,
    expressions,
    expressions_with_inputs,
    gradcheck,
    gradgradcheck,
    numerical_gradient,
)

# softplus(x) = log(1 + e^x); its derivative is sigmoid(x) = 1 - e^(-softplus(x))
good_softplus = define_op("test_softplus", lambda x: math.log1p(math.exp(x)),
                          lambda g, out, x: g * (1.0 - exp(-out)))
wrong_softplus = define_op("test_softplus_wrong", lambda x: math.log1p(math.exp(x)),
                           lambda g, out, x: g * exp(-out))  # 1 - sigmoid: a plausible slip
wrong_second = define_op("test_cube_wrong_second", lambda x: x * x * x,
                         # right value, but written with x.data as a constant: its own
                         # derivative is lost, so first order passes and second order fails
                         lambda g, out, x: g * 3.0 * (x.data if isinstance(x, Value) else x) ** 2)


def test_gradcheck_passes_a_correct_rule_and_returns_true():
    assert gradcheck(good_softplus, [0.3]) is True
    assert gradgradcheck(good_softplus, [0.3]) is True


def test_gradcheck_catches_a_wrong_rule_with_a_readable_report():
    with pytest.raises(GradcheckError) as failure:
        gradcheck(lambda x, y: wrong_softplus(x) * y, [0.3, 2.0])
    report = str(failure.value)
    assert "1 of 2 partial derivative(s) disagree" in report
    assert "input 0" in report and "input 1" not in report
    assert "analytic" in report and "numeric" in report
    assert gradcheck(lambda x: wrong_softplus(x), [0.3], raise_exception=False) is False


def test_gradgradcheck_catches_a_rule_that_is_only_right_to_first_order():
    assert gradcheck(wrong_second, [0.7])
    with pytest.raises(GradcheckError, match=r"d2f / dx0 dx0"):
        gradgradcheck(wrong_second, [0.7])


def test_property_test_catches_a_wrong_rule():
    # the way a user would find the slip: a property test over random inputs
    @settings(max_examples=20, database=None)
    @given(expressions_with_inputs(n_inputs=1, max_steps=3, ops=("tanh", "*", "+")))
    def check(case):
        expression, xs = case
        gradcheck(lambda x: wrong_softplus(expression(x)), xs)

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


@given(expressions(ops=("log", "sqrt", "/", "**")))
def test_domain_safe_expressions_stay_real(expression):
    for xs in ([-1.5, 0.0], [0.0, 0.0], [2.0, -0.3]):
        out = expression(*xs)
        assert not math.isnan(out)


def test_unknown_ops_are_rejected():
    with pytest.raises(ValueError, match="unknown op"):
        expressions(ops=("tanh", "softmax"))


def test_div_helper_works_on_floats_and_values():
    assert div(1.0, 0.0) == math.inf
    assert div(Value(1.0), 2.0).data == 0.5
