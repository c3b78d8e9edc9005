"""Reading answers and comparing them: the vocabulary the checkers are written in.

A checker reads the answer with one of the readers below (a number, a dict of numbers, a
function), calls the student's functions through ``call`` and compares with ``compare``. Each
raises ``Wrong`` with a sentence for the student when something is off, or ``NotAnswered``
when the answer is still the template's blank. Messages say what the answer gives, where, and
what kind of mistake it looks like; they never print the value the answer should have.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from ..engine import Value
from ._running import describe_error, is_blank_function

__all__ = [
    "Wrong", "NotAnswered", "fmt", "close", "number", "numbers_dict", "function", "call",
    "scalar", "sequence", "compare", "Mistake",
]


class Wrong(Exception):
    """The answer is not right; ``str(error)`` says why, for the student."""


class NotAnswered(Exception):
    """The answer is still the template's blank."""


def fmt(x: float) -> str:
    """A number as the messages print it: 6 significant digits.

    >>> fmt(0.1 + 0.2), fmt(-12345678.0), fmt(2.0)
    ('0.3', '-1.23457e+07', '2')
    """
    return f"{x:.6g}"


def close(a: float, b: float, rtol: float = 1e-6, atol: float = 1e-9) -> bool:
    """``|a - b| <= atol + rtol * |b|``, with NaN never close and infinities only to themselves.
    """
    if math.isnan(a) or math.isnan(b):
        return False
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= atol + rtol * abs(b)


def _kind(x: object) -> str:
    if x is None:
        return "None"
    if isinstance(x, str):
        return f"the text {x[:40]!r}"
    if callable(x):
        return "a function"
    name = type(x).__name__
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


def number(answer: object, what: str) -> float:
    """``answer`` as a float, for an answer that is one number (not a Value, not text)."""
    if answer is ...:
        raise NotAnswered(f"replace the ... with {what} (a number)")
    if isinstance(answer, bool):
        raise Wrong(f"{what} should be a number, got {answer} (a bool)")
    if isinstance(answer, Value):
        raise Wrong(f"{what} should be a plain number, got a Value ({answer!r}): give its "
                    "number, such as v.data, or v.grad for a gradient")
    if isinstance(answer, numbers.Real):
        value = float(answer)
        if math.isnan(value):
            raise Wrong(f"{what} is nan for your answer: a number is needed")
        return value
    if isinstance(answer, str):
        raise Wrong(f"{what} should be a number, got {_kind(answer)}: write the number "
                    "without quotes")
    raise Wrong(f"{what} should be a number, got {_kind(answer)}")


def numbers_dict(answer: object, keys: Sequence[str], what: str) -> dict[str, float]:
    """``answer`` as a dict with exactly ``keys``, each a number."""
    if answer is ...:
        raise NotAnswered(f"replace the ... with {what}")
    if not isinstance(answer, Mapping):
        raise Wrong(f"{what} should be a dict with the keys {', '.join(map(repr, keys))}, "
                    f"got {_kind(answer)}")
    if all(v is ... for v in answer.values()):
        raise NotAnswered(f"replace each ... in {what} with a number")
    missing = [k for k in keys if k not in answer]
    extra = [k for k in answer if k not in keys]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"it has no key {', '.join(map(repr, missing))}")
        if extra:
            parts.append(f"it has the unexpected key(s) {', '.join(map(repr, extra))}")
        raise Wrong(f"{what}: {' and '.join(parts)}; the keys are "
                    f"{', '.join(map(repr, keys))}")
    blank = [k for k in keys if answer[k] is ...]
    if blank:
        raise Wrong(f"{what}: {', '.join(map(repr, blank))} still hold(s) ...; give a number "
                    "for every key")
    return {k: number(answer[k], f"{what}[{k!r}]") for k in keys}


def function(answer: object, name: str) -> Callable[..., Any]:
    """``answer`` as a function, for an answer that is code."""
    if answer is ...:
        raise NotAnswered(f"write {name}")
    if not callable(answer) or isinstance(answer, type):
        raise Wrong(f"{name} should be a function (def {name}(...): ...), got {_kind(answer)}")
    if is_blank_function(answer):
        raise NotAnswered(f"write the body of {name} in place of the ...")
    return answer


def call(fn: Callable[..., Any], *args: Any, name: str, context: str = "") -> Any:
    """Call the student's ``fn``; an exception it raises becomes ``Wrong`` (saying where),
    ``NotImplementedError`` becomes ``NotAnswered``."""
    try:
        return fn(*args)
    except NotImplementedError:
        raise NotAnswered(f"{name} raises NotImplementedError: write it") from None
    except (Exception, SystemExit) as error:
        if isinstance(error, RecursionError):
            raise Wrong(f"{name} raised RecursionError{context}: it recurses too deep; "
                        "find the answer with a loop instead of recursion") from None
        raise Wrong(f"{name} raised {describe_error(error)}{context}") from None


def scalar(x: object, what: str, *, value_ok: bool = True) -> float:
    """A number returned by the student's code, as a float (a Value counts by its data unless
    ``value_ok`` is False)."""
    if isinstance(x, Value):
        if not value_ok:
            raise Wrong(f"{what} is a Value ({x!r}); return a plain number")
        return float(x.data)
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return float(x)
    raise Wrong(f"{what} should be a number, got {_kind(x)}")


def sequence(x: object, what: str, length: int | None = None) -> list[Any]:
    """A sequence returned by the student's code (a list, a tuple, a NumPy array...), as a list
    of its items; not a set, a dict or text."""
    if isinstance(x, str | bytes | Mapping | set | frozenset) or not isinstance(x, Iterable):
        raise Wrong(f"{what} should be a list, got {_kind(x)}")
    items = list(x)
    if length is not None and len(items) != length:
        raise Wrong(f"{what} has {len(items)} entries; it should have {length}")
    return items


class Mistake:
    """A typical wrong answer: the value it would give and what to tell the student."""

    __slots__ = ("advice", "value")

    def __init__(self, value: float, advice: str) -> None:
        self.value = value
        self.advice = advice


def compare(got: float, expected: float, what: str, *, advice: str = "",
            mistakes: Iterable[Mistake] = (), rtol: float = 1e-6, atol: float = 1e-9) -> None:
    """Raise ``Wrong`` unless ``got`` is close to ``expected``: naming a typical mistake when
    ``got`` is its value, the sign when only that is off, else giving the general ``advice``.
    The message shows ``got``, never ``expected``."""
    if close(got, expected, rtol, atol):
        return
    said = f"{what} is {fmt(got)} for your answer"
    for mistake in mistakes:
        if not close(mistake.value, expected, rtol, atol) and close(got, mistake.value, rtol,
                                                                     atol):
            raise Wrong(f"{said}: {mistake.advice}")
    then = f"; {advice}" if advice else ""
    if expected != 0.0 and close(got, -expected, rtol, atol):
        raise Wrong(f"{said}, which has the wrong sign{then}")
    raise Wrong(f"{said}, and that is not it{then}")
