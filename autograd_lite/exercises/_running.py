"""Running a student's code: a time limit, what to say when it raises, and telling a blank
answer (a function whose body is still ``...``) from a written one."""

from __future__ import annotations

import contextlib
import linecache
import signal
import sys
import sysconfig
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

__all__ = ["TimeLimitExceeded", "time_limit", "describe_error", "is_blank_function"]


class TimeLimitExceeded(BaseException):
    """A check ran out of time. A ``BaseException``, so that an ``except Exception`` in the
    student's code cannot swallow it."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise ``TimeLimitExceeded`` inside the code run in the block once ``seconds`` pass.

    In the main thread of a system with ``SIGALRM`` (Linux, macOS) an interval timer
    interrupts even a tight loop, at no cost to the code it watches. Elsewhere (Windows, other
    threads) a trace function checks the clock at each line of Python, which is slower and
    cannot interrupt a single long call into C; when a debugger or coverage tool already
    traces, it is left alone and no limit applies.
    """
    if hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():
        with _alarm(seconds):
            yield
    else:
        with _traced_deadline(seconds):
            yield


@contextlib.contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    armed = [True]

    def on_alarm(signum: int, frame: FrameType | None) -> None:
        if armed[0]:  # an alarm that comes as the block ends is ignored, not raised
            raise TimeLimitExceeded

    start = time.monotonic()
    previous_handler = signal.signal(signal.SIGALRM, on_alarm)
    previous_delay, previous_interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        armed[0] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_handler)
        if previous_delay:  # someone else's alarm was pending: give it back what is left
            left = previous_delay - (time.monotonic() - start)
            signal.setitimer(signal.ITIMER_REAL, max(left, 1e-3), previous_interval)


@contextlib.contextmanager
def _traced_deadline(seconds: float) -> Iterator[None]:
    previous = sys.gettrace()
    if previous is not None:  # a debugger or coverage: do not take its place
        yield
        return
    deadline = time.monotonic() + seconds

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        if time.monotonic() > deadline:
            raise TimeLimitExceeded
        return tracer

    sys.settrace(tracer)
    try:
        yield
    finally:
        sys.settrace(previous)


# ---------------------------------------------------------------------------------------------
# What went wrong in the student's code
# ---------------------------------------------------------------------------------------------

# this package, the standard library and installed packages: code that is not the student's
_NOT_THEIRS = tuple(sorted({str(Path(__file__).resolve().parent.parent), *(
    str(Path(sysconfig.get_paths()[key]).resolve()) for key in ("stdlib", "purelib", "platlib"))}))


def _is_theirs(filename: str) -> bool:
    """True for a frame of the student's code."""
    if filename.startswith("<frozen"):
        return False
    nn = sys.modules.get("nn")  # the network library, when they use it (and it is loaded)
    ours = _NOT_THEIRS + tuple(str(Path(p).resolve()) for p in getattr(nn, "__path__", ()))
    try:
        path = str(Path(filename).resolve())
    except (OSError, ValueError):
        return True
    return not path.startswith(ours)


def _their_frame(tb: TracebackType | None) -> tuple[str, int, str] | None:
    """Where the student's code raised: (function, line, source) of the innermost frame of
    their code; the function is the innermost one with a name (not a comprehension's)."""
    found = None
    function = "<module>"
    while tb is not None:
        code = tb.tb_frame.f_code
        if _is_theirs(code.co_filename):
            line = linecache.getline(code.co_filename, tb.tb_lineno).strip()
            if not code.co_name.startswith("<"):
                function = code.co_name
            found = (function, tb.tb_lineno, line)
        tb = tb.tb_next
    return found


def describe_error(error: BaseException, limit: int = 200) -> str:
    """``error`` in one line, with the line of the student's code that raised it, if any.

    >>> try:
    ...     1 / 0
    ... except ZeroDivisionError as error:
    ...     describe_error(error).startswith("ZeroDivisionError: division by zero")
    True
    """
    text = " ".join(str(error).split())  # one line, whatever the exception says
    if len(text) > limit:
        text = text[:limit] + "..."
    what = f"{type(error).__name__}: {text}" if text else type(error).__name__
    where = _their_frame(error.__traceback__)
    if where is None:
        return what
    function, line, source = where
    place = "" if function == "<module>" else f" of {function}"
    return f"{what} (line {line}{place}: {source})" if source else f"{what} (line {line}{place})"


# ---------------------------------------------------------------------------------------------
# Blank answers
# ---------------------------------------------------------------------------------------------

def _stub_bodies() -> frozenset[bytes]:
    """The bytecode of functions whose body is only ``...`` or ``pass`` (with or without a
    docstring), as this Python compiles them."""
    codes = set()
    for body in ("...", "pass", '"""Doc."""\n    ...', '"""Doc."""\n    pass',
                 '"""Doc."""'):
        namespace: dict[str, Any] = {}
        exec(f"def stub(*args, **kwargs):\n    {body}\n", namespace)
        codes.add(namespace["stub"].__code__.co_code)
    return frozenset(codes)


_STUBS = _stub_bodies()


def is_blank_function(fn: Callable[..., Any]) -> bool:
    """True for a function whose body is still only ``...`` (or ``pass``), as in a template.

    >>> def todo(x):
    ...     '''Square x.'''
    ...     ...
    >>> is_blank_function(todo), is_blank_function(lambda x: x * x)
    (True, False)
    """
    code = getattr(fn, "__code__", None)
    if code is None or code.co_code not in _STUBS:
        return False
    # the same bytecode also returns a constant (lambda x: 0.5): a stub's only one is None
    return all(c is None or c == getattr(fn, "__doc__", None) for c in code.co_consts)
