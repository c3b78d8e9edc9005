"""Function transforms: ``gradients`` (like ``torch.autograd.grad``), ``grad`` and
``value_and_grad`` (like JAX), built on the engine's reverse pass.

``grad(f)(2.0)`` returns a float. Called on Values, or nested inside another transform, the
transforms return Values recorded in the graph, so they compose:
``grad(grad(grad(f)))(x)`` is the third derivative.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from typing import Any

from .engine import Value, _check_recorded, backprop
from .modes import enable_grad

__all__ = ["gradients", "grad", "value_and_grad"]

# How many grad/value_and_grad calls are running around this one. Inside another transform a
# gradient must stay a Value in the graph, even when this call's own arguments are floats:
# the function may close over the outer transform's Values.
_DEPTH: ContextVar[int] = ContextVar("autograd_lite_transform_depth", default=0)


def gradients(output: Value, inputs: Value | Sequence[Value],
              create_graph: bool = False) -> list[Any]:
    """d output / d input for each input, as a list, without touching any ``.grad``.

    An input the output does not depend on gets 0.0. With ``create_graph=True`` the results
    are Values connected to the graph, so they can be differentiated again (the backward pass
    is recorded even inside ``no_grad()``). An output computed under ``no_grad()`` has no
    graph: ``RuntimeError``.

    >>> from autograd_lite import Value, gradients
    >>> x, y = Value(3.0), Value(4.0)
    >>> gradients(x * y + x, [x, y])
    [5.0, 3.0]
    """
    if not isinstance(output, Value):
        raise TypeError(f"gradients: output must be a Value, got {type(output).__name__}")
    inputs = [inputs] if isinstance(inputs, Value) else list(inputs)
    for i, x in enumerate(inputs):
        if not isinstance(x, Value):
            raise TypeError(
                f"gradients: inputs[{i}] must be a Value, got {type(x).__name__}: {x!r}"
            )
    _check_recorded(output, "gradients()")
    grads: dict[Value, Any] = {output: 1.0}
    for _ in backprop(output, grads, create_graph=create_graph):
        pass
    if create_graph:
        return [_as_value(grads.get(x, 0.0)) for x in inputs]
    return [grads.get(x, 0.0) for x in inputs]


def _as_value(g: Any) -> Value:
    return g if type(g) is Value else Value(g)


@contextlib.contextmanager
def _nested() -> Iterator[None]:
    token = _DEPTH.set(_DEPTH.get() + 1)
    try:
        yield
    finally:
        _DEPTH.reset(token)


def _check_argnums(argnums: int | Sequence[int]) -> tuple[int, ...]:
    def is_index(i: object) -> bool:
        return isinstance(i, int) and not isinstance(i, bool)

    nums = (argnums,) if is_index(argnums) else argnums
    if not isinstance(nums, tuple | list) or not nums or not all(map(is_index, nums)):
        raise TypeError(f"argnums must be an int or a tuple of ints (not empty), "
                        f"got {argnums!r}")
    return tuple(nums)


def _evaluate(f: Callable[..., Any], argnums: int | Sequence[int], args: tuple[Any, ...],
              kwargs: dict[str, Any]) -> tuple[Any, Any]:
    """Run ``f`` on ``args`` and return (value, gradient(s)) as floats or Values."""
    nums = _check_argnums(argnums)
    arguments = list(args)
    for i in nums:
        if not -len(arguments) <= i < len(arguments):
            raise IndexError(f"argnums {i} is out of range for {len(arguments)} positional "
                             "argument(s)")
    keep_graph = _DEPTH.get() > 0 or any(isinstance(arguments[i], Value) for i in nums)
    inputs = []
    for i in nums:
        x = arguments[i]
        if not isinstance(x, Value):
            try:
                x = Value(x)
            except TypeError:
                raise TypeError(
                    f"argument {i} must be a number or a Value to be differentiated, "
                    f"got {type(arguments[i]).__name__}"
                ) from None
            arguments[i] = x
        inputs.append(x)
    with _nested(), enable_grad():  # a transform records f whatever the mode around it
        out = f(*arguments, **kwargs)
    if not isinstance(out, Value):
        try:
            out = Value(out)  # a constant: every derivative is 0
        except TypeError:
            raise TypeError(
                f"the function must return a scalar (a Value or a number), "
                f"got {type(out).__name__}"
            ) from None
    grads = gradients(out, inputs, create_graph=keep_graph)
    if not keep_graph:
        out = out.data
    result = tuple(grads) if isinstance(argnums, tuple | list) else grads[0]
    return out, result


def grad(f: Callable[..., Any], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """The gradient of a scalar function, as a function (like ``jax.grad``).

    ``argnums`` picks the argument(s) to differentiate: an int gives one gradient, a tuple
    gives a tuple. Floats in give floats out; nest it for higher derivatives.

    >>> from autograd_lite import grad
    >>> f = lambda x: x ** 3
    >>> grad(f)(2.0), grad(grad(f))(2.0), grad(grad(grad(f)))(2.0)
    (12.0, 12.0, 6.0)
    """
    _check_argnums(argnums)

    def gradient(*args: Any, **kwargs: Any) -> Any:
        return _evaluate(f, argnums, args, kwargs)[1]

    name = getattr(f, "__name__", "f")
    gradient.__name__ = f"grad({name})"
    gradient.__doc__ = f"Gradient of {name} with respect to argnums={argnums}."
    return gradient


def value_and_grad(f: Callable[..., Any],
                   argnums: int | Sequence[int] = 0) -> Callable[..., tuple[Any, Any]]:
    """Like ``grad``, but the function returns ``(f(*args), gradient)`` from one evaluation.

    >>> from autograd_lite import value_and_grad
    >>> value_and_grad(lambda x, y: x * y, argnums=(0, 1))(3.0, 4.0)
    (12.0, (4.0, 3.0))
    """
    _check_argnums(argnums)

    def value_and_gradient(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
        return _evaluate(f, argnums, args, kwargs)

    name = getattr(f, "__name__", "f")
    value_and_gradient.__name__ = f"value_and_grad({name})"
    value_and_gradient.__doc__ = f"Value and gradient of {name} with respect to argnums={argnums}."
    return value_and_gradient
