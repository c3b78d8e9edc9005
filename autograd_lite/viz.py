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
``autograd_lite.render`` for the choice and its measurements). With neither, rendering raises
``DotNotFoundError`` with one line saying what to install; the DOT source never needs either.

Drawings are kept readable in a notebook column: a graph that would be wider than
``max_width`` pixels (880 by default) gets records with their fields stacked, then a
top-to-bottom layout, and is finally scaled down to fit.

>>> from autograd_lite import Value
>>> x = Value(0.5, label="x")
>>> y = (x * 3).tanh(); y.label = "y"
>>> y.backward()
>>> print(dot_source(y, fmt=".2f"))  # too wide in a row: each record's fields stacked
... # doctest: +NORMALIZE_WHITESPACE
digraph {
    graph [rankdir=LR size="9.167,1000"]
    node [fontsize=12]
    n2 [label="x | data 0.50 | grad 0.54" shape=record]
    n1 [label="data 1.50 | grad 0.18" shape=record]
    n1op [label="*" fontsize=11 height=0.3 margin="0.04,0.02" shape=ellipse width=0.3]
    n1op -> n1
    n2 -> n1op
    {
        rank=same
        n1op
        n1c1 [label=3 fontcolor="#555555" fontsize=10 height=0.2 shape=plaintext width=0.3]
    }
    n1c1 -> n1op [color="#888888"]
    n0 [label="y | data 0.91 | grad 1.00" shape=record]
    n0op [label=tanh fontsize=11 height=0.3 margin="0.04,0.02" shape=ellipse width=0.3]
    n0op -> n0
    n1 -> n0op
}
"""

from __future__ import annotations

import base64
import hashlib
import html
import itertools
import json
import math
import os
import re
import struct
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import graphviz

from .engine import OPS, Value, format_op, value_of
from .render import RendererNotFoundError, render_source
from .stepthrough import (
    BackwardStep,
    GradientFlow,
    GradSnapshot,
    backward_steps,
    describe_node,
    format_number,
)

_T = TypeVar("_T")

__all__ = [
    "draw_dot", "dot_source", "render", "show", "Drawing", "ValueGraph",
    "animate_backward", "BackwardAnimation",
    "backward_steps", "BackwardStep", "GradientFlow", "GradSnapshot",
    "GraphTooLargeError", "DotNotFoundError", "RendererNotFoundError",
    "DEFAULT_MAX_NODES", "DEFAULT_MAX_ANIMATED_NODES", "DEFAULT_MAX_WIDTH",
    "HIGHLIGHT_COLOR", "RECEIVER_COLOR",
]

DEFAULT_MAX_NODES = 500
"""``draw_dot`` refuses graphs with more Values than this: Graphviz needs minutes for tens of
thousands of nodes, and nobody can read such a drawing anyway."""

DEFAULT_MAX_ANIMATED_NODES = 100
"""``animate_backward`` refuses graphs with more Values than this: it draws the graph once
per step, so its time and the page's size grow with the square of the graph's size."""

DEFAULT_MAX_WIDTH = 880
"""The widest a drawing is made, in CSS pixels: what a notebook shows without scrolling in a
window 1,100 pixels wide (JupyterLab's output area is about 900 pixels wide there)."""

HIGHLIGHT_COLOR = "#e03131"  # red: highlighted nodes; in a step, the node passing its grad
RECEIVER_COLOR = "#1c7ed6"  # blue: in a step, the operands receiving gradient

DotNotFoundError = RendererNotFoundError
"""Nothing can render here (neither pygraphviz nor Graphviz's ``dot``): the name this error
had when rendering needed ``dot``. The message is one line saying what to install."""

_RANKDIRS = ("LR", "TB", "RL", "BT")
_TURNED = {"LR": "TB", "TB": "LR", "RL": "BT", "BT": "RL"}
_FILE_FORMATS = ("svg", "png", "pdf")
_OPERAND_NAMES = "abcdefgh"
_PX_PER_INCH = 96  # CSS pixels; Graphviz's SVG is in points, 72 to the inch
_PNG_DPI = 144  # the PNG beside the SVG in notebooks: 1.5x, sharp on most screens,
_PNG_MAX_PIXELS = 1_500_000  # unless that makes more pixels than this: then 1x


class GraphTooLargeError(ValueError):
    """The graph has more Value nodes than ``max_nodes``; draw less of it or raise the limit."""


# ---------------------------------------------------------------------------------------------
# Drawing
# ---------------------------------------------------------------------------------------------

def _collect(root: Value, max_nodes: int | None, depth: int | None
             ) -> tuple[list[Value], set[Value]]:
    """The Values to draw, breadth first from ``root``, and those whose operands are cut off
    by ``depth``. Stops as soon as the limit is passed, so a huge graph costs little."""
    nodes = [root]
    distance = {root: 0}
    cut: set[Value] = set()
    i = 0
    while i < len(nodes):
        node = nodes[i]
        i += 1
        if not node._op:
            continue
        d = distance[node]
        if depth is not None and d >= depth:
            cut.add(node)
            continue
        for operand in node._prev:
            if operand not in distance:
                if max_nodes is not None and len(nodes) >= max_nodes:
                    raise GraphTooLargeError(_too_large(max_nodes, depth))
                distance[operand] = d + 1
                nodes.append(operand)
    return nodes, cut


def _too_large(max_nodes: int, depth: int | None) -> str:
    within = f" within depth={depth}" if depth is not None else ""
    return (
        f"the graph has more than {max_nodes} Value nodes{within} (max_nodes={max_nodes}): "
        "Graphviz would take very long to lay it out, and the drawing would be unreadable. "
        "Draw less of it, or raise the limit:\n"
        "    draw_dot(root, depth=3)            # only the nodes within 3 ops of root\n"
        "    draw_dot(some_intermediate_node)   # the sub-graph that produced that node\n"
        f"    draw_dot(root, max_nodes={max(10 * max_nodes, 1000)})   # a higher limit "
        "(max_nodes=None: no limit)\n"
        "The same options work for render(), show() and animate_backward()."
    )


def _record_text(text: str) -> str:
    """Escape the characters that a Graphviz record label treats as structure."""
    return re.sub(r'([\\{}|<>"])', r"\\\1", text).replace("\n", r"\n")


def _plain_text(text: str) -> graphviz.nohtml:
    return graphviz.nohtml(text.replace("\\", "\\\\").replace('"', '\\"'))


def _number(x: Any, fmt: str) -> str:
    return format_number(value_of(x), fmt)


def _highlights(highlight: Iterable[Value] | Mapping[Value, str] | Value
                ) -> dict[Value, str]:
    if isinstance(highlight, Value):
        highlight = [highlight]
    if isinstance(highlight, Mapping):
        colors = dict(highlight)
    else:
        colors = dict.fromkeys(highlight, HIGHLIGHT_COLOR)
    for node in colors:
        if not isinstance(node, Value):
            raise TypeError(f"highlight: expected Values, got {type(node).__name__}")
    return colors


def _fill(t: float) -> str:
    """White for t = 0 to orange for t = 1."""
    low, high = (255, 255, 255), (255, 146, 43)
    return "#" + "".join(f"{round(a + (b - a) * t):02x}" for a, b in zip(low, high, strict=True))


def _grad_fills(nodes: list[Value], grad_of: Any) -> dict[Value, str]:
    magnitudes = {node: abs(value_of(grad_of(node))) for node in nodes}
    finite = [m for m in magnitudes.values() if math.isfinite(m)]
    top = max(finite, default=0.0)
    fills = {}
    for node, m in magnitudes.items():
        if not math.isfinite(m):
            fills[node] = "#ff8787"  # inf or nan: a warning red
        else:
            fills[node] = _fill(m / top if top > 0.0 else 0.0)
    return fills


def _op_label(node: Value, n_operands: int) -> tuple[str, bool]:
    """The op node's text, and whether operand edges need names (order matters)."""
    op = node._op
    if n_operands >= 2 and not OPS[op].commutative:
        return format_op(op, list(_OPERAND_NAMES[:n_operands])), True
    return (OPS[op].symbol if n_operands >= 2 else "") or op, False


# --- choosing a layout that fits -------------------------------------------------------------
#
# The width of a drawing is estimated from the graph alone (no renderer needed, the same
# answer everywhere): Graphviz puts nodes on ranks, one rank per step of the longest path from
# the root. Left to right, the width is the sum over ranks of the widest node of each; top to
# bottom, it is the widest rank's total. Sizes are Graphviz's for 12-point Times, in points,
# measured on its output: a record field is 16 + 6.6 per character wide, 54 at the least.

class _Layout(NamedTuple):
    rankdir: str
    stacked: bool  # a record's fields one under another (narrow) instead of side by side


def _field_width(text: str) -> float:
    return 16.0 + 6.6 * len(text)


def _estimated_width(nodes: list[Value], cut: set[Value], fields: Mapping[Value, list[str]],
                     layout: _Layout) -> float:
    """The drawing's estimated width in points."""
    rank: dict[Value, int] = {nodes[0]: 0}
    extents: dict[int, list[float]] = {}

    def place(r: int, width: float) -> None:
        extents.setdefault(r, []).append(width)

    for node in sorted(nodes, key=lambda n: -n._depth):  # consumers before their operands
        r = rank[node]
        widths = [_field_width(t) for t in fields[node]]
        place(r, max(54.0, max(widths) if layout.stacked else sum(widths)))
        if not node._op:
            continue
        label, _ = _op_label(node, len(node._operands))
        place(r + 1, max(21.6, 17.0 + 7.0 * (len(label) + 4 * (node in cut))))
        if node in cut:
            continue
        for operand in node._operands:
            if isinstance(operand, Value):
                rank[operand] = max(rank.get(operand, 0), r + 2)
            else:  # beside its op, on the op's rank
                place(r + 1, max(21.6, 10.0 + 6.0 * len(f"{operand:g}")))
    if layout.rankdir in ("LR", "RL"):
        return sum(max(w) for w in extents.values()) + 36.0 * (len(extents) - 1) + 8.0
    return max(sum(w) + 18.0 * (len(w) - 1) for w in extents.values()) + 8.0


def _choose_layout(nodes: list[Value], cut: set[Value], fields: Mapping[Value, list[str]],
                   rankdir: str, max_width: float | None) -> _Layout:
    """``rankdir`` with records in a row when that fits ``max_width`` (pixels); else stacked
    records; else the other direction (LR <-> TB) with stacked records; else the narrowest."""
    asked = _Layout(rankdir, False)
    if max_width is None:
        return asked
    candidates = [asked, _Layout(rankdir, True), _Layout(_TURNED[rankdir], True)]
    limit = max_width * 72 / _PX_PER_INCH
    widths = [_estimated_width(nodes, cut, fields, c) for c in candidates]
    for candidate, width in zip(candidates, widths, strict=True):
        if width <= limit:
            return candidate
    return candidates[widths.index(min(widths))]


def _fields(node: Value, fmt: str, show_grad: bool, grad_text: str) -> list[str]:
    fields = [node.label] if node.label else []
    fields.append(f"data {_number(node.data, fmt)}")
    if show_grad:
        fields.append(f"grad {grad_text}")
    return fields


def _check_max_width(max_width: float | None) -> None:
    if max_width is not None and (isinstance(max_width, bool) or
                                  not isinstance(max_width, int | float) or max_width <= 0):
        raise ValueError(f"max_width must be a positive number of pixels (or None), "
                         f"got {max_width!r}")


def draw_dot(root: Value, format: str = "svg", rankdir: str = "LR", *,
             show_grad: bool = True, fmt: str = ".4f", color_by_grad: bool = False,
             highlight: Iterable[Value] | Mapping[Value, str] = (),
             max_nodes: int | None = DEFAULT_MAX_NODES, depth: int | None = None,
             grads: Mapping[Value, float] | None = None,
             max_width: float | None = DEFAULT_MAX_WIDTH) -> ValueGraph:
    """The graph that produced ``root``, as a ``graphviz.Digraph`` (micrograd's look).

    Each Value is a record ``label | data | grad`` (the label only when set); each op is a
    small oval feeding its result, with plain-number operands (the 2 in ``x * 2``) as small
    plain nodes. When operand order matters (``-``, ``/``, ``**``) the oval reads ``a - b``
    and the edges are named ``a`` and ``b``.

    Options:

    * ``format``: the output format of the Digraph's own ``render``/``pipe`` (``"svg"``,
      ``"png"``, ...); ``rankdir``: ``"LR"`` (left to right), ``"TB"``, ``"RL"`` or ``"BT"``.
    * ``show_grad``: show each node's grad (default True); ``fmt``: number format, e.g.
      ``".4f"`` (default) or ``".3g"``. Numbers that round to zero print without a sign.
    * ``color_by_grad``: fill each record from white (grad 0) to orange (the largest |grad|
      in the drawing); an infinite or NaN grad is red.
    * ``highlight``: Values to outline in red, or a mapping Value -> colour. A highlighted
      node's op oval and the edges into it take the same colour.
    * ``max_nodes``: the most Values drawn (default ``DEFAULT_MAX_NODES`` = 500; None for no
      limit); above it ``GraphTooLargeError`` is raised before Graphviz is called.
    * ``depth``: draw only the Values within ``depth`` ops of ``root``; an op whose operands
      are left out is dashed and marked with ``...``.
    * ``grads``: a mapping Value -> gradient to show instead of ``.grad`` (a step's
      ``grads`` from ``backward_steps``, for instance); nodes it lacks show ``.grad``.
    * ``max_width``: the widest the drawing may be, in pixels (default ``DEFAULT_MAX_WIDTH``,
      880: a notebook in a window 1,100 pixels wide). A graph that would be wider in
      ``rankdir`` with records in a row gets each record's fields stacked, then the other
      direction (``LR`` becomes ``TB``, ``RL`` becomes ``BT``, and back), and whatever is
      still too wide is scaled down to fit (Graphviz's ``size``). ``None``: exactly
      ``rankdir``, records in a row, at full size.

    The result is a ``ValueGraph``, a ``graphviz.Digraph`` whose inline display, ``pipe``
    and ``render`` work with no system Graphviz (see ``autograd_lite.render``); its
    ``.source`` needs no renderer at all.

    >>> from autograd_lite import Value
    >>> x = Value(3.0, label="x")
    >>> dot = draw_dot(x - 1, show_grad=False, fmt=".1f", max_width=None)
    >>> print(dot.source)  # doctest: +NORMALIZE_WHITESPACE
    digraph {
        graph [rankdir=LR]
        node [fontsize=12]
        n1 [label="{ x | data 3.0 }" shape=record]
        n0 [label="{ data 2.0 }" shape=record]
        n0op [label="a - b" fontsize=11 height=0.3 margin="0.04,0.02" shape=ellipse width=0.3]
        n0op -> n0
        n1 -> n0op [label=a fontsize=9]
        {
            rank=same
            n0op
            n0c1 [label=1 fontcolor="#555555" fontsize=10 height=0.2 shape=plaintext width=0.3]
        }
        n0c1 -> n0op [label=b color="#888888" fontsize=9]
    }
    """
    nodes, cut = _collect_checked(root, rankdir, fmt, max_nodes, depth)
    _check_max_width(max_width)

    def grad_of(node: Value) -> Any:
        return grads.get(node, node.grad) if grads is not None else node.grad

    fields = {node: _fields(node, fmt, show_grad, _number(grad_of(node), fmt))
              for node in nodes}
    layout = _choose_layout(nodes, cut, fields, rankdir, max_width)
    return _build(root, nodes, cut, format=format, layout=layout, max_width=max_width,
                  show_grad=show_grad, fmt=fmt, color_by_grad=color_by_grad,
                  colors=_highlights(highlight), grads=grads)


def _collect_checked(root: Value, rankdir: str, fmt: str, max_nodes: int | None,
                     depth: int | None) -> tuple[list[Value], set[Value]]:
    if not isinstance(root, Value):
        raise TypeError(f"expected a Value to draw, got {type(root).__name__}")
    if rankdir not in _RANKDIRS:
        raise ValueError(f"rankdir must be one of {_RANKDIRS}, got {rankdir!r}")
    try:
        f"{1.0:{fmt}}"
    except (ValueError, TypeError) as error:
        raise ValueError(f"fmt={fmt!r} is not a number format such as '.4f'") from error
    if max_nodes is not None and max_nodes < 1:
        raise ValueError(f"max_nodes must be at least 1 (or None), got {max_nodes}")
    if depth is not None and depth < 0:
        raise ValueError(f"depth must be 0 or more (or None), got {depth}")
    return _collect(root, max_nodes, depth)


def _build(root: Value, nodes: list[Value], cut: set[Value], *, format: str, layout: _Layout,
           max_width: float | None, show_grad: bool, fmt: str, color_by_grad: bool,
           colors: Mapping[Value, str], grads: Mapping[Value, float] | None,
           outlines: Mapping[Value, str] | None = None,
           grad_texts: Mapping[Value, str] | None = None,
           sizes: Mapping[Value, tuple[str, str]] | None = None) -> ValueGraph:
    """The Digraph of ``nodes``. ``colors`` outline records and colour their op and its
    input edges; ``outlines`` colour the records alone. ``grad_texts`` replaces the formatted
    grads and ``sizes`` fixes the size of records (for animations, whose frames must share
    one layout)."""
    ids = {node: f"n{i}" for i, node in enumerate(nodes)}

    def grad_of(node: Value) -> Any:
        return grads.get(node, node.grad) if grads is not None else node.grad

    fills = _grad_fills(nodes, grad_of) if color_by_grad else {}
    # A record's top level runs across the rank direction: vertical in LR, horizontal in
    # TB. Braces turn it the other way: a row in LR, a stack in TB.
    braces = (layout.rankdir in ("LR", "RL")) != layout.stacked
    record = "{{ {} }}" if braces else "{}"

    graph_attr = {"rankdir": layout.rankdir}
    if max_width is not None:  # only ever scales down, never up
        graph_attr["size"] = f"{max_width / _PX_PER_INCH:.4g},1000"
    dot = ValueGraph(format=format, graph_attr=graph_attr, node_attr={"fontsize": "12"})
    # Inputs first: Graphviz keeps declaration order where it can, so operands read in order.
    for node in reversed(nodes):
        nid = ids[node]
        grad_text = grad_texts[node] if grad_texts is not None else _number(grad_of(node), fmt)
        fields = _fields(node, fmt, show_grad, grad_text)
        if node.label:
            fields[0] = _record_text(node.label)
        attrs = {"shape": "record"}
        if sizes is not None:
            width, height = sizes[node]
            attrs.update(width=width, height=height, fixedsize="true")
        color = colors.get(node)
        outline = color or (outlines.get(node) if outlines else None)
        if outline:
            attrs.update(color=outline, penwidth="2.5")
        if node in fills:
            attrs.update(style="filled", fillcolor=fills[node])
        dot.node(nid, record.format(" | ".join(fields)), **attrs)
        if not node._op:
            continue

        operands = node._operands
        label, named = _op_label(node, len(operands))
        op_attrs = {"shape": "ellipse", "fontsize": "11", "width": "0.3", "height": "0.3",
                    "margin": "0.04,0.02"}
        if color:
            op_attrs.update(color=color, fontcolor=color, penwidth="2")
        if node in cut:
            label += " ..."  # its operands are beyond the depth limit
            op_attrs.update(style="dashed")
        dot.node(f"{nid}op", _plain_text(label), **op_attrs)
        dot.edge(f"{nid}op", nid, **({"color": color, "penwidth": "2"} if color else {}))
        if node in cut:
            continue
        for position, operand in enumerate(operands):
            edge_attrs = {"color": color, "penwidth": "2"} if color else {}
            if named:
                edge_attrs.update(label=_OPERAND_NAMES[position % 8], fontsize="9")
            if isinstance(operand, Value):
                dot.edge(ids[operand], f"{nid}op", **edge_attrs)
            else:
                # A constant sits beside its op, on the op's rank: it takes no rank of its own
                # and does not push the chain of nodes sideways.
                cid = f"{nid}c{position}"
                with dot.subgraph() as beside:
                    beside.attr(rank="same")
                    beside.node(f"{nid}op")
                    beside.node(cid, _plain_text(format_number(operand, "g")),
                                shape="plaintext", fontsize="10", fontcolor="#555555",
                                width="0.3", height="0.2")
                dot.edge(cid, f"{nid}op", **{"color": "#888888", **edge_attrs})
    return dot


def dot_source(root: Value, **draw_options: Any) -> str:
    """The DOT source of ``draw_dot(root, **draw_options)``; needs no Graphviz program.

    >>> from autograd_lite import Value
    >>> "data 2.0000" in dot_source(Value(2.0) * 3)
    True
    """
    source: str = draw_dot(root, **draw_options).source
    return source


# ---------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------

def _png_size(png: bytes) -> tuple[int, int]:
    return struct.unpack(">II", png[16:24])


def _image_bundle(source: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """SVG and PNG of ``source`` for Jupyter, with the PNG's display size.

    The SVG is what a trusted notebook shows (sharp at any zoom); the PNG is what viewers
    that show no SVG from an untrusted notebook (JupyterLab, GitHub) fall back on. A small
    drawing's PNG is drawn at 1.5x and displayed at the SVG's size, sharp on most screens; a
    large one's at 1x, which keeps a notebook of several graphs well under a megabyte.
    """
    svg = render_source(source, "svg").decode("utf-8")
    size = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    pixels = float(size[1]) * float(size[2]) * (_PX_PER_INCH / 72) ** 2 if size else 0.0
    dpi = _PNG_DPI if pixels * (_PNG_DPI / _PX_PER_INCH) ** 2 <= _PNG_MAX_PIXELS else _PX_PER_INCH
    png = render_source(_with_graph_attr(source, f"dpi={dpi}"), "png")
    width, height = _png_size(png)
    scale = _PX_PER_INCH / dpi
    metadata = {"image/png": {"width": round(width * scale), "height": round(height * scale)}}
    return {"image/svg+xml": svg, "image/png": png}, metadata


def _with_graph_attr(source: str, attr: str) -> str:
    return re.sub(r"^((?:strict )?(?:di)?graph[^{]*\{)", rf"\1\n\tgraph [{attr}]", source,
                  count=1)


def _filtered(bundle: tuple[dict[str, Any], dict[str, Any]], include: Iterable[str] | None,
              exclude: Iterable[str] | None) -> tuple[dict[str, Any], dict[str, Any]]:
    data, metadata = bundle
    keep = set(data) if include is None else set(include)
    keep -= set(exclude or ())
    return ({k: v for k, v in data.items() if k in keep},
            {k: v for k, v in metadata.items() if k in keep})


class ValueGraph(graphviz.Digraph):
    """The ``graphviz.Digraph`` that ``draw_dot`` returns, rendered without a system Graphviz.

    Everything of ``graphviz.Digraph`` works (``source``, ``node``, ``edge``, ``save``, ...);
    ``pipe``, ``render`` and the inline display in Jupyter go through
    ``autograd_lite.render`` (in-process with pygraphviz, or the ``dot`` program). In
    Jupyter the output holds SVG and PNG, so that viewers which show no SVG from an
    untrusted notebook (JupyterLab, GitHub) still show the graph. Other layout engines than
    ``dot`` (``engine="neato"``, ...) and ``renderer``/``formatter`` options are handed to
    graphviz's own machinery, which needs the system programs.
    """

    def _needs_programs(self, engine: str | None, options: Mapping[str, Any]) -> bool:
        return (engine or self.engine) != "dot" or any(v is not None for v in options.values())

    def pipe(self, format: str | None = None, renderer: str | None = None,
             formatter: str | None = None, neato_no_op: bool | int | None = None,
             quiet: bool = False, *, engine: str | None = None,
             encoding: str | None = None) -> bytes | str:
        """The graph rendered as ``format`` (default: the graph's ``format``), as bytes, or
        as text when ``encoding`` is given (``pipe(encoding="utf-8")`` for SVG)."""
        options = {"renderer": renderer, "formatter": formatter, "neato_no_op": neato_no_op}
        if self._needs_programs(engine, options):
            piped: bytes | str = _with_install_hint(super().pipe, format, quiet=quiet,
                                                    engine=engine, encoding=encoding, **options)
            return piped
        data = render_source(self.source, format or self.format)
        return data.decode(encoding) if encoding is not None else data

    def render(self, filename: str | os.PathLike[str] | None = None,
               directory: str | os.PathLike[str] | None = None, view: bool = False,
               cleanup: bool = False, format: str | None = None, renderer: str | None = None,
               formatter: str | None = None, neato_no_op: bool | int | None = None,
               quiet: bool = False, quiet_view: bool = False, *,
               outfile: str | os.PathLike[str] | None = None, engine: str | None = None,
               raise_if_result_exists: bool = False, overwrite_source: bool = False) -> str:
        """Save the DOT source and render it, as ``graphviz.Digraph.render`` does.

        Writes the source to ``filename`` (default ``name + ".gv"``) in ``directory`` and the
        drawing to ``outfile`` (its format from its extension) or beside the source as
        ``filename.format``. Returns the drawing's path; ``cleanup=True`` removes the source,
        ``view=True`` opens the drawing.
        """
        options = {"renderer": renderer, "formatter": formatter, "neato_no_op": neato_no_op}
        if self._needs_programs(engine, options):
            rendered: str = _with_install_hint(
                super().render, filename, directory, view, cleanup, format, quiet=quiet,
                quiet_view=quiet_view, outfile=outfile, engine=engine,
                raise_if_result_exists=raise_if_result_exists,
                overwrite_source=overwrite_source, **options)
            return rendered
        if outfile is not None:
            outfile = Path(outfile)
            if directory is None:
                outfile = Path(self.directory, outfile)
            if format is None:
                format = outfile.suffix.lstrip(".").lower() or self.format
            if filename is None:  # the source goes beside the drawing, as graphviz does
                filename = os.fspath(outfile.with_suffix(".gv"))
        format = format or self.format
        source_path = Path(self.save(filename, directory=directory))
        target = outfile if outfile is not None else Path(f"{source_path}.{format}")
        if raise_if_result_exists and target.exists():
            raise graphviz.FileExistsError(f"output file exists: {os.fspath(target)!r}")
        target.write_bytes(render_source(self.source, format))
        if cleanup:
            source_path.unlink()
        if view or quiet_view:
            self._view(os.fspath(target), format=format, quiet=quiet_view)
        return os.fspath(target)

    def _repr_mimebundle_(self, include: Iterable[str] | None = None,
                          exclude: Iterable[str] | None = None, **_: Any
                          ) -> tuple[dict[str, Any], dict[str, Any]]:
        return _filtered(_image_bundle(self.source), include, exclude)

    def _repr_image_svg_xml(self) -> str:
        svg = self.pipe(format="svg", encoding="utf-8")
        return svg if isinstance(svg, str) else svg.decode("utf-8")

    def _repr_image_png(self) -> bytes:
        return _as_bytes(self.pipe(format="png"))

    def _repr_image_jpeg(self) -> bytes:
        return _as_bytes(self.pipe(format="jpeg"))

    def __repr__(self) -> str:
        records = sum(1 for line in self.body if "shape=record" in line)
        return f"<ValueGraph: {records} Values; display it in Jupyter or call render()>"


def _as_bytes(data: bytes | str) -> bytes:
    return data if isinstance(data, bytes) else data.encode("utf-8")


def _with_install_hint(call: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
    try:
        return call(*args, **kwargs)
    except graphviz.ExecutableNotFound:
        raise RendererNotFoundError(
            "cannot render graphs: this engine or renderer option needs Graphviz's programs "
            "on PATH (install Graphviz); the default engine='dot' needs only "
            'pip install "pygraphviz>=2.0"') from None


_SVG_CLUTTER = re.compile(
    r"<\?xml[^>]*\?>\s*|<!DOCTYPE[^>]*>\s*|<!--.*?-->\s*|<title>[^<]*</title>\s*"
    r'| id="[^"]*graph\d+"',
    re.S,
)


def _svgs(sources: list[str]) -> list[str]:
    """Render DOT sources to SVG without the XML prologue, comments and tooltips (they only
    add size), and with ``data-g`` keys instead of ids (which would repeat when several
    drawings share a page)."""
    svgs = []
    for source in sources:
        svg = render_source(source, "svg").decode("utf-8")
        svg = _SVG_CLUTTER.sub("", svg[svg.index("<svg"):])
        svgs.append(re.sub(r' id="((?:node|edge)\d+)"', r' data-g="\1"', svg).strip())
    return svgs


def render(root: Value, path: str | Path, **draw_options: Any) -> Path:
    """Write the drawing of ``root``'s graph to ``path``: SVG, PNG or PDF by its extension.

    ``draw_options`` are those of ``draw_dot`` (``fmt``, ``show_grad``, ``highlight``, ...).
    Returns the path. Raises ``DotNotFoundError`` when nothing can render (see
    ``autograd_lite.render``).

    >>> from autograd_lite import Value
    >>> render(Value(1.0), "graph.gif")
    Traceback (most recent call last):
    ValueError: render: cannot tell the format of 'graph.gif'; use a name ending in .svg, ...
    """
    path = Path(path)
    ext = path.suffix.lower().lstrip(".")
    if ext not in _FILE_FORMATS:
        raise ValueError(f"render: cannot tell the format of {path.name!r}; "
                         "use a name ending in .svg, .png or .pdf")
    if "format" in draw_options:
        raise TypeError("render: the format comes from the file name's extension; "
                        "do not pass format=")
    data = render_source(draw_dot(root, **draw_options).source, ext)
    path.write_bytes(data)
    return path


class Drawing:
    """A rendered drawing: SVG text that Jupyter displays inline (made by ``show``).

    ``svg`` is the SVG image, ``source`` the DOT source it was rendered from. In Jupyter a
    PNG goes beside the SVG, for viewers that show no SVG from an untrusted notebook.
    """

    def __init__(self, svg: str, source: str) -> None:
        self.svg = svg
        self.source = source

    def _repr_svg_(self) -> str:
        return self.svg

    def _repr_mimebundle_(self, include: Iterable[str] | None = None,
                          exclude: Iterable[str] | None = None, **_: Any
                          ) -> tuple[dict[str, Any], dict[str, Any]]:
        data, metadata = _image_bundle(self.source)
        data["image/svg+xml"] = self.svg
        return _filtered((data, metadata), include, exclude)

    def save(self, path: str | Path) -> Path:
        """Write the SVG to ``path`` and return the path."""
        path = Path(path)
        path.write_text(self.svg, encoding="utf-8")
        return path

    def __repr__(self) -> str:
        return f"<Drawing: {len(self.svg)} characters of SVG>"


def show(root: Value, **draw_options: Any) -> Drawing:
    """Render ``root``'s graph now and return it for inline display in Jupyter.

    ``show(loss)`` as the last line of a cell displays the graph; ``draw_options`` are those
    of ``draw_dot``. Raises ``DotNotFoundError`` at once when nothing can render, rather
    than failing later inside the notebook's display machinery.
    """
    graph = draw_dot(root, **draw_options)
    return Drawing(_svgs([graph.source])[0], graph.source)


# ---------------------------------------------------------------------------------------------
# Step-through animation
# ---------------------------------------------------------------------------------------------

class BackwardAnimation:
    """The steps of ``backward()`` as frames: a viewer in Jupyter, or a page via ``save``.

    ``frames`` are SVG drawings and ``captions`` say each in words. ``frames[0]`` is the
    start (the root's grad 1, every other grad 0); then one frame per entry of ``steps``
    (the ``BackwardStep`` objects of the nodes drawn), with the node passing its gradient in
    red and the operands receiving it in blue; and, when steps of nodes not drawn changed the
    drawn grads after the last drawn step, a final frame with the grads at the end.
    ``frame_steps[i]`` is the step that frame ``i`` shows (None for the start and end).
    """

    def __init__(self, steps: list[BackwardStep], frames: list[str], captions: list[str],
                 frame_steps: list[BackwardStep | None] | None = None) -> None:
        self.steps = steps
        self.frames = frames
        self.captions = captions
        self.frame_steps = frame_steps if frame_steps is not None else [None, *steps]

    def __len__(self) -> int:
        return len(self.frames)

    def to_html(self) -> str:
        """An HTML fragment (a ``<div>`` with its own script) showing the frames.

        Without scripts (an untrusted notebook, GitHub's view) it shows the first frame as
        an image under its caption. The script adds the controls: buttons, a slider, play,
        zoom in and out, fit, and keys (arrows, Home, End, space, + - 0) once the viewer has
        the focus; dragging pans. The frames share one layout, so each is stored with only
        the nodes and edges that differ from the frame before, in a JSON ``<script>`` block:
        sanitizers (JupyterLab's for untrusted output) drop it whole, where the contents of
        a ``<template>`` would spill out as loose text.
        """
        digest = hashlib.sha1("".join(self.frames).encode("utf-8")).hexdigest()[:12]
        uid = f"agl-{digest}-{next(_VIEWER_NUMBERS)}"
        first = self.frames[0]
        still = base64.b64encode(first.encode("utf-8")).decode("ascii")
        parts = [f'<div class="agl-backward" data-agl-viewer="{uid}" tabindex="0" '
                 'style="font-family:sans-serif;outline:none;max-width:100%">',
                 '<div class="agl-controls"></div>',
                 '<pre class="agl-caption" style="margin:4px 0;white-space:pre-wrap">'
                 f"{html.escape(self.captions[0])}</pre>",
                 '<div class="agl-graph" style="overflow:auto;max-width:100%;'
                 'max-height:85vh;cursor:grab">'
                 f'<img class="agl-still" alt="the graph before backward() starts" '
                 f'style="max-width:100%" src="data:image/svg+xml;base64,{still}"></div>']
        frames = []
        for i, (svg, caption) in enumerate(zip(self.frames, self.captions, strict=True)):
            patch = _patch(self.frames[i - 1], svg) if i else svg.replace(
                "<svg", '<svg data-full="1"', 1)
            frames.append({"caption": caption, "svg": patch})
        # nothing that would end the <script> early, or open an HTML comment inside it
        data = (json.dumps(frames, ensure_ascii=False)
                .replace("</", "<\\/").replace("<!--", "<\\u0021--"))
        parts.append(f'<script type="application/json" class="agl-frames">{data}</script>')
        legend = (f'(<span style="color:{HIGHLIGHT_COLOR}">red</span>: passes its gradient, '
                  f'<span style="color:{RECEIVER_COLOR}">blue</span>: receives it)')
        script = (_SCRIPT.replace("__ID__", uid).replace("__LEGEND__", legend)
                  .replace("__HIGHLIGHT__", HIGHLIGHT_COLOR)
                  .replace("__N__", str(len(self.frames))))
        parts.append(f"<script>{script}</script></div>")
        return "\n".join(parts)

    def html(self) -> str:
        """A complete, self-contained HTML page: no server and no external file needed."""
        return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                "<title>backward(), step by step</title></head>\n<body>\n"
                f"{self.to_html()}\n</body></html>\n")

    def save(self, path: str | Path) -> Path:
        """Write the page (``html()``) to ``path`` and return the path."""
        path = Path(path)
        path.write_text(self.html(), encoding="utf-8")
        return path

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        return f"<BackwardAnimation: {len(self.frames)} frames, {len(self.steps)} steps>"


_VIEWER_NUMBERS = itertools.count(1)
_GROUP = re.compile(r'<g data-g="(\w+)" class="\w+">(.*?)</g>', re.S)


def _patch(previous: str, svg: str) -> str:
    """``svg`` as the groups (nodes and edges) that differ from ``previous``, inside an
    ``<svg>`` so that a browser parses them as SVG; the whole ``svg`` if the layouts differ."""
    if _GROUP.sub("", previous) != _GROUP.sub("", svg):
        return svg.replace("<svg", '<svg data-full="1"', 1)
    before = dict(_GROUP.findall(previous))
    changed = [m.group(0) for m in _GROUP.finditer(svg) if before.get(m[1]) != m[2]]
    return "<svg>" + "".join(changed) + "</svg>"


# Plain JavaScript, no library, no network. Front-ends run a cell's scripts differently
# (JupyterLab re-creates them, VS Code and Colab run outputs in frames of their own, some leave
# document.currentScript empty), so the script looks for its viewer three ways: the element
# around document.currentScript, then every viewer with its id not yet set up, and, if the
# output is not in the page yet, again a little later. Each frame holds the groups that
# changed since the frame before; going back restarts from the first frame.
_SCRIPT = r"""
(function () {
  var ID = "__ID__", N = __N__;
  function setup(root) {
    if (root.getAttribute("data-agl-ready")) { return; }
    root.setAttribute("data-agl-ready", "1");
    var frames = JSON.parse(root.querySelector("script.agl-frames").textContent);
    for (var f = 0; f < frames.length; f++) {  // each frame's SVG, parsed once, off-page
      var holder = document.createElement("template");
      holder.innerHTML = frames[f].svg;
      frames[f].content = holder.content;
    }
    var graph = root.querySelector(".agl-graph");
    var caption = root.querySelector(".agl-caption");
    var controls = root.querySelector(".agl-controls");
    controls.innerHTML =
      '<div style="display:flex;gap:6px;align-items:center;flex-wrap:wrap;margin:2px 0">' +
      '<button type="button" class="agl-first" title="first frame (Home)">|&#9664;</button>' +
      '<button type="button" class="agl-prev" title="previous step (left arrow)">&#9664;</button>' +
      '<input type="range" class="agl-slider" min="1" max="' + N + '" value="1" step="1" ' +
      'aria-label="frame" style="width:240px">' +
      '<button type="button" class="agl-next" title="next step (right arrow)">&#9654;</button>' +
      '<button type="button" class="agl-last" title="last frame (End)">&#9654;|</button>' +
      '<button type="button" class="agl-play" title="play or pause (space)">play</button>' +
      '<span class="agl-counter"></span>' +
      '<button type="button" class="agl-zoom-out" title="zoom out (-)">&minus;</button>' +
      '<button type="button" class="agl-zoom-in" title="zoom in (+)">+</button>' +
      '<button type="button" class="agl-fit" title="fit the width (0)">fit</button>' +
      '<button type="button" class="agl-actual" title="actual size (1)">100%</button>' +
      '<span class="agl-zoom"></span>' +
      '<span style="font-size:smaller">__LEGEND__</span></div>';
    var slider = root.querySelector(".agl-slider");
    var counter = root.querySelector(".agl-counter");
    var zoomText = root.querySelector(".agl-zoom");
    var play = root.querySelector(".agl-play");
    // fitted: the zoom follows the box's width (as it changes) until the user zooms
    var current = 0, timer = null, zoom = 1, width = 0, height = 0, fitted = true;
    function svg() { return graph.querySelector("svg"); }
    function full(i) {
      var copy = frames[i].content.querySelector("svg[data-full]").cloneNode(true);
      copy.removeAttribute("data-full");
      graph.innerHTML = "";
      graph.appendChild(document.importNode(copy, true));
      var s = svg();
      width = parseFloat(s.getAttribute("width")) * 4 / 3;   // points to CSS pixels
      height = parseFloat(s.getAttribute("height")) * 4 / 3;
      setZoom(zoom);
    }
    function apply(i) {
      if (frames[i].content.querySelector("svg[data-full]")) { full(i); return; }
      var groups = frames[i].content.querySelectorAll("[data-g]");
      for (var k = 0; k < groups.length; k++) {
        var key = groups[k].getAttribute("data-g");
        var target = graph.querySelector('[data-g="' + key + '"]');
        if (target) { target.innerHTML = groups[k].innerHTML; }
      }
    }
    function setZoom(z) {
      zoom = Math.max(0.05, Math.min(8, z));
      var s = svg();
      if (s) {
        s.setAttribute("width", (width * zoom).toFixed(1) + "px");
        s.setAttribute("height", (height * zoom).toFixed(1) + "px");
      }
      zoomText.textContent = Math.round(zoom * 100) + "%";
    }
    function fitZoom() {
      var room = graph.clientWidth || root.clientWidth;
      return room && width ? Math.min(1, (room - 4) / width) : 1;
    }
    function reveal() {  // keep the node passing its gradient in sight inside the box
      var node = graph.querySelector('g.node [stroke="__HIGHLIGHT__"]');
      if (!node) { return; }
      var r = node.getBoundingClientRect(), box = graph.getBoundingClientRect();
      if (r.top < box.top || r.bottom > box.bottom) {
        graph.scrollTop += (r.top + r.bottom - box.top - box.bottom) / 2;
      }
      if (r.left < box.left || r.right > box.right) {
        graph.scrollLeft += (r.left + r.right - box.left - box.right) / 2;
      }
    }
    function go(i) {
      i = Math.max(0, Math.min(frames.length - 1, i));
      var k = current;
      if (i < current) { full(0); k = 0; }
      while (k < i) { k += 1; apply(k); }
      caption.textContent = frames[i].caption;
      current = i;
      slider.value = i + 1;
      counter.textContent = "frame " + (i + 1) + " of " + frames.length;
      reveal();
    }
    function stop() {
      if (timer !== null) { clearInterval(timer); timer = null; play.textContent = "play"; }
    }
    function toggle() {
      if (timer !== null) { stop(); return; }
      if (current === frames.length - 1) { go(0); }
      play.textContent = "pause";
      timer = setInterval(function () {
        if (current === frames.length - 1) { stop(); } else { go(current + 1); }
      }, 900);
    }
    function on(name, handler) { root.querySelector(name).addEventListener("click", handler); }
    function step(to) { return function () { stop(); go(to()); }; }
    slider.addEventListener("input", function () { stop(); go(slider.value - 1); });
    on(".agl-first", step(function () { return 0; }));
    on(".agl-prev", step(function () { return current - 1; }));
    on(".agl-next", step(function () { return current + 1; }));
    on(".agl-last", step(function () { return frames.length - 1; }));
    on(".agl-play", toggle);
    function zoomBy(factor) { return function () { fitted = false; setZoom(zoom * factor); }; }
    function fit() { fitted = true; setZoom(fitZoom()); }
    function actual() { fitted = false; setZoom(1); }
    on(".agl-zoom-in", zoomBy(1.25));
    on(".agl-zoom-out", zoomBy(1 / 1.25));
    on(".agl-fit", fit);
    on(".agl-actual", actual);
    root.addEventListener("keydown", function (event) {
      if (event.target && event.target.tagName === "INPUT" &&
          (event.key === "ArrowLeft" || event.key === "ArrowRight")) { return; }
      var keys = {
        ArrowLeft: function () { stop(); go(current - 1); },
        ArrowRight: function () { stop(); go(current + 1); },
        Home: function () { stop(); go(0); },
        End: function () { stop(); go(frames.length - 1); },
        " ": toggle,
        "+": zoomBy(1.25),
        "=": zoomBy(1.25),
        "-": zoomBy(1 / 1.25),
        "0": fit,
        "1": actual
      };
      var handler = keys[event.key];
      if (handler && !event.ctrlKey && !event.metaKey && !event.altKey) {
        handler();
        event.preventDefault();
        event.stopPropagation();  // the notebook must not take them as its own shortcuts
      }
    });
    // drag to pan a drawing larger than its box
    var drag = null;
    graph.addEventListener("pointerdown", function (event) {
      root.focus({preventScroll: true});
      drag = {x: event.clientX, y: event.clientY, left: graph.scrollLeft, top: graph.scrollTop};
      graph.style.cursor = "grabbing";
    });
    window.addEventListener("pointermove", function (event) {
      if (!drag) { return; }
      graph.scrollLeft = drag.left - (event.clientX - drag.x);
      graph.scrollTop = drag.top - (event.clientY - drag.y);
    });
    window.addEventListener("pointerup", function () { drag = null; graph.style.cursor = "grab"; });
    if (window.ResizeObserver) {  // a notebook's column changes width: stay fitted
      new ResizeObserver(function () { if (fitted) { setZoom(fitZoom()); } }).observe(graph);
    }
    full(0);
    setZoom(fitZoom());
    go(0);
  }
  function find() {
    var found = [], script = document.currentScript;
    var mine = script && script.closest ? script.closest(".agl-backward") : null;
    if (mine) { found.push(mine); }
    var all = document.querySelectorAll('[data-agl-viewer="' + ID + '"]');
    for (var i = 0; i < all.length; i++) { found.push(all[i]); }
    return found;
  }
  var roots = find();
  for (var i = 0; i < roots.length; i++) { setup(roots[i]); }
  if (!roots.length) {  // not attached yet: look again shortly
    var tries = 0, retry = setInterval(function () {
      var later = find();
      for (var j = 0; j < later.length; j++) { setup(later[j]); }
      if (later.length || ++tries > 50) { clearInterval(retry); }
    }, 100);
  }
})();
"""


def _start_caption(root: Value, total: int, shown: int, fmt: str) -> str:
    text = (f"start: backward() seeds the grad of {describe_node(root, fmt)} with 1; "
            f"every other grad is 0. {total} step{'s' if total != 1 else ''} follow, one per "
            "op node, each passing a node's grad on to its operands.")
    if shown != total:
        text += (f"\nOnly {shown} of them are of nodes drawn here (depth-limited view); "
                 "the others are skipped, and a frame after them says what they changed.")
    return text


def _skipped_note(skipped: list[BackwardStep], nodes: list[Value], before: Mapping[Value, Any],
                  after: Mapping[Value, Any], fmt: str) -> str:
    first, last = skipped[0].index + 1, skipped[-1].index + 1
    which = f"step {first}" if first == last else f"steps {first}-{last}"
    changed = [node for node in nodes if before[node] != after[node]]
    if not changed:
        return f"({which} of {skipped[0].total}: nodes not drawn; no drawn grad changed)"
    names = ", ".join(describe_node(node, fmt) for node in changed[:4])
    more = f" and {len(changed) - 4} more" if len(changed) > 4 else ""
    return (f"({which} of {skipped[0].total}: nodes not drawn, which passed gradient to "
            f"{names}{more})")


def animate_backward(root: Value, *, fmt: str = ".4f", rankdir: str = "LR",
                     show_grad: bool = True, color_by_grad: bool = False,
                     max_nodes: int | None = DEFAULT_MAX_ANIMATED_NODES,
                     depth: int | None = None,
                     max_width: float | None = DEFAULT_MAX_WIDTH) -> BackwardAnimation:
    """Draw every step of ``root.backward()`` as a frame; display inline or ``save`` as HTML.

    The first frame is the start: the root's grad 1, every other grad 0. Then each frame
    shows the graph with the grads as they stand after one step, the node passing its
    gradient in red (with its op and the edges the gradient flows back along) and the
    operands receiving it in blue, under the step in words. With ``depth``, only the steps
    of nodes drawn get frames; a caption says which steps were skipped and which drawn grads
    they changed, and a last frame shows the grads at the end if skipped steps changed them.
    All frames share one layout (each record is sized for the widest grad it will show), so
    nothing moves from step to step. The ``.grad`` fields are not touched (see
    ``backward_steps``). The options are those of ``draw_dot``, except that ``max_nodes``
    defaults to ``DEFAULT_MAX_ANIMATED_NODES`` (100): every step is a drawing of the whole
    graph. Raises ``DotNotFoundError`` when nothing can render.

    Typical use, in a notebook cell or a script::

        animate_backward(loss)                        # a viewer, inline in Jupyter
        animate_backward(loss).save("backward.html")  # one page that opens in any browser
    """
    nodes, cut = _collect_checked(root, rankdir, fmt, max_nodes, depth)
    _check_max_width(max_width)
    steps = list(backward_steps(root))
    if not steps:
        raise ValueError("animate_backward: root is a leaf, so backward() has no steps to show")
    drawn = set(nodes)
    start = {node: 1.0 if node is root else 0.0 for node in nodes}

    # (grads, the step shown or None, caption) for every frame
    frames: list[tuple[Mapping[Value, Any], BackwardStep | None, str]] = []
    shown = [step for step in steps if step.node in drawn]
    frames.append((start, None, _start_caption(root, len(steps), len(shown), fmt)))
    skipped: list[BackwardStep] = []
    before: Mapping[Value, Any] = start
    for step in steps:
        if step.node not in drawn:
            skipped.append(step)
            continue
        caption = step.describe(fmt)
        if skipped:
            after_skip = skipped[-1].grads
            caption = _skipped_note(skipped, nodes, before, after_skip, fmt) + "\n" + caption
            skipped = []
        frames.append((step.grads, step, caption))
        before = step.grads
    if skipped:
        end = skipped[-1].grads
        if any(before[node] != end[node] for node in nodes):
            frames.append((end, None, "end: " + _skipped_note(skipped, nodes, before, end, fmt)
                           + "\nthe grads of the nodes drawn are final"))

    options: dict[str, Any] = {"format": "svg", "show_grad": show_grad, "fmt": fmt,
                               "color_by_grad": color_by_grad, "max_width": max_width}
    widest = {node: max((_number(grads[node], fmt) for grads, _, _ in frames), key=len)
              for node in nodes}
    fields = {node: _fields(node, fmt, show_grad, widest[node]) for node in nodes}
    layout = _choose_layout(nodes, cut, fields, rankdir, max_width)
    sizing = _build(root, nodes, cut, colors={}, grads=None, grad_texts=widest, layout=layout,
                    **options)
    sizes = _record_sizes(render_source(sizing.source, "plain").decode("utf-8"), nodes)
    sources = []
    for grads, current, _ in frames:
        colors = {current.node: HIGHLIGHT_COLOR} if current is not None else {}
        outlines = dict.fromkeys(current.operands, RECEIVER_COLOR) if current is not None else {}
        sources.append(_build(root, nodes, cut, colors=colors, outlines=outlines,
                              grads=grads, sizes=sizes, layout=layout, **options).source)
    return BackwardAnimation(shown, _svgs(sources), [caption for _, _, caption in frames],
                             [step for _, step, _ in frames])


def _record_sizes(plain: str, nodes: list[Value]) -> dict[Value, tuple[str, str]]:
    """Width and height (inches) of each record, from Graphviz's ``plain`` output."""
    by_id = {f"n{i}": node for i, node in enumerate(nodes)}
    sizes = {}
    for line in plain.splitlines():
        fields = line.split(maxsplit=6)
        if fields[0] == "node" and fields[1] in by_id:
            sizes[by_id[fields[1]]] = (fields[4], fields[5])
    return sizes
