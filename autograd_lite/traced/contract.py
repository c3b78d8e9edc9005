"""Pass 4, ``contract``: every sum of products that has the shape of a contraction becomes one.

After grouping, a group of sums of products reads: ``out[o] = sum over t of a[ia(o, t)] *
b[ib(o, t)]``, three integer maps over the entries ``k = (o, t)``. Whether that is one
``einsum`` is a question about those maps alone, answered the same way for every model:

* Two entries are linked when they share an output (``O``), an ``a`` (``IA``) or a ``b``
  (``IB``). Components of the links of all three give the axis that all three arrays share
  (the heads of an attention, the positions of a norm); components of the links of ``O`` and
  ``IA`` alone refine it by the axes only ``out`` and ``a`` have (a layer's neurons); of ``O``
  and ``IB`` by those of ``out`` and ``b`` (the positions a shared weight is applied at); of
  ``IA`` and ``IB`` by the contracted axes (a neuron's inputs).
* If those four numberings lay the entries out as a full grid, and each of ``O``, ``IA``,
  ``IB`` is one-to-one on its three axes, the sum is ``einsum("xik,xjk->xij")`` (with the
  batch axis ``b`` on whichever of the arrays are batched): ``a`` and ``b`` are gathered
  once into dense arrays (reading each of their entries once, not once per product) and the
  products are never formed. Otherwise the group stays as it was.

So a weight matrix applied at one position or at every position, dot products of two
activations, a norm's sum of squares, and (in the backward pass, by the rule of ``*``) the
batch-summed gradient of a layer's weights are all the same case. ``emit`` runs a
contraction as a matrix product.
"""

from __future__ import annotations

import numpy as np

from .ir import Instr, Program, Var

__all__ = ["contract", "factor"]

Array = np.ndarray


def contract(program: Program) -> Program:
    """Replace each sum of products that factors as a contraction (see the module docstring)."""
    producer = program.producers()
    readers = program.readers()
    constants = {i.out.id: i.attrs["value"] for i in program.instrs if i.op == "const"}
    new: list[Instr] = []
    done = 0
    for instr in program.instrs:
        replacement = _contraction(program, instr, producer, readers, constants)
        if replacement is None:
            new.append(instr)
        else:
            new.extend(replacement)
            done += 1
    program.instrs = new
    if done:
        program.notes.append(f"contract: {done} sums of products became contractions")
    return program


def _operand(var: Var, producer: dict[int, Instr]) -> tuple[Var, Array]:
    """Where the entries of ``var`` come from: a Var and, for each entry, its position."""
    instr = producer.get(var.id)
    if instr is not None and instr.op == "gather" and instr.attrs.get("fill") is None:
        return instr.args[0], instr.attrs["index"].ravel()
    return var, np.arange(var.size)


def _contraction(program: Program, total: Instr, producer: dict[int, Instr],
                 readers: dict[int, int], constants: dict[int, Array]) -> list[Instr] | None:
    if total.op != "sum_last":
        return None
    gather = producer.get(total.args[0].id)
    if gather is None or gather.op != "gather" or readers.get(gather.out.id) != 1:
        return None
    products = producer.get(gather.args[0].id)
    if products is None or products.op != "*" or readers.get(products.out.id) != 1:
        return None
    if len(gather.out.shape) != 2 or any(len(a.shape) != 1 for a in products.args):
        return None
    (a, ia), (b, ib) = (_operand(x, producer) for x in products.args)
    if len(a.shape) != 1 or len(b.shape) != 1:
        return None
    index = gather.attrs["index"]
    rows, terms = np.nonzero(index >= 0)
    p = index[rows, terms]
    if p.size == 0 or len(np.unique(p)) != p.size:  # each product read once
        return None
    grid = factor(rows, ia[p], ib[p])
    if grid is None:
        return None
    a_cells, b_cells, out_cells, valid = grid
    if a_cells.shape[-1] == 1:
        return None  # nothing is summed (products side by side): better left elementwise
    instrs = []

    def dense(source: Var, cells: Array) -> Var:
        if source.id in constants:  # a constant operand: gathered now, once
            value = np.where(cells >= 0, constants[source.id].reshape(-1)[cells], 0.0) \
                if constants[source.id].ndim else np.full(cells.shape, float(constants[
                    source.id]))
            out = program.var(cells.shape, False)
            instrs.append(Instr("const", out, (), {"value": value}))
            return out
        if cells.size == source.size and (cells.ravel() == np.arange(cells.size)).all():
            return source  # already laid out as the grid: read as it is
        out = program.var(cells.shape, source.batched)
        attrs: dict[str, object] = {"index": cells}
        if (cells < 0).any():
            attrs["fill"] = 0.0  # a hole of a ragged grid
        instrs.append(Instr("gather", out, (source,), attrs))
        return out

    x, y = dense(a, a_cells), dense(b, b_cells)
    batched = a.batched or b.batched
    layout = "xij"
    if (out_cells.transpose(0, 2, 1).ravel() == np.arange(out_cells.size)).all():
        layout, out_cells = "xji", out_cells.transpose(0, 2, 1)  # the members' own order
    spec = ("b" if a.batched else "") + "xik", ("b" if b.batched else "") + "xjk", \
        ("b" if batched else "") + layout
    attrs_c: dict[str, object] = {
        "spec": spec, "grids": (a_cells.shape, b_cells.shape, out_cells.shape)}
    if valid is not None:
        attrs_c["valid"] = valid  # over x, i, j, k: the grid's own products
    covers = products.covers + total.covers
    member_cell = np.full(total.out.size, -1, dtype=np.intp)
    member_cell[out_cells.ravel()[out_cells.ravel() >= 0]] = \
        np.flatnonzero(out_cells.ravel() >= 0)
    if (member_cell == np.arange(total.out.size)).all() and \
            out_cells.size == total.out.size:  # in the members' order: the sum itself
        instrs.append(Instr("contract", total.out, (x, y), attrs_c, covers))
        return instrs
    result = program.var(out_cells.shape, batched)
    instrs.append(Instr("contract", result, (x, y), attrs_c, covers))
    attrs: dict[str, object] = {"index": member_cell}
    if (member_cell < 0).any():
        attrs["fill"] = 0.0
    instrs.append(Instr("gather", total.out, (result,), attrs))
    return instrs


def factor(o: Array, ia: Array, ib: Array, *, density: float = 0.4
           ) -> tuple[Array, Array, Array, Array | None] | None:
    """The contraction ``out[o] = sum a[ia] * b[ib]`` as dense index grids, or None.

    Returns ``(a_cells, b_cells, out_cells, valid)``: ``a_cells[x, i, k]`` is the entry of
    ``a`` in each cell of its grid, ``b_cells[x, j, k]`` that of ``b``, and
    ``out_cells[x, i, j]`` the output each cell of the result goes to. A ragged sum (causal
    attention, where position t sums over positions s <= t only) lays out as a grid with
    holes, if at least ``density`` of it is used: then -1 marks an entry missing from a grid
    (read as 0) and ``valid[x, i, j, k]`` says which products are the sum's own; a product
    outside ``valid`` always has a missing factor or goes to a missing output.

    >>> o = np.array([0, 0, 1, 1]); ia = np.array([0, 1, 2, 3]); ib = np.array([0, 1, 0, 1])
    >>> [c.shape for c in factor(o, ia, ib)[:3]]  # a 2x2 matrix times a vector of 2
    [(1, 2, 2), (1, 1, 2), (1, 2, 1)]
    """
    keys = [_classes(o), _classes(ia), _classes(ib)]
    shared = _components(keys)
    ranks = []
    for pair in ((0, 1), (0, 2), (1, 2)):
        ranks.append(_rank_within(shared, _components([keys[k] for k in pair])))
    x = _dense_rank(shared)
    n_x = int(x.max()) + 1
    sizes = [int(r.max()) + 1 for r in ranks]
    (r_oa, r_ob, r_ab), (n_i, n_j, n_k) = ranks, sizes
    grid = n_x * n_i * n_j * n_k
    if len(o) < density * grid:
        return None  # too ragged to be worth a grid: left as it is
    cell = ((x * n_i + r_oa) * n_j + r_ob) * n_k + r_ab
    if len(np.unique(cell)) != len(o):
        return None
    a_cells = _one_to_one(ia, (x * n_i + r_oa) * n_k + r_ab, n_x * n_i * n_k)
    b_cells = _one_to_one(ib, (x * n_j + r_ob) * n_k + r_ab, n_x * n_j * n_k)
    out_cells = _one_to_one(o, (x * n_i + r_oa) * n_j + r_ob, n_x * n_i * n_j)
    if a_cells is None or b_cells is None or out_cells is None:
        return None
    a_cells = a_cells.reshape(n_x, n_i, n_k)
    b_cells = b_cells.reshape(n_x, n_j, n_k)
    out_cells = out_cells.reshape(n_x, n_i, n_j)
    if len(o) == grid:
        return a_cells, b_cells, out_cells, None
    used = np.zeros(grid, dtype=bool)
    used[cell] = True
    valid: Array = used.reshape(n_x, n_i, n_j, n_k)
    present = ((a_cells >= 0)[:, :, None, :] & (b_cells >= 0)[:, None, :, :]
               & (out_cells >= 0)[:, :, :, None])
    if (present & ~valid).any():
        return None  # a product the sum does not have would be added in
    return a_cells, b_cells, out_cells, valid


def _classes(key: Array) -> tuple[Array, Array, Array]:
    """For the entries' values of ``key``: each entry's class, the entries sorted by class,
    and where each class starts in that order."""
    inverse = np.unique(key, return_inverse=True)[1].ravel()
    order = np.argsort(inverse, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(inverse[order]) != 0])
    return inverse, order, starts


def _components(keys: list[tuple[Array, Array, Array]]) -> Array:
    """Connected components of the entries, two being linked when they share a value of any
    of ``keys``: each entry's smallest linked entry, found by propagating minima."""
    labels = np.arange(len(keys[0][0]))
    while True:
        before = labels
        for inverse, order, starts in keys:
            smallest = np.minimum.reduceat(labels[order], starts)
            labels = smallest[inverse]
        if (labels == before).all():
            return labels


def _dense_rank(labels: Array) -> Array:
    return np.unique(labels, return_inverse=True)[1].ravel()


def _rank_within(outer: Array, inner: Array) -> Array:
    """Each entry's rank of its ``inner`` class among those inside its ``outer`` class."""
    pairs, inverse = np.unique(np.stack([outer, inner]), axis=1, return_inverse=True)
    first = np.r_[0, np.flatnonzero(np.diff(pairs[0]) != 0) + 1]
    start_of = np.repeat(first, np.diff(np.r_[first, pairs.shape[1]]))
    ranks: Array = (np.arange(pairs.shape[1]) - start_of)[inverse.ravel()]
    return ranks


def _one_to_one(values: Array, cells: Array, n_cells: int) -> Array | None:
    """``values`` laid out by cell, if each cell holds one value and each value one cell;
    cells no entry reaches hold -1."""
    table = np.full(n_cells, -1, dtype=np.intp)
    table[cells] = values
    if (table[cells] != values).any():
        return None  # two values in one cell
    filled = table[table >= 0]
    if len(np.unique(filled)) != len(filled):
        return None  # one value in two cells
    return table
