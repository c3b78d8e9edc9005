"""The traced mode (``jit``): write scalar code for one example, run it on a batch as arrays.

``jit(fn, params=..., reduce="mean")`` returns a function that takes a batch: each positional
argument has one row per example. The first call traces ``fn`` once, on Values that stand for
every example (``trace``), compiles the graph through a sequence of passes, each from one IR
to the next (``compiler``: simplify, group, lookups, contract, differentiate, schedule, emit),
and runs the program on the whole batch; later calls with inputs of the same structure run the
program alone. The result equals the eager computation, example by example, to rounding.

The op table (``autograd_lite.engine.OPS``) is the only place that says what an op computes
and how it is differentiated: the program runs each row's array form, and its backward part
is derived from the rows' VJP rules, called with symbolic arrays.

What the traced mode does not do, each with a clear error: branch in Python on a traced
Value's data (``TraceError``: write it with a table op such as ``maximum``, ``select`` or
``relu``); differentiate inside the traced function (``backward``, ``gradients``, ``grad``:
``TraceError``); give gradients of the traced step itself (it returns a float, and adds float
gradients into ``.grad``); compute under ``no_grad()`` inside the function (``TraceError``;
``v.detach()`` works); give gradients to Values that are not in ``params`` (they are read at
every call, as constants).

>>> from autograd_lite import Value, jit
>>> w = Value(2.0)
>>> step = jit(lambda x: (w * x - 1.0) ** 2, params=[w], reduce="sum")
>>> step([1.0, 0.5]), w.grad
(1.0, 2.0)
"""

from ..modes import TraceError
from .function import CheckReport, TracedFunction, jit

__all__ = ["jit", "TracedFunction", "CheckReport", "TraceError"]
