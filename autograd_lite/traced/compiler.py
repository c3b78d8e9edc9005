"""The compiler: a trace through the passes, each a function from one IR to the next.

====================  ==========================================================================
``simplify``          trace to trace: dead nodes dropped, chains of additions merged
``group``             trace to program: nodes of one op, level and operand pattern, one array op
``lookups``           ``select`` of parameter rows by a batched index: an embedding lookup
``contract``          sums of products that factor by their index pattern: contractions
``differentiate``     the backward program, from the op table's rules
``schedule``          gathers composed, dead instructions dropped
``emit``              the program as a Python function over NumPy arrays
====================  ==========================================================================

``stages(trace)`` runs them and returns every IR on the way, for printing.

>>> from autograd_lite import Value
>>> from .trace import trace
>>> w = Value(0.5)
>>> [name for name, _ in stages(trace(lambda x: (w * x).tanh(), [None], [w]))]
['trace', 'simplify', 'group', 'lookups', 'contract', 'differentiate', 'schedule', 'emit']
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..engine import OPS, Op, table_version
from .contract import contract
from .differentiate import differentiate
from .emit import Runner, emit
from .group import group
from .ir import Program, Trace
from .lookups import lookups
from .schedule import schedule
from .simplify import simplify

__all__ = ["PASSES", "Compiled", "compile_trace", "stages"]

PASSES: list[tuple[str, Callable[[Any], Any]]] = [
    ("simplify", simplify), ("group", group), ("lookups", lookups), ("contract", contract),
    ("differentiate", differentiate), ("schedule", schedule),
]


class Compiled:
    """One trace, compiled: ``program`` (its final IR; ``print`` shows it), ``runner`` (what
    runs it), and what it depends on (the ops of the table it used)."""

    def __init__(self, trace: Trace, program: Program, runner: Runner) -> None:
        self.program, self.runner = program, runner
        self.nodes = len(trace)
        self.op_count = trace.op_count
        self.output_size = trace.output_size
        self.captured = trace.captured
        self.version = table_version()
        self.ops: dict[str, Op] = {name: OPS[name] for name in trace.used_ops()}

    def is_current(self) -> bool:
        """False once an op the trace used has been redefined or removed."""
        if self.version == table_version():
            return True
        current = all(OPS.get(name) is op for name, op in self.ops.items())
        if current:
            self.version = table_version()
        return current

    def __str__(self) -> str:
        return str(self.program)


def compile_trace(trace: Trace, *, gradients: bool = True) -> Compiled:
    """Run every pass on ``trace`` (``differentiate`` only with ``gradients``)."""
    ir: Any = trace
    for name, run in PASSES:
        if name != "differentiate" or gradients:
            ir = run(ir)
    return Compiled(trace, ir, emit(ir))


def stages(trace: Trace, *, gradients: bool = True) -> list[tuple[str, str]]:
    """The IR before the first pass and after each one, as text: ``[("trace", ...),
    ("simplify", ...), ...]``; the last is the emitted Python source."""
    ir: Any = trace
    out = [("trace", str(trace))]
    for name, run in PASSES:
        if name != "differentiate" or gradients:
            ir = run(ir)
            out.append((name, str(ir)))
    out.append(("emit", emit(ir).source))
    return out
