"""Check every internal link of the built documentation: each file it names exists, and each
``#anchor`` is an ``id`` (or ``name``) in that file. Offline: external links are not followed.

Run it after the build, from the repository root::

    python docs/check_links.py docs/_build/html

It prints each broken link (page, target) and exits with status 1 if there is any.
"""

from __future__ import annotations

import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class _Page(HTMLParser):
    """The ids and the link targets (``href`` of ``a``, ``src`` of ``img``) of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for key in ("id", "name") if tag == "a" else ("id",):
            if values.get(key):
                self.ids.add(str(values[key]))
        target = values.get("href") if tag in ("a", "link") else (
            values.get("src") if tag in ("img", "script") else None)
        if target:
            self.links.append(target)


def broken_links(site: Path) -> list[tuple[str, str]]:
    """``(page, link)`` for every internal link of ``site`` whose file or anchor is missing."""
    pages: dict[Path, _Page] = {}
    for path in sorted(site.rglob("*.html")):
        parser = _Page()
        parser.feed(path.read_text(encoding="utf-8", errors="replace"))
        pages[path.resolve()] = parser
    broken = []
    for path, page in pages.items():
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith(("mailto:", "javascript:", "data:")):
                continue  # external: not checked offline
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append((str(path.relative_to(site.resolve())), link))
            elif parts.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else set()
                if unquote(parts.fragment) not in ids:
                    broken.append((str(path.relative_to(site.resolve())), link))
    return broken


def main() -> int:
    site = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/_build/html")
    if not (site / "index.html").exists():
        print(f"{site}: no built site here (build the documentation first)", file=sys.stderr)
        return 2
    broken = broken_links(site)
    for page, link in broken:
        print(f"{page}: broken link {link}")
    print(f"{len(broken)} broken internal link(s)" if broken else "internal links: all found")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
