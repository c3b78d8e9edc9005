"""Toy 2-D datasets in pure Python, reproducible from a seed, and a train/test split.

Each generator returns ``(X, y)``: ``X`` a list of ``[x1, x2]`` float pairs and ``y`` a list of
int labels. Binary datasets use **labels 0 and 1**; ``to_signed(y)`` turns them into -1.0/+1.0
for the hinge loss. ``spirals`` has labels ``0 .. classes-1``. The same arguments and seed
always give the same points, on every platform (``seed=None`` draws a fresh seed). Bad
arguments raise ``TypeError`` (a wrong type) or ``ValueError`` (an impossible value) naming
the argument: ``moons(noise=float("inf"))`` is refused, and so is a noise so large that the
points would not be finite numbers.

>>> X, y = moons(100, seed=0)
>>> len(X), X[0] == moons(100, seed=0)[0][0], sorted(set(y))
(100, True, [0, 1])
"""

from __future__ import annotations

import importlib.resources
import math
import random
from collections.abc import Callable, Sequence
from typing import Any

from ._checks import got, integer, is_real, ordered, real

__all__ = ["xor", "moons", "circles", "spirals", "DATASETS", "to_signed", "train_test_split",
           "names"]

Dataset = tuple[list[list[float]], list[int]]


def _check(n: int, noise: float, seed: int, least: int = 1) -> tuple[int, float, random.Random]:
    """The checked ``n`` and ``noise``, and the generator made from ``seed``."""
    return (integer("n", n, low=least), real("noise", noise, low=0.0),
            random.Random(None if seed is None else integer("seed", seed)))


def _finish(points: list[tuple[float, float, int]], noise: float, rng: random.Random) -> Dataset:
    """Shuffle the labelled points, then add Gaussian noise of deviation ``noise``."""
    rng.shuffle(points)
    X = [[a + rng.gauss(0.0, noise), b + rng.gauss(0.0, noise)] for a, b, _ in points]
    if not all(math.isfinite(v) for p in X for v in p):
        raise ValueError(f"noise={noise!r} is too large: some points are not finite numbers")
    return X, [label for _, _, label in points]


def xor(n: int = 200, noise: float = 0.15, seed: int = 0) -> Dataset:
    """Points around the four corners ``(±1, ±1)``, label 1 where the signs differ (XOR).

    The corners are taken in turn, so ``xor(4, noise=0.0)`` is the XOR truth table itself
    (in ±1 coordinates, shuffled).
    """
    n, noise, rng = _check(n, noise, seed)
    corners = [(-1.0, -1.0, 0), (-1.0, 1.0, 1), (1.0, -1.0, 1), (1.0, 1.0, 0)]
    return _finish([corners[i % 4] for i in range(n)], noise, rng)


def moons(n: int = 100, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Two interleaving half circles (as scikit-learn's ``make_moons``): label 0 on the upper
    moon, 1 on the lower one, Gaussian noise of deviation ``noise``."""
    n, noise, rng = _check(n, noise, seed, least=2)
    n_upper = n // 2
    n_lower = n - n_upper
    points = []
    for i in range(n_upper):
        t = math.pi * i / max(n_upper - 1, 1)
        points.append((math.cos(t), math.sin(t), 0))
    for i in range(n_lower):
        t = math.pi * i / max(n_lower - 1, 1)
        points.append((1.0 - math.cos(t), 0.5 - math.sin(t), 1))
    return _finish(points, noise, rng)


def circles(n: int = 100, noise: float = 0.05, factor: float = 0.5, seed: int = 0) -> Dataset:
    """Two concentric circles (as scikit-learn's ``make_circles``): label 0 on the outer circle
    of radius 1, label 1 on the inner one of radius ``factor``."""
    n, noise, rng = _check(n, noise, seed, least=2)
    factor = real("factor", factor, low=0.0, high=1.0, low_open=True, high_open=True)
    n_outer = n // 2
    n_inner = n - n_outer
    points = []
    for count, radius, label in ((n_outer, 1.0, 0), (n_inner, factor, 1)):
        for i in range(count):
            t = 2.0 * math.pi * i / count
            points.append((radius * math.cos(t), radius * math.sin(t), label))
    return _finish(points, noise, rng)


def spirals(n: int = 100, classes: int = 2, noise: float = 0.2, seed: int = 0) -> Dataset:
    """``classes`` interleaved spiral arms from the origin (CS231n's spiral data).

    Arm ``c`` holds the points at radius ``r`` in (0, 1] and angle
    ``4r + 2*pi*c/classes``, with Gaussian noise of deviation ``noise`` on the angle (radians).
    Labels are ``0 .. classes-1``; points are spread over the arms as evenly as possible.
    """
    n, noise, rng = _check(n, noise, seed, least=2)
    classes = integer("classes", classes, low=2)
    if classes > n:
        raise ValueError(f"classes must be at most n (each arm needs a point): classes={classes} "
                         f"with n={n}")
    points = []
    for c in range(classes):
        count = n // classes + (1 if c < n % classes else 0)
        for i in range(count):
            r = (i + 1) / count
            t = 4.0 * r + 2.0 * math.pi * c / classes + rng.gauss(0.0, noise)
            if not math.isfinite(t):  # math.cos(inf) raises
                raise ValueError(f"noise={noise!r} is too large: some angles are not finite")
            points.append((r * math.cos(t), r * math.sin(t), c))
    return _finish(points, 0.0, rng)


#: The generators by name (used by the command line).
DATASETS: dict[str, Callable[..., Dataset]] = {
    "xor": xor, "moons": moons, "circles": circles, "spirals": spirals,
}


def to_signed(y: Sequence[float]) -> list[float]:
    """Labels as -1.0/+1.0: +1.0 for a label > 0, else -1.0 (0/1 and ±1 labels both work).

    Every label must be a number (not a bool, not NaN).

    >>> to_signed([0, 1, 1])
    [-1.0, 1.0, 1.0]
    """
    labels = ordered("y", y, "a list of labels")
    for i, label in enumerate(labels):
        if not is_real(label) or label != label:
            raise (ValueError if is_real(label) else TypeError)(
                f"y[{i}] must be a number label, got {got(label)}")
    return [1.0 if label > 0 else -1.0 for label in labels]


def train_test_split(X: Sequence[Any], y: Sequence[Any], test_fraction: float = 0.25,
                     seed: int = 0) -> tuple[list[Any], list[Any], list[Any], list[Any]]:
    """Shuffle and split into ``(X_train, X_test, y_train, y_test)`` (scikit-learn's order).

    The test set gets ``round(test_fraction * len(X))`` examples; both parts keep at least one.

    >>> X, y = xor(8, seed=1)
    >>> [len(part) for part in train_test_split(X, y, test_fraction=0.25)]
    [6, 2, 6, 2]
    """
    X = ordered("X", X, "a list of examples")
    y = ordered("y", y, "a list of labels")
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} examples but y has {len(y)} labels")
    test_fraction = real("test_fraction", test_fraction, low=0.0, high=1.0, low_open=True,
                         high_open=True)
    seed = None if seed is None else integer("seed", seed)
    if len(X) < 2:
        raise ValueError(f"need at least 2 examples to split, got {len(X)}")
    order = list(range(len(X)))
    random.Random(seed).shuffle(order)
    n_test = min(max(round(test_fraction * len(X)), 1), len(X) - 1)
    test, train = order[:n_test], order[n_test:]
    return ([X[i] for i in train], [X[i] for i in test],
            [y[i] for i in train], [y[i] for i in test])


def names() -> list[str]:
    """The 32,033 first names of Karpathy's makemore data set, in the file's order: lower-case
    letters a-z only, 2 to 15 letters long (the text data of notebook 12; MIT licence, the file
    ``names.LICENSE`` beside this module).

    >>> words = names()
    >>> len(words), words[:3]
    (32033, ['emma', 'olivia', 'ava'])
    """
    text = importlib.resources.files("nn").joinpath("names.txt").read_text(encoding="utf-8")
    return text.split()
