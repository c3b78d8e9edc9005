"""Batches of one structure each, for data sets whose examples differ in structure.

A traced function keeps one compiled program per structure of its inputs (how many numbers an
example has in each argument): names of 5 letters and names of 7 are two traces, each made the
first time it is called and reused after. ``batches_by_structure`` splits a data set into
batches whose examples all share one structure, so one training loop runs over all of them.

>>> words = [[1, 2], [3, 4, 5], [6, 7], [8, 9, 10], [11, 12]]
>>> [batch[0].tolist() for batch in batches_by_structure(words, batch_size=2)]
[[[1.0, 2.0], [6.0, 7.0]], [[11.0, 12.0]], [[3.0, 4.0, 5.0], [8.0, 9.0, 10.0]]]
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from typing import Any

__all__ = ["batches_by_structure"]


def _structure(example: Any) -> int | None:
    if isinstance(example, str | bytes):
        raise TypeError(f"an example must be a number or a sequence of numbers, got "
                        f"{type(example).__name__}")
    try:
        return len(example)
    except TypeError:
        return None  # a number


def batches_by_structure(*columns: Sequence[Any], batch_size: int = 32,
                         seed: int | None = None, drop_last: bool = False
                         ) -> Iterator[tuple[Any, ...]]:
    """Yield batches ``(column_0_batch, column_1_batch, ...)`` of NumPy float arrays, each
    holding at most ``batch_size`` examples of one structure.

    Example ``i`` is ``(columns[0][i], columns[1][i], ...)``; its structure is, for each
    column, ``None`` for a number or the length of its row. Without a ``seed`` the examples
    keep their order within a structure and the structures come in the order they first
    appear; with one, the examples of each structure are shuffled and the batches of all
    structures interleaved, both by ``random.Random(seed)``. ``drop_last`` leaves out each
    structure's last batch when it is short. Each batch can go straight to a traced function:
    ``step(*batch)``.
    """
    if not columns:
        raise TypeError("batches_by_structure needs at least one column of examples")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be an int >= 1, got {batch_size!r}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise TypeError(f"seed must be an int or None, got {type(seed).__name__}")
    counts = {len(c) for c in columns}
    if len(counts) != 1:
        raise ValueError(f"the columns have different numbers of examples: "
                         f"{[len(c) for c in columns]}")
    import numpy as np

    groups: dict[tuple[int | None, ...], list[int]] = {}
    for i in range(len(columns[0])):
        key = tuple(_structure(c[i]) for c in columns)
        groups.setdefault(key, []).append(i)
    rng = random.Random(seed) if seed is not None else None
    batches: list[list[int]] = []
    for members in groups.values():
        if rng is not None:
            rng.shuffle(members)
        for start in range(0, len(members), batch_size):
            chunk = members[start:start + batch_size]
            if len(chunk) == batch_size or not drop_last:
                batches.append(chunk)
    if rng is not None:
        rng.shuffle(batches)
    for chunk in batches:
        yield tuple(np.array([c[i] for i in chunk], dtype=np.float64) for c in columns)
