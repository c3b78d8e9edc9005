"""Tools to test gradients: finite-difference checks and hypothesis strategies.

``gradcheck`` compares the engine's gradients of a scalar function with central finite
differences; ``gradgradcheck`` does the same for second derivatives. The strategies generate
random expressions built from the engine's op table (with shared sub-expressions) and inputs for
them, for property tests of your own gradient code. They need ``hypothesis``
(``pip install "autograd-lite[test]"``), which is imported only when a strategy is used.

A property test you can copy::

    from hypothesis import assume, given
    from autograd_lite.testing import expressions_with_inputs, gradcheck

    @given(expressions_with_inputs(n_inputs=2))
    def test_gradients_match_finite_differences(case):
        expression, xs = case
        assume(expression.is_smooth_at(xs))      # finite, away from kinks and huge values
        gradcheck(expression, xs)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .engine import OPS, Op, Value, apply_op, format_op
from .functional import gradients
from .modes import enable_grad, no_grad

if TYPE_CHECKING:  # pragma: no cover
    from hypothesis.strategies import SearchStrategy

__all__ = [
    "GradcheckError", "gradcheck", "gradgradcheck", "numerical_gradient",
    "Expression", "BOUND", "safe_floats", "expressions", "expressions_with_inputs",
]


class GradcheckError(AssertionError):
    """The engine's derivatives disagree with finite differences."""


# ---------------------------------------------------------------------------------------------
# Finite differences
# ---------------------------------------------------------------------------------------------

def _as_floats(who: str, inputs: Sequence[float | Value], eps: float, **tolerances: float
               ) -> list[float]:
    """The inputs as floats, after checking them and the settings: finite differences need
    finite inputs, a step ``eps > 0`` and tolerances >= 0, or they check nothing."""
    for name, value in (("eps", eps), *tolerances.items()):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"{who}: {name} must be a number, got {type(value).__name__}")
        if not math.isfinite(value) or value < 0 or (name == "eps" and value == 0):
            wanted = "a finite number > 0" if name == "eps" else "a finite number >= 0"
            raise ValueError(f"{who}: {name} must be {wanted}, got {value!r}")
    if isinstance(inputs, Value | int | float):
        inputs = [inputs]
    values = []
    for i, x in enumerate(inputs):
        v = x.data if isinstance(x, Value) else x
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise TypeError(f"{who}: inputs[{i}] must be a number or a Value, "
                            f"got {type(x).__name__}")
        if not math.isfinite(v):
            raise ValueError(f"{who}: inputs[{i}] is {v!r}; finite differences need finite "
                             "inputs")
        values.append(float(v))
    if not values:
        raise ValueError(f"{who}: no inputs to check")
    return values


def _evaluate(f: Callable[..., Any], xs: Sequence[float]) -> float:
    with no_grad():
        out = f(*[Value(x) for x in xs])
    return out.data if isinstance(out, Value) else float(out)


def numerical_gradient(f: Callable[..., Any], inputs: Sequence[float],
                       eps: float = 1e-6) -> list[float]:
    """Central finite differences ``(f(x + eps) - f(x - eps)) / (2 eps)`` along each input.

    >>> [round(g, 6) for g in numerical_gradient(lambda x, y: x * y, [3.0, 4.0])]
    [4.0, 3.0]
    """
    xs = _as_floats("numerical_gradient", inputs, eps)
    grads = []
    for i in range(len(xs)):
        up, down = list(xs), list(xs)
        up[i] += eps
        down[i] -= eps
        grads.append((_evaluate(f, up) - _evaluate(f, down)) / (2 * eps))
    return grads


def _analytic_gradient(f: Callable[..., Any], xs: Sequence[float]) -> list[float]:
    values = [Value(x) for x in xs]
    with enable_grad():  # a check records f whatever the mode around it
        out = f(*values)
    if not isinstance(out, Value):
        return [0.0] * len(xs)
    return gradients(out, values)


def _name(f: Callable[..., Any]) -> str:
    return getattr(f, "__name__", type(f).__name__)


def _close(analytic: float, numeric: float, atol: float, rtol: float) -> bool:
    if math.isnan(analytic) or math.isnan(numeric):
        return math.isnan(analytic) and math.isnan(numeric)
    if math.isinf(analytic) or math.isinf(numeric):
        return analytic == numeric
    return abs(analytic - numeric) <= atol + rtol * abs(numeric)


def _report(title: str, rows: list[tuple[str, float, float, float]], atol: float,
            rtol: float) -> str:
    lines = [title, f"  tolerance: |analytic - numeric| <= {atol:g} + {rtol:g} * |numeric|",
             f"  {'where':<24} {'input':>14} {'analytic':>16} {'numeric':>16} {'error':>10}"]
    for where, x, a, n in rows:
        lines.append(f"  {where:<24} {x:>14.6g} {a:>16.9g} {n:>16.9g} {abs(a - n):>10.3g}")
    return "\n".join(lines)


def gradcheck(f: Callable[..., Any], inputs: Sequence[float | Value], *, eps: float = 1e-6,
              atol: float = 1e-5, rtol: float = 1e-3, raise_exception: bool = True) -> bool:
    """Check the engine's gradient of a scalar function against central finite differences.

    ``f`` takes one Value per input and returns a Value. Returns True when every partial
    derivative agrees within ``atol + rtol * |numeric|``; otherwise raises ``GradcheckError``
    with a table of the inputs that disagree (or returns False with ``raise_exception=False``).

    >>> gradcheck(lambda x, y: (x * y).tanh() + x.exp(), [0.3, -1.2])
    True
    """
    xs = _as_floats("gradcheck", inputs, eps, atol=atol, rtol=rtol)
    analytic = _analytic_gradient(f, xs)
    numeric = numerical_gradient(f, xs, eps)
    bad = [(f"input {i}", xs[i], a, n)
           for i, (a, n) in enumerate(zip(analytic, numeric, strict=True))
           if not _close(a, n, atol, rtol)]
    if bad:
        if raise_exception:
            raise GradcheckError(_report(
                f"gradcheck failed for {_name(f)} at {xs}: "
                f"{len(bad)} of {len(xs)} partial derivative(s) disagree", bad, atol, rtol))
        return False
    return True


def gradgradcheck(f: Callable[..., Any], inputs: Sequence[float | Value], *,
                  eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                  raise_exception: bool = True) -> bool:
    """Check second derivatives: the engine's Hessian (``create_graph=True``, then backward
    again) against central finite differences of its first derivatives.

    >>> gradgradcheck(lambda x, y: x * x * y + y.sin(), [0.5, 2.0])
    True
    """
    xs = _as_floats("gradgradcheck", inputs, eps, atol=atol, rtol=rtol)
    values = [Value(x) for x in xs]
    with enable_grad():
        out = f(*values)
    first = gradients(out, values, create_graph=True) if isinstance(out, Value) else []
    bad = []
    for i in range(len(xs)):
        analytic = gradients(first[i], values) if first else [0.0] * len(xs)
        for j in range(len(xs)):
            up, down = list(xs), list(xs)
            up[j] += eps
            down[j] -= eps
            numeric = (_analytic_gradient(f, up)[i] - _analytic_gradient(f, down)[i]) / (2 * eps)
            if not _close(analytic[j], numeric, atol, rtol):
                bad.append((f"d2f / dx{i} dx{j}", xs[j], analytic[j], numeric))
    if bad:
        if raise_exception:
            raise GradcheckError(_report(
                f"gradgradcheck failed for {_name(f)} at {xs}: "
                f"{len(bad)} second derivative(s) disagree", bad, atol, rtol))
        return False
    return True


# ---------------------------------------------------------------------------------------------
# Random expressions
# ---------------------------------------------------------------------------------------------

_CONSTANTS = (0.5, 2.0, -1.5, 3.0, 0.25)


def _op_names(ops: Sequence[str] | None) -> tuple[str, ...]:
    """The ops to draw from: ``ops`` checked against the table, or all of it."""
    if ops is None:
        return tuple(OPS)
    unknown = [op for op in ops if op not in OPS]
    if unknown or not ops:
        raise ValueError(f"unknown op(s) {unknown}; choose from {list(OPS)}")
    return tuple(ops)


@dataclass(frozen=True)
class Step:
    """One instruction: ``op`` applied to earlier results; an ``int`` operand refers to slot
    ``i`` (inputs first, then each step's result), a ``float`` operand is a constant."""

    op: str
    operands: tuple[int | float, ...]


@dataclass(frozen=True)
class Expression:
    """A random expression as a straight-line program over ``n_inputs`` inputs.

    Call it like a function: with Values it builds a graph and returns a Value you can
    ``backward()``; with floats it returns a float. A slot used by several steps is a shared
    sub-expression (the same node used twice). ``str(expression)`` shows the program.

    >>> e = Expression(2, (Step("*", (0, 1)), Step("tanh", (2,)), Step("+", (3, 3))))
    >>> print(e)
    f(x0, x1):
      v2 = x0 * x1
      v3 = tanh(v2)
      v4 = v3 + v3
      return v4
    >>> round(e(0.5, 1.0), 6)
    0.924234
    """

    n_inputs: int
    steps: tuple[Step, ...]

    def _run(self, args: Sequence[Any], on_step: Callable[[Step, list[Any]], None] | None = None
             ) -> Any:
        if len(args) != self.n_inputs:
            raise TypeError(f"expression takes {self.n_inputs} inputs, got {len(args)}")
        slots = list(args)
        floats = not any(isinstance(a, Value) for a in args)
        for step in self.steps:
            operands = [slots[o] if isinstance(o, int) else o for o in step.operands]
            if on_step is not None:
                on_step(step, operands)
            if floats:
                slots.append(OPS[step.op].forward(*[float(x) for x in operands]))
            else:
                slots.append(apply_op(step.op, operands))
        return slots[-1]

    def __call__(self, *args: Any) -> Any:
        return self._run(args)

    def kink_distance(self, xs: Sequence[float]) -> float:
        """How close any op comes to a kink of its derivative (``abs`` and ``relu`` at 0, as
        each row of the op table says), or ``inf`` when no op has one."""
        distance = math.inf

        def watch(step: Step, operands: list[Any]) -> None:
            nonlocal distance
            kink = OPS[step.op].kink
            if kink is not None:
                distance = min(distance, abs(kink(*map(float, operands))))

        self._run([float(x) for x in xs], watch)
        return distance

    def is_smooth_at(self, xs: Sequence[float], margin: float = 1e-3,
                     limit: float = 1e6) -> bool:
        """True where finite differences can be trusted: every intermediate value is finite
        and at most ``limit`` in size, no kink is within ``margin``, and every operand that
        the op table says must be positive (``log``, ``sqrt``, a divisor, a base) is at least
        ``margin``."""
        ok = True

        def smooth(op: Op, floats: list[float]) -> bool:
            if not all(math.isfinite(x) and abs(x) <= limit for x in floats):
                return False
            if op.kink is not None and abs(op.kink(*floats)) < margin:
                return False
            return all(floats[i] >= margin for i in op.positive)

        def watch(step: Step, operands: list[Any]) -> None:
            nonlocal ok
            ok = ok and smooth(OPS[step.op], [float(x) for x in operands])

        out = self._run([float(x) for x in xs], watch)
        return ok and math.isfinite(out) and abs(out) <= limit

    def __str__(self) -> str:
        names = [f"x{i}" for i in range(self.n_inputs)]
        lines = [f"f({', '.join(names)}):"]
        for k, step in enumerate(self.steps):
            args = [names[o] if isinstance(o, int) else repr(o) for o in step.operands]
            text = format_op(step.op, args)
            name = f"v{self.n_inputs + k}"
            names.append(name)
            lines.append(f"  {name} = {text}")
        lines.append(f"  return {names[-1]}")
        return "\n".join(lines)


def _require_hypothesis() -> None:
    """Say how to install hypothesis, which the strategies need, when it is missing."""
    try:
        import hypothesis  # noqa: F401
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError(
            "the strategies in autograd_lite.testing need hypothesis: "
            'pip install "autograd-lite[test]"'
        ) from error


def safe_floats(min_value: float = -2.0, max_value: float = 2.0) -> SearchStrategy[float]:
    """Finite floats in ``[min_value, max_value]``, where every op stays well inside float range.
    """
    _require_hypothesis()
    from hypothesis import strategies as st

    return st.floats(min_value=min_value, max_value=max_value, allow_nan=False,
                     allow_infinity=False)


#: Every value a domain-safe expression computes is at most this large in size.
BOUND = 1e6

Interval = tuple[float, float]


def _exp(x: float) -> float:
    return math.exp(min(x, 700.0))


def _hull(*xs: float) -> Interval:
    return (min(xs), max(xs))


def _product(a: Interval, b: Interval) -> Interval:
    return _hull(a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1])


def _monotone(f: Callable[[float], float]) -> Callable[[list[Interval]], Interval]:
    return lambda ivs: (f(ivs[0][0]), f(ivs[0][1]))


def _softplus(x: float) -> float:
    return max(x, 0.0) + math.log1p(_exp(-abs(x)))


def _abs(a: Interval) -> Interval:
    lo, hi = a
    return (0.0 if lo <= 0.0 <= hi else min(abs(lo), abs(hi)), max(abs(lo), abs(hi)))


# The range of each built-in op's result over operand ranges (positive operands are >= 0.25 and
# bounded, so log, sqrt, division and powers are exact to the corners). Ops added with
# define_op are not here: their result's range is unknown.
_RANGES: dict[str, Callable[[list[Interval]], Interval]] = {
    "+": lambda ivs: (ivs[0][0] + ivs[1][0], ivs[0][1] + ivs[1][1]),
    "-": lambda ivs: (ivs[0][0] - ivs[1][1], ivs[0][1] - ivs[1][0]),
    "*": lambda ivs: _product(ivs[0], ivs[1]),
    "/": lambda ivs: _product(ivs[0], (1.0 / ivs[1][1], 1.0 / ivs[1][0])),
    "**": lambda ivs: (lambda e: (_exp(e[0]), _exp(e[1])))(
        _product((math.log(ivs[0][0]), math.log(ivs[0][1])), ivs[1])),
    "neg": lambda ivs: (-ivs[0][1], -ivs[0][0]),
    "abs": lambda ivs: _abs(ivs[0]),
    "exp": _monotone(_exp),
    "log": _monotone(math.log),
    "tanh": _monotone(math.tanh),
    "sigmoid": lambda ivs: (0.0, 1.0),
    "relu": lambda ivs: (max(ivs[0][0], 0.0), max(ivs[0][1], 0.0)),
    "sin": lambda ivs: (-1.0, 1.0),
    "cos": lambda ivs: (-1.0, 1.0),
    "sqrt": _monotone(math.sqrt),
    "sum": lambda ivs: (sum(i[0] for i in ivs), sum(i[1] for i in ivs)),
    "maximum": lambda ivs: (max(i[0] for i in ivs), max(i[1] for i in ivs)),
    "logsumexp": lambda ivs: (max(i[0] for i in ivs),
                              max(i[1] for i in ivs) + math.log(len(ivs))),
    "softplus": _monotone(_softplus),
    "select": lambda ivs: _hull(*(x for i in ivs[1:] for x in i)),
}
# the rows the ranges above describe: an op of the same name redefined later is not trusted
_BUILT_IN = {name: OPS[name] for name in _RANGES if name in OPS}


def _result_range(op: Op, ivs: list[Interval]) -> Interval:
    if _BUILT_IN.get(op.name) is not op:
        return (-math.inf, math.inf)
    return _RANGES[op.name](ivs)


def _size(iv: Interval) -> float:
    return max(abs(iv[0]), abs(iv[1]))


def expressions(n_inputs: int = 2, max_steps: int = 8, ops: Sequence[str] | None = None,
                domain_safe: bool = True, min_value: float = -2.0, max_value: float = 2.0
                ) -> SearchStrategy[Expression]:
    """Random expressions over ``n_inputs`` inputs, built from ``ops`` (names in the op table;
    by default every op in it when the strategy is made, ops added with ``define_op``
    included).

    Operands are drawn from the inputs and *all* earlier results, so shared sub-expressions
    (one node used by several ops, even twice by one op) are common; numbers appear as
    constants on either side.

    With ``domain_safe``, for every input in ``[min_value, max_value]`` (``[-2, 2]`` unless
    said otherwise) every value the expression computes is real, finite and at most
    ``BOUND`` (1e6) in size, by construction: the strategy tracks the range of each
    sub-expression as it builds it. An operand that the op table says must be positive (the
    argument of ``log`` and ``sqrt``, a divisor, a base) is first made so (``u * u + c``,
    ``c`` = 0.5 or 1); when an op's result could leave the bound, its operands are first scaled
    by a power of two into ``[-1, 1]``. An op added with ``define_op`` gets operands in
    ``[-1, 1]`` (positive ones in ``[0.5, 2]``) and is assumed real there; the size of its
    result is unknown, so later ops see it through ``tanh``.
    Gradients are not bounded by this (a long chain of products can still overflow).
    """
    _require_hypothesis()
    from hypothesis import strategies as st

    names = _op_names(ops)
    if n_inputs < 1 or max_steps < 1:
        raise ValueError("expressions need at least one input and one step")
    if not (math.isfinite(min_value) and math.isfinite(max_value) and min_value <= max_value
            and max(abs(min_value), abs(max_value)) <= BOUND):
        raise ValueError(f"the input range [{min_value!r}, {max_value!r}] must be finite, "
                         f"ordered and within +-{BOUND:g}")
    constants = st.sampled_from(_CONSTANTS)

    @st.composite
    def build(draw: st.DrawFn) -> Expression:
        steps: list[Step] = []
        ranges: list[Interval] = [(min_value, max_value)] * n_inputs

        def emit(step: Step, iv: Interval) -> int:
            steps.append(step)
            ranges.append(iv)
            return n_inputs + len(steps) - 1

        def slot() -> int:
            return draw(st.integers(0, n_inputs + len(steps) - 1))

        def range_of(o: int | float) -> Interval:
            return (o, o) if isinstance(o, float) else ranges[o]

        def bounded(o: int | float) -> int | float:  # an unknown size goes through tanh
            if isinstance(o, int) and not _size(ranges[o]) <= BOUND:
                return emit(Step("tanh", (o,)), (-1.0, 1.0))
            return o

        def small(o: int | float) -> int | float:  # scaled by a power of two into [-1, 1]
            size = _size(range_of(o))
            if isinstance(o, float) or size <= 1.0:
                return o
            scale = 2.0 ** -math.ceil(math.log2(size))
            lo, hi = ranges[o]
            return emit(Step("*", (o, scale)), (lo * scale, hi * scale))

        def positive(o: int | float, c: float) -> int | float:  # u -> u * u + c, > 0 for all u
            if isinstance(o, float):
                return abs(o) if o != 0.0 else c
            if _size(ranges[o]) ** 2 + c > BOUND / 2:
                o = small(o)
            square = _product(range_of(o), range_of(o))
            sq = emit(Step("*", (o, o)), (max(square[0], 0.0), square[1]))
            return emit(Step("+", (sq, c)), (ranges[sq][0] + c, ranges[sq][1] + c))

        for _ in range(draw(st.integers(1, max_steps))):
            op = OPS[draw(st.sampled_from(names))]
            arity = op.arity if op.arity is not None else draw(st.integers(2, 4))
            # a constant now and then, on any side, but at least one operand from the slots
            operands: list[int | float] = [
                draw(constants) if arity > 1 and draw(st.integers(0, 3)) == 0 else slot()
                for _ in range(arity)]
            if all(isinstance(o, float) for o in operands):
                operands[draw(st.integers(0, arity - 1))] = slot()
            if op.selector is not None:  # picks one of the other operands by number
                operands[op.selector] = float(draw(st.integers(0, arity - 2)))
            if not domain_safe:
                steps.append(Step(op.name, tuple(operands)))
                ranges.append((-math.inf, math.inf))
                continue
            cs = [draw(st.sampled_from([0.5, 1.0])) for _ in operands]
            known = _BUILT_IN.get(op.name) is op

            def ready(o: int | float, i: int, shrink: bool, op: Op = op,
                      cs: list[float] = cs) -> tuple[int | float, Interval]:
                if i == op.selector:
                    return o, range_of(o)
                o = bounded(o)
                if shrink:
                    o = small(o)
                if i in op.positive:
                    o = positive(o, cs[i])
                return o, range_of(o)

            # first as drawn; if the result could leave the bound, again with small operands
            # (steps made for the first try are dropped with it)
            mark = len(steps)
            tried = [ready(o, i, not known) for i, o in enumerate(operands)]
            result = _result_range(op, [iv for _, iv in tried])
            # half the bound: rounding can never carry a computed value past it
            if known and not _size(result) <= BOUND / 2:
                del steps[mark:], ranges[n_inputs + mark:]
                tried = [ready(o, i, True) for i, o in enumerate(operands)]
                result = _result_range(op, [iv for _, iv in tried])
            emit(Step(op.name, tuple(o for o, _ in tried)), result)
        return Expression(n_inputs, tuple(steps))

    return build()


def expressions_with_inputs(n_inputs: int = 2, max_steps: int = 8,
                            ops: Sequence[str] | None = None, domain_safe: bool = True,
                            min_value: float = -2.0, max_value: float = 2.0
                            ) -> SearchStrategy[tuple[Expression, list[float]]]:
    """Pairs ``(expression, inputs)``: a random expression and a list of ``n_inputs`` floats
    in ``[min_value, max_value]``, the range the expression's ``domain_safe`` promise covers."""
    _require_hypothesis()
    from hypothesis import strategies as st

    return st.tuples(
        expressions(n_inputs, max_steps, ops, domain_safe, min_value, max_value),
        st.lists(safe_floats(min_value, max_value), min_size=n_inputs, max_size=n_inputs),
    )
