"""Copying and pickling graphs of any depth, without recursion.

Python's ``pickle`` and ``copy.deepcopy`` follow references recursively: a result refers to its
operands, which refer to theirs, so a graph a few hundred nodes deep overflows the stack. Here
a result is pickled with its whole graph as one flat list in topological order (operands before
results, each referring to earlier entries by index), and ``deepcopy`` walks the same order.
Leaves are pickled as themselves, so a model's parameters pickled beside a graph stay the
same objects in it; ``deepcopy`` reuses whatever its ``memo`` already holds, so every node
shared between copied objects stays shared. ``Value``'s ``__reduce_ex__``, ``__copy__`` and
``__deepcopy__`` call the functions here.

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

import copy
from collections.abc import Callable
from typing import Any

from .engine import Value, topological_order

__all__ = ["reduce", "shallow_copy", "deep_copy"]

_new = object.__new__


def reduce(value: Value) -> tuple[Any, ...]:
    """What ``pickle`` stores for ``value``: a leaf as itself, a result as its flat graph."""
    if not value._op:
        return _leaf, (value.data, value.grad, value.label, value._b)
    order = topological_order(value)
    index = {node: i for i, node in enumerate(order)}
    records = [node if not node._op else
               (node.data, node.grad, node.label, node._op, node._depth,
                _map_operands(node, index.__getitem__))
               for node in order]
    return _rebuild, (records,)


def shallow_copy(value: Value) -> Value:
    """A new node with the same data, gradient, label, op and operands (``copy.copy``)."""
    twin = _new(Value)
    for name in Value.__slots__:
        setattr(twin, name, getattr(value, name))
    return twin


def deep_copy(value: Value, memo: dict[int, Any]) -> Value:
    """A copy of ``value``'s whole graph (``copy.deepcopy``), operands before results."""
    for node in topological_order(value):
        if id(node) not in memo:
            twin = _new(Value)
            twin.data, twin.label, twin._op, twin._depth = (node.data, node.label, node._op,
                                                            node._depth)
            twin._a, twin._b = _map_operands(node, lambda o: memo[id(o)])
            twin.grad = copy.deepcopy(node.grad, memo)
            memo[id(node)] = twin
    copied: Value = memo[id(value)]
    return copied


def _map_operands(node: Value, replace: Callable[[Value], Any]) -> tuple[Any, Any]:
    """``node``'s two operand slots with each Value in them replaced (constants kept)."""
    def swap(o: Any) -> Any:
        return replace(o) if type(o) is Value else o

    a = node._a
    return (tuple(map(swap, a)) if type(a) is tuple else swap(a)), swap(node._b)


def _leaf(data: float, grad: Any, label: str | None, mark: Any = None) -> Value:
    leaf = Value(data, label)
    leaf.grad = grad
    leaf._b = mark  # None, or NO_GRAPH for a result computed under no_grad()
    return leaf


def _rebuild(records: list[Any]) -> Value:
    nodes: list[Value] = []
    for record in records:
        if type(record) is Value:
            nodes.append(record)
            continue
        data, grad, label, op, depth, (a, b) = record
        node = _new(Value)
        node.data, node.grad, node.label, node._op, node._depth = data, grad, label, op, depth

        def resolve(o: Any) -> Any:
            return nodes[o] if type(o) is int else o

        node._a = tuple(map(resolve, a)) if type(a) is tuple else resolve(a)
        node._b = resolve(b)
        nodes.append(node)
    return nodes[-1]
