"""The traced mode's contractions and lookups: every sum of products that lies on a grid of
indices becomes one contraction, every select of parameter rows by an input one lookup, and
the values and gradients stay the eager ones."""

import itertools
import math
import random

import numpy as np
import pytest

from autograd_lite import Value, jit, logsumexp, select
from autograd_lite.traced import batches_by_structure
from autograd_lite.traced.contract import factor


def eager(fn, params, batch):
    rows = list(zip(*[np.asarray(a, dtype=float).tolist() for a in batch], strict=True))
    losses = []
    for row in rows:
        args = [[Value(v) for v in a] if isinstance(a, list) else Value(a) for a in row]
        losses.append(fn(*args))
    total = Value.sum(losses) * (1.0 / len(losses))
    total.backward()
    grads = [p.grad for p in params]
    for p in params:
        p.grad = 0.0
    return total.data, np.array(grads)


def traced(step, params, batch):
    for p in params:
        p.grad = 0.0
    loss = step(*batch)
    grads = np.array([p.grad for p in params])
    for p in params:
        p.grad = 0.0
    return loss, grads


def agree(fn, params, batch, *, tolerance=1e-12):
    step = jit(fn, params=params)
    loss, grads = traced(step, params, batch)
    want_loss, want_grads = eager(fn, params, batch)
    scale = max(1.0, float(np.nanmax(np.abs(want_grads), initial=0.0)))
    assert (math.isnan(loss) and math.isnan(want_loss)) or \
        abs(loss - want_loss) <= tolerance * max(1.0, abs(want_loss))
    assert np.allclose(grads, want_grads, rtol=0.0, atol=tolerance * scale, equal_nan=True)
    return step


def contractions(step):
    return [i for i in step.graph.program.instrs if i.op == "contract"]


def products(step):
    """The elementwise products of the forward program, by size per example."""
    program = step.graph.program
    return [i.out.size for i in program.instrs if i.op == "*" and i.out.id < program.seed.id]


def matrix(rows, cols, rng):
    return [[Value(rng.uniform(-1, 1)) for _ in range(cols)] for _ in range(rows)]


def flat(*tables):
    return [p for table in tables for row in table for p in row]


def linear(rows, x):
    return [sum(w * xi for w, xi in zip(row, x, strict=False)) for row in rows]


# --- the patterns -----------------------------------------------------------------------------

@pytest.mark.parametrize("positions, width, outputs", [(1, 1, 1), (1, 3, 2), (8, 4, 5), (3, 1, 6)])
def test_a_weight_matrix_applied_at_every_position_is_one_contraction(positions, width, outputs):
    rng = random.Random(0)
    W = matrix(outputs, width, rng)

    def loss(x):
        total = 0.0
        for t in range(positions):
            y = linear(W, x[t * width:(t + 1) * width])
            total = total + sum((yi * yi).tanh() for yi in y)
        return total

    batch = [np.random.default_rng(1).normal(size=(5, positions * width))]
    step = agree(loss, flat(W), batch)
    if width > 1:  # a sum of one product per row is no sum: left elementwise
        assert len(contractions(step)) >= 1
        assert all(n < positions * width * outputs for n in products(step))


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("positions, heads, dim", [(1, 1, 1), (4, 2, 3), (7, 1, 4)])
def test_attention_scores_and_weighted_values_contract_causal_or_not(causal, positions, heads,
                                                                      dim):
    rng = random.Random(2)
    size = heads * dim
    Wq, Wk, Wv = (matrix(size, size, rng) for _ in range(3))

    def loss(x):
        xs = [x[t * size:(t + 1) * size] for t in range(positions)]
        q, k, v = ([linear(W, xt) for xt in xs] for W in (Wq, Wk, Wv))
        out = 0.0
        for t in range(positions):
            seen = range(t + 1) if causal else range(positions)
            for h in range(heads):
                lo, hi = h * dim, (h + 1) * dim
                scores = [sum(a * b for a, b in zip(q[t][lo:hi], k[s][lo:hi], strict=True))
                          for s in seen]
                shift = logsumexp(scores)
                weights = [(s - shift).exp() for s in scores]
                mixed = [sum(w * v[s][d] for w, s in zip(weights, seen, strict=True))
                         for d in range(lo, hi)]
                out = out + sum(m * m for m in mixed)
        return out

    batch = [np.random.default_rng(3).normal(size=(4, positions * size))]
    step = agree(loss, flat(Wq, Wk, Wv), batch)
    if dim > 1 and positions > 1:
        assert len(contractions(step)) >= 3


def test_repeated_operands_in_one_product_and_one_weight_in_two_terms():
    w = [Value(0.3), Value(-0.7)]

    def loss(x):  # x0 * x0, and the weight w0 read twice by one sum
        return (x[0] * x[0] + x[1] * x[1]).tanh() + w[0] * x[0] + w[0] * x[1] + w[1] * x[1]

    agree(loss, w, [np.random.default_rng(4).normal(size=(6, 2))])


def test_a_layers_weight_gradient_is_a_contraction_over_the_batch():
    rng = random.Random(5)
    W = matrix(3, 4, rng)
    step = agree(lambda x: sum(y.relu() for y in linear(W, x)), flat(W),
                 [np.random.default_rng(6).normal(size=(9, 4))])
    program = step.graph.program
    backward = [i for i in program.instrs if i.op == "contract" and i.out.id > program.seed.id]
    assert any(not i.out.batched for i in backward)  # g.T @ x, summed over the batch


def test_a_ragged_contraction_with_an_infinite_operand_gives_the_eager_numbers():
    # causal weighted sums, out[t] = sum over s <= t of a[t][s] * v[s], as one contraction
    # over the whole (t, s) grid, whose holes are zeros; with v[3] infinite, 0 * inf would
    # make out[0..2] nan: the exact path adds only the sum's own products
    positions, dim = 4, 3
    rng = random.Random(10)
    a = [[Value(rng.uniform(0.1, 1.0)) for _ in range(t + 1)] for t in range(positions)]

    def loss(x):
        v = [x[s * dim:(s + 1) * dim] for s in range(positions)]
        out = [[sum(a[t][s] * v[s][d] for s in range(t + 1)) for d in range(dim)]
               for t in range(positions)]
        kept = [sum(o.tanh() for o in row) for row in out]  # not merged into one sum
        return select(0, [kept[0] + kept[1] * 0.5 + kept[2], kept[3]])  # kept[3] not chosen

    params = [p for row in a for p in row]
    finite = np.random.default_rng(11).normal(size=(2, positions * dim))
    infinite = finite.copy()
    infinite[0, 3 * dim] = math.inf
    step = agree(loss, params, [finite])
    [_ragged] = [i for i in contractions(step) if "valid" in i.attrs and i.out.id <
                step.graph.program.seed.id]
    agree(loss, params, [infinite])
    loss_value, grads = traced(step, params, [infinite])
    assert math.isfinite(loss_value) and np.isfinite(grads).all()


def test_factor_finds_the_grid_of_a_matrix_product_and_refuses_what_is_not_one():
    o, t = np.divmod(np.arange(6), 3)  # 2 outputs of 3 terms each
    a_cells, b_cells, out_cells, valid = factor(o, o * 3 + t, t)
    assert (a_cells.shape, b_cells.shape, out_cells.shape, valid) == ((1, 2, 3), (1, 1, 3),
                                                                      (1, 2, 1), None)
    # the same b entry twice in one output: not a contraction
    assert factor(np.array([0, 0]), np.array([0, 1]), np.array([0, 0])) is None


# --- lookups ----------------------------------------------------------------------------------

def test_an_embedding_lookup_with_repeated_tokens_adds_every_share():
    rng = random.Random(7)
    table = matrix(5, 3, rng)  # 5 tokens of 3 numbers
    columns = [[table[t][d] for t in range(5)] for d in range(3)]

    def loss(tokens):
        vectors = [[select(token, column) for column in columns] for token in tokens]
        return sum((a * b).tanh() for v in vectors for a, b in itertools.pairwise(v))

    batch = [np.array([[1, 1, 1, 4], [0, 1, 0, 1], [4, 4, 2, 2]], dtype=float)]
    step = agree(loss, flat(table), batch)
    ops = [i.op for i in step.graph.program.instrs]
    assert "take" in ops and "put" in ops and "select" not in ops


def test_a_lookup_outside_the_table_gives_nan_and_no_gradient_as_eager_select_does():
    table = [Value(0.5), Value(-0.5)]
    step = jit(lambda k: select(k, table) * 2.0, params=table, reduce=None)
    out = step([0.0, 1.0, 2.0, -1.0, 0.5, math.inf, math.nan])
    assert out[:2].tolist() == [1.0, -1.0] and np.isnan(out[2:]).all()
    agree(lambda k: select(k, table) * 2.0 + table[0], table, [[0.0, 2.0, 0.5, 1.0]])


# --- sequences of many lengths ----------------------------------------------------------------

def test_a_small_transformer_at_every_length_from_1_to_16_gives_the_eager_numbers():
    rng = random.Random(8)
    vocab, dim = 5, 4
    tok, pos = matrix(vocab, dim, rng), matrix(17, dim, rng)
    Wq, Wk, Wv = (matrix(dim, dim, rng) for _ in range(3))
    head = matrix(vocab, dim, rng)
    columns = [[tok[t][d] for t in range(vocab)] for d in range(dim)]
    params = flat(tok, pos, Wq, Wk, Wv, head)

    def loss(tokens):
        keys, values, total = [], [], 0.0
        for t in range(len(tokens) - 1):
            x = [select(tokens[t], c) + p for c, p in zip(columns, pos[t], strict=False)]
            q, k, v = linear(Wq, x), linear(Wk, x), linear(Wv, x)
            keys.append(k)
            values.append(v)
            scores = [sum(a * b for a, b in zip(q, key, strict=False)) for key in keys]
            shift = logsumexp(scores)
            att = [(s - shift).exp() for s in scores]
            mixed = [sum(a * val[d] for a, val in zip(att, values, strict=True))
                     for d in range(dim)]
            logits = linear(head, mixed)
            total = total + logsumexp(logits) - select(tokens[t + 1], logits)
        return total * (1.0 / (len(tokens) - 1))

    step = jit(loss, params=params)
    data = np.random.default_rng(9)
    for length in range(1, 17):
        batch = [data.integers(0, vocab, size=(3, length + 1)).astype(float)]
        got = traced(step, params, batch)
        want = eager(loss, params, batch)
        assert abs(got[0] - want[0]) <= 1e-12 * max(1.0, abs(want[0])), length
        assert np.allclose(got[1], want[1], rtol=1e-10, atol=1e-12), length
    assert len(step.graphs) == 16  # one trace per length, kept


def test_batches_by_structure_groups_by_length_and_shuffles_by_seed():
    words = [[0] * n for n in (3, 5, 3, 3, 5, 4)]
    labels = list(range(6))
    batches = list(batches_by_structure(words, labels, batch_size=2))
    assert [b[0].shape for b in batches] == [(2, 3), (1, 3), (2, 5), (1, 4)]
    assert [b[1].tolist() for b in batches] == [[0.0, 2.0], [3.0], [1.0, 4.0], [5.0]]
    seeded = [[b[1].tolist() for b in batches_by_structure(words, labels, batch_size=2, seed=s)]
              for s in (1, 1, 2)]
    assert seeded[0] == seeded[1] and sorted(map(sorted, seeded[0])) == sorted(
        map(sorted, seeded[2]))
    assert [len(b[1]) for b in batches_by_structure(words, labels, batch_size=2,
                                                    drop_last=True)] == [2, 2]


@pytest.mark.parametrize("args, kwargs, error", [
    ((), {}, TypeError), (([[1]], [1, 2]), {}, ValueError), (([[1]],), {"batch_size": 0},
                                                             ValueError),
    ((["ab"],), {}, TypeError), (([[1]],), {"seed": "a"}, TypeError),
])
def test_batches_by_structure_names_bad_arguments(args, kwargs, error):
    with pytest.raises(error):
        list(batches_by_structure(*args, **kwargs))


def test_the_names_data_set_ships_with_nn():
    from nn.data import names

    words = names()
    assert len(words) > 32_000 and words[0] == "emma"
    assert all(w.isalpha() and w.islower() and 2 <= len(w) <= 15 for w in words)
