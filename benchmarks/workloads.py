"""The four workloads, written once against the API micrograd and autograd-lite share.

W1  micrograd's two-moons demo step: MLP(2, [16, 16, 1]), 100 points, mean hinge loss
    relu(1 - y * score) + 1e-4 * sum(p * p), backward, SGD; seconds per step. Every engine
    starts from the same weights, so the losses must agree.
W2  a chain v = v * 1.0001; v = v + 0.0001; ... of N op nodes, then backward; µs per node.
W3  a grid of ~1e5 ``a * b + c`` nodes after backward: bytes per node (tracemalloc, RSS).
W4  a grid of ``(a * b + c).relu()`` / ``.tanh()`` nodes: build and backward nodes per second.
"""

from __future__ import annotations

import gc
import itertools
import math
import os
import random
import statistics
import time
import tracemalloc
from typing import Any

NIN, NOUTS = 2, [16, 16, 1]
GRID_WIDTH = 1000


def moons(n: int = 100, noise: float = 0.1, seed: int = 1337) -> tuple[list, list]:
    """Two interleaving half circles with Gaussian noise, labels -1.0 / +1.0."""
    rng = random.Random(seed)
    half = n // 2
    points = [(math.cos(math.pi * i / (half - 1)), math.sin(math.pi * i / (half - 1)), -1.0)
              for i in range(half)]
    points += [(1 - math.cos(math.pi * i / (n - half - 1)),
                0.5 - math.sin(math.pi * i / (n - half - 1)), 1.0) for i in range(n - half)]
    rng.shuffle(points)
    X = [[a + rng.gauss(0, noise), b + rng.gauss(0, noise)] for a, b, _ in points]
    return X, [label for _, _, label in points]


def initial_parameters(seed: int = 42) -> list[float]:
    """Weights U(-1, 1) and zero biases, in micrograd's parameters() order."""
    rng = random.Random(seed)
    sizes = [NIN, *NOUTS]
    flat: list[float] = []
    for fan_in, fan_out in itertools.pairwise(sizes):
        for _ in range(fan_out):
            flat += [rng.uniform(-1, 1) for _ in range(fan_in)] + [0.0]
    return flat


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def w1(engine: Any, steps: int, warmup: int = 1) -> dict:
    X, Y = moons()
    model = engine.MLP(NIN, list(NOUTS))
    params = model.parameters()
    for p, v in zip(params, initial_parameters(), strict=True):
        p.data = v
    Value = engine.Value
    times, losses = [], []
    for k in range(warmup + steps):
        t0 = time.perf_counter()
        inputs = [[Value(a), Value(b)] for a, b in X]  # as micrograd's demo does
        scores = [model(x) for x in inputs]
        losses_each = [(1 + -y * s).relu() for y, s in zip(Y, scores, strict=True)]
        data_loss = (1.0 / len(X)) * sum(losses_each)
        reg_loss = 1e-4 * sum(p * p for p in model.parameters())
        total = data_loss + reg_loss
        model.zero_grad()
        total.backward()
        lr = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= lr * p.grad
        elapsed = time.perf_counter() - t0
        losses.append(total.data)
        if k >= warmup:
            times.append(elapsed)
    return {"median_s": statistics.median(times), "min_s": min(times), "losses": losses[:6]}


def w2(engine: Any, n: int) -> dict:
    gc.collect()
    x = engine.Value(0.5)
    v = x
    t0 = time.perf_counter()
    for _ in range(n // 2):
        v = v * 1.0001
        v = v + 0.0001
    t1 = time.perf_counter()
    try:
        v.backward()
    except RecursionError:
        return {"n": n, "status": "RecursionError", "build_us": (t1 - t0) / n * 1e6}
    t2 = time.perf_counter()
    ok = math.isclose(x.grad, 1.0001 ** (n // 2), rel_tol=1e-6)
    return {"n": n, "status": "ok" if ok else "wrong gradient",
            "build_us": (t1 - t0) / n * 1e6, "backward_us": (t2 - t1) / n * 1e6}


def grid(engine: Any, nodes: int, unary: str | None = None, seed: int = 7) -> tuple:
    """Width-1000 grid of u = f(p * w + p_next) layers, then a pairwise sum to one root."""
    per_cell = 2 if unary is None else 3
    layers = max(1, round((nodes - (GRID_WIDTH - 1)) / (GRID_WIDTH * per_cell)))
    rng = random.Random(seed)
    xs = [engine.Value(rng.uniform(-1, 1)) for _ in range(GRID_WIDTH)]
    ws = [engine.Value(rng.uniform(-0.5, 0.5)) for _ in range(GRID_WIDTH)]
    rotated = [ws[d % GRID_WIDTH:] + ws[:d % GRID_WIDTH] for d in range(layers)]
    t0 = time.perf_counter()
    p = xs
    for d in range(layers):
        nxt = p[1:] + p[:1]
        if unary is None:
            p = [a * w + b for a, w, b in zip(p, rotated[d], nxt, strict=True)]
        elif unary == "tanh":
            p = [(a * w + b).tanh() for a, w, b in zip(p, rotated[d], nxt, strict=True)]
        else:
            p = [(a * w + b).relu() for a, w, b in zip(p, rotated[d], nxt, strict=True)]
    while len(p) > 1:
        p = [p[i] + p[i + 1] for i in range(0, len(p) - 1, 2)] + ([p[-1]] if len(p) % 2 else [])
    build_s = time.perf_counter() - t0
    op_nodes = GRID_WIDTH * layers * per_cell + GRID_WIDTH - 1
    return xs, p[0], op_nodes, 2 * GRID_WIDTH, build_s


def w3(engine: Any, nodes: int = 100_000) -> dict:
    gc.collect()
    before = rss_bytes()
    xs, root, ops, leaves, _ = grid(engine, nodes)
    root.backward()
    gc.collect()
    rss = (rss_bytes() - before) / (ops + leaves)
    del xs, root
    gc.collect()
    tracemalloc.start()
    start = tracemalloc.get_traced_memory()[0]
    _, root, ops, leaves, _ = grid(engine, nodes)
    root.backward()
    gc.collect()
    traced = (tracemalloc.get_traced_memory()[0] - start) / (ops + leaves)
    tracemalloc.stop()
    return {"tracemalloc_bytes": traced, "rss_bytes": rss, "nodes": ops + leaves}


def w4(engine: Any, nodes: int = 100_000, repeats: int = 5) -> dict:
    result = {}
    for unary in ("relu", "tanh"):
        if not hasattr(engine.Value, unary):
            continue
        builds, backs = [], []
        for _ in range(repeats):
            gc.collect()
            xs, root, ops, _, build_s = grid(engine, nodes, unary)
            t0 = time.perf_counter()
            root.backward()
            backs.append(time.perf_counter() - t0)
            builds.append(build_s)
            checksum = root.data + sum(x.grad for x in xs[:50])
            del xs, root
        result[unary] = {"build_per_s": ops / statistics.median(builds),
                         "backward_per_s": ops / statistics.median(backs),
                         "checksum": checksum}
    return result
