"""The teaching notebooks run top to bottom in a fresh kernel, use only the public API, and are
committed with their outputs and small enough to browse."""

import json
import re
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
MAX_BYTES = 1_000_000

# what a user would import after `pip install autograd-lite`
PUBLIC_MODULES = {
    "autograd_lite", "autograd_lite.engine", "autograd_lite.numerics", "autograd_lite.testing",
    "autograd_lite.viz", "autograd_lite.viz.stepthrough", "autograd_lite.traced",
    "nn", "nn.losses", "nn.optim", "nn.data", "nn.train", "nn.io", "nn.init", "nn.plots",
}
AUTOGRAD_IMPORT = re.compile(r"^\s*(?:from|import)\s+((?:autograd_lite|nn)(?:\.\w+)*)", re.M)


def _code(path):
    notebook = json.loads(path.read_text())
    return ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]


def _execute(path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as workdir:  # files a notebook writes land here
        client = nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                                         resources={"metadata": {"path": workdir}})
        try:
            client.execute()
        except Exception as error:  # reported by the test that owns the notebook
            return error
    return None


@pytest.fixture(scope="module")
def executions():
    """Run every notebook once, two at a time (one kernel per core)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(NOTEBOOKS, pool.map(_execute, NOTEBOOKS), strict=True))


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 9


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(path, executions):
    error = executions[path]
    assert error is None, f"{path.name} failed:\n{error}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_with_outputs_and_small(path):
    assert path.stat().st_size < MAX_BYTES
    notebook = json.loads(path.read_text())
    code_cells = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert code_cells and all(c.get("execution_count") for c in code_cells), \
        f"{path.name}: run it top to bottom and save it with its outputs"
    counts = [c["execution_count"] for c in code_cells]
    assert counts == sorted(counts), f"{path.name}: cells were run out of order"
    assert any(c.get("outputs") for c in code_cells)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_uses_only_the_public_api(path):
    for source in _code(path):
        for module in AUTOGRAD_IMPORT.findall(source):
            assert module in PUBLIC_MODULES, f"{path.name} imports {module}"
        assert "sys.path" not in source, f"{path.name} must import the installed package"


IPYKERNEL_KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                        "language": "python"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_names_the_ipykernel_kernel(path):
    # JupyterLab rewrites any other kernelspec on opening, so the notebook opens modified
    kernelspec = json.loads(path.read_text())["metadata"].get("kernelspec")
    assert kernelspec == IPYKERNEL_KERNELSPEC, f"{path.name}: kernelspec {kernelspec}"
