"""Training steps of W1 and W5: eager autograd-lite, its traced mode (``jit``), batched PyTorch.

W1  micrograd's two-moons step (``workloads.w1``): the same data, weights, loss and schedule.
W5  a digits-sized classifier: ``MLP(64, [32, 32, 10])``, ReLU hidden layers, softmax
    cross-entropy as the log-sum-exp of the logits minus the target logit (no max-shift)
    + 1e-4 * sum(p * p), batches of 256 from 1,797 deterministic 8x8 "images", SGD lr 0.1.

A step is what a user's step is: the batch is picked, the loss and its gradients computed,
and the parameters updated. For the traced mode that is the traced call (gradients added into
each parameter's ``.grad``) and a plain Python SGD loop over the parameter Values. Every
engine starts from the same weights and sees the same batches, so the losses must agree.
PyTorch is an optional peer: it is imported only here, when asked for.
"""

from __future__ import annotations

import itertools
import math
import random
import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from . import workloads

W5_NIN, W5_NOUTS, W5_LR, W5_IMAGES, W5_CLASSES = 64, [32, 32, 10], 0.1, 1797, 10
W5_BATCHES = 16  # distinct fixed batches, used in turn
L2 = 1e-4


def w1_learning_rate(k: int) -> float:
    """micrograd's demo schedule, repeated every 100 steps (its demo runs 100)."""
    return 1.0 - 0.9 * (k % 100) / 100


def digits_like(n: int = W5_IMAGES, seed: int = 0) -> tuple[list[list[float]], list[int]]:
    """``n`` deterministic 8x8 "images" of 10 classes: per class a prototype of 64 pixels,
    plus Gaussian noise, clipped to [0, 1] and rounded to 17 grey levels (as the real digits
    come: 0..16, here divided by 16). Image ``i`` is of class ``i % 10``."""
    rng = random.Random(seed)
    prototypes = [[rng.random() ** 2 for _ in range(64)] for _ in range(W5_CLASSES)]
    images, labels = [], []
    for i in range(n):
        label = i % W5_CLASSES
        noisy = (p + rng.gauss(0.0, 0.2) for p in prototypes[label])
        images.append([round(16 * min(1.0, max(0.0, v))) / 16 for v in noisy])
        labels.append(label)
    return images, labels


def w5_batches(batch: int, count: int = W5_BATCHES, seed: int = 1) -> list[list[int]]:
    """Fixed batches of image indices, drawn without replacement within a batch."""
    rng = random.Random(seed)
    return [rng.sample(range(W5_IMAGES), batch) for _ in range(count)]


def w5_parameters(sizes: list[int], seed: int = 2) -> list[float]:
    """PyTorch's default initialisation (weights U(-1/sqrt(fan_in), +1/sqrt(fan_in))), zero
    biases, in ``nn.MLP.parameters()`` order (per neuron: its weights, then its bias)."""
    rng = random.Random(seed)
    flat: list[float] = []
    for fan_in, fan_out in itertools.pairwise(sizes):
        bound = 1.0 / math.sqrt(fan_in)
        for _ in range(fan_out):
            flat += [rng.uniform(-bound, bound) for _ in range(fan_in)] + [0.0]
    return flat


def our_model(sizes: list[int], flat: list[float]) -> Any:
    from nn import MLP

    model = MLP(sizes[0], sizes[1:])
    params = model.parameters()
    if len(params) != len(flat):
        raise RuntimeError(f"MLP{tuple(sizes)} has {len(params)} parameters, not {len(flat)}")
    for p, v in zip(params, flat, strict=True):
        p.data = v
    return model


def time_steps(run: Callable[[int], float], warmup: int, steps: int) -> tuple[dict, list]:
    """Call ``run(k)`` for k = 0, 1, ... (warm-up steps first), timing each call."""
    times, losses = [], []
    for k in range(warmup + steps):
        t0 = time.perf_counter()
        losses.append(run(k))
        times.append(time.perf_counter() - t0)
    timed = times[warmup:] or times
    median = statistics.median(timed)
    return {"median_s": median, "min_s": min(timed), "first_s": times[0],
            "steps": len(timed), "losses": losses[:6]}, times


def peak_bytes_of_one_step(run: Callable[[int], float], k: int) -> int:
    """The most memory (traced by tracemalloc: Python objects and NumPy arrays) held at once
    during one more step, above what was held before it."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        run(k)
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


# ---------------------------------------------------------------------------------------------
# eager autograd-lite (W5; W1 is workloads.w1, shared with micrograd)
# ---------------------------------------------------------------------------------------------

def w5_eager(steps: int, batch: int = 256, hidden: list[int] | None = None) -> dict:
    """W5 with a Value graph per step: ``backward()`` and SGD over the parameters."""
    from autograd_lite import Value

    sizes = [W5_NIN, *(hidden or W5_NOUTS[:-1]), W5_CLASSES]
    images, labels = digits_like()
    batches = w5_batches(batch)
    model = our_model(sizes, w5_parameters(sizes))
    params = model.parameters()

    def run(k: int) -> float:
        terms = []
        for i in batches[k % len(batches)]:
            z = model(images[i])
            terms.append(Value.sum([zk.exp() for zk in z]).log() - z[labels[i]])
        total = Value.sum(terms) * (1.0 / len(terms)) + L2 * Value.sum([p * p for p in params])
        model.zero_grad()
        total.backward()
        for p in params:
            p.data -= W5_LR * p.grad
        return total.data

    return time_steps(run, 0, steps)[0]


# ---------------------------------------------------------------------------------------------
# the traced mode
# ---------------------------------------------------------------------------------------------

def _traced_result(step: Any, run: Callable[[int], float], warmup: int, steps: int) -> dict:
    result, times = time_steps(run, warmup, steps)
    result["trace_s"] = max(0.0, times[0] - result["median_s"])
    result["plan_bytes"] = step.memory()
    result["peak_step_bytes"] = peak_bytes_of_one_step(run, warmup + steps)
    return result


def _sgd(params: list, lr: float) -> None:
    for p in params:  # as a user writes it; the traced call adds into .grad
        p.data -= lr * p.grad
        p.grad = 0.0


def w1_jit(warmup: int, steps: int) -> dict:
    """W1 through ``jit``: micrograd's per-example hinge loss, traced once, on all 100 points."""
    import numpy as np

    from autograd_lite import jit

    X, Y = workloads.moons()
    model = our_model([workloads.NIN, *workloads.NOUTS], workloads.initial_parameters())
    params = model.parameters()

    def example_loss(x: list, y: Any) -> Any:
        return (1 + -y * model(x)).relu() + L2 * sum(p * p for p in params)

    step = jit(example_loss, params=params, reduce="mean")
    points, targets = np.array(X), np.array(Y)

    def run(k: int) -> float:
        loss = step(points, targets)
        _sgd(params, w1_learning_rate(k))
        return loss

    return _traced_result(step, run, max(1, warmup), steps)


def w5_jit(warmup: int, steps: int, batch: int = 256, hidden: list[int] | None = None) -> dict:
    """W5 through ``jit``: the cross-entropy of one image (its label picked by ``select``)."""
    import numpy as np

    from autograd_lite import Value, jit, select

    sizes = [W5_NIN, *(hidden or W5_NOUTS[:-1]), W5_CLASSES]
    images, labels = digits_like()
    batches = [np.array(b) for b in w5_batches(batch)]
    pixels, classes = np.array(images), np.array(labels)
    model = our_model(sizes, w5_parameters(sizes))
    params = model.parameters()

    def example_loss(x: list, label: Any) -> Any:
        z = model(x)
        return (Value.sum([zk.exp() for zk in z]).log() - select(label, z)
                + L2 * Value.sum([p * p for p in params]))

    step = jit(example_loss, params=params, reduce="mean")

    def run(k: int) -> float:
        rows = batches[k % len(batches)]
        loss = step(pixels[rows], classes[rows])
        _sgd(params, W5_LR)
        return loss

    return _traced_result(step, run, max(1, warmup), steps)


def w1_eager_after_jit(engine: Any, steps: int) -> dict:
    """Eager W1 in a process that has traced a function with ``jit`` and run it: the traced
    mode's guards must cost eager code nothing once a trace is over."""
    from autograd_lite import jit

    X, Y = workloads.moons()
    model = engine.MLP(workloads.NIN, list(workloads.NOUTS))
    step = jit(lambda x, y: (1 + -y * model(x)).relu(), params=model.parameters())
    step(X, Y)  # the trace
    step(X, Y)  # a call of the cached plan
    return workloads.w1(engine, steps)


# ---------------------------------------------------------------------------------------------
# batched PyTorch (optional)
# ---------------------------------------------------------------------------------------------

def _torch_mlp(torch: Any, sizes: list[int], flat: list[float]) -> list:
    """[W1, b1, W2, b2, ...] as float64 leaf tensors, from the flat per-neuron layout."""
    tensors, start = [], 0
    for fan_in, fan_out in itertools.pairwise(sizes):
        size = fan_out * (fan_in + 1)
        rows = torch.tensor(flat[start:start + size], dtype=torch.float64)
        rows = rows.reshape(fan_out, fan_in + 1)  # one row per neuron: weights, then bias
        tensors += [rows[:, :fan_in].clone().requires_grad_(),
                    rows[:, fan_in].clone().requires_grad_()]
        start += size
    return tensors


def _torch_forward(torch: Any, tensors: list, x: Any) -> Any:
    pairs = list(zip(tensors[::2], tensors[1::2], strict=True))
    for W, b in pairs[:-1]:
        x = torch.relu(x @ W.T + b)
    W, b = pairs[-1]
    return x @ W.T + b


def _torch_l2(tensors: list) -> Any:
    return L2 * sum((t * t).sum() for t in tensors)


def _torch_step(torch: Any, total: Any, tensors: list, lr: float) -> float:
    """Backward and SGD written out, as the traced mode's step is: a leaner step than
    ``torch.optim.SGD``'s (and no import of its compiler machinery)."""
    for t in tensors:
        t.grad = None
    total.backward()
    with torch.no_grad():
        for t in tensors:
            t -= lr * t.grad
    return total.item()


def w1_torch(warmup: int, steps: int) -> dict:
    """W1 in batched PyTorch: one (100, 2) tensor of points."""
    import torch

    X, Y = workloads.moons()
    sizes = [workloads.NIN, *workloads.NOUTS]
    tensors = _torch_mlp(torch, sizes, workloads.initial_parameters())
    points = torch.tensor(X, dtype=torch.float64)
    targets = torch.tensor(Y, dtype=torch.float64)

    def run(k: int) -> float:
        scores = _torch_forward(torch, tensors, points)[:, 0]
        total = torch.relu(1 - targets * scores).mean() + _torch_l2(tensors)
        return _torch_step(torch, total, tensors, w1_learning_rate(k))

    return time_steps(run, warmup, steps)[0]


def w5_torch(warmup: int, steps: int, batch: int = 256, hidden: list[int] | None = None) -> dict:
    """W5 in batched PyTorch: a (256, 64) batch, the target logits by ``gather``."""
    import torch

    sizes = [W5_NIN, *(hidden or W5_NOUTS[:-1]), W5_CLASSES]
    images, labels = digits_like()
    batches = [torch.tensor(b) for b in w5_batches(batch)]
    pixels = torch.tensor(images, dtype=torch.float64)
    classes = torch.tensor(labels)
    tensors = _torch_mlp(torch, sizes, w5_parameters(sizes))

    def run(k: int) -> float:
        rows = batches[k % len(batches)]
        z = _torch_forward(torch, tensors, pixels[rows])
        target_logits = z.gather(1, classes[rows][:, None])[:, 0]
        total = (torch.log(torch.exp(z).sum(1)) - target_logits).mean() + _torch_l2(tensors)
        return _torch_step(torch, total, tensors, W5_LR)

    return time_steps(run, warmup, steps)[0]
