"""Tracing: run a function once on Values that stand for every example, and record the graph.

``autograd_lite.jit`` runs a per-example function once and turns the graph it built into array
code over a whole batch. That is right only when the graph does not depend on any example's
numbers, so the trace computes no numbers at all: the inputs, the parameters (for the length of
the trace) and every Value the function makes hold ``TRACED`` instead of a float (see
``autograd_lite.modes``). Any use of one as a number (``if v.data > 0``, ``bool(v)``,
``v > 0``, ``float(v)``, ``max(values)``, formatting, copying, a backward pass) raises
``TraceError`` naming the user's line, instead of freezing one example's number into the
trace. This costs eager code nothing: no class is patched; the engine skips the arithmetic
while a trace records, in this thread only.

A leaf Value that the function uses but that is neither an input nor a parameter is
``captured``: read afresh at every call. To catch a Python read of its number too, a function
that captures leaves is traced a second time with their numbers hidden as well.

>>> from autograd_lite import Value
>>> w = Value(2.0)
>>> t = trace(lambda x: (w * x).tanh(), [None], [w])
>>> print(t)  # doctest: +NORMALIZE_WHITESPACE
trace: 4 nodes (2 ops), outputs %3
%0     = input 0[0]                               (B,)  # x0
%1     = param 0                                  ()
%2     = * %1, %0                                 (B,)
%3     = tanh %2                                  (B,)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..engine import NO_GRAPH, Value
from ..modes import TRACED, TRACING, TraceError, _set_mode, user_line
from .ir import Trace

__all__ = ["trace"]

_new = object.__new__


class _Recorder:
    """The trace being recorded: the engine reports to it every node and constant it makes."""

    def __init__(self) -> None:
        self.nodes: list[Value] = []  # every op node the function made, in order
        self.constants: list[Value] = []  # leaves the function made with Value(number)
        self.detached: dict[Value, Value] = {}  # leaf made by detach() -> its source
        self.no_grad_at: str | None = None

    def record(self, node: Value) -> None:
        self.nodes.append(node)
        if node._b is NO_GRAPH and self.no_grad_at is None:
            self.no_grad_at = user_line()

    def constant(self, leaf: Value) -> None:
        self.constants.append(leaf)

    def detach(self, leaf: Value, source: Value) -> None:
        self.detached[leaf] = source  # held by the dict: an id is never reused meanwhile


def _placeholder(label: str) -> Value:
    value = _new(Value)
    value.data, value.grad, value.label = TRACED, 0.0, label
    value._op, value._a, value._b, value._depth = "", None, None, 0
    return value


def trace(fn: Callable[..., Any], structure: Sequence[int | None], params: Sequence[Value],
          *, outputs: str = "any") -> Trace:
    """Run ``fn`` once on Values standing for one example of every batch, and record it.

    ``structure`` has one entry per positional argument: None (the function receives a
    Value) or a length (a list of Values). ``params`` are Values the function closes over;
    their numbers are hidden while it runs. With ``outputs="scalar"`` the function must
    return one Value or number; otherwise also a list or tuple of them.
    """
    recorded, captured = _run(fn, structure, params, (), outputs)
    if captured:  # trace again, their numbers hidden too, to catch a Python read of them
        recorded, again = _run(fn, structure, params, captured, outputs)
        captured = [c for c in again if any(c is k for k in captured)] + \
            [c for c in again if not any(c is k for k in captured)]
    return _build(*recorded, params=params, captured=captured)


def _run(fn: Callable[..., Any], structure: Sequence[int | None], params: Sequence[Value],
         hidden: Sequence[Value], outputs: str) -> tuple[tuple[Any, ...], list[Value]]:
    recorder = _Recorder()
    inputs: list[list[Value]] = []
    arguments: list[Any] = []
    for i, width in enumerate(structure):
        if width is None:
            placeholder = _placeholder(f"x{i}")
            inputs.append([placeholder])
            arguments.append(placeholder)
        else:
            values = [_placeholder(f"x{i}[{j}]") for j in range(width)]
            inputs.append(values)
            arguments.append(values)
    stash = [(leaf, leaf.data) for leaf in (*params, *hidden)]
    for leaf, _ in stash:
        leaf.data = TRACED
    TRACING[0] += 1
    try:
        with _set_mode(trace=recorder):
            result = fn(*arguments)
        output_values = _outputs(result, outputs, recorder)
    finally:
        TRACING[0] -= 1
        assigned = [leaf for leaf, _ in stash if leaf.data is not TRACED]
        for leaf, data in stash:
            leaf.data = data
    if assigned:
        raise TraceError(
            f"the traced function assigns the number of {len(assigned)} of its parameters or "
            f"captured Values (assigning v.data, e.g. {assigned[0]!r}): that would happen once, "
            "while tracing, and never at a later call; update parameters outside the function")
    if recorder.no_grad_at is not None:
        raise TraceError(f"{recorder.no_grad_at}: the traced function computes under "
                         "no_grad(); a trace cannot follow what no_grad() does not record "
                         "(use v.detach() to stop a gradient)")
    known = {id(v) for vs in inputs for v in vs} | {id(p) for p in params}
    known |= {id(v) for v in recorder.nodes} | {id(v) for v in recorder.constants}
    known |= {id(v) for v in recorder.detached}
    captured: list[Value] = []
    seen: set[int] = set()
    for node in (*recorder.nodes, *output_values[0], *recorder.detached.values()):
        for o in _operands(node):
            if type(o) is Value and id(o) not in known and id(o) not in seen:
                if o._op:
                    raise TraceError(
                        f"the traced function uses a Value computed before it was traced "
                        f"({o!r}, op {o._op!r}); its graph would not be run again at each "
                        "call. Compute it inside the function, or pass the Values it comes "
                        "from as params.")
                seen.add(id(o))
                captured.append(o)
    return (recorder, inputs, structure, output_values), captured


def _operands(node: Value) -> tuple[Any, ...]:
    if not node._op:
        return (node,)
    a = node._a
    return a if type(a) is tuple else (a, node._b)


def _outputs(result: Any, kind: str, recorder: _Recorder) -> tuple[list[Value], int | None]:
    def as_value(x: Any) -> Value:
        if type(x) is Value:
            return x
        if isinstance(x, int | float) and not isinstance(x, bool):
            constant = Value(x)  # a constant result
            recorder.constant(constant)
            return constant
        raise TypeError(f"the traced function must return a Value or a number"
                        f"{'' if kind == 'scalar' else ', or a list of them'}, "
                        f"got {type(x).__name__}")

    if kind != "scalar" and isinstance(result, list | tuple):
        if not result:
            raise TypeError("the traced function returned an empty list")
        return [as_value(x) for x in result], len(result)
    return [as_value(result)], None


def _build(recorder: _Recorder, inputs: list[list[Value]], structure: Sequence[int | None],
           returned: Any, *, params: Sequence[Value], captured: list[Value]) -> Trace:
    output_values, output_size = returned
    ops: list[str] = []
    args: list[tuple[Any, ...]] = []
    batched = bytearray()
    sources: dict[int, tuple[Any, ...]] = {}
    labels: dict[int, str] = {}
    index: dict[int, int] = {}
    constants = {id(c): c.data for c in recorder.constants}

    def source(value: Value, where: tuple[Any, ...], is_batched: bool) -> None:
        i = len(ops)
        index[id(value)] = i
        ops.append("")
        args.append(())
        batched.append(is_batched)
        sources[i] = where
        if value.label:
            labels[i] = value.label

    for arg, values in enumerate(inputs):
        for feature, value in enumerate(values):
            source(value, ("input", arg, feature), True)
    for k, p in enumerate(params):
        source(p, ("param", k), False)
    for k, c in enumerate(captured):
        source(c, ("captured", k), False)

    def operand(o: Any) -> Any:
        if type(o) is not Value:
            return o
        key = id(o)
        found = index.get(key)
        if found is not None:
            return found
        return constants[key]  # a constant the function made: its number

    def node(value: Value, op: str, operands: tuple[Any, ...]) -> None:
        i = len(ops)
        index[id(value)] = i
        ops.append(op)
        mapped = tuple(operand(o) for o in operands)
        args.append(mapped)
        batched.append(any(type(a) is int and batched[a] for a in mapped))
        if value.label:
            labels[i] = value.label

    pending = dict(recorder.detached)
    for value in recorder.nodes:
        for o in _operands(value):  # a detached leaf enters the trace before its first use
            if type(o) is Value and o in pending:
                node(o, "detach", (pending.pop(o),))
        a = value._a
        node(value, value._op, a if type(a) is tuple else
             ((a,) if value._b is None else (a, value._b)))
    for value in output_values:
        if value in pending:
            node(value, "detach", (pending.pop(value),))
    outputs = []
    for value in output_values:
        if id(value) not in index:  # a constant the function returned
            node(value, "", ())
            ops[-1] = "sum"
            args[-1] = (constants.get(id(value), value.data),)
        outputs.append(index[id(value)])
    return Trace(ops, args, batched, sources, labels, outputs, output_size,
                 list(structure), list(params), captured)
