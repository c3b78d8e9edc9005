"""Append or update the Exercises section at the end of each notebook, from the catalogue.

    python .ci/exercise_cells.py                 # every notebook that has exercises
    python .ci/exercise_cells.py 03 08           # only notebooks 03 and 08
    python .ci/exercise_cells.py --execute       # ... and fill in the new cells' outputs
    python .ci/exercise_cells.py --print 12      # the cells of notebook 12, as JSON

The cells of the section carry ``autograd_lite_exercises`` in their metadata. The script
removes those cells and appends the section as ``autograd_lite.exercises.notebook_cells``
makes it; no other cell is touched, so it can be run again at any time (after editing an
exercise, or on a new notebook). With ``--execute`` it runs the notebook top to bottom in a
fresh kernel and copies the outputs of the section's cells only, numbered after the last
executed cell: the rest of the notebook keeps the outputs it was committed with.

It needs the ``test`` extra (nbformat, nbclient, a kernel).
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import tempfile
from pathlib import Path

import nbclient
import nbformat

from autograd_lite import exercises
from autograd_lite.exercises._cells import METADATA_KEY

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def _is_section(cell: dict) -> bool:
    return METADATA_KEY in cell.get("metadata", {})


def update(path: Path) -> nbformat.NotebookNode:
    """The notebook at ``path`` with a fresh Exercises section at its end (not saved)."""
    notebook = nbformat.read(path, as_version=4)
    kept = [cell for cell in notebook.cells if not _is_section(cell)]
    notebook.cells = kept + [nbformat.from_dict(cell)
                             for cell in exercises.notebook_cells(path.stem)]
    nbformat.validate(notebook)
    return notebook


def execute_section(notebook: nbformat.NotebookNode) -> None:
    """Run ``notebook`` in a fresh kernel; copy the outputs of the section's cells only."""
    run = copy.deepcopy(notebook)
    with tempfile.TemporaryDirectory() as workdir:  # files a notebook writes land here
        nbclient.NotebookClient(run, timeout=600, kernel_name="python3",
                                resources={"metadata": {"path": workdir}}).execute()
    count = max((cell.get("execution_count") or 0 for cell in notebook.cells
                 if cell.cell_type == "code" and not _is_section(cell)), default=0)
    for cell, ran in zip(notebook.cells, run.cells, strict=True):
        if _is_section(cell) and cell.cell_type == "code":
            count += 1
            cell.execution_count = count
            cell.outputs = ran.outputs
            for output in cell.outputs:
                if "execution_count" in output:
                    output["execution_count"] = count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("numbers", nargs="*", help="notebook numbers (default: all)")
    parser.add_argument("--execute", action="store_true",
                        help="run each notebook and save the outputs of its exercise cells")
    parser.add_argument("--print", dest="show", metavar="NN",
                        help="print the cells of notebook NN's section as JSON, and stop")
    args = parser.parse_args(argv)
    if args.show:
        print(json.dumps(exercises.notebook_cells(args.show), indent=1, ensure_ascii=False))
        return 0
    numbers = args.numbers or sorted({e.id.split(".")[0] for e in exercises.catalogue()})
    for number in numbers:
        paths = sorted(NOTEBOOKS.glob(f"{number}_*.ipynb"))
        if not paths:
            print(f"notebook {number}: no such notebook yet, skipped")
            continue
        notebook = update(paths[0])
        if args.execute:
            execute_section(notebook)
        nbformat.write(notebook, paths[0])
        print(f"{paths[0].name}: {sum(map(_is_section, notebook.cells))} exercise cells")
    return 0


if __name__ == "__main__":
    sys.exit(main())
