"""Training: ``fit`` (mini-batch training with an optional progress bar), ``accuracy``,
``predict`` and a learning-rate schedule.

>>> from nn import MLP
>>> from nn.data import xor
>>> X, y = xor(4, noise=0.0)
>>> model = MLP(2, [8, 1], seed=1)
>>> history = fit(model, X, y, epochs=60, progress=False)
>>> accuracy(model, X, y)
1.0
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from autograd_lite import Value, no_grad

from .data import to_signed
from .losses import (
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
    l2_regularization,
    mse_loss,
)
from .modules import Module
from .optim import SGD, Optimizer

__all__ = ["History", "fit", "accuracy", "predict", "linear_decay", "LOSSES"]

#: Loss names for ``fit``: the loss function and how it wants the labels. Binary labels may be
#: 0/1 or -1/+1 (a label > 0 is the positive class); ``cross_entropy`` wants class indices.
LOSSES: dict[str, tuple[Callable[..., Value], Callable[[Sequence[Any]], list[Any]]]] = {
    "hinge": (hinge_loss, to_signed),
    "bce": (binary_cross_entropy_with_logits,
            lambda y: [1.0 if label > 0 else 0.0 for label in y]),
    "mse": (mse_loss, to_signed),
    "cross_entropy": (cross_entropy, lambda y: [int(label) for label in y]),
}


@dataclass
class History:
    """What ``fit`` measured, one entry per epoch.

    ``loss`` is the mean training loss (data loss plus the L2 penalty) over the epoch's
    batches, weighted by batch size. ``accuracy`` is the training accuracy of the predictions
    made during the epoch, each batch's before its update (as a training loop usually prints
    it). ``val_accuracy`` is filled when ``fit`` gets ``validation_data``. ``lr`` is the
    learning rate used in each epoch.
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)


def linear_decay(start: float, end: float, epochs: int) -> Callable[[int], float]:
    """A schedule for ``fit``: the learning rate goes linearly from ``start`` at epoch 0 towards
    ``end`` at epoch ``epochs`` (micrograd's demo: ``linear_decay(1.0, 0.1, 100)``).

    >>> schedule = linear_decay(1.0, 0.1, 100)
    >>> schedule(0), round(schedule(50), 10)
    (1.0, 0.55)
    """
    def schedule(epoch: int) -> float:
        return start + (end - start) * epoch / epochs

    return schedule


def _is_correct(out: Any, label: Any) -> bool:
    if type(out) is Value:
        return (out.data > 0.0) == (label > 0)
    return _argmax(out) == label


def _argmax(outs: Sequence[Value]) -> int:
    best = 0
    for i in range(1, len(outs)):
        if outs[i].data > outs[best].data:
            best = i
    return best


def predict(model: Callable[[Any], Any], X: Iterable[Sequence[float]]) -> list[int]:
    """Predicted classes, computed without recording a graph.

    A model with one output predicts 1 when its score is > 0, else 0 (a logit or a margin);
    a model with several outputs predicts the index of the largest.
    """
    with no_grad():
        outs = [model(x) for x in X]
    return [(1 if out.data > 0.0 else 0) if type(out) is Value else _argmax(out)
            for out in outs]


def accuracy(model: Callable[[Any], Any], X: Sequence[Sequence[float]],
             y: Sequence[Any]) -> float:
    """The fraction of examples classified right, computed without recording a graph.

    Binary labels may be 0/1 or -1/+1 (a label > 0 is the positive class, a score > 0 predicts
    it); with several outputs the label is the index of the right class.

    >>> from nn import MLP
    >>> accuracy(MLP(2, [1], seed=0), [[0.0, 0.0]], [0])   # score 0.0 predicts class 0
    1.0
    """
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} examples but y has {len(y)} labels")
    if not X:
        raise ValueError("accuracy of no examples")
    with no_grad():
        correct = sum(_is_correct(model(x), label) for x, label in zip(X, y, strict=True))
    return correct / len(X)


def _check_outputs(model: Callable[[Any], Any], x: Sequence[float], loss: str) -> None:
    """Fail early, with a clear message, when the model's outputs do not suit the loss."""
    with no_grad():
        out = model(x)
    if loss == "cross_entropy" and type(out) is Value:
        raise ValueError("loss 'cross_entropy' needs a model with one output per class; "
                         "this model has one output")
    if loss in ("hinge", "bce") and type(out) is not Value:
        raise ValueError(f"loss {loss!r} needs a model with one output; this model has "
                         f"{len(out)} (use 'cross_entropy' for several classes)")


def _progress_bar(epochs: int, progress: bool | None) -> Any:
    """A tqdm bar over the epochs, or None when it should stay silent."""
    if progress is False or (progress is None and not _stderr_is_terminal()):
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=epochs, desc="training", unit="epoch", file=sys.stderr, leave=True)


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr is not None and sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced or closed stream
        return False


def fit(model: Module, X: Sequence[Sequence[float]], y: Sequence[Any], *,
        loss: str | Callable[[list[Any], list[Any]], Value] = "hinge",
        optimizer: Optimizer | None = None, epochs: int = 100, batch_size: int | None = None,
        l2: float = 1e-4, lr_schedule: Callable[[int], float] | None = None, seed: int = 0,
        progress: bool | None = None,
        validation_data: tuple[Sequence[Sequence[float]], Sequence[Any]] | None = None,
        callback: Callable[[int, History], None] | None = None) -> History:
    """Train ``model`` on ``(X, y)`` and return the ``History`` of loss and accuracy per epoch.

    Each epoch shuffles the examples (with ``random.Random(seed)``; not when the batch is the
    whole set), and for each mini-batch of ``batch_size`` examples (default: all of them)
    builds the graph of ``loss(outputs, targets) + l2 * sum(p * p)``, zeroes the gradients,
    back-propagates and calls ``optimizer.step()``.

    - ``loss``: a name from ``LOSSES`` (``'hinge'``, the default and micrograd's; ``'bce'``;
      ``'mse'`` on -1/+1 targets; ``'cross_entropy'`` for models with one output per class),
      or a function ``loss(outputs, targets) -> Value`` given the model's outputs and the raw
      labels of the batch.
    - ``optimizer``: default ``SGD(model.parameters(), lr=0.1)``.
    - ``lr_schedule``: a function of the epoch (from 0) giving the learning rate to set before
      the epoch, e.g. ``linear_decay(1.0, 0.1, epochs)``.
    - ``progress``: a tqdm bar on stderr. ``None`` (default) shows it only when stderr is a
      terminal, ``True`` always, ``False`` never; it is silent when tqdm is not installed
      (``pip install "autograd-lite[progress]"``).
    - ``validation_data``: ``(X_val, y_val)``, whose accuracy is measured after each epoch.
    - ``callback(epoch, history)``: called after each epoch.
    """
    n = len(X)
    if n != len(y):
        raise ValueError(f"X has {n} examples but y has {len(y)} labels")
    if n == 0:
        raise ValueError("fit needs at least one example")
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 0:
        raise ValueError(f"epochs must be an int >= 0, got {epochs!r}")
    if batch_size is None:
        batch_size = n
    elif isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int or None, got {batch_size!r}")
    if isinstance(loss, str):
        if loss not in LOSSES:
            raise ValueError(f"unknown loss {loss!r}; choose from {', '.join(LOSSES)} "
                             f"or pass a function")
        loss_fn, convert = LOSSES[loss]
        targets = convert(y)
        _check_outputs(model, X[0], loss)
    else:
        loss_fn, targets = loss, list(y)
    params = model.parameters()
    if optimizer is None:
        optimizer = SGD(params, lr=0.1)

    history = History()
    rng = random.Random(seed)
    order = list(range(n))
    bar = _progress_bar(epochs, progress)
    try:
        for epoch in range(epochs):
            if lr_schedule is not None:
                optimizer.lr = lr_schedule(epoch)
            if batch_size < n:
                rng.shuffle(order)
            total, correct = 0.0, 0
            for start in range(0, n, batch_size):
                batch = order[start:start + batch_size]
                outs = [model(X[i]) for i in batch]
                value = loss_fn(outs, [targets[i] for i in batch])
                if l2:
                    value = value + l2_regularization(params, l2)
                model.zero_grad()
                value.backward()
                optimizer.step()
                total += value.data * len(batch)
                correct += sum(_is_correct(out, y[i]) for out, i in zip(outs, batch, strict=True))
            history.loss.append(total / n)
            history.accuracy.append(correct / n)
            history.lr.append(optimizer.lr)
            if validation_data is not None:
                history.val_accuracy.append(accuracy(model, *validation_data))
            if bar is not None:
                bar.set_postfix({"loss": f"{history.loss[-1]:.4f}",
                                 "acc": f"{history.accuracy[-1]:.1%}"}, refresh=False)
                bar.update()
            if callback is not None:
                callback(epoch, history)
    finally:
        if bar is not None:
            bar.close()
    return history
