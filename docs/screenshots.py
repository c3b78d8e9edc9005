"""Screenshots of drawings, as a student sees them: ``docs/_static/screenshots/*.png``.

Renders, with the code as it is, the first drawing of notebooks 01, 02 and 03 (the notebook's
code cells run up to that drawing's cell) and the output of ``MLP(2, [16, 16, 1], seed=0)`` at
``depth=3`` (for ``--after``: the whole model with ``level="neuron"``), puts each on a plain
page and photographs it in headless Chromium in a window of 1,100 x 800 pixels (what a
projector shows), through Selenium and chromedriver (the ``test`` extra brings Selenium). The
pictures feed the drawing guide's "Before and after" section. From the repository root, in the
virtual environment with the ``test``
extra::

    python docs/screenshots.py            # writes 01-before.png ... mlp-before.png
    python docs/screenshots.py --after    # writes 01-after.png ... mlp-after.png

``--both`` writes the same pictures under both names (so the guide's table is complete
before an "after" exists). PNGs are kept small: 8-bit palette when Pillow is installed.
"""

from __future__ import annotations

import argparse
import ast
import base64
import contextlib
import io
import json
import shutil
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "_static" / "screenshots"
WIDTH, HEIGHT = 1100, 800
NOTEBOOKS = {"01": "01_values_and_the_chain_rule", "02": "02_backpropagation_step_by_step",
             "03": "03_numpy_error_terms_to_autodiff"}
DRAWS = ("draw_dot(", "show(", "render(")


def _first_drawing(stem: str) -> bytes:
    """SVG of the first drawing of ``notebooks/<stem>.ipynb``: its cells run up to it."""
    notebook = json.loads((ROOT / "notebooks" / f"{stem}.ipynb").read_text())
    namespace: dict[str, object] = {"__name__": "__notebook__"}
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        tree = ast.parse("\n".join(line for line in source.splitlines()
                                   if not line.lstrip().startswith(("%", "!"))))
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        with contextlib.redirect_stdout(io.StringIO()):  # the notebook's prints
            exec(compile(tree, stem, "exec"), namespace)
            value = (eval(compile(ast.Expression(last.value), stem, "eval"), namespace)
                     if last is not None else None)
        if any(call in source for call in DRAWS) and hasattr(value, "pipe"):
            return bytes(value.pipe(format="svg"))
    raise SystemExit(f"{stem}: no drawing found")


def _mlp(*, neurons: bool = False) -> bytes:
    """The MLP at depth 3, op by op; with ``neurons`` (the "after" picture) the whole model
    drawn one box per neuron, as the drawing guide advises for a model this size."""
    import warnings

    from autograd_lite.viz import draw_dot
    from nn import MLP

    score = MLP(2, [16, 16, 1], seed=0)([0.5, -1.0])
    score.backward()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the op-by-op picture is the unreadable "before"
        dot = draw_dot(score, level="neuron") if neurons else draw_dot(score, depth=3)
    return bytes(dot.pipe(format="svg"))


def _shoot(pages: dict[str, bytes], suffixes: list[str]) -> None:
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu",
                 f"--window-size={WIDTH},{HEIGHT}", "--hide-scrollbars"):
        options.add_argument(flag)
    driver_path = shutil.which("chromedriver")  # the system's; never a downloaded one
    if driver_path is None:
        raise SystemExit("chromedriver is not on PATH (Debian: apt-get install chromium-driver)")
    driver = webdriver.Chrome(options=options,
                              service=webdriver.ChromeService(executable_path=driver_path))
    try:
        driver.set_window_size(WIDTH, HEIGHT)
        driver.get("about:blank")
        # the viewport itself (not the window with its frame) must be 1,100 x 800
        inner = driver.execute_script("return [innerWidth, innerHeight]")
        driver.set_window_size(2 * WIDTH - inner[0], 2 * HEIGHT - inner[1])
        with tempfile.TemporaryDirectory() as folder:
            for name, svg in pages.items():
                page = Path(folder) / f"{name}.html"
                data = base64.b64encode(svg).decode()
                # the drawing at its own size, top left, as a notebook output shows it
                page.write_text('<!doctype html><html><body style="margin:8px;background:#fff">'
                                f'<img src="data:image/svg+xml;base64,{data}"></body></html>')
                driver.get(page.as_uri())
                png = base64.b64decode(driver.get_screenshot_as_base64())
                for suffix in suffixes:
                    _write_small(png, OUT / f"{name}-{suffix}.png")
    finally:
        driver.quit()


def _write_small(png: bytes, path: Path) -> None:
    try:
        from PIL import Image
    except ImportError:
        path.write_bytes(png)
    else:
        image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=64)
        image.save(path, optimize=True)
    print(f"{path.relative_to(ROOT)}: {path.stat().st_size // 1024} KB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--after", action="store_true", help="write the *-after.png files")
    group.add_argument("--both", action="store_true", help="write both names, same pictures")
    args = parser.parse_args()
    suffixes = ["before", "after"] if args.both else ["after" if args.after else "before"]
    OUT.mkdir(parents=True, exist_ok=True)
    pages = {key: _first_drawing(stem) for key, stem in NOTEBOOKS.items()}
    pages["mlp"] = _mlp(neurons=args.after)
    _shoot(pages, suffixes)


if __name__ == "__main__":
    main()
