"""A step-through page of one neuron: backpropagation through it on one example, in a browser.

``save_neuron_stepthrough`` draws a copy of a neuron on one input, with every node named
(``x0``, ``w0``, ``w0*x0``, ``b``, ``b + w.x``, ``out``), and writes the page of
``autograd_lite.viz.animate_backward``: one frame per step of ``backward()``, buttons, slider
and keys, one self-contained HTML file that opens in any browser with no network. The neuron
itself is not changed (no label, no ``.grad``). Drawing comes with ``pip install``
(see ``autograd_lite.viz``).

Typical use, after training ``model`` (an ``MLP``) on points ``X``::

    save_neuron_stepthrough(model.layers[0].neurons[0], X[0], "backprop.html")

>>> import pathlib, tempfile
>>> from nn import Neuron
>>> with tempfile.TemporaryDirectory() as folder:
...     page = save_neuron_stepthrough(Neuron(2, seed=0), [1.0, -1.0],
...                                    pathlib.Path(folder) / "backprop.html")
...     print(page.name, page.stat().st_size > 1000)
backprop.html True
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from autograd_lite import Value

from ._checks import ordered, real
from .io import atomic_path
from .modules import Neuron

__all__ = ["labelled_copy", "save_neuron_stepthrough"]


def labelled_copy(neuron: Neuron, x: Sequence[float]) -> Value:
    """The output of a labelled copy of ``neuron`` on inputs ``x``: inputs ``x0``, ``x1``, ...,
    weights ``w0``, ..., bias ``b``, products ``w0*x0``, ..., the sum ``b + w.x`` and ``out``
    (what the demo's drawing and step-through page show). ``neuron`` itself is not changed.

    >>> from nn import Neuron
    >>> labelled_copy(Neuron(2, seed=0), [1.0, -1.0]).label
    'out'
    """
    probe = Neuron(neuron.nin, activation=neuron.activation, init=0.0, seed=0)
    probe.load_state_dict(neuron.state_dict())
    for i, w in enumerate(probe.w):
        w.label = f"w{i}"
    probe.b.label = "b"
    out = probe([Value(v, label=f"x{i}") for i, v in enumerate(x)])
    out.label = "out"
    pre = out if out._op == "sum" else out._prev[0]
    if pre is not out:
        pre.label = "b + w.x"
    for i, product in enumerate(pre._prev[1:]):
        product.label = f"w{i}*x{i}"
    return out


def save_neuron_stepthrough(neuron: Neuron, x: Sequence[float],
                            path: str | os.PathLike[str] = "backprop.html", *,
                            fmt: str = ".3f") -> Path:
    """Write the step-through page of ``neuron`` on the example ``x`` to ``path``.

    ``x`` holds ``neuron.nin`` finite numbers (one example's inputs to that neuron; for a
    neuron of the first layer of an MLP, the example itself). The file is written atomically
    and its path returned; ``fmt`` is the number format of the drawing. Raises
    ``DotNotFoundError`` when nothing can render (see ``autograd_lite.viz``).
    """
    if not isinstance(neuron, Neuron):
        raise TypeError(f"save_neuron_stepthrough needs an nn.Neuron, got {type(neuron).__name__}"
                        " (a neuron of a model: model.layers[0].neurons[0])")
    inputs = ordered("x", x, "a list of numbers, one per input of the neuron")
    if len(inputs) != neuron.nin:
        raise ValueError(f"x must hold the neuron's {neuron.nin} inputs, got {len(inputs)}")
    numbers = [real(f"x[{i}]", v) for i, v in enumerate(inputs)]
    from autograd_lite.viz import animate_backward  # drawing is imported only when used

    page = animate_backward(labelled_copy(neuron, numbers), fmt=fmt)
    with atomic_path(path) as tmp:
        page.save(tmp)
    return Path(path)
