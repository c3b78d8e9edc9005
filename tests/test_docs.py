"""The documentation's examples run: on each page, ```python blocks run as scripts and ```pycon
blocks as doctests (their printed results must match), in order, sharing one namespace."""

import doctest
import re
from pathlib import Path

import pytest

from autograd_lite.engine import OPS

DOCS = Path(__file__).resolve().parent.parent / "docs"
GENERATED = {"_build", "notebooks", "api"}  # folders the build writes (see docs/conf.py)
PAGES = sorted(path for path in DOCS.rglob("*.md")
               if GENERATED.isdisjoint(path.relative_to(DOCS).parts[:-1]))
FENCE = re.compile(r"^```(python|pycon)\n(.*?)^```$", re.S | re.M)


def _blocks(page):
    text = page.read_text()
    for match in FENCE.finditer(text):
        yield match.group(1), match.group(2), text.count("\n", 0, match.start(2))


@pytest.fixture
def op_table_restored():
    """The pages define ops of their own; the rest of the suite must not see them."""
    saved = dict(OPS)
    yield
    OPS.clear()
    OPS.update(saved)


def test_there_are_examples_to_run():
    assert sum(1 for page in PAGES for _ in _blocks(page)) >= 20


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_page_examples_run(page, tmp_path, monkeypatch, op_table_restored):
    monkeypatch.chdir(tmp_path)  # the examples write files
    namespace: dict = {"__name__": "__docs__"}
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for kind, code, line in _blocks(page):
        try:
            if kind == "python":
                exec(compile("\n" * line + code, str(page), "exec"), namespace)
            else:
                test = doctest.DocTestParser().get_doctest(code, namespace, page.name,
                                                           str(page), line)
                runner.run(test, clear_globs=False)
                namespace.update(test.globs)  # a DocTest works on a copy
        except Exception as error:
            if type(error).__name__ == "DotNotFoundError":  # autograd_lite.viz without `dot`
                pytest.skip(f"{page.name}: rendering needs Graphviz's dot program")
            raise
    assert runner.failures == 0, f"{page.name}: {runner.failures} example(s) printed otherwise"


def test_the_link_checker_finds_missing_pages_and_anchors(tmp_path):
    import importlib.util
    spec = importlib.util.spec_from_file_location("check_links", DOCS / "check_links.py")
    check_links = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(check_links)
    (tmp_path / "api").mkdir()
    (tmp_path / "index.html").write_text(
        '<a href="api/a.html#a.f">ok</a> <a href="api/a.html#a.g">no such anchor</a> '
        '<a href="missing.html">no such page</a> <a href="https://example.org/x#y">external</a>'
        ' <a href="#top">here</a><h1 id="top">t</h1>')
    (tmp_path / "api" / "a.html").write_text('<dt id="a.f">f</dt><a href="../index.html">up</a>')
    assert check_links.broken_links(tmp_path) == [("index.html", "api/a.html#a.g"),
                                                  ("index.html", "missing.html")]
