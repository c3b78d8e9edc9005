"""W6: a one-layer transformer on names, written as scalar code, trained through ``jit``, and
the same model batched in PyTorch.

The model of notebook 12: token and position embeddings (16 numbers), RMS norm, one block of
causal attention (4 heads) and a ReLU MLP, both with residual connections, and a linear head
over 27 tokens (a-z and the boundary): 4,192 parameters. One example is one name, framed by the
boundary token; its loss is the mean cross-entropy of each next token. A step is the loss and
the gradients of a batch of names of one length, then plain SGD over the parameters, as a user
writes it. Every engine starts from the same seeded weights, on the same batches, and must give
the eager loss of autograd-lite (checked on the first batch).
"""

from __future__ import annotations

import math
import random
from typing import Any

from .training import peak_bytes_of_one_step, time_steps

VOCAB, DIM, HEADS, CONTEXT = 27, 16, 4, 16
HEAD = DIM // HEADS
BOUNDARY = 26
LR = 0.1
SHAPES = {"token": (VOCAB, DIM), "position": (CONTEXT, DIM), "query": (DIM, DIM),
          "key": (DIM, DIM), "value": (DIM, DIM), "out": (DIM, DIM), "up": (4 * DIM, DIM),
          "down": (DIM, 4 * DIM), "head": (VOCAB, DIM)}


def weights(seed: int = 0) -> dict[str, list[list[float]]]:
    rng = random.Random(seed)
    return {name: [[rng.gauss(0.0, 0.08) for _ in range(cols)] for _ in range(rows)]
            for name, (rows, cols) in SHAPES.items()}


def batches(batch: int, length: int, count: int = 8) -> list[list[list[int]]]:
    """``count`` batches of ``batch`` names of ``length`` letters, as framed token lists."""
    from nn.data import names

    words = [w for w in names() if len(w) == length]
    if len(words) < batch:
        raise ValueError(f"only {len(words)} names of {length} letters")
    rng = random.Random(1)
    return [[[BOUNDARY, *(ord(c) - 97 for c in w), BOUNDARY] for w in rng.sample(words, batch)]
            for _ in range(count)]


def scalar_model(initial: dict[str, list[list[float]]]) -> tuple[list[Any], Any]:
    """The parameters (Values) and the loss of one name, as scalar autograd-lite code."""
    from autograd_lite import Value, logsumexp, select

    W = {name: [[Value(x) for x in row] for row in rows] for name, rows in initial.items()}
    params = [p for rows in W.values() for row in rows for p in row]
    columns = [[W["token"][t][d] for t in range(VOCAB)] for d in range(DIM)]

    def linear(rows: list[list[Any]], x: list[Any]) -> list[Any]:
        return [sum(w * xi for w, xi in zip(row, x, strict=True)) for row in rows]

    def rms_norm(x: list[Any]) -> list[Any]:
        scale = (sum(xi * xi for xi in x) / len(x) + 1e-5) ** -0.5
        return [xi * scale for xi in x]

    def name_loss(tokens: list[Any]) -> Any:
        keys: list[list[Any]] = []
        values: list[list[Any]] = []
        losses = []
        for t in range(len(tokens) - 1):
            embedding = [select(tokens[t], column) for column in columns]
            x = rms_norm([e + p for e, p in zip(embedding, W["position"][t], strict=True)])
            h = rms_norm(x)
            q, k, v = linear(W["query"], h), linear(W["key"], h), linear(W["value"], h)
            keys.append(k)
            values.append(v)
            mixed: list[Any] = []
            for head in range(HEADS):
                lo, hi = head * HEAD, (head + 1) * HEAD
                scores = [sum(a * b for a, b in zip(q[lo:hi], key[lo:hi], strict=True))
                          / math.sqrt(HEAD) for key in keys]
                shift = logsumexp(scores)
                attention = [(s - shift).exp() for s in scores]
                mixed += [sum(a * value[d] for a, value in zip(attention, values, strict=True))
                          for d in range(lo, hi)]
            x = [a + b for a, b in zip(linear(W["out"], mixed), x, strict=True)]
            hidden = [u.relu() for u in linear(W["up"], rms_norm(x))]
            x = [a + b for a, b in zip(linear(W["down"], hidden), x, strict=True)]
            logits = linear(W["head"], x)
            losses.append(logsumexp(logits) - select(tokens[t + 1], logits))
        return sum(losses) * (1.0 / len(losses))

    return params, name_loss


def w6_eager(steps: int, batch: int = 32, length: int = 7) -> dict:
    """W6 with a Value graph per name: the batch's mean loss, ``backward()``, SGD."""
    from autograd_lite import Value

    data = batches(batch, length)
    params, name_loss = scalar_model(weights())

    def run(k: int) -> float:
        losses = [name_loss([Value(float(t)) for t in tokens]) for tokens in data[k % len(data)]]
        total = Value.sum(losses) * (1.0 / len(losses))
        for p in params:
            p.grad = 0.0
        total.backward()
        for p in params:
            p.data -= LR * p.grad
        return total.data

    return time_steps(run, 0, steps)[0]


def w6_jit(warmup: int, steps: int, batch: int = 32, length: int = 7) -> dict:
    """W6 through ``jit``: the per-name loss, traced once, run on a batch of names."""
    import numpy as np

    from autograd_lite import jit

    data = [np.array(b, dtype=float) for b in batches(batch, length)]
    params, name_loss = scalar_model(weights())
    step = jit(name_loss, params=params, reduce="mean")

    def run(k: int) -> float:
        loss = step(data[k % len(data)])
        for p in params:  # as a user writes it; the traced call adds into .grad
            p.data -= LR * p.grad
            p.grad = 0.0
        return loss

    result, times = time_steps(run, max(1, warmup), steps)
    result["trace_s"] = max(0.0, times[0] - result["median_s"])
    result["plan_bytes"] = step.memory()
    result["peak_step_bytes"] = peak_bytes_of_one_step(run, warmup + steps)
    return result


def w6_torch(warmup: int, steps: int, batch: int = 32, length: int = 7) -> dict:
    """W6 in batched PyTorch, float64, from the same weights."""
    import torch

    P = {name: torch.tensor(rows, dtype=torch.float64, requires_grad=True)
         for name, rows in weights().items()}
    data = [torch.tensor(b) for b in batches(batch, length)]

    def rms(x: Any) -> Any:
        return x * ((x * x).mean(-1, keepdim=True) + 1e-5) ** -0.5

    def batch_loss(tokens: Any) -> Any:
        B, L = tokens.shape[0], tokens.shape[1] - 1
        x = rms(P["token"][tokens[:, :-1]] + P["position"][:L])
        h = rms(x)

        def heads(name: str) -> Any:
            return (h @ P[name].T).view(B, L, HEADS, HEAD).transpose(1, 2)

        q, k, v = heads("query"), heads("key"), heads("value")
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(HEAD)
        causal = torch.triu(torch.ones(L, L, dtype=torch.bool), 1)
        mixed = (scores.masked_fill(causal, -math.inf).softmax(-1) @ v)
        x = mixed.transpose(1, 2).reshape(B, L, DIM) @ P["out"].T + x
        x = (rms(x) @ P["up"].T).relu() @ P["down"].T + x
        logits = x @ P["head"].T
        return torch.nn.functional.cross_entropy(logits.reshape(-1, VOCAB),
                                                 tokens[:, 1:].reshape(-1))

    def run(k: int) -> float:
        total = batch_loss(data[k % len(data)])
        for t in P.values():
            t.grad = None
        total.backward()
        with torch.no_grad():
            for t in P.values():
                t -= LR * t.grad
        return total.item()

    return time_steps(run, warmup, steps)[0]
