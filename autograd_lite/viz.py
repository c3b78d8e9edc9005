"""Draw computation graphs with Graphviz, and watch backpropagation step by step.

``draw_dot(root)`` returns a ``graphviz.Digraph`` in the look of micrograd's trace_graph
notebook: a record per Value (label, data, grad) and a small oval per op feeding it, with the
constants of an op (the 2 in ``x * 2``) as small plain nodes. In Jupyter a Digraph displays
inline; ``render(root, "graph.svg")`` writes SVG, PNG or PDF; ``show(root)`` renders at once
and displays inline. ``animate_backward(root)`` draws one frame per step of ``backward()``
and puts them in one self-contained HTML page with a slider.

The DOT source (``dot_source(root)``) needs only the ``graphviz`` Python package; rendering
needs Graphviz's ``dot`` program (``sudo apt-get install graphviz``, ``brew install graphviz``
or ``conda install -c conda-forge graphviz``), and raises ``DotNotFoundError`` without it.

>>> from autograd_lite import Value
>>> x = Value(0.5, label="x")
>>> y = (x * 3).tanh(); y.label = "y"
>>> y.backward()
>>> print(dot_source(y, fmt=".2f"))  # doctest: +NORMALIZE_WHITESPACE
digraph {
    graph [rankdir=LR]
    node [fontsize=12]
    n2 [label="{ x | data 0.50 | grad 0.54 }" shape=record]
    n1 [label="{ data 1.50 | grad 0.18 }" shape=record]
    n1op [label="*" fontsize=11 height=0.3 margin="0.04,0.02" shape=ellipse width=0.3]
    n1op -> n1
    n2 -> n1op
    n1c1 [label=3 fontcolor="#555555" fontsize=10 shape=plaintext]
    n1c1 -> n1op [color="#888888"]
    n0 [label="{ y | data 0.91 | grad 1.00 }" shape=record]
    n0op [label=tanh fontsize=11 height=0.3 margin="0.04,0.02" shape=ellipse width=0.3]
    n0op -> n0
    n1 -> n0op
}
"""

from __future__ import annotations

import hashlib
import html
import math
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import graphviz

from .engine import OPS, Value, format_op, value_of
from .stepthrough import BackwardStep, GradientFlow, GradSnapshot, backward_steps

__all__ = [
    "draw_dot", "dot_source", "render", "show", "Drawing",
    "animate_backward", "BackwardAnimation",
    "backward_steps", "BackwardStep", "GradientFlow", "GradSnapshot",
    "GraphTooLargeError", "DotNotFoundError", "DEFAULT_MAX_NODES", "DEFAULT_MAX_ANIMATED_NODES",
    "HIGHLIGHT_COLOR", "RECEIVER_COLOR",
]

DEFAULT_MAX_NODES = 500
"""``draw_dot`` refuses graphs with more Values than this: Graphviz needs minutes for tens of
thousands of nodes, and nobody can read such a drawing anyway."""

DEFAULT_MAX_ANIMATED_NODES = 100
"""``animate_backward`` refuses graphs with more Values than this: it draws the graph once
per step, so its time and the page's size grow with the square of the graph's size."""

HIGHLIGHT_COLOR = "#e03131"  # red: highlighted nodes; in a step, the node passing its grad
RECEIVER_COLOR = "#1c7ed6"  # blue: in a step, the operands receiving gradient

_RANKDIRS = ("LR", "TB", "RL", "BT")
_FILE_FORMATS = ("svg", "png", "pdf")
_OPERAND_NAMES = "abcdefgh"


class GraphTooLargeError(ValueError):
    """The graph has more Value nodes than ``max_nodes``; draw less of it or raise the limit."""


class DotNotFoundError(RuntimeError):
    """Graphviz's ``dot`` program, needed to render, is not installed (or not on ``PATH``)."""


_DOT_MISSING = """\
rendering needs Graphviz's `dot` program, which was not found on PATH.
Install Graphviz (the Python package `graphviz` alone is not enough):
    sudo apt-get install graphviz           # Debian, Ubuntu
    brew install graphviz                   # macOS
    conda install -c conda-forge graphviz   # conda
then restart Python (or the Jupyter kernel). The DOT source needs no `dot`: \
draw_dot(root).source"""


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
    return format(value_of(x), fmt)


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


def draw_dot(root: Value, format: str = "svg", rankdir: str = "LR", *,
             show_grad: bool = True, fmt: str = ".4f", color_by_grad: bool = False,
             highlight: Iterable[Value] | Mapping[Value, str] = (),
             max_nodes: int | None = DEFAULT_MAX_NODES, depth: int | None = None,
             grads: Mapping[Value, float] | None = None) -> graphviz.Digraph:
    """The graph that produced ``root``, as a ``graphviz.Digraph`` (micrograd's look).

    Each Value is a record ``label | data | grad`` (the label only when set); each op is a
    small oval feeding its result, with plain-number operands (the 2 in ``x * 2``) as small
    plain nodes. When operand order matters (``-``, ``/``, ``**``) the oval reads ``a - b``
    and the edges are named ``a`` and ``b``.

    Options:

    * ``format``: the output format of the Digraph's own ``render``/``pipe`` (``"svg"``,
      ``"png"``, ...); ``rankdir``: ``"LR"`` (left to right), ``"TB"``, ``"RL"`` or ``"BT"``.
    * ``show_grad``: show each node's grad (default True); ``fmt``: number format, e.g.
      ``".4f"`` (default) or ``".3g"``.
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

    The result displays inline in Jupyter and renders with ``render``/``pipe`` (which need
    Graphviz's ``dot`` program); its ``.source`` never does.

    >>> from autograd_lite import Value
    >>> x = Value(3.0, label="x")
    >>> dot = draw_dot(x - 1, show_grad=False, fmt=".1f")
    >>> print(dot.source)  # doctest: +NORMALIZE_WHITESPACE
    digraph {
        graph [rankdir=LR]
        node [fontsize=12]
        n1 [label="{ x | data 3.0 }" shape=record]
        n0 [label="{ data 2.0 }" shape=record]
        n0op [label="a - b" fontsize=11 height=0.3 margin="0.04,0.02" shape=ellipse width=0.3]
        n0op -> n0
        n1 -> n0op [label=a fontsize=9]
        n0c1 [label=1 fontcolor="#555555" fontsize=10 shape=plaintext]
        n0c1 -> n0op [label=b color="#888888" fontsize=9]
    }
    """
    nodes, cut = _collect_checked(root, rankdir, fmt, max_nodes, depth)
    return _build(root, nodes, cut, format=format, rankdir=rankdir, show_grad=show_grad,
                  fmt=fmt, color_by_grad=color_by_grad, colors=_highlights(highlight),
                  grads=grads)


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


def _build(root: Value, nodes: list[Value], cut: set[Value], *, format: str, rankdir: str,
           show_grad: bool, fmt: str, color_by_grad: bool, colors: Mapping[Value, str],
           grads: Mapping[Value, float] | None,
           outlines: Mapping[Value, str] | None = None,
           grad_texts: Mapping[Value, str] | None = None,
           sizes: Mapping[Value, tuple[str, str]] | None = None) -> graphviz.Digraph:
    """The Digraph of ``nodes``. ``colors`` outline records and colour their op and its
    input edges; ``outlines`` colour the records alone. ``grad_texts`` replaces the formatted
    grads and ``sizes`` fixes the size of records (for animations, whose frames must share
    one layout)."""
    ids = {node: f"n{i}" for i, node in enumerate(nodes)}

    def grad_of(node: Value) -> Any:
        return grads.get(node, node.grad) if grads is not None else node.grad

    fills = _grad_fills(nodes, grad_of) if color_by_grad else {}
    # In LR and RL a record's top level runs vertically; braces turn it into one row.
    row = "{{ {} }}" if rankdir in ("LR", "RL") else "{}"

    dot = graphviz.Digraph(format=format, graph_attr={"rankdir": rankdir},
                           node_attr={"fontsize": "12"})
    # Inputs first: Graphviz keeps declaration order where it can, so operands read in order.
    for node in reversed(nodes):
        nid = ids[node]
        fields = [_record_text(node.label)] if node.label else []
        fields.append(f"data {_number(node.data, fmt)}")
        if show_grad:
            text = grad_texts[node] if grad_texts is not None else _number(grad_of(node), fmt)
            fields.append(f"grad {text}")
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
        dot.node(nid, row.format(" | ".join(fields)), **attrs)
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
                cid = f"{nid}c{position}"
                dot.node(cid, _plain_text(f"{operand:g}"), shape="plaintext",
                         fontsize="10", fontcolor="#555555")
                dot.edge(cid, f"{nid}op", **{"color": "#888888", **edge_attrs})
    return dot


def dot_source(root: Value, **draw_options: Any) -> str:
    """The DOT source of ``draw_dot(root, **draw_options)``; needs no Graphviz program.

    >>> from autograd_lite import Value
    >>> "data 2.0000" in dot_source(Value(2.0) * 3)
    True
    """
    return draw_dot(root, **draw_options).source


# ---------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------

def _pipe(source: str, fmt: str) -> bytes:
    # graphviz.pipe hands the whole input over at once; Digraph.pipe streams it line by line
    # and can deadlock when dot writes a large output (several graphs) before reading it all.
    try:
        return graphviz.pipe("dot", fmt, source.encode("utf-8"))
    except graphviz.ExecutableNotFound:
        raise DotNotFoundError(_DOT_MISSING) from None


_SVG_CLUTTER = re.compile(
    r"<\?xml[^>]*\?>\s*|<!DOCTYPE[^>]*>\s*|<!--.*?-->\s*|<title>[^<]*</title>\s*"
    r'| id="[^"]*graph\d+"',
    re.S,
)


def _svgs(sources: list[str]) -> list[str]:
    """Render DOT sources to SVG with one run of ``dot``, without the XML prologue, comments
    and tooltips (they only add size), and with ``data-g`` keys instead of ids (which would
    repeat when several drawings share a page)."""
    text = _pipe("\n".join(sources), "svg").decode("utf-8")
    svgs = []
    for svg in re.findall(r"<svg\b.*?</svg>", text, re.S):
        svg = _SVG_CLUTTER.sub("", svg)
        svgs.append(re.sub(r' id="((?:node|edge)\d+)"', r' data-g="\1"', svg))
    if len(svgs) != len(sources):  # pragma: no cover - would be a Graphviz change
        raise RuntimeError(f"expected {len(sources)} SVG drawings from dot, got {len(svgs)}")
    return svgs


def render(root: Value, path: str | Path, **draw_options: Any) -> Path:
    """Write the drawing of ``root``'s graph to ``path``: SVG, PNG or PDF by its extension.

    ``draw_options`` are those of ``draw_dot`` (``fmt``, ``show_grad``, ``highlight``, ...).
    Returns the path. Raises ``DotNotFoundError`` when Graphviz's ``dot`` is not installed.

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
    data = _pipe(draw_dot(root, **draw_options).source, ext)
    path.write_bytes(data)
    return path


class Drawing:
    """A rendered drawing: SVG text that Jupyter displays inline (made by ``show``).

    ``svg`` is the SVG image, ``source`` the DOT source it was rendered from.
    """

    def __init__(self, svg: str, source: str) -> None:
        self.svg = svg
        self.source = source

    def _repr_svg_(self) -> str:
        return self.svg

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
    of ``draw_dot``. Raises ``DotNotFoundError`` at once when ``dot`` is missing, rather than
    failing later inside the notebook's display machinery.
    """
    graph = draw_dot(root, **draw_options)
    return Drawing(_svgs([graph.source])[0], graph.source)


# ---------------------------------------------------------------------------------------------
# Step-through animation
# ---------------------------------------------------------------------------------------------

class BackwardAnimation:
    """The steps of ``backward()`` as frames: a slider in Jupyter, or a page via ``save``.

    ``steps`` are the ``BackwardStep`` objects, ``frames`` one SVG drawing per step (the
    node passing its gradient in red, the operands receiving it in blue, every grad as of
    the end of that step) and ``captions`` the steps in words.
    """

    def __init__(self, steps: list[BackwardStep], frames: list[str], captions: list[str]
                 ) -> None:
        self.steps = steps
        self.frames = frames
        self.captions = captions

    def __len__(self) -> int:
        return len(self.frames)

    def to_html(self) -> str:
        """An HTML fragment (a ``<div>`` with its own script) showing the frames.

        The first frame is inline SVG, visible even where scripts do not run. The frames
        share one layout, so each is stored as a ``<template>`` holding only the nodes and
        edges that differ from the frame before: the page stays small.
        """
        digest = hashlib.sha1("".join(self.frames).encode("utf-8")).hexdigest()[:12]
        uid = f"agl-{digest}"
        first = self.frames[0]
        parts = [f'<div class="agl-backward" id="{uid}" tabindex="0" '
                 'style="font-family:sans-serif;outline:none">',
                 _CONTROLS.format(n=len(self.frames), current=HIGHLIGHT_COLOR,
                                  receiver=RECEIVER_COLOR),
                 f'<pre class="agl-caption" style="margin:4px 0">'
                 f"{html.escape(self.captions[0])}</pre>",
                 f'<div class="agl-graph" style="overflow:auto">{first}</div>']
        for i, (svg, caption) in enumerate(zip(self.frames, self.captions, strict=True)):
            patch = _patch(self.frames[i - 1] if i else first, svg)
            parts.append(f'<template class="agl-frame"><pre>{html.escape(caption)}</pre>'
                         f"{patch}</template>")
        parts.append(f"<script>{_SCRIPT.replace('__ID__', uid)}</script></div>")
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
        return f"<BackwardAnimation: {len(self.frames)} steps>"


_GROUP = re.compile(r'<g data-g="(\w+)" class="\w+">(.*?)</g>', re.S)


def _patch(previous: str, svg: str) -> str:
    """``svg`` as the groups (nodes and edges) that differ from ``previous``, inside an
    ``<svg>`` so that a browser parses them as SVG; the whole ``svg`` if the layouts differ."""
    if _GROUP.sub("", previous) != _GROUP.sub("", svg):
        return svg.replace("<svg", '<svg data-full="1"', 1)
    before = dict(_GROUP.findall(previous))
    changed = [m.group(0) for m in _GROUP.finditer(svg) if before.get(m[1]) != m[2]]
    return "<svg>" + "".join(changed) + "</svg>"


_CONTROLS = """\
<div style="display:flex;gap:6px;align-items:center;flex-wrap:wrap">
<button type="button" class="agl-prev" title="previous step">&#9664;</button>
<input type="range" class="agl-slider" min="1" max="{n}" value="1" step="1" \
aria-label="step" style="width:240px">
<button type="button" class="agl-next" title="next step">&#9654;</button>
<button type="button" class="agl-play">play</button>
<span class="agl-counter">step 1 of {n}</span>
<span style="font-size:smaller">(<span style="color:{current}">red</span>: passes its gradient,
<span style="color:{receiver}">blue</span>: receives it)</span>
</div>"""

# Plain JavaScript, no library. The script finds its own <div> through document.currentScript,
# so the same animation shown twice in a notebook still drives the right copy. Each frame holds
# the groups that changed since the frame before; going back restarts from the first frame.
_SCRIPT = """
(function () {
  var script = document.currentScript;
  var root = script ? script.parentNode : document.getElementById("__ID__");
  if (!root) { return; }
  var frames = root.querySelectorAll("template.agl-frame");
  var graph = root.querySelector(".agl-graph");
  var caption = root.querySelector(".agl-caption");
  var slider = root.querySelector(".agl-slider");
  var counter = root.querySelector(".agl-counter");
  var play = root.querySelector(".agl-play");
  var first = graph.innerHTML, current = 0, timer = null;
  function apply(i) {
    var frame = frames[i].content;
    var full = frame.querySelector("svg[data-full]");
    if (full) { graph.innerHTML = full.outerHTML; return; }
    var groups = frame.querySelectorAll("[data-g]");
    for (var k = 0; k < groups.length; k++) {
      var key = groups[k].getAttribute("data-g");
      var target = graph.querySelector('[data-g="' + key + '"]');
      if (target) { target.innerHTML = groups[k].innerHTML; }
    }
  }
  function go(i) {
    i = Math.max(0, Math.min(frames.length - 1, i));
    var k = current;
    if (i < current) { graph.innerHTML = first; k = 0; }
    while (k < i) { k += 1; apply(k); }
    caption.textContent = frames[i].content.querySelector("pre").textContent;
    current = i;
    slider.value = i + 1;
    counter.textContent = "step " + (i + 1) + " of " + frames.length;
  }
  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; play.textContent = "play"; }
  }
  slider.addEventListener("input", function () { stop(); go(slider.value - 1); });
  function step(by) { return function () { stop(); go(current + by); }; }
  root.querySelector(".agl-prev").addEventListener("click", step(-1));
  root.querySelector(".agl-next").addEventListener("click", step(1));
  play.addEventListener("click", function () {
    if (timer !== null) { stop(); return; }
    if (current === frames.length - 1) { go(0); }
    play.textContent = "pause";
    timer = setInterval(function () {
      if (current === frames.length - 1) { stop(); } else { go(current + 1); }
    }, 900);
  });
  root.addEventListener("keydown", function (event) {
    if (event.key === "ArrowLeft") { stop(); go(current - 1); event.preventDefault(); }
    if (event.key === "ArrowRight") { stop(); go(current + 1); event.preventDefault(); }
  });
})();
"""


def animate_backward(root: Value, *, fmt: str = ".4f", rankdir: str = "LR",
                     show_grad: bool = True, color_by_grad: bool = False,
                     max_nodes: int | None = DEFAULT_MAX_ANIMATED_NODES,
                     depth: int | None = None) -> BackwardAnimation:
    """Draw every step of ``root.backward()`` as a frame; display inline or ``save`` as HTML.

    Each frame shows the graph with the grads as they stand after that step, the node
    passing its gradient in red (with its op and the edges the gradient flows back along)
    and the operands receiving it in blue, under the step in words. All frames share one
    layout (each record is sized for the widest grad it will show), so nothing moves from
    step to step. The ``.grad`` fields are not touched (see ``backward_steps``). The options
    are those of ``draw_dot``, except that ``max_nodes`` defaults to
    ``DEFAULT_MAX_ANIMATED_NODES`` (100): every step is a drawing of the whole graph. Needs
    Graphviz's ``dot`` (``DotNotFoundError`` otherwise).

    Typical use, in a notebook cell or a script::

        animate_backward(loss)                        # a slider, inline in Jupyter
        animate_backward(loss).save("backward.html")  # one page that opens in any browser
    """
    nodes, cut = _collect_checked(root, rankdir, fmt, max_nodes, depth)
    steps = list(backward_steps(root))
    if not steps:
        raise ValueError("animate_backward: root is a leaf, so backward() has no steps to show")
    options: dict[str, Any] = {"format": "svg", "rankdir": rankdir, "show_grad": show_grad,
                               "fmt": fmt, "color_by_grad": color_by_grad}
    widest = {node: max((_number(step.grads[node], fmt) for step in steps), key=len)
              for node in nodes}
    sizing = _build(root, nodes, cut, colors={}, grads=None, grad_texts=widest, **options)
    sizes = _record_sizes(_pipe(sizing.source, "plain").decode("utf-8"), nodes)
    sources = []
    for step in steps:
        sources.append(_build(root, nodes, cut, colors={step.node: HIGHLIGHT_COLOR},
                              outlines=dict.fromkeys(step.operands, RECEIVER_COLOR),
                              grads=step.grads, sizes=sizes, **options).source)
    captions = [step.describe(fmt) for step in steps]
    return BackwardAnimation(steps, _svgs(sources), captions)


def _record_sizes(plain: str, nodes: list[Value]) -> dict[Value, tuple[str, str]]:
    """Width and height (inches) of each record, from ``dot -Tplain`` output."""
    by_id = {f"n{i}": node for i, node in enumerate(nodes)}
    sizes = {}
    for line in plain.splitlines():
        fields = line.split(maxsplit=6)
        if fields[0] == "node" and fields[1] in by_id:
            sizes[by_id[fields[1]]] = (fields[4], fields[5])
    return sizes
