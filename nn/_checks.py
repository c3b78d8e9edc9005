"""Argument checks shared by every part of ``nn``, so that every error reads the same way.

Each check names the argument, says what it got and what it wants, and returns the value in
the form the caller uses (a float, an int, a list). A value of the wrong type raises
``TypeError``; a value of the right type that cannot work (NaN, infinity, out of range)
raises ``ValueError``. ``bool`` is not accepted where a number is wanted: ``True`` as a
learning rate or a layer size is a mistake, not a 1.

>>> real("lr", 0.1, low=0.0)
0.1
>>> real("lr", float("inf"), low=0.0)
Traceback (most recent call last):
ValueError: lr must be a finite number >= 0, got inf
>>> integer("epochs", 2.0, low=0)
Traceback (most recent call last):
TypeError: epochs must be an int, got 2.0 (float)
"""

from __future__ import annotations

import math
import numbers
import reprlib
from collections.abc import Iterable, Mapping, Set
from typing import Any

__all__ = ["show", "got", "real", "integer", "boolean", "ordered", "is_real", "as_float",
           "range_text", "data", "MAX_PARAMETERS", "parameter_count"]

#: The most parameters a model may have: each is a Python object of about 100 bytes with its
#: graph, so ten million already take a gigabyte or more.
MAX_PARAMETERS = 10_000_000

_repr = reprlib.Repr()
_repr.maxstring = 40
_repr.maxother = 40
_repr.maxlong = 40
_repr.maxlist = _repr.maxtuple = _repr.maxdict = _repr.maxset = 6


def show(value: object) -> str:
    """A short ``repr`` of ``value`` for an error message (long strings and lists are cut)."""
    try:
        return _repr.repr(value)
    except Exception:  # a broken __repr__ must not hide the real error
        return f"<{type(value).__name__} object>"


def got(value: object) -> str:
    """``value`` as an error message shows what it got: its repr and its type."""
    return f"{show(value)} ({type(value).__name__})"


def is_real(value: object) -> bool:
    """True for ints, floats and other real numbers (NumPy scalars too), False for bools."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def as_float(value: Any) -> float:
    """``float(value)``, with an int too large for a float rounded to +-inf (as IEEE does)."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def range_text(low: float | None, high: float | None, low_open: bool = False,
               high_open: bool = False) -> str:
    """How a range reads after "a finite number": ``' >= 0'``, ``' in (0, 1)'``, or ``''``."""
    if low is not None and high is not None:
        return f" in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
    if low is not None:
        return f" {'>' if low_open else '>='} {low:g}"
    if high is not None:
        return f" {'<' if high_open else '<='} {high:g}"
    return ""


def real(name: str, value: object, *, low: float | None = None, high: float | None = None,
         low_open: bool = False, high_open: bool = False) -> float:
    """``value`` as a finite float within the given bounds, else ``TypeError``/``ValueError``.

    >>> real("momentum", 0.9, low=0.0, high=1.0, high_open=True)
    0.9
    """
    if not is_real(value):
        raise TypeError(f"{name} must be a number, got {got(value)}")
    x = as_float(value)
    too_low = low is not None and (x <= low if low_open else x < low)
    too_high = high is not None and (x >= high if high_open else x > high)
    if not math.isfinite(x) or too_low or too_high:
        wanted = range_text(low, high, low_open, high_open)
        raise ValueError(f"{name} must be a finite number{wanted}, got {show(value)}")
    return x


def integer(name: str, value: object, *, low: int | None = None,
            high: int | None = None) -> int:
    """``value`` as an int within ``[low, high]``, else ``TypeError``/``ValueError``.

    >>> integer("nin", 3, low=1)
    3
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {got(value)}")
    n = int(value)
    if (low is not None and n < low) or (high is not None and n > high):
        if low is not None and high is not None:
            wanted = f"from {low} to {high}"
        else:
            wanted = f">= {low}" if low is not None else f"<= {high}"
        raise ValueError(f"{name} must be an int {wanted}, got {show(value)}")
    return n


def boolean(name: str, value: object) -> bool:
    """``value`` if it is ``True`` or ``False``, else ``TypeError``."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {got(value)}")
    return value


def ordered(name: str, value: object, wanted: str = "a list") -> list[Any]:
    """The items of an ordered collection (a list, a tuple, a NumPy array, an iterator...).

    Strings, bytes, mappings and sets are refused: their items are characters, keys, or in no
    particular order, which is never what was meant.
    """
    if isinstance(value, str | bytes | bytearray | Mapping | Set) or not isinstance(
            value, Iterable):
        raise TypeError(f"{name} must be {wanted}, got {got(value)}")
    return list(value)


def data(name: str, value: object) -> float:
    """A parameter's ``.data`` as a plain Python float (a NumPy ``float32`` or an int becomes
    one, NaN and infinity included), else ``TypeError`` naming the parameter.

    >>> import fractions
    >>> data("w.0", fractions.Fraction(1, 4))
    0.25
    """
    if type(value) is float:
        return value
    if not is_real(value):
        raise TypeError(f"{name}: data must be a real number, got {got(value)}")
    return as_float(value)


def parameter_count(what: str, count: int) -> int:
    """``count`` if a model of that many parameters may be built, else ``ValueError`` naming
    ``what`` (checked before anything is allocated, so a typo cannot exhaust the memory).

    >>> parameter_count("MLP(2, [4, 1])", 17)
    17
    """
    if count > MAX_PARAMETERS:
        raise ValueError(f"{what} would have {count:,} parameters; at most {MAX_PARAMETERS:,} "
                         f"are allowed")
    return count
