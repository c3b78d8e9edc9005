"""Pass 2, ``group``: a trace (one example, scalar nodes) to a program of array instructions.

Nodes of the same op, at the same depth, whose operands come from the same groups, form a group
that one instruction computes for the whole batch: the 16 ``relu`` of a layer, or its 256
weight-times-input products, are one NumPy call. A group's operands are read from their groups
by an index (``gather``; none when it reads a whole group in order), or are constants. A group is
batched when it depends on the batched inputs: a ``(B, size)`` array; otherwise (work on the
parameters alone, like an L2 penalty) a ``(size,)`` array, computed once per call, not once
per example.

A ``sum`` group adds its terms source group by source group (``sum_last`` of a ``gather``),
so that the contraction pass sees each sum of products on its own; its members may have
different numbers of terms. The terms of the other variadic ops (``logsumexp``, ``select``)
are stacked on a last axis, padded with the op's ``identity``.

>>> from autograd_lite import Value
>>> from .simplify import simplify
>>> from .trace import trace
>>> w = [Value(1.0), Value(2.0)]
>>> print(group(simplify(trace(lambda x: (w[0] * x[0]).tanh() + (w[1] * x[1]).tanh(),
...                                   [2], w))))  # doctest: +NORMALIZE_WHITESPACE
program: 4 instructions; inputs v0; params v1
    v2 = *(v1, v0)                                       (B, 2)  # 2 nodes
    v3 = tanh(v2)                                        (B, 2)  # 2 nodes
    v4 = gather(v3, index=[0,1])                         (B, 1, 2)
    v5 = sum_last(v4)                                    (B, 1)
return output v5
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import numpy as np

from ..engine import OPS
from .ir import Program, Trace, Var

__all__ = ["group"]


def group(trace: Trace) -> Program:
    """Turn ``trace`` into array instructions, one (or a few) per group of nodes."""
    program = Program()
    program.output_size = trace.output_size
    program.inputs = [program.var((w or 1,), True) for w in trace.widths]
    if trace.params:
        program.params = program.var((len(trace.params),), False)
    if trace.captured:
        program.captured = program.var((len(trace.captured),), False)
    n = len(trace.ops)
    var_of: list[Var | None] = [None] * n  # the Var holding node i, and its position there
    pos_of = [0] * n
    for i, where in trace.sources.items():
        kind, *at = where
        if kind == "input":
            var_of[i], pos_of[i] = program.inputs[at[0]], at[1]
        else:
            var_of[i] = program.params if kind == "param" else program.captured
            pos_of[i] = at[0]

    # bucket the op nodes by level, op, batchedness and where their operands come from
    ops, args = trace.ops, trace.args
    level = [0] * n
    buckets: dict[tuple[Any, ...], list[int]] = {}
    number: dict[tuple[Any, ...], int] = {}
    group_of = [0] * n  # a node's group: its source Var's id, or -1 - its bucket's number
    for i in trace.sources:
        group_of[i] = var_of[i].id  # type: ignore[union-attr]
    by_level: defaultdict[int, list[tuple[Any, ...]]] = defaultdict(list)
    heads = {name: (1 if row.selector is not None else 0) if row.variadic else -1
             for name, row in OPS.items()}
    heads["detach"] = -1
    batched = trace.batched
    for i in range(n):
        op = ops[i]
        if not op:
            continue
        depth = 0
        pattern: Any = []
        for a in args[i]:
            if type(a) is int:
                if level[a] > depth:
                    depth = level[a]
                pattern.append(group_of[a])
            else:
                pattern.append("c")
        depth += 1
        level[i] = depth
        head = heads[op]
        if head >= 0:  # a variadic op: any number of terms, from any of these groups
            terms = set(pattern[head:])
            pattern = (*pattern[:head], tuple(sorted(terms, key=str)) if len(terms) > 1
                       else tuple(terms))
        else:
            pattern = tuple(pattern)
        key = (depth, op, batched[i], pattern)
        members = buckets.get(key)
        if members is None:
            members = buckets[key] = []
            number[key] = len(number)
            by_level[depth].append(key)
        group_of[i] = -1 - number[key]
        members.append(i)

    for depth in sorted(by_level):
        for key in by_level[depth]:
            members = buckets[key]
            op = key[1]
            if len(members) == 1 and heads[op] < 0 and op != "detach":
                out = _emit_one(program, op, args[members[0]], bool(key[2]), var_of, pos_of)
            else:
                out = _emit_group(program, trace, op, bool(key[2]), members, var_of, pos_of)
            for position, m in enumerate(members):
                var_of[m], pos_of[m] = out, position

    program.output = _joined(program, trace.outputs, var_of, pos_of)
    program.memo.clear()
    return program


def _read(program: Program, source: Var | None, positions: list[int]) -> Var:
    """The entries at ``positions`` of one source Var: all of it in order needs no gather,
    and the same entries read twice are gathered once."""
    assert source is not None
    n = len(positions)
    if n == source.size and positions == list(range(n)):
        return source
    key = (source.id, *positions)
    var = program.memo.get(key)
    if var is None:
        var = program.memo[key] = program.emit("gather", [source], (n,), source.batched,
                                               index=np.array(positions, dtype=np.intp))
    return var


def _joined(program: Program, outputs: list[int], var_of: list[Var | None],
            pos_of: list[int]) -> Var:
    """The outputs side by side, as a batched ``(B, k)`` array: one gather per Var they come
    from, in runs."""
    parts: list[Var] = []
    run: list[int] = []
    for k, o in enumerate(outputs):
        run.append(pos_of[o])
        if k + 1 == len(outputs) or var_of[outputs[k + 1]] is not var_of[o]:
            parts.append(_read(program, var_of[o], run))
            run = []
    out = parts[0] if len(parts) == 1 else program.emit(
        "concat", parts, (sum(p.size for p in parts),), any(p.batched for p in parts))
    if not out.batched:
        out = program.emit("broadcast", [out, program.inputs[0]], out.shape, True)
    return out


def _operand(program: Program, trace: Trace, members: list[int], j: int,
             var_of: list[Var | None], pos_of: list[int]) -> Var:
    """Operand ``j`` of every member: a gather from its group, or a constant."""
    args = trace.args
    first = args[members[0]][j]
    if type(first) is not int:
        values = [float(args[m][j]) for m in members]
        if all(v == first for v in values) or all(v != v for v in values):
            return _constant(program, first)  # one number for all: a scalar
        return _constant(program, values)
    source = var_of[first]
    return _read(program, source, [pos_of[args[m][j]] for m in members])


def _constant(program: Program, value: float | list[float]) -> Var:
    """A constant: a number (a scalar, the same one Var for every use) or one per member."""
    if isinstance(value, float):
        key = ("const", value, math.copysign(1.0, value))  # 0.0 and -0.0 apart
        var = program.memo.get(key)
        if var is None:
            var = program.memo[key] = program.emit("const", [], (), False,
                                                   value=np.array(value))
        return var
    array = np.array(value, dtype=np.float64)
    return program.emit("const", [], array.shape, False, value=array)


def _emit_one(program: Program, op: str, operands: tuple[Any, ...], batched: bool,
              var_of: list[Var | None], pos_of: list[int]) -> Var:
    """A group of one node of an op of fixed arity (a deep, narrow graph): its operands read
    one by one."""
    inputs = []
    for a in operands:
        if type(a) is int:
            source = var_of[a]
            assert source is not None
            inputs.append(source if source.size == 1 else _read(program, source, [pos_of[a]]))
        else:
            inputs.append(_constant(program, float(a)))
    if all(not v.shape for v in inputs):  # constants only: one of them at full size
        inputs[-1] = _constant(program, [float(operands[-1])])
    return program.emit(op, inputs, (1,), batched, covers=1)


def _emit_group(program: Program, trace: Trace, op: str, batched: bool, members: list[int],
                var_of: list[Var | None], pos_of: list[int]) -> Var:
    size = len(members)
    if op == "detach":
        source = _operand(program, trace, members, 0, var_of, pos_of)
        return program.emit("detach", [source], (size,), batched, covers=size)
    row = OPS[op]
    if not row.variadic:
        operands = [_operand(program, trace, members, j, var_of, pos_of)
                    for j in range(len(trace.args[members[0]]))]
        if all(not o.shape for o in operands):  # constants only: one of them at full size
            operands[-1] = _constant(program, [float(trace.args[members[0]][-1])] * size)
        return program.emit(op, operands, (size,), batched, covers=size)
    head = 1 if row.selector is not None else 0
    heads = [_operand(program, trace, members, j, var_of, pos_of) for j in range(head)]
    terms = [trace.args[m][head:] for m in members]
    if op == "sum":
        return _sum(program, terms, batched, var_of, pos_of, size)
    stack = _stack(program, terms, row.identity, var_of, pos_of)
    return program.emit(op, [*heads, stack], (size,), batched, covers=size)


def _sum(program: Program, terms: list[tuple[Any, ...]], batched: bool,
         var_of: list[Var | None], pos_of: list[int], covers: int) -> Var:
    """Each member's terms added up, source group by source group, plus its constants."""
    size = len(terms)
    if size == 1:  # one node (a chain, say): its terms read one by one, then added
        return _sum_of_one(program, terms[0], var_of, pos_of, covers)
    by_source: dict[int, tuple[Var, list[list[int]]]] = {}
    constants = [0.0] * size
    for k, member_terms in enumerate(terms):
        for t in member_terms:
            if type(t) is int:
                source = var_of[t]
                assert source is not None
                entry = by_source.get(source.id)
                if entry is None:
                    entry = by_source[source.id] = (source, [[] for _ in range(size)])
                entry[1][k].append(pos_of[t])
            else:
                constants[k] += t
    parts = []
    for source, rows in by_source.values():
        width = max(map(len, rows))
        if width == 1 and all(rows):  # one term each: no sum, a read
            parts.append(_read(program, source, [row[0] for row in rows]))
            continue
        index = np.full((size, width), -1, dtype=np.intp)
        for k, row in enumerate(rows):
            index[k, :len(row)] = row
        gathered = program.emit("gather", [source], index.shape, source.batched, index=index,
                                fill=0.0)
        parts.append(program.emit("sum_last", [gathered], (size,), source.batched))
    if any(c != 0.0 for c in constants) or not parts:
        first = constants[0]
        parts.append(_constant(program, first if all(c == first for c in constants)
                               else constants))
    total = parts[0]
    for part in parts[1:]:
        shape = total.shape if total.shape else part.shape
        total = program.emit("+", [total, part], shape or (size,),
                             total.batched or part.batched)
    if not total.shape:  # constants only: at full size
        total = program.emit("+", [total, _constant(program, [0.0] * size)], (size,), False)
    if program.instrs and program.instrs[-1].out is total:
        program.instrs[-1].covers = covers
    return total


def _sum_of_one(program: Program, terms: tuple[Any, ...], var_of: list[Var | None],
                pos_of: list[int], covers: int) -> Var:
    """``_sum`` for a group of one node, the common case of a deep, narrow graph."""
    by_source: dict[int, tuple[Var, list[int]]] = {}
    constant = 0.0
    for t in terms:
        if type(t) is int:
            source = var_of[t]
            assert source is not None
            entry = by_source.get(source.id)
            if entry is None:
                by_source[source.id] = (source, [pos_of[t]])
            else:
                entry[1].append(pos_of[t])
        else:
            constant += t
    parts = []
    for source, positions in by_source.values():
        if len(positions) == 1:
            parts.append(_read(program, source, positions))
        else:
            index = np.array([positions], dtype=np.intp)
            gathered = program.emit("gather", [source], index.shape, source.batched,
                                    index=index)
            parts.append(program.emit("sum_last", [gathered], (1,), source.batched))
    if constant != 0.0 or not parts:
        parts.append(_constant(program, constant) if parts else _constant(program, [constant]))
    total = parts[0]
    for part in parts[1:]:
        total = program.emit("+", [total, part], (1,), total.batched or part.batched)
    if program.instrs and program.instrs[-1].out is total:
        program.instrs[-1].covers = covers
    return total


def _stack(program: Program, terms: list[tuple[Any, ...]], fill: float | None,
           var_of: list[Var | None], pos_of: list[int]) -> Var:
    """The members' terms stacked on a last axis, ``(size, width)``, short rows padded."""
    size, width = len(terms), max(map(len, terms))
    sources: dict[int, Var] = {}
    constants: list[float] = []
    for member_terms in terms:
        for t in member_terms:
            if type(t) is int:
                source = var_of[t]
                assert source is not None
                sources.setdefault(source.id, source)
            else:
                constants.append(t)
    padded = any(len(t) < width for t in terms)
    if padded and fill is None:
        raise ValueError("terms of different counts cannot be stacked for this op")
    offsets, start = {}, 0
    for sid, source in sources.items():
        offsets[sid] = start
        start += source.size
    constant_at: dict[str, tuple[int, float]] = {}
    for c in [*constants, *([fill] if padded and fill is not None else [])]:
        constant_at.setdefault(repr(c), (start + len(constant_at), c))
    index = np.empty((size, width), dtype=np.intp)
    for k, member_terms in enumerate(terms):
        for j in range(width):
            if j >= len(member_terms):
                index[k, j] = constant_at[repr(fill)][0]
            elif type(member_terms[j]) is int:
                t = member_terms[j]
                source = var_of[t]
                assert source is not None
                index[k, j] = offsets[source.id] + pos_of[t]
            else:
                index[k, j] = constant_at[repr(member_terms[j])][0]
    parts = list(sources.values())
    if constant_at:
        parts.append(_constant(program, [c for _, c in constant_at.values()]))
    joined = parts[0] if len(parts) == 1 else program.emit(
        "concat", parts, (sum(p.size for p in parts),), any(p.batched for p in parts))
    return program.emit("gather", [joined], index.shape, joined.batched, index=index)
