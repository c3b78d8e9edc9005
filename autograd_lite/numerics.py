"""IEEE-754 float functions that never raise.

Python's ``math`` module and float operators raise where IEEE-754 (and so NumPy and PyTorch)
return ``inf`` or ``nan``: ``1.0 / 0.0`` raises ``ZeroDivisionError``, ``math.log(0.0)`` and
``math.sqrt(-1.0)`` raise ``ValueError``, ``math.exp(1000.0)`` and ``10.0 ** 400`` raise
``OverflowError``, and ``(-8.0) ** (1 / 3)`` even returns a complex number. Every function here
takes and returns plain floats and follows IEEE-754 / C99 Annex F instead:

>>> div(1.0, 0.0), div(0.0, 0.0), log(0.0), log(-1.0), exp(1000.0)
(inf, nan, -inf, nan, inf)
>>> pow(-8.0, 1 / 3), pow(0.0, -1.0), pow(10.0, 400.0)
(nan, inf, inf)

These are the forward functions of the engine's op table, and the float side of its derivative
rules. Only the standard library is used.
"""

from __future__ import annotations

import math
import numbers

INF = math.inf
NAN = math.nan

__all__ = [
    "to_float", "div", "pow", "exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid",
    "relu", "sign", "is_finite", "maximum", "maximum_share", "logsumexp", "softplus", "select",
]


def to_float(x: object) -> float:
    """Convert a real number (``int``, ``float``, ``bool``, NumPy scalar, ...) to a float.

    An integer too large for a float becomes ``±inf`` (IEEE rounding), never ``OverflowError``.
    Anything that is not a real number raises ``TypeError`` naming its type.
    """
    if type(x) is float:
        return x
    if isinstance(x, int | float | numbers.Real) and not isinstance(x, complex):
        try:
            return float(x)
        except OverflowError:  # an int too large for a float
            return -INF if x < 0 else INF
    raise TypeError(
        f"expected a real number (int, float or bool), got {type(x).__name__}: {x!r}"
    )


def div(a: float, b: float) -> float:
    """``a / b`` with IEEE semantics: ``1/0 = inf``, ``-1/0 = -inf``, ``0/0 = nan``."""
    try:
        return a / b
    except ZeroDivisionError:
        if a != a or a == 0.0:  # nan / 0 and 0 / 0
            return NAN
        # the sign of a zero divisor counts: 1 / -0.0 = -inf
        return math.copysign(INF, a) * math.copysign(1.0, b)


def _is_odd_integer(y: float) -> bool:
    return math.isfinite(y) and y == math.floor(y) and math.fmod(y, 2.0) != 0.0


def pow(x: float, y: float) -> float:
    """``x ** y`` as C99 ``pow``: real results only, ``inf``/``nan`` instead of exceptions.

    ``pow(0, -1) = inf``, ``pow(-8, 1/3) = nan`` (a negative base with a non-integer exponent
    has no real value), ``pow(10, 400) = inf``. Small integer exponents use multiplication, as
    PyTorch does, so ``pow(x, 2)`` is exactly ``x * x``.
    """
    if y == 2.0:
        return x * x
    if y == 3.0:
        return x * x * x
    if y == -1.0:
        return div(1.0, x)
    if y == -2.0:
        return div(1.0, x * x)
    try:
        return math.pow(x, y)
    except ValueError:
        if x == 0.0:  # zero to a negative power: an infinity, signed for -0.0 ** odd
            return -INF if (math.copysign(1.0, x) < 0 and _is_odd_integer(y)) else INF
        return NAN  # negative base, non-integer exponent
    except OverflowError:
        return -INF if (x < 0 and _is_odd_integer(y)) else INF


def exp(x: float) -> float:
    """``e ** x``; ``exp(1000) = inf`` instead of ``OverflowError``."""
    try:
        return math.exp(x)
    except OverflowError:
        return INF


def log(x: float) -> float:
    """Natural logarithm: ``log(0) = -inf``, ``log(x < 0) = nan``."""
    if x > 0.0:
        return math.log(x)
    if x == 0.0:
        return -INF
    return NAN  # negative or nan


def sqrt(x: float) -> float:
    """Square root: ``sqrt(x < 0) = nan``; ``sqrt(-0.0) = -0.0`` as in IEEE-754."""
    if x < 0.0:
        return NAN
    return math.sqrt(x)


def sin(x: float) -> float:
    """Sine; ``sin(±inf) = nan``."""
    return math.sin(x) if math.isfinite(x) else NAN


def cos(x: float) -> float:
    """Cosine; ``cos(±inf) = nan``."""
    return math.cos(x) if math.isfinite(x) else NAN


tanh = math.tanh  # already total: tanh(±inf) = ±1, tanh(nan) = nan, never overflows


def sigmoid(x: float) -> float:
    """Logistic function ``1 / (1 + exp(-x))``, finite for every finite ``x``.

    NOTE: for very negative ``x`` ``exp(-x)`` overflows to ``inf`` and the result is ``0.0``,
    never ``nan``; this is the same formula PyTorch uses, so results agree bit for bit.
    """
    return 1.0 / (1.0 + exp(-x))


def relu(x: float) -> float:
    """``max(x, 0)``; ``relu(nan) = nan`` (NaN propagates, as in NumPy and PyTorch)."""
    return 0.0 if x <= 0.0 else x


def sign(x: float) -> float:
    """-1.0, 0.0 or 1.0 (and ``nan`` for ``nan``): the derivative of ``abs``, 0 at 0."""
    if x > 0.0:
        return 1.0
    if x < 0.0:
        return -1.0
    return x if x != x else 0.0


def maximum(a: float, b: float) -> float:
    """The larger of ``a`` and ``b``; ``nan`` if either is (as NumPy's ``maximum``)."""
    if a != a or b != b:
        return NAN
    return a if a >= b else b


def maximum_share(a: float, b: float) -> float:
    """d maximum(a, b) / d a: 1 where ``a > b``, 0 where ``a < b``, and at a tie 0.5 (the
    subgradient PyTorch and JAX take there, which splits the gradient between the two)."""
    if a > b:
        return 1.0
    if a < b:
        return 0.0
    return 0.5 if a == b else NAN


def logsumexp(*xs: float) -> float:
    """``log(exp(x0) + exp(x1) + ...)`` without overflow: the largest term is taken out first.

    >>> logsumexp(800.0, 0.0, 0.0), logsumexp(-math.inf, -math.inf)
    (800.0, -inf)
    """
    m = max(xs)
    if any(x != x for x in xs):
        return NAN
    if math.isinf(m):  # all -inf (the sum is 0), or one +inf
        return m
    total = 0.0
    for x in xs:  # left to right, as a chain of additions
        total += math.exp(x - m)
    return m + math.log(total)


def softplus(x: float) -> float:
    """``log(1 + exp(x))`` without overflow: ``max(x, 0) + log1p(exp(-|x|))``."""
    if x != x:
        return NAN
    return (x if x > 0.0 else 0.0) + math.log1p(math.exp(-abs(x)))


def select(index: float, *options: float) -> float:
    """``options[index]``; ``nan`` when ``index`` is not a whole number in range."""
    if 0 <= index < len(options) and index == math.floor(index):  # nan and inf fail first
        return options[int(index)]
    return NAN


def is_finite(x: float) -> bool:
    """True unless ``x`` is ``nan`` or ``±inf``."""
    return math.isfinite(x)
