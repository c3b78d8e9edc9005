"""Pass 6, ``schedule``: a program to the same program with less work, ready to emit.

* A sum of one term per row becomes a gather; a ``gather`` of a ``gather`` becomes one
  ``gather`` (the indices composed), and a gather that reads a whole Var in order is dropped.
* Instructions whose results neither the outputs nor the gradients need are dropped (what a
  rule computed and did not use, say).

The order stays the one the earlier passes gave, a topological one; the emitter frees each
array after its last use.

>>> from autograd_lite import Value, select
>>> from .group import group
>>> from .lookups import lookups
>>> from .simplify import simplify
>>> from .trace import trace
>>> table = [Value(0.1), Value(0.2), Value(0.3)]
>>> program = lookups(group(simplify(trace(lambda k: select(k, table), [None], table))))
>>> [i.op for i in program.instrs], [i.op for i in schedule(program).instrs]
(['gather', 'lookup', 'take'], ['lookup', 'take'])
"""

from __future__ import annotations

import numpy as np

from .ir import Instr, Program, Var

__all__ = ["schedule"]


def schedule(program: Program) -> Program:
    """Compose gathers and drop dead instructions (see the module docstring)."""
    _sums_of_one(program)
    _compose_gathers(program)
    _drop_dead(program)
    return program


def _sums_of_one(program: Program) -> None:
    """``sum_last`` of a gather of one term per row is the gather itself."""
    producer = program.producers()
    for instr in program.instrs:
        if instr.op != "sum_last":
            continue
        source = producer.get(instr.args[0].id)
        if source is not None and source.op == "gather" and source.out.shape[-1:] == (1,) \
                and not (source.attrs["index"] < 0).any():
            instr.op = "gather"
            instr.args = source.args
            instr.attrs = {"index": source.attrs["index"].reshape(instr.out.shape)}


def _compose_gathers(program: Program) -> None:
    producer: dict[int, Instr] = {}
    replace: dict[int, Var] = {}
    for instr in program.instrs:
        if replace:
            instr.args = tuple(replace.get(a.id, a) for a in instr.args)
        if instr.op == "gather":
            index = instr.attrs["index"]
            source = instr.args[0]
            inner = producer.get(source.id)
            if inner is not None and inner.op == "gather" and not (
                    instr.attrs.get("fill") is not None and (index < 0).any()):
                inner_index = inner.attrs["index"].ravel()
                fill = inner.attrs.get("fill")
                instr.args = inner.args
                instr.attrs = {"index": inner_index[index]}
                if fill is not None:
                    instr.attrs["fill"] = fill
                source = instr.args[0]
                index = instr.attrs["index"]
            if index.shape == source.shape and source.batched == instr.out.batched and \
                    (index.ravel() == np.arange(index.size)).all():
                replace[instr.out.id] = source
        producer[instr.out.id] = instr
    for name in ("output", "grads"):
        var = getattr(program, name)
        if var is not None and var.id in replace:
            setattr(program, name, replace[var.id])


def _drop_dead(program: Program) -> None:
    needed = {v.id for v in (program.output, program.grads) if v is not None}
    kept = []
    for instr in reversed(program.instrs):
        if instr.out.id in needed:
            kept.append(instr)
            needed.update(a.id for a in instr.args)
    kept.reverse()
    program.instrs = kept
