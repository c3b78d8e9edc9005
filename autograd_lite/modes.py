"""Recording modes: ``no_grad``, ``detect_anomaly`` and tracing, and the anomaly checks.

The mode lives in a ``contextvars.ContextVar``, so it is private to each thread and each
asyncio task: ``with no_grad():`` in one thread never turns off recording in another.
Every op reads the mode once; the usual mode (recording, no anomaly checks) is one identity
test on the hot path.

While a trace records (``autograd_lite.jit``'s first call), the Values it makes hold no number:
their data is ``TRACED``, which stands for every example at once and raises ``TraceError``,
naming the user's line, wherever Python would use it as a number (``if``, comparisons,
arithmetic, ``float``, formatting).
"""

from __future__ import annotations

import contextlib
import linecache
import math
import sys
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from typing import Any, NamedTuple

__all__ = [
    "no_grad", "enable_grad", "is_grad_enabled", "detect_anomaly", "is_anomaly_enabled",
    "AnomalyError", "TraceError", "TRACED",
]


class _Mode(NamedTuple):
    grad_enabled: bool
    anomaly: bool
    trace: Any = None  # the trace being recorded (autograd_lite.tracing), if any


NORMAL = _Mode(grad_enabled=True, anomaly=False)
STATE: ContextVar[_Mode] = ContextVar("autograd_lite_mode", default=NORMAL)


def _interned(mode: _Mode) -> _Mode:
    # the hot path compares with `is NORMAL`, so never store an equal copy of it
    return NORMAL if mode == NORMAL else mode


@contextlib.contextmanager
def _set_mode(**changes: Any) -> Iterator[None]:
    token = STATE.set(_interned(STATE.get()._replace(**changes)))
    try:
        yield
    finally:
        STATE.reset(token)


def no_grad() -> contextlib.AbstractContextManager[None]:
    """Context manager: ops inside record no graph (their results are leaves).

    Use it for parameter updates and evaluation. Safe across threads and asyncio tasks.

    >>> from autograd_lite import Value, no_grad
    >>> x = Value(2.0)
    >>> with no_grad():
    ...     y = x * 3
    >>> y._prev
    ()
    """
    return _set_mode(grad_enabled=False)


def enable_grad() -> contextlib.AbstractContextManager[None]:
    """Context manager: turn recording back on inside a ``no_grad`` block."""
    return _set_mode(grad_enabled=True)


def is_grad_enabled() -> bool:
    """True when ops record the graph (the default), False inside ``no_grad``."""
    return STATE.get().grad_enabled


def detect_anomaly() -> contextlib.AbstractContextManager[None]:
    """Context manager: raise ``AnomalyError`` at the first op whose value or gradient is
    NaN or infinite, naming the op, its operands and the node's label.

    It slows every op down a little, so use it to find where a NaN comes from.

    >>> from autograd_lite import Value, detect_anomaly
    >>> with detect_anomaly():
    ...     Value(-1.0, label="x").log()
    Traceback (most recent call last):
    ...
    autograd_lite.modes.AnomalyError: op 'log' produced nan in the forward pass; operands: x = -1.0
    """
    return _set_mode(anomaly=True)


def is_anomaly_enabled() -> bool:
    """True inside ``detect_anomaly()``."""
    return STATE.get().anomaly


class AnomalyError(ArithmeticError):
    """A NaN or infinity appeared while ``detect_anomaly()`` was active."""


class TraceError(RuntimeError):
    """A trace (``autograd_lite.jit``) would be silently wrong for other inputs: the traced
    function branched on the data of a traced Value, or its inputs changed structure."""


TRACING = [0]
"""How many traces are recording right now, in any thread: a cheap first test for the checks
below, which then ask whether this context is the one tracing."""


def user_line() -> str:
    """``file:line ('code')`` of the innermost frame outside autograd_lite: the user's line."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__", "").startswith(
            ("autograd_lite.", "contextlib", "copy", "copyreg", "pickle")):
        frame = frame.f_back  # type: ignore[assignment]
    if frame is None:  # pragma: no cover - always some caller
        return "<unknown>"
    code = linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()
    return f"{frame.f_code.co_filename}:{frame.f_lineno}" + (f" ({code!r})" if code else "")


_FROZEN = ("A trace records the function once for every example and every later parameter "
           "value, so a number read here would be frozen into it. Write the choice with an op "
           "of the table (relu, maximum, select, softplus, logsumexp, ...), pass the number "
           "as a batched input or a parameter, or run this code eagerly, without jit.")


def check_not_tracing(what: str) -> None:
    """Raise ``TraceError`` when a trace is being recorded in this context: ``what`` would read
    the numbers of one example (or of the parameters at trace time) into the trace."""
    if TRACING[0] and STATE.get().trace is not None:
        raise TraceError(f"{user_line()}: {what} reads the number inside a Value while "
                         f"jit traces. {_FROZEN}")


def _refuse(*_: object, **__: object) -> Any:
    raise TraceError(f"{user_line()}: this reads the number inside a Value while jit traces; "
                     "the Value stands for every example (or for every later value of a "
                     f"parameter) and holds no number. {_FROZEN}")


class _Traced:
    """The data of a Value made while a trace records: no number, only a stand-in that refuses
    every use as one (``TRACED``)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "traced"

    __bool__ = __float__ = __int__ = __index__ = __complex__ = __round__ = __format__ = _refuse
    __lt__ = __le__ = __gt__ = __ge__ = __eq__ = __ne__ = _refuse
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _refuse
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = _refuse
    __pow__ = __rpow__ = __neg__ = __pos__ = __abs__ = __trunc__ = __floor__ = _refuse
    __ceil__ = __divmod__ = __rdivmod__ = _refuse
    __hash__ = object.__hash__

    def __reduce__(self) -> str:
        return "TRACED"


TRACED: Any = _Traced()
"""The data of the Values a trace makes: it stands for every example and is no number."""


def _describe(operand: object) -> str:
    label = getattr(operand, "label", None)
    data = getattr(operand, "data", operand)
    return f"{label} = {data!r}" if label else repr(data)


def _bad(x: float) -> bool:
    return not math.isfinite(x)


def check_forward(op: str, operands: Sequence[object], data: float) -> None:
    """Raise ``AnomalyError`` if an op's result is NaN or infinite."""
    if _bad(data):
        args = ", ".join(_describe(o) for o in operands)
        raise AnomalyError(f"op {op!r} produced {data!r} in the forward pass; operands: {args}")


def check_backward(op: str, node: object, operands: Sequence[object], index: int,
                   grad: object) -> None:
    """Raise ``AnomalyError`` if the gradient an op passes to operand ``index`` is not finite."""
    value = getattr(grad, "data", grad)
    if isinstance(value, float) and _bad(value):
        args = ", ".join(_describe(o) for o in operands)
        label = getattr(node, "label", None)
        where = f"node {label!r}" if label else f"node with value {getattr(node, 'data', node)!r}"
        raise AnomalyError(
            f"op {op!r} ({where}) produced gradient {value!r} for operand {index} "
            f"in the backward pass; operands: {args}"
        )
