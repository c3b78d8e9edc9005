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


@pytest.mark.parametrize("bad, message", [
    (lambda: moons(0), "n must be an int >= 2, got 0"),
    (lambda: moons(10, noise=-0.1), "noise must be a finite number >= 0, got -0.1"),
    (lambda: circles(10, factor=1.5), r"factor must be a finite number in \(0, 1\), got 1.5"),
    (lambda: circles(10, factor=math.nan), r"factor must be a finite number in \(0, 1\), got nan"),
    (lambda: spirals(10, classes=1), "classes must be an int >= 2, got 1"),
    (lambda: spirals(3, classes=4), r"classes must be at most n \(each arm needs a point\): "
                                    r"classes=4 with n=3"),
])
def test_bad_arguments(bad, message):
    with pytest.raises(ValueError, match=message):
        bad()


@pytest.mark.parametrize("name", sorted(DATASETS))
@pytest.mark.parametrize("noise", [math.inf, -math.inf, math.nan])
def test_non_finite_noise_is_refused(name, noise):
    with pytest.raises(ValueError, match=rf"noise must be a finite number >= 0, got {noise}"):
        DATASETS[name](10, noise=noise)


def test_a_finite_noise_too_large_for_the_points_is_refused_not_a_math_error():
    with pytest.raises(ValueError, match=r"noise=1e\+308 is too large: some angles are not finite"):
        spirals(50, noise=1e308)
    with pytest.raises(ValueError, match=r"noise=1e\+308 is too large: some points are not finite"):
        moons(50, noise=1e308)


@pytest.mark.parametrize("bad, message", [
    (lambda: xor(2.5), r"n must be an int, got 2.5 \(float\)"),
    (lambda: moons(True), r"n must be an int, got True \(bool\)"),
    (lambda: moons(10, noise="0.1"), r"noise must be a number, got '0.1' \(str\)"),
    (lambda: spirals(10, classes=2.0), r"classes must be an int, got 2.0"),
    (lambda: circles(10, seed=1.5), r"seed must be an int, got 1.5"),
    (lambda: to_signed([0, "1"]), r"y\[1\] must be a number label, got '1' \(str\)"),
    (lambda: train_test_split([[0.0]] * 4, [0] * 4, test_fraction="half"),
     r"test_fraction must be a number, got 'half'"),
])
def test_arguments_of_the_wrong_type(bad, message):
    with pytest.raises(TypeError, match=message):
        bad()


def test_seed_none_draws_fresh_data():
    assert len(moons(10, seed=None)[0]) == 10


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
    with pytest.raises(ValueError, match=r"test_fraction must be a finite number in \(0, 1\), "
                                         r"got nan"):
        train_test_split([[0.0, 0.0]] * 2, [0, 1], test_fraction=math.nan)
    with pytest.raises(ValueError, match=r"y\[0\] must be a number label, got nan"):
        to_signed([math.nan])
