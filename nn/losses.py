"""Loss functions over Values: each returns one Value to call ``backward()`` on.

Every loss is the mean over the examples it is given. Predictions are Values (numbers are
taken as constants); targets are numbers. A single prediction and target may be passed
without a list.

>>> from autograd_lite import Value, logsumexp, select, softplus
>>> loss = hinge_loss([Value(0.5), Value(-2.0)], [1.0, -1.0])   # micrograd's demo loss
>>> loss.data
0.25
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from autograd_lite import Value, logsumexp, select, softplus

from ._checks import got, is_real, ordered, real, show

__all__ = [
    "mse_loss", "binary_cross_entropy_with_logits", "cross_entropy", "hinge_loss",
    "l2_regularization",
]

Scalar = Value | float


# ---------------------------------------------------------------------------------------------
# Checking the arguments. Each loss first turns its arguments into plain lists (predictions as
# Values, targets as floats or class indices), naming any bad entry, then computes.
# ---------------------------------------------------------------------------------------------

def _prediction(who: str, name: str, p: Any) -> Value:
    if type(p) is Value:
        return p
    if is_real(p):
        return Value(p)
    raise TypeError(f"{who}: {name} must be a Value or a number, got {got(p)}")


def _items(who: str, name: str, x: Any, wanted: str) -> tuple[list[Any], list[str]]:
    """The entries of ``x`` and their names (``name[0]``, ...); a lone entry is ``name``."""
    if isinstance(x, Value | numbers.Real):
        return [x], [name]
    items = ordered(f"{who}: {name}", x, wanted)
    return items, [f"{name}[{i}]" for i in range(len(items))]


def _check_pairs(who: str, predictions: Any, targets: Any, names: tuple[str, str],
                 target: Callable[[str, Any], float]) -> tuple[list[Value], list[float]]:
    """Predictions as Values and targets as floats (checked by ``target``), same length."""
    p_name, t_name = names
    ps, p_names = _items(who, p_name, predictions, "a Value, a number or a list of them")
    ts, t_names = _items(who, t_name, targets, "a number or a list of numbers")
    if len(ps) != len(ts):
        raise ValueError(f"{who}: {len(ps)} prediction(s) but {len(ts)} target(s)")
    if not ps:
        raise ValueError(f"{who}: no predictions")
    return ([_prediction(who, n, p) for n, p in zip(p_names, ps, strict=True)],
            [target(f"{who}: {n}", t) for n, t in zip(t_names, ts, strict=True)])


# A target may also be a Value: a label fed to a function traced by autograd_lite.jit, whose
# number is not known when the loss is built. It is then used as it is, unchecked.

def _any_target(name: str, t: Any) -> Any:
    return t if type(t) is Value else real(name, t)


def _signed_target(name: str, t: Any) -> Any:
    if type(t) is Value:
        return t
    if not is_real(t):
        raise TypeError(f"{name} must be -1 or +1, got {got(t)}")
    if t not in (1, -1):
        raise ValueError(f"{name} must be -1 or +1 (turn 0/1 labels into -1/+1 with "
                         f"nn.data.to_signed), got {show(t)}")
    return float(t)


def _probability_target(name: str, t: Any) -> Any:
    return t if type(t) is Value else real(name, t, low=0.0, high=1.0)


def _class_index(name: str, t: Any, n_classes: int) -> Any:
    if type(t) is Value:  # select() gives nan for a number that is not a class index
        return t
    wanted = f"a class index (an int from 0 to {n_classes - 1})"
    if isinstance(t, bool) or not isinstance(t, numbers.Integral):
        raise TypeError(f"{name} must be {wanted}, got {got(t)}")
    if not 0 <= int(t) < n_classes:
        raise ValueError(f"{name} must be {wanted}, got {show(t)}")
    return int(t)


def _check_mse(predictions: Any, targets: Any) -> tuple[list[Value], list[float]]:
    who = "mse_loss"
    ps, ts = predictions, targets
    if not isinstance(ps, Value | numbers.Real):
        ps = ordered(f"{who}: predictions", ps, "a Value, a number or a list of them")
    if not isinstance(ps, list) or not any(isinstance(p, list | tuple) for p in ps):
        return _check_pairs(who, ps, ts, ("predictions", "targets"), _any_target)
    # several outputs per example: predictions[i] is a list, and so is targets[i]
    ts = ordered(f"{who}: targets", ts, "a list of target lists")
    if len(ps) != len(ts):
        raise ValueError(f"{who}: {len(ps)} prediction(s) but {len(ts)} target(s)")
    flat_p: list[Value] = []
    flat_t: list[float] = []
    for i, (p, t) in enumerate(zip(ps, ts, strict=True)):
        fp, ft = _check_pairs(who, p, t, (f"predictions[{i}]", f"targets[{i}]"), _any_target)
        flat_p += fp
        flat_t += ft
    return flat_p, flat_t


def _check_cross_entropy(logits: Any, targets: Any) -> tuple[list[list[Value]], list[int]]:
    who = "cross_entropy"
    items = ordered(f"{who}: logits", logits,
                    "a list of class scores, or one such list per example")
    if items and isinstance(items[0], Value | numbers.Real):  # one example: a flat list
        if isinstance(targets, Iterable) and not isinstance(targets, str | bytes):
            raise ValueError(f"{who}: logits holds a single example's scores, one score per "
                             f"class, so targets must be one class index, got {got(targets)}")
        rows, row_names, classes, class_names = [items], ["logits"], [targets], ["targets"]
    else:
        rows, row_names = items, [f"logits[{i}]" for i in range(len(items))]
        classes, class_names = _items(who, "targets", targets, "a list of class indices")
        if len(rows) != len(classes):
            raise ValueError(f"{who}: {len(rows)} prediction(s) but {len(classes)} target(s)")
    if not rows:
        raise ValueError(f"{who}: no predictions")
    checked_rows = []
    for row, name in zip(rows, row_names, strict=True):
        if isinstance(row, Value | numbers.Real):
            raise ValueError(f"{who}: {name} needs one score per class, got a single score")
        scores = ordered(f"{who}: {name}", row, "a list of class scores")
        if not scores:
            raise ValueError(f"{who}: {name} has no class scores")
        checked_rows.append([_prediction(who, f"{name}[{j}]", v) for j, v in enumerate(scores)])
    checked_classes = [_class_index(f"{who}: {name}", t, len(row))
                       for t, name, row in zip(classes, class_names, checked_rows, strict=True)]
    return checked_rows, checked_classes


# ---------------------------------------------------------------------------------------------
# The losses
# ---------------------------------------------------------------------------------------------

def _mean(terms: list[Any]) -> Value:
    total = Value.sum(terms)
    return total * (1.0 / len(terms))  # micrograd's demo scales by 1/n, so we round the same


def mse_loss(predictions: Scalar | Sequence[Any], targets: float | Sequence[Any]) -> Value:
    """Mean squared error ``mean((p - t)^2)``.

    A prediction may also be a list of Values (a model with several outputs) with a list of
    targets of the same length; every output counts as one term of the mean. Targets must be
    finite numbers.

    >>> from autograd_lite import Value
    >>> mse_loss([Value(1.0), Value(3.0)], [0.0, 1.0]).data
    2.5
    >>> mse_loss(Value(1.0), "a")
    Traceback (most recent call last):
    TypeError: mse_loss: targets must be a number or a list of numbers, got 'a' (str)
    """
    ps, ts = _check_mse(predictions, targets)
    diffs = [p - t for p, t in zip(ps, ts, strict=True)]
    return _mean([d * d for d in diffs])


def hinge_loss(scores: Scalar | Sequence[Scalar], targets: float | Sequence[float]) -> Value:
    """Max-margin loss ``mean(relu(1 - y * s))`` for labels ``y`` in {-1, +1}.

    Written as micrograd's demo writes it (``(1 + -y * s).relu()``, summed, times ``1/n``), so
    it gives the same numbers bit for bit. Labels 0/1 must first become -1/+1
    (``nn.data.to_signed``): any other target raises ``ValueError``.
    """
    ss, ys = _check_pairs("hinge_loss", scores, targets, ("scores", "targets"), _signed_target)
    return _mean([(1 + -y * s).relu() for y, s in zip(ys, ss, strict=True)])


def binary_cross_entropy_with_logits(logits: Scalar | Sequence[Scalar],
                                     targets: float | Sequence[float]) -> Value:
    """Binary cross-entropy of ``sigmoid(z)`` against targets ``y`` in [0, 1], from logits ``z``.

    Computed as ``softplus(z) - y*z``, with the table's ``softplus`` (``log(1 + exp(z))``
    without overflow): exact for any logit (``z = -800`` gives ``800 * y``), its derivative is
    exactly ``sigmoid(z) - y`` everywhere, and no Python branch reads ``z``, so it can be traced
    by ``autograd_lite.jit``. Targets may be soft (any number from 0 to 1), or Values (labels
    of a traced function).

    >>> from autograd_lite import Value
    >>> round(binary_cross_entropy_with_logits(Value(0.0), 1.0).data, 6)   # log 2
    0.693147
    >>> binary_cross_entropy_with_logits(["a"], [1])
    Traceback (most recent call last):
    TypeError: binary_cross_entropy_with_logits: logits[0] must be a Value or a number, got 'a' ...
    """
    zs, ys = _check_pairs("binary_cross_entropy_with_logits", logits, targets,
                          ("logits", "targets"), _probability_target)
    return _mean([softplus(z) - y * z for z, y in zip(zs, ys, strict=True)])


def cross_entropy(logits: Sequence[Scalar] | Sequence[Sequence[Scalar]],
                  targets: int | Sequence[int]) -> Value:
    """Softmax cross-entropy: ``mean(logsumexp(z) - z[target])`` over the examples.

    ``logits`` is one list of class scores per example and ``targets`` the class indices
    (ints; ``2.7``, ``2.0`` or ``True`` raise ``TypeError``); a single example may be given as
    one list of scores and an int. Written with the table's ``logsumexp`` (stable: logits
    ``[800, 0, 0]`` give 0 for class 0) and ``select`` (the target's score), so that no Python
    branch or index reads the data: it can be traced by ``autograd_lite.jit``, where the
    target is a Value, a label of each example.

    >>> from autograd_lite import Value
    >>> round(cross_entropy([Value(2.0), Value(0.0)], 0).data, 6)
    0.126928
    >>> cross_entropy([Value(2.0), Value(0.0)], 2.7)
    Traceback (most recent call last):
    TypeError: cross_entropy: targets must be a class index (an int from 0 to 1), got 2.7 (float)
    """
    rows, classes = _check_cross_entropy(logits, targets)
    return _mean([logsumexp(z) - select(t, z) for z, t in zip(rows, classes, strict=True)])


def l2_regularization(parameters: Iterable[Value], alpha: float = 1e-4) -> Value:
    """The penalty ``alpha * sum(p * p)`` (micrograd's demo uses ``alpha = 1e-4``).

    ``parameters`` are Values (``model.parameters()``) and ``alpha`` a finite number >= 0.

    >>> from autograd_lite import Value
    >>> l2_regularization([Value(1.0), Value(2.0)], alpha=0.5).data
    2.5
    """
    alpha = real("l2_regularization: alpha", alpha, low=0.0)
    params = ordered("l2_regularization: parameters", parameters,
                     "a list of Values such as model.parameters()")
    if not params:
        raise ValueError("l2_regularization: no parameters")
    for i, p in enumerate(params):
        if type(p) is not Value:
            raise TypeError(f"l2_regularization: parameters[{i}] must be a Value, got {got(p)}")
    return alpha * Value.sum([p * p for p in params])
