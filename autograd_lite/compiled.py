"""The traced mode's compiler: the graph of one example becomes a few NumPy kernels over a batch.

A ``TracedGraph`` (see ``tracing``) holds one example's scalar nodes. ``Plan`` turns it into
kernels, each computing many nodes at once, with the batch as the first array axis:

1. Chains of single-use ``+`` (and ``sum``) nodes become one sum: ``((a + b) + c) + d``, or
   Python's ``sum(...)``, is one node of four terms.
2. Nodes of the same op, at the same depth, whose operands come from the same groups, form a
   group that one kernel computes: the 16 ``relu`` of a layer, or its 256 weight-times-input
   products, are one NumPy call. A group is ``batched`` when it depends on the batched
   inputs: its value is then a ``(B, size)`` array; otherwise (work on the parameters alone,
   like an L2 penalty) it is a ``(size,)`` array, computed once per call, not once per example.
3. A group of sums of weight-times-activation products in which every row reads the same
   activations becomes a matrix product: a layer's ``b + w0*x0 + w1*x1 + ...`` for all its
   neurons is one ``x @ W.T + b``.

Each op runs in its NumPy form (``ARRAY_FORMS``: the formulas of the op table's rules, over
arrays). An op added with ``define_op`` runs the NumPy form given as its ``array=`` option, or
else its table rules element by element: slower, the same numbers. The backward pass runs the
kernels in reverse, each passing gradients to the groups it read from; a batched kernel's
gradient for a parameter is summed over the batch.

This module needs NumPy; ``autograd_lite.jit`` imports it only when a function is traced.

>>> from autograd_lite import Value
>>> from autograd_lite.tracing import trace
>>> w = [Value(0.5), Value(-1.0)]
>>> plan = Plan(trace(lambda x: (w[0] * x[0] + w[1] * x[1]).tanh(), [[1.0, 2.0]], w))
>>> [kernel.kind for kernel in plan.kernels]
['matmul', 'tanh']
>>> outputs, grads = plan.run([np.array([[1.0, 2.0], [3.0, 0.0]])], np.array([0.5, -1.0]),
...                           None, seed=np.ones((2, 1)))
>>> np.round(outputs, 6)
array([[-0.905148],
       [ 0.905148]])
>>> print(plan.source)  # doctest: +ELLIPSIS
def run(inputs, params, captured, seed):
    v0 = inputs[0]
    ...
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from .engine import BUILTIN_OPS, OPS
from .tracing import TracedGraph

__all__ = ["ARRAY_FORMS", "ArrayForm", "Plan", "Kernel"]

Array = np.ndarray


# ---------------------------------------------------------------------------------------------
# The op table's ops over arrays
# ---------------------------------------------------------------------------------------------

class ArrayForm(NamedTuple):
    """An op of the table over NumPy arrays, elementwise: ``forward(*operands)`` and one VJP
    rule per operand, ``rule(g, out, *operands)``, with the formulas of the table's rules.
    For a variadic op the operands come stacked on a last axis: ``forward(stack)`` and
    ``vjps[0](g, out, stack)``, which returns the gradients stacked the same way."""

    forward: Callable[..., Any]
    vjps: tuple[Callable[..., Any], ...]


def _pow(a: Array, b: Array) -> Array:
    # as numerics.pow: x ** 3 and x ** -2 are products, as in PyTorch (for x ** 2 and x ** -1
    # the product and C's pow are both correctly rounded)
    out: Array = np.power(a, b)
    if np.any(b == 3.0) or np.any(b == -2.0):
        out = np.where(b == 3.0, a * a * a, np.where(b == -2.0, 1.0 / (a * a), out))
    return out


def _share(a: Array, b: Array) -> Array:  # numerics.maximum_share
    return np.where(a > b, 1.0, np.where(a < b, 0.0, np.where(a == b, 0.5, np.nan)))


def _logsumexp(stack: Array) -> Array:
    m = stack.max(axis=-1)
    finite = np.isfinite(m)  # all -inf, one +inf, or a nan: the largest term is the answer
    shift = np.where(finite, m, 0.0)
    total = np.exp(stack - shift[..., None]).sum(axis=-1)
    out: Array = np.where(finite, shift + np.log(total), m)
    return out


def _select(stack: Array) -> Array:
    index, options = stack[..., 0], stack[..., 1:]
    valid = (index == np.floor(index)) & (index >= 0) & (index < options.shape[-1])
    safe = np.where(valid, index, 0).astype(np.intp)
    picked = np.take_along_axis(options, safe[..., None], axis=-1)[..., 0]
    return np.where(valid, picked, np.nan)


def _select_vjp(g: Array, out: Array, stack: Array) -> Array:
    positions = np.arange(stack.shape[-1]) - 1.0  # the index itself is at -1: no gradient
    return np.where(positions == stack[..., :1], g[..., None], 0.0)


ARRAY_FORMS: dict[str, ArrayForm] = {
    "+": ArrayForm(np.add, (lambda g, out, a, b: g, lambda g, out, a, b: g)),
    "-": ArrayForm(np.subtract, (lambda g, out, a, b: g, lambda g, out, a, b: -g)),
    "*": ArrayForm(np.multiply, (lambda g, out, a, b: g * b, lambda g, out, a, b: g * a)),
    "/": ArrayForm(np.divide, (lambda g, out, a, b: g / b, lambda g, out, a, b: -g * (out / b))),
    "**": ArrayForm(_pow, (
        lambda g, out, a, b: np.where(b == 0.0, 0.0, g * (b * _pow(a, b - 1.0))),
        lambda g, out, a, b: np.where((a == 0.0) & (b >= 0.0), 0.0, g * (out * np.log(a))))),
    "neg": ArrayForm(np.negative, (lambda g, out, a: -g,)),
    "abs": ArrayForm(np.abs, (lambda g, out, a: g * np.sign(a),)),
    "exp": ArrayForm(np.exp, (lambda g, out, a: g * out,)),
    "log": ArrayForm(np.log, (lambda g, out, a: g / a,)),
    "tanh": ArrayForm(np.tanh, (lambda g, out, a: g * (1.0 - out * out),)),
    "sigmoid": ArrayForm(lambda a: 1.0 / (1.0 + np.exp(-a)),
                         (lambda g, out, a: g * (1.0 - out) * out,)),
    "relu": ArrayForm(lambda a: np.where(a <= 0.0, 0.0, a),
                      (lambda g, out, a: np.where(out <= 0.0, 0.0, g),)),
    "sin": ArrayForm(np.sin, (lambda g, out, a: g * np.cos(a),)),
    "cos": ArrayForm(np.cos, (lambda g, out, a: g * -np.sin(a),)),
    "sqrt": ArrayForm(np.sqrt, (lambda g, out, a: g / (2.0 * out),)),
    "sum": ArrayForm(lambda stack: stack.sum(axis=-1),
                     (lambda g, out, stack: np.broadcast_to(g[..., None], stack.shape),)),
    "maximum": ArrayForm(np.maximum, (lambda g, out, a, b: g * _share(a, b),
                                      lambda g, out, a, b: g * _share(b, a))),
    "logsumexp": ArrayForm(_logsumexp, (lambda g, out, stack: g[..., None] * np.exp(
        stack - out[..., None]),)),
    "softplus": ArrayForm(lambda a: np.where(a > 0.0, a, 0.0) + np.log1p(np.exp(-np.abs(a))),
                          (lambda g, out, a: g * (1.0 / (1.0 + np.exp(-a))),)),
    "select": ArrayForm(_select, (_select_vjp,)),
}
"""The NumPy form of each built-in op of the table (``autograd_lite.engine.OPS``)."""


def array_form(name: str) -> ArrayForm:
    """The NumPy form of the op ``name``: its own (``define_op(..., array=...)``), the built-in
    one, or else its table rules called element by element."""
    op = OPS[name]
    if op.array is not None:
        return ArrayForm(op.array[0], tuple(op.array[1:]))
    if name in BUILTIN_OPS:
        return ARRAY_FORMS[name]
    if op.variadic:
        def forward(stack: Array) -> Array:
            rows = stack.reshape(-1, stack.shape[-1]).tolist()
            return np.array([op.forward(*row) for row in rows]).reshape(stack.shape[:-1])

        def vjp(g: Array, out: Array, stack: Array) -> Array:
            g, out = np.broadcast_to(g, out.shape), np.broadcast_to(out, g.shape)
            rows = stack.reshape(-1, stack.shape[-1]).tolist()
            grads = [op.vjps[0](gi, oi, *row) for gi, oi, row in
                     zip(g.ravel().tolist(), out.ravel().tolist(), rows, strict=True)]
            return np.array(grads, dtype=float).reshape(stack.shape)

        return ArrayForm(forward, (vjp,))
    return ArrayForm(np.vectorize(op.forward, otypes=[float]),
                     tuple(np.vectorize(rule, otypes=[float]) for rule in op.vjps))


# ---------------------------------------------------------------------------------------------
# Kernels, and the Python source they become
#
# A plan is run by one generated Python function: each group's values are a local variable
# (``v3``), each group's gradient too (``g3``), and each kernel adds a few lines computing its
# group and, in reverse order, passing its gradient on. No per-kernel call, no lookup: the
# function reads like the NumPy code one would write for the model by hand.
# ---------------------------------------------------------------------------------------------

# The common ops as expressions (their NumPy forms, inlined); others call their form.
_FORWARD = {
    "+": "({0} + {1})", "-": "({0} - {1})", "*": "({0} * {1})", "/": "({0} / {1})",
    "neg": "(-{0})", "exp": "np.exp({0})", "log": "np.log({0})", "tanh": "np.tanh({0})",
    "relu": "np.where({0} <= 0.0, 0.0, {0})", "abs": "np.abs({0})", "sqrt": "np.sqrt({0})",
    "sin": "np.sin({0})", "cos": "np.cos({0})",
}
_BACKWARD = {  # G: the gradient flowing in, OUT: the result, A0, A1: the operands
    "+": ("G", "G"), "-": ("G", "(-G)"), "*": ("(G * A1)", "(G * A0)"),
    "/": ("(G / A1)", "(-G * (OUT / A1))"), "neg": ("(-G)",), "exp": ("(G * OUT)",),
    "log": ("(G / A0)",), "tanh": ("(G * (1.0 - OUT * OUT))",),
    "relu": ("np.where(OUT <= 0.0, 0.0, G)",), "abs": ("(G * np.sign(A0))",),
    "sqrt": ("(G / (2.0 * OUT))",), "sin": ("(G * np.cos(A0))",), "cos": ("(G * -np.sin(A0))",),
}


@dataclass
class Source:
    """An operand of a kernel: the values at ``index`` of group ``group`` (all of them, in
    order, when ``index`` is None), or one ``constant`` float per member of the kernel.
    ``wanted`` is False when no parameter is behind it: its gradient is never computed."""

    group: int = -1
    index: Array | None = None
    constant: Array | None = None
    wanted: bool = True


@dataclass
class Group:
    """Nodes whose values are computed together: a ``(B, size)`` array when ``batched``, else
    ``(size,)``."""

    id: int
    size: int
    batched: bool


class _Emitter:
    """Writes the generated function: names the arrays it needs, and keeps track of which
    gradient variables exist yet and which the function owns (may add into in place)."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.lines: list[str] = []
        self.names: dict[str, Any] = {"np": np}
        self.grads: dict[int, bool] = {}  # group -> the variable is an array of our own
        self.temps = 0

    def const(self, value: Any, prefix: str = "c") -> str:
        name = f"{prefix}{len(self.names)}"
        self.names[name] = value
        return name

    def temp(self, expression: str) -> str:
        """Bind ``expression`` to a new local variable (unless it already is one)."""
        if expression.isidentifier():
            return expression
        self.temps += 1
        name = f"t{self.temps}"
        self.lines.append(f"    {name} = {expression}")
        return name

    def source(self, s: Source) -> str:
        if s.constant is not None:
            return self.const(s.constant)
        if s.index is None:
            return f"v{s.group}"
        index = self.const(s.index, "i")
        return f"v{s.group}[:, {index}]" if self.plan.groups[s.group].batched \
            else f"v{s.group}[{index}]"

    def give(self, s: Source, contribution: str, batched: bool, fresh: bool = False) -> None:
        """Add ``contribution`` (one column per member read) to group ``s.group``'s
        gradient; from a batched kernel to a parameter-only group, summed over the batch.
        ``fresh``: the expression makes a new array, which the gradient may then be."""
        if not s.wanted:
            return
        target = self.plan.groups[s.group]
        if batched and not target.batched:
            contribution = f"({contribution}).sum(0)"  # a parameter's share of every example
            fresh = True
        name = f"g{s.group}"
        exists, owned = s.group in self.grads, self.grads.get(s.group, False)
        if s.index is None:
            if not exists:
                self.lines.append(f"    {name} = {contribution}")
                self.grads[s.group] = fresh
            else:
                self.lines.append(f"    {name} = {name} + {contribution}")
                self.grads[s.group] = True
            return
        shape = f"(B, {target.size})" if target.batched else f"({target.size},)"
        if not exists:
            self.lines.append(f"    {name} = np.zeros({shape})")
        elif not owned:
            self.lines.append(f"    {name} = {name}.copy()")
        self.grads[s.group] = True
        index = self.const(s.index, "i")
        where = f"(slice(None), {index})" if target.batched else index
        if len(np.unique(s.index)) == len(s.index):
            self.lines.append(f"    {name}[{where}] += {contribution}")
        else:  # one node read twice by one kernel: both contributions count
            self.lines.append(f"    np.add.at({name}, {where}, {contribution})")


class Kernel:
    """One array operation computing a group of traced nodes, and its backward pass.

    ``kind`` names it (the op, ``"matmul"`` or ``"sum"``), ``ops`` counts the traced ops it
    covers and ``nodes`` how many traced nodes it replaces."""

    def __init__(self, group: Group, kind: str, ops: dict[str, int], nodes: int) -> None:
        self.group, self.kind, self.ops, self.nodes = group, kind, ops, nodes

    def sources(self) -> list[Source]:
        """Every operand the kernel reads."""
        raise NotImplementedError  # pragma: no cover - abstract

    def forward(self, e: _Emitter) -> None:
        """Write the lines computing ``v<group>``."""
        raise NotImplementedError  # pragma: no cover - abstract

    def backward(self, e: _Emitter) -> None:
        """Write the lines passing ``g<group>`` on to the groups it reads."""
        raise NotImplementedError  # pragma: no cover - abstract

    def describe(self) -> str:
        shape = f"(B, {self.group.size})" if self.group.batched else f"({self.group.size},)"
        covers = ", ".join(f"{n} {op}" for op, n in self.ops.items())
        once = "" if self.group.batched else ", once per call"
        nodes = f"{self.nodes} node{'' if self.nodes == 1 else 's'}"
        return f"{self.kind:<10} -> {shape:<10} covers {nodes} ({covers}){once}"


class Elementwise(Kernel):
    """An op of a fixed number of operands, applied to whole arrays of them."""

    def __init__(self, group: Group, op: str, sources: list[Source], nodes: int) -> None:
        super().__init__(group, op, {op: group.size}, nodes)
        self.operands = sources
        self.form = array_form(op)
        self.inline = op in _FORWARD  # a built-in op: its NumPy form, written out

    def sources(self) -> list[Source]:
        return self.operands

    def forward(self, e: _Emitter) -> None:
        args = [e.temp(e.source(s)) for s in self.operands]
        self.args = args  # the backward lines read the same variables
        if self.inline:
            expression = _FORWARD[self.kind].format(*args)
        else:
            expression = f"{e.const(self.form.forward, 'f')}({', '.join(args)})"
        e.lines.append(f"    v{self.group.id} = {expression}")

    def backward(self, e: _Emitter) -> None:
        g, out = f"g{self.group.id}", f"v{self.group.id}"
        for j, source in enumerate(self.operands):
            if not source.wanted:
                continue
            if self.inline:
                template = _BACKWARD[self.kind][j]
                expression = template.replace("OUT", out).replace("G", g)
                for k, arg in enumerate(self.args):
                    expression = expression.replace(f"A{k}", arg)
                e.give(source, expression, self.group.batched, fresh=template != "G")
            else:
                rule = e.const(self.form.vjps[j], "r")
                e.give(source, f"np.broadcast_to({rule}({g}, {out}, {', '.join(self.args)}), "
                               f"{g}.shape)", self.group.batched)


class Stacked(Kernel):
    """An op of any number of operands (``logsumexp``, ``select``), over their stack."""

    def __init__(self, group: Group, op: str, sources: list[Source], nodes: int) -> None:
        super().__init__(group, op, {op: group.size}, nodes)
        self.operands = sources
        self.form = array_form(op)

    def sources(self) -> list[Source]:
        return self.operands

    def forward(self, e: _Emitter) -> None:
        shape = f"(B, {self.group.size})" if self.group.batched else f"({self.group.size},)"
        columns = ", ".join(f"np.broadcast_to({e.source(s)}, {shape})" for s in self.operands)
        self.stack = e.temp(f"np.stack([{columns}], axis=-1)")
        e.lines.append(f"    v{self.group.id} = {e.const(self.form.forward, 'f')}({self.stack})")

    def backward(self, e: _Emitter) -> None:
        g, out = f"g{self.group.id}", f"v{self.group.id}"
        shares = e.temp(f"{e.const(self.form.vjps[0], 'r')}({g}, {out}, {self.stack})")
        for j, source in enumerate(self.operands):
            e.give(source, f"{shares}[..., {j}]", self.group.batched)


class Detach(Kernel):
    """``v.detach()`` inside the traced function: the values pass, the gradients do not."""

    def __init__(self, group: Group, source: Source) -> None:
        super().__init__(group, "detach", {"detach": group.size}, group.size)
        self.operand = source

    def sources(self) -> list[Source]:
        return [self.operand]

    def forward(self, e: _Emitter) -> None:
        e.lines.append(f"    v{self.group.id} = {e.source(self.operand)}")

    def backward(self, e: _Emitter) -> None:
        pass


class Sum(Kernel):
    """Sums of many terms: the terms read from each group as one ``(size, n)`` gather, added
    up along the last axis, plus the constants among them."""

    def __init__(self, group: Group, terms: list[tuple[int, Array]], constant: Array | None,
                 ops: dict[str, int], nodes: int) -> None:
        super().__init__(group, "sum", ops, nodes)
        self.terms = [(g, index, Source(g, index.ravel())) for g, index in terms]
        self.constant = constant

    def sources(self) -> list[Source]:
        return [flat for _, _, flat in self.terms]

    def expression(self, e: _Emitter) -> str:
        parts = [] if self.constant is None else [e.const(self.constant)]
        for g, index, flat in self.terms:
            batched = e.plan.groups[g].batched
            if index.shape[1] == 1:
                parts.append(e.source(Source(g, flat.index)))
            elif flat.index is None:  # the whole group, in order: a view, no gather
                parts.append(f"v{g}.reshape({'B, ' if batched else ''}{index.shape[0]}, "
                             f"{index.shape[1]}).sum(-1)")
            else:
                gather = e.const(index, "i")
                parts.append(f"v{g}[:, {gather}].sum(-1)" if batched
                             else f"v{g}[{gather}].sum(-1)")
        return " + ".join(parts)

    def forward(self, e: _Emitter) -> None:
        e.lines.append(f"    v{self.group.id} = {self.expression(e)}")

    def backward(self, e: _Emitter, g: str | None = None) -> None:
        g = g or f"g{self.group.id}"
        for _, index, flat in self.terms:
            n = index.shape[1]
            share = g if n == 1 else f"np.repeat({g}, {n}, axis=-1)"
            e.give(flat, share, self.group.batched, fresh=n > 1)


class MatMul(Kernel):
    """Sums of weight * activation products that all read the same activations (a layer):
    ``activations @ weights.T``, plus the other terms (the biases) as a ``Sum``."""

    def __init__(self, group: Group, activations: Source, weights: Source,
                 shape: tuple[int, int], rest: Sum | None, ops: dict[str, int], nodes: int
                 ) -> None:
        super().__init__(group, "matmul", ops, nodes)
        self.activations, self.weights, self.shape, self.rest = activations, weights, shape, rest

    def sources(self) -> list[Source]:
        return [self.activations, self.weights, *(self.rest.sources() if self.rest else [])]

    def forward(self, e: _Emitter) -> None:
        self.x = e.temp(e.source(self.activations))
        self.w = e.temp(f"{e.source(self.weights)}.reshape{self.shape}")
        rest = "" if self.rest is None else f" + {self.rest.expression(e)}"
        e.lines.append(f"    v{self.group.id} = {self.x} @ {self.w}.T{rest}")

    def backward(self, e: _Emitter) -> None:
        g = f"g{self.group.id}"
        e.give(self.activations, f"{g} @ {self.w}", True, fresh=True)
        e.give(self.weights, f"({g}.T @ {self.x}).ravel()", False, fresh=True)
        if self.rest is not None:
            self.rest.backward(e, g)


# ---------------------------------------------------------------------------------------------
# The plan
# ---------------------------------------------------------------------------------------------

def _flatten_sums(graph: TracedGraph) -> tuple[dict[int, tuple[str, tuple[Any, ...]]],
                                                dict[int, int]]:
    """Each op node's (op, operands) once chains of single-use ``+``/``sum`` nodes are merged
    into one ``sum``, left to right; and how many traced nodes each one stands for."""
    uses: defaultdict[int, int] = defaultdict(int)
    for node in graph.nodes:
        for o in node.operands:
            if type(o) is int:
                uses[o] += 1
    for o in graph.outputs:
        uses[o] += 2  # an output is never merged into another node
    ops: dict[int, tuple[str, list[Any]]] = {}
    covers: dict[int, int] = {}
    for i, node in enumerate(graph.nodes):
        if not node.op:
            continue
        covers[i] = 1
        if node.op not in ("+", "sum"):
            ops[i] = (node.op, list(node.operands))
            continue
        terms: list[Any] = []
        for o in node.operands:
            if type(o) is int and uses[o] == 1 and o in ops and ops[o][0] in ("+", "sum"):
                merged = ops.pop(o)[1]
                if terms:
                    terms += merged
                else:  # the usual left-leaning chain: take its list over, no copy
                    terms = merged
                covers[i] += covers.pop(o)
            else:
                terms.append(o)
        ops[i] = ("sum" if len(terms) != 2 or node.op == "sum" else "+", terms)
    return {i: (op, tuple(operands)) for i, (op, operands) in ops.items()}, covers


class Plan:
    """The kernels that compute a traced graph over a batch, forward and backward.

    ``forward(inputs, params, captured)`` returns every group's values; ``output(values)``
    the outputs, a ``(B, n_outputs)`` array; ``backward(values, seed)`` the gradient of the
    parameters for a seed on the outputs.
    """

    def __init__(self, graph: TracedGraph) -> None:
        self.graph = graph
        self.groups: list[Group] = []
        self.place: dict[int, tuple[int, int]] = {}  # traced node -> (group, position)
        self.kernels: list[Kernel] = []
        self.input_groups = [self._group(w or 1, True).id for w in graph.widths]
        self.param_group = self._group(len(graph.params), False).id if graph.params else -1
        self.captured_group = (self._group(len(graph.captured), False).id
                               if graph.captured else -1)
        for i, node in enumerate(graph.nodes):
            if node.source is None:
                continue
            kind, *where = node.source
            if kind == "input":
                self.place[i] = (self.input_groups[where[0]], where[1])
            else:
                group = self.param_group if kind == "param" else self.captured_group
                self.place[i] = (group, where[0])
        self._build(*_flatten_sums(graph))
        self.outputs = [self.place[o] for o in graph.outputs]
        self.op_count = graph.op_count
        self._compile()
        graph.nodes = []  # the kernels hold all they need: the scalar nodes can go
        self.place = {}

    def _group(self, size: int, batched: bool) -> Group:
        group = Group(len(self.groups), size, batched)
        self.groups.append(group)
        return group

    def _build(self, ops: dict[int, tuple[str, tuple[Any, ...]]], covers: dict[int, int]
               ) -> None:
        # Bucket the op nodes: same depth, op, batchedness and operand groups. A node's
        # operands are in earlier buckets, so buckets become groups in order.
        nodes = self.graph.nodes
        level: dict[int, int] = dict.fromkeys(self.place, 0)
        bucket_of: dict[int, int] = {}  # op node -> the number of its bucket
        numbers: dict[tuple[Any, ...], int] = {}
        buckets: dict[tuple[Any, ...], list[int]] = {}
        for i in sorted(ops):
            op, operands = ops[i]
            level[i] = 1 + max((level[o] for o in operands if type(o) is int), default=0)
            shape = tuple(-1 if type(o) is not int else  # a constant
                          self.place[o][0] if o in self.place else -2 - bucket_of[o]
                          for o in operands)
            key = (level[i], op, nodes[i].batched, shape)
            bucket_of[i] = numbers.setdefault(key, len(numbers))
            buckets.setdefault(key, []).append(i)
        for key, members in buckets.items():
            op, batched = key[1], key[2]
            group = self._group(len(members), batched)
            for position, member in enumerate(members):
                self.place[member] = (group.id, position)
            sources = [self._source([ops[m][1][j] for m in members])
                       for j in range(len(key[3]))]
            count = sum(covers[m] for m in members)
            tally = {op: len(members)} if count == len(members) else \
                {op: len(members), "+": count - len(members)}
            if op == "detach":
                self.kernels.append(Detach(group, sources[0]))
            elif op in ("+", "sum"):
                self.kernels.append(self._sum(group, sources, tally, count))
            elif OPS[op].variadic:
                self.kernels.append(Stacked(group, op, sources, count))
            else:
                self.kernels.append(Elementwise(group, op, sources, count))
        self._fuse_matmuls()

    def _source(self, operands: list[Any]) -> Source:
        if type(operands[0]) is not int:
            return Source(constant=np.array(operands, dtype=float))
        group = self.place[operands[0]][0]
        index = np.array([self.place[o][1] for o in operands], dtype=np.intp)
        if len(index) == self.groups[group].size and (index == np.arange(len(index))).all():
            return Source(group)
        return Source(group, index)

    def _sum(self, group: Group, sources: list[Source], tally: dict[str, int], count: int
             ) -> Sum:
        by_group: dict[int, list[Array]] = {}
        constant = np.zeros(group.size)
        for s in sources:
            if s.constant is not None:
                constant = constant + s.constant
            else:
                index = s.index if s.index is not None else np.arange(group.size)
                by_group.setdefault(s.group, []).append(index)
        terms = [(g, np.stack(columns, axis=1)) for g, columns in by_group.items()]
        keep = constant if (constant != 0.0).any() or not terms else None
        return Sum(group, terms, keep, tally, count)

    def _fuse_matmuls(self) -> None:
        """Sums of weight * activation products over the same activations: matrix products."""
        by_group = {k.group.id: k for k in self.kernels}
        readers: defaultdict[int, int] = defaultdict(int)
        for kernel in self.kernels:
            for s in kernel.sources():
                if s.constant is None:
                    readers[s.group] += 1
        for o in self.graph.outputs:
            readers[self.place[o][0]] += 2
        dead: set[int] = set()
        for i, kernel in enumerate(self.kernels):
            if not isinstance(kernel, Sum) or not kernel.group.batched:
                continue
            for k, (g, index, _) in enumerate(kernel.terms):
                products = by_group.get(g)
                fused = self._matmul(kernel, products, index, readers)
                if fused is not None and products is not None:
                    rest_terms = [(tg, ix) for j, (tg, ix, _) in enumerate(kernel.terms) if j != k]
                    rest = (Sum(kernel.group, rest_terms, kernel.constant, {}, 0)
                            if rest_terms or kernel.constant is not None else None)
                    ops = dict(kernel.ops)
                    for op, n in products.ops.items():
                        ops[op] = ops.get(op, 0) + n
                    self.kernels[i] = MatMul(kernel.group, *fused, rest, ops,
                                             kernel.nodes + products.nodes)
                    dead.add(products.group.id)
                    break
        self.kernels = [k for k in self.kernels if k.group.id not in dead]
        self._finish()

    def _finish(self) -> None:
        """Mark the sources no parameter is behind (their gradients are never needed) and
        read whole groups, in order, without a gather."""
        wants = self.wants = {self.param_group}
        for kernel in self.kernels:
            if any(s.group in wants for s in kernel.sources() if s.constant is None):
                wants.add(kernel.group.id)
        for kernel in self.kernels:
            for s in kernel.sources():
                s.wanted = s.constant is None and s.group in wants
                if s.index is not None and len(s.index) == self.groups[s.group].size \
                        and (s.index == np.arange(len(s.index))).all():
                    s.index = None

    def _matmul(self, total: Sum, products: Kernel | None, index: Array,
                readers: dict[int, int]) -> tuple[Source, Source, tuple[int, int]] | None:
        if not isinstance(products, Elementwise) or products.kind != "*" \
                or readers[products.group.id] != 1:
            return None
        if len(np.unique(index)) != index.size or index.size != products.group.size:
            return None  # every product read exactly once, by this sum
        a, b = products.operands
        if a.constant is not None or b.constant is not None:
            return None
        batched = (self.groups[a.group].batched, self.groups[b.group].batched)
        if batched == (False, True):
            weights, activations = a, b
        elif batched == (True, False):
            weights, activations = b, a
        else:
            return None
        size = products.group.size

        def columns(source: Source) -> Array:
            positions: Array = source.index if source.index is not None else np.arange(size)
            picked: Array = positions[index]
            return picked

        act = columns(activations)
        if not (act == act[0]).all():
            return None  # rows read different activations
        rows = act[0]
        n = self.groups[activations.group].size
        identity = len(rows) == n and (rows == np.arange(n)).all()
        return (Source(activations.group, None if identity else rows),
                Source(weights.group, columns(weights).ravel()), index.shape)

    # running --------------------------------------------------------------------------------
    def _compile(self) -> None:
        """Write and compile the function that runs the plan (see ``source``)."""
        e = _Emitter(self)
        lines = e.lines
        lines.append("def run(inputs, params, captured, seed):")
        for k, g in enumerate(self.input_groups):
            lines.append(f"    v{g} = inputs[{k}]")
        lines.append("    B = inputs[0].shape[0]")
        if self.param_group >= 0:
            lines.append(f"    v{self.param_group} = params")
        if self.captured_group >= 0:
            lines.append(f"    v{self.captured_group} = captured")
        for kernel in self.kernels:
            kernel.forward(e)
        columns = [f"v{g}[:, {p}]" if self.groups[g].batched else f"np.full(B, v{g}[{p}])"
                   for g, p in self.outputs]
        (g, p), = self.outputs[:1] if len(self.outputs) == 1 else [(-1, -1)]
        if g >= 0 and self.groups[g].batched:  # one output: a view, no copy
            lines.append(f"    out = v{g}[:, {p}:{p + 1}]")
        else:
            lines.append(f"    out = np.stack([{', '.join(columns)}], axis=-1)")
        lines.append("    if seed is None:")
        lines.append("        return out, None")
        for j, (g, p) in enumerate(self.outputs):
            e.give(self._full(Source(g, np.array([p], dtype=np.intp))),
                   f"seed[:, {j}:{j + 1}]", True)
        for kernel in reversed(self.kernels):
            if kernel.group.id in e.grads:
                kernel.backward(e)
        grad = f"g{self.param_group}" if self.param_group in e.grads else \
            f"np.zeros({len(self.graph.params)})"
        lines.append(f"    return out, {grad if self.param_group >= 0 else 'None'}")
        self.source = "\n".join(lines) + "\n"
        namespace = dict(e.names)
        exec(compile(self.source, "<autograd_lite.compiled plan>", "exec"), namespace)
        self._run: Callable[..., tuple[Array, Array | None]] = namespace["run"]
        self.constants = [v for v in e.names.values() if isinstance(v, np.ndarray)]

    def _full(self, s: Source) -> Source:
        if s.index is not None and len(s.index) == self.groups[s.group].size \
                and (s.index == np.arange(len(s.index))).all():
            s.index = None
        s.wanted = s.group in self.wants
        return s

    def run(self, inputs: Sequence[Array], params: Array | None, captured: Array | None,
            seed: Array | None) -> tuple[Array, Array | None]:
        """Run the plan on a batch: ``inputs`` one ``(B, width)`` array per argument,
        ``params`` and ``captured`` the leaves' current data. Returns the outputs, a
        ``(B, n_outputs)`` array, and, when ``seed`` (``(B, n_outputs)``) is given, the
        gradient of ``sum(seed * outputs)`` for the parameters (None without any)."""
        return self._run(inputs, params, captured, seed)

    def memory(self) -> int:
        """Bytes held by the plan's index and constant arrays."""
        return sum(array.nbytes for array in self.constants)


