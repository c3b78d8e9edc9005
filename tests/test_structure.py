"""Structural properties the engine's speed and memory rely on (nothing here is timed)."""

import gc

import pytest

from autograd_lite import Value, define_op, gradients
from autograd_lite.engine import reverse_topological_order


def _live_values():
    return sum(1 for o in gc.get_objects() if type(o) is Value)


def _grid(width=20, layers=6):
    xs = [Value(0.01 * i) for i in range(width)]
    p = xs
    for d in range(layers):
        p = [(a * b + c).tanh() for a, b, c in zip(p, p[d % width:] + p[:d % width],
                                                   p[1:] + p[:1], strict=True)]
    return xs, Value.sum(p)


@pytest.mark.parametrize("with_backward", [False, True])
def test_a_dropped_graph_is_freed_by_reference_counting_alone(with_backward):
    gc.collect()
    gc.disable()  # whatever the cycle collector would find, it must not be needed
    try:
        before = _live_values()
        xs, root = _grid()
        if with_backward:
            root.backward()
            gradients(root, xs)
        assert _live_values() > before
        del xs, root
        assert _live_values() == before
    finally:
        gc.enable()


def test_no_garbage_cycles_after_building_and_backpropagating():
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)  # keep whatever the collector finds, to look at it
    try:
        xs, root = _grid()
        root.backward()
        del xs, root
        gc.collect()
        assert not [o for o in gc.garbage if type(o) is Value]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()


def test_each_node_is_processed_once_by_backward():
    calls = []

    def rule(g, out, x):
        calls.append(out)
        return g * 2.0

    with define_op("test_structure_double", lambda x: 2.0 * x, rule) as double:
        x = Value(1.0)
        nodes = [double(x)]
        for _ in range(30):  # a ladder of diamonds: every node feeds two consumers
            a = double(nodes[-1])
            nodes.append(double(a + a * nodes[-1]))
        nodes[-1].backward()
        assert len(calls) == 61  # one call per op node, though 2**30 paths run through them
        calls.clear()
        gradients(nodes[-1], [x])
        assert len(calls) == 61


def test_reverse_topological_order_lists_each_node_once():
    xs, root = _grid()
    order = reverse_topological_order(root)
    assert len(order) == len(set(order))
    assert set(xs) <= set(order) and order[0] is root


def test_depth_is_one_more_than_the_deepest_operand():
    x, y = Value(1.0), Value(2.0)
    z = (x * y).tanh() + x
    assert (x._depth, (x * y)._depth, z._depth) == (0, 1, 3)
    assert (2 * x)._depth == 1 and Value.sum([x, z, 3.0])._depth == 4


def test_constants_are_not_graph_nodes():
    x = Value(2.0)
    y = x * 3.0 + 1.0
    assert y._prev == (y._prev[0],) and y._prev[0]._prev == (x,)
    assert y._operands[1] == 1.0 and type(y._operands[1]) is float
    assert len(reverse_topological_order(y)) == 3


def _chain(depth):
    x = Value(0.5, label="x")
    v = x
    for i in range(depth // 2):
        v = (v * 1.0001 + 0.0001) if i % 2 else Value.sum([v, 0.5, v]).tanh()
    return x, v


@pytest.mark.parametrize("depth", [10, 2_000, 100_000])
def test_deep_graphs_pickle_and_copy_without_recursion(depth):
    import copy
    import pickle

    x, v = _chain(depth)
    v.backward()
    for clone in (pickle.loads(pickle.dumps(v)), copy.deepcopy(v)):
        assert clone is not v and clone.data == v.data and clone.grad == v.grad
        order = reverse_topological_order(clone)
        assert len(order) == len(reverse_topological_order(v))
        leaf = order[-1]
        assert leaf.label == "x" and leaf.grad == x.grad
        leaf.grad = 0.0
        for node in order:
            node.grad = 0.0
        clone.backward()
        assert leaf.grad == x.grad  # the copy is a working graph


def test_copies_keep_shared_nodes_shared():
    import copy
    import pickle

    x = Value(2.0, label="x")
    y = x * x + x  # x used three times
    for x2, y2 in (pickle.loads(pickle.dumps((x, y))), copy.deepcopy((x, y))):
        assert x2 is not x and y2._prev[0]._prev == (x2, x2) and y2._prev[1] is x2
        y2.backward()
        assert x2.grad == 5.0 and x.grad == 0.0
    twin = copy.copy(y)  # shallow: a new node over the same operands
    assert twin is not y and twin._prev == y._prev and twin.data == y.data


def test_no_grad_results_keep_their_mark_through_copies():
    import copy
    import pickle

    from autograd_lite import no_grad

    with no_grad():
        y = Value(2.0) * 3
    for clone in (pickle.loads(pickle.dumps(y)), copy.deepcopy(y)):
        with pytest.raises(RuntimeError, match="no_grad"):
            clone.backward()


def test_ops_made_with_define_op_pickle_by_name():
    import pickle

    from tests import ops_for_pickling

    clone = pickle.loads(pickle.dumps(ops_for_pickling.cube))
    assert clone(Value(2.0)).data == 8.0 and clone.__name__ == "test_pickled_cube"
    node = ops_for_pickling.cube(Value(3.0))
    node2 = pickle.loads(pickle.dumps(node))
    node2.backward()
    assert node2._op == "test_pickled_cube" and node2._prev[0].grad == 27.0
