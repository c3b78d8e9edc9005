"""``jit`` and the traced function it returns: batches in, the compiled program run on them.

A call checks the batch as eager code checks a list (numbers only: ``None``, strings, complex
numbers and dates are refused, naming the argument), finds the compiled program for the
batch's structure (tracing and compiling it the first time, or again when an op it used was
redefined), runs it, and adds the gradients into ``.grad``.
"""

from __future__ import annotations

import gc
import math
import numbers
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from ..engine import Value
from ..functional import gradients
from ..modes import STATE, TraceError
from ..numerics import to_float

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from .compiler import Compiled

__all__ = ["jit", "TracedFunction", "CheckReport"]

_REDUCTIONS = ("mean", "sum", None)


def _numpy() -> Any:
    try:
        import numpy
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError('autograd_lite.jit needs NumPy: pip install "autograd-lite[fast]"'
                          ) from None
    return numpy


def jit(fn: Callable[..., Any], *, params: Sequence[Value], reduce: str | None = "mean"
        ) -> TracedFunction:
    """Trace ``fn`` (scalar code for ONE example) and run it on batches as NumPy arrays.

    ``fn`` takes one argument per batched input: a Value where a batch holds a number per
    example, a list of Values where it holds a row. ``params`` are the leaf Values ``fn``
    closes over (a model's ``parameters()``); every call reads their current ``.data``.
    ``reduce`` is ``"mean"`` or ``"sum"`` (``fn`` returns one Value per example; a call
    returns the reduced loss as a float and *adds* its gradient into each parameter's
    ``.grad``, exactly as ``loss.backward()`` would) or ``None`` (a call returns the
    per-example outputs as an array, ``(B,)`` or ``(B, k)`` for a list of k outputs, and no
    gradients). See ``TracedFunction`` for ``graph``, ``stages()``, ``explain()`` and
    ``check()``.

    >>> from autograd_lite import Value, jit
    >>> w, b = Value(0.5), Value(0.0)
    >>> step = jit(lambda x, y: (w * x + b - y) ** 2, params=[w, b])
    >>> step([1.0, 2.0], [1.0, 1.0])       # the mean loss; its gradient is added into .grad
    0.125
    >>> w.grad, b.grad
    (-0.5, -0.5)
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
    """A function traced by ``jit``: call it on batches.

    ``graph`` is the compiled program of the last structure called (``print(step.graph)``
    lists its array instructions), ``graphs`` those of every structure; ``stages(*batch)``
    gives the IR before and after each compiler pass; ``explain()`` summarises what the trace
    became; ``check(*batch)`` compares with the eager computation. Programs are cached by the
    structure of the inputs (how many numbers each example has per argument): a batch of
    another structure is traced anew, and so is one whose ops were redefined since."""

    def __init__(self, fn: Callable[..., Any], params: Sequence[Value],
                 reduce: str | None) -> None:
        if not callable(fn):
            raise TypeError(f"jit: fn must be callable, got {type(fn).__name__}")
        if reduce not in _REDUCTIONS:
            raise ValueError(f"jit: reduce must be 'mean', 'sum' or None, got {reduce!r}")
        if isinstance(params, Value | str | bytes) or not isinstance(params, Iterable):
            raise TypeError("jit: params must be a list of Values (a model's parameters()), "
                            f"got {type(params).__name__}")
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
        self.graphs: dict[tuple[int | None, ...], Compiled] = {}
        self._last: Compiled | None = None
        self.__name__ = getattr(fn, "__name__", "traced")
        self.__doc__ = getattr(fn, "__doc__", None)

    # calling --------------------------------------------------------------------------------
    def _batch(self, args: Sequence[Any]) -> tuple[list[np.ndarray], tuple[int | None, ...]]:
        if not args:
            raise TypeError("a traced function takes at least one batched argument")
        arrays, structure, batch = [], [], None
        for i, arg in enumerate(args):
            array = _numbers(arg, i)
            if batch is None:
                batch = array.shape[0]
            elif array.shape[0] != batch:
                raise ValueError(f"argument {i} has {array.shape[0]} examples, argument 0 has "
                                 f"{batch}")
            arrays.append(array if array.ndim == 2 else array[:, None])
            structure.append(None if array.ndim == 1 else array.shape[1])
        return arrays, tuple(structure)

    def _compiled(self, structure: tuple[int | None, ...]) -> Compiled:
        compiled = self.graphs.get(structure)
        if compiled is None or not compiled.is_current():
            from .compiler import compile_trace
            from .trace import trace

            # The trace and the compiler make hundreds of thousands of objects and free none
            # of them until the end: the cyclic collector would scan them again and again
            # (quadratic time on big traces) to find nothing to collect.
            collecting = gc.isenabled()
            gc.disable()
            try:
                traced = trace(self.fn, structure, self.params,
                               outputs="any" if self.reduce is None else "scalar")
                compiled = self.graphs[structure] = compile_trace(
                    traced, gradients=self.reduce is not None and bool(self.params))
            finally:
                if collecting:
                    gc.enable()
        self._last = compiled
        return compiled

    def __call__(self, *args: Any) -> Any:
        if STATE.get().trace is not None:
            raise TraceError("a traced function cannot be called inside another trace: call "
                             "the function itself there")
        np = _numpy()
        arrays, structure = self._batch(args)
        batch = arrays[0].shape[0]
        if not batch and self.reduce == "mean":
            raise ValueError("the batch is empty: its mean loss is not defined")
        compiled = self._compiled(structure)
        params, captured = self._leaves(compiled)
        with np.errstate(all="ignore"):  # IEEE results, as the eager ops give
            if self.reduce is None:
                outputs, _ = compiled.runner.run(arrays, params, captured, None)
                return outputs[:, 0] if compiled.output_size is None else outputs
            seed = np.full((batch, 1), 1.0 / batch if self.reduce == "mean" else 1.0) \
                if self.params else None
            outputs, grads = compiled.runner.run(arrays, params, captured, seed)
            column = outputs[:, 0]
            loss = float(column.mean() if self.reduce == "mean" else column.sum())
        for p, g in zip(self.params, grads.tolist() if grads is not None else (), strict=True):
            try:
                p.grad += g
            except TypeError:  # None (as zero_grad(set_to_none) leaves it), say
                p.grad = _added(p.grad, g)
        return loss

    def _leaves(self, compiled: Compiled) -> tuple[Any, Any]:
        """The current data of the parameters and of the captured leaves, as arrays."""
        np = _numpy()
        # a list of the floats first: the quickest way to read thousands of them
        params = np.fromiter([p.data for p in self.params], float, len(self.params)) \
            if self.params else None
        captured = np.fromiter([c.data for c in compiled.captured], float) \
            if compiled.captured else None
        return params, captured

    # inspecting -----------------------------------------------------------------------------
    @property
    def graph(self) -> Compiled | None:
        """The compiled program of the last batch structure called (None before a call)."""
        return self._last

    def stages(self, *args: Any) -> list[tuple[str, str]]:
        """The IR of this function on a batch like ``args``: after tracing and after each
        compiler pass, as ``(name, text)`` pairs (traced afresh; nothing is cached)."""
        from .compiler import stages
        from .trace import trace

        _, structure = self._batch(args)
        traced = trace(self.fn, structure, self.params,
                       outputs="any" if self.reduce is None else "scalar")
        return stages(traced, gradients=self.reduce is not None and bool(self.params))

    def explain(self) -> str:
        """What each trace became: how many traced nodes, how many array instructions (forward
        and backward), and the forward instructions that do the work, with how many traced
        nodes each computes."""
        if not self.graphs:
            return f"{self.__name__}: not traced yet (call it on a batch)"
        lines = []
        for structure, compiled in self.graphs.items():
            shapes = " and ".join("one number" if w is None else f"{w} numbers"
                                  for w in structure)
            program = compiled.program
            seed = program.seed.id if program.seed is not None else program.count
            forward = [i for i in program.instrs if i.out.id < seed]
            contractions = sum(1 for i in program.instrs if i.op == "contract")
            lines.append(f"{self.__name__} on examples of {shapes}: {compiled.op_count} traced "
                         f"op nodes -> {len(program.instrs)} array instructions "
                         f"({len(forward)} forward, {len(program.instrs) - len(forward)} "
                         f"backward, {contractions} contractions; "
                         f"{compiled.runner.memory() / 1024:.1f} KiB of indices and constants)")
            lines += [f"  {note}" for note in program.notes]
            for instr in forward:
                if instr.covers:
                    once = "" if instr.out.batched else ", once per call"
                    lines.append(f"  {instr.op:<10} -> {instr.out.describe():<14} covers "
                                 f"{instr.covers} node{'s' if instr.covers != 1 else ''}{once}")
        return "\n".join(lines)

    def memory(self) -> int:
        """Bytes the compiled programs hold (their index and constant arrays); a call also
        holds its batch's values and gradients while it runs."""
        return sum(c.runner.memory() for c in self.graphs.values())

    def check(self, *args: Any, tolerance: float = 1e-12) -> CheckReport:
        """Run ``fn`` eagerly on the same batch (a Value graph per example, reduced, then
        differentiated) and compare with the traced result and gradients. ``.grad`` is not
        touched. Returns a ``CheckReport``; raises ``TraceError`` with it when they disagree
        by more than ``tolerance`` (relative to the largest value compared)."""
        if isinstance(tolerance, bool) or not isinstance(tolerance, numbers.Real):
            raise TypeError(f"check: tolerance must be a number, got {tolerance!r}")
        if not (math.isfinite(tolerance) and tolerance >= 0):
            raise ValueError(f"check: tolerance must be a finite number >= 0, got "
                             f"{tolerance!r}")
        np = _numpy()
        arrays, structure = self._batch(args)
        compiled = self._compiled(structure)
        params, captured = self._leaves(compiled)
        batch = arrays[0].shape[0]
        seed = np.full((batch, 1), 1.0 / batch if self.reduce == "mean" else 1.0) \
            if self.reduce and self.params else None
        with np.errstate(all="ignore"):
            traced, traced_grads = compiled.runner.run(arrays, params, captured, seed)
        outputs = []
        for b in range(batch):
            example = [Value(float(a[b, 0])) if w is None else [Value(v) for v in a[b].tolist()]
                       for a, w in zip(arrays, structure, strict=True)]
            result = self.fn(*example)
            outputs.append(list(result) if isinstance(result, list | tuple) else [result])
        eager = np.array([[o.data if type(o) is Value else float(o) for o in row]
                          for row in outputs]).reshape(batch, -1)
        if self.reduce is None:
            report = CheckReport(_relative(traced, eager), 0.0, float(tolerance))
        else:
            # each example's loss and gradients, so that a sum that cancels is measured
            # against the size of its terms, not against what is left of them
            weight = 1.0 / batch if self.reduce == "mean" else 1.0
            losses = eager[:, 0]
            per_example = np.array([gradients(row[0], self.params) if type(row[0]) is Value
                                    else [0.0] * len(self.params) for row in outputs]
                                   ).reshape(batch, len(self.params))
            loss = traced[:, 0].mean() if self.reduce == "mean" else traced[:, 0].sum()
            report = CheckReport(
                _relative([loss], [weight * losses.sum()], weight * np.abs(losses).sum()),
                0.0 if traced_grads is None else _relative(
                    traced_grads, weight * per_example.sum(axis=0),
                    weight * np.abs(per_example).sum(axis=0).max(initial=0.0)),
                float(tolerance))
        if not report.ok:
            raise TraceError(f"{self.__name__}: {report}")
        return report

    def __repr__(self) -> str:
        return (f"<traced {self.__name__}: {len(self.params)} params, reduce={self.reduce!r}, "
                f"{len(self.graphs)} trace(s)>")


def _numbers(arg: Any, i: int) -> np.ndarray:
    """Argument ``i`` of a call as a float array of one number or one row per example,
    checked as eager code checks its inputs: real numbers only."""
    np = _numpy()
    if isinstance(arg, Value) or (isinstance(arg, list | tuple) and any(
            type(v) is Value or (isinstance(v, list | tuple) and any(type(w) is Value
                                                                      for w in v))
            for v in arg)):
        raise TypeError(f"argument {i} holds Values: a batch is numbers (a traced step "
                        "gives no gradient to its inputs; use v.data for the number)")
    try:
        array = np.asarray(arg)
    except (TypeError, ValueError) as error:
        raise TypeError(f"argument {i} must be numbers, one row per example (an array or a "
                        f"list of lists of equal length): {error}") from None
    if array.dtype.kind in "biuf":
        array = array.astype(np.float64, copy=False)
    elif array.dtype.kind == "O":
        flat = []
        for v in array.ravel().tolist():
            if type(v) is Value:
                raise TypeError(f"argument {i} holds Values: a batch is numbers (use v.data)")
            if isinstance(v, bool | numbers.Real) and not isinstance(v, complex):
                flat.append(to_float(v))  # 10 ** 400 -> inf, as Value(10 ** 400) gives
            else:
                raise TypeError(f"argument {i} must hold real numbers only (as a Value does), "
                                f"got {type(v).__name__}: {v!r}")
        array = np.array(flat, dtype=np.float64).reshape(array.shape)
    else:
        raise TypeError(f"argument {i} must hold real numbers only (as a Value does), got "
                        f"an array of {array.dtype} ({array.dtype.kind!r}: strings, complex "
                        "numbers and dates are not numbers a Value takes)")
    if array.ndim not in (1, 2):
        raise TypeError(f"argument {i} must have one number or one row of numbers per "
                        f"example (1 or 2 dimensions), got shape {array.shape}")
    return array  # type: ignore[no-any-return]


def _added(old: Any, g: float) -> float:
    return g if old is None else (old.data if type(old) is Value else old) + g


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
