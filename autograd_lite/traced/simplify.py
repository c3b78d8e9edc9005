"""Pass 1, ``simplify``: a trace to a smaller trace computing the same outputs.

* Nodes no output depends on are dropped.
* Chains of single-use additions become one ``sum`` node: ``((a + b) + c) + d``, Python's
  ``sum(...)`` (which starts from 0), and right-leaning chains (``acc = term + acc``) alike,
  their terms kept left to right; a lone ``a + b`` becomes a ``sum`` of two. Each node is
  looked at once, so the pass is linear in the size of the trace, whatever the shape of the
  chains.

>>> from autograd_lite import Value
>>> from .trace import trace
>>> w = Value(0.5)
>>> before = trace(lambda x: ((w * x) + 1.0) + 2.0, [None], [w])
>>> [before.ops[i] for i in range(len(before))], simplify(before).ops
(['', '', '*', '+', '+'], ['', '', '*', 'sum'])
"""

from __future__ import annotations

from typing import Any

from .ir import Trace

__all__ = ["simplify"]

_ADDS = ("+", "sum")


def simplify(trace: Trace) -> Trace:
    """Drop dead nodes and merge chains of single-use additions into ``sum`` nodes."""
    n = len(trace.ops)
    ops, args = trace.ops, trace.args
    uses = [0] * n
    live = bytearray(n)
    for o in trace.outputs:
        live[o] = 1
        uses[o] += 2  # an output is never merged into another node
    for i in range(n - 1, -1, -1):  # operands come before results: one backward sweep
        if live[i]:
            for a in args[i]:
                if type(a) is int:
                    live[a] = 1
                    uses[a] += 1
    # a single-use addition read by another addition is absorbed into it
    absorbed = bytearray(n)
    for i in range(n):
        if live[i] and ops[i] in _ADDS:
            for a in args[i]:
                if type(a) is int and ops[a] in _ADDS and uses[a] == 1:
                    absorbed[a] = 1
    new_index = [-1] * n
    new = Trace([], [], bytearray(), {}, {}, [], trace.output_size, trace.widths,
                trace.params, trace.captured)
    for i in range(n):
        if not live[i] or absorbed[i]:
            continue
        op = ops[i]
        if op in _ADDS:
            terms = _flattened(i, args, absorbed)
            mapped = tuple(new_index[t] if type(t) is int else t for t in terms)
            op = "sum"  # a + b too: the grouping pass then treats every addition alike
        else:
            mapped = tuple(new_index[a] if type(a) is int else a for a in args[i])
        new_index[i] = len(new.ops)
        new.ops.append(op)
        new.args.append(mapped)
        new.batched.append(trace.batched[i])
        if i in trace.sources:
            new.sources[new_index[i]] = trace.sources[i]
        if i in trace.labels:
            new.labels[new_index[i]] = trace.labels[i]
    new.outputs = [new_index[o] for o in trace.outputs]
    return new


def _flattened(root: int, args: list[tuple[Any, ...]], absorbed: bytearray) -> list[Any]:
    """The terms of addition ``root`` with every absorbed addition expanded in place, left to
    right; iterative, so each absorbed node is expanded exactly once."""
    terms: list[Any] = []
    stack: list[Any] = list(reversed(args[root]))
    while stack:
        t = stack.pop()
        if type(t) is int and absorbed[t]:
            stack.extend(reversed(args[t]))
        else:
            terms.append(t)
    return terms
