"""Draw computation graphs with Graphviz, and watch backpropagation step by step.

``draw_dot(root)`` returns a ``graphviz.Digraph`` in the look of micrograd's trace_graph
notebook: a record per Value (label, data, grad) and a small oval per op feeding it, with the
constants of an op (the 2 in ``x * 2``) as small plain nodes. In Jupyter it displays inline
(SVG, with a PNG beside it for viewers that show no SVG); ``render(root, "graph.svg")`` writes
SVG, PNG or PDF; ``show(root)`` renders at once and displays inline. ``animate_backward(root)``
draws one frame per step of ``backward()`` and puts them in one self-contained HTML page with
buttons, a slider, keys, zoom and pan.

Rendering needs nothing but ``pip install``: it runs in-process with pygraphviz, whose wheels
bundle Graphviz, or with Graphviz's ``dot`` program where pygraphviz cannot be installed (see
``autograd_lite.viz.renderers`` for the choice and its measurements). With neither, rendering raises
``DotNotFoundError`` with one line saying what to install; the DOT source never needs either.

Drawings are kept whole in a notebook: a graph that would not fit ``max_width`` x
``max_height`` pixels (880 x 640 by default) gets records with their fields stacked, then a
top-to-bottom layout, and is finally scaled down to fit, with a warning when that makes its
text too small to read.

>>> from autograd_lite import Value
>>> x = Value(0.5, label="x")
>>> y = (x * 3).tanh(); y.label = "y"
>>> y.backward()
>>> print(dot_source(y, fmt=".2f"))  # too wide in a row: each record's fields stacked
... # doctest: +NORMALIZE_WHITESPACE
digraph {
    graph [ordering=in rankdir=LR size="9.167,6.667"]
    node [fontsize=12]
    n0 [label="y | data 0.91 | grad 1.00" shape=record]
    n0op [label=tanh fontsize=11 height=0.3 margin="0.04,0.02" shape=ellipse width=0.3]
    n0op -> n0
    n1 -> n0op
    n1 [label="data 1.50 | grad 0.18" shape=record]
    n1op [label="*" fontsize=11 height=0.3 margin="0.04,0.02" shape=ellipse width=0.3]
    n1op -> n1
    n2 -> n1op
    n1c1 [label=3 fontcolor="#555555" fontsize=10 height=0.2 shape=plaintext width=0.3]
    n1c1 -> n1op [color="#888888"]
    n2 [label="x | data 0.50 | grad 0.54" shape=record]
}
"""

from __future__ import annotations

from .animation import BackwardAnimation, animate_backward
from .graph import (
    DEFAULT_MAX_ANIMATED_NODES,
    DEFAULT_MAX_HEIGHT,
    DEFAULT_MAX_NODES,
    DEFAULT_MAX_WIDTH,
    HIGHLIGHT_COLOR,
    RECEIVER_COLOR,
    SMALLEST_READABLE_PX,
    GraphTooLargeError,
    UnreadableDrawingWarning,
    dot_source,
    draw_dot,
    render,
    show,
)
from .images import Drawing, ValueGraph
from .renderers import DotNotFoundError, RendererNotFoundError
from .stepthrough import BackwardStep, GradientFlow, GradSnapshot, backward_steps

__all__ = [
    "draw_dot", "dot_source", "render", "show", "Drawing", "ValueGraph",
    "animate_backward", "BackwardAnimation",
    "backward_steps", "BackwardStep", "GradientFlow", "GradSnapshot",
    "GraphTooLargeError", "DotNotFoundError", "RendererNotFoundError",
    "DEFAULT_MAX_NODES", "DEFAULT_MAX_ANIMATED_NODES", "DEFAULT_MAX_WIDTH", "DEFAULT_MAX_HEIGHT",
    "SMALLEST_READABLE_PX", "UnreadableDrawingWarning",
    "HIGHLIGHT_COLOR", "RECEIVER_COLOR",
]


# Public classes print as autograd_lite.viz.X (in tracebacks and reprs), where users import them.
for _public in (BackwardAnimation, GraphTooLargeError, UnreadableDrawingWarning, Drawing,
                ValueGraph, RendererNotFoundError, BackwardStep, GradientFlow, GradSnapshot):
    _public.__module__ = __name__
del _public
