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

import math
import numbers
import random
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from autograd_lite import Value, no_grad

from . import _traced
from ._checks import boolean, got, integer, is_real, ordered, real, show
from .data import to_signed
from .losses import (
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
    l2_regularization,
    mse_loss,
)
from .modules import Module
from .optim import SGD, NonFiniteError, Optimizer

__all__ = ["History", "fit", "accuracy", "predict", "linear_decay", "LOSSES", "NonFiniteError"]

#: Loss names for ``fit``: the loss function and how it wants the labels. Binary labels are
#: 0/1 or -1/+1 (1 and +1 are the positive class); ``cross_entropy`` wants class indices.
LOSSES: dict[str, tuple[Callable[..., Value], Callable[[Sequence[Any]], list[Any]]]] = {
    "hinge": (hinge_loss, to_signed),
    "bce": (binary_cross_entropy_with_logits,
            lambda y: [1.0 if label > 0 else 0.0 for label in y]),
    "mse": (mse_loss, to_signed),
    "cross_entropy": (cross_entropy, list),
}


@dataclass
class History:
    """What ``fit`` measured, one entry per epoch.

    ``loss`` is the mean training loss (data loss plus the L2 penalty) over the epoch's
    batches, weighted by batch size. ``accuracy`` is the training accuracy of the predictions
    made during the epoch, each batch's before its update (as a training loop usually prints
    it); it stays empty when a loss function of one's own gets labels that are not class
    labels. ``val_accuracy`` is filled when ``fit`` gets ``validation_data``. ``lr`` is the
    learning rate used in each epoch.
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    lr: list[float | None] = field(default_factory=list)


def linear_decay(start: float, end: float, epochs: int) -> Callable[[int], float]:
    """A schedule for ``fit``: the learning rate goes linearly from ``start`` at epoch 0 to
    ``end`` at epoch ``epochs``, and stays at ``end`` after it (micrograd's demo:
    ``linear_decay(1.0, 0.1, 100)``). ``start`` and ``end`` are finite numbers >= 0 and
    ``epochs`` an int >= 1.

    >>> schedule = linear_decay(1.0, 0.1, 100)
    >>> schedule(0), round(schedule(50), 10), schedule(200)
    (1.0, 0.55, 0.1)
    """
    start = real("start", start, low=0.0)
    end = real("end", end, low=0.0)
    epochs = integer("epochs", epochs, low=1)

    def schedule(epoch: int) -> float:
        if epoch >= epochs:
            return end
        return start + (end - start) * epoch / epochs

    return schedule


# ---------------------------------------------------------------------------------------------
# Checking data and labels
# ---------------------------------------------------------------------------------------------

def _rows(name: str, X: Any, nin: int | None = None) -> list[Any]:
    """The examples of ``X`` as lists of floats (or lone floats), all of one length.

    Every number must be finite: a NaN in the data would make every loss NaN.
    """
    rows = ordered(name, X, "a list of examples, each a list of numbers")
    checked: list[Any] = []
    width = None
    for i, row in enumerate(rows):
        if is_real(row):
            checked.append(real(f"{name}[{i}]", row))
            size = 1
        else:
            items = ordered(f"{name}[{i}]", row, "a list of numbers")
            checked.append([real(f"{name}[{i}][{j}]", v) for j, v in enumerate(items)])
            size = len(items)
        if width is None:
            width = size
        elif size != width:
            raise ValueError(f"{name}[{i}] has {size} number(s) but {name}[0] has {width}")
    if width is not None and nin is not None and width != nin:
        raise ValueError(f"the examples in {name} have {width} number(s) each, but the model "
                         f"takes {nin} input(s)")
    return checked


def _binary_labels(name: str, y: Sequence[Any]) -> list[Any]:
    """``y`` if it holds binary labels: all 0 or 1, or all -1 or +1."""
    conventions: dict[str, int] = {}
    for i, label in enumerate(y):
        if not is_real(label):
            raise TypeError(f"{name}[{i}] must be a binary label (0 or 1, or -1 or +1), "
                            f"got {got(label)}")
        if label == 0:
            conventions.setdefault("0/1", i)
        elif label == -1:
            conventions.setdefault("-1/+1", i)
        elif label != 1:
            raise ValueError(f"{name}[{i}] must be a binary label (0 or 1, or -1 or +1), "
                             f"got {show(label)}")
        if len(conventions) == 2:
            raise ValueError(f"{name} mixes 0/1 labels and -1/+1 labels ({name}"
                             f"[{conventions['0/1']}] is 0, {name}[{conventions['-1/+1']}] "
                             f"is -1)")
    return list(y)


def _class_labels(name: str, y: Sequence[Any], n_classes: int) -> list[int]:
    """``y`` as class indices from 0 to ``n_classes - 1`` (ints; not bools, not 2.7)."""
    wanted = f"a class index (an int from 0 to {n_classes - 1})"
    labels = []
    for i, label in enumerate(y):
        if isinstance(label, bool) or not isinstance(label, numbers.Integral):
            raise TypeError(f"{name}[{i}] must be {wanted}, got {got(label)}")
        if not 0 <= int(label) < n_classes:
            raise ValueError(f"{name}[{i}] must be {wanted} (the model has {n_classes} "
                             f"outputs), got {show(label)}")
        labels.append(int(label))
    return labels


def _accuracy_labels(name: str, y: Sequence[Any], first_output: Any) -> list[Any]:
    """Labels that ``accuracy`` can score against outputs like ``first_output``."""
    if type(first_output) is Value:
        return _binary_labels(name, y)
    return _class_labels(name, y, len(first_output))


def _is_correct(out: Any, label: Any) -> bool:
    """Whether an output (a score, or a list of class scores; numbers) predicts ``label``."""
    if isinstance(out, list):
        return bool(_argmax(out) == label)
    return bool((out > 0.0) == (label > 0))


def _argmax(outs: Sequence[float]) -> int:
    best = 0
    for i in range(1, len(outs)):
        if outs[i] > outs[best]:
            best = i
    return best


def predict(model: Callable[[Any], Any], X: Iterable[Sequence[float]], *,
            traced: bool | None = None) -> list[int]:
    """Predicted classes, computed without recording a graph.

    A model with one output predicts 1 when its score is > 0, else 0 (a logit or a margin);
    a model with several outputs predicts the index of the largest. With NumPy installed a
    model with ``parameters()`` runs in the traced mode (``autograd_lite.jit``), the same
    numbers; ``traced=False`` keeps it eager.
    """
    _check_model(model)
    rows = ordered("X", X, "a list of examples")
    outs = _traced.outputs(model, rows, _traced.wanted(traced, "predict"))
    return [_argmax(out) if isinstance(out, list) else (1 if out > 0.0 else 0)
            for out in outs]


def _check_model(model: Any) -> None:
    if not callable(model):
        raise TypeError(f"model must be a model (callable on one example), got {got(model)}")


def accuracy(model: Callable[[Any], Any], X: Sequence[Sequence[float]],
             y: Sequence[Any], *, traced: bool | None = None) -> float:
    """The fraction of examples classified right, computed without recording a graph.

    Binary labels are 0/1 or -1/+1 (a score > 0 predicts the positive class, 1 or +1); with
    several outputs the label is the index of the right class (an int). Other labels raise
    ``TypeError`` or ``ValueError`` naming the first bad one. ``traced`` is as for
    ``predict``.

    >>> from nn import MLP
    >>> accuracy(MLP(2, [1], seed=0), [[0.0, 0.0]], [0])   # score 0.0 predicts class 0
    1.0
    """
    _check_model(model)
    X = ordered("X", X, "a list of examples")
    y = ordered("y", y, "a list of labels")
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} examples but y has {len(y)} labels")
    if not X:
        raise ValueError("accuracy of no examples")
    use_traced = _traced.wanted(traced, "accuracy")
    with no_grad():
        first = model(X[0])
    labels = _accuracy_labels("y", y, first)
    outs = _traced.outputs(model, X, use_traced)
    return sum(_is_correct(out, label) for out, label in zip(outs, labels, strict=True)) / len(X)


def _check_outputs(model: Callable[[Any], Any], x: Any, loss: str) -> Any:
    """Fail early, with a clear message, when the model's outputs do not suit the loss;
    return the model's output for ``x``."""
    with no_grad():
        out = model(x)
    if type(out) is not Value and not (isinstance(out, list | tuple) and out
                                       and all(type(o) is Value for o in out)):
        raise TypeError(f"the model must return a Value or a list of Values, got {got(out)}")
    if loss == "cross_entropy" and type(out) is Value:
        raise ValueError("loss 'cross_entropy' needs a model with one output per class; "
                         "this model has one output")
    if loss in ("hinge", "bce") and type(out) is not Value:
        raise ValueError(f"loss {loss!r} needs a model with one output; this model has "
                         f"{len(out)} (use 'cross_entropy' for several classes)")
    return out


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


# ---------------------------------------------------------------------------------------------
# fit: every argument is checked first (``_prepare``), then the loop runs.
# ---------------------------------------------------------------------------------------------

@dataclass
class _Plan:
    """``fit``'s arguments, checked and in the form the training loop uses."""

    X: list[Any]
    y: list[Any]  # the labels as given (checked for the named losses)
    targets: list[Any]  # what the loss function gets
    loss_fn: Callable[..., Value]
    optimizer: Any
    params: list[Value]
    epochs: int
    batch_size: int
    l2: float
    lr_schedule: Callable[[int], float] | None
    seed: int | None
    progress: bool | None
    validation: tuple[list[Any], list[Any]] | None
    callback: Callable[[int, History], None] | None
    track_accuracy: bool
    traced: bool


def _prepare(model: Any, X: Any, y: Any, *, loss: Any, optimizer: Any, epochs: Any,
             batch_size: Any, l2: Any, lr_schedule: Any, seed: Any, progress: Any,
             validation_data: Any, callback: Any, traced: Any = None) -> _Plan:
    if not callable(model) or not callable(getattr(model, "parameters", None)):
        raise TypeError(f"model must be a Module (callable, with parameters()), got {got(model)}")
    epochs = integer("epochs", epochs, low=0)
    if batch_size is not None:
        batch_size = integer("batch_size", batch_size, low=1)
    l2 = real("l2", l2, low=0.0)
    seed = None if seed is None else integer("seed", seed)
    if progress is not None:
        boolean("progress", progress)
    for name, f in (("lr_schedule", lr_schedule), ("callback", callback)):
        if f is not None and not callable(f):
            raise TypeError(f"{name} must be a function or None, got {got(f)}")
    if isinstance(loss, str):
        if loss not in LOSSES:
            raise ValueError(f"unknown loss {loss!r}; choose from {', '.join(LOSSES)} "
                             f"or pass a function")
    elif not callable(loss):
        raise TypeError(f"loss must be a name ({', '.join(LOSSES)}) or a function, "
                        f"got {got(loss)}")

    rows = _rows("X", X, getattr(model, "nin", None))
    labels = ordered("y", y, "a list of labels")
    if len(rows) != len(labels):
        raise ValueError(f"X has {len(rows)} examples but y has {len(labels)} labels")
    if not rows:
        raise ValueError("fit needs at least one example")
    if isinstance(loss, str):
        first = _check_outputs(model, rows[0], loss)
        loss_fn, convert = LOSSES[loss]
        labels = _accuracy_labels("y", labels, first)
        targets = convert(labels)
        track_accuracy = True
    else:
        with no_grad():
            first = model(rows[0])
        loss_fn, targets = loss, list(labels)
        try:
            _accuracy_labels("y", labels, first)
            track_accuracy = True
        except (TypeError, ValueError):  # not class labels: a loss of one's own may do that
            track_accuracy = False
    validation = None
    if validation_data is not None:
        pair = ordered("validation_data", validation_data, "a pair (X_val, y_val)")
        if len(pair) != 2:
            raise ValueError(f"validation_data must be a pair (X_val, y_val), got "
                             f"{len(pair)} item(s)")
        X_val = _rows("validation_data X", pair[0], getattr(model, "nin", None))
        y_val = ordered("validation_data y", pair[1], "a list of labels")
        if len(X_val) != len(y_val) or not X_val:
            raise ValueError(f"validation_data has {len(X_val)} examples and {len(y_val)} "
                             f"labels; it needs as many of each, at least one")
        validation = (X_val, _accuracy_labels("validation_data y", y_val, first))

    params = model.parameters()
    if optimizer is None:
        optimizer = SGD(params, lr=0.1)
    else:
        if not callable(getattr(optimizer, "step", None)):
            raise TypeError(f"optimizer must be an optimizer such as SGD(model.parameters(), "
                            f"lr=0.1), got {got(optimizer)}")
        _check_optimizer_params(optimizer, params)
    if lr_schedule is not None and not hasattr(optimizer, "lr"):
        raise TypeError(f"lr_schedule needs an optimizer with an lr attribute, got "
                        f"{got(optimizer)}")
    return _Plan(X=rows, y=labels, targets=targets, loss_fn=loss_fn, optimizer=optimizer,
                 params=params, epochs=epochs, batch_size=batch_size or len(rows), l2=l2,
                 lr_schedule=lr_schedule, seed=seed, progress=progress, validation=validation,
                 callback=callback, track_accuracy=track_accuracy,
                 traced=_fit_traced(traced, loss))


def _fit_traced(traced: object, loss: object) -> bool:
    """Whether ``fit`` trains in the traced mode (``traced``: True, False or None)."""
    use = _traced.wanted(traced, "fit")
    if traced is True and not isinstance(loss, str):
        raise ValueError("fit: traced=True needs a loss named in LOSSES; a loss function of "
                         "one's own trains eagerly (traced=None or False)")
    return use and isinstance(loss, str)


def _check_optimizer_params(optimizer: Any, params: list[Value]) -> None:
    """The optimizer must update parameters of this model (a subset freezes the others)."""
    theirs = getattr(optimizer, "params", None)
    if theirs is None:
        return
    ours = {id(p) for p in params}
    strangers = [i for i, p in enumerate(theirs) if id(p) not in ours]
    if strangers:
        raise ValueError(
            f"{len(strangers)} of the optimizer's {len(theirs)} parameters are not parameters "
            f"of the model (the first is its parameter {strangers[0]}), so fit would not "
            f"train them; make it with {type(optimizer).__name__}(model.parameters(), ...)")


def _numbers(out: Any) -> Any:
    """A model's output as numbers: a float, or a list of them."""
    return out.data if type(out) is Value else [o.data for o in out]


def _scheduled_lr(schedule: Callable[[int], float], epoch: int) -> float:
    lr = schedule(epoch)
    try:
        return real("lr", lr, low=0.0)
    except (TypeError, ValueError):
        raise (TypeError if not is_real(lr) else ValueError)(
            f"lr_schedule({epoch}) returned {got(lr)}; a learning rate must be a finite "
            f"number >= 0") from None


def _check_loss(value: float, plan: _Plan, epoch: int, batch: int, n_batches: int) -> float:
    """The loss's number, once it is known to be a finite one."""
    if not math.isfinite(value):
        lr = getattr(plan.optimizer, "lr", None)
        raise NonFiniteError(
            f"the loss is {value!r} at epoch {epoch + 1} of {plan.epochs}, batch "
            f"{batch + 1} of {n_batches}; training stopped before this step, so the model "
            f"keeps the parameters of the last one. A smaller learning rate"
            f"{f' (lr={lr!r})' if lr is not None else ''} usually helps",
            epoch=epoch + 1, steps=epoch * n_batches + batch, loss=value)
    return value


def fit(model: Module, X: Sequence[Sequence[float]], y: Sequence[Any], *,
        loss: str | Callable[[list[Any], list[Any]], Value] = "hinge",
        optimizer: Optimizer | None = None, epochs: int = 100, batch_size: int | None = None,
        l2: float = 1e-4, lr_schedule: Callable[[int], float] | None = None,
        seed: int | None = 0, progress: bool | None = None,
        validation_data: tuple[Sequence[Sequence[float]], Sequence[Any]] | None = None,
        callback: Callable[[int, History], None] | None = None,
        traced: bool | None = None) -> History:
    """Train ``model`` on ``(X, y)`` and return the ``History`` of loss and accuracy per epoch.

    Each epoch shuffles the examples (with ``random.Random(seed)``; not when the batch is the
    whole set), and for each mini-batch of ``batch_size`` examples (default: all of them)
    builds the graph of ``loss(outputs, targets) + l2 * sum(p * p)``, zeroes the gradients,
    back-propagates and calls ``optimizer.step()``.

    - ``X``: the examples, each a list of finite numbers (or one number), all of one length.
    - ``y``: the labels. For ``'hinge'``, ``'bce'`` and ``'mse'``: binary labels, all 0/1 or
      all -1/+1. For ``'cross_entropy'``: class indices, ints from 0 to the number of
      outputs - 1 (not ``2.7``, not ``True``).
    - ``loss``: a name from ``LOSSES`` (``'hinge'``, the default and micrograd's; ``'bce'``;
      ``'mse'`` on -1/+1 targets; ``'cross_entropy'`` for models with one output per class),
      or a function ``loss(outputs, targets) -> Value`` given the model's outputs and the raw
      labels of the batch (accuracy is then tracked only when the labels are class labels).
    - ``optimizer``: default ``SGD(model.parameters(), lr=0.1)``. It must update parameters
      of ``model``: an optimizer made for another model raises ``ValueError`` (one over some
      of the parameters trains those and leaves the others as they are).
    - ``l2``: a finite number >= 0.
    - ``lr_schedule``: a function of the epoch (from 0) giving the learning rate to set before
      the epoch, e.g. ``linear_decay(1.0, 0.1, epochs)``; a result that is not a finite
      number >= 0 raises before the epoch starts.
    - ``progress``: a tqdm bar on stderr. ``None`` (default) shows it only when stderr is a
      terminal, ``True`` always, ``False`` never; it is silent when tqdm is not installed
      (``pip install "autograd-lite[progress]"``).
    - ``validation_data``: ``(X_val, y_val)``, whose accuracy is measured after each epoch.
    - ``callback(epoch, history)``: called after each epoch.
    - ``traced``: with NumPy installed (``None``, the default) a named loss trains in the
      traced mode (``autograd_lite.jit``): the loss of one example is traced once and each
      batch runs as NumPy kernels, with the same losses as the eager engine to rounding;
      ``False`` trains eagerly, building a Value graph per batch. A loss function of one's
      own always trains eagerly (``traced=True`` with one raises ``ValueError``).

    Every argument is checked before training starts (``TypeError`` or ``ValueError`` naming
    it). Training stops with ``NonFiniteError`` when the loss, a gradient or an update is NaN
    or infinite; the model then keeps the parameters of the last good step, as it does when
    training is interrupted (``KeyboardInterrupt``).
    """
    plan = _prepare(model, X, y, loss=loss, optimizer=optimizer, epochs=epochs,
                    batch_size=batch_size, l2=l2, lr_schedule=lr_schedule, seed=seed,
                    progress=progress, validation_data=validation_data, callback=callback,
                    traced=traced)
    X, y, targets, optimizer = plan.X, plan.y, plan.targets, plan.optimizer
    loss_fn, params, l2, batch_size = plan.loss_fn, plan.params, plan.l2, plan.batch_size
    n = len(X)
    n_batches = -(-n // batch_size)
    history = History()
    rng = random.Random(plan.seed)
    order = list(range(n))
    step = _traced.training_step(model, loss_fn, params, l2) if plan.traced else None
    if step is not None:
        import numpy as np

        X_array = np.asarray(X, dtype=np.float64)
        targets_array = np.asarray(targets, dtype=np.float64)
    bar = _progress_bar(plan.epochs, plan.progress)
    try:
        for epoch in range(plan.epochs):
            if plan.lr_schedule is not None:
                optimizer.lr = _scheduled_lr(plan.lr_schedule, epoch)
            if batch_size < n:
                rng.shuffle(order)
            total, correct = 0.0, 0
            for b, start in enumerate(range(0, n, batch_size)):
                batch = order[start:start + batch_size]
                if step is not None:  # the traced mode: forward and backward as arrays
                    rows = X_array[batch]
                    outs = _traced.outputs(model, rows, True) if plan.track_accuracy else []
                    model.zero_grad()
                    loss_value = _check_loss(step(rows, targets_array[batch]), plan, epoch, b,
                                             n_batches)
                else:
                    graphs = [model(X[i]) for i in batch]
                    value = loss_fn(graphs, [targets[i] for i in batch])
                    if type(value) is not Value:
                        raise TypeError(f"the loss function must return a Value, got "
                                        f"{got(value)}")
                    if l2:
                        value = value + l2_regularization(params, l2)
                    loss_value = _check_loss(value.data, plan, epoch, b, n_batches)
                    model.zero_grad()
                    value.backward()
                    outs = [_numbers(out) for out in graphs] if plan.track_accuracy else []
                try:
                    optimizer.step()
                except NonFiniteError as error:
                    raise NonFiniteError(f"at epoch {epoch + 1} of {plan.epochs}, batch "
                                         f"{b + 1} of {n_batches}: {error}",
                                         epoch=epoch + 1, steps=epoch * n_batches + b) from None
                # each batch's share of the mean, not loss * size: the sum of the sizes'
                # multiples can overflow where every batch loss is finite
                total += loss_value * (len(batch) / n)
                if plan.track_accuracy:
                    correct += sum(_is_correct(out, y[i])
                                   for out, i in zip(outs, batch, strict=True))
            if not math.isfinite(total):  # finite batch losses whose mean still overflows
                raise NonFiniteError(
                    f"the mean loss of epoch {epoch + 1} of {plan.epochs} is {total!r}, though "
                    f"every batch loss is finite", epoch=epoch + 1, steps=(epoch + 1) * n_batches,
                    loss=total)
            history.loss.append(total)
            if plan.track_accuracy:
                history.accuracy.append(correct / n)
            history.lr.append(getattr(optimizer, "lr", None))
            if plan.validation is not None:
                history.val_accuracy.append(accuracy(model, *plan.validation,
                                                     traced=plan.traced))
            if bar is not None:
                postfix = {"loss": f"{history.loss[-1]:.4f}"}
                if history.accuracy:
                    postfix["acc"] = f"{history.accuracy[-1]:.1%}"
                bar.set_postfix(postfix, refresh=False)
                bar.update()
            if plan.callback is not None:
                plan.callback(epoch, history)
    finally:
        if bar is not None:
            bar.close()
    return history
