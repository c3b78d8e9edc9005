"""The engine: the op table, the ``Value`` node, and the reverse walk.

Read it top to bottom: the vocabulary the derivative rules are written in, the table of ops
(``OPS``: one row per op says everything about it), ``Value`` (a node: a float, its gradient,
its op and operands), and the walk that backpropagates through a graph.

Each row of ``OPS`` has a float ``forward`` function, its NumPy form (``array``, for the traced
mode) and, for each operand, a vector-Jacobian product (VJP) rule ``rule(g, out, *operands)``:
the gradient that flows to that operand when ``g`` flows into the op's result ``out``. The rules
are written in a small vocabulary that works on floats, on Values and on arrays alike: ``+ - *``,
comparisons, and the functions below (``div``, ``power``, ``exp``, ``log``, ``sin``, ``cos``,
``sigmoid``, ``sign``, ``where``, ``equal``). A choice that depends on the data is a ``where``,
never a Python branch. So ``backward()`` calls the rules with floats, ``backward(create_graph=
True)`` calls the very same rules with Values (the backward pass is itself recorded and can be
differentiated again), and the traced mode calls them with whole arrays. The rules follow
PyTorch's derivative formulas operation for operation, so gradients round the same way.

Numerics follow IEEE-754 (see ``numerics``): ops never raise, they return ``inf`` or ``nan``.
Choices at kinks and edges, written down once:

* ``relu`` and ``abs`` have derivative 0 at 0 (the subgradient PyTorch and JAX use).
* ``maximum`` splits the gradient in half at a tie.
* ``x ** y``: d/dx is ``y * x ** (y - 1)``, and 0 wherever ``y == 0`` (``x ** 0`` is flat in
  ``x``, even where ``x ** -1`` overflows); d/dy is ``x ** y * log(x)``, and 0 when ``x == 0``
  and ``y >= 0``. For a negative base d/dy is ``nan`` (``log(x)`` is not real), while d/dx is
  finite where ``x ** y`` is (an integer ``y``).
* ``select(index, options)`` passes the gradient to the option chosen, and nothing at all to
  the others: an option not chosen gets an exact 0, even where its own derivative is not
  finite (``select(0, [2 * p, p.sqrt()])`` at ``p = -1`` gives ``p`` the gradient 2).
* A plain number in an op (the 2 in ``x * 2``) is a constant: it is not a graph node and gets
  no gradient.
* Every gradient starts at 0.0 and each contribution is added to it, in the walk's order; so
  a gradient made of one ``-0.0`` contribution is ``0.0``, as ``.grad += -0.0`` gives.
"""

from __future__ import annotations

import importlib
import operator
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, NamedTuple, cast, final

from . import copying, numerics
from .modes import (
    NORMAL,
    STATE,
    TRACED,
    TRACING,
    TraceError,
    check_backward,
    check_forward,
    check_not_tracing,
    enable_grad,
    user_line,
)

__all__ = [
    "Value", "Op", "OPS", "BUILTIN_OPS", "define_op", "apply_op", "format_op",
    "maximum", "logsumexp", "softplus", "select",
    "backprop", "operand_gradients", "topological_order", "reverse_topological_order",
    "div", "power", "exp", "log", "sin", "cos", "sigmoid", "sign", "where", "equal",
    "value_of",
]

Number = int | float


class _LazyNumPy:
    """``np`` in the table's array forms: NumPy, imported the first time an array form runs
    (the engine itself needs only the standard library)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(importlib.import_module("numpy"), name)


np: Any = _LazyNumPy()


# ---------------------------------------------------------------------------------------------
# The vocabulary of the derivative rules: functions of floats, Values and arrays alike.
#
# On floats they are the IEEE functions of ``numerics``; on Values they are ops of the table
# (recorded in the graph); on NumPy arrays they are the table rows' array forms; and on the
# traced mode's symbolic arrays (objects with an ``apply_op`` class method) they are recorded
# by the traced mode.
# ---------------------------------------------------------------------------------------------

def _apply(name: str, *xs: Any) -> Any:
    """The op ``name`` of the table applied to floats, Values or arrays (see above)."""
    kinds = set(map(type, xs))
    if Value in kinds:
        return apply_op(name, xs)
    if kinds <= {float, int, bool}:
        return OPS[name].forward(*map(float, xs))
    for x in xs:
        symbolic = getattr(type(x), "apply_op", None)
        if symbolic is not None:
            return symbolic(name, xs)
    array = OPS[name].array
    if array is None:
        raise TypeError(f"op {name!r} has no array form")
    return array(*xs)


def value_of(x: Value | float) -> float:
    """The float inside ``x`` (a Value or a number)."""
    if type(x) is Value:
        check_not_tracing("value_of(v)")
        return cast(float, x.data)
    return x


def div(a: Any, b: Any) -> Any:
    """``a / b`` with IEEE results (``1/0 = inf``)."""
    if type(a) is float and type(b) is float:
        return numerics.div(a, b)
    return _apply("/", a, b)


def power(a: Any, b: Any) -> Any:
    """``a ** b``, real results only (as ``numerics.pow``)."""
    if type(a) is float and type(b) is float:
        return numerics.pow(a, b)
    return _apply("**", a, b)


def exp(x: Any) -> Any:
    """``e ** x``."""
    return numerics.exp(x) if type(x) is float else _apply("exp", x)


def log(x: Any) -> Any:
    """The natural logarithm."""
    return numerics.log(x) if type(x) is float else _apply("log", x)


def sin(x: Any) -> Any:
    """The sine."""
    return numerics.sin(x) if type(x) is float else _apply("sin", x)


def cos(x: Any) -> Any:
    """The cosine."""
    return numerics.cos(x) if type(x) is float else _apply("cos", x)


def sigmoid(x: Any) -> Any:
    """The logistic function."""
    return numerics.sigmoid(x) if type(x) is float else _apply("sigmoid", x)


def sign(x: Any) -> Any:
    """-1, 0 or 1 (``nan`` at ``nan``). Its derivative is 0, so on a Value it is a constant."""
    if type(x) is float:
        return numerics.sign(x)
    if type(x) is Value:
        return numerics.sign(x.data)
    symbolic = getattr(type(x), "apply_op", None)
    return symbolic("sign", (x,)) if symbolic is not None else np.sign(x)


def equal(a: Any, b: Any) -> Any:
    """``a == b`` by number (Values compare their data), elementwise on arrays."""
    if type(a) is Value:
        a = a.data
    if type(b) is Value:
        b = b.data
    if type(a) in (float, int) and type(b) in (float, int):
        return a == b
    for x in (a, b):
        symbolic = getattr(type(x), "apply_op", None)
        if symbolic is not None:
            return symbolic("equal", (a, b))
    return np.equal(a, b)


def where(condition: Any, a: Any, b: Any) -> Any:
    """``a`` where ``condition`` holds, else ``b``: the one way a rule makes a choice that
    depends on the data. On floats and Values the condition is a bool and one of ``a`` and
    ``b`` is returned; on arrays it is elementwise. ``b`` may be ``None``, meaning that no
    gradient flows at all where the condition fails (not even a zero that could meet an
    infinite derivative further down)."""
    if condition is True:
        return a
    if condition is False:
        return b
    for x in (condition, a, b):
        symbolic = getattr(type(x), "apply_op", None)
        if symbolic is not None:
            return symbolic("where", (condition, a, b))
    return np.where(condition, a, 0.0 if b is None else b)


# ---------------------------------------------------------------------------------------------
# The op table
# ---------------------------------------------------------------------------------------------

class Op(NamedTuple):
    """One row of the op table: everything the package knows about an op.

    * ``forward`` maps the operands' floats to the result's float and never raises; ``array``
      does the same elementwise on NumPy arrays (the traced mode runs it). A ``variadic`` op
      (``sum``) takes any number of operands; its array form takes them stacked on a last
      axis, after the ``selector`` if it has one: ``array(stack)``, ``array(index, stack)``.
    * ``vjps[i](g, out, *operands)`` is the gradient for operand ``i``, written with the
      vocabulary above. A variadic op has one rule for every term, ``rule(g, out, term, k)``
      (``k``: the term's position; for ``select``, ``rule(g, out, option, k, index)``); its
      selector gets no gradient. A rule may return ``None``: no gradient flows.
    * ``symbol``: how it prints: ``"+"`` reads ``a + b`` (for one operand, ``"-"`` reads
      ``-a``); without a symbol it reads ``name(a, b)``. ``commutative``: operand order does not
      matter (drawings leave the edges unnamed).
    * ``positive``: the operands that must be > 0 for a real, finite result (the domain; the
      random expressions of ``testing`` keep them there). ``kink``: a function of the operands'
      floats that is 0 where the derivative jumps (``relu``: the operand itself); the
      derivative there is the documented subgradient. ``selector``: the position of an
      operand that picks one of the others by number (``select``), a whole number in range.
    * ``identity``: for a variadic op, what a missing term stands for (0 for ``sum``,
      ``-inf`` for ``logsumexp``), so that the traced mode can pad terms of different counts.
    """

    name: str
    forward: Callable[..., float]
    vjps: tuple[Callable[..., Any], ...]
    array: Callable[..., Any] | None = None
    variadic: bool = False
    symbol: str = ""
    commutative: bool = False
    positive: tuple[int, ...] = ()
    kink: Callable[..., float] | None = None
    selector: int | None = None
    identity: float | None = None

    @property
    def arity(self) -> int | None:
        """The number of operands (None: any number, for a variadic op)."""
        return None if self.variadic else len(self.vjps)


def _sum_floats(*terms: float) -> float:
    total = terms[0]
    for t in terms[1:]:  # left to right, exactly like a chain of binary additions
        total += t
    return total


def _pow_base_vjp(g: Any, out: Any, a: Any, b: Any) -> Any:
    # x ** 0 is flat in x, even where x ** -1 overflows: 0; where y is a Value (recording a
    # backward pass) written as y * x**y / x, so that its derivative in y (1/x) survives
    flat = where(equal(a, 0.0), 0.0, g * div(b * out, a)) if type(b) is Value else 0.0
    return where(equal(b, 0.0), flat, g * (b * power(a, b - 1.0)))


def _pow_exponent_vjp(g: Any, out: Any, a: Any, b: Any) -> Any:
    # 0 ** y is flat in y for y >= 0
    return where(equal(a, 0.0) & (b >= 0.0), 0.0, g * (out * log(a)))


def _maximum_vjp(g: Any, out: Any, a: Any, b: Any) -> Any:
    # the larger operand takes the gradient; a tie splits it; nan if either is nan
    return where(a > b, g, where(a < b, 0.0, where(equal(a, b), 0.5 * g, numerics.NAN)))


def _pow_array(a: Any, b: Any) -> Any:
    # as numerics.pow: x ** 3 and x ** -2 are products, as in PyTorch (for x ** 2 and x ** -1
    # C's pow is correctly rounded, as the products are)
    return np.where(b == 3.0, a * a * a, np.where(b == -2.0, 1.0 / (a * a), np.power(a, b)))


def _logsumexp_array(stack: Any) -> Any:
    m = stack.max(axis=-1)
    finite = np.isfinite(m)  # all -inf, one +inf, or a nan: the largest term is the answer
    shift = np.where(finite, m, 0.0)
    return np.where(finite, shift + np.log(np.exp(stack - shift[..., None]).sum(axis=-1)), m)


def _select_array(index: Any, options: Any) -> Any:
    valid = (index == np.floor(index)) & (index >= 0) & (index < options.shape[-1])
    safe = np.where(valid, index, 0).astype(np.intp)
    picked = np.take_along_axis(options, safe[..., None], axis=-1)[..., 0]
    return np.where(valid, picked, np.nan)


def _identity(x: float) -> float:
    return x


def _difference(a: float, b: float) -> float:
    return a - b


OPS: dict[str, Op] = {op.name: op for op in [
    #  name     forward            array form                         vjp for each operand
    Op("+",     operator.add,      (lambda g, out, a, b: g,
                                    lambda g, out, a, b: g),
       lambda a, b: a + b, symbol="+", commutative=True),
    Op("-",     operator.sub,      (lambda g, out, a, b: g,
                                    lambda g, out, a, b: -g),
       lambda a, b: a - b, symbol="-"),
    Op("*",     operator.mul,      (lambda g, out, a, b: g * b,
                                    lambda g, out, a, b: g * a),
       lambda a, b: a * b, symbol="*", commutative=True),
    Op("/",     numerics.div,      (lambda g, out, a, b: div(g, b),
                                    lambda g, out, a, b: -g * div(out, b)),
       lambda a, b: a / b, symbol="/", positive=(1,)),
    Op("**",    numerics.pow,      (_pow_base_vjp, _pow_exponent_vjp),
       _pow_array, symbol="**", positive=(0,)),
    Op("neg",   operator.neg,      (lambda g, out, a: -g,),
       lambda a: -a, symbol="-"),
    Op("abs",   abs,               (lambda g, out, a: g * sign(a),),
       lambda a: np.abs(a), kink=_identity),
    Op("exp",   numerics.exp,      (lambda g, out, a: g * out,),
       lambda a: np.exp(a)),
    Op("log",   numerics.log,      (lambda g, out, a: div(g, a),),
       lambda a: np.log(a), positive=(0,)),
    Op("tanh",  numerics.tanh,     (lambda g, out, a: g * (1.0 - out * out),),
       lambda a: np.tanh(a)),
    Op("sigmoid", numerics.sigmoid, (lambda g, out, a: g * (1.0 - out) * out,),
       lambda a: 1.0 / (1.0 + np.exp(-a))),
    Op("relu",  numerics.relu,     (lambda g, out, a: where(out <= 0.0, 0.0, g),),
       lambda a: np.maximum(a, 0.0), kink=_identity),
    Op("sin",   numerics.sin,      (lambda g, out, a: g * cos(a),),
       lambda a: np.sin(a)),
    Op("cos",   numerics.cos,      (lambda g, out, a: g * -sin(a),),
       lambda a: np.cos(a)),
    Op("sqrt",  numerics.sqrt,     (lambda g, out, a: div(g, 2.0 * out),),
       lambda a: np.sqrt(a), positive=(0,)),
    Op("sum",   _sum_floats,       (lambda g, out, term, k: g,),
       lambda stack: stack.sum(axis=-1), variadic=True, commutative=True, identity=0.0),
    # data-dependent choices as ops, so that a trace (autograd_lite.jit) can follow them
    Op("maximum", numerics.maximum, (_maximum_vjp,
                                     lambda g, out, a, b: _maximum_vjp(g, out, b, a)),
       lambda a, b: np.maximum(a, b), commutative=True, kink=_difference),
    Op("logsumexp", numerics.logsumexp, (lambda g, out, term, k: g * exp(term - out),),
       _logsumexp_array, variadic=True, commutative=True, identity=-numerics.INF),
    Op("softplus", numerics.softplus, (lambda g, out, a: g * sigmoid(a),),
       lambda a: np.where(a > 0.0, a, 0.0) + np.log1p(np.exp(-np.abs(a)))),
    Op("select", numerics.select,  (lambda g, out, option, k, index: where(
                                        equal(index, k), g, None),),
       _select_array, variadic=True, selector=0, identity=numerics.NAN),
]}
BUILTIN_OPS: tuple[str, ...] = tuple(OPS)
"""The names of the ops the engine comes with, in table order (``define_op`` adds others)."""

_VERSION = [0]  # counts changes of the table, so that a trace can tell it is out of date


def table_version() -> int:
    """A number that changes whenever an op is defined, replaced or removed."""
    return _VERSION[0]


def format_op(name: str, operands: Sequence[str]) -> str:
    """How the op ``name`` applied to ``operands`` (already written as text) reads.

    >>> format_op("*", ["w", "x"]), format_op("neg", ["x"]), format_op("tanh", ["n"])
    ('w * x', '-x', 'tanh(n)')
    """
    symbol = OPS[name].symbol
    if symbol and len(operands) == 2:
        return f"{operands[0]} {symbol} {operands[1]}"
    if symbol and len(operands) == 1:
        return f"{symbol}{operands[0]}"
    return f"{name}({', '.join(operands)})"


class OpFunction:
    """The function that applies an op of the table, as ``define_op`` returns it.

    It pickles by the op's name (and the module that defined it, imported again when
    unpickling), so models and graphs that hold it can be saved. Used as a context manager
    (``with define_op(...) as cube:``), it removes the op from the table again on leaving the
    block (putting back the op it replaced, if any): the scoped form, for tests.
    """

    def __init__(self, name: str, module: str, replaced: Op | None = None) -> None:
        self.__name__ = self.__qualname__ = name
        self.__module__ = module
        self.__doc__ = f"Apply the op {name!r} (defined with define_op) to its operands."
        self._replaced = replaced

    def __call__(self, *operands: Value | Number) -> Value:
        arity = OPS[self.__name__].arity
        if arity is not None and len(operands) != arity:
            raise TypeError(f"op {self.__name__!r} takes {arity} operand(s), "
                            f"got {len(operands)}")
        return apply_op(self.__name__, operands)

    def __enter__(self) -> OpFunction:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._replaced is None:
            OPS.pop(self.__name__, None)
        else:
            OPS[self.__name__] = self._replaced
        _VERSION[0] += 1

    def __reduce__(self) -> tuple[Any, ...]:
        return _op_function, (self.__name__, self.__module__)

    def __repr__(self) -> str:
        return f"<op {self.__name__!r} defined in {self.__module__}>"


def _op_function(name: str, module: str) -> OpFunction:
    if name not in OPS:
        importlib.import_module(module)  # defining the op is a side effect of importing it
    if name not in OPS:
        raise LookupError(f"op {name!r} is not defined (it was defined in {module})")
    return OpFunction(name, module)


def define_op(name: str, forward: Callable[..., float], *vjps: Callable[..., Any],
              symbol: str = "", commutative: bool = False, positive: Sequence[int] = (),
              kink: Callable[..., float] | None = None,
              array: Callable[..., Any] | None = None,
              replace: bool = False) -> OpFunction:
    """Add an op of one or two operands to the table and return a function that applies it.

    ``forward`` takes one float per operand and returns a float; give one VJP rule per operand,
    ``rule(g, out, *operands)``. ``backward()`` calls the rules with floats,
    ``backward(create_graph=True)`` with Values and the traced mode with arrays, so write them
    with the vocabulary of the table: ``+ - *``, comparisons and this module's ``div``,
    ``power``, ``exp``, ``log``, ``sin``, ``cos``, ``sigmoid``, ``sign``, ``where`` and
    ``equal`` (never an ``if`` on the data). ``array`` is the forward function over NumPy
    arrays; without it, the traced mode runs ``forward`` itself on arrays when it is written
    with that vocabulary, else element by element (slower, the same numbers). The other
    options are the table's (see ``Op``). The op then appears in drawings, step captions and
    the random expressions of ``autograd_lite.testing`` like a built-in one, and traces.

    Op names are global: ``replace=True`` redefines an op you defined before (handy when
    re-running a notebook cell; traced functions notice and trace again), the built-in ops
    cannot be replaced, and ``with define_op(...) as op:`` removes the op again at the end of
    the block.

    >>> from autograd_lite import Value, define_op
    >>> with define_op("cube", lambda x: x * x * x, lambda g, out, x: g * 3.0 * x * x) as cube:
    ...     x = Value(2.0)
    ...     cube(x).backward()
    >>> x.grad
    12.0
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"define_op: name must be a non-empty string, got {name!r}")
    if name in BUILTIN_OPS or (name in OPS and not replace):
        raise ValueError(f"define_op: an op named {name!r} already exists")
    if not callable(forward) or not all(callable(rule) for rule in vjps):
        raise TypeError(f"define_op: op {name!r} needs a forward function and VJP rules")
    if not 1 <= len(vjps) <= 2:
        raise ValueError(f"define_op: op {name!r} needs one VJP rule per operand "
                         f"(one or two operands), got {len(vjps)}")
    if not all(isinstance(i, int) and 0 <= i < len(vjps) for i in positive):
        raise ValueError(f"define_op: positive={tuple(positive)!r} must list operand indices")
    if array is not None and not callable(array):
        raise TypeError(f"define_op: array= must be the op's forward function over NumPy "
                        f"arrays, got {type(array).__name__}")
    replaced = OPS.get(name)
    OPS[name] = Op(name, forward, tuple(vjps), array, symbol=symbol, commutative=commutative,
                   positive=tuple(positive), kink=kink)
    _VERSION[0] += 1
    caller = sys._getframe(1).f_globals.get("__name__", "__main__")
    return OpFunction(name, caller, replaced)


# ---------------------------------------------------------------------------------------------
# Making nodes
#
# A node keeps its operands in two slots, ``_a`` and ``_b`` (None when absent), rather than in a
# tuple: one object fewer per node, which saves memory and, above all, the garbage collector's
# time, which grows with the number of objects it tracks. An operand is a Value or, for a plain
# number in the expression (the 2 in ``x * 2``), that number as a float: a constant, not a
# graph node. An op of any other number of operands (``sum``) keeps their tuple in ``_a``.
# ---------------------------------------------------------------------------------------------

_new = object.__new__


class _NoGraph:
    """Marks a result computed under ``no_grad()``: a leaf that would have had a history."""

    def __repr__(self) -> str:
        return "NO_GRAPH"

    def __reduce__(self) -> str:
        return "NO_GRAPH"


NO_GRAPH = _NoGraph()


def _node(mode: Any, data: Any, op: str, a: Any, b: Any, depth: int) -> Value:
    """The one place that makes op nodes: ``op`` of operands ``a`` (and ``b``), in ``mode``
    (``STATE.get()``); ``data`` is the result, or ``TRACED`` while a trace records."""
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out.label = None
    if mode is NORMAL:  # recording, no checks: the usual case, first
        out._op = op
        out._a = a
        out._b = b
        out._depth = depth
        return out
    if mode.anomaly and data is not TRACED:
        check_forward(op, _operands_of(a, b), data)
    if mode.grad_enabled:
        out._op, out._a, out._b, out._depth = op, a, b, depth
    else:  # no_grad(): record nothing, the result is a leaf
        out._op, out._a, out._b, out._depth = "", None, NO_GRAPH, 0
    if mode.trace is not None:  # autograd_lite.jit is recording what the function builds
        mode.trace.record(out)
    return out


def _operands_of(a: Any, b: Any) -> tuple[Value | float, ...]:
    if a is None:
        return ()
    if type(a) is tuple:
        return a
    return (a,) if b is None else (a, b)


def _constant(x: object) -> float | None:
    """A number operand as a float, or None when ``x`` is not a real number."""
    if type(x) is float:
        return x
    try:
        return numerics.to_float(x)
    except TypeError:
        return None


def apply_op(name: str, operands: Sequence[Value | Number]) -> Value:
    """Apply the op ``name`` of the table to operands that may mix Values and numbers.

    >>> apply_op("*", [Value(3.0), 2]).data
    6.0
    """
    if name not in OPS:
        raise KeyError(f"no op named {name!r} in the op table")
    op = OPS[name]
    if op.arity is not None and len(operands) != op.arity:
        raise TypeError(f"op {name!r} takes {op.arity} operand(s), got {len(operands)}")
    if not operands:
        raise ValueError(f"op {name!r} needs at least one operand")
    args: list[Value | float] = []
    for o in operands:
        if type(o) is not Value:
            c = _constant(o)
            if c is None:
                raise TypeError(f"op {name!r}: operands must be Values or real numbers, "
                                f"got {type(o).__name__}")
            o = c
        args.append(o)
    depths = [a._depth for a in args if type(a) is Value]
    mode = STATE.get()
    if mode is not NORMAL and mode.trace is not None and depths:
        data = TRACED
    else:
        data = op.forward(*[_float_data(a) if type(a) is Value else a for a in args])
    if not depths:
        return Value(data)  # numbers only: a constant
    if op.arity is None or op.arity > 2:
        return _node(mode, data, name, tuple(args), None, max(depths) + 1)
    return _node(mode, data, name, args[0], args[1] if len(args) == 2 else None,
                 max(depths) + 1)


def maximum(a: Value | Number, b: Value | Number) -> Value:
    """The larger of ``a`` and ``b``, as an op: the gradient goes to the larger one (split in
    half at a tie). Unlike Python's ``max``, which compares the data and returns one of the
    Values, it can be traced by ``autograd_lite.jit``.

    >>> x = Value(3.0)
    >>> y = maximum(x, 1.0)
    >>> y.backward()
    >>> y.data, x.grad
    (3.0, 1.0)
    """
    return apply_op("maximum", (a, b))


def logsumexp(terms: Iterable[Value | Number]) -> Value:
    """``log(sum(exp(t) for t in terms))`` as one op, stable for large terms; its gradient is
    the softmax of the terms.

    >>> logsumexp([Value(800.0), 0.0, 0.0]).data
    800.0
    """
    return apply_op("logsumexp", tuple(terms))


def softplus(x: Value | Number) -> Value:
    """``log(1 + exp(x))`` as one op, without overflow; its derivative is ``sigmoid(x)``.

    >>> round(softplus(Value(0.0)).data, 6), softplus(Value(-800.0)).data
    (0.693147, 0.0)
    """
    return apply_op("softplus", (x,))


def select(index: Value | Number, options: Sequence[Value | Number]) -> Value:
    """``options[index]`` as an op: the gradient goes to the option picked, and the others get
    none. ``index`` may be a Value (a label that is an input of a traced function) and must
    hold a whole number in range, else the result is ``nan``.

    >>> z = [Value(2.0), Value(-1.0), Value(0.5)]
    >>> select(1, z).data
    -1.0
    """
    return apply_op("select", (index, *options))


# The methods below are the ops most graphs are made of; they skip ``apply_op``'s checks.

def _unary(name: str) -> Callable[[Value], Value]:
    forward = OPS[name].forward

    def method(self: Value) -> Value:
        a = self.data
        if type(a) is not float:
            a = _float_data(self)
        mode = STATE.get()
        data = forward(a) if mode is NORMAL or mode.trace is None else TRACED
        return _node(mode, data, name, self, None, self._depth + 1)

    method.__doc__ = f"The op {name!r} applied to this Value (see the op table, ``OPS``)."
    return method


def _binary(name: str) -> Callable[[Value, object], Value]:
    forward = OPS[name].forward

    def method(self: Value, other: object) -> Value:
        a = self.data
        if type(a) is not float:
            a = _float_data(self)
        if type(other) is Value:
            b = other.data
            if type(b) is not float:
                b = _float_data(other)
            x, y = self._depth, other._depth
            depth = (x if x > y else y) + 1
        else:
            if type(other) is not float:
                other = _constant(other)
                if other is None:  # Python then raises its usual TypeError
                    return cast(Value, NotImplemented)
            b = other
            depth = self._depth + 1
        mode = STATE.get()
        data = forward(a, b) if mode is NORMAL or mode.trace is None else TRACED
        return _node(mode, data, name, self, other, depth)

    return method


def _reflected(name: str) -> Callable[[Value, object], Value]:
    forward = OPS[name].forward

    def method(self: Value, other: object) -> Value:  # `other <op> self`, other a number
        c = _constant(other)
        if c is None:
            return cast(Value, NotImplemented)
        a = self.data
        if type(a) is not float:
            a = _float_data(self)
        mode = STATE.get()
        data = forward(c, a) if mode is NORMAL or mode.trace is None else TRACED
        return _node(mode, data, name, c, self, self._depth + 1)

    return method


def _float_data(value: Value) -> Any:
    """``value.data`` as a float, for an op: a number assigned that is not a Python float (a
    NumPy scalar, an int) is converted, in place, the first time an op reads it, so the
    graph computes in Python floats; what is not a real number raises ``TypeError``."""
    data = value.data
    if data is TRACED:
        return data
    data = numerics.to_float(data)
    value.data = data
    return data


# ---------------------------------------------------------------------------------------------
# Value
# ---------------------------------------------------------------------------------------------

@final
class Value:
    """A scalar node of the computation graph: a float ``data`` and its gradient ``grad``.

    Ops on Values (``+ - * / **``, unary ``-``, ``abs()``, and the methods ``exp log tanh
    sigmoid relu sin cos sqrt``) return new Values that remember their operands (``_prev``, in
    order) and the op (``_op``). ``backward()`` then fills ``.grad`` of every node with the
    derivative of this node with respect to it.

    >>> x = Value(2.0, label="x")
    >>> y = x * x + 3 * x
    >>> y.backward()
    >>> y.data, x.grad
    (10.0, 7.0)

    ``data`` is a plain attribute, as in micrograd (a training loop assigns it thousands of
    times a step). Assign real numbers: one that is not a Python float (an int, a NumPy
    scalar) is converted in place by the first op that reads it, so the graph still computes
    in Python floats, and anything else (a string, None) makes that op raise ``TypeError``.

    A Value used where Python wants a number behaves like PyTorch's 0-d tensors, except that
    equality is identity:

    * ``float(v)``, ``int(v)``, ``v.item()`` and ``round(v)`` give the number (math functions
      such as ``math.exp(v)`` too): a plain number, outside the graph; use ``v.exp()`` to stay
      in it.
    * ``v < w``, ``v <= 2``, ... compare the data and return a bool, so ``max(values)`` and
      ``sorted(values)`` work and return Values; ``bool(v)`` is ``v.data != 0``.
    * ``v == w`` is ``v is w``: Values are graph nodes and dictionary keys, and hash by
      identity. Comparing a Value with a number by ``==`` or ``!=`` raises ``TypeError``
      (compare ``v.data``), rather than answering a silent ``False``.

    Inside a function that ``jit`` traces, none of these give a number (it would be frozen
    into the trace): they raise ``TraceError``.
    """

    __slots__ = ("_a", "_b", "_depth", "_op", "data", "grad", "label")

    data: Any  # a float; TRACED for a Value made while a trace records
    grad: Any  # a float; a Value after backward(create_graph=True)
    label: str | None
    _op: str  # the op's name in OPS; "" for a leaf
    _a: Any  # first operand (a Value or a float constant); for a variadic op, all operands
    _b: Any  # second operand of a binary op, else None (NO_GRAPH: computed under no_grad())
    _depth: int  # 0 for a leaf, else 1 + the largest depth among the Value operands

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # The engine tells graph nodes from constants with `type(x) is Value` (fast on the hot
        # path); a subclass instance would silently be taken for neither.
        raise TypeError("Value cannot be subclassed; wrap it or add ops with define_op")

    def __init__(self, data: Number, label: str | None = None) -> None:
        if isinstance(data, Value):
            raise TypeError("Value(...) takes a number, got a Value; use .detach() to copy one")
        if label is not None and not isinstance(label, str):
            raise TypeError(f"label must be a str or None, got {type(label).__name__}")
        self.data = numerics.to_float(data)
        self.grad = 0.0
        self.label = label
        self._op = ""
        self._a = None
        self._b = None
        self._depth = 0
        if TRACING[0]:
            trace = STATE.get().trace
            if trace is not None:  # a number the traced function made: a constant of the trace
                trace.constant(self)

    @property
    def _prev(self) -> tuple[Value, ...]:
        """The Values this node was computed from, in operand order (constants left out)."""
        return tuple(o for o in self._operands if type(o) is Value)

    @property
    def _operands(self) -> tuple[Value | float, ...]:
        """All operands in order: Values and the float constants among them."""
        return _operands_of(self._a, self._b)

    # arithmetic -------------------------------------------------------------------------------
    __add__ = _binary("+")
    __radd__ = _reflected("+")
    __sub__ = _binary("-")
    __rsub__ = _reflected("-")
    __mul__ = _binary("*")
    __rmul__ = _reflected("*")
    __truediv__ = _binary("/")
    __rtruediv__ = _reflected("/")
    __pow__ = _binary("**")
    __rpow__ = _reflected("**")
    __neg__: Callable[[Value], Value] = _unary("neg")
    __abs__ = _unary("abs")

    def __pos__(self) -> Value:
        return self

    # functions --------------------------------------------------------------------------------
    exp = _unary("exp")
    log = _unary("log")
    tanh = _unary("tanh")
    sigmoid = _unary("sigmoid")
    relu = _unary("relu")
    sin = _unary("sin")
    cos = _unary("cos")
    sqrt = _unary("sqrt")

    @staticmethod
    def sum(terms: Iterable[Value | Number]) -> Value:
        """Add many terms as one graph node (op ``'sum'``), left to right.

        The result equals the chain ``((t0 + t1) + t2) + ...`` bit for bit, with one node
        instead of one per ``+``. Numbers among the terms are constants.

        >>> Value.sum([Value(1.0), 2, Value(3.5)]).data
        6.5
        """
        terms = tuple(terms)
        if not terms:
            raise ValueError("Value.sum needs at least one term")
        if all([type(t) is Value for t in terms]):  # a neuron's sum: skip apply_op's checks
            values = cast(tuple[Value, ...], terms)
            mode = STATE.get()
            data = (_sum_floats(*[t.data if type(t.data) is float else _float_data(t)
                                  for t in values])
                    if mode is NORMAL or mode.trace is None else TRACED)
            return _node(mode, data, "sum", values, None, max([t._depth for t in values]) + 1)
        return apply_op("sum", terms)

    # graph ------------------------------------------------------------------------------------
    def detach(self) -> Value:
        """A new leaf with the same data and no history: gradients stop here."""
        trace = STATE.get().trace
        if trace is not None:  # a trace follows the data through, without the gradient
            leaf = _new(Value)
            leaf.data, leaf.grad, leaf.label = TRACED, 0.0, None
            leaf._op, leaf._a, leaf._b, leaf._depth = "", None, None, 0
            trace.detach(leaf, self)
            return leaf
        return Value(self.data)

    def backward(self, create_graph: bool = False) -> None:
        """Add d(self)/d(node) to ``node.grad`` for every node this Value was computed from.

        The output's own gradient is seeded with 1.0. Gradients *accumulate*: calling
        ``backward()`` twice gives twice the gradients (as in PyTorch and micrograd); reset
        them with ``model.zero_grad()`` or by assigning ``v.grad = 0.0``. The traversal is
        iterative, so graphs of any depth work.

        With ``create_graph=True`` the backward pass is recorded and every ``.grad`` becomes a
        Value you can differentiate again, even inside ``no_grad()``. Without it, ``.grad``
        always ends as a plain float: a Value left there by an earlier ``create_graph=True``
        pass is read as its data and the new gradient added to it (the graph behind it is not
        extended).

        Raises ``RuntimeError`` when this Value was computed under ``no_grad()``: no graph was
        recorded, so there is nothing to backpropagate through.
        """
        _check_recorded(self, "backward()")
        if not create_graph and STATE.get() is NORMAL:
            _backward_floats(self)
            return
        grads: dict[Value, Any] = {self: 1.0}
        for _ in backprop(self, grads, create_graph=create_graph):
            pass
        for node, g in grads.items():
            old = node.grad
            if not create_graph:
                node.grad = g if old is None else _number_of(old) + g
            elif old is None or (type(old) is not Value and old == 0.0):
                node.grad = g if type(g) is Value else Value(g)
            else:
                node.grad = old + g

    # numbers: each read refuses to freeze a number into a trace (see modes.TRACED) ---------
    def item(self) -> float:
        """The data as a Python float (as PyTorch's ``Tensor.item()``)."""
        if TRACING[0]:
            check_not_tracing("v.item()")
        return float(self.data)

    def __float__(self) -> float:
        if TRACING[0]:
            check_not_tracing("float(v)")
        return float(self.data)

    def __int__(self) -> int:
        if TRACING[0]:
            check_not_tracing("int(v)")
        return int(self.data)

    def __round__(self, ndigits: int | None = None) -> float:
        if TRACING[0]:
            check_not_tracing("round(v)")
        return cast(float, round(self.data, ndigits))

    def __bool__(self) -> bool:
        if TRACING[0]:
            check_not_tracing("bool(v) (an if, while, and, or on a Value)")
        return bool(self.data != 0.0)

    def __index__(self) -> int:
        raise TypeError("a Value is not an integer: it cannot index or repeat a list (its "
                        "number could change); pick one of several Values with "
                        "select(index, options), or use int(v) for the number")

    def _compare(self, other: object, compare: Callable[[Any, Any], bool]) -> bool:
        if TRACING[0]:
            check_not_tracing("a comparison (<, <=, >, >=, or max(), sorted())")
        number = _number(other)
        if number is None:
            return cast(bool, NotImplemented)
        return compare(self.data, number)

    def __lt__(self, other: object) -> bool:
        return self._compare(other, operator.lt)

    def __le__(self, other: object) -> bool:
        return self._compare(other, operator.le)

    def __gt__(self, other: object) -> bool:
        return self._compare(other, operator.gt)

    def __ge__(self, other: object) -> bool:
        return self._compare(other, operator.ge)

    def __eq__(self, other: object) -> bool:
        if type(other) is Value:
            return self is other
        if _constant(other) is not None:
            raise TypeError(_EQUALITY_WITH_A_NUMBER)
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        if type(other) is Value:
            return self is not other
        if _constant(other) is not None:
            raise TypeError(_EQUALITY_WITH_A_NUMBER)
        return NotImplemented

    __hash__ = object.__hash__

    # copying: graphs of any depth, without recursion (see ``copying``) ------------------------
    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        _check_copyable(self, "pickling")
        return copying.reduce(self, topological_order)

    def __copy__(self) -> Value:
        _check_copyable(self, "copy.copy(v)")
        return cast(Value, copying.shallow_copy(self))

    def __deepcopy__(self, memo: dict[int, Any]) -> Value:
        _check_copyable(self, "copy.deepcopy(v)")
        return cast(Value, copying.deep_copy(self, memo, topological_order))

    # display ----------------------------------------------------------------------------------
    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    def __format__(self, spec: str) -> str:
        if not spec:
            return repr(self)
        if TRACING[0]:
            check_not_tracing("formatting v")
        return format(self.data, spec)


# The generated methods are closures; name them like ordinary methods so that they read well
# in tracebacks and can be pickled by reference (a model that stores `Value.relu`, say).
for _name, _method in list(vars(Value).items()):
    if getattr(_method, "__qualname__", "").startswith(("_unary.", "_binary.", "_reflected.")):
        _method.__name__, _method.__qualname__ = _name, f"Value.{_name}"


_EQUALITY_WITH_A_NUMBER = (
    "a Value is a graph node: == on Values means 'the same node' (they are dictionary "
    "keys), so a Value is never equal to a number; compare its number instead: "
    "v.data == 2.0")


def _number(other: object) -> float | None:
    """What a Value is compared with, as a float: a Value's data or a number (else None)."""
    return other.data if type(other) is Value else _constant(other)


def _number_of(x: Any) -> float:
    """A gradient's number: a float, or the data of a Value left by create_graph=True."""
    return cast(float, x.data) if type(x) is Value else cast(float, x)


def _check_copyable(value: Value, what: str) -> None:
    if TRACING[0]:
        check_not_tracing(what)
    if value.data is TRACED:
        raise TraceError(f"{user_line()}: {what}: this Value was made while jit traced; it "
                         "stands for every example and holds no number")


def _check_recorded(root: Value, what: str) -> None:
    if root._b is NO_GRAPH:
        raise RuntimeError(
            f"{what}: this Value was computed under no_grad(), so no graph was recorded and "
            "nothing would get a gradient; compute it outside no_grad() (detach() makes a "
            "leaf on purpose)")
    check_not_tracing(f"{what}, backpropagating,")
    if root.data is TRACED:
        raise TraceError(f"{what}: this Value was made while jit traced; it holds no number, "
                         "so it cannot be differentiated eagerly")


# ---------------------------------------------------------------------------------------------
# The walk
#
# A node is deeper than each of its operands, so visiting nodes from the deepest level down
# visits every node after all of its consumers: a topological order, found without recursion.
# When the walk reaches a node, its gradient is complete, and it passes it on to its operands.
# ---------------------------------------------------------------------------------------------

def _deepest_first(root: Value) -> Iterator[Value]:
    """Every node ``root`` depends on, each once, deepest level first; within a level, in the
    order they were reached. A node's operands are filed once the caller is done with it."""
    seen = {root}
    levels: defaultdict[int, list[Value]] = defaultdict(list)
    levels[root._depth].append(root)
    for depth in range(root._depth, -1, -1):
        for node in levels.pop(depth, ()):
            yield node
            a = node._a
            for operand in (a if type(a) is tuple else (a, node._b)):
                if type(operand) is Value and operand not in seen:
                    seen.add(operand)
                    levels[operand._depth].append(operand)


def reverse_topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, each once, deepest first (``root`` first): the order in
    which ``backward()``, ``gradients()`` and ``backward_steps`` visit them."""
    return list(_deepest_first(root))


def topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, each once, operands before results (``root`` last)."""
    order = reverse_topological_order(root)
    order.reverse()
    return order


def operand_gradients(node: Value, g: Any = 1.0, *, create_graph: bool = False
                      ) -> list[tuple[int, Value, Any]]:
    """One chain-rule step: ``(position, operand, gradient)`` for each Value operand of
    ``node`` that gets a gradient when ``g`` flows into it, from the op table. With
    ``g = 1.0`` the gradients are the local derivatives d node / d operand. With
    ``create_graph=True`` the rules run on Values and record the step in the graph. Constants
    get nothing, and neither do the options a ``select`` did not choose.

    >>> x, y = Value(3.0), Value(4.0)
    >>> [(i, o.data, d) for i, o, d in operand_gradients(x * y)]
    [(0, 3.0, 4.0), (1, 4.0, 3.0)]
    """
    if not node._op:
        return []
    op = OPS[node._op]
    operands = node._operands
    if create_graph:
        out: Any = node
        args: Sequence[Any] = operands
    else:
        out, args = node.data, [o.data if type(o) is Value else o for o in operands]
        g = _number_of(g)
    if op.variadic:
        rule = op.vjps[0]
        head = args[:1] if op.selector is not None else []
        start = len(head)
        passed = [(i, o, rule(g, out, args[i], float(i - start), *head))
                  for i, o in enumerate(operands) if i >= start and type(o) is Value]
    else:
        passed = [(i, o, op.vjps[i](g, out, *args)) for i, o in enumerate(operands)
                  if type(o) is Value]
    return [(i, o, c) for i, o, c in passed if c is not None]


def backprop(root: Value, grads: dict[Value, Any], *, create_graph: bool = False
             ) -> Iterator[tuple[Value, Any, list[tuple[int, Value, Any, Any]]]]:
    """The reverse walk: pass gradients from ``root`` down its graph, one op node at a time.

    ``grads`` maps nodes to their gradients; it must hold ``root``'s seed (usually
    ``{root: 1.0}``) and is filled as the walk goes. For each op node that gets a gradient,
    deepest level first, the walk yields ``(node, grad, flows)`` once ``node``'s gradient is
    complete and passed on: ``flows`` holds ``(position, operand, contribution, total)`` for
    each Value operand that gets a gradient, ``total`` being the operand's gradient right
    after the contribution was added. With ``create_graph=True`` the rules run on Values,
    recorded in the graph (whatever the mode around), so gradients are Values. Under
    ``detect_anomaly()`` every contribution is checked.

    >>> x = Value(3.0)
    >>> y = x * x
    >>> grads = {y: 1.0}
    >>> [(node._op, g, [c for _, _, c, _ in flows]) for node, g, flows in backprop(y, grads)]
    [('*', 1.0, [3.0, 3.0])]
    >>> grads[x]
    6.0
    """
    check_not_tracing("backpropagating (backward(), gradients(), grad())")
    mode = STATE.get()
    check = mode.anomaly
    record = create_graph and not mode.grad_enabled
    seen = {root}
    levels: defaultdict[int, list[Value]] = defaultdict(list)
    levels[root._depth].append(root)
    for depth in range(root._depth, 0, -1):
        for node in levels.pop(depth, ()):
            g = grads[node]
            if record:  # the rules must record the step even inside no_grad()
                with enable_grad():
                    passed = operand_gradients(node, g, create_graph=True)
            else:
                passed = operand_gradients(node, g, create_graph=create_graph)
            flows = []
            for position, operand, contribution in passed:
                if check:
                    check_backward(node._op, node, node._operands, position, contribution)
                if operand not in seen:
                    seen.add(operand)
                    levels[operand._depth].append(operand)
                total = grads.get(operand)
                if total is not None:
                    total = total + contribution
                else:  # gradients start at 0.0; on Values, adding it would only add a node
                    total = contribution if create_graph else 0.0 + contribution
                grads[operand] = total
                flows.append((position, operand, contribution, total))
            yield node, g, flows


def _backward_floats(root: Value) -> None:
    """``backward()`` in the usual case: float gradients, no anomaly checks.

    A specialisation of ``backprop``: the same walk, level by level, with the gradients kept in
    the ``.grad`` fields instead of a dict, the levels filed inline, and the rules of ``*``,
    ``+`` and ``sum`` (most of every graph) inlined. Measured on the W1 training graph (38,514
    nodes), it takes a third of the generic walk's instructions (callgrind) and runs 2.4 to 2.9
    times as fast; a property test checks that both give bit-identical gradients.
    """
    # Each pass propagates only its own gradient: a node still holding an earlier pass's
    # gradient starts from 0.0 and gets the old value added back at the end.
    old = root.grad
    kept = [(root, old)] if old else []
    root.grad = 1.0
    seen = {root}
    levels: defaultdict[int, list[Value]] = defaultdict(list)
    levels[root._depth].append(root)
    vjps_of = {name: op.vjps for name, op in OPS.items()}  # plain tuples: quicker to reach

    def reach(operand: Value) -> None:  # first contact: file it, start its gradient at 0.0
        seen.add(operand)
        old = operand.grad
        if old:  # a gradient of an earlier pass (a Value counts by its data)
            kept.append((operand, old))
        operand.grad = 0.0  # None and -0.0 too
        levels[operand._depth].append(operand)

    def give(operand: Value, contribution: float | None) -> None:
        if contribution is not None:  # None: the rule passes nothing (select's others)
            if operand not in seen:
                reach(operand)
            operand.grad += contribution

    for depth in range(root._depth, 0, -1):  # depth 0 holds leaves: nothing to pass on
        for node in levels.pop(depth, ()):
            a = node._a
            b = node._b
            op = node._op
            g = node.grad
            if type(a) is tuple:  # a variadic op
                if op == "sum":  # every term gets g
                    for operand in a:
                        if type(operand) is Value:
                            if operand not in seen:
                                reach(operand)
                            operand.grad += g
                else:
                    for _, operand, share in operand_gradients(node, g):
                        give(operand, share)
            elif type(b) is Value:
                if type(a) is Value:
                    if op == "*":
                        if a not in seen:
                            reach(a)
                        if b not in seen:
                            reach(b)
                        a.grad += g * b.data
                        b.grad += g * a.data
                    elif op == "+":
                        if a not in seen:
                            reach(a)
                        if b not in seen:
                            reach(b)
                        a.grad += g
                        b.grad += g
                    else:
                        vjps = vjps_of[op]
                        x, y, out = a.data, b.data, node.data
                        give(a, vjps[0](g, out, x, y))
                        give(b, vjps[1](g, out, x, y))
                else:  # a constant on the left
                    give(b, vjps_of[op][1](g, node.data, a, b.data))
            elif b is None:  # a unary op
                give(a, vjps_of[op][0](g, node.data, a.data))
            elif op == "*":  # a constant on the right
                if a not in seen:
                    reach(a)
                a.grad += g * b
            elif op == "+":
                if a not in seen:
                    reach(a)
                a.grad += g
            else:
                give(a, vjps_of[op][0](g, node.data, a.data, b))
    for node, old in kept:
        node.grad = node.grad if old is None else _number_of(old) + node.grad
