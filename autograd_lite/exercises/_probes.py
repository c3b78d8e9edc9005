"""What the checkers ask of the engine: temporary ops for a student's rule, gradient checks
that answer with a sentence, random graphs and deep chains, and the traced mode (NumPy is
optional, so it is loaded only here, when a check needs it)."""

from __future__ import annotations

import contextlib
import importlib.util
import itertools
import random
from collections.abc import Callable, Sequence
from typing import Any

from ..engine import Value, define_op
from ..testing import gradcheck, gradgradcheck
from ._answers import Wrong, fmt
from ._running import describe_error

__all__ = ["scoped_op", "first_order_ok", "second_order_ok", "random_graph", "chain",
           "traced", "name_of"]

_counter = itertools.count()


def scoped_op(forward: Callable[..., float], *rules: Callable[..., Any]
              ) -> contextlib.AbstractContextManager[Callable[..., Value]]:
    """An op made from ``forward`` and a student's ``rules`` for the length of a ``with``
    block, then removed from the op table again, so that checks leave no op behind.

    >>> from autograd_lite.engine import OPS
    >>> with scoped_op(lambda x: 2 * x, lambda g, out, x: 2 * g) as double:
    ...     double(Value(3.0)).data
    6.0
    >>> double.__name__ in OPS
    False
    """
    return define_op(f"_exercise_op_{next(_counter)}", forward, *rules)


def _gradient_check(check: Callable[..., bool], f: Callable[..., Any],
                    inputs: Sequence[float], atol: float) -> str | None:
    """None when ``check`` passes at ``inputs``; else what went wrong, as a phrase."""
    try:
        if check(f, list(inputs), atol=atol, rtol=1e-4, raise_exception=False):
            return None
    except Exception as error:
        return f"it raised {describe_error(error)}"
    return "it disagrees with finite differences"


def first_order_ok(f: Callable[..., Any], inputs: Sequence[float]) -> str | None:
    """``gradcheck`` of ``f`` at ``inputs``: None, or why it failed."""
    return _gradient_check(gradcheck, f, inputs, atol=1e-6)


def second_order_ok(f: Callable[..., Any], inputs: Sequence[float]) -> str | None:
    """``gradgradcheck`` of ``f`` at ``inputs``: None, or why it failed."""
    return _gradient_check(gradgradcheck, f, inputs, atol=1e-4)


# ---------------------------------------------------------------------------------------------
# Graphs
# ---------------------------------------------------------------------------------------------

def name_of(node: Value) -> str:
    """How a message names a node: its label, else its op and data.

    >>> x = Value(2.0, label="x")
    >>> name_of(x), name_of(x * 3)
    ("'x'", 'the * node with data 6')
    """
    if node.label:
        return repr(node.label)
    return f"the {node._op or 'leaf'} node with data {fmt(node.data)}"


def random_graph(rng: random.Random, size: int) -> tuple[Value, list[Value]]:
    """A random graph of about ``size`` op nodes over 2 to 4 labelled leaves, with shared
    nodes (one node used by several ops, and twice by one op) and constants, returned as
    ``(root, leaves)``. Every node is labelled: the leaves ``a, b, ...``, the others ``v0,
    v1, ...``."""
    leaves = [Value(rng.uniform(-1.5, 1.5), label=name) for name in "abcd"[:rng.randint(2, 4)]]
    nodes = list(leaves)

    def pick() -> Value:  # recent nodes more often, so the graph is deep as well as wide
        return nodes[max(0, len(nodes) - 1 - int(rng.expovariate(0.5)))]

    for k in range(size):
        kind = rng.randrange(7)
        a = pick()
        if kind == 0:
            node = a + pick()
        elif kind == 1:
            node = a * pick()
        elif kind == 2:
            node = a * a  # one node, both operands
        elif kind == 3:
            node = a - rng.choice([0.5, 2.0]) if rng.random() < 0.5 else 1.5 - a
        elif kind == 4:
            node = a.tanh()
        elif kind == 5:
            node = Value.sum([a, pick(), pick()])
        else:
            node = 0.5 * a + pick()
        node.label = f"v{k}"
        nodes.append(node)
    root = Value.sum(nodes[-3:])  # the last nodes, and through them most of the others
    root.label = "root"
    return root, leaves


def chain(depth: int) -> tuple[Value, Value]:
    """``(x, y)``: ``y`` depends on ``x`` through a chain of ``depth`` ops, one after another.
    """
    x = Value(0.5, label="x")
    y = x
    for i in range(depth):
        y = y * 0.999 if i % 2 else y + 0.001
    return x, y


# ---------------------------------------------------------------------------------------------
# The traced mode
# ---------------------------------------------------------------------------------------------

def traced(fn: Callable[..., Any], params: Sequence[Value], reduce: str | None,
           batch: Sequence[Any], name: str) -> Any:
    """``jit(fn, params=params, reduce=reduce)(*batch)``, with a sentence for the student
    when it cannot run: NumPy is missing, or the function cannot be traced."""
    if importlib.util.find_spec("numpy") is None:
        raise Wrong(f"{name} passed the eager checks; the rest of this check runs it under "
                    'jit, which needs NumPy: pip install "autograd-lite[fast]"')
    from .. import TraceError, jit

    try:
        return jit(fn, params=params, reduce=reduce)(*batch)
    except TraceError as error:
        where, _, why = str(error).partition(": ")
        where = where.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]  # the file's name, not its path
        raise Wrong(f"{name} works eagerly, but jit cannot trace it: at {where}, {why}"
                    ) from None
    except Exception as error:
        raise Wrong(f"{name} works eagerly, but under jit it raised "
                    f"{describe_error(error)}") from None
