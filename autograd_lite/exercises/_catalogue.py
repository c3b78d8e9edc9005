"""What an exercise is (``Exercise``, the part everyone sees, and ``Spec``, with its checker,
hint and solution), the kinds of exercises and the notebooks they belong to."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any, NamedTuple

__all__ = ["Exercise", "Spec", "NOTEBOOKS", "KINDS", "exercise"]

#: The teaching notebooks, by number, as their files are named (without ``.ipynb``).
NOTEBOOKS = {
    "01": "01_values_and_the_chain_rule",
    "02": "02_backpropagation_step_by_step",
    "03": "03_numpy_error_terms_to_autodiff",
    "04": "04_xor_one_neuron_is_not_enough",
    "05": "05_vanishing_gradients",
    "06": "06_training_on_two_moons",
    "07": "07_why_backpropagation_measured",
    "08": "08_testing_gradients",
    "09": "09_higher_order_derivatives",
    "10": "10_why_a_topological_order",
    "11": "11_from_scalar_code_to_fast_training",
    "12": "12_a_gpt_from_scalars",
}

#: The kinds of exercises, and what the answer is for each.
KINDS = {
    "by hand": "a number, or a dict of numbers, worked out by hand",
    "rule": "a derivative rule, as a function, checked at random points",
    "function": "a function, checked on random inputs against the engine",
    "graph": "a function on graphs, checked on random graphs and a deep chain",
    "new op": "an op made with define_op, checked with gradcheck and gradgradcheck",
    "find the bug": "the corrected rule of a buggy op, found with gradcheck",
    "traceable": "code without Python branches on numbers, checked eagerly and under jit",
    "training": "a training function that must reach an accuracy on a seeded data set",
}


class Exercise(NamedTuple):
    """One exercise of the catalogue.

    ``id`` is ``"NN.k"``: exercise ``k`` at the end of notebook ``NN``. ``answer`` is the name
    the answer is given under, in the notebook's answer cell and in a file checked with
    ``autograd-lite exercises --check``. ``statement`` (Markdown) and ``template`` (the code a
    student completes, with ``...`` where the answer goes) are what the notebook shows.
    """

    id: str
    notebook: str
    title: str
    kind: str
    answer: str
    statement: str
    template: str

    def __repr__(self) -> str:
        return (f"Exercise(id={self.id!r}, notebook={self.notebook!r}, title={self.title!r}, "
                f"kind={self.kind!r})")


#: A checker takes the answer and the random numbers to draw inputs from, and returns the
#: one-line confirmation when the answer is right (it raises ``Wrong`` when it is not).
Checker = Callable[[Any, random.Random], str]


class Spec(NamedTuple):
    """An exercise with what only the checking needs."""

    exercise: Exercise
    check: Checker
    hint: str
    solution: Callable[[], Any]
    time_limit: float


def exercise(id: str, title: str, kind: str, answer: str, statement: str, template: str,
             hint: str, solution: Callable[[], Any], check: Checker,
             time_limit: float = 10.0) -> Spec:
    """Declare an exercise (used by the modules that hold the catalogue).

    >>> spec = exercise("10.9", "A title", "by hand", "x", "Find x.", "x = ...", "Look.",
    ...                 lambda: 1.0, lambda answer, rng: "right")
    >>> spec.exercise.notebook, spec.time_limit
    ('10_why_a_topological_order', 10.0)
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    return Spec(Exercise(id, NOTEBOOKS[id.split(".")[0]], title, kind, answer,
                         statement.strip(), template.strip()), check, hint.strip(), solution,
                time_limit)
