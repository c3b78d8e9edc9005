"""Exercises of notebooks 11 and 12: losses and the pieces of a transformer, written without a
Python branch on a number, so that ``jit`` traces them; each is checked eagerly, then under
``jit`` against the eager results (that part needs NumPy)."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from typing import Any

from ..engine import Value, logsumexp, select, softplus
from ..functional import gradients
from ._answers import (
    Mistake,
    Wrong,
    call,
    close,
    compare,
    fmt,
    function,
    sequence,
)
from ._catalogue import Spec, exercise
from ._probes import traced

__all__ = ["SPECS"]


def _value(x: object, what: str) -> Value:
    """A Value returned by the student's code (a number would stop the gradients)."""
    if isinstance(x, Value):
        return x
    if isinstance(x, int | float) and not isinstance(x, bool):
        raise Wrong(f"{what} is the number {fmt(float(x))}, not a Value: compute it with Value "
                    "operations so that gradients flow through it")
    raise Wrong(f"{what} should be a Value, got {type(x).__name__}")


def _values(x: object, what: str, length: int) -> list[Value]:
    return [_value(v, f"{what}[{i}]") for i, v in enumerate(sequence(x, what, length))]


def _same_gradients(got: Sequence[float], expected: Sequence[float], what: str,
                    names: Sequence[str]) -> None:
    for g, e, name in zip(got, expected, names, strict=True):
        if not close(g, e, rtol=1e-9, atol=1e-12):
            raise Wrong(f"{what} has the right values, but its gradient with respect to {name} "
                        f"is {fmt(g)}, and that is not it: build it from the Values it is "
                        "given, with the ops of the engine")


def _check_traced(fn: Callable[..., Any], params: list[Value], batch: Sequence[Any],
                  expected_loss: float, expected_grads: Sequence[float], name: str) -> None:
    """Run ``fn`` under ``jit`` (reduce="mean") and compare with the eager mean loss and its
    gradients."""
    for p in params:
        p.grad = 0.0
    loss = traced(fn, params, "mean", batch, name)
    if not close(loss, expected_loss, rtol=1e-9, atol=1e-12):
        raise Wrong(f"under jit the mean loss is {fmt(loss)}, not what the same code gives "
                    "eagerly: some choice was frozen into the trace")
    for i, (p, e) in enumerate(zip(params, expected_grads, strict=True)):
        if not close(p.grad, e, rtol=1e-8, atol=1e-12):
            raise Wrong(f"under jit the gradient of parameter {i} is {fmt(p.grad)}, not what "
                        "the same code gives eagerly")


# ---------------------------------------------------------------------------------------------
# 11.1  Huber's loss without a branch
# ---------------------------------------------------------------------------------------------

def _huber_reference(r: Value) -> Value:
    a = abs(r)
    m = 1.0 - (1.0 - a).relu()  # min(|r|, 1)
    return m * (a - 0.5 * m)


def _check_huber(answer: Any, rng: random.Random) -> str:
    name = "huber"
    huber = function(answer, name)
    rs = [round(rng.uniform(-0.95, 0.95), 3) for _ in range(4)]
    rs += [round(rng.choice([-1, 1]) * rng.uniform(1.05, 4.0), 3) for _ in range(4)]
    for r in rs:
        R = Value(r)
        out = _value(call(huber, R, name=name, context=f" at r = {r}"), f"{name}(Value({r}))")
        ref = _huber_reference(R)
        mistakes = [Mistake(r * r, "the quadratic part is ½·r²")] if abs(r) <= 1 else [
            Mistake(abs(r), "the two parts must meet at |r| = 1: the linear part is |r| − ½"),
            Mistake(0.5 * r * r, "for |r| > 1 the loss grows linearly, as |r| − ½"),
            Mistake(2 * abs(r) - 1, "the linear part has slope 1, as |r| − ½"),
        ]
        compare(out.data, ref.data, f"{name}({r})", rtol=1e-9, atol=1e-12, mistakes=mistakes,
                advice="it is ½r² where |r| ≤ 1 and |r| − ½ elsewhere")
        _same_gradients(gradients(out, [R]), gradients(ref, [R]), f"{name}({r})", ["r"])
    w, b = Value(0.7), Value(-0.2)
    xs = [rng.uniform(-3, 3) for _ in range(64)]
    ys = [rng.uniform(-2, 2) for _ in range(64)]
    eager = Value.sum([_huber_reference(w * x + b - y)
                       for x, y in zip(xs, ys, strict=True)]) / len(xs)
    _check_traced(lambda x, y: huber(w * x + b - y), [w, b], (xs, ys), eager.data,
                  gradients(eager, [w, b]), name)
    return f"{name} is right on both sides of |r| = 1, and jit traces it to the same numbers."


# ---------------------------------------------------------------------------------------------
# 11.2  A stable, traceable binary cross-entropy
# ---------------------------------------------------------------------------------------------

def _bce_reference(z: Value, t: Any) -> Value:
    loss: Value = softplus(z) - t * z  # t is a number, or a Value under jit
    return loss


def _check_bce(answer: Any, rng: random.Random) -> str:
    name = "bce"
    bce = function(answer, name)
    points = [(round(rng.uniform(-6, 6), 3), rng.choice([0, 1])) for _ in range(8)]
    for z, t in points:
        Z = Value(z)
        out = _value(call(bce, Z, t, name=name, context=f" at z = {z}, t = {t}"),
                     f"{name}(Value({z}), {t})")
        ref = _bce_reference(Z, t)
        compare(out.data, ref.data, f"{name}({z}, {t})", rtol=1e-9, atol=1e-12, advice=(
            "it is −[t·log σ(z) + (1 − t)·log(1 − σ(z))]"), mistakes=[
                Mistake(softplus(Z).data - z, "the label t must weight the z term"),
                Mistake(softplus(-Z).data, "that is the loss for the other label"),
            ])
        _same_gradients(gradients(out, [Z]), gradients(ref, [Z]), f"{name}({z}, {t})", ["z"])
    for z, t in [(800.0, 0), (-800.0, 1), (800.0, 1), (-800.0, 0)]:
        out = _value(call(bce, Value(z), t, name=name, context=f" at z = {z}, t = {t}"),
                     f"{name}(Value({z}), {t})")
        expected = _bce_reference(Value(z), t).data
        if not math.isfinite(out.data):
            raise Wrong(f"{name}({z}, {t}) is {out.data} for your function: at such a logit "
                        "σ(z) rounds to 0 or 1, and a log of 1 − σ(z) or of σ(z) is log(0); "
                        "find a form that never takes the log of a number that rounds to 0")
        compare(out.data, expected, f"{name}({z}, {t})", rtol=1e-9, atol=1e-9,
                advice="it must stay right for large logits")
    w, b = Value(0.8), Value(0.1)
    xs = [rng.uniform(-3, 3) for _ in range(64)]
    ts = [rng.choice([0, 1]) for _ in range(64)]
    eager = Value.sum([_bce_reference(w * x + b, t) for x, t in zip(xs, ts, strict=True)]) / len(xs)
    _check_traced(lambda x, t: bce(w * x + b, t), [w, b], (xs, ts), eager.data,
                  gradients(eager, [w, b]), name)
    return f"{name} is right, stays finite at z = ±800, and jit traces it with t as an input."


# ---------------------------------------------------------------------------------------------
# 12.1  Softmax, shifted by logsumexp
# ---------------------------------------------------------------------------------------------

def _softmax_reference(z: Sequence[Value]) -> list[Value]:
    lse = logsumexp(z)
    return [(zi - lse).exp() for zi in z]


def _check_softmax(answer: Any, rng: random.Random) -> str:
    name = "softmax"
    softmax = function(answer, name)
    for n in (2, 3, 5):
        logits = [round(rng.uniform(-4, 4), 3) for _ in range(n)]
        Z = [Value(z) for z in logits]
        where = f"{name}({logits})"
        out = _values(call(softmax, Z, name=name, context=f" on {logits}"), where, n)
        ref = _softmax_reference(Z)
        total = sum(o.data for o in out)
        if not all(close(o.data, r.data, rtol=1e-9, atol=1e-12)
                   for o, r in zip(out, ref, strict=True)):
            if not close(total, 1.0, rtol=1e-9):
                raise Wrong(f"the entries of {where} add up to {fmt(total)}: probabilities add "
                            "up to 1 (divide by the sum of the exponentials)")
            biggest = max(range(n), key=lambda i: logits[i])
            if max(range(n), key=lambda i: out[i].data) != biggest:
                raise Wrong(f"in {where} the largest logit does not get the largest "
                            "probability: softmax takes exp(+z)")
            i = next(i for i in range(n) if not close(out[i].data, ref[i].data, rtol=1e-9))
            raise Wrong(f"{where}[{i}] is {fmt(out[i].data)}, and that is not it; the "
                        "probabilities are exp(z_i) / Σ_j exp(z_j)")
        c = [rng.uniform(-1, 1) for _ in range(n)]
        _same_gradients(gradients(Value.sum([ci * o for ci, o in zip(c, out, strict=True)]), Z),
                        gradients(Value.sum([ci * r for ci, r in zip(c, ref, strict=True)]), Z),
                        where, [f"logit {i}" for i in range(n)])
    big = [1000.0, 0.0, -1000.0]
    out = _values(call(softmax, [Value(z) for z in big], name=name, context=f" on {big}"),
                  f"{name}({big})", 3)
    if not all(math.isfinite(o.data) for o in out):
        raise Wrong(f"{name}({big}) is {[o.data for o in out]} for your function: exp(1000) "
                    "overflows; shift the logits first (the shift cancels out), by an amount "
                    "that jit can trace")
    for i, (o, e) in enumerate(zip(out, (1.0, 0.0, 0.0), strict=True)):
        compare(o.data, e, f"{name}({big})[{i}]", atol=1e-12, advice="it must stay right for "
                                                                    "large logits")
    n = 4
    w = [Value(rng.uniform(-1, 1)) for _ in range(n)]
    b = [Value(rng.uniform(-1, 1)) for _ in range(n)]
    c = [rng.uniform(-1, 1) for _ in range(n)]
    rows = [[rng.uniform(-3, 3) for _ in range(n)] for _ in range(32)]

    def score(x: Sequence[Any], soft: Callable[[list[Value]], Any]) -> Value:
        p = soft([wi * xi + bi for wi, xi, bi in zip(w, x, b, strict=True)])
        return Value.sum([ci * pi for ci, pi in zip(c, p, strict=True)])

    eager = Value.sum([score(x, _softmax_reference) for x in rows]) / len(rows)
    _check_traced(lambda x: score(x, softmax), [*w, *b], (rows,), eager.data,
                  gradients(eager, [*w, *b]), name)
    return f"{name} is right, stable at logits of ±1000, and jit traces it."


# ---------------------------------------------------------------------------------------------
# 12.2  Causal self-attention
# ---------------------------------------------------------------------------------------------

Vectors = list[list[Value]]


def _attention_reference(q: Vectors, k: Vectors, v: Vectors, *, causal: bool = True,
                         scaled: bool = True, sign: float = 1.0) -> Vectors:
    T, d = len(q), len(q[0])
    scale = sign / math.sqrt(d) if scaled else sign
    out = []
    for t in range(T):
        visible = range(t + 1) if causal else range(T)
        scores = [scale * Value.sum([q[t][i] * k[s][i] for i in range(d)]) for s in visible]
        lse = logsumexp(scores)
        weights = [(score - lse).exp() for score in scores]
        out.append([Value.sum([a * v[s][i] for a, s in zip(weights, visible, strict=True)])
                    for i in range(d)])
    return out


def _matrix(rng: random.Random, T: int, d: int, label: str) -> Vectors:
    return [[Value(round(rng.uniform(-1.5, 1.5), 3), label=f"{label}[{t}][{i}]")
             for i in range(d)] for t in range(T)]


def _same(a: Vectors, b: Vectors) -> bool:
    return all(close(x.data, y.data, rtol=1e-9, atol=1e-12)
               for row_a, row_b in zip(a, b, strict=True)
               for x, y in zip(row_a, row_b, strict=True))


def _check_attention(answer: Any, rng: random.Random) -> str:
    name = "causal_attention"
    attention = function(answer, name)
    for T, d in [(3, 2), (4, 3), (2, 3)]:
        q, k, v = (_matrix(rng, T, d, label) for label in ("queries", "keys", "values"))
        where = f" for {T} positions of {d} numbers"
        result = call(attention, q, k, v, name=name, context=where)
        out = [_values(row, f"{name}(...)[{t}]", d)
               for t, row in enumerate(sequence(result, f"{name}(...){where}", T))]
        ref = _attention_reference(q, k, v)
        if not _same(out, ref):
            for variant, advice in [
                    (_attention_reference(q, k, v, causal=False), "a position looks ahead: "
                     "output t may only use the positions 0 to t (a causal mask)"),
                    (_attention_reference(q, k, v, scaled=False), "the scores are not scaled "
                     f"by 1/√d (d = {d} here)"),
                    (_attention_reference(q, k, v, sign=-1.0), "the weights favour the keys "
                     "least like the query: the softmax is of +q·k"),
            ]:
                if _same(out, variant):
                    raise Wrong(f"{name}{where} is not right: {advice}")
            t, i = next((t, i) for t in range(T) for i in range(d)
                        if not close(out[t][i].data, ref[t][i].data, rtol=1e-9, atol=1e-12))
            raise Wrong(f"output[{t}][{i}]{where} is {fmt(out[t][i].data)}, and that is not it: "
                        "softmax over s ≤ t of q_t·k_s / √d, weighting the values v_s")
        c = [[rng.uniform(-1, 1) for _ in range(d)] for _ in range(T)]
        leaves = [x for m in (q, k, v) for row in m for x in row]

        def total(o: Vectors, c: list[list[float]] = c) -> Value:
            return Value.sum([c[t][i] * x for t, row in enumerate(o) for i, x in enumerate(row)])

        got, expected = gradients(total(out), leaves), gradients(total(ref), leaves)
        position = {id(x): t for m in (q, k, v) for t, row in enumerate(m) for x in row}
        for t in range(T):
            first = gradients(Value.sum(out[t]), leaves)
            ahead = [x for x, g in zip(leaves, first, strict=True)
                     if g != 0.0 and position[id(x)] > t]
            if ahead:
                raise Wrong(f"output[{t}]{where} depends on {ahead[0].label}: a position must "
                            "not look ahead")
        _same_gradients(got, expected, f"{name}(...){where}",
                        [x.label or "an input" for x in leaves])
    T, d = 3, 2
    batch = [[[rng.uniform(-1.5, 1.5) for _ in range(T * d)] for _ in range(16)]
             for _ in range(3)]

    def flat(fn: Callable[..., Any]) -> Callable[..., Value]:
        def loss(qs: list[Value], ks: list[Value], vs: list[Value]) -> Value:
            q, k, v = ([x[t * d:(t + 1) * d] for t in range(T)] for x in (qs, ks, vs))
            out = fn(q, k, v)
            return Value.sum([o * (0.1 * (j + 1)) for j, o in
                              enumerate(x for row in out for x in row)])
        return loss

    eager = Value.sum([flat(_attention_reference)(*[[Value(x) for x in m[e]] for m in batch])
                       for e in range(16)]) / 16
    _check_traced(flat(attention), [], batch, eager.data, [], name)
    return f"{name} is right and causal for three shapes, and jit traces it."


# ---------------------------------------------------------------------------------------------
# 12.3  Token and position embeddings with select
# ---------------------------------------------------------------------------------------------

def _embed_reference(token: Any, position: Any, wte: Vectors, wpe: Vectors) -> list[Value]:
    d = len(wte[0])
    return [select(token, [row[j] for row in wte]) + select(position, [row[j] for row in wpe])
            for j in range(d)]


def _check_embed(answer: Any, rng: random.Random) -> str:
    name = "embed"
    embed = function(answer, name)
    V, T, d = 5, 4, 3
    wte = _matrix(rng, V, d, "token_table")
    wpe = _matrix(rng, T, d, "position_table")
    leaves = [x for m in (wte, wpe) for row in m for x in row]
    pairs = [(rng.randrange(T), rng.randrange(T))]  # a first token that is a position too
    pairs += [(rng.randrange(V), rng.randrange(T)) for _ in range(3)]
    for token, position in pairs:
        for as_value in (False, True):
            tok: Any = Value(float(token)) if as_value else token
            pos: Any = Value(float(position)) if as_value else position
            kind = "Values" if as_value else "ints"
            where = f"{name}({token}, {position}, ...) with the indices as {kind}"
            out = _values(call(embed, tok, pos, wte, wpe, name=name,
                               context=f" with the indices as {kind}"), where, d)
            expected = [wte[token][j].data + wpe[position][j].data for j in range(d)]
            got = [o.data for o in out]
            if not all(close(g, e, rtol=1e-12) for g, e in zip(got, expected, strict=True)):
                if all(close(g, wte[token][j].data, rtol=1e-12) for j, g in enumerate(got)):
                    raise Wrong(f"{where} is the token's row alone: the position's embedding "
                                "is missing")
                if token < T and all(close(g, wte[position][j].data + wpe[token][j].data,
                                           rtol=1e-12) for j, g in enumerate(got)):
                    raise Wrong(f"{where} mixes up the tables: the token picks a row of "
                                "token_table, the position a row of position_table")
                raise Wrong(f"{where} is {[fmt(g) for g in got]}, and that is not it: the sum "
                            "of the token's row and the position's row")
            c = [rng.uniform(-1, 1) for _ in range(d)]
            ref = _embed_reference(token, position, wte, wpe)
            got_total = Value.sum([ci * o for ci, o in zip(c, out, strict=True)])
            ref_total = Value.sum([ci * r for ci, r in zip(c, ref, strict=True)])
            _same_gradients(gradients(got_total, leaves), gradients(ref_total, leaves), where,
                            [x.label or "a table entry" for x in leaves])
    c = [rng.uniform(-1, 1) for _ in range(d)]
    tokens = [rng.randrange(V) for _ in range(32)]
    positions = [rng.randrange(T) for _ in range(32)]

    def loss(fn: Callable[..., Any], token: Any, position: Any) -> Value:
        return Value.sum([ci * e for ci, e in zip(c, fn(token, position, wte, wpe), strict=False)])

    eager = Value.sum([loss(_embed_reference, t, p)
                       for t, p in zip(tokens, positions, strict=True)]) / 32
    _check_traced(lambda t, p: loss(embed, t, p), leaves, (tokens, positions), eager.data,
                  gradients(eager, leaves), name)
    return f"{name} picks the right rows, with ints or Values, and jit traces it as a gather."


# ---------------------------------------------------------------------------------------------
# The solutions
# ---------------------------------------------------------------------------------------------

def huber(r: Value) -> Value:
    """The solution of 11.1: with m = min(|r|, 1), the loss is m·(|r| − m/2)."""
    a = abs(r)
    m = 1.0 - (1.0 - a).relu()
    return m * (a - 0.5 * m)


def bce(z: Value, t: Any) -> Value:
    """The solution of 11.2: log(1 + e^z) − t·z."""
    loss: Value = softplus(z) - t * z
    return loss


def softmax(logits: Sequence[Value]) -> list[Value]:
    """The solution of 12.1.

    >>> [round(p.data, 6) for p in softmax([Value(1000.0), Value(0.0)])]
    [1.0, 0.0]
    """
    lse = logsumexp(logits)
    return [(z - lse).exp() for z in logits]


def causal_attention(queries: Vectors, keys: Vectors, values: Vectors) -> Vectors:
    """The solution of 12.2: one head, each position attending to itself and those before."""
    d = len(queries[0])
    out = []
    for t, q in enumerate(queries):
        scores = [Value.sum([qi * ki for qi, ki in zip(q, keys[s], strict=True)]) / math.sqrt(d)
                  for s in range(t + 1)]
        lse = logsumexp(scores)
        weights = [(score - lse).exp() for score in scores]
        out.append([Value.sum([a * values[s][i] for s, a in enumerate(weights)])
                    for i in range(d)])
    return out


def embed(token: Any, position: Any, token_table: Vectors, position_table: Vectors
          ) -> list[Value]:
    """The solution of 12.3: one select per column of each table."""
    d = len(token_table[0])
    return [select(token, [row[j] for row in token_table])
            + select(position, [row[j] for row in position_table]) for j in range(d)]


SPECS: list[Spec] = [
    exercise(
        "11.1", "Huber's loss without a branch", "traceable", "huber",
        statement=r"""
Huber's loss of a residual $r$ is $\tfrac12 r^2$ where $|r| \le 1$ and $|r| - \tfrac12$
elsewhere. Written with `if abs(r).data <= 1:` it works eagerly but `jit` cannot trace it.
Write `huber(r)` for a Value `r` without a Python branch on a number, with ops of the table
(`abs`, `relu`, `maximum`, ...). The check compares it with the engine eagerly, then traces
it with `jit` on a batch of residuals and compares again.
""",
        template='''
def huber(r):
    """Huber's loss of the residual r (a Value), without a branch on r's number."""
    ...
''',
        hint="""
With m = min(|r|, 1), the loss is m·(|r| − m/2) on both sides. And min(a, 1) is
1 − relu(1 − a).
""",
        solution=lambda: huber,
        check=_check_huber,
        time_limit=30.0,
    ),
    exercise(
        "11.2", "A stable, traceable binary cross-entropy", "traceable", "bce",
        statement=r"""
Write `bce(z, t)`, the binary cross-entropy $-[t \log \sigma(z) + (1 - t) \log(1 - \sigma(z))]$
of a logit `z` (a Value) for a label `t` (0 or 1; under `jit` it is an input of the traced
function, so a Value too). It must stay finite for logits as large as ±800, where
$\sigma(z)$ rounds to 0 or 1, and must not branch on `t` or `z`. The check compares it with the
engine at random points and at ±800, then traces it with `jit`.
""",
        template='''
from autograd_lite import softplus

def bce(z, t):
    """Binary cross-entropy of the logit z for the label t, stable and traceable."""
    ...
''',
        hint="""
−log σ(z) = log(1 + e^(−z)) and −log(1 − σ(z)) = log(1 + e^z); softplus(z) = log(1 + e^z)
never overflows. Put both together: the t·(...) terms simplify.
""",
        solution=lambda: bce,
        check=_check_bce,
        time_limit=30.0,
    ),
    exercise(
        "12.1", "Softmax, shifted by logsumexp", "traceable", "softmax",
        statement=r"""
Write `softmax(logits)` for a list of Values: the list of $e^{z_i} / \sum_j e^{z_j}$, as
Values. It must stay right for logits like $[1000, 0, -1000]$, where $e^{1000}$ overflows, and
`jit` must be able to trace it, so the shift may not come from Python's `max`. The check
compares it with the engine eagerly, at ±1000, and under `jit`.
""",
        template='''
from autograd_lite import logsumexp

def softmax(logits):
    """The softmax of a list of Values, stable and traceable."""
    ...
''',
        hint="""
e^(z_i) / Σ_j e^(z_j) = e^(z_i − log Σ_j e^(z_j)), and logsumexp(logits) is that log, computed
stably, as one traceable op.
""",
        solution=lambda: softmax,
        check=_check_softmax,
        time_limit=30.0,
    ),
    exercise(
        "12.2", "Causal self-attention", "traceable", "causal_attention",
        statement=r"""
Write one head of causal self-attention: `causal_attention(queries, keys, values)` takes three
lists of $T$ vectors (each a list of $d$ Values) and returns $T$ vectors,
$\text{out}_t = \sum_{s \le t} a_{t,s}\, v_s$ with
$a_{t,\cdot} = \operatorname{softmax}_{s \le t}\!\big(q_t \cdot k_s / \sqrt{d}\big)$. Position
$t$ may not look at later positions. The check compares values and gradients with the engine
for several shapes, checks that no output depends on a later position, and traces it.
""",
        template='''
import math

from autograd_lite import Value, logsumexp

def causal_attention(queries, keys, values):
    """One head of causal self-attention over T positions."""
    ...
''',
        hint="""
For each t: the scores q_t·k_s / √d for s = 0..t only, their softmax (shifted by logsumexp),
then for each coordinate i the weighted sum of values[s][i].
""",
        solution=lambda: causal_attention,
        check=_check_attention,
        time_limit=30.0,
    ),
    exercise(
        "12.3", "Token and position embeddings with select", "traceable", "embed",
        statement=r"""
Write `embed(token, position, token_table, position_table)`: the token's row of `token_table`
plus the position's row of `position_table`, added coordinate by coordinate (each table is a
list of rows of Values). Under `jit` the token and the position are inputs of the traced
function, so Values: pick the rows with `select`, not with `table[int(token)]`. The check
compares with the engine for int and Value indices, then traces it.
""",
        template='''
from autograd_lite import select

def embed(token, position, token_table, position_table):
    """The token's embedding plus the position's, as a list of Values."""
    ...
''',
        hint="""
select(index, options) picks one Value of a list: for coordinate j, the options are
[row[j] for row in token_table].
""",
        solution=lambda: embed,
        check=_check_embed,
        time_limit=30.0,
    ),
]
