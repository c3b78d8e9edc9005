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

from ._checks import as_float, got, integer, is_real, show

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

    A bound must be a finite number >= 0: ``init=float("inf")`` would make every weight NaN.

    >>> init_bound("uniform", 16, 16), init_bound("he", fan_in=6)
    (1.0, 1.0)
    >>> init_bound(float("inf"), 2)
    Traceback (most recent call last):
    ValueError: init must be a scheme name (uniform, xavier, ...) or a finite bound >= 0, got inf
    """
    fan_in = integer("fan_in", fan_in, low=1)
    fan_out = integer("fan_out", fan_out, low=1)
    schemes = ", ".join(INIT_SCHEMES)
    if isinstance(init, str):
        scheme = INIT_SCHEMES.get(init.lower())
        if scheme is None:
            raise ValueError(f"unknown init {init!r}; choose from {schemes} or give a number")
        return scheme(fan_in, fan_out)
    wanted = f"init must be a scheme name ({schemes}) or a finite bound >= 0"
    if not is_real(init):
        raise TypeError(f"{wanted}, got {got(init)}")
    bound = as_float(init)
    if not 0.0 <= bound < math.inf:
        raise ValueError(f"{wanted}, got {show(init)}")
    return bound


def make_rng(seed: int | None = None, rng: RandomSource | None = None) -> RandomSource:
    """The source of random numbers for a constructor's ``seed=`` and ``rng=`` arguments.

    ``seed`` gives a fresh ``random.Random(seed)``; ``rng`` is used as it is (and advanced);
    with neither, the module-level ``random`` is used, like micrograd, so ``random.seed(1337)``
    before building a model reproduces micrograd's weights.
    """
    if seed is not None and rng is not None:
        raise ValueError("give seed or rng, not both")
    if seed is not None:
        return random.Random(integer("seed", seed))
    if rng is not None:
        if not callable(getattr(rng, "uniform", None)):
            raise TypeError(f"rng must be a random.Random, got {got(rng)}")
        return rng
    return random
