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


# --- transforms record whatever the mode around them ------------------------------------------

def test_transforms_inside_no_grad_still_differentiate():
    from autograd_lite import no_grad

    cube = lambda x: x ** 3
    with no_grad():
        assert grad(cube)(2.0) == 12.0  # torch.func.grad under torch.no_grad gives 12 too
        assert value_and_grad(cube)(2.0) == (8.0, 12.0)
        assert grad(grad(cube))(2.0) == 12.0 and grad(grad(grad(cube)))(2.0) == 6.0


def test_create_graph_inside_no_grad_still_records_the_backward_pass():
    from autograd_lite import no_grad

    x = Value(2.0)
    y = x ** 3
    with no_grad():
        (g,) = gradients(y, [x], create_graph=True)
        assert g.data == 12.0 and gradients(g, [x]) == [12.0]
        y.backward(create_graph=True)
    assert isinstance(x.grad, Value) and gradients(x.grad, [x]) == [12.0]


def test_backward_of_a_value_computed_under_no_grad_says_why_nothing_happens():
    from autograd_lite import no_grad

    w = Value(0.5)
    with no_grad():
        loss = (w * 3.0 - 1.0) ** 2  # a training step that would change nothing
    with pytest.raises(RuntimeError, match=r"backward\(\).*computed under no_grad\(\)"):
        loss.backward()
    with pytest.raises(RuntimeError, match=r"gradients\(\).*no_grad\(\)"):
        gradients(loss, [w])
    assert w.grad == 0.0
    Value(1.0).backward()  # a leaf made on purpose still seeds itself
    loss.detach().backward()  # and so does a detached copy


def test_argnums_that_is_not_an_int_or_tuple_of_ints_is_named():
    for bad in (1.0, "0", (), (0, 1.5), None, True):
        with pytest.raises(TypeError, match=r"argnums must be an int or a tuple of ints.*got"):
            grad(lambda x, y: x * y, argnums=bad)
        with pytest.raises(TypeError, match=r"argnums must be an int or a tuple of ints"):
            value_and_grad(lambda x, y: x * y, argnums=bad)
    assert grad(lambda x, y: x * y, argnums=[0, 1])(3.0, 4.0) == (4.0, 3.0)


# --- mixing backward(create_graph=True) and plain backward() ----------------------------------

def test_plain_backward_after_create_graph_leaves_floats():
    x = Value(2.0)
    y = x ** 3
    y.backward(create_graph=True)
    assert isinstance(x.grad, Value) and x.grad.data == 12.0
    x.grad.backward()  # PyTorch's pattern: d(dy/dx)/dx accumulates into x.grad
    assert type(x.grad) is float and x.grad == 12.0 + 12.0
    y.backward()
    assert type(x.grad) is float and x.grad == 36.0
    y.backward(create_graph=True)  # and a recorded pass makes it a Value again
    assert isinstance(x.grad, Value) and x.grad.data == 48.0
