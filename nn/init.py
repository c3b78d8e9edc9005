"""Weight initialization: the schemes by name, and where the random numbers come from.

Every scheme draws weights from a uniform distribution ``U(-a, a)`` and sets biases to 0.0;
only the bound ``a`` differs:

* ``"uniform"``: ``a = 1``, micrograd's default (and the default here).
* ``"xavier"`` (alias ``"glorot"``): ``a = sqrt(6 / (fan_in + fan_out))``, for tanh, sigmoid
  and linear layers.
* ``"he"`` (alias ``"kaiming"``): ``a = sqrt(6 / fan_in)``, for ReLU layers (PyTorch's
  ``kaiming_uniform_``).

``fan_in`` is a neuron's number of inputs and ``fan_out`` its layer's number of neurons (1 for
a lone ``Neuron``). A number instead of a name is taken as the bound itself.

>>> init_bound("xavier", fan_in=2, fan_out=1)
1.4142135623730951
"""

from __future__ import annotations

import math
import random
from typing import Protocol

__all__ = ["INIT_SCHEMES", "RandomSource", "init_bound", "make_rng"]


class RandomSource(Protocol):
    """What the initializers need: ``random.Random`` instances and the ``random`` module."""

    def uniform(self, a: float, b: float) -> float:
        """A float drawn uniformly from ``[a, b]``."""
        ...

# name -> bound of U(-a, a) as a function of (fan_in, fan_out)
INIT_SCHEMES = {
    "uniform": lambda fan_in, fan_out: 1.0,
    "xavier": lambda fan_in, fan_out: math.sqrt(6.0 / (fan_in + fan_out)),
    "glorot": lambda fan_in, fan_out: math.sqrt(6.0 / (fan_in + fan_out)),
    "he": lambda fan_in, fan_out: math.sqrt(6.0 / fan_in),
    "kaiming": lambda fan_in, fan_out: math.sqrt(6.0 / fan_in),
}


def init_bound(init: str | float, fan_in: int, fan_out: int = 1) -> float:
    """The bound ``a`` of ``U(-a, a)`` for the scheme ``init`` (a name, or the bound itself).

    >>> init_bound("uniform", 16, 16), init_bound("he", fan_in=6)
    (1.0, 1.0)
    """
    if isinstance(init, str):
        scheme = INIT_SCHEMES.get(init.lower())
        if scheme is None:
            raise ValueError(
                f"unknown init {init!r}; choose from {', '.join(INIT_SCHEMES)} or give a number"
            )
        return scheme(fan_in, fan_out)
    if isinstance(init, bool) or not isinstance(init, int | float) or not init >= 0.0:
        raise ValueError(f"init must be a scheme name or a bound >= 0, got {init!r}")
    return float(init)


def make_rng(seed: int | None = None, rng: RandomSource | None = None) -> RandomSource:
    """The source of random numbers for a constructor's ``seed=`` and ``rng=`` arguments.

    ``seed`` gives a fresh ``random.Random(seed)``; ``rng`` is used as it is (and advanced);
    with neither, the module-level ``random`` is used, like micrograd, so ``random.seed(1337)``
    before building a model reproduces micrograd's weights.
    """
    if seed is not None and rng is not None:
        raise ValueError("give seed or rng, not both")
    if seed is not None:
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise TypeError(f"seed must be an int, got {type(seed).__name__}")
        return random.Random(seed)
    if rng is not None:
        if not hasattr(rng, "uniform"):
            raise TypeError(f"rng must be a random.Random, got {type(rng).__name__}")
        return rng
    return random
