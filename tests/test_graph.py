"""Graph semantics: recording, shared sub-expressions, accumulation, depth, no_grad, detach."""

import asyncio
import threading

import pytest

from autograd_lite import Value, enable_grad, gradients, is_grad_enabled, no_grad
from autograd_lite.engine import reverse_topological_order, topological_order


def test_a_value_holds_floats_and_its_history():
    x = Value(2.0, label="x")
    assert (x.data, x.grad, x.label, x._prev, x._op) == (2.0, 0.0, "x", (), "")
    y = x * 3 + 1
    assert y._op == "+" and y._prev[0]._op == "*" and y._prev[0]._prev == (x,)
    assert y.label is None
    y.label = "y"
    assert y.label == "y"


def test_micrograds_worked_example():
    a, b, c, f = Value(2.0), Value(-3.0), Value(10.0), Value(-2.0)
    L = (a * b + c) * f
    L.backward()
    assert L.data == -8.0
    assert (a.grad, b.grad, c.grad, f.grad) == (6.0, -4.0, -2.0, 4.0)


def test_shared_subexpression_is_visited_once_and_gets_every_contribution():
    a = Value(3.0)
    b = a + a
    c = b * b
    c.backward()
    assert b._prev == (a, a)
    assert (c.data, b.grad, a.grad) == (36.0, 12.0, 24.0)
    order = topological_order(c)
    assert order == [a, b, c] and len(set(order)) == 3


def test_topological_order_puts_operands_first():
    x, y = Value(1.0), Value(2.0)
    z = ((x * y).tanh() + x) * (y - 3)
    order = topological_order(z)
    position = {node: i for i, node in enumerate(order)}
    for node in order:
        assert all(position[p] < position[node] for p in node._prev)
    assert order[-1] is z and reverse_topological_order(z)[0] is z


def test_backward_twice_accumulates_exactly_twice():
    x, y = Value(1.5), Value(-0.5)
    z = (x * y + x.exp()) * (x - y)
    z.backward()
    first = {n: n.grad for n in topological_order(z)}
    z.backward()
    for node, g in first.items():
        assert node.grad == 2 * g  # intermediate nodes too, not only the leaves


def test_zero_grad_by_assignment_resets():
    x = Value(2.0)
    y = x * x
    y.backward()
    x.grad = 0.0
    y.grad = 0.0
    y.backward()
    assert x.grad == 4.0


def test_grad_set_to_none_counts_as_zero():
    x = Value(2.0)
    y = x * x
    x.grad = None
    y.backward()
    assert x.grad == 4.0


def test_a_million_node_chain_builds_and_backpropagates():
    x = Value(0.5)
    v = x
    for _ in range(500_000):
        v = v * 1.0001
        v = v + 0.0001
    assert v._depth == 1_000_000
    v.backward()
    assert x.grad == pytest.approx(1.0001 ** 500_000, rel=1e-9)
    del v  # and it is freed without a recursion error


def test_deep_chains_work_in_gradients_and_create_graph_too():
    x = Value(0.5)
    v = x
    for _ in range(20_000):
        v = (v * 0.9999).sin() + 0.001
    (g,) = gradients(v, [x])
    (gv,) = gradients(v, [x], create_graph=True)
    v.backward()
    assert g == x.grad == gv.data


def test_backward_of_a_leaf_seeds_it():
    x = Value(3.0)
    x.backward()
    assert x.grad == 1.0


def test_no_grad_records_nothing():
    x = Value(2.0)
    with no_grad():
        assert not is_grad_enabled()
        y = (x * 3).tanh() + x
        with enable_grad():
            assert is_grad_enabled()
            z = x * 2
    assert is_grad_enabled()
    assert y._prev == () and y._op == "" and y._depth == 0
    assert z._prev == (x,)
    (y * 2).backward()  # inside a graph, y is a constant leaf, like a detached value
    assert x.grad == 0.0 and y.grad == 2.0


def test_no_grad_is_private_to_each_thread():
    recorded = {}
    inside = threading.Event()
    release = threading.Event()

    def quiet():
        with no_grad():
            inside.set()
            release.wait(5)
            recorded["quiet"] = (Value(1.0) * 2)._prev

    worker = threading.Thread(target=quiet)
    worker.start()
    inside.wait(5)
    recorded["main"] = (Value(1.0) * 2)._prev  # while the other thread is inside no_grad
    release.set()
    worker.join()
    assert recorded["quiet"] == () and len(recorded["main"]) == 1


def test_no_grad_is_private_to_each_asyncio_task():
    async def quiet(gate):
        with no_grad():
            await gate.wait()
            return (Value(1.0) * 2)._prev

    async def loud(gate):
        result = (Value(1.0) * 2)._prev
        gate.set()
        return result

    async def main():
        gate = asyncio.Event()
        return await asyncio.gather(quiet(gate), loud(gate))

    quiet_prev, loud_prev = asyncio.run(main())
    assert quiet_prev == () and len(loud_prev) == 1


def test_detach_cuts_the_graph():
    x = Value(2.0)
    y = x * x
    z = y.detach() * x
    z.backward()
    assert z.data == 8.0 and x.grad == 4.0  # only through the second factor
    assert y.detach()._prev == () and y.detach().data == 4.0


def test_values_hash_and_compare_by_identity():
    a, b = Value(1.0), Value(1.0)
    assert a != b and a == a and len({a, b}) == 2
    assert {a: 1}[a] == 1


def test_repr_shows_data_grad_and_label():
    x = Value(2.0, label="x")
    assert repr(x) == "Value(data=2.0, grad=0.0, label='x')"
    assert repr(Value(0.5)) == "Value(data=0.5, grad=0.0)"
    assert f"{x:.3f}" == "2.000" and f"{x}" == repr(x)


def test_create_graph_makes_grads_values_that_can_be_differentiated():
    x = Value(2.0)
    y = x ** 3
    y.backward(create_graph=True)
    assert isinstance(x.grad, Value) and x.grad.data == 12.0
    (d2,) = gradients(x.grad, [x])
    assert d2 == 12.0
    (d3,) = gradients(gradients(x.grad, [x], create_graph=True)[0], [x])
    assert d3 == 6.0


def test_every_path_starts_gradients_from_zero_so_signed_zeros_agree():
    x = Value(1.0)
    y = x * -0.0  # the gradient reaching x is -0.0; accumulated from 0.0 it is +0.0
    y.backward()
    fast = x.grad
    (generic,) = gradients(y, [x])
    assert str(fast) == str(generic) == "0.0"


def test_values_and_their_methods_pickle_and_copy():
    import copy
    import pickle

    x = Value(2.0, label="x")
    y = (x * 3).tanh()
    clone = pickle.loads(pickle.dumps(y))
    assert clone.data == y.data and clone._prev[0]._prev[0].label == "x"
    assert pickle.loads(pickle.dumps(Value.relu)) is Value.relu
    assert Value.__add__.__qualname__ == "Value.__add__"
    assert copy.deepcopy(y).data == y.data
