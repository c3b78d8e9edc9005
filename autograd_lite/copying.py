"""Copying and pickling graphs of any depth, without recursion.

Python's ``pickle`` and ``copy.deepcopy`` follow references recursively: a result refers to its
operands, which refer to theirs, so a graph a few hundred nodes deep overflows the stack. Here
a result is pickled with its whole graph as one flat list in topological order (operands before
results, each referring to earlier entries by index), and ``deepcopy`` walks the same order.
Leaves are pickled as themselves, so a model's parameters pickled beside a graph stay the
same objects in it; ``deepcopy`` reuses whatever its ``memo`` already holds, so every node
shared between copied objects stays shared.

A gradient recorded by ``backward(create_graph=True)`` is a graph that reaches back into the
parameters (whose gradients reach back again, and so on): ``deepcopy`` copies all of it, one
worklist instead of recursion; ``pickle`` keeps such a gradient as a leaf holding its number.

This module knows nodes only by their slots (``data``, ``grad``, ``label``, ``_op``, ``_a``,
``_b``, ``_depth``): ``Value``'s ``__reduce_ex__``, ``__copy__`` and ``__deepcopy__`` call the
functions here with the engine's ``topological_order``, so the engine is never imported here.

>>> import pickle
>>> from autograd_lite import Value
>>> from autograd_lite.engine import reverse_topological_order
>>> x = Value(0.5, label="x")
>>> v = x
>>> for _ in range(10_000):
...     v = v * 1.0001
>>> clone = pickle.loads(pickle.dumps(v))
>>> clone.data == v.data, len(reverse_topological_order(clone))
(True, 10001)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["reduce", "shallow_copy", "deep_copy"]

Order = Callable[[Any], list[Any]]
_new = object.__new__
_SLOTS = ("_a", "_b", "data", "_depth", "_op", "grad", "label")


def reduce(value: Any, order: Order) -> tuple[Any, ...]:
    """What ``pickle`` stores for ``value``: a leaf as itself (its state set after it exists,
    so that references back to it work), a result as its flat graph."""
    cls = type(value)
    if not value._op:
        state = (value.data, _pickled_grad(value.grad, cls), value.label, value._b)
        return _new, (cls,), state, None, None, _set_leaf
    nodes = order(value)
    index = {node: i for i, node in enumerate(nodes)}
    records = [node if not node._op else
               (node.data, _pickled_grad(node.grad, cls), node.label, node._op, node._depth,
                _map_operands(node, cls, index.__getitem__))
               for node in nodes]
    return _rebuild, (cls, records)


def _pickled_grad(grad: Any, cls: Any) -> Any:
    """A gradient as pickled: a float as itself; a recorded one as a leaf of its number."""
    if type(grad) is cls and grad._op:
        leaf: Any = _new(cls)
        leaf.data, leaf.grad, leaf.label = grad.data, 0.0, None
        leaf._op, leaf._a, leaf._b, leaf._depth = "", None, None, 0
        return leaf
    return grad


def _set_leaf(leaf: Any, state: tuple[Any, ...]) -> None:
    leaf.data, leaf.grad, leaf.label, leaf._b = state  # _b: NO_GRAPH after no_grad()
    leaf._op, leaf._a, leaf._depth = "", None, 0


def shallow_copy(value: Any) -> Any:
    """A new node with the same data, gradient, label, op and operands (``copy.copy``)."""
    twin = _new(type(value))
    for name in _SLOTS:
        setattr(twin, name, getattr(value, name))
    return twin


def deep_copy(value: Any, memo: dict[int, Any], order: Order) -> Any:
    """A copy of ``value``'s whole graph (``copy.deepcopy``), operands before results, and of
    every graph its nodes' gradients hold, with a worklist rather than recursion."""
    import copy

    cls = type(value)
    pending = [value]
    recorded = []  # twins whose gradient is a graph, to point at its copy at the end
    while pending:
        for node in order(pending.pop()):
            if id(node) in memo:
                continue
            twin = _new(cls)
            twin.data, twin.label, twin._op, twin._depth = (node.data, node.label, node._op,
                                                             node._depth)
            twin._a, twin._b = _map_operands(node, cls, lambda o: memo[id(o)])
            memo[id(node)] = twin
            grad = node.grad
            if type(grad) is cls:  # a recorded gradient: its graph is copied in turn
                pending.append(grad)
                recorded.append((twin, grad))
            else:
                twin.grad = copy.deepcopy(grad, memo)
    for twin, grad in recorded:
        twin.grad = memo[id(grad)]
    return memo[id(value)]


def _map_operands(node: Any, cls: type, replace: Callable[[Any], Any]) -> tuple[Any, Any]:
    """``node``'s two operand slots with each node in them replaced (constants kept)."""
    def swap(o: Any) -> Any:
        return replace(o) if type(o) is cls else o

    a = node._a
    return (tuple(map(swap, a)) if type(a) is tuple else swap(a)), swap(node._b)


def _rebuild(cls: type, records: list[Any]) -> Any:
    nodes: list[Any] = []
    for record in records:
        if type(record) is cls:
            nodes.append(record)
            continue
        data, grad, label, op, depth, (a, b) = record
        node: Any = _new(cls)
        node.data, node.grad, node.label, node._op, node._depth = data, grad, label, op, depth

        def resolve(o: Any) -> Any:
            return nodes[o] if type(o) is int else o

        node._a = tuple(map(resolve, a)) if type(a) is tuple else resolve(a)
        node._b = resolve(b)
        nodes.append(node)
    return nodes[-1]
