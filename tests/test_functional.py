"""gradients, grad and value_and_grad: results, nesting, argnums and unused inputs."""

import math

import pytest

from autograd_lite import Value, grad, gradients, value_and_grad


def test_gradients_does_not_touch_grad():
    x, y = Value(3.0), Value(4.0)
    z = x * y + x
    assert gradients(z, [x, y]) == [5.0, 3.0]
    assert (x.grad, y.grad, z.grad) == (0.0, 0.0, 0.0)


def test_gradients_of_an_unused_input_is_zero():
    x, y = Value(3.0), Value(4.0)
    assert gradients(x * 2, [x, y]) == [2.0, 0.0]
    (g,) = gradients(x * 2, [y], create_graph=True)
    assert isinstance(g, Value) and g.data == 0.0


def test_gradients_accepts_a_single_value_and_the_output_itself():
    x = Value(3.0)
    y = x * x
    assert gradients(y, x) == [6.0]
    assert gradients(y, [y, x]) == [1.0, 6.0]


def test_gradients_with_create_graph_are_connected_values():
    x = Value(0.7)
    (g,) = gradients(x.sin() * x, [x], create_graph=True)
    assert isinstance(g, Value) and g._prev
    assert g.data == pytest.approx(math.cos(0.7) * 0.7 + math.sin(0.7))
    (h,) = gradients(g, [x])
    assert h == pytest.approx(-math.sin(0.7) * 0.7 + 2 * math.cos(0.7))


def test_grad_returns_floats_for_floats():
    g = grad(lambda x: x * x * x)(2.0)
    assert g == 12.0 and type(g) is float


def test_grad_nests_to_the_third_derivative():
    f = lambda x: x ** 3 + x.sin()
    x0 = 0.4
    assert grad(f)(x0) == pytest.approx(3 * x0 ** 2 + math.cos(x0))
    assert grad(grad(f))(x0) == pytest.approx(6 * x0 - math.sin(x0))
    assert grad(grad(grad(f)))(x0) == pytest.approx(6 - math.cos(x0))


def test_derivatives_of_tanh_to_the_fourth_order():
    x0 = 0.5
    t = math.tanh(x0)
    d = [lambda x: x.tanh()]
    for _ in range(4):
        d.append(grad(d[-1]))
    assert d[1](x0) == pytest.approx(1 - t * t, rel=1e-12)
    assert d[2](x0) == pytest.approx(-2 * t * (1 - t * t), rel=1e-12)
    assert d[3](x0) == pytest.approx((1 - t * t) * (6 * t * t - 2), rel=1e-12)
    assert d[4](x0) == pytest.approx(8 * t * (1 - t * t) * (2 - 3 * t * t), rel=1e-12)


def test_argnums_selects_and_tuples_give_tuples():
    f = lambda x, y, z: x * y * z
    assert grad(f, argnums=1)(2.0, 3.0, 4.0) == 8.0
    assert grad(f, argnums=(0, 2))(2.0, 3.0, 4.0) == (12.0, 6.0)
    assert grad(f, argnums=-1)(2.0, 3.0, 4.0) == 6.0


def test_value_and_grad():
    value, g = value_and_grad(lambda x, y: x * y + 1, argnums=(0, 1))(3.0, 4.0)
    assert value == 13.0 and g == (4.0, 3.0)


def test_a_constant_function_has_zero_gradient():
    assert grad(lambda x: 5.0)(1.0) == 0.0
    assert grad(lambda x, y: y * 2, argnums=0)(1.0, Value(3.0)) == 0.0


def test_grad_of_a_value_argument_returns_a_value_in_the_graph():
    x = Value(2.0)
    g = grad(lambda v: v * v)(x)
    assert isinstance(g, Value) and g.data == 4.0
    g.backward()
    assert x.grad == 2.0


def test_nested_grad_does_not_confuse_perturbations():
    # d/dx [x * d/dy (x * y)] = d/dx [x * x] = 2x: the inner gradient depends on the outer x
    assert grad(lambda x: x * grad(lambda y: x * y)(3.0))(2.0) == 4.0


def test_hessian_by_nesting():
    f = lambda x, y: x * x * y + y.exp()
    hxy = grad(lambda x, y: grad(f, argnums=0)(x, y), argnums=1)(1.5, 0.5)
    hyy = grad(lambda x, y: grad(f, argnums=1)(x, y), argnums=1)(1.5, 0.5)
    assert hxy == pytest.approx(3.0) and hyy == pytest.approx(math.exp(0.5))


def test_kwargs_pass_through():
    assert grad(lambda x, scale=1.0: x * scale)(2.0, scale=3.0) == 3.0
