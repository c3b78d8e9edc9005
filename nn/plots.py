"""Pictures of training: a 2-D model's decision boundary and a loss curve, as image files.

Needs matplotlib (``pip install "autograd-lite[plot]"``); without it the functions raise
``ImportError`` saying so. They draw on a standalone ``Figure`` (no pyplot), so they neither
open windows nor change the backend of an interactive session. Files are written atomically
(``nn.io.atomic_path``): an interrupted save leaves the old picture, never half of one.

>>> from nn import MLP
>>> xs, ys, z = decision_grid(MLP(2, [4, 1], seed=0), [[0.0, 0.0], [1.0, 1.0]], resolution=3)
>>> len(xs), len(ys), len(z), len(z[0])
(3, 3, 3, 3)
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from autograd_lite import Value, no_grad

from . import _traced
from ._checks import integer, ordered, real
from .io import atomic_path
from .train import History

__all__ = ["plot_decision_boundary", "plot_loss_curve", "decision_grid", "require_matplotlib",
           "DPI"]

PathLike = str | os.PathLike[str]

DPI = 120
"""Dots per inch of every saved picture: a 6-inch plot is 720 pixels wide, its 10-point text
about 17 pixels tall, readable on a projector (matplotlib's notebook default is 72)."""


def _save(fig: Any, path: PathLike) -> Path:
    """Save ``fig`` to ``path`` in the format of its extension (PNG when it has none)."""
    fmt = Path(path).suffix.lower().lstrip(".") or "png"
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=fmt, dpi=DPI)
    return Path(path)


def require_matplotlib() -> Any:
    """matplotlib's ``Figure`` class; ``ImportError`` saying how to install it if it is missing."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError(
            'plotting needs matplotlib: pip install "autograd-lite[plot]"'
        ) from None
    return Figure


def _figure(**kwargs: Any) -> Any:
    return require_matplotlib()(**kwargs)


def decision_grid(model: Callable[[Any], Any], X: Sequence[Sequence[float]],
                  resolution: int = 50, margin: float = 0.5, *, traced: bool | None = None
                  ) -> tuple[list[float], list[float], list[list[float]]]:
    """Evaluate ``model`` on a ``resolution`` x ``resolution`` grid around the points ``X``.

    Returns ``(xs, ys, z)`` with ``z[i][j]`` the model at ``(xs[j], ys[i])``: its score for a
    model with one output, else the index of the largest output. No graph is recorded. The
    points must be 2-D and finite, ``resolution`` an int >= 2 and ``margin`` a finite number
    >= 0. With NumPy installed the grid is one forward pass of the traced mode
    (``autograd_lite.jit``), the same numbers; ``traced=False`` keeps it eager.
    """
    resolution = integer("resolution", resolution, low=2)
    margin = real("margin", margin, low=0.0)
    X = ordered("X", X, "a list of 2-D points")
    if not X:
        raise ValueError("decision_grid needs at least one point")
    for i, point in enumerate(X):
        p = ordered(f"X[{i}]", point, "a 2-D point [x1, x2]")
        if len(p) != 2:
            raise ValueError(f"X[{i}] must be a 2-D point [x1, x2], got {len(p)} number(s)")
        for k, v in enumerate(p):
            real(f"X[{i}][{k}]", v)
    lo = [min(p[k] for p in X) - margin for k in (0, 1)]
    hi = [max(p[k] for p in X) + margin for k in (0, 1)]
    xs = [lo[0] + (hi[0] - lo[0]) * j / (resolution - 1) for j in range(resolution)]
    ys = [lo[1] + (hi[1] - lo[1]) * i / (resolution - 1) for i in range(resolution)]
    points = [[xv, yv] for yv in ys for xv in xs]
    outs = _traced.outputs(model, points, _traced.wanted(traced, "decision_grid"))
    flat = [float(max(range(len(out)), key=out.__getitem__)) if isinstance(out, list) else out
            for out in outs]
    z = [flat[i * resolution:(i + 1) * resolution] for i in range(resolution)]
    return xs, ys, z


def plot_decision_boundary(model: Callable[[Any], Any], X: Sequence[Sequence[float]],
                           y: Sequence[Any], path: PathLike, *, resolution: int = 50,
                           title: str | None = None, traced: bool | None = None) -> Path:
    """Save a picture of the points ``(X, y)`` over the regions the model assigns to each
    class (for one output: score > 0 against score <= 0, with the line score = 0), with
    labelled axes and a legend of the classes beside the plot.

    The image format follows the file extension (``.png``, ``.svg``, ``.pdf``). ``traced`` is
    as for ``decision_grid``.
    """
    fig = _figure(figsize=(6.5, 5), dpi=DPI)
    ax = fig.add_subplot()
    xs, ys, z = decision_grid(model, X, resolution, traced=traced)
    if _single_output(model, X):
        ax.contourf(xs, ys, z, levels=[-1e300, 0.0, 1e300], colors=["#9ecae1", "#fdae6b"],
                    alpha=0.6)
        if min(map(min, z)) < 0.0 < max(map(max, z)):  # else there is no line to draw
            ax.contour(xs, ys, z, levels=[0.0], colors="k", linewidths=1.0)
        # the classes are the sign of the label (-1/+1, or 0/1): one colour per side
        classes = {_class_name(label): ("#3182bd" if label <= 0 else "#e6550d")
                   for label in sorted(set(y))}
        colors = ["#3182bd" if label <= 0 else "#e6550d" for label in y]
    else:  # one region per class, in the class's tab10 color
        ax.contourf(xs, ys, z, levels=[k - 0.5 for k in range(11)], cmap="tab10", vmin=-0.5,
                    vmax=9.5, alpha=0.35)
        classes = {_class_name(label): f"C{int(label) % 10}" for label in sorted(set(y))}
        colors = [f"C{int(label) % 10}" for label in y]
    ax.scatter([p[0] for p in X], [p[1] for p in X], c=colors, s=18, edgecolors="k",
               linewidths=0.4)
    for name, color in classes.items():  # legend entries only: nothing is drawn
        ax.scatter([], [], c=color, s=18, edgecolors="k", linewidths=0.4, label=name)
    ax.set_xlim(xs[0], xs[-1])
    ax.set_ylim(ys[0], ys[-1])
    ax.set_xlabel("x1 (first feature)")
    ax.set_ylabel("x2 (second feature)")
    # outside the axes, on the right: a legend inside would cover points or the boundary
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, fontsize="small")
    ax.set_title(title or "decision boundary")
    ax.set_aspect("equal", adjustable="box")
    fig.tight_layout()
    return _save(fig, path)


def _class_name(label: Any) -> str:
    """``class 1`` for a label 1 or 1.0, ``class -1`` for -1.0."""
    number = float(label)
    return f"class {int(number)}" if number.is_integer() else f"class {number:g}"


def _single_output(model: Callable[[Any], Any], X: Sequence[Sequence[float]]) -> bool:
    with no_grad():
        return type(model(X[0])) is Value


def plot_loss_curve(history: History | Sequence[float], path: PathLike, *,
                    title: str | None = None) -> Path:
    """Save the loss per epoch (and the training accuracy, when the history has it), with
    one legend naming every curve.

    The losses must be finite numbers (``fit`` never records any other).
    """
    losses = history.loss if isinstance(history, History) else ordered("history", history,
                                                                        "a History or a list")
    if not losses:
        raise ValueError("no losses to plot")
    for i, loss in enumerate(losses):
        real(f"loss[{i}]", loss)  # a NaN would leave a silent gap in the curve
    fig = _figure(figsize=(6, 4), dpi=DPI)
    ax = fig.add_subplot()
    epochs = range(1, len(losses) + 1)
    ax.plot(epochs, losses, color="C0", label="loss")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss", color="C0")
    if min(losses) > 0 and max(losses) / min(losses) > 100:
        ax.set_yscale("log")
    if isinstance(history, History) and history.accuracy:
        acc = ax.twinx()
        acc.plot(epochs, history.accuracy, color="C1", label="training accuracy")
        if history.val_accuracy:
            acc.plot(epochs, history.val_accuracy, color="C2", linestyle="--",
                     label="validation accuracy")
        acc.set_ylim(0.0, 1.05)
        acc.set_ylabel("accuracy", color="C1")
    # one legend for both axes (the loss and the accuracies), above the plot so that it
    # covers no curve
    handles = [line for axes in fig.axes for line in axes.get_lines()]
    ax.legend(handles, [line.get_label() for line in handles], loc="lower left",
              bbox_to_anchor=(0.0, 1.02), ncol=len(handles), borderaxespad=0.0,
              fontsize="small", frameon=False)
    ax.set_title(title or "training", pad=24)
    fig.tight_layout()
    return _save(fig, path)
