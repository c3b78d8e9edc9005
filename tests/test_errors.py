"""Every error path: bad constructor input, unsupported operands, bad transform arguments."""

import pytest

from autograd_lite import AnomalyError, Value, define_op, detect_anomaly, grad, gradients
from autograd_lite.engine import OPS


@pytest.mark.parametrize("bad, type_name", [
    ("a", "str"), (None, "NoneType"), ([1], "list"), (1j, "complex"), ({1: 2}, "dict"),
])
def test_value_rejects_what_is_not_a_real_number(bad, type_name):
    with pytest.raises(TypeError, match=f"expected a real number .*got {type_name}"):
        Value(bad)


def test_value_of_a_value_points_to_detach():
    with pytest.raises(TypeError, match="detach"):
        Value(Value(1.0))


def test_label_must_be_a_string():
    with pytest.raises(TypeError, match="label must be a str or None, got int"):
        Value(1.0, label=3)


@pytest.mark.parametrize("bad", ["a", None, [1], 1j])
@pytest.mark.parametrize("op", ["+", "-", "*", "/", "**"])
def test_unsupported_operands_give_pythons_usual_type_error(bad, op):
    x = Value(2.0)
    expression = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
                  "/": lambda a, b: a / b, "**": lambda a, b: a ** b}[op]
    usual = r"unsupported operand|can only|cannot index or repeat a list"  # * tries repeating
    with pytest.raises(TypeError, match=usual):
        expression(x, bad)
    with pytest.raises(TypeError, match=usual):
        expression(bad, x)


def test_binary_methods_return_not_implemented_for_unknown_operands():
    assert Value(1.0).__add__("a") is NotImplemented
    assert Value(1.0).__rtruediv__(object()) is NotImplemented


def test_values_order_by_data_but_equal_only_to_themselves():
    a, b = Value(1.0), Value(2.0)
    assert a < b and b >= a and a <= 1 and not (a > 1.0)
    with pytest.raises(TypeError, match=r"graph node.*v\.data == 2\.0"):
        Value(2.0) == 2.0  # noqa: B015 - the point is that it raises
    with pytest.raises(TypeError, match="graph node"):
        Value(2.0) != 2  # noqa: B015
    with pytest.raises(TypeError, match="'<' not supported between instances of 'Value' and 'str'"):
        a < "b"  # noqa: B015


def test_value_cannot_be_subclassed():
    with pytest.raises(TypeError, match="cannot be subclassed"):
        type("MyValue", (Value,), {})


def test_gradients_needs_values():
    x = Value(1.0)
    with pytest.raises(TypeError, match=r"gradients: inputs\[1\] must be a Value, got float"):
        gradients(x * 2, [x, 3.0])
    with pytest.raises(TypeError, match="gradients: output must be a Value, got float"):
        gradients(3.0, [x])


def test_grad_argument_errors():
    f = lambda x, y: x * y
    with pytest.raises(IndexError, match="argnums 2 is out of range for 2 positional"):
        grad(f, argnums=2)(1.0, 2.0)
    with pytest.raises(TypeError, match="argnums must be an int or a tuple of ints"):
        grad(f, argnums="0")(1.0, 2.0)
    with pytest.raises(TypeError, match=r"argument 0 must be a number or a Value.*got str"):
        grad(f)("a", 2.0)
    with pytest.raises(TypeError, match=r"must return a scalar.*got list"):
        grad(lambda x: [x])(1.0)


def test_sum_needs_terms():
    with pytest.raises(ValueError, match="at least one term"):
        Value.sum([])
    with pytest.raises(TypeError, match="operands must be Values or real numbers, got str"):
        Value.sum([Value(1.0), "x"])


def test_define_op_errors():
    with pytest.raises(ValueError, match="already exists"):
        define_op("tanh", lambda x: x, lambda g, out, x: g)
    with pytest.raises(ValueError, match="one VJP rule per operand"):
        define_op("nothing_to_differentiate", lambda x: x)
    with pytest.raises(ValueError, match=r"one or two operands\), got 3"):
        define_op("three", lambda x, y, z: x, *[lambda g, out, x, y, z: g] * 3)
    with pytest.raises(ValueError, match="already exists"):
        define_op("exp", lambda x: x, lambda g, out, x: g, replace=True)
    with define_op("test_errors_square", lambda x: x * x, lambda g, out, x: g * 2 * x):
        with pytest.raises(ValueError, match="already exists"):
            define_op("test_errors_square", lambda x: x * x, lambda g, out, x: g * 2 * x)
        square = define_op("test_errors_square", lambda x: x * x, lambda g, out, x: g * x * 2,
                           replace=True)
        assert square(Value(3.0)).data == 9.0
        with pytest.raises(TypeError, match="takes 1 operand"):
            square(Value(1.0), Value(2.0))
    assert "test_errors_square" not in OPS


def test_anomaly_in_the_forward_pass_names_op_and_operands():
    x = Value(-1.0, label="x")
    with detect_anomaly(), pytest.raises(AnomalyError,
                                         match=r"op 'log' produced nan .*operands: x = -1.0"):
        x.log()
    y = Value(0.0, label="y")
    with detect_anomaly(), pytest.raises(AnomalyError,
                                         match=r"op '/' produced inf .*operands: 1.0, y = 0.0"):
        1 / y
    with detect_anomaly(), pytest.raises(AnomalyError, match=r"op '\*\*' produced inf"):
        Value(10.0) ** 400


def test_anomaly_in_the_backward_pass_names_op_node_label_and_operand():
    x = Value(0.0, label="x")
    y = x.sqrt()  # sqrt(0) = 0 is fine; its derivative is inf
    y.label = "root"
    z = y * 2
    with detect_anomaly(), pytest.raises(
            AnomalyError,
            match=r"op 'sqrt' \(node 'root'\) produced gradient inf for operand 0 in the "
                  r"backward pass; operands: x = 0.0"):
        z.backward()
    assert x.grad == 0.0  # nothing half-written: the failed pass changed no .grad


def test_anomaly_mode_is_quiet_on_finite_graphs_and_gives_the_same_gradients():
    x = Value(0.3)
    y = (x * 2).tanh() + x.exp()
    with detect_anomaly():
        y.backward()
    g = x.grad
    x.grad = 0.0
    y.grad = 0.0
    for node in (y._prev[0], y._prev[1], y._prev[0]._prev[0]):
        node.grad = 0.0
    y.backward()
    assert x.grad == g
