"""The traced mode's two intermediate representations, and how they print.

``Trace``: what one run of the function built, one line per scalar node (the first IR). Each
node is an op of the table over earlier nodes and float constants, or a source: a feature of a
batched input, a parameter, a captured leaf (read afresh at every call). ``batched`` says
whether the node depends on the batched inputs.

``Program``: array instructions over the whole batch (every later IR). A ``Var`` is an array:
``(B, *shape)`` when ``batched`` (B, the batch, first), else ``shape``, the same for every
example. An ``Instr`` computes one Var from others: an op of the table elementwise, or one of
the array primitives below, which move numbers around or add them up and have no derivative
rules of their own (the differentiation pass knows how each one passes gradients back).

======================  ======================================================================
``gather``              ``x[..., index]`` (``index``: an int array of any shape, into ``x``'s
                        last axis; ``-1`` reads ``fill``)
``scatter``             the transpose of ``gather``: ``x``'s entries added into a zero array
                        of ``size`` at ``index`` (summed over the batch for an unbatched Var)
``concat``              the operands joined along the last axis
``sum_last``            the sum over the last axis
``expand``              a new last axis of length 1
``batch_sum``           the sum over the batch axis (a batched Var's share of a parameter)
``contract``            a sum of products by index pattern, as ``einsum`` writes it
``take`` / ``put``      an embedding lookup: ``x[positions]`` with positions computed at run
                        time (``lookup``), and its transpose
``where``, ``equal``,   the vocabulary of the derivative rules that is not an op of the table
``lt le gt ge and``,
``sign``
======================  ======================================================================

Both print as listings, one line per node or instruction (``print(step.graph)``).

>>> Var(0, (16,), True).describe(), Var(1, (3, 4), False).describe()
('(B, 16)', '(3, 4)')
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Trace", "Var", "Instr", "Program"]


# ---------------------------------------------------------------------------------------------
# The trace: one example's scalar graph
# ---------------------------------------------------------------------------------------------

@dataclass
class Trace:
    """One example's graph, node by node, operands before results.

    Node ``i`` is ``ops[i]`` (an op of the table, ``"detach"``, or ``""`` for a source)
    over ``args[i]`` (indices of earlier nodes, or float constants); a source's
    ``sources[i]`` is ``("input", argument, feature)``, ``("param", k)`` or
    ``("captured", k)``. ``outputs`` are the nodes the function returned (``output_size``:
    None for one Value, else how many it returned in a list); ``widths`` the structure of the
    inputs (None: one number per example, else the length of its row).
    """

    ops: list[str]
    args: list[tuple[Any, ...]]
    batched: bytearray
    sources: dict[int, tuple[Any, ...]]
    labels: dict[int, str]
    outputs: list[int]
    output_size: int | None
    widths: list[int | None]
    params: list[Any]
    captured: list[Any]

    def __len__(self) -> int:
        return len(self.ops)

    @property
    def op_count(self) -> int:
        """How many op nodes the trace holds."""
        return sum(1 for op in self.ops if op)

    def used_ops(self) -> set[str]:
        """The names of the table's ops the trace uses."""
        return {op for op in self.ops if op and op != "detach"}

    def lines(self, limit: int | None = None) -> Iterator[str]:
        for i in range(len(self.ops) if limit is None else min(limit, len(self.ops))):
            shape = "(B,)" if self.batched[i] else "()"
            label = f"  # {self.labels[i]}" if i in self.labels else ""
            if not self.ops[i]:
                kind, *where = self.sources[i]
                text = f"input {where[0]}[{where[1]}]" if kind == "input" else \
                    f"{kind} {where[0]}"
            else:
                text = f"{self.ops[i]} " + ", ".join(
                    f"%{a}" if type(a) is int else repr(a) for a in self.args[i])
            yield f"%{i:<5} = {text:<40} {shape}{label}"

    def __str__(self) -> str:
        head = (f"trace: {len(self.ops)} nodes ({self.op_count} ops), outputs "
                f"{', '.join(f'%{o}' for o in self.outputs)}")
        lines = list(self.lines(200))
        if len(self.ops) > 200:
            lines.append(f"... {len(self.ops) - 200} more nodes")
        return "\n".join([head, *lines])


# ---------------------------------------------------------------------------------------------
# The program: array instructions over the batch
# ---------------------------------------------------------------------------------------------

class Var:
    """An array of the program: ``(B, *shape)`` when ``batched``, else ``shape``; ``size``
    is the number of entries per example."""

    __slots__ = ("batched", "id", "shape", "size")

    def __init__(self, id: int, shape: tuple[int, ...], batched: bool) -> None:
        self.id, self.shape, self.batched = id, shape, batched
        self.size = math.prod(shape)

    def describe(self) -> str:
        dims = ", ".join(map(str, self.shape))
        if self.batched:
            return f"(B, {dims})" if dims else "(B,)"
        return f"({dims},)" if len(self.shape) == 1 else f"({dims})"

    def __repr__(self) -> str:
        return f"v{self.id}"


class Instr:
    """``out = op(*args)``; ``attrs`` hold what is not an array of the program (an index, an
    einsum spec, a constant); ``covers`` counts the traced nodes it computes."""

    __slots__ = ("args", "attrs", "covers", "op", "out")

    def __init__(self, op: str, out: Var, args: tuple[Var, ...],
                 attrs: dict[str, Any] | None = None, covers: int = 0) -> None:
        self.op, self.out, self.args = op, out, args
        self.attrs = {} if attrs is None else attrs
        self.covers = covers

    def __str__(self) -> str:
        args = ", ".join(map(repr, self.args))
        attrs = ", ".join(f"{k}={_show(v)}" for k, v in self.attrs.items())
        inner = ", ".join(x for x in (args, attrs) if x)
        nodes = f"  # {self.covers} nodes" if self.covers > 1 else ""
        return f"{self.out!r:>6} = {self.op}({inner})".ljust(56) + f" {self.out.describe()}" \
            + nodes


def _show(value: Any) -> str:
    if isinstance(value, np.ndarray):
        if value.size <= 6:
            return np.array2string(value.ravel(), separator=",").replace("\n", "")
        return f"<{value.dtype} {'x'.join(map(str, value.shape))}>"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list):
        return f"[{len(value)} indices]"
    return str(value)


class Program:
    """Array instructions in order: ``inputs`` (one Var per batched argument), ``params`` and
    ``captured`` (the leaves' current data), ``seed`` (the gradient flowing into the outputs,
    once differentiated), ``outputs`` (the function's outputs, ``(B, k)``) and ``grads`` (the
    parameters' gradient, once differentiated)."""

    def __init__(self) -> None:
        self.instrs: list[Instr] = []
        self.count = 0
        self.inputs: list[Var] = []
        self.params: Var | None = None
        self.captured: Var | None = None
        self.seed: Var | None = None
        self.output: Var | None = None
        self.grads: Var | None = None
        self.output_size: int | None = None
        self.notes: list[str] = []  # what the passes did, for explain()
        self.memo: dict[Any, Var] = {}  # while grouping: Vars read or made already

    def var(self, shape: Sequence[int], batched: bool) -> Var:
        var = Var(self.count, tuple(shape), batched)
        self.count += 1
        return var

    def emit(self, op: str, args: Sequence[Var], shape: Sequence[int], batched: bool,
             covers: int = 0, **attrs: Any) -> Var:
        """Append ``op(*args)`` and return its Var."""
        out = self.var(shape, batched)
        self.instrs.append(Instr(op, out, tuple(args), attrs, covers))
        return out

    def leaves(self) -> list[Var]:
        return [v for v in (*self.inputs, self.params, self.captured, self.seed)
                if v is not None]

    def producers(self) -> dict[int, Instr]:
        """Each Var's instruction, by the Var's id."""
        return {instr.out.id: instr for instr in self.instrs}

    def readers(self) -> dict[int, int]:
        """How many instructions (and results) read each Var, by id."""
        count: dict[int, int] = {}
        for instr in self.instrs:
            for a in instr.args:
                count[a.id] = count.get(a.id, 0) + 1
        for v in (self.output, self.grads):
            if v is not None:
                count[v.id] = count.get(v.id, 0) + 1
        return count

    def __str__(self) -> str:
        named: list[tuple[str, list[Var | None]]] = [
            ("inputs", list(self.inputs)), ("params", [self.params]),
            ("captured", [self.captured]), ("seed", [self.seed])]
        lines = [f"program: {len(self.instrs)} instructions; "
                 + "; ".join(f"{name} {', '.join(map(repr, vs))}" for name, vs in named
                             if any(v is not None for v in vs))]
        lines += [str(instr) for instr in self.instrs]
        results = [f"output {self.output!r}"] if self.output is not None else []
        if self.grads is not None:
            results.append(f"grads {self.grads!r}")
        lines.append("return " + ", ".join(results))
        return "\n".join(lines)
