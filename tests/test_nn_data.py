"""Toy datasets: shapes, labels, reproducibility from a seed, and the train/test split."""

import math
import random

import pytest

from nn.data import DATASETS, circles, moons, spirals, to_signed, train_test_split, xor


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_same_seed_same_data_other_seed_other_data(name):
    make = DATASETS[name]
    state = random.getstate()
    a = make(50, seed=3)
    assert random.getstate() == state  # the global random is not used
    assert make(50, seed=3) == a
    assert make(50, seed=4) != a


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_shapes_and_binary_labels(name):
    X, y = DATASETS[name](37, seed=0)
    assert len(X) == len(y) == 37
    assert all(len(p) == 2 and all(isinstance(v, float) and math.isfinite(v) for v in p)
               for p in X)
    assert set(y) == {0, 1}


def test_xor_without_noise_is_the_truth_table():
    X, y = xor(4, noise=0.0)
    assert sorted((tuple(p), label) for p, label in zip(X, y, strict=True)) == [
        ((-1.0, -1.0), 0), ((-1.0, 1.0), 1), ((1.0, -1.0), 1), ((1.0, 1.0), 0)]


def test_moons_and_circles_geometry_without_noise():
    X, y = moons(20, noise=0.0)
    for (a, b), label in zip(X, y, strict=True):
        if label == 0:
            assert a * a + b * b == pytest.approx(1.0)
        else:
            assert (a - 1) ** 2 + (b - 0.5) ** 2 == pytest.approx(1.0)
    X, y = circles(20, noise=0.0, factor=0.3)
    for (a, b), label in zip(X, y, strict=True):
        assert math.hypot(a, b) == pytest.approx(0.3 if label else 1.0)


def test_spirals_have_classes_and_balanced_arms():
    X, y = spirals(100, classes=3, seed=1)
    assert [y.count(c) for c in range(3)] == [34, 33, 33]
    assert all(math.hypot(*p) <= 1.0 + 1e-12 for p in X)


@pytest.mark.parametrize("bad", [
    lambda: moons(0), lambda: moons(10, noise=-0.1), lambda: xor(2.5),
    lambda: circles(10, factor=1.5), lambda: spirals(10, classes=1), lambda: spirals(3, classes=4),
])
def test_bad_arguments(bad):
    with pytest.raises(ValueError):
        bad()


def test_to_signed():
    assert to_signed([0, 1, -1, 1.0]) == [-1.0, 1.0, -1.0, 1.0]


def test_train_test_split_partitions_reproducibly():
    X, y = moons(40, seed=0)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_fraction=0.25, seed=5)
    assert (len(X_tr), len(X_te)) == (30, 10)
    pairs = sorted(map(repr, zip(X, y, strict=True)))
    assert sorted(map(repr, zip(X_tr + X_te, y_tr + y_te, strict=True))) == pairs
    assert train_test_split(X, y, 0.25, seed=5) == (X_tr, X_te, y_tr, y_te)
    assert train_test_split(X, y, 0.25, seed=6) != (X_tr, X_te, y_tr, y_te)


def test_train_test_split_errors():
    with pytest.raises(ValueError, match="X has 2 examples but y has 1 labels"):
        train_test_split([[0.0, 0.0]] * 2, [0])
    with pytest.raises(ValueError, match="test_fraction"):
        train_test_split([[0.0, 0.0]] * 2, [0, 1], test_fraction=1.0)
