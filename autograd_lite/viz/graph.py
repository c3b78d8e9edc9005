"""Draw a Value's graph: which nodes, how they are laid out, and the DOT source.

``draw_dot`` collects the Values to draw (breadth first, up to ``max_nodes`` or ``depth``),
writes a record per Value and an oval per op, and picks a layout that fits ``max_width``;
``render`` and ``show`` turn the drawing into a file or an inline picture.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import graphviz

from ..engine import OPS, Value, format_op, value_of
from .images import _PX_PER_INCH, Drawing, ValueGraph, _svgs
from .neurons import neuron_graph
from .renderers import render_source
from .stepthrough import (
    format_number,
)

DEFAULT_MAX_NODES = 500
"""``draw_dot`` refuses graphs with more Values than this: Graphviz needs minutes for tens of
thousands of nodes, and nobody can read such a drawing anyway."""

DEFAULT_MAX_ANIMATED_NODES = 100
"""``animate_backward`` refuses graphs with more Values than this: it draws the graph once
per step, so its time and the page's size grow with the square of the graph's size."""

DEFAULT_MAX_HEIGHT = 640
"""The tallest a drawing is made, in CSS pixels: a window 800 pixels tall, less the browser's
and the notebook's bars, shows a drawing this tall whole."""

SMALLEST_READABLE_PX = 9
"""The smallest text, in CSS pixels, that a drawing fitted to ``max_width`` x ``max_height``
may have: below it ``draw_dot`` warns (``UnreadableDrawingWarning``) and says how to draw
less."""


class UnreadableDrawingWarning(UserWarning):
    """A drawing had to be scaled down so far, to fit, that its text is too small to read."""


DEFAULT_MAX_WIDTH = 880
"""The widest a drawing is made, in CSS pixels: what a notebook shows without scrolling in a
window 1,100 pixels wide (JupyterLab's output area is about 900 pixels wide there)."""

HIGHLIGHT_COLOR = "#e03131"  # red: highlighted nodes; in a step, the node passing its grad
RECEIVER_COLOR = "#1c7ed6"  # blue: in a step, the operands receiving gradient


_RANKDIRS = ("LR", "TB", "RL", "BT")
_TURNED = {"LR": "TB", "TB": "LR", "RL": "BT", "BT": "RL"}
_FILE_FORMATS = ("svg", "png", "pdf")
_OPERAND_NAMES = "abcdefgh"


class GraphTooLargeError(ValueError):
    """The graph has more Value nodes than ``max_nodes``; draw less of it or raise the limit."""


# ---------------------------------------------------------------------------------------------
# Drawing
# ---------------------------------------------------------------------------------------------

def _collect(root: Value, max_nodes: int | None, depth: int | None
             ) -> tuple[list[Value], set[Value]]:
    """The Values to draw, in the order they are drawn (``_in_operand_order``), and those
    whose operands are cut off by ``depth``. Collects breadth first, so that ``depth`` counts
    the fewest ops to ``root``, and stops as soon as the limit is passed, so a huge graph
    costs little."""
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
    return _in_operand_order(root, cut), cut


def _in_operand_order(root: Value, cut: set[Value]) -> list[Value]:
    """The Values drawn, depth first from ``root`` with each op's operands in order, each at
    the first place it is reached: the order in which a reader meets them in the code."""
    order: list[Value] = []
    placed: set[Value] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if node in placed:
            continue
        placed.add(node)
        order.append(node)
        if node not in cut:
            stack.extend(reversed(node._prev))
    return order


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
    """A fill per node on a logarithmic scale of |grad|: white at 0, then from a light tint
    (the smallest nonzero |grad|, or a millionth of the largest) to orange (the largest).
    Gradients span decades, so a linear scale would leave almost every box white."""
    magnitudes = {node: abs(value_of(grad_of(node))) for node in nodes}
    finite = [m for m in magnitudes.values() if math.isfinite(m) and m > 0.0]
    top = max(finite, default=0.0)
    low = max(min(finite, default=0.0), top * 1e-6)
    span = math.log(top / low) if top > 0.0 and top > low else 0.0
    fills = {}
    for node, m in magnitudes.items():
        if not math.isfinite(m):
            fills[node] = "#ff8787"  # inf or nan: a warning red
        elif m == 0.0 or top == 0.0:
            fills[node] = _fill(0.0)
        else:
            t = math.log(max(m, low) / low) / span if span else 1.0
            fills[node] = _fill(0.15 + 0.85 * t)
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
    scale: float = 1.0  # estimated: how much Graphviz's size will scale the drawing down


def _field_width(text: str) -> float:
    return 16.0 + 6.6 * len(text)


def _estimated_size(nodes: list[Value], cut: set[Value], fields: Mapping[Value, list[str]],
                    layout: _Layout) -> tuple[float, float]:
    """The drawing's estimated width and height in points, from the ranks Graphviz will use:
    along the rank direction the ranks add up, across it the nodes of one rank do."""
    rank: dict[Value, int] = {nodes[0]: 0}
    extents: dict[int, list[tuple[float, float]]] = {}  # rank -> (along, across) per node
    along_ranks = layout.rankdir in ("LR", "RL")

    def place(r: int, width: float, height: float) -> None:
        extents.setdefault(r, []).append((width, height) if along_ranks else (height, width))

    for node in sorted(nodes, key=lambda n: -n._depth):  # consumers before their operands
        r = rank[node]
        widths = [_field_width(t) for t in fields[node]]
        if layout.stacked:
            place(r, max(54.0, max(widths)), 10.0 + 17.0 * len(widths))
        else:
            place(r, max(54.0, sum(widths)), 36.0)
        if not node._op:
            continue
        label, _ = _op_label(node, len(node._operands))
        place(r + 1, max(21.6, 17.0 + 7.0 * (len(label) + 4 * (node in cut))), 21.6)
        if node in cut:
            continue
        for operand in node._operands:
            if isinstance(operand, Value):
                rank[operand] = max(rank.get(operand, 0), r + 2)
            else:  # beside the op's other operands, on their rank
                place(r + 2, max(21.6, 10.0 + 6.0 * len(f"{operand:g}")), 14.4)
    # along: the ranks in a row, with Graphviz's ranksep between them; across: one rank's
    # nodes side by side, with its nodesep between them
    along = sum(max(a for a, _ in sizes) for sizes in extents.values()) \
        + 36.0 * (len(extents) - 1) + 8.0
    across = max(sum(c for _, c in sizes) + 18.0 * (len(sizes) - 1)
                 for sizes in extents.values()) + 8.0
    return (along, across) if along_ranks else (across, along)


def _choose_layout(nodes: list[Value], cut: set[Value], fields: Mapping[Value, list[str]],
                   rankdir: str, max_width: float | None, max_height: float | None = None
                   ) -> _Layout:
    """``rankdir`` with records in a row when that fits ``max_width`` x ``max_height``
    (pixels); else stacked records; else the other direction (LR <-> TB) with stacked records;
    else whichever of them is scaled down least to fit."""
    asked = _Layout(rankdir, False, 1.0)
    if max_width is None:
        return asked
    width_limit = max_width * 72 / _PX_PER_INCH
    height_limit = math.inf if max_height is None else max_height * 72 / _PX_PER_INCH
    best = asked._replace(scale=0.0)
    for stacked, direction in ((False, rankdir), (True, rankdir), (True, _TURNED[rankdir])):
        width, height = _estimated_size(nodes, cut, fields, _Layout(direction, stacked, 1.0))
        scale = min(1.0, width_limit / width, height_limit / height)
        if scale >= 1.0:
            return _Layout(direction, stacked, 1.0)
        if scale > best.scale * 1.1:  # estimates are rough: keep the earlier unless clearly better
            best = _Layout(direction, stacked, scale)
    return best


def _fields(node: Value, fmt: str, show_grad: bool, grad_text: str) -> list[str]:
    fields = [node.label] if node.label else []
    fields.append(f"data {_number(node.data, fmt)}")
    if show_grad:
        fields.append(f"grad {grad_text}")
    return fields


def _check_max_width(max_width: float | None, name: str = "max_width") -> None:
    if max_width is not None and (isinstance(max_width, bool) or
                                  not isinstance(max_width, int | float) or max_width <= 0):
        raise ValueError(f"{name} must be a positive number of pixels (or None), "
                         f"got {max_width!r}")


def draw_dot(root: Value, format: str = "svg", rankdir: str = "LR", *,
             show_grad: bool = True, fmt: str = ".4f", color_by_grad: bool = False,
             highlight: Iterable[Value] | Mapping[Value, str] = (),
             max_nodes: int | None = DEFAULT_MAX_NODES, depth: int | None = None,
             grads: Mapping[Value, float] | None = None,
             max_width: float | None = DEFAULT_MAX_WIDTH,
             max_height: float | None = DEFAULT_MAX_HEIGHT,
             level: str = "op") -> ValueGraph:
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
      in the drawing), on a logarithmic scale; an infinite or NaN grad is red.
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
    * ``max_height``: the tallest the drawing may be, in pixels (default
      ``DEFAULT_MAX_HEIGHT``, 640), fitted together with ``max_width``, so that the whole
      drawing shows in a window of 1,100 x 800 pixels; ``None``: fit the width only. When the
      drawing fits only with text smaller than ``SMALLEST_READABLE_PX`` (9 px), an
      ``UnreadableDrawingWarning`` says how to draw less (``depth=``, a part of the graph).
    * ``level``: ``"op"`` (default) draws every Value and op; ``"neuron"`` draws a network
      made with ``nn`` one box per neuron (its label, data and grad), with an edge from each
      of its inputs, for models too big to draw op by op (see ``autograd_lite.viz.neurons``).

    The result is a ``ValueGraph``, a ``graphviz.Digraph`` whose inline display, ``pipe``
    and ``render`` work with no system Graphviz (see ``autograd_lite.viz.renderers``); its
    ``.source`` needs no renderer at all.

    >>> from autograd_lite import Value
    >>> x = Value(3.0, label="x")
    >>> dot = draw_dot(x - 1, show_grad=False, fmt=".1f", max_width=None)
    >>> print(dot.source)  # doctest: +NORMALIZE_WHITESPACE
    digraph {
        graph [ordering=in rankdir=LR]
        node [fontsize=12]
        n0 [label="{ data 2.0 }" shape=record]
        n0op [label="a - b" fontsize=11 height=0.3 margin="0.04,0.02" shape=ellipse width=0.3]
        n0op -> n0
        n1 -> n0op [label=a fontsize=10]
        n0c1 [label=1 fontcolor="#555555" fontsize=10 height=0.2 shape=plaintext width=0.3]
        n0c1 -> n0op [label=b color="#888888" fontsize=10]
        n1 [label="{ x | data 3.0 }" shape=record]
    }
    """
    if level not in ("op", "neuron"):
        raise ValueError(f"draw_dot: level must be 'op' or 'neuron', got {level!r}")
    nodes, cut = _collect_checked(root, rankdir, fmt, max_nodes if level == "op" else None,
                                  depth)
    _check_max_width(max_width)

    def grad_of(node: Value) -> Any:
        return grads.get(node, node.grad) if grads is not None else node.grad

    if level == "neuron":
        _check_max_width(max_height, "max_height")
        return neuron_graph(root, fmt=fmt, show_grad=show_grad, rankdir=rankdir,
                            max_width=max_width, max_height=max_height, grad_of=grad_of)
    fields = {node: _fields(node, fmt, show_grad, _number(grad_of(node), fmt))
              for node in nodes}
    _check_max_width(max_height, "max_height")
    layout = _choose_layout(nodes, cut, fields, rankdir, max_width, max_height)
    _warn_if_unreadable(layout, len(nodes), depth, max_width, max_height)
    return _build(root, nodes, cut, format=format, layout=layout, max_width=max_width,
                  max_height=max_height, show_grad=show_grad, fmt=fmt,
                  color_by_grad=color_by_grad, colors=_highlights(highlight), grads=grads)


_SMALLEST_FONT_PT = 10  # edge labels and constants; records are 12 pt, ops 11 pt


def _warn_if_unreadable(layout: _Layout, n_values: int, depth: int | None,
                        max_width: float | None, max_height: float | None) -> None:
    smallest_px = _SMALLEST_FONT_PT * _PX_PER_INCH / 72 * layout.scale
    if smallest_px >= SMALLEST_READABLE_PX - 1e-9:
        return
    less = f"depth={max(1, depth - 1)}" if depth is not None and depth > 1 else "depth=3"
    warnings.warn(
        f"draw_dot: {n_values} Values fit "
        f"{f'{max_width} x {max_height} px' if max_height else f'{max_width} px wide'} only at "
        f"{layout.scale:.0%} of full size (text about {smallest_px:.0f} px); to read it, draw "
        f"less ({less}, or draw a part of the graph) or pass max_width=None, "
        "max_height=None for full size", UnreadableDrawingWarning, stacklevel=3)


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
           sizes: Mapping[Value, tuple[str, str]] | None = None,
           max_height: float | None = None) -> ValueGraph:
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

    # The drawing reads like the code: ``nodes`` come depth first from the root with each
    # op's operands in order, Graphviz keeps the declaration order within a rank where it
    # can, and ordering=in makes it keep the edges into each op in operand order (a above b
    # in a left-to-right layout, a left of b top to bottom).
    graph_attr = {"rankdir": layout.rankdir, "ordering": "in"}
    if max_width is not None:  # only ever scales down, never up
        inches_high = 1000.0 if max_height is None else max_height / _PX_PER_INCH
        graph_attr["size"] = f"{max_width / _PX_PER_INCH:.4g},{inches_high:.4g}"
    dot = ValueGraph(format=format, graph_attr=graph_attr, node_attr={"fontsize": "12"})
    for node in nodes:
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
                edge_attrs.update(label=_OPERAND_NAMES[position % 8], fontsize="10")
            if isinstance(operand, Value):
                dot.edge(ids[operand], f"{nid}op", **edge_attrs)
            else:
                # A constant is drawn like an operand, a small plain number beside the
                # op's other operands, so it keeps its place in the operand order.
                cid = f"{nid}c{position}"
                dot.node(cid, _plain_text(format_number(operand, "g")), shape="plaintext",
                         fontsize="10", fontcolor="#555555", width="0.3", height="0.2")
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


def render(root: Value, path: str | Path, **draw_options: Any) -> Path:
    """Write the drawing of ``root``'s graph to ``path``: SVG, PNG or PDF by its extension.

    ``draw_options`` are those of ``draw_dot`` (``fmt``, ``show_grad``, ``highlight``, ...).
    Returns the path. Raises ``DotNotFoundError`` when nothing can render (see
    ``autograd_lite.viz.renderers``).

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


def show(root: Value, **draw_options: Any) -> Drawing:
    """Render ``root``'s graph now and return it for inline display in Jupyter.

    ``show(loss)`` as the last line of a cell displays the graph; ``draw_options`` are those
    of ``draw_dot``. Raises ``DotNotFoundError`` at once when nothing can render, rather
    than failing later inside the notebook's display machinery.
    """
    graph = draw_dot(root, **draw_options)
    return Drawing(_svgs([graph.source])[0], graph.source)


