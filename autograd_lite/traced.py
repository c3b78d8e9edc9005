"""The traced mode (``jit``): write scalar code for one example, run it on a batch as arrays.

``jit(fn, params=..., reduce="mean")`` returns a function that takes a batch: each positional
argument has one row per example. The first call traces ``fn`` on one example (the graph it
builds, see ``tracing``), compiles the graph into a few NumPy kernels (``compiled``) and runs
them on the whole batch; later calls with inputs of the same structure run the kernels alone.
The result equals the eager computation, example by example, to rounding.

>>> from autograd_lite import Value, jit
>>> w, b = Value(0.5), Value(0.0)
>>> step = jit(lambda x, y: (w * x + b - y) ** 2, params=[w, b])
>>> step([1.0, 2.0], [1.0, 1.0])       # the mean loss; its gradient is added into .grad
0.125
>>> w.grad, b.grad
(-0.5, -0.5)

What the traced mode does not do, each with a clear error: branch in Python on a traced
Value's data (``TraceError``: write it with a table op such as ``maximum``, ``select`` or
``relu``); differentiate inside the traced function (``backward``, ``gradients``, ``grad``:
``TraceError``); give gradients of the traced step itself (it returns a float, and adds float
gradients into ``.grad``); compute under ``no_grad()`` inside the function (``TraceError``;
``v.detach()`` works); give gradients to Values that are not in ``params`` (they are read at
every call, as constants).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from .engine import Value, value_of
from .functional import gradients
from .modes import STATE, TraceError

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from .compiled import Plan

__all__ = ["jit", "TracedFunction", "CheckReport", "TraceError"]

_REDUCTIONS = ("mean", "sum", None)
_data = operator.attrgetter("data")


def _numpy() -> Any:
    try:
        import numpy
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError('autograd_lite.jit needs NumPy: pip install "autograd-lite[fast]"'
                          ) from None
    return numpy


def jit(fn: Callable[..., Any], *, params: Sequence[Value], reduce: str | None = "mean"
        ) -> TracedFunction:
    """Trace ``fn`` (scalar code for ONE example) and run it on batches as NumPy kernels.

    ``fn`` takes one argument per batched input: a Value where a batch holds a number per
    example, a list of Values where it holds a row. ``params`` are the leaf Values ``fn``
    closes over (a model's ``parameters()``); every call reads their current ``.data``.
    ``reduce`` is ``"mean"`` or ``"sum"`` (``fn`` returns one Value per example; a call
    returns the reduced loss as a float and *adds* its gradient into each parameter's
    ``.grad``, exactly as ``loss.backward()`` would) or ``None`` (a call returns the
    per-example outputs as an array, ``(B,)`` or ``(B, k)`` for a list of k outputs, and no
    gradients). See ``TracedFunction`` for ``explain()`` and ``check()``.
    """
    return TracedFunction(fn, params, reduce)


class CheckReport(NamedTuple):
    """What ``TracedFunction.check`` compared: the largest relative difference of the
    results (the loss, or the outputs) and of the gradients, between traced and eager."""

    result_error: float
    gradient_error: float
    tolerance: float

    @property
    def ok(self) -> bool:
        """True when both differences are within the tolerance."""
        return max(self.result_error, self.gradient_error) <= self.tolerance

    def __str__(self) -> str:
        verdict = "agree" if self.ok else "DISAGREE"
        return (f"traced and eager {verdict}: results differ by {self.result_error:.2g}, "
                f"gradients by {self.gradient_error:.2g} (relative, tolerance "
                f"{self.tolerance:g})")


class TracedFunction:
    """A function traced by ``jit``: call it on batches; ``explain()`` shows what the trace
    became, ``check(*batch)`` compares it with the eager computation. Traces are cached by
    the structure of the inputs (how many numbers each example has per argument): a batch of
    another structure is traced anew."""

    def __init__(self, fn: Callable[..., Any], params: Sequence[Value],
                 reduce: str | None) -> None:
        if not callable(fn):
            raise TypeError(f"jit: fn must be callable, got {type(fn).__name__}")
        if reduce not in _REDUCTIONS:
            raise ValueError(f"jit: reduce must be 'mean', 'sum' or None, got {reduce!r}")
        if isinstance(params, Value):
            raise TypeError("jit: params must be a list of Values (a model's parameters())")
        self.params = list(params)
        seen: set[int] = set()
        for i, p in enumerate(self.params):
            if type(p) is not Value:
                raise TypeError(f"jit: params[{i}] must be a Value, got {type(p).__name__}")
            if p._op:
                raise TypeError(f"jit: params[{i}] is the result of an op ({p._op!r}); params "
                                "are leaf Values, such as a model's parameters()")
            if id(p) in seen:
                raise ValueError(f"jit: params[{i}] is listed twice")
            seen.add(id(p))
        _numpy()  # fail now, saying how to install it, rather than at the first call
        self.fn = fn
        self.reduce = reduce
        self.plans: dict[tuple[int | None, ...], Plan] = {}
        self.__name__ = getattr(fn, "__name__", "traced")
        self.__doc__ = getattr(fn, "__doc__", None)

    # calling --------------------------------------------------------------------------------
    def _batch(self, args: Sequence[Any]) -> tuple[list[np.ndarray], tuple[int | None, ...]]:
        np = _numpy()
        if not args:
            raise TypeError("a traced function takes at least one batched argument")
        arrays, structure, batch = [], [], None
        for i, arg in enumerate(args):
            try:
                array = np.asarray(arg)
                if array.dtype == object and any(type(v) is Value for v in array.flat):
                    # NumPy would take their numbers: gradients would stop here, silently
                    raise TypeError(f"argument {i} holds Values: a batch is numbers (a "
                                    "traced step gives no gradient to its inputs; use "
                                    "v.data for the number)")
                array = array.astype(np.float64, copy=False)
            except (TypeError, ValueError) as error:
                if "holds Values" in str(error):
                    raise
                raise TypeError(f"argument {i} must be numbers, one row per example (an "
                                f"array or a list of lists): {error}") from None
            if array.ndim not in (1, 2):
                raise TypeError(f"argument {i} must have one number or one row of numbers per "
                                f"example (1 or 2 dimensions), got shape {array.shape}")
            if batch is None:
                batch = array.shape[0]
            elif array.shape[0] != batch:
                raise ValueError(f"argument {i} has {array.shape[0]} examples, argument 0 has "
                                 f"{batch}")
            arrays.append(array if array.ndim == 2 else array[:, None])
            structure.append(None if array.ndim == 1 else array.shape[1])
        if not batch:
            raise ValueError("the batch is empty")
        return arrays, tuple(structure)

    def plan_for(self, *args: Any) -> Plan:
        """The compiled plan for a batch of this structure, tracing ``fn`` if needed."""
        return self._plan(*self._batch(args))

    def _plan(self, arrays: list[np.ndarray], structure: tuple[int | None, ...]) -> Plan:
        plan = self.plans.get(structure)
        if plan is None:
            from .compiled import Plan
            from .tracing import trace

            example = [float(a[0, 0]) if width is None else a[0].tolist()
                       for a, width in zip(arrays, structure, strict=True)]
            graph = trace(self.fn, example, self.params,
                          outputs="any" if self.reduce is None else "scalar")
            plan = self.plans[structure] = Plan(graph)
        return plan

    def __call__(self, *args: Any) -> Any:
        if STATE.get().trace is not None:
            raise TraceError("a traced function cannot be called inside another trace: call "
                             "the function itself there")
        np = _numpy()
        arrays, structure = self._batch(args)
        plan = self._plan(arrays, structure)
        params, captured = self._leaves(plan)
        with np.errstate(all="ignore"):  # IEEE results, as the eager ops give
            if self.reduce is None:
                outputs, _ = plan.run(arrays, params, captured, None)
                return outputs[:, 0] if plan.graph.output_size is None else outputs
            batch = arrays[0].shape[0]
            seed = np.full((batch, 1), 1.0 / batch if self.reduce == "mean" else 1.0) \
                if self.params else None
            outputs, grads = plan.run(arrays, params, captured, seed)
            column = outputs[:, 0]
            loss = float(column.mean() if self.reduce == "mean" else column.sum())
        for p, g in zip(self.params, grads.tolist() if grads is not None else (), strict=True):
            try:
                p.grad += g
            except TypeError:  # None (as zero_grad(set_to_none) leaves it), say
                p.grad = _added(p.grad, g)
        return loss

    def _leaves(self, plan: Plan) -> tuple[Any, Any]:
        """The current data of the parameters and of the captured leaves, as arrays."""
        np = _numpy()
        params = np.fromiter(map(_data, self.params), float, len(self.params))
        captured = np.fromiter(map(_data, plan.graph.captured), float) \
            if plan.graph.captured else None
        return params, captured

    # inspecting -----------------------------------------------------------------------------
    def explain(self) -> str:
        """What each trace became: its kernels, the ops each one covers and how many traced
        nodes it replaces, and the memory the plan holds."""
        if not self.plans:
            return f"{self.__name__}: not traced yet (call it on a batch)"
        lines = []
        for structure, plan in self.plans.items():
            shapes = " and ".join("one number" if w is None else f"{w} numbers"
                                  for w in structure)
            lines.append(f"{self.__name__} on examples of {shapes}: {plan.op_count} "
                         f"traced op nodes in {len(plan.kernels)} kernels "
                         f"({plan.memory() / 1024:.1f} KiB of indices and constants)")
            for k, kernel in enumerate(plan.kernels):
                lines.append(f"  {k:>3}. {kernel.describe()}")
        return "\n".join(lines)

    def memory(self) -> int:
        """Bytes the plans hold (their index and constant arrays); a call also holds its
        batch's values and gradients while it runs."""
        return sum(plan.memory() for plan in self.plans.values())

    def check(self, *args: Any, tolerance: float = 1e-12) -> CheckReport:
        """Run ``fn`` eagerly on the same batch (a Value graph per example, reduced, then
        differentiated) and compare with the traced result and gradients. ``.grad`` is not
        touched. Returns a ``CheckReport``; raises ``TraceError`` with it when they disagree
        by more than ``tolerance`` (relative to the largest value compared)."""
        np = _numpy()
        arrays, structure = self._batch(args)
        plan = self._plan(arrays, structure)
        params, captured = self._leaves(plan)
        batch = arrays[0].shape[0]
        seed = np.full((batch, 1), 1.0 / batch if self.reduce == "mean" else 1.0) \
            if self.reduce and self.params else None
        with np.errstate(all="ignore"):
            traced, traced_grads = plan.run(arrays, params, captured, seed)
        outputs = []
        for b in range(batch):
            example = [Value(float(a[b, 0])) if w is None else [Value(v) for v in a[b].tolist()]
                       for a, w in zip(arrays, structure, strict=True)]
            result = self.fn(*example)
            outputs.append(list(result) if isinstance(result, list | tuple) else [result])
        eager = np.array([[value_of(o) for o in row] for row in outputs])
        if self.reduce is None:
            report = CheckReport(_relative(traced, eager), 0.0, tolerance)
        else:
            # each example's loss and gradients, so that a sum that cancels is measured
            # against the size of its terms, not against what is left of them
            weight = 1.0 / batch if self.reduce == "mean" else 1.0
            losses = eager[:, 0]
            zero = np.zeros(len(self.params))
            per_example = np.array([gradients(row[0], self.params)
                                    if type(row[0]) is Value and row[0]._op else zero
                                    for row in outputs]).reshape(batch, len(self.params))
            loss = traced[:, 0].mean() if self.reduce == "mean" else traced[:, 0].sum()
            report = CheckReport(
                _relative([loss], [weight * losses.sum()], weight * np.abs(losses).sum()),
                0.0 if traced_grads is None else _relative(
                    traced_grads, weight * per_example.sum(axis=0),
                    weight * np.abs(per_example).sum(axis=0).max(initial=0.0)),
                tolerance)
        if not report.ok:
            raise TraceError(f"{self.__name__}: {report}")
        return report

    def __repr__(self) -> str:
        return (f"<traced {self.__name__}: {len(self.params)} params, reduce={self.reduce!r}, "
                f"{len(self.plans)} trace(s)>")


def _added(old: Any, g: float) -> float:
    return g if old is None else value_of(old) + g


def _relative(a: Any, b: Any, scale: float = 0.0) -> float:
    """The largest difference between two arrays, relative to the largest magnitude in ``b``
    or ``scale`` (the size of the terms ``b`` adds up); NaN and infinities must agree."""
    np = _numpy()
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    same = (a == b) | (np.isnan(a) & np.isnan(b))
    if same.all():
        return 0.0
    finite = np.isfinite(a) & np.isfinite(b)
    if not finite[~same].all():
        return float("inf")
    scale = max(float(np.max(np.abs(b[finite]))) if finite.any() else 0.0, scale)
    return float(np.max(np.abs(a - b)[finite]) / scale) if scale > 0 else float("inf")
