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

# One traced forward pass per model, made on first use: the model's id -> (what the trace
# depends on, the traced function). An entry goes when its model does (a weakref callback),
# so a model that cannot be weakly referenced is traced at every call instead of cached.
_FORWARDS: dict[int, tuple[Any, Any]] = {}


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
    output, else a list of floats. Traced (one trace per model, reused while the model's
    parameters and settings stay the same) or eager, without recording a graph."""
    if traced and _traceable(model) and len(rows) > 0:  # no rows: no outputs, as eager
        out = _forward(model)(rows)  # jit checks the rows are numbers, as eager code does
        result: list[Any] = out.tolist()
        return result
    with no_grad():
        outs = [model(x) for x in rows]
    return [out.data if type(out) is Value else [o.data for o in out] for out in outs]


def fingerprint(model: Any) -> tuple[Any, ...]:
    """What a model's traced forward pass depends on besides the parameters' numbers: the
    parameters themselves and every plain setting of the model and of its sub-modules
    (numbers, strings, flags; other objects by identity). A change in any of them, say a
    temperature or an activation name set after the first call, means a new trace."""
    from .modules import Module

    found: list[Any] = [tuple(map(id, model.parameters()))]
    stack = [model]
    seen: set[int] = set()
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        items = vars(obj).items() if hasattr(obj, "__dict__") else ()
        for name, value in items:
            if isinstance(value, Module):
                stack.append(value)
            elif isinstance(value, list | tuple) and any(isinstance(v, Module) for v in value):
                stack.extend(v for v in value if isinstance(v, Module))
            elif type(value) is not Value:
                found.append((id(obj), name, _setting(value)))
    return tuple(found)


def _setting(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str | bytes):
        return value
    if isinstance(value, tuple | list) and all(
            v is None or isinstance(v, bool | int | float | str) for v in value):
        return tuple(value)
    return ("object", id(value))


def _forward(model: Any) -> Any:
    from autograd_lite import jit

    key = id(model)
    depends = fingerprint(model)
    cached = _FORWARDS.get(key)
    if cached is not None and cached[0] == depends:
        return cached[1]
    try:
        reference: Callable[[], Any] = weakref.ref(model, lambda _: _FORWARDS.pop(key, None))
    except TypeError:  # a model without weak references: traced afresh, not cached
        return jit(model, params=model.parameters(), reduce=None)

    def forward(x: Any) -> Any:
        return reference()(x)  # alive while it is being called

    traced = jit(forward, params=model.parameters(), reduce=None)
    _FORWARDS[key] = (depends, traced)
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
