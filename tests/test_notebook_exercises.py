"""The Exercises section at the end of each notebook: it is the catalogue's (as
``.ci/exercise_cells.py`` writes it), a student who runs the notebook untouched sees "not
answered yet", and with the solutions filled in every check passes (a second run of every
notebook, beside the one of tests/test_notebooks.py)."""

import copy
import json
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from autograd_lite import exercises
from autograd_lite.exercises._cells import METADATA_KEY

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
WITH_EXERCISES = [p for p in NOTEBOOKS if p.stem in {e.notebook for e in exercises.catalogue()}]


def _section(notebook):
    return [c for c in notebook["cells"] if METADATA_KEY in c.get("metadata", {})]


def _text(cell):
    return "".join("".join(o.get("data", {}).get("text/plain", o.get("text", "")))
                   for o in cell.get("outputs", []))


def test_every_numbered_notebook_has_its_exercises():
    assert {p.stem for p in WITH_EXERCISES} == {p.stem for p in NOTEBOOKS}
    assert len(WITH_EXERCISES) >= 11


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=lambda p: p.stem)
def test_the_section_is_the_catalogues_and_comes_last(path):
    notebook = json.loads(path.read_text())
    section = _section(notebook)
    wanted = exercises.notebook_cells(path.stem)
    assert [(c["id"], c["cell_type"], "".join(c["source"])) for c in section] == \
        [(c["id"], c["cell_type"], c["source"]) for c in wanted], \
        f"{path.name}: run python .ci/exercise_cells.py --execute {path.stem[:2]}"
    assert notebook["cells"][-len(section):] == section


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=lambda p: p.stem)
def test_as_committed_each_check_says_not_answered_yet(path):
    for cell in _section(json.loads(path.read_text())):
        meta = cell["metadata"][METADATA_KEY]
        if meta["part"] == "answer":
            assert _text(cell).startswith(f"{meta['exercise']} not answered yet: "), \
                (path.name, _text(cell))


def _run_solved(path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.read(path, as_version=4)
    solved = {c["id"]: c["source"] for c in exercises.notebook_cells(path.stem, solved=True)}
    for cell in notebook.cells:
        if METADATA_KEY in cell.metadata:
            cell.source = solved[cell.id]
    with tempfile.TemporaryDirectory() as workdir:
        client = nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                                         resources={"metadata": {"path": workdir}})
        try:
            client.execute()
        except Exception as error:  # reported by the test that owns the notebook
            return notebook, error
    return copy.deepcopy(notebook), None


@pytest.fixture(scope="module")
def solved_runs():
    """Every notebook with the solutions filled in, run two at a time (one kernel per core)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(WITH_EXERCISES, pool.map(_run_solved, WITH_EXERCISES), strict=True))


@pytest.mark.slow
@pytest.mark.parametrize("path", WITH_EXERCISES, ids=lambda p: p.stem)
def test_with_the_solutions_filled_in_every_check_passes(path, solved_runs):
    notebook, error = solved_runs[path]
    assert error is None, f"{path.name} failed with the solutions filled in:\n{error}"
    answers = [c for c in _section(notebook)
               if c["metadata"][METADATA_KEY]["part"] == "answer"]
    assert answers
    for cell in answers:
        exercise_id = cell["metadata"][METADATA_KEY]["exercise"]
        assert _text(cell).startswith(f"{exercise_id} right: "), (path.name, _text(cell))
