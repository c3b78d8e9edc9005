"""Loss functions over Values: each returns one Value to call ``backward()`` on.

Every loss is the mean over the examples it is given. Predictions are Values (numbers are
taken as constants); targets are numbers. A single prediction and target may be passed
without a list.

>>> from autograd_lite import Value
>>> loss = hinge_loss([Value(0.5), Value(-2.0)], [1.0, -1.0])   # micrograd's demo loss
>>> loss.data
0.25
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from autograd_lite import Value

__all__ = [
    "mse_loss", "binary_cross_entropy_with_logits", "cross_entropy", "hinge_loss",
    "l2_regularization",
]

Scalar = Value | float


def _pairs(predictions: Any, targets: Any, who: str) -> tuple[list[Any], list[Any]]:
    """Predictions and targets as two lists of the same (non-zero) length."""
    if isinstance(predictions, Value | int | float):
        predictions = [predictions]
    if isinstance(targets, int | float):
        targets = [targets]
    predictions = [Value(p) if isinstance(p, int | float) else p for p in predictions]
    targets = list(targets)
    if len(predictions) != len(targets):
        raise ValueError(f"{who}: {len(predictions)} prediction(s) but {len(targets)} target(s)")
    if not predictions:
        raise ValueError(f"{who}: no predictions")
    return predictions, targets


def _mean(terms: list[Any]) -> Value:
    total = Value.sum(terms)
    return total * (1.0 / len(terms))  # micrograd's demo scales by 1/n, so we round the same


def mse_loss(predictions: Scalar | Sequence[Any], targets: float | Sequence[Any]) -> Value:
    """Mean squared error ``mean((p - t)^2)``.

    A prediction may also be a list of Values (a model with several outputs) with a list of
    targets of the same length; every output counts as one term of the mean.

    >>> from autograd_lite import Value
    >>> mse_loss([Value(1.0), Value(3.0)], [0.0, 1.0]).data
    2.5
    """
    ps, ts = _pairs(predictions, targets, "mse_loss")
    flat_p, flat_t = [], []
    for p, t in zip(ps, ts, strict=True):
        if isinstance(p, list | tuple):
            p, t = _pairs(p, t, "mse_loss")
            flat_p += p
            flat_t += t
        else:
            flat_p.append(p)
            flat_t.append(t)
    diffs = [p - t for p, t in zip(flat_p, flat_t, strict=True)]
    return _mean([d * d for d in diffs])


def hinge_loss(scores: Scalar | Sequence[Scalar], targets: float | Sequence[float]) -> Value:
    """Max-margin loss ``mean(relu(1 - y * s))`` for labels ``y`` in {-1, +1}.

    Written as micrograd's demo writes it (``(1 + -y * s).relu()``, summed, times ``1/n``), so
    it gives the same numbers bit for bit. Labels 0/1 must first become -1/+1
    (``nn.data.to_signed``).
    """
    ss, ys = _pairs(scores, targets, "hinge_loss")
    return _mean([(1 + -y * s).relu() for y, s in zip(ys, ss, strict=True)])


def binary_cross_entropy_with_logits(logits: Scalar | Sequence[Scalar],
                                     targets: float | Sequence[float]) -> Value:
    """Binary cross-entropy of ``sigmoid(z)`` against targets ``y`` in [0, 1], from logits ``z``.

    Computed in the stable form ``max(z, 0) - z*y + log(1 + exp(-|z|))``, which never
    overflows. ``max`` and ``|z|`` are resolved by the sign of ``z``: for ``z >= 0`` the loss
    is ``(1 - y)*z + log(1 + exp(-z))``, else ``-y*z + log(1 + exp(z))``. Each branch is smooth,
    so the derivative is exactly ``sigmoid(z) - y`` everywhere, ``z = 0`` included (a literal
    ``relu(z)`` and ``abs(z)`` would both take their subgradient 0 there).

    >>> from autograd_lite import Value
    >>> round(binary_cross_entropy_with_logits(Value(0.0), 1.0).data, 6)   # log 2
    0.693147
    """
    zs, ys = _pairs(logits, targets, "binary_cross_entropy_with_logits")
    terms = []
    for z, y in zip(zs, ys, strict=True):
        if z.data >= 0.0:
            terms.append((1.0 - y) * z + (1.0 + (-z).exp()).log())
        else:
            terms.append(-y * z + (1.0 + z.exp()).log())
    return _mean(terms)


def cross_entropy(logits: Sequence[Scalar] | Sequence[Sequence[Scalar]],
                  targets: int | Sequence[int]) -> Value:
    """Softmax cross-entropy: ``mean(logsumexp(z) - z[target])`` over the examples.

    ``logits`` is one list of class scores per example and ``targets`` the class indices; a
    single example may be given as one list of scores and an int. The log-sum-exp subtracts
    the largest score first, so large logits do not overflow.

    >>> from autograd_lite import Value
    >>> round(cross_entropy([Value(2.0), Value(0.0)], 0).data, 6)
    0.126928
    """
    if isinstance(targets, int):  # one example
        rows, classes = _pairs([logits], [targets], "cross_entropy")
    else:
        rows, classes = _pairs(logits, targets, "cross_entropy")
    terms = []
    for i, (z, t) in enumerate(zip(rows, classes, strict=True)):
        if isinstance(z, Value | int | float):
            raise ValueError(f"cross_entropy: example {i} needs one score per class, "
                             f"got a single score")
        z = [Value(v) if isinstance(v, int | float) else v for v in z]
        if isinstance(t, bool) or not isinstance(t, int) or not 0 <= t < len(z):
            raise ValueError(f"cross_entropy: target {t!r} of example {i} is not a class index "
                             f"in 0..{len(z) - 1}")
        m = max(v.data for v in z)
        if not math.isfinite(m):
            m = 0.0  # shifting by inf would turn every score into nan
        shifted = [v - m for v in z]  # the shift m is a constant: it cancels in the gradient
        terms.append(Value.sum([s.exp() for s in shifted]).log() - shifted[t])
    return _mean(terms)


def l2_regularization(parameters: Iterable[Value], alpha: float = 1e-4) -> Value:
    """The penalty ``alpha * sum(p * p)`` (micrograd's demo uses ``alpha = 1e-4``).

    >>> from autograd_lite import Value
    >>> l2_regularization([Value(1.0), Value(2.0)], alpha=0.5).data
    2.5
    """
    squares = [p * p for p in parameters]
    if not squares:
        raise ValueError("l2_regularization: no parameters")
    return alpha * Value.sum(squares)
