"""Pass 7, ``emit``: a scheduled program to a function that runs it on NumPy arrays.

Each instruction becomes a small Python function over NumPy arrays (an op of the table runs
its row's array form), and the program one straight-line Python function calling them in
order (``Runner.source`` shows it), so running a step costs one Python call per instruction
on top of NumPy's own work. A very long program (a deep chain of ops that nothing groups)
is run by a loop over the same functions instead, since compiling Python source costs far
more per line than the loop does per step.

>>> import numpy as np
>>> from autograd_lite import Value
>>> from .compiler import compile_trace
>>> from .trace import trace
>>> w = Value(0.5)
>>> compiled = compile_trace(trace(lambda x: (w * x).tanh(), [None], [w]))
>>> outputs, grads = compiled.runner.run([np.array([[1.0], [2.0]])], np.array([0.5]), None,
...                                      np.ones((2, 1)))
>>> outputs.round(4).tolist(), grads.round(4).tolist()
([[0.4621], [0.7616]], [1.6264])
>>> print(compiled.runner.source.splitlines()[0])
def run(inputs, params, captured, seed):
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..engine import OPS, Op
from .ir import Instr, Program, Var

__all__ = ["Runner", "emit", "function_of", "primitive", "array_function"]

Array = np.ndarray
SOURCE_LIMIT = 3000  # instructions: above this the program runs as a loop


def _sum_to(x: Array, shape: tuple[int, ...], batched: bool) -> Array:
    lead = 1 if batched else 0
    extra = x.ndim - lead - len(shape)
    if extra:
        x = x.sum(axis=tuple(range(lead, lead + extra)))
    axes = tuple(lead + k for k, n in enumerate(shape) if n == 1 and x.shape[lead + k] != 1)
    return x.sum(axis=axes, keepdims=True) if axes else x


_PRIMITIVES: dict[str, Callable[..., Any]] = {
    "lt": np.less, "le": np.less_equal, "gt": np.greater, "ge": np.greater_equal,
    "and": np.logical_and, "equal": np.equal, "sign": np.sign, "where": np.where,
}


def array_function(op: Op) -> Callable[..., Any]:
    """The op's forward function over arrays: its row's ``array``, or its float ``forward``
    itself when that works on arrays (written with the table's vocabulary), or else its
    forward called element by element."""
    if op.array is not None:
        return op.array
    probe = [np.array([-1.5, -0.5, 0.0, 0.5, 2.0]) for _ in range(op.arity or 1)]
    try:
        with np.errstate(all="ignore"):
            result = np.asarray(op.forward(*probe), dtype=float)
            expected = np.array([op.forward(*[float(p[k]) for p in probe]) for k in range(5)])
        if result.shape == (5,) and np.allclose(result, expected, rtol=1e-12, atol=0.0,
                                                equal_nan=True):
            return op.forward
    except Exception:
        pass
    return np.vectorize(op.forward, otypes=[float])


def primitive(name: str) -> Callable[..., Any]:
    """The NumPy function of a vocabulary primitive or of an op of the table."""
    if name in _PRIMITIVES:
        return _PRIMITIVES[name]
    return array_function(OPS[name])


def _gather(index: Array, fill: float | None, trailing: int) -> Callable[[Array], Array]:
    """``x[..., index]`` over the ``trailing`` axes of ``x`` taken as one (``-1``: ``fill``)."""
    flat = index.ravel()
    shape = index.shape

    def flattened(x: Array) -> Array:
        return x.reshape(*x.shape[:x.ndim - trailing], -1) if trailing != 1 else x

    if fill is not None and (flat < 0).any():

        def padded(x: Array) -> Array:
            x = flattened(x)
            extended = np.concatenate(
                [x, np.full((*x.shape[:-1], 1), fill)], axis=-1)
            return extended[..., flat].reshape(*x.shape[:-1], *shape)

        return padded
    if flat.size and (np.diff(flat) == 1).all():  # a contiguous range: a view
        start, stop = int(flat[0]), int(flat[-1]) + 1

        def sliced(x: Array) -> Array:
            x = flattened(x)
            return x[..., start:stop].reshape(*x.shape[:-1], *shape)

        return sliced

    def gathered(x: Array) -> Array:
        x = flattened(x)
        return x[..., flat].reshape(*x.shape[:-1], *shape)

    return gathered


def _scatter(index: Array, target: tuple[int, ...]) -> Callable[[Array], Array]:
    """The transpose of ``_gather``: entries added into zeros of the ``target`` shape (entries
    at ``-1`` were the gather's fill: they go nowhere)."""
    return _scatter_sum([index], target)


def _scatter_sum(indices: list[Array], target: tuple[int, ...]) -> Callable[..., Array]:
    """Scatters into one zero array of the ``target`` shape, added in place: by assignment
    where a scatter's positions are distinct, else by ``bincount``, with the batch rows laid
    end to end (much faster than ``np.add.at``)."""
    size = int(np.prod(target, dtype=np.int64))
    plans = []
    for index in indices:
        flat = index.ravel()
        valid = flat >= 0
        positions = flat[valid]
        every = bool(valid.all())
        unique = len(np.unique(positions)) == len(positions)
        whole = every and unique and len(flat) == size and (flat == np.arange(size)).all()
        inverse = None  # each target entry read once: the scatter is a gather
        if unique and len(positions) == size:
            inverse = np.empty(size, dtype=np.intp)
            inverse[positions] = np.flatnonzero(valid)
        plans.append((flat, valid, positions, every, unique, whole, index.ndim, inverse))
    single = len(plans) == 1
    joint = np.concatenate([plan[2] for plan in plans])
    if not single and len(np.unique(joint)) == len(joint):  # parts side by side: one write
        whole = len(joint) == size
        if whole:
            order = np.empty(size, dtype=np.intp)
            order[joint] = np.arange(size)
        masks = [None if plan[3] else plan[1] for plan in plans]
        ndim = plans[0][6]

        def side_by_side(*gs: Array) -> Array:
            lead = gs[0].shape[:gs[0].ndim - ndim]
            values = [g.reshape(*lead, -1) if m is None else g.reshape(*lead, -1)[..., m]
                      for g, m in zip(gs, masks, strict=True)]
            flat = np.concatenate(values, axis=-1)
            if whole:
                return flat[..., order].reshape(*lead, *target)
            out = np.zeros((*lead, size))
            out[..., joint] = flat
            return out.reshape(*lead, *target)

        return side_by_side

    def scatter_sum(*gs: Array) -> Array:
        lead = gs[0].shape[:gs[0].ndim - plans[0][6]]
        out = None
        for g, (_, valid, positions, every, unique, whole, _, inverse) in zip(
                gs, plans, strict=True):
            values = g.reshape(*lead, -1)
            if single and whole:
                return values.reshape(*lead, *target)
            if single and inverse is not None:
                return values[..., inverse].reshape(*lead, *target)
            if not every:
                values = values[..., valid]
            if out is None:
                out = np.zeros((*lead, size))
            if unique:
                out[..., positions] += values
            elif not lead:
                out += np.bincount(positions, weights=values, minlength=size)
            else:
                rows = lead[0]
                spread = (positions[None, :] + size * np.arange(rows)[:, None]).ravel()
                out += np.bincount(spread, weights=values.reshape(-1),
                                   minlength=rows * size).reshape(rows, size)
        assert out is not None
        return out.reshape(*lead, *target)

    return scatter_sum


def _contract(instr: Instr) -> Callable[[Array, Array], Array]:
    """``einsum(spec)`` of two arrays, run as one matrix product (BLAS): axes of length 1 are
    dropped, the labels both operands share with the result are batch axes, those they share
    without it are summed, the others are the rows of one and the columns of the other, in
    whichever order gives the result's layout without a copy."""
    spec_a, spec_b, spec_out = instr.attrs["spec"]
    grid_a, grid_b, grid_out = instr.attrs["grids"]  # the operands' shapes as grids
    x_var, y_var = instr.args[:2]
    sizes: dict[str, int | None] = {"b": None}
    for spec, grid in ((spec_a, grid_a), (spec_b, grid_b), (spec_out, grid_out)):
        for c, n in zip(spec.replace("b", ""), grid, strict=True):
            sizes[c] = n
    a, b, out = ("".join(c for c in spec if sizes[c] != 1)
                 for spec in (spec_a, spec_b, spec_out))
    out_shape, batched = instr.out.shape, instr.out.batched
    squeeze_x = tuple(-1 if c == "b" else n for c, n in zip(
        spec_a, (0, *grid_a) if x_var.batched else grid_a, strict=True) if c == "b" or n != 1)
    squeeze_y = tuple(-1 if c == "b" else n for c, n in zip(
        spec_b, (0, *grid_b) if y_var.batched else grid_b, strict=True) if c == "b" or n != 1)
    batch = [c for c in out if c in a and c in b]
    summed = [c for c in a if c in b and c not in out]
    if any(c not in out and c not in b for c in a) or any(c not in out and c not in a
                                                          for c in b):
        raise ValueError(f"a contraction that sums an axis of one operand: {instr}")
    if not [c for c in a if c not in b] and not [c for c in b if c not in a]:
        expression = f"{a},{b}->{out}"  # dot products along the summed axes

        def dots(x: Array, y: Array) -> Array:
            lead = () if not batched else (x.shape[0],) if x_var.batched else (y.shape[0],)
            x, y = x.reshape(squeeze_x), y.reshape(squeeze_y)
            result: Array = np.einsum(expression, x, y)
            return result.reshape(*lead, *out_shape)

        return dots
    options = []
    for first, second, swap in ((a, b, False), (b, a, True)):
        rows = [c for c in first if c not in second]
        columns = [c for c in second if c not in first]
        order = batch + rows + columns
        options.append((order != list(out), swap, rows, columns, order))
    _, swap, rows, columns, order = min(options, key=lambda o: o[0])
    first, second = (b, a) if swap else (a, b)
    perm_1 = tuple(first.index(c) for c in batch + rows + summed)
    perm_2 = tuple(second.index(c) for c in batch + summed + columns)
    perm_out = tuple(order.index(c) for c in out)
    keep_1 = perm_1 != tuple(range(len(first)))
    keep_2 = perm_2 != tuple(range(len(second)))
    transpose_out = perm_out != tuple(range(len(out)))

    def static(labels: list[str]) -> tuple[int, bool]:  # the product of the sizes, and
        n = 1                                           # whether the batch is among them
        for c in labels:
            n *= sizes[c] or 1
        return n, "b" in labels

    groups = [static(labels) for labels in (batch, rows, summed, columns)]
    order_shape = [(-1 if c == "b" else sizes[c]) for c in order]
    full = (-1, *out_shape) if batched else out_shape

    def product(x: Array, y: Array) -> Array:
        rows_b = x.shape[0] if x_var.batched else y.shape[0] if y_var.batched else 1
        (nb, bb), (nr, br), (nk, bk), (nc, bc) = groups
        x = x.reshape(squeeze_x)
        y = y.reshape(squeeze_y)
        if swap:
            x, y = y, x
        if keep_1:
            x = x.transpose(perm_1)
        if keep_2:
            y = y.transpose(perm_2)
        nb, nr, nk, nc = (nb * rows_b if bb else nb, nr * rows_b if br else nr,
                          nk * rows_b if bk else nk, nc * rows_b if bc else nc)
        if nb == 1:
            result = x.reshape(nr, nk) @ y.reshape(nk, nc)
        else:
            result = np.matmul(x.reshape(nb, nr, nk), y.reshape(nb, nk, nc))
        if transpose_out:
            result = result.reshape(order_shape).transpose(perm_out)
        shaped: Array = result.reshape(full)
        return shaped

    return product


def _masked(instr: Instr, fast: Callable[[Array, Array], Array]) -> Callable[..., Array]:
    """A contraction that must add only some of its products: those of a grid with holes
    (``valid``, causal attention), and, for a gradient that flows only where a mask holds
    (past a ``select``), those whose gradient entry is inside the mask (the third operand).
    The matrix product is exact while the operands are finite (every extra product is 0 times
    a number); otherwise (0 times an infinity is nan) only the products that count are added.
    """
    spec_a, spec_b, spec_out = instr.attrs["spec"]
    lead = "b" if "b" in spec_a + spec_b else ""
    full = lead + "xijk"
    valid = instr.attrs.get("valid")
    product = f"{spec_a},{spec_b}->{full}"
    summed = tuple(k for k, c in enumerate(full) if c not in spec_out)
    kept = "".join(c for c in full if c in spec_out)
    order = [kept.index(c) for c in spec_out]
    shape = instr.out.shape
    grid_a, grid_b, _ = instr.attrs["grids"]
    x_var, y_var = instr.args[:2]
    batched = instr.out.batched
    masked = instr.attrs.get("mask_of")  # 0 or 1: the operand the third argument masks
    if masked is not None:
        spec_m, grid_m = (spec_a, grid_a) if masked == 0 else (spec_b, grid_b)
        m_batched = instr.args[2].batched
        # the mask's axes in the order of ``full``, with new axes for the labels it lacks
        present = [c for c in full if c in spec_m]
        to_full = [spec_m.index(c) for c in present]
        expand = tuple(slice(None) if c in spec_m else None for c in full)

    def shaped(v: Array, grid: tuple[int, ...], is_batched: bool) -> Array:
        return v.reshape(*v.shape[:1], *grid) if is_batched else v.reshape(grid)

    def contract(x: Array, y: Array, mask: Array | None = None) -> Array:
        if np.isfinite(x).all() and np.isfinite(y).all():
            return fast(x, y) if mask is None else fast(np.where(
                mask.reshape(x.shape if masked == 0 else y.shape), x, 0.0) if masked == 0
                else x, y if masked == 0 else np.where(mask.reshape(y.shape), y, 0.0))
        x, y = shaped(x, grid_a, x_var.batched), shaped(y, grid_b, y_var.batched)
        terms = np.einsum(product, x, y)
        keep: Any = True if valid is None else valid
        if mask is not None:
            m = shaped(mask, grid_m, m_batched).astype(bool).transpose(to_full)
            keep = keep & m[expand]
        terms = np.where(keep, terms, 0.0)
        result: Array = terms.sum(axis=summed).transpose(order)
        return result.reshape(*result.shape[:1], *shape) if batched else result.reshape(shape)

    return contract


def _add_n(*xs: Array) -> Array:
    """The sum of many arrays (broadcast together), added into one new array in place."""
    out: Array = xs[0] + xs[1]
    for x in xs[2:]:
        if x.ndim > out.ndim or x.shape != out.shape[out.ndim - x.ndim:]:
            out = out + x  # a larger shape: a new array
        else:
            out += x
    return out


def _variadic(op: Op) -> Callable[..., Any]:
    forward = array_function(op)

    def run(*args: Array) -> Array:
        *heads, stack = args
        if heads:  # a selector and options, one of them batched: both to the same shape
            shape = np.broadcast_shapes(*[h.shape for h in heads], stack.shape[:-1])
            heads = [np.broadcast_to(h, shape) for h in heads]
            stack = np.broadcast_to(stack, (*shape, stack.shape[-1]))
        result: Array = forward(*heads, stack)
        return result

    return run


_TABLE_FUNCTIONS: dict[tuple[str, Op], Callable[..., Any]] = {}


def function_of(instr: Instr) -> Callable[..., Any]:
    """The Python function over NumPy arrays that computes ``instr``."""
    op, attrs = instr.op, instr.attrs
    row = OPS.get(op)
    if row is not None:  # an op of the table, the most common case: its array form
        key = (op, row)
        function = _TABLE_FUNCTIONS.get(key)
        if function is None:
            function = _TABLE_FUNCTIONS[key] = _variadic(row) if row.variadic else \
                array_function(row)
        return function
    if op == "const":
        value = attrs["value"]
        return lambda: value
    if op == "gather":
        return _gather(attrs["index"], attrs.get("fill"), len(instr.args[0].shape))
    if op == "scatter":
        return _scatter(attrs["index"], instr.out.shape)
    if op == "scatter_sum":
        return _scatter_sum(attrs["indices"], instr.out.shape)
    if op == "add_n":
        return _add_n
    if op == "sum_last":
        return lambda x: x.sum(axis=-1)
    if op == "spread":
        width = attrs["width"]
        return lambda g: np.repeat(g[..., None], width, axis=-1)  # cheaper than a view here
    if op == "concat":
        batched = instr.out.batched
        parts = instr.args

        def concat(*xs: Array) -> Array:
            if batched:
                rows = next(x.shape[0] for x, p in zip(xs, parts, strict=True) if p.batched)
                xs = tuple(x if p.batched else np.repeat(x[None], rows, axis=0)
                           for x, p in zip(xs, parts, strict=True))
            return np.concatenate(xs, axis=-1)

        return concat
    if op == "broadcast":
        return lambda x, like: np.repeat(x[None], like.shape[0], axis=0)
    if op == "broadcast_const":
        value = attrs["value"]
        return lambda g: np.full(g.shape, value)
    if op == "expand":
        return lambda x: x[..., None]
    if op == "batch_sum":
        return lambda x: x.sum(axis=0)
    if op == "sum_to":
        shape, batched = attrs["to"], instr.args[0].batched
        return lambda x: _sum_to(x, shape, batched)
    if op == "spread_to":
        to, batched = attrs["to"], instr.args[0].batched
        return lambda x: np.broadcast_to(x, (*x.shape[:1], *to) if batched else to)
    if op == "detach":
        return lambda x: x
    if op == "contract":
        fast = _contract(instr)
        return fast if "valid" not in attrs and "mask_of" not in attrs else _masked(instr, fast)
    if op == "ones_like":
        return np.ones_like
    if op == "take":
        return lambda table, positions: np.where(positions >= 0, table[positions], np.nan)
    if op == "put":
        size = attrs["size"]

        def put(g: Array, positions: Array) -> Array:
            valid = positions >= 0
            return np.bincount(positions[valid], weights=g[valid], minlength=size)

        return put
    if op == "lookup":
        table = attrs["table"]
        width = table.shape[-1]
        rows = np.arange(table.shape[0])

        def lookup(index: Array) -> Array:
            valid = (index == np.floor(index)) & (index >= 0) & (index < width)
            safe = np.where(valid, index, 0).astype(np.intp)
            return np.where(valid, table[rows, safe], -1)

        return lookup
    if op == "rule":  # a user's rule that only works on floats: element by element
        rule = OPS[attrs["rule_of"]].vjps[attrs["operand"]]
        return np.vectorize(lambda g, out, *xs: float(rule(g, out, *xs)), otypes=[float])
    return _PRIMITIVES[op]


class Runner:
    """A program ready to run: ``run(inputs, params, captured, seed)`` returns the outputs
    ``(B, k)`` and, with a seed, the parameters' gradient."""

    def __init__(self, program: Program) -> None:
        self.program = program
        steps = []
        for instr in program.instrs:
            steps.append((function_of(instr), [a.id for a in instr.args], instr.out.id))
        last_use: dict[int, int] = {}
        for k, instr in enumerate(program.instrs):
            for a in instr.args:
                last_use[a.id] = k
        keep = {v.id for v in (program.output, program.grads) if v is not None}
        frees: list[list[int]] = [[] for _ in steps]
        for var, k in last_use.items():
            if var not in keep:
                frees[k].append(var)
        self.steps, self.frees = steps, frees
        self.source = ""
        self._run = self._compiled() if len(steps) <= SOURCE_LIMIT else self._loop
        self.constants = [i.attrs[key] for i in program.instrs for key in ("value", "index",
                                                                            "table")
                          if isinstance(i.attrs.get(key), np.ndarray)]

    def _compiled(self) -> Callable[..., Any]:
        p = self.program
        lines = ["def run(inputs, params, captured, seed):"]
        lines += [f"    v{v.id} = inputs[{k}]" for k, v in enumerate(p.inputs)]
        for var, name in ((p.params, "params"), (p.captured, "captured"), (p.seed, "seed")):
            if var is not None:
                lines.append(f"    v{var.id} = {name}")
        namespace: dict[str, Any] = {}
        for k, ((fn, args, out), free) in enumerate(zip(self.steps, self.frees, strict=True)):
            namespace[f"f{k}"] = fn
            lines.append(f"    v{out} = f{k}({', '.join(f'v{a}' for a in args)})")
            if free:
                lines.append(f"    del {', '.join(f'v{a}' for a in free)}")
        grads = f"v{p.grads.id}" if p.grads is not None else "None"
        lines.append(f"    return v{p.output.id}, {grads}")  # type: ignore[union-attr]
        self.source = "\n".join(lines) + "\n"
        exec(compile(self.source, "<autograd_lite.jit program>", "exec"), namespace)
        run: Callable[..., Any] = namespace["run"]
        return run

    def _loop(self, inputs: list[Array], params: Array | None, captured: Array | None,
              seed: Array | None) -> tuple[Array, Array | None]:
        p = self.program
        env: list[Any] = [None] * p.count
        for var, array in zip(p.inputs, inputs, strict=True):
            env[var.id] = array
        leaves: list[tuple[Var | None, Array | None]] = [
            (p.params, params), (p.captured, captured), (p.seed, seed)]
        for leaf, value in leaves:
            if leaf is not None:
                env[leaf.id] = value
        for (fn, args, out), free in zip(self.steps, self.frees, strict=True):
            env[out] = fn(*[env[a] for a in args])
            for a in free:
                env[a] = None
        return env[p.output.id], env[p.grads.id] if p.grads is not None else None  # type: ignore[union-attr]

    def run(self, inputs: list[Array], params: Array | None, captured: Array | None,
            seed: Array | None) -> tuple[Array, Array | None]:
        """Run the program on a batch (see the class docstring)."""
        result: tuple[Array, Array | None] = self._run(inputs, params, captured, seed)
        return result

    def memory(self) -> int:
        """Bytes held by the program's constants and index arrays."""
        return sum(a.nbytes for a in self.constants)


def emit(program: Program) -> Runner:
    """The program, ready to run."""
    return Runner(program)
