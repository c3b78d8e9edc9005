"""Sphinx configuration of the autograd-lite documentation.

Build it from the repository root, offline and with warnings as errors, with the command in
CONTRIBUTING.md ("Documentation"): ``sphinx-build -W --keep-going -b html docs docs/_build/html``
in a virtual environment with the ``docs`` extra.

Two folders of sources are generated here at every build, and git-ignored:

* ``notebooks/``: a copy of every ``../notebooks/*.ipynb``, rendered from the outputs they were
  committed with (never executed here);
* ``api/``: one page per public module of ``autograd_lite`` and ``nn``, each listing the
  module's public names (its ``__all__``) for autodoc;
* ``_generated/``: the drawings (SVG) and the step-through viewer (HTML) that the guides and
  the landing page show, made here from the code in ``_pictures()`` below with the code as it
  is, so they never go stale.

Each notebook's page opens with a link to download it and, when ``pyproject.toml`` names the
repository (``[project.urls]``, ``Repository`` or ``Source``), a link that opens it in Colab.
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import re
import tomllib
from pathlib import Path
from types import ModuleType

import autograd_lite

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
PACKAGES = ("autograd_lite", "nn")

project = "autograd-lite"
author = "autograd-lite developers"
copyright = "autograd-lite developers"
release = version = autograd_lite.__version__

extensions = [
    "myst_nb",  # Markdown pages and notebooks (it brings myst_parser)
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.viewcode",
    "sphinx-mathjax-offline",  # copies MathJax 3 into _static: math renders with no network
    "sphinx_copybutton",  # a copy button on every code block
]
# copy the code, not the prompts or the printed results of a pycon block
copybutton_exclude = ".linenos, .gp, .go"
html_static_path = ["_static"]
html_css_files = ["viewer.css"]  # the step-through viewer's captions in the theme
mathjax_path = "mathjax/tex-chtml.js"  # the copy above, not a CDN

exclude_patterns = ["_build", "**/.ipynb_checkpoints", "_generated"]
html_theme = "furo"
html_title = f"autograd-lite {release}"

myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
nb_execution_mode = "off"  # notebooks show the outputs they were committed with
nb_merge_streams = True

# The docstring of autograd_lite.viz.draw_dot writes |grad| (an absolute value) bare, which reST
# takes for a substitution; show it as written until that docstring quotes it (``|grad|``).
rst_prolog = r".. |grad| replace:: \|grad\|"

autodoc_member_order = "bysource"  # a module's __all__ order, a class's source order
autodoc_preserve_defaults = True
add_module_names = False
autosummary_generate = False  # the API pages are written below, from each module's __all__


def _write_folder(folder: Path, files: dict[str, bytes]) -> None:
    """Make ``folder`` hold exactly ``files``, rewriting only what changed.

    Unchanged files keep their modification time, so incremental builds stay incremental;
    files that no longer have a source (a notebook removed, say) are deleted.
    """
    folder.mkdir(exist_ok=True)
    for stale in folder.iterdir():
        if stale.name not in files:
            stale.unlink()
    for name, content in files.items():
        path = folder / name
        if not path.exists() or path.read_bytes() != content:
            path.write_bytes(content)


# --- notebooks ---------------------------------------------------------------------------------

def _repository() -> str | None:
    """The repository's GitHub address (``owner/name``) from ``pyproject.toml``, if named."""
    urls = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"].get("urls", {})
    for key in ("Repository", "Source", "Homepage"):
        url = urls.get(key, "")
        if url.startswith("https://github.com/"):
            return url.removeprefix("https://github.com/").strip("/").removesuffix(".git")
    return None


def _with_links(path: Path) -> bytes:
    """The notebook with a first markdown cell linking to its file and, if known, to Colab."""
    notebook = json.loads(path.read_text())
    links = [f"{{download}}`Download this notebook <{path.name}>`"]
    repository = _repository()
    if repository:
        links.append(f"[Open it in Colab](https://colab.research.google.com/github/"
                     f"{repository}/blob/main/notebooks/{path.name})")
    cell = {"cell_type": "markdown", "id": "docs-links", "metadata": {},
            "source": [" · ".join(links) + "\n"]}
    # after the title cell, so that the page's title stays the notebook's own
    notebook["cells"].insert(1, cell)
    return json.dumps(notebook, indent=1, ensure_ascii=False).encode()


_write_folder(DOCS / "notebooks",
              {path.name: _with_links(path) for path in sorted(ROOT.glob("notebooks/*.ipynb"))})


# --- pictures ----------------------------------------------------------------------------------

def _pictures() -> dict[str, bytes]:
    """The drawings and the viewer the pages show: a neuron, Mazur's network, and an MLP."""
    from autograd_lite import Value
    from autograd_lite.viz import animate_backward, draw_dot
    from nn import MLP

    x, w, b = Value(0.5, label="x"), Value(-1.5, label="w"), Value(0.2, label="b")
    n = (w * x + b).tanh()
    n.label = "n"
    n.backward()
    model = MLP(2, [16, 16, 1], seed=0)
    score = model([0.5, -1.0])
    score.backward()
    return {
        "neuron.svg": draw_dot(n, fmt=".3f").pipe(format="svg"),
        "neuron-grads.svg": draw_dot(n, fmt=".3f", color_by_grad=True).pipe(format="svg"),
        "mlp-depth-3.svg": draw_dot(score, depth=3, fmt=".3f").pipe(format="svg"),
        "neuron-viewer.html": animate_backward(n, fmt=".3f").to_html().encode(),
    }


_write_folder(DOCS / "_generated", _pictures())


# --- API reference -----------------------------------------------------------------------------

def _public_modules() -> list[ModuleType]:
    """Each package, then its public submodules (no ``_private`` ones, no ``__main__``)."""
    modules = []
    for package_name in PACKAGES:
        package = importlib.import_module(package_name)
        names = sorted(info.name for info in pkgutil.walk_packages(package.__path__,
                                                                     f"{package_name}.")
                       if not any(part.startswith("_") for part in info.name.split(".")))
        modules += [package, *map(importlib.import_module, names)]
    return modules


def _public_names(module: ModuleType) -> list[str]:
    """``__all__``, or else the public names the module defines itself."""
    if hasattr(module, "__all__"):
        return list(module.__all__)
    return [name for name, obj in vars(module).items()
            if not name.startswith("_") and getattr(obj, "__module__", None) == module.__name__]


def _is_shared(obj: object) -> bool:
    """Classes and functions can be exported by several modules; data is each module's own."""
    return inspect.isclass(obj) or inspect.isroutine(obj)


def _homes(modules: list[ModuleType]) -> dict[int, str]:
    """The one module whose page documents each shared object: the package, when it exports
    the object (that is where users import it from); else the module that defines it; else the
    first module that exports it."""
    exporters: dict[int, list[str]] = {}
    objects: dict[int, object] = {}
    for module in modules:
        for name in _public_names(module):
            obj = getattr(module, name)
            if _is_shared(obj):
                exporters.setdefault(id(obj), []).append(module.__name__)
                objects[id(obj)] = obj
    homes = {}
    for key, names in exporters.items():
        defined_in = getattr(objects[key], "__module__", None) or ""
        # the outermost package that exports it (where users import it from), else the
        # module that defines it, else the first that exports it
        packages = [n for n in names if defined_in.startswith(n + ".")]
        homes[key] = (min(packages, key=len) if packages
                      else defined_in if defined_in in names else names[0])
    return homes


def _directive(obj: object) -> str:
    if inspect.isclass(obj):
        return "autoexception" if issubclass(obj, BaseException) else "autoclass"
    if inspect.isroutine(obj):
        return "autofunction"
    return "autodata"


def _module_page(module: ModuleType, homes: dict[int, str]) -> str:
    name = module.__name__
    lines = [name, "=" * len(name), "", f".. automodule:: {name}", ""]
    public = _public_names(module)
    if public:
        lines += [".. autosummary::", "   :nosignatures:", ""]
        for member in public:
            obj = getattr(module, member)
            home = homes[id(obj)] if _is_shared(obj) else name
            # an alias (viz.DotNotFoundError) links to the object under its own name
            real = getattr(obj, "__name__", member) if _is_shared(obj) else member
            lines.append(f"   {member}" if home == name else f"   ~{home}.{real}")
        lines.append("")
    for member in public:
        obj = getattr(module, member)
        if _is_shared(obj) and homes[id(obj)] != name:
            continue  # documented on its home page; the table above links there
        directive = _directive(obj)
        lines.append(f".. {directive}:: {name}.{member}")
        if directive in ("autoclass", "autoexception"):
            lines.append("   :members:")
            if obj.__bases__ != (object,):
                lines.append("   :show-inheritance:")
        elif directive == "autodata" and not isinstance(obj, int | float | str):
            lines.append("   :no-value:")  # a table's repr is long and names memory addresses
        lines.append("")
    return "\n".join(lines)


def _drop_docstrings_of_types(app, what, name, obj, options, lines) -> None:
    """A constant without a docstring of its own would show its type's (``dict``'s, say)."""
    own = type(obj).__doc__
    if what == "data" and own and "\n".join(lines).strip() == inspect.cleandoc(own).strip():
        lines.clear()


_BACKLINK = re.compile(r'href="((?:\.\./)*api/([\w.]+)\.html)#([\w.]+)"')


def _fix_source_pages(app, exception) -> None:
    """Make the source pages' links land (``sphinx.ext.viewcode``).

    viewcode names every back-link of a module with the one prefix it saw first: for
    ``autograd_lite.engine``, documented partly on the ``autograd_lite`` page (``Value``) and
    partly on its own (``value_of``), it links to ``...engine.html#autograd_lite.value_of``,
    an anchor that does not exist (the object's id is ``autograd_lite.engine.value_of``). The
    link's page is right, so the anchor is rebuilt from that page's module. A module with no
    source to show (``math``, where a constant comes from) gets no entry in the index.
    """
    site = Path(app.outdir)
    if exception is not None or not (site / "_modules").is_dir():
        return

    def fixed(match: re.Match[str]) -> str:
        href, module, anchor = match.groups()
        if anchor.startswith(module + "."):
            return match.group(0)
        prefixes = [anchor[:i] for i, c in enumerate(anchor) if c == "."]
        prefix = max((p for p in prefixes if module.startswith(p + ".")), key=len, default=None)
        if prefix is None:
            return match.group(0)
        return f'href="{href}#{module}.{anchor[len(prefix) + 1:]}"'

    modules = site / "_modules"
    for page in modules.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        new = _BACKLINK.sub(fixed, text)
        if page == modules / "index.html":
            new = re.sub(r'<li><a href="([\w/.]+\.html)">[\w.]+</a></li>\n?',
                         lambda m: m.group(0) if (modules / m.group(1)).exists() else "",
                         new)
        if new != text:
            page.write_text(new, encoding="utf-8")


def setup(app) -> None:
    app.connect("autodoc-process-docstring", _drop_docstrings_of_types)
    app.connect("build-finished", _fix_source_pages)


_modules = _public_modules()
_homes_of_objects = _homes(_modules)
_write_folder(DOCS / "api", {f"{module.__name__}.rst":
                             _module_page(module, _homes_of_objects).encode()
                             for module in _modules})
