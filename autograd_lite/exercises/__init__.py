"""Exercises with checked answers, two or three at the end of each teaching notebook.

Each answer is checked by the engine itself: a gradient by computing it, a derivative rule at
random points against finite differences and the op table, an order on random graphs, a
traceable loss eagerly and under ``jit``. ``check`` never raises on a wrong or malformed
answer: it returns a ``Result``, truthy when the answer is right, whose text says what is
wrong (which number, which input, what kind of mistake) without giving the answer away.

>>> from autograd_lite import exercises
>>> len(exercises.catalogue()) >= 24
True
>>> print(exercises.check("01.1", ...))  # the blank of the template
01.1 not answered yet: replace the ... with d L / d a (a number);
exercises.hint("01.1") gives a nudge
>>> result = exercises.check("01.1", -10.0)
>>> bool(result), result.status
(False, 'not right yet')
>>> print(result)
01.1 not right yet: d L / d a is -10 for your answer, which has the wrong sign; multiply the
local derivatives from L down to a (L = d·d, d = e + c, e = a·b)

Student code runs under a time limit (a loop that never ends gives a falsy result, not a hung
notebook), and an exception it raises is reported with the line it came from. The module uses
only the standard library; the checks of the traced mode need NumPy, and say so without it.
"""

from __future__ import annotations

import math
import random
import runpy
import sys
from pathlib import Path
from typing import Any

from ..modes import enable_grad
from . import _cells, _chain_rule, _gradients, _networks, _running, _traced
from ._answers import NotAnswered, Wrong
from ._catalogue import KINDS, NOTEBOOKS, Exercise, Spec
from ._running import TimeLimitExceeded, describe_error

__all__ = ["Exercise", "Result", "catalogue", "check", "hint", "solution", "notebook_cells",
           "check_file", "AnswersFileError", "KINDS"]

_SPECS: dict[str, Spec] = {
    spec.exercise.id: spec
    for spec in sorted([*_chain_rule.SPECS, *_networks.SPECS, *_gradients.SPECS,
                        *_traced.SPECS], key=lambda spec: spec.exercise.id)
}


class Result:
    """What ``check`` says about an answer: truthy when it is right.

    ``status`` is ``Result.RIGHT`` (``"right"``), ``Result.WRONG`` (``"not right yet"``) or
    ``Result.NOT_ANSWERED`` (``"not answered yet"``, the template's blank); ``message`` says
    why, and ``str(result)`` is the whole sentence, which is also how Jupyter shows it.
    """

    RIGHT = "right"
    WRONG = "not right yet"
    NOT_ANSWERED = "not answered yet"

    __slots__ = ("exercise_id", "message", "status")

    def __init__(self, exercise_id: str, status: str, message: str) -> None:
        self.exercise_id = exercise_id
        self.status = status
        self.message = message

    def __bool__(self) -> bool:
        return self.status == Result.RIGHT

    @property
    def answered(self) -> bool:
        """False while the answer is still the template's blank."""
        return self.status != Result.NOT_ANSWERED

    def __str__(self) -> str:
        return f"{self.exercise_id} {self.status}: {self.message}"

    __repr__ = __str__


def catalogue() -> list[Exercise]:
    """Every exercise, in the order of the notebooks.

    >>> from autograd_lite import exercises
    >>> exercises.catalogue()[0]
    Exercise(id='01.1', notebook='01_values_and_the_chain_rule',
             title='A node used twice, by hand', kind='by hand')
    """
    return [spec.exercise for spec in _SPECS.values()]


def _spec(exercise_id: str) -> Spec:
    try:
        return _SPECS[exercise_id]
    except (KeyError, TypeError):
        raise KeyError(f"no exercise {exercise_id!r}; the exercises are "
                       f"{', '.join(_SPECS)}") from None


def check(exercise_id: str, answer: Any, *, time_limit: float | None = None,
          seed: int | None = None) -> Result:
    """Check ``answer`` to the exercise ``exercise_id`` (``"01.1"``, ...) and say what is
    wrong with it, if anything.

    Never raises on a wrong or malformed answer (``None``, text, a function that raises or
    never returns): the result is falsy and says why. Only an unknown id raises ``KeyError``.
    Student code runs under ``time_limit`` seconds (default: the exercise's own, 10 s for most).
    Random inputs come from ``random.Random(seed)``: a new draw at each call by default.
    """
    spec = _spec(exercise_id)
    limit = spec.time_limit if time_limit is None else time_limit
    if isinstance(limit, bool) or not isinstance(limit, int | float) or not limit > 0 \
            or not math.isfinite(limit):
        raise ValueError(f"time_limit must be a positive number of seconds, got {limit!r}")
    rng = random.Random(seed)
    try:
        with enable_grad(), _running.time_limit(float(limit)):
            message = spec.check(answer, rng)
    except NotAnswered as blank:
        return Result(exercise_id, Result.NOT_ANSWERED,
                      f'{blank}; exercises.hint("{exercise_id}") gives a nudge')
    except Wrong as wrong:
        return Result(exercise_id, Result.WRONG, str(wrong))
    except TimeLimitExceeded:
        return Result(exercise_id, Result.WRONG,
                      f"the check did not finish within {limit:g} s: does your code loop "
                      "forever, or do far more work than it needs?")
    except RecursionError:
        return Result(exercise_id, Result.WRONG, "your answer recursed too deep "
                      "(RecursionError): use a loop instead of recursion")
    except (Exception, SystemExit) as error:
        return Result(exercise_id, Result.WRONG,
                      f"checking your answer raised {describe_error(error)}")
    return Result(exercise_id, Result.RIGHT, message)


def hint(exercise_id: str) -> str:
    """A nudge towards the answer of ``exercise_id``, short of giving it.

    >>> from autograd_lite import exercises
    >>> "σ'(0)" in exercises.hint("05.2")
    True
    """
    return _spec(exercise_id).hint


def solution(exercise_id: str) -> Any:
    """The reference answer of ``exercise_id`` (a number, a dict or a function), for teachers
    and for the tests: ``check(exercise_id, solution(exercise_id))`` is right. The solution of
    an op exercise defines the op, as the student's answer would."""
    return _spec(exercise_id).solution()


def notebook_cells(notebook: str, solved: bool = False) -> list[dict[str, Any]]:
    """The Exercises section of ``notebook`` (a name such as
    ``"01_values_and_the_chain_rule"``, or its number ``"01"``) as nbformat 4 cells: plain
    dicts to append to the notebook. With ``solved`` the reference solutions are filled in
    before each check line, as CI runs the notebooks a second time."""
    name = NOTEBOOKS.get(notebook, notebook)
    if name not in NOTEBOOKS.values():
        raise KeyError(f"no notebook {notebook!r}; the notebooks are "
                       f"{', '.join(NOTEBOOKS.values())}")
    return _cells.notebook_cells([e for e in catalogue() if e.notebook == name], solved)


class AnswersFileError(RuntimeError):
    """A file of answers could not be run (it raised, or took too long)."""


def check_file(path: str | Path, *, time_limit: float = 60.0) -> list[Result]:
    """Run the Python file at ``path`` and check every exercise: the answer to an exercise is
    what the file binds to its name (``Exercise.answer``, such as ``dL_da`` or ``my_backward``);
    an exercise whose name the file does not define is not answered yet.

    The file runs as a module named ``__answers__`` (its ``if __name__ == "__main__":`` block
    does not run), under ``time_limit`` seconds; if it raises, ``AnswersFileError`` says
    where. It is the student's code, run as it is: run files you do not trust in a sandbox.
    """
    path = Path(path)
    folder = str(path.resolve().parent)
    sys.path.insert(0, folder)  # so that it can import a module of its own next to it
    try:
        with _running.time_limit(time_limit):
            namespace = runpy.run_path(str(path), run_name="__answers__")
    except TimeLimitExceeded:
        raise AnswersFileError(f"{path} did not finish running within {time_limit:g} s"
                               ) from None
    except (Exception, SystemExit) as error:
        raise AnswersFileError(f"{path} raised {describe_error(error)}") from None
    finally:
        if folder in sys.path:
            sys.path.remove(folder)
    return [check(e.id, namespace[e.answer]) if e.answer in namespace else
            Result(e.id, Result.NOT_ANSWERED, f"the file defines no {e.answer}")
            for e in catalogue()]
