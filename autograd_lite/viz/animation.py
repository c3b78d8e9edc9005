"""The step-through viewer: one drawing per step of ``backward()`` in one HTML page.

``animate_backward(root)`` draws the graph once per ``BackwardStep`` and returns a
``BackwardAnimation``: a viewer with buttons, a slider, keys, zoom and pan inline in Jupyter,
or a self-contained page via ``save``.

>>> from autograd_lite import Value
>>> x = Value(2.0, label="x")
>>> viewer = animate_backward(x * 3)
>>> len(viewer.frames), len(viewer.steps)   # the start, then one frame per step
(2, 1)
"""

from __future__ import annotations

import base64
import hashlib
import html
import itertools
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..engine import Value
from .graph import (
    DEFAULT_MAX_ANIMATED_NODES,
    DEFAULT_MAX_WIDTH,
    HIGHLIGHT_COLOR,
    RECEIVER_COLOR,
    _build,
    _check_max_width,
    _choose_layout,
    _collect_checked,
    _fields,
    _number,
    _warn_if_unreadable,
)
from .images import _svgs
from .renderers import render_source
from .stepthrough import (
    BackwardStep,
    backward_steps,
    describe_node,
)


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
                 f'<div class="agl-untrusted" style="{_HINT_STYLE}">{html.escape(UNTRUSTED_HINT)}'
                 '</div>',
                 '<div class="agl-controls"></div>',
                 f'<pre class="agl-caption" style="{_CAPTION_STYLE}">'
                 f"{html.escape(self.captions[0])}</pre>",
                 '<div class="agl-graph" style="overflow:auto;max-width:100%;'
                 'max-height:80vh;cursor:grab">'
                 f'<img class="agl-still" alt="the graph before backward() starts" '
                 f'style="max-width:100%;max-height:80vh" '
                 f'src="data:image/svg+xml;base64,{still}"></div>']
        frames = []
        for i, (svg, caption) in enumerate(zip(self.frames, self.captions, strict=True)):
            patch = _patch(self.frames[i - 1], svg) if i else svg.replace(
                "<svg", '<svg data-full="1"', 1)
            frames.append({"caption": caption, "svg": patch, "counter": self._counter(i)})
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

    def _counter(self, i: int) -> str:
        """What the counter beside the slider says at frame ``i``: the step it shows."""
        step = self.frame_steps[i] if i < len(self.frame_steps) else None
        if step is not None:
            return f"step {step.index + 1} of {step.total}"
        total = self.steps[0].total if self.steps else 0
        return f"start, step 0 of {total}" if i == 0 else "end"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **_: Any
                          ) -> dict[str, str]:
        """HTML for Jupyter, and a plain-text line saying how to bring the viewer to life
        for front-ends that show no HTML."""
        bundle = {"text/html": self.to_html(),
                  "text/plain": f"{self!r}\n{UNTRUSTED_HINT}"}
        keep = set(bundle) if include is None else set(include)
        keep -= set(exclude or ())
        return {k: v for k, v in bundle.items() if k in keep}

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


UNTRUSTED_HINT = (
    "A still picture: the step-through needs its script to run. JupyterLab: Trust Notebook "
    "(command palette) or re-run this cell; classic Notebook: File > Trust Notebook; VS Code: "
    "trust the notebook or run the cell; GitHub shows a static page: open the notebook in "
    "Jupyter or Colab.")
"""The line a viewer shows where its script does not run (an untrusted notebook, GitHub)."""

_HINT_STYLE = "font-size:12px;line-height:1.35;color:#7a4b00;margin:2px 0"
# at most three lines show; the rest of a long caption folds away under "more"
_CAPTION_STYLE = ("margin:4px 0;white-space:pre-wrap;font-family:sans-serif;font-size:13px;"
                  "line-height:1.4;min-height:4.2em")  # 3 lines kept: the graph does not jump

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
    var hint = root.querySelector(".agl-untrusted");
    if (hint) { hint.parentNode.removeChild(hint); }  // the script runs: it is alive
    var graph = root.querySelector(".agl-graph");
    var caption = root.querySelector(".agl-caption");
    var controls = root.querySelector(".agl-controls");
    controls.innerHTML =
      '<div style="display:flex;gap:6px;align-items:center;flex-wrap:wrap;margin:2px 0">' +
      '<button type="button" class="agl-first" title="first frame (Home)">|&#9664;</button>' +
      '<button type="button" class="agl-prev" title="previous step (left arrow)">&#9664;</button>' +
      '<input type="range" class="agl-slider" min="0" max="' + (N - 1) + '" value="0" step="1" ' +
      'aria-label="frame" style="width:240px">' +
      '<button type="button" class="agl-next" title="next step (right arrow)">&#9654;</button>' +
      '<button type="button" class="agl-last" title="last frame (End)">&#9654;|</button>' +
      '<button type="button" class="agl-play" title="play or pause (space)">play</button>' +
      '<span class="agl-counter"></span>' +
      '<button type="button" class="agl-zoom-out" title="zoom out (-)">&minus;</button>' +
      '<button type="button" class="agl-zoom-in" title="zoom in (+)">+</button>' +
      '<button type="button" class="agl-fit" title="fit the whole graph (0)">fit</button>' +
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
    function roomHeight() {  // the viewer stays within the window: the graph gets the rest
      var top = graph.getBoundingClientRect().top - root.getBoundingClientRect().top;
      var below = document.documentElement.scrollHeight - root.getBoundingClientRect().bottom -
        window.scrollY;  // what the page has under the viewer (its margin)
      return Math.max(120, window.innerHeight - top - Math.max(0, below) - 4);
    }
    function fitZoom() {  // the whole graph in its box, both ways
      var room = graph.clientWidth || root.clientWidth, tall = roomHeight();
      graph.style.maxHeight = tall + "px";
      if (!room || !width) { return 1; }
      return Math.min(1, (room - 4) / width, (tall - 4) / height);
    }
    var open = false;  // whether the reader unfolded the rest of long captions
    function setCaption(text) {
      var lines = text.split("\n");
      caption.innerHTML = "";
      if (lines.length <= 3) { caption.textContent = text; return; }
      caption.appendChild(document.createTextNode(lines.slice(0, 2).join("\n")));
      var more = document.createElement("details");
      more.open = open;
      more.addEventListener("toggle", function () { open = more.open; });
      var summary = document.createElement("summary");
      summary.textContent = (lines.length - 2) + " more lines";
      summary.style.cursor = "pointer";
      more.appendChild(summary);
      more.appendChild(document.createTextNode(lines.slice(2).join("\n")));
      caption.appendChild(more);
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
      setCaption(frames[i].caption);
      current = i;
      slider.value = i;
      counter.textContent = frames[i].counter;
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
    slider.addEventListener("input", function () { stop(); go(parseInt(slider.value, 10)); });
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
    setCaption(frames[0].caption);  // the caption's height first: the graph gets the rest
    full(0);
    setZoom(fitZoom());
    go(0);
    window.addEventListener("resize", function () { if (fitted) { setZoom(fitZoom()); } });
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
            "op node.")
    if shown != total:
        text += (f"\nOnly {shown} of them are of nodes drawn here; the others are skipped, "
                 "and a caption says what they changed.")
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


_VIEWER_GRAPH_HEIGHT = 540  # pixels: what a 1,100 x 800 window leaves the viewer's graph


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
    # the viewer's graph box: the window's height less the caption and the controls
    layout = _choose_layout(nodes, cut, fields, rankdir, max_width, _VIEWER_GRAPH_HEIGHT)
    _warn_if_unreadable(layout, len(nodes), depth, max_width, _VIEWER_GRAPH_HEIGHT)
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
