"""Optimizers: ``SGD`` and ``Adam``, used like PyTorch's.

They read each parameter's ``grad`` and update its ``data`` with float arithmetic only, so an
update never records a graph. ``lr`` is an attribute and may be changed between steps.

>>> from nn import MLP
>>> from nn.optim import SGD
>>> model = MLP(2, [4, 1], seed=0)
>>> opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
>>> loss = (model([1.0, 2.0]) - 1.0) ** 2
>>> opt.zero_grad(); loss.backward(); opt.step()
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from autograd_lite import Value

__all__ = ["Optimizer", "SGD", "Adam"]


def _number(name: str, x: object, low: float = 0.0, high: float = math.inf,
            high_open: bool = False) -> float:
    if isinstance(x, bool) or not isinstance(x, int | float) or math.isnan(x):
        raise ValueError(f"{name} must be a number, got {x!r}")
    if not low <= x <= high or (high_open and x == high):
        bracket = ")" if high_open else "]"
        raise ValueError(f"{name} must be in [{low:g}, {high:g}{bracket}, got {x!r}")
    return float(x)


def _grad(p: Value) -> float:
    g = p.grad
    if type(g) is float:
        return g
    return float(g.data if isinstance(g, Value) else g)  # after backward(create_graph=True)


class Optimizer:
    """Base class: holds the parameters and the learning rate ``lr``.

    Subclasses implement ``step()`` and list their hyperparameters in ``_hyper`` and their
    per-parameter buffers in ``_buffers``, which ``state_dict()`` saves.
    """

    _hyper: tuple[str, ...] = ("lr",)
    _buffers: tuple[str, ...] = ()

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__} got an empty parameter list")
        for i, p in enumerate(self.params):
            if type(p) is not Value:
                raise TypeError(f"parameter {i} must be a Value, got {type(p).__name__}")
        self.lr = _number("lr", lr)

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0.0."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its gradient."""
        raise NotImplementedError

    def state_dict(self) -> dict[str, Any]:
        """Hyperparameters and buffers as plain JSON-ready data (floats, lists, ints)."""
        state: dict[str, Any] = {"type": type(self).__name__}
        for name in self._hyper:
            value = getattr(self, name)
            state[name] = list(value) if isinstance(value, tuple) else value
        for name in self._buffers:
            state[name] = list(getattr(self, name))
        return state

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore what ``state_dict()`` returned, hyperparameters (``lr`` too) included.

        Everything is checked before anything changes: a wrong type, a missing key or a buffer
        of the wrong length raises ``ValueError`` naming it.
        """
        if not isinstance(state, Mapping):
            raise TypeError(f"state must be a mapping, got {type(state).__name__}")
        name = type(self).__name__
        if state.get("type") != name:
            raise ValueError(f"state is for {state.get('type')!r}, not {name!r}")
        for key in (*self._hyper, *self._buffers):
            if key not in state:
                raise ValueError(f"{name} state: missing key {key!r}")
        checked = {key: self._check_hyper(key, state[key]) for key in self._hyper}
        buffers = {}
        for key in self._buffers:
            values = state[key]
            if not isinstance(values, list | tuple) or len(values) != len(self.params):
                size = len(values) if isinstance(values, list | tuple) else type(values).__name__
                raise ValueError(f"{name} state: {key!r} has {size} entries, the optimizer has "
                                 f"{len(self.params)} parameters")
            buffers[key] = [self._check_buffer(key, i, v) for i, v in enumerate(values)]
        for key, value in {**checked, **buffers}.items():
            setattr(self, key, value)

    def _check_hyper(self, key: str, value: Any) -> Any:
        return _number(key, value)

    def _check_buffer(self, key: str, i: int, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{type(self).__name__} state: {key}[{i}] must be a number, "
                             f"got {value!r}")
        return float(value)

    def __repr__(self) -> str:
        hyper = ", ".join(f"{k}={getattr(self, k)!r}" for k in self._hyper if k != "step_count")
        return f"{type(self).__name__}({len(self.params)} parameters, {hyper})"


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum and weight decay (as PyTorch's).

    Per parameter, with ``g = grad + weight_decay * data``: without momentum
    ``data -= lr * g``; with momentum the buffer is ``buf = g`` on the first step, then
    ``buf = momentum * buf + g``, and ``data -= lr * buf`` (``nesterov``: ``lr * (g +
    momentum * buf)``). Plain SGD is exactly micrograd's ``p.data -= lr * p.grad``.
    """

    _hyper = ("lr", "momentum", "weight_decay", "nesterov")
    _buffers = ("momentum_buffer",)

    def __init__(self, params: Iterable[Value], lr: float, momentum: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False) -> None:
        super().__init__(params, lr)
        self.momentum = _number("momentum", momentum)
        self.weight_decay = _number("weight_decay", weight_decay)
        self.nesterov = bool(nesterov)
        if self.nesterov and self.momentum == 0.0:
            raise ValueError("nesterov needs a momentum > 0")
        self.momentum_buffer: list[float | None] = [None] * len(self.params)

    def step(self) -> None:
        lr, mu, wd = self.lr, self.momentum, self.weight_decay
        if mu == 0.0 and wd == 0.0:
            for p in self.params:
                p.data -= lr * _grad(p)
            return
        buffers = self.momentum_buffer
        for i, p in enumerate(self.params):
            g = _grad(p)
            if wd:
                g = g + wd * p.data
            if mu:
                buf = buffers[i]
                buf = g if buf is None else mu * buf + g
                buffers[i] = buf
                g = g + mu * buf if self.nesterov else buf
            p.data -= lr * g

    def _check_hyper(self, key: str, value: Any) -> Any:
        if key == "nesterov":
            if not isinstance(value, bool):
                raise ValueError(f"SGD state: 'nesterov' must be true or false, got {value!r}")
            return value
        return super()._check_hyper(key, value)

    def _check_buffer(self, key: str, i: int, value: Any) -> Any:
        return None if value is None else super()._check_buffer(key, i, value)


class Adam(Optimizer):
    """Adam (Kingma and Ba), computed as PyTorch's ``torch.optim.Adam``.

    With ``g = grad + weight_decay * data`` (L2 added to the gradient, as PyTorch's Adam; not
    AdamW), ``m = b1*m + (1-b1)*g``, ``v = b2*v + (1-b2)*g*g``, and at step ``t``
    ``data -= lr / (1 - b1**t) * m / (sqrt(v) / sqrt(1 - b2**t) + eps)``.
    """

    _hyper = ("lr", "betas", "eps", "weight_decay", "step_count")
    _buffers = ("exp_avg", "exp_avg_sq")

    def __init__(self, params: Iterable[Value], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        self.betas = self._check_hyper("betas", betas)
        self.eps = _number("eps", eps)
        self.weight_decay = _number("weight_decay", weight_decay)
        self.step_count = 0
        self.exp_avg = [0.0] * len(self.params)
        self.exp_avg_sq = [0.0] * len(self.params)

    def step(self) -> None:
        self.step_count += 1
        t = self.step_count
        b1, b2 = self.betas
        wd, eps = self.weight_decay, self.eps
        step_size = self.lr / (1.0 - b1 ** t)
        root_correction = math.sqrt(1.0 - b2 ** t)
        m, v = self.exp_avg, self.exp_avg_sq
        for i, p in enumerate(self.params):
            g = _grad(p)
            if wd:
                g = g + wd * p.data
            m[i] = b1 * m[i] + (1.0 - b1) * g
            v[i] = b2 * v[i] + (1.0 - b2) * g * g
            p.data -= step_size * m[i] / (math.sqrt(v[i]) / root_correction + eps)

    def _check_hyper(self, key: str, value: Any) -> Any:
        if key == "betas":
            if not isinstance(value, list | tuple) or len(value) != 2:
                raise ValueError(f"betas must be a pair of numbers, got {value!r}")
            return tuple(_number(f"betas[{i}]", b, 0.0, 1.0, high_open=True)
                         for i, b in enumerate(value))
        if key == "step_count":
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"step_count must be an int >= 0, got {value!r}")
            return value
        return super()._check_hyper(key, value)
