"""Tracing: run a function once on Values and record the graph it builds.

``autograd_lite.jit`` runs a per-example function once, on Values standing for one example,
and turns the graph it built into array kernels over a whole batch. That is right only when
the graph does not depend on the example's numbers: a Python ``if`` on a traced Value's data
would be frozen at the branch this one example took. So while a trace is recorded, every read
of a traced Value's number from outside the engine (``.data``, ``bool(v)``, ``v > 0``,
``float(v)``, ``max(values)``, ...) raises ``TraceError``, naming the file and line; so does a
backward pass inside the traced function (its float rules read data too). Eager code pays
nothing for this: the guarded forms of those attributes are put on ``Value`` only while a
trace runs, and they check only the Values of a running trace.

The result of a trace is a ``TracedGraph``: the nodes that lead to the outputs, in topological
order, each an input feature, a parameter, a captured leaf (read afresh at every call) or an
op of the table over earlier nodes and constants.

>>> from autograd_lite import Value
>>> w = Value(2.0)
>>> graph = trace(lambda x: (w * x).tanh(), [None], [w])
>>> [node.op or node.source[0] for node in graph.nodes]
['param', 'input', '*', 'tanh']
"""

from __future__ import annotations

import linecache
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from types import FrameType
from typing import Any

from .engine import NO_GRAPH, Value
from .modes import STATE, TraceError, _set_mode

__all__ = ["TraceError", "TracedGraph", "TracedNode", "trace"]


@dataclass(frozen=True)
class TracedNode:
    """One node of a traced graph.

    ``op`` is the op's name in the table (``"detach"`` for a Value detached inside the
    function, ``""`` for a source). An operand is the index of an earlier node or a float
    constant. ``source`` is ``("input", argument, feature)``, ``("param", i)`` or
    ``("captured", i)`` for a leaf. ``batched``: the node depends on the batched inputs.
    """

    op: str
    operands: tuple[int | float, ...]
    source: tuple[Any, ...] | None
    batched: bool
    label: str | None = None


@dataclass
class TracedGraph:
    """What one run of a function built: ``nodes`` in topological order, the indices of the
    ``outputs`` (``output_size`` is None for one Value, else the length of the list the
    function returned), the ``params`` and the ``captured`` leaves (read at every call)."""

    nodes: list[TracedNode]
    outputs: list[int]
    output_size: int | None
    params: list[Value]
    captured: list[Value]
    widths: list[int | None]

    @property
    def op_count(self) -> int:
        """How many op nodes the trace holds."""
        return sum(1 for node in self.nodes if node.op)


# ---------------------------------------------------------------------------------------------
# Recording
# ---------------------------------------------------------------------------------------------

_TRACED: dict[int, _Recorder] = {}  # id of each Value of a running trace -> its recorder
_LOCK = threading.Lock()
_ACTIVE = [0]  # how many traces run (in any thread); the guards are on while it is > 0


class _Recorder:
    """The trace being recorded: the engine reports every node it makes to ``record``."""

    def __init__(self) -> None:
        self.created: dict[int, Value] = {}
        self.copied: dict[int, Value] = {}  # id of a leaf made by detach() -> its source
        self.no_grad_at: str | None = None

    def watch(self, value: Value) -> None:
        _TRACED[id(value)] = self

    def record(self, node: Value) -> None:
        self.created[id(node)] = node
        self.watch(node)
        if node._b is NO_GRAPH and self.no_grad_at is None:
            self.no_grad_at = _where()

    def detached(self, leaf: Value, source: Value) -> None:
        self.copied[id(leaf)] = source
        self.watch(leaf)

    def explain_read(self, what: str) -> str:
        return (f"{_where()}: {what} reads the number inside a traced Value. A trace records "
                "one example, so its numbers would be frozen into the trace for every later "
                "input. Write the choice with an op of the table (relu, maximum, select, "
                "softplus, logsumexp, ...), or run this code eagerly, without jit.")


def _where() -> str:
    """``file:line: code`` of the innermost frame outside autograd_lite: the user's line."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__", "").startswith(
            ("autograd_lite.", "contextlib")):
        frame = frame.f_back
    if frame is None:  # pragma: no cover - always some caller
        return "<unknown>"
    code = linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()
    return f"{frame.f_code.co_filename}:{frame.f_lineno}" + (f" ({code!r})" if code else "")


def _from_outside(depth: int) -> bool:
    """Whether the code ``depth`` frames up is outside autograd_lite (a user's read)."""
    name = sys._getframe(depth + 1).f_globals.get("__name__", "")
    return not name.startswith("autograd_lite.")


# ---------------------------------------------------------------------------------------------
# The guards: on Value only while a trace runs
# ---------------------------------------------------------------------------------------------

_DATA = Value.__dict__["data"]  # the slot itself
_NUMBER_METHODS = ("__bool__", "__float__", "__int__", "__round__", "item",
                   "__lt__", "__le__", "__gt__", "__ge__")
_ORIGINAL = {name: Value.__dict__[name] for name in _NUMBER_METHODS}
_WHAT = {"__bool__": "bool(v) (an if, while, and, or on a Value)", "__float__": "float(v)",
         "__int__": "int(v)", "__round__": "round(v)", "item": "v.item()",
         "__lt__": "a comparison (<)", "__le__": "a comparison (<=)",
         "__gt__": "a comparison (>, or max())", "__ge__": "a comparison (>=)"}


def _refuse(value: object, what: str) -> None:
    recorder = _TRACED.get(id(value))
    if recorder is not None and STATE.get().trace is recorder:
        raise TraceError(recorder.explain_read(what))


class _GuardedData:
    """``Value.data`` while a trace runs: the slot, plus a check on reads from outside."""

    def __get__(self, obj: Value | None, owner: type | None = None) -> Any:
        if obj is None:
            return self
        if id(obj) in _TRACED and _from_outside(1):
            _refuse(obj, ".data")
        return _DATA.__get__(obj, owner)

    def __set__(self, obj: Value, value: float) -> None:
        _DATA.__set__(obj, value)


def _guarded(name: str) -> Callable[..., Any]:
    original = _ORIGINAL[name]

    def method(self: Value, *args: Any) -> Any:
        _refuse(self, _WHAT[name])
        if args and type(args[0]) is Value:
            _refuse(args[0], _WHAT[name])
        return original(self, *args)

    method.__name__ = name
    return method


_GUARDS: dict[str, Any] = {"data": _GuardedData(), **{n: _guarded(n) for n in _NUMBER_METHODS}}


def _install_guards() -> None:
    with _LOCK:
        _ACTIVE[0] += 1
        if _ACTIVE[0] == 1:
            for name, guard in _GUARDS.items():
                type.__setattr__(Value, name, guard)


def _remove_guards() -> None:
    with _LOCK:
        _ACTIVE[0] -= 1
        if _ACTIVE[0] == 0:
            type.__setattr__(Value, "data", _DATA)
            for name, original in _ORIGINAL.items():
                type.__setattr__(Value, name, original)


# ---------------------------------------------------------------------------------------------
# Tracing a function
# ---------------------------------------------------------------------------------------------

def trace(fn: Callable[..., Any], example: Sequence[Sequence[float] | float | None],
          params: Sequence[Value], *, outputs: str = "any") -> TracedGraph:
    """Run ``fn`` once on Values standing for one example and record what it builds.

    ``example`` has one entry per positional argument: a number (the function receives a
    Value), a sequence of numbers (a list of Values), or None (a Value of data 0.0). The
    Values are filled with the example's numbers, although the function may not read them.
    ``params`` are Values the function closes over. With ``outputs="scalar"`` the function
    must return one Value or number; otherwise also a list or tuple of them.
    """
    recorder = _Recorder()
    inputs: list[list[Value]] = []
    widths: list[int | None] = []
    arguments: list[Any] = []
    for i, entry in enumerate(example):
        if entry is None or isinstance(entry, int | float):
            placeholder = Value(0.0 if entry is None else entry, label=f"x{i}")
            inputs.append([placeholder])
            widths.append(None)
            arguments.append(placeholder)
        else:
            values = [Value(v, label=f"x{i}[{j}]") for j, v in enumerate(entry)]
            inputs.append(values)
            widths.append(len(values))
            arguments.append(values)
    for value in (*[v for vs in inputs for v in vs], *params):
        recorder.watch(value)
    _install_guards()
    try:
        with _set_mode(trace=recorder):
            result = fn(*arguments)
        output_values, output_size = _outputs(result, outputs)
        return _graph(recorder, inputs, widths, params, output_values, output_size)
    finally:
        _remove_guards()
        for key in [k for k, r in _TRACED.items() if r is recorder]:
            del _TRACED[key]


def _outputs(result: Any, kind: str) -> tuple[list[Value], int | None]:
    def as_value(x: Any) -> Value:
        if type(x) is Value:
            return x
        if isinstance(x, int | float) and not isinstance(x, bool):
            return Value(x)  # a constant result
        raise TypeError(f"the traced function must return a Value or a number"
                        f"{'' if kind == 'scalar' else ', or a list of them'}, "
                        f"got {type(x).__name__}")

    if kind != "scalar" and isinstance(result, list | tuple):
        if not result:
            raise TypeError("the traced function returned an empty list")
        return [as_value(x) for x in result], len(result)
    return [as_value(result)], None


def _graph(recorder: _Recorder, inputs: list[list[Value]], widths: list[int | None],
           params: Sequence[Value], outputs: list[Value], output_size: int | None
           ) -> TracedGraph:
    if recorder.no_grad_at is not None:
        raise TraceError(f"{recorder.no_grad_at}: the traced function computes under "
                         "no_grad(); a trace cannot follow what no_grad() does not record "
                         "(use v.detach() to stop a gradient)")
    source_of: dict[int, tuple[Any, ...]] = {}
    for arg, values in enumerate(inputs):
        for feature, value in enumerate(values):
            source_of[id(value)] = ("input", arg, feature)
    for i, p in enumerate(params):
        source_of.setdefault(id(p), ("param", i))
    captured: list[Value] = []
    index: dict[int, int] = {}
    nodes: list[TracedNode] = []
    for value in _operands_first(outputs, recorder.copied):
        key = id(value)
        label = value.label
        if key in source_of:
            node = TracedNode("", (), source_of[key], source_of[key][0] == "input", label)
        elif key in recorder.copied:
            operand = index[id(recorder.copied[key])]
            node = TracedNode("detach", (operand,), None, nodes[operand].batched, label)
        elif value._op:
            if key not in recorder.created:
                raise TraceError(
                    f"the traced function uses a Value computed before it was traced ({value!r}, "
                    f"op {value._op!r}); its graph would not be run again at each call. Compute "
                    "it inside the function, or pass the Values it comes from as params.")
            operands = tuple(index[id(o)] if type(o) is Value else o for o in value._operands)
            batched = any(nodes[o].batched for o in operands if type(o) is int)
            node = TracedNode(value._op, operands, None, batched, label)
        else:
            node = TracedNode("", (), ("captured", len(captured)), False, label)
            captured.append(value)
        index[key] = len(nodes)
        nodes.append(node)
    return TracedGraph(nodes, [index[id(v)] for v in outputs], output_size, list(params),
                       captured, widths)


def _operands_first(outputs: list[Value], copied: dict[int, Value]) -> Iterator[Value]:
    """Every Value the outputs depend on, each once, operands before results (iterative)."""
    done: set[int] = set()
    for output in outputs:
        stack: list[tuple[Value, bool]] = [(output, False)]
        while stack:
            value, expanded = stack.pop()
            if id(value) in done:
                continue
            if expanded:
                done.add(id(value))
                yield value
                continue
            stack.append((value, True))
            source = copied.get(id(value))
            parents = [source] if source is not None else value._prev
            for parent in reversed(parents):
                if id(parent) not in done:
                    stack.append((parent, False))
