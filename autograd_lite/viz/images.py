"""Rendered drawings for Jupyter and files: SVG with a PNG beside it, sized for a notebook.

``ValueGraph`` is the ``graphviz.Digraph`` that ``draw_dot`` returns, rendered through
``autograd_lite.viz.renderers`` instead of a system Graphviz; ``Drawing`` is what ``show``
returns.

>>> from autograd_lite import Value
>>> from autograd_lite.viz import draw_dot
>>> draw_dot(Value(2.0) * 3)
<ValueGraph: 2 Values; display it in Jupyter or call render()>
"""

from __future__ import annotations

import os
import re
import struct
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import graphviz

from .renderers import RendererNotFoundError, render_source

_T = TypeVar("_T")

_PX_PER_INCH = 96  # CSS pixels; Graphviz's SVG is in points, 72 to the inch
_PNG_DPI = 144  # the PNG beside the SVG in notebooks: 1.5x, sharp on most screens,
_PNG_MAX_PIXELS = 1_500_000  # unless that makes more pixels than this: then 1x


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
    ``autograd_lite.viz.renderers`` (in-process with pygraphviz, or the ``dot`` program). In
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


