"""The Exercises section at the end of a notebook, as nbformat 4 cells (plain dicts): an
introduction, the import, and for each exercise its statement and its answer cell (the
template, then the ``check`` line)."""

from __future__ import annotations

from typing import Any

from ._catalogue import Exercise

__all__ = ["notebook_cells", "answer_source", "METADATA_KEY"]

#: The key of the cell metadata that marks the cells of the Exercises section.
METADATA_KEY = "autograd_lite_exercises"

_INTRODUCTION = """\
## Exercises

Each exercise ends with a line `exercises.check(...)` that checks your answer with the engine:
it works out what the answer must be when it runs, often at random inputs, and says what is
wrong without giving the answer away. Until you replace the `...` with your answer it says
*not answered yet*. `exercises.hint("{first}")` gives a nudge for an exercise."""


def answer_source(exercise: Exercise, solved: bool = False) -> str:
    """The code of an exercise's answer cell: the template, then the ``check`` line. With
    ``solved``, the reference solution is filled in before the check (for CI).

    >>> from autograd_lite import exercises
    >>> print(answer_source(exercises.catalogue()[0], solved=True))
    dL_da = ...  # a number
    dL_da = exercises.solution("01.1")
    <BLANKLINE>
    exercises.check("01.1", dL_da)
    """
    lines = [exercise.template, ""]
    if solved:
        lines.insert(1, f'{exercise.answer} = exercises.solution("{exercise.id}")')
    lines.append(f'exercises.check("{exercise.id}", {exercise.answer})')
    return "\n".join(lines)


def _cell(kind: str, cell_id: str, source: str, part: str, exercise_id: str | None
          ) -> dict[str, Any]:
    cell: dict[str, Any] = {
        "cell_type": kind,
        "id": cell_id,
        "metadata": {METADATA_KEY: {"part": part, "exercise": exercise_id}},
        "source": source,
    }
    if kind == "code":
        cell["execution_count"] = None
        cell["outputs"] = []
    return cell


def notebook_cells(exercises: list[Exercise], solved: bool = False) -> list[dict[str, Any]]:
    """The cells of the Exercises section for ``exercises`` (those of one notebook)."""
    if not exercises:
        return []
    number = exercises[0].id.split(".")[0]
    cells = [
        _cell("markdown", f"exercises-{number}-intro",
              _INTRODUCTION.format(first=exercises[0].id), "introduction", None),
        _cell("code", f"exercises-{number}-import", "from autograd_lite import exercises",
              "import", None),
    ]
    for exercise in exercises:
        stem = f"exercise-{exercise.id.replace('.', '-')}"
        cells.append(_cell("markdown", f"{stem}-statement",
                           f"### Exercise {exercise.id}: {exercise.title}\n\n"
                           f"{exercise.statement}", "statement", exercise.id))
        cells.append(_cell("code", f"{stem}-answer", answer_source(exercise, solved), "answer",
                           exercise.id))
    return cells
