"""Optimizers: ``SGD`` and ``Adam``, used like PyTorch's.

They read each parameter's ``grad`` and update its ``data`` with float arithmetic only, so an
update never records a graph. ``lr`` and the other hyperparameters are attributes and may be
changed between steps; every assignment is checked like the constructor's argument.

Every change is all or nothing. ``step()`` computes every new value first and changes nothing
if one of them is NaN or infinite (it raises ``NonFiniteError`` naming the parameter);
``load_state_dict()`` checks the whole state before it sets anything.

>>> from nn import MLP
>>> from nn.optim import SGD
>>> model = MLP(2, [4, 1], seed=0)
>>> opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
>>> loss = (model([1.0, 2.0]) - 1.0) ** 2
>>> opt.zero_grad(); loss.backward(); opt.step()
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from autograd_lite import Value

from ._checks import boolean, got, integer, is_real, ordered, real, show

__all__ = ["Optimizer", "SGD", "Adam", "NonFiniteError"]


class NonFiniteError(FloatingPointError):
    """A training step would make a number NaN or infinite; nothing was changed.

    Raised by an optimizer's ``step()`` when a gradient or an updated value is not finite,
    and by ``nn.fit`` when the loss is not finite. The usual cause is a learning rate that is
    too large; the parameters keep the values of the last good step. ``fit`` sets ``epoch``
    (counted from 1), ``steps`` (the optimizer steps taken before) and, when the loss was the
    problem, ``loss`` (else None).
    """

    def __init__(self, message: str, *, epoch: int | None = None, steps: int | None = None,
                 loss: float | None = None) -> None:
        super().__init__(message)
        self.epoch = epoch
        self.steps = steps
        self.loss = loss


def _grad(i: int, p: Value) -> float:
    g = p.grad
    if type(g) is float:
        return g
    if type(g) is Value:  # after backward(create_graph=True)
        return float(g.data)
    if is_real(g):
        return float(g)
    raise TypeError(f"parameter {_name(i, p)}'s grad must be a number, got {got(g)}")


def _name(i: int, p: Value) -> str:
    """How errors name parameter ``i``: its index, and its label when it has one (a
    module's parameters are labelled, e.g. ``parameter 3 'L1.n2.w1'``)."""
    return f"{i} {p.label!r}" if p.label else str(i)


class Optimizer:
    """Base class: holds the parameters and the learning rate ``lr``.

    ``params`` is an iterable of distinct Values (``model.parameters()``). Subclasses list
    their hyperparameters in ``_hyper`` (each assignment to one is checked by
    ``_check_hyper``) and their per-parameter buffers in ``_buffers``, which
    ``state_dict()`` saves, and implement ``step()``: compute every new value, check it with
    ``_check_update``, then assign.
    """

    _hyper: tuple[str, ...] = ("lr",)
    _buffers: tuple[str, ...] = ()

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        name = type(self).__name__
        params = ordered("params", params, "an iterable of Values such as model.parameters()")
        if not params:
            raise ValueError(f"{name} got an empty parameter list")
        seen: dict[int, int] = {}
        for i, p in enumerate(params):
            if type(p) is not Value:
                raise TypeError(f"parameter {i} must be a Value, got {got(p)}")
            if id(p) in seen:
                raise ValueError(f"{name}: parameter {i} is the same Value as parameter "
                                 f"{seen[id(p)]}; list each parameter once (it would be "
                                 f"updated twice per step)")
            seen[id(p)] = i
        self.params: list[Value] = params
        self.lr = lr

    def __setattr__(self, name: str, value: Any) -> None:
        if name in type(self)._hyper:
            value = self._check_hyper(name, value)
        object.__setattr__(self, name, value)

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

        Everything is checked before anything changes: a wrong type or value, a missing or
        unexpected key, or a buffer of the wrong length raises ``ValueError`` naming it.
        """
        if not isinstance(state, Mapping):
            raise TypeError(f"state must be a mapping, got {got(state)}")
        name = type(self).__name__
        if state.get("type") != name:
            raise ValueError(f"state is for {show(state.get('type'))}, not {name!r}")
        keys = (*self._hyper, *self._buffers)
        for key in keys:
            if key not in state:
                raise ValueError(f"{name} state: missing key {key!r}")
        for key in state:
            if key != "type" and key not in keys:
                raise ValueError(f"{name} state: unexpected key {show(key)}")
        try:
            checked = {key: self._check_hyper(key, state[key]) for key in self._hyper}
            self._check_together(checked)
        except (TypeError, ValueError) as error:
            raise ValueError(f"{name} state: {error}") from None
        buffers = {}
        for key in self._buffers:
            values = state[key]
            if not isinstance(values, list | tuple) or len(values) != len(self.params):
                size = len(values) if isinstance(values, list | tuple) else type(values).__name__
                raise ValueError(f"{name} state: {key!r} has {size} entries, the optimizer has "
                                 f"{len(self.params)} parameters")
            buffers[key] = [self._check_buffer(key, i, v) for i, v in enumerate(values)]
        for key, value in {**checked, **buffers}.items():  # all checked: nothing can fail now
            object.__setattr__(self, key, value)

    def _check_hyper(self, key: str, value: Any) -> Any:
        """The checked value of hyperparameter ``key`` (raises naming it when it is bad)."""
        return real(key, value, low=0.0)

    def _check_together(self, hyper: Mapping[str, Any]) -> None:
        """Checks that involve several hyperparameters (``hyper``: all of them, checked)."""

    def _check_buffer(self, key: str, i: int, value: Any) -> Any:
        if not is_real(value) or not math.isfinite(value):
            raise ValueError(f"{type(self).__name__} state: {key}[{i}] must be a finite "
                             f"number, got {show(value)}")
        return float(value)

    def _check_update(self, grads: list[float], new: list[float],
                      buffers: Mapping[str, Sequence[float | None]] | None = None) -> None:
        """Raise ``NonFiniteError`` (before anything changes) if a gradient, a new value or a
        new buffer entry is NaN or infinite."""
        isfinite = math.isfinite
        for i, (g, x) in enumerate(zip(grads, new, strict=True)):
            if isfinite(g) and isfinite(x):
                continue
            problem = f"has the gradient {g!r}" if not isfinite(g) else f"would become {x!r}"
            self._not_finite(i, problem)
        for key, values in (buffers or {}).items():
            for i, b in enumerate(values):
                if b is not None and not isfinite(b):
                    self._not_finite(i, f"would get {key} {b!r} (grad {grads[i]!r})")

    def _not_finite(self, i: int, problem: str) -> None:
        raise NonFiniteError(
            f"{type(self).__name__}.step: parameter {_name(i, self.params[i])} "
            f"(data {self.params[i].data!r}) {problem}; "
            f"no parameter was updated. Look for the cause of a non-finite gradient, or try a "
            f"smaller learning rate (lr={self.lr!r})")

    def __repr__(self) -> str:
        hyper = ", ".join(f"{k}={getattr(self, k)!r}" for k in self._hyper if k != "step_count")
        return f"{type(self).__name__}({len(self.params)} parameters, {hyper})"


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum and weight decay (as PyTorch's).

    Per parameter, with ``g = grad + weight_decay * data``: without momentum
    ``data -= lr * g``; with momentum the buffer is ``buf = g`` on the first step, then
    ``buf = momentum * buf + g``, and ``data -= lr * buf`` (``nesterov``: ``lr * (g +
    momentum * buf)``). Plain SGD is exactly micrograd's ``p.data -= lr * p.grad``.

    ``lr``, ``momentum`` and ``weight_decay`` are finite numbers >= 0; ``nesterov`` is a bool
    and needs a momentum > 0.
    """

    _hyper = ("lr", "momentum", "weight_decay", "nesterov")
    _buffers = ("momentum_buffer",)

    def __init__(self, params: Iterable[Value], lr: float, momentum: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False) -> None:
        super().__init__(params, lr)
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.nesterov = nesterov
        self._check_together({"momentum": self.momentum, "nesterov": self.nesterov})
        self.momentum_buffer: list[float | None] = [None] * len(self.params)

    def step(self) -> None:
        """Update every parameter, or (``NonFiniteError``) none of them."""
        lr, mu, wd = self.lr, self.momentum, self.weight_decay
        params = self.params
        grads = [_grad(i, p) for i, p in enumerate(params)]
        if mu == 0.0 and wd == 0.0:
            # float(): a parameter whose data was set to a NumPy float32 gets a Python float
            # back, so training does not silently continue in float32
            new = [float(p.data - lr * g) for p, g in zip(params, grads, strict=True)]
            self._check_update(grads, new)
            for p, x in zip(params, new, strict=True):
                p.data = x
            return
        buffers = list(self.momentum_buffer)
        new = []
        for i, (p, g) in enumerate(zip(params, grads, strict=True)):
            if wd:
                g = g + wd * p.data
            if mu:
                buf = buffers[i]
                buf = g if buf is None else mu * buf + g
                buffers[i] = buf
                g = g + mu * buf if self.nesterov else buf
            new.append(float(p.data - lr * g))
        self._check_update(grads, new, {"momentum_buffer": buffers})
        for p, x in zip(params, new, strict=True):
            p.data = x
        self.momentum_buffer = buffers

    def _check_hyper(self, key: str, value: Any) -> Any:
        if key == "nesterov":
            return boolean("nesterov", value)
        return super()._check_hyper(key, value)

    def _check_together(self, hyper: Mapping[str, Any]) -> None:
        if hyper["nesterov"] and hyper["momentum"] == 0.0:
            raise ValueError("nesterov needs a momentum > 0")

    def _check_buffer(self, key: str, i: int, value: Any) -> Any:
        return None if value is None else super()._check_buffer(key, i, value)


class Adam(Optimizer):
    """Adam (Kingma and Ba), computed as PyTorch's ``torch.optim.Adam``.

    With ``g = grad + weight_decay * data`` (L2 added to the gradient, as PyTorch's Adam; not
    AdamW), ``m = b1*m + (1-b1)*g``, ``v = b2*v + (1-b2)*g*g``, and at step ``t``
    ``data -= lr / (1 - b1**t) * m / (sqrt(v) / sqrt(1 - b2**t) + eps)``.

    ``lr`` and ``weight_decay`` are finite numbers >= 0, each of ``betas`` is in [0, 1), and
    ``eps`` is a finite number > 0 (it keeps the update defined where a gradient is 0).
    """

    _hyper = ("lr", "betas", "eps", "weight_decay", "step_count")
    _buffers = ("exp_avg", "exp_avg_sq")

    def __init__(self, params: Iterable[Value], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        self.betas = betas
        self.eps = eps
        self.weight_decay = weight_decay
        self.step_count = 0
        self.exp_avg = [0.0] * len(self.params)
        self.exp_avg_sq = [0.0] * len(self.params)

    def step(self) -> None:
        """Update every parameter, or (``NonFiniteError``) none of them."""
        t = self.step_count + 1
        b1, b2 = self.betas
        wd, eps = self.weight_decay, self.eps
        step_size = self.lr / (1.0 - b1 ** t)
        root_correction = math.sqrt(1.0 - b2 ** t)
        params = self.params
        grads = [_grad(i, p) for i, p in enumerate(params)]
        m, v = list(self.exp_avg), list(self.exp_avg_sq)
        new = []
        for i, (p, g) in enumerate(zip(params, grads, strict=True)):
            if wd:
                g = g + wd * p.data
            m[i] = b1 * m[i] + (1.0 - b1) * g
            v[i] = b2 * v[i] + (1.0 - b2) * g * g
            new.append(float(p.data - step_size * m[i] / (math.sqrt(v[i]) / root_correction
                                                          + eps)))
        self._check_update(grads, new, {"exp_avg": m, "exp_avg_sq": v})
        for p, x in zip(params, new, strict=True):
            p.data = x
        self.exp_avg, self.exp_avg_sq = m, v
        self.step_count = t

    def _check_hyper(self, key: str, value: Any) -> Any:
        if key == "betas":
            if isinstance(value, str) or not isinstance(value, list | tuple) or len(value) != 2:
                raise TypeError(f"betas must be a pair of numbers, got {got(value)}")
            return tuple(real(f"betas[{i}]", b, low=0.0, high=1.0, high_open=True)
                         for i, b in enumerate(value))
        if key == "eps":
            return real("eps", value, low=0.0, low_open=True)
        if key == "step_count":
            return integer("step_count", value, low=0)
        return super()._check_hyper(key, value)

    def _check_buffer(self, key: str, i: int, value: Any) -> Any:
        x = super()._check_buffer(key, i, value)
        if key == "exp_avg_sq" and x < 0.0:  # a mean of squares; its square root is taken
            raise ValueError(f"Adam state: exp_avg_sq[{i}] must be >= 0 (a mean of squared "
                             f"gradients), got {show(value)}")
        return x
