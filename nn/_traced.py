"""``nn``'s use of the traced mode (``autograd_lite.jit``): a model's forward pass over many
examples, and ``fit``'s training step, run as NumPy kernels when NumPy is installed.

The results are the eager ones to rounding; ``traced=False`` (an argument of ``fit``,
``accuracy``, ``predict`` and the plots, ``--eager`` on the command line) keeps everything
eager. NumPy is imported only when the traced mode is used.

>>> from nn import MLP
>>> model = MLP(2, [3, 2], seed=0)
>>> traced_outputs = outputs(model, [[0.5, -1.0], [2.0, 0.0]], traced=True)
>>> eager_outputs = outputs(model, [[0.5, -1.0], [2.0, 0.0]], traced=False)
>>> all(abs(a - b) < 1e-12 for ta, ea in zip(traced_outputs, eager_outputs)
...     for a, b in zip(ta, ea))
True
"""

from __future__ import annotations

import importlib.util
import weakref
from collections.abc import Callable
from typing import Any

from autograd_lite import Value, no_grad

from ._checks import got

INSTALL = 'pip install "autograd-lite[fast]"'

# One traced forward pass per model, made on first use: (its parameters, the traced function).
# The function refers to the model only weakly, so a model that goes away takes it along.
_FORWARDS: weakref.WeakKeyDictionary[Any, tuple[list[Value], Any]] = \
    weakref.WeakKeyDictionary()


def wanted(traced: object, who: str) -> bool:
    """Whether to use the traced mode: ``traced`` if it is True or False; when None (the
    default), whether NumPy is installed."""
    if traced is None:
        return importlib.util.find_spec("numpy") is not None
    if not isinstance(traced, bool):
        raise TypeError(f"{who}: traced must be True, False or None, got {got(traced)}")
    if traced and importlib.util.find_spec("numpy") is None:
        raise ImportError(f"{who}: traced=True needs NumPy: {INSTALL}")
    return traced


def _traceable(model: Any) -> bool:
    return callable(getattr(model, "parameters", None))


def outputs(model: Callable[[Any], Any], rows: Any, traced: bool) -> list[Any]:
    """The model's outputs for each row, as numbers: a float per row for a model with one
    output, else a list of floats. Traced (one trace per model, reused) or eager, without
    recording a graph."""
    if traced and _traceable(model):
        import numpy as np

        forward = _forward(model)
        batch = np.asarray(rows, dtype=np.float64)
        out = forward(batch)
        result: list[Any] = out.tolist()
        return result
    with no_grad():
        outs = [model(x) for x in rows]
    return [out.data if type(out) is Value else [o.data for o in out] for out in outs]


def _forward(model: Any) -> Any:
    from autograd_lite import jit

    params = model.parameters()
    cached = _FORWARDS.get(model)
    if cached is not None and len(cached[0]) == len(params) and all(
            a is b for a, b in zip(cached[0], params, strict=True)):
        return cached[1]
    reference = weakref.ref(model)

    def forward(x: Any) -> Any:
        return reference()(x)  # type: ignore[misc]  # alive while it is being called

    traced = jit(forward, params=params, reduce=None)
    _FORWARDS[model] = (params, traced)
    return traced


def training_step(model: Any, loss_fn: Callable[..., Value], params: list[Value],
                  l2: float) -> Any:
    """``fit``'s loss of one example, traced: ``loss_fn([model(x)], [t]) + l2 * sum(p * p)``;
    called on a batch, it returns the mean (the losses of ``nn.losses`` are means over their
    examples, so the mean of one-example losses is the batch's loss) and adds the gradients
    into ``.grad``."""
    from autograd_lite import jit

    from .losses import l2_regularization

    def example_loss(x: Any, t: Any) -> Value:
        value = loss_fn([model(x)], [t])
        return value + l2_regularization(params, l2) if l2 else value

    return jit(example_loss, params=params, reduce="mean")
