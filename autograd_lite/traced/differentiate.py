"""Pass 5, ``differentiate``: a forward program to one that also computes the parameters'
gradient, from the op table's rules.

The walk goes through the forward instructions in reverse, as ``backward()`` goes through a
graph, and calls each op's VJP rules from the table, the very functions ``backward()`` calls
with floats, here with symbolic arrays (``Sym``): ``g * b`` appends a multiplication to the
program, ``where(out <= 0.0, 0.0, g)`` a choice. So there is one set of rules for floats,
Values and arrays, and the backward program is derived, never written by hand. The array
primitives (``gather``, ``sum_last``, ``concat``, ...) only move or add numbers: each passes
gradients back by its transpose (a ``gather`` by a ``scatter``). A ``contract`` (a sum of
products) passes them back by the rule of ``*`` itself, applied to index-labelled operands:
``g * b`` summed the way the contraction sums, i.e. another contraction (for a layer's
weights, ``g.T @ x`` over the batch).

Where ``select`` did not choose an option, its rule gives no gradient at all (``None``), not
a zero: the walk carries a mask with such gradients, and where they are added to others, or
reach a parameter, entries outside the mask count as exactly 0, as in the eager walk, even if
a derivative further down is infinite there. (A contraction mixes all its outputs into every
entry of its operands: a masked gradient enters it as exact zeros outside the mask.)

>>> from autograd_lite import Value
>>> from .group import group
>>> from .simplify import simplify
>>> from .trace import trace
>>> w = Value(0.5)
>>> program = differentiate(group(simplify(trace(lambda x: (w * x).tanh(), [None], [w]))))
>>> [i.op for i in program.instrs]  # forward, then the rules of tanh and *
['*', 'tanh', '*', 'const', '-', '*', '*', 'batch_sum']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..engine import BUILTIN_OPS, OPS, where
from .ir import Instr, Program, Var

__all__ = ["differentiate", "Sym"]


class Sym:
    """A Var of the program being differentiated, with the arithmetic the rules use."""

    __slots__ = ("builder", "var")

    def __init__(self, builder: _Builder, var: Var) -> None:
        self.builder, self.var = builder, var

    @classmethod
    def apply_op(cls, name: str, operands: Sequence[Any]) -> Any:
        """The engine's vocabulary functions (``div``, ``exp``, ``where``, ...) call this."""
        builder = next(x.builder for x in operands if type(x) is Sym)
        return builder.apply(name, operands)

    def _op(self, name: str, *operands: Any) -> Any:
        return self.builder.apply(name, operands)

    def __add__(self, other: Any) -> Any:
        return self._op("+", self, other)

    def __radd__(self, other: Any) -> Any:
        return self._op("+", other, self)

    def __sub__(self, other: Any) -> Any:
        return self._op("-", self, other)

    def __rsub__(self, other: Any) -> Any:
        return self._op("-", other, self)

    def __mul__(self, other: Any) -> Any:
        return self._op("*", self, other)

    def __rmul__(self, other: Any) -> Any:
        return self._op("*", other, self)

    def __truediv__(self, other: Any) -> Any:
        return self._op("/", self, other)

    def __rtruediv__(self, other: Any) -> Any:
        return self._op("/", other, self)

    def __pow__(self, other: Any) -> Any:
        return self._op("**", self, other)

    def __neg__(self) -> Any:
        return self._op("neg", self)

    def __lt__(self, other: Any) -> Any:
        return self._op("lt", self, other)

    def __le__(self, other: Any) -> Any:
        return self._op("le", self, other)

    def __gt__(self, other: Any) -> Any:
        return self._op("gt", self, other)

    def __ge__(self, other: Any) -> Any:
        return self._op("ge", self, other)

    def __and__(self, other: Any) -> Any:
        return self._op("and", self, other)

    def __rand__(self, other: Any) -> Any:
        return self._op("and", other, self)

    def __bool__(self) -> bool:
        raise TypeError("a rule branched in Python on an array (use where(...))")

    __hash__ = None  # type: ignore[assignment]


class Masked:
    """A gradient that flows only where ``mask`` holds (``value`` is 0 elsewhere, but what
    is computed from it there must not count)."""

    __slots__ = ("mask", "value")

    def __init__(self, value: Sym, mask: Sym) -> None:
        self.value, self.mask = value, mask


_PRIMITIVES = {"lt", "le", "gt", "ge", "and", "equal", "sign", "where", "ones_like"}


def _broadcast(shapes: Sequence[tuple[int, ...]]) -> tuple[int, ...]:
    """NumPy's broadcasting of trailing shapes (without calling NumPy: it is on every rule)."""
    result: tuple[int, ...] = ()
    for shape in shapes:
        if shape == result or not shape:
            continue
        if not result:
            result = shape
            continue
        longer, shorter = (result, shape) if len(result) >= len(shape) else (shape, result)
        shorter = (1,) * (len(longer) - len(shorter)) + shorter
        merged = []
        for a, b in zip(longer, shorter, strict=True):
            if a != b and 1 not in (a, b):
                raise ValueError(f"shapes {result} and {shape} do not broadcast")
            merged.append(b if a == 1 else a)
        result = tuple(merged)
    return result


class _Builder:
    """Appends instructions for the symbolic arithmetic of the rules."""

    def __init__(self, program: Program) -> None:
        self.program = program
        self.constants: dict[float, Var] = {}
        self.values = {i.out.id: i.attrs["value"] for i in program.instrs if i.op == "const"}

    def sym(self, var: Var) -> Sym:
        return Sym(self, var)

    def constant(self, value: float) -> Var:
        key = float(value)
        var = self.constants.get(key) if key == key else None
        if var is None:
            var = self.program.emit("const", [], (), False, value=np.array(key))
            self.values[var.id] = np.array(key)
            if key == key:
                self.constants[key] = var
        return var

    def as_var(self, x: Any) -> Var:
        if type(x) is Sym:
            return x.var
        if type(x) is Masked:
            raise TypeError("a masked gradient in a rule")  # pragma: no cover - by design
        if isinstance(x, bool | int | float | np.floating | np.integer | np.bool_):
            return self.constant(float(x))
        raise TypeError(f"a rule used {type(x).__name__} where an array was expected")

    def apply(self, name: str, operands: Sequence[Any]) -> Any:
        if name == "where":
            condition, a, b = operands
            known = self.known(condition)
            if known is not None and known.size and (known == known.flat[0]).all():
                return a if known.flat[0] else b  # a choice made already, for every entry
            if b is None:  # no gradient where the condition fails: a masked gradient
                value = self.apply("where", (condition, a, 0.0))
                mask = self.sym(self.as_var(condition))
                return Masked(value, mask)
        if name not in _PRIMITIVES and name not in OPS:
            raise KeyError(f"no op named {name!r}")
        if name == "*":  # a product by exactly 1 is the other factor (a rule's b ** 1 too)
            for x, other in ((operands[0], operands[1]), (operands[1], operands[0])):
                if type(other) is Sym and _is_one(self.known(x)):
                    return other
        if name == "**" and type(operands[0]) is Sym and _is_one(self.known(operands[1])):
            return operands[0]
        args = [self.as_var(x) for x in operands]
        shape = _broadcast([a.shape for a in args])
        if all(a.id in self.values for a in args):  # constants only: computed now, once
            from .emit import primitive
            with np.errstate(all="ignore"):
                value = np.asarray(primitive(name)(*[self.values[a.id] for a in args]),
                                   dtype=float)
            out = self.program.emit("const", [], value.shape, False, value=value)
            self.values[out.id] = value
            return self.sym(out)
        out = self.program.emit(name, args, shape, any(a.batched for a in args))
        return self.sym(out)

    def known(self, x: Any) -> Any:
        """The value of ``x`` if it is known now (a number or a constant), else None."""
        if isinstance(x, bool | int | float):
            return np.array(float(x))
        if type(x) is Sym:
            return self.values.get(x.var.id)
        return None

    def emit(self, op: str, args: Sequence[Var], shape: Sequence[int], batched: bool,
             **attrs: Any) -> Sym:
        if args and all(a.id in self.values for a in args):  # constants only: folded now
            from .emit import function_of

            out = self.program.var(shape, batched)
            with np.errstate(all="ignore"):
                value = np.asarray(function_of(Instr(op, out, tuple(args), attrs))(
                    *[self.values[a.id] for a in args]), dtype=float)
            var = self.program.emit("const", [], value.shape, False, value=value)
            self.values[var.id] = value
            return self.sym(var)
        out = self.program.emit(op, args, shape, batched, **attrs)
        if op == "const":
            self.values[out.id] = attrs["value"]
        return self.sym(out)


# ---------------------------------------------------------------------------------------------
# The walk
# ---------------------------------------------------------------------------------------------

def differentiate(program: Program) -> Program:
    """Append to ``program`` the instructions computing ``grads``: the gradient of
    ``sum(seed * output)`` for the parameters (a ``(P,)`` array)."""
    if program.params is None:
        return program
    forward = list(program.instrs)
    builder = _Builder(program)
    wanted = {program.params.id}
    for instr in forward:
        if instr.op != "detach" and any(a.id in wanted for a in instr.args):
            wanted.add(instr.out.id)
    output = program.output
    assert output is not None
    program.seed = program.var(output.shape, True)
    grads: dict[int, list[Any]] = {}
    if output.id in wanted:
        grads[output.id] = [builder.sym(program.seed)]
    for instr in reversed(forward):
        contributions = grads.pop(instr.out.id, None)
        if not contributions:
            continue
        only = contributions[0]
        if len(contributions) == 1 and type(only) is Sym and \
                only.var.batched == instr.out.batched:
            g = only  # one contribution, as it is: the usual case in a deep, narrow graph
        else:
            g = _total(builder, contributions, instr.out)
        for position, contribution in _pass_back(builder, instr, g, wanted):
            target = instr.args[position]
            grads.setdefault(target.id, []).append(_fit(builder, contribution, target))
    params = program.params
    contributions = grads.pop(params.id, None)
    if contributions:
        total = _resolved(builder, _total(builder, contributions, params))
        program.grads = _fit(builder, total, params).var
    else:
        program.grads = builder.emit("const", [], params.shape, False,
                                     value=np.zeros(params.shape)).var
    return program


def _total(builder: _Builder, contributions: list[Any], var: Var) -> Any:
    """The contributions added up (masked ones count only inside their masks). For an
    unbatched ``var`` the batched ones (each example's share of a parameter) are added up
    first and summed over the batch once."""
    if not var.batched:
        batched = [c for c in contributions if _batched(c)]
        if batched:
            once = [c for c in contributions if not _batched(c)]
            total = _batch_summed(builder, _total(builder, batched, builder.program.var(
                var.shape, True)))
            return _total(builder, [total, *once], var) if once else total
    plain = [c for c in contributions if type(c) is not Masked]
    masked = [c for c in contributions if type(c) is Masked]
    if not plain:
        if len(masked) == 1:
            return masked[0]
        return Masked(_added(builder, [_resolved(builder, c) for c in masked]),
                      builder.apply("gt", (_added(builder, [c.mask * 1.0 for c in masked]),
                                           0.0)))
    plain = _merged_scatters(builder, plain, var)
    return _added(builder, [*plain, *[_resolved(builder, c) for c in masked]])


def _batched(c: Any) -> bool:
    return bool((c.value if type(c) is Masked else c).var.batched)


def _batch_summed(builder: _Builder, total: Any) -> Any:
    """A batched gradient summed over the batch (a masked one: its mask, where any example's
    holds)."""
    if type(total) is Masked:
        mask = builder.emit("batch_sum", [(total.mask * 1.0).var], total.mask.var.shape, False)
        return Masked(builder.emit("batch_sum", [total.value.var], total.value.var.shape,
                                   False), builder.apply("gt", (mask, 0.0)))
    return builder.emit("batch_sum", [total.var], total.var.shape, False)


def _added(builder: _Builder, terms: list[Sym]) -> Sym:
    """The sum of ``terms``: one instruction however many there are (a weight used at many
    positions, a node read by many ops)."""
    if len(terms) == 1:
        return terms[0]
    if len(terms) == 2:
        return terms[0] + terms[1]  # type: ignore[no-any-return]
    vars_ = [t.var for t in terms]
    return builder.emit("add_n", vars_, _broadcast([v.shape for v in vars_]),
                        any(v.batched for v in vars_))


def _merged_scatters(builder: _Builder, contributions: list[Sym], var: Var) -> list[Sym]:
    """Contributions that are scatters into ``var`` (a parameter's share of each layer, say)
    become one scatter of them all: one zero array, added into in place."""
    if len(contributions) < 2:
        return contributions
    producer = {i.out.id: i for i in builder.program.instrs[-4 * len(contributions) - 8:]}
    scatters = [producer.get(c.var.id) for c in contributions]
    parts = [i for i in scatters if i is not None and i.op == "scatter"
             and i.out.batched == var.batched and i.out.shape == var.shape]
    if len(parts) < 2:
        return contributions
    merged = builder.emit("scatter_sum", [i.args[0] for i in parts], var.shape, var.batched,
                          indices=[i.attrs["index"] for i in parts])
    merged_ids = {i.out.id for i in parts}
    return [merged, *[c for c in contributions if c.var.id not in merged_ids]]


def _resolved(builder: _Builder, g: Any) -> Sym:
    """A gradient as a plain array: a masked one with exact zeros outside its mask."""
    if type(g) is Masked:
        g = where(g.mask, g.value, 0.0)
    return g if type(g) is Sym else builder.sym(builder.as_var(g))


def _fit(builder: _Builder, g: Any, target: Var) -> Any:
    """A contribution made to fit ``target``: summed over axes the target broadcast along,
    spread over axes it has and ``g`` lacks (the batch is summed over in ``_total``)."""
    if type(g) is Masked:
        return Masked(_fit(builder, g.value, target), _fit_mask(builder, g.mask, target))
    var = g.var  # a batched contribution to an unbatched target: summed over the batch later
    if var.shape != target.shape:
        common = _broadcast([var.shape, target.shape])
        if common != target.shape:
            var = builder.emit("sum_to", [var], target.shape, var.batched,
                               to=target.shape).var
        if var.shape != target.shape:
            var = builder.emit("spread_to", [var], target.shape, var.batched,
                               to=target.shape).var
    return builder.sym(var)


def _fit_mask(builder: _Builder, mask: Sym, target: Var) -> Sym:
    fitted = _fit(builder, mask * 1.0, target)
    return builder.apply("gt", (fitted, 0.0))  # type: ignore[no-any-return]


def _pass_back(builder: _Builder, instr: Instr, g: Any, wanted: set[int]
               ) -> list[tuple[int, Any]]:
    """``(position, contribution)`` for each wanted operand of ``instr`` when ``g`` flows
    into its result."""
    wants = [j for j, a in enumerate(instr.args) if a.id in wanted]
    if not wants or instr.op == "detach":
        return []
    if type(g) is Masked and instr.op == "contract":  # only the products the mask lets in
        return _contract_t(builder, instr, g.value, wants, mask=g.mask)
    if type(g) is Masked:  # what a masked gradient gives is masked the same way
        out = []
        for j, c in _pass_back(builder, instr, g.value, wanted):
            if not isinstance(c, Sym | Masked):
                c = builder.sym(builder.as_var(c))
            if type(c) is Masked:
                c = Masked(c.value, c.mask & _spread_mask(builder, instr, j, g.mask))
            else:
                c = Masked(c, _spread_mask(builder, instr, j, g.mask))
            out.append((j, c))
        return out
    transpose = _TRANSPOSES.get(instr.op)
    if transpose is not None:
        return [(j, c) for j, c in transpose(builder, instr, g, wants) if c is not None]
    return _by_rules(builder, instr, g, wants)


def _spread_mask(builder: _Builder, instr: Instr, j: int, mask: Sym) -> Sym:
    """``mask`` (over ``instr``'s result) carried to operand ``j`` as a gradient would be."""
    if instr.op in _TRANSPOSES:
        weights = mask * 1.0
        if weights.var.shape != instr.out.shape:  # a mask shared by all entries: spread out
            weights = builder.emit("spread_to", [weights.var], instr.out.shape,
                                   weights.var.batched, to=instr.out.shape)
        [(_, spread)] = _TRANSPOSES[instr.op](builder, instr, weights, [j])
        return builder.apply("gt", (spread, 0.0))  # type: ignore[no-any-return]
    if instr.op in OPS and OPS[instr.op].variadic:  # over the stack of terms
        return builder.emit("expand", [mask.var], (*mask.var.shape, 1), mask.var.batched)
    return mask


def _by_rules(builder: _Builder, instr: Instr, g: Sym, wants: list[int]
              ) -> list[tuple[int, Any]]:
    """An op of the table: its VJP rules, called with symbolic arrays."""
    row = OPS[instr.op]
    out = builder.sym(instr.out)
    args = [builder.sym(a) for a in instr.args]
    passed = []
    if row.variadic:  # one rule per term, applied to the whole stack of terms at once
        *heads, stack = args
        width = stack.var.shape[-1]
        positions = builder.emit("const", [], (width,), False,
                                 value=np.arange(width, dtype=float))
        expand = [x if not x.var.shape else  # a constant shared by all: as it is
                  builder.emit("expand", [x.var], (*x.var.shape, 1), x.var.batched)
                  for x in (g, out, *heads)]
        if len(args) - 1 in wants:
            passed.append((len(args) - 1, row.vjps[0](expand[0], expand[1], stack,
                                                      positions, *expand[2:])))
        return [(j, c if isinstance(c, Sym | Masked) else builder.sym(builder.as_var(c)))
                for j, c in passed if c is not None and not _is_zero(c)
                and not _is_zero(builder.known(c))]
    for j in wants:
        try:
            contribution = row.vjps[j](g, out, *args)
        except Exception:
            if instr.op in BUILTIN_OPS:
                raise
            contribution = builder.emit("rule", [g.var, out.var, *instr.args], g.var.shape,
                                        g.var.batched, rule_of=instr.op, operand=j)
        if contribution is None:
            continue
        if type(contribution) is Sym:
            known = builder.values.get(contribution.var.id)
            if known is not None and not known.any():
                continue  # exactly zero: no contribution
        elif type(contribution) is not Masked:  # a constant: every entry the same
            if contribution == 0.0:
                continue
            contribution = builder.emit("broadcast_const", [g.var], g.var.shape, g.var.batched,
                                        value=float(contribution))
        passed.append((j, contribution))
    return passed


def _is_one(value: Any) -> bool:
    return value is not None and value.shape == () and float(value) == 1.0


def _is_zero(c: Any) -> bool:
    """True for a number or a known array that is all exactly 0."""
    if isinstance(c, int | float):
        return c == 0.0
    return isinstance(c, np.ndarray) and bool((c == 0.0).all())


# ---------------------------------------------------------------------------------------------
# The array primitives' transposes
# ---------------------------------------------------------------------------------------------

def _gather_t(builder: _Builder, instr: Instr, g: Sym, wants: list[int]
              ) -> list[tuple[int, Any]]:
    [source] = instr.args
    var = g.var
    if var.batched and not source.batched:  # sum over the batch first: a smaller scatter
        var = builder.emit("batch_sum", [var], var.shape, False).var
    return [(0, builder.emit("scatter", [var], source.shape, var.batched,
                             index=instr.attrs["index"], size=source.size))]


def _sum_last_t(builder: _Builder, instr: Instr, g: Sym, wants: list[int]
                ) -> list[tuple[int, Any]]:
    [source] = instr.args
    return [(0, builder.emit("spread", [g.var], source.shape, g.var.batched,
                             width=source.shape[-1]))]


def _concat_t(builder: _Builder, instr: Instr, g: Sym, wants: list[int]
              ) -> list[tuple[int, Any]]:
    out, start = [], 0
    for j, part in enumerate(instr.args):
        if j in wants:
            index = np.arange(start, start + part.size, dtype=np.intp)
            out.append((j, builder.emit("gather", [g.var], part.shape, g.var.batched,
                                        index=index)))
        start += part.size
    return out


def _broadcast_t(builder: _Builder, instr: Instr, g: Sym, wants: list[int]
                 ) -> list[tuple[int, Any]]:
    return [(0, g)] if 0 in wants else []


def _expand_t(builder: _Builder, instr: Instr, g: Sym, wants: list[int]
              ) -> list[tuple[int, Any]]:
    source = instr.args[0]
    return [(0, builder.emit("sum_to", [g.var], source.shape, g.var.batched,
                             to=source.shape))]


def _take_t(builder: _Builder, instr: Instr, g: Sym, wants: list[int]
            ) -> list[tuple[int, Any]]:
    table, positions = instr.args
    return [(0, builder.emit("put", [g.var, positions], table.shape, False,
                             size=table.size))] if 0 in wants else []


def _contract_t(builder: _Builder, instr: Instr, g: Sym, wants: list[int],
                mask: Sym | None = None) -> list[tuple[int, Any]]:
    """A contraction ``out = sum(a * b)`` passes ``g`` back by the rules of ``*``: the rule
    for ``a``, ``g * b``, summed over the indices that ``a`` does not have. With a ``mask``
    (``g`` flows only inside it), only the products whose gradient is inside count, and the
    result flows only into the entries that such a product reaches."""
    a, b = instr.args
    spec_a, spec_b, spec_out = instr.attrs["spec"]
    grid_a, grid_b, grid_out = instr.attrs["grids"]
    labelled = {id(x): (var, spec, grid) for x, var, spec, grid in (
        (_G, g.var, spec_out, grid_out), (_A, a, spec_a, grid_a), (_B, b, spec_b, grid_b))}
    out = []
    for j, (var, spec, grid) in enumerate(((a, spec_a, grid_a), (b, spec_b, grid_b))):
        if j not in wants:
            continue
        product = OPS["*"].vjps[j](_G, _OUT, _A, _B)  # g * b, or g * a
        factors = product.factors if type(product) is _Product else ()
        if len(factors) != 2 or not all(id(f) in labelled for f in factors):
            raise ValueError("the rule of * is no longer a product: contractions need it")
        (x, sx, gx), (y, sy, gy) = (labelled[id(f)] for f in factors)
        attrs: dict[str, Any] = {"spec": (sx, sy, spec), "grids": (gx, gy, grid)}
        if "valid" in instr.attrs:  # a ragged grid: the same products count, and no others
            attrs["valid"] = instr.attrs["valid"]
        args = [x, y]
        if mask is not None:
            m = mask.var  # laid out as g is: the contraction reads it with g's labels
            if m.shape != g.var.shape:
                m = builder.emit("spread_to", [m], g.var.shape, m.batched, to=g.var.shape).var
            if g.var.batched and not m.batched:
                m = builder.emit("broadcast", [m, g.var], m.shape, True).var
            args.append(m)
            attrs["mask_of"] = 0 if x is g.var else 1
        c: Any = builder.emit("contract", args, var.shape, var.batched, **attrs)
        if mask is not None:  # where the contribution flows: a product of the mask and 1s
            other = y if x is g.var else x
            ones = builder.emit("ones_like", [other], other.shape, other.batched)
            reach_args = [m, ones.var] if x is g.var else [ones.var, m]
            reach_attrs = {k: v for k, v in attrs.items() if k != "mask_of"}
            reach = builder.emit("contract", reach_args, var.shape, var.batched, **reach_attrs)
            c = Masked(c, builder.apply("gt", (reach, 0.0)))
        out.append((j, c))
    return out


class _Product:
    """What the rule of ``*`` gives for index-labelled operands: the factors it multiplies."""

    def __init__(self, *factors: Any) -> None:
        self.factors = factors


class _Label:
    def __mul__(self, other: Any) -> _Product:
        return _Product(self, other)

    __rmul__ = __mul__


_G, _OUT, _A, _B = _Label(), _Label(), _Label(), _Label()

_TRANSPOSES = {
    "gather": _gather_t, "sum_last": _sum_last_t, "concat": _concat_t,
    "broadcast": _broadcast_t, "expand": _expand_t, "take": _take_t, "contract": _contract_t,
}
