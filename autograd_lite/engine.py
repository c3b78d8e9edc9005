"""The engine: the op table, the ``Value`` node, and the reverse walk.

Read it top to bottom: the vocabulary the derivative rules are written in, the table of ops
(``OPS``: one row per op says everything about it), ``Value`` (a node: a float, its gradient,
its op and operands), and the walk that backpropagates through a graph.

Each row of ``OPS`` has a float ``forward`` function and, for each operand, a vector-Jacobian
product (VJP) rule ``rule(g, out, *operands)``: the gradient that flows to that operand when
``g`` flows into the op's result ``out``. The rules use only operations that work on floats
*and* on Values (``+ - *`` and the helpers ``div``, ``power``, ``exp``, ``log``, ``sin``,
``cos``, ``value_of``). ``backward()`` calls them with floats; ``backward(create_graph=True)``
calls the very same rules with Values, so the backward pass is itself recorded and can be
differentiated again. The rules follow PyTorch's derivative formulas operation for operation,
so gradients round the same way.

Numerics follow IEEE-754 (see ``numerics``): ops never raise, they return ``inf`` or ``nan``.
Choices at kinks and edges, written down once:

* ``relu`` and ``abs`` have derivative 0 at 0 (the subgradient PyTorch and JAX use).
* ``x ** y``: d/dx is ``y * x ** (y - 1)``, and 0 wherever ``y == 0`` (``x ** 0`` is flat in
  ``x``, even where ``x ** -1`` overflows); d/dy is ``x ** y * log(x)``, and 0 when ``x == 0``
  and ``y >= 0``. For a negative base d/dy is ``nan`` (``log(x)`` is not real), while d/dx is
  finite where ``x ** y`` is (an integer ``y``).
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

from . import numerics
from .modes import (
    NORMAL,
    STATE,
    check_backward,
    check_forward,
    check_not_tracing,
    enable_grad,
)

__all__ = [
    "Value", "Op", "OPS", "BUILTIN_OPS", "define_op", "apply_op", "format_op",
    "maximum", "logsumexp", "softplus", "select",
    "backprop", "operand_gradients", "topological_order", "reverse_topological_order",
    "div", "power", "exp", "log", "sin", "cos", "sigmoid", "value_of",
]

Number = int | float


# ---------------------------------------------------------------------------------------------
# Functions that work on floats and Values alike: the vocabulary of the derivative rules.
# ---------------------------------------------------------------------------------------------

def value_of(x: Value | float) -> float:
    """The float inside ``x`` (a Value or a number), for conditions inside rules."""
    return x.data if type(x) is Value else x


def div(a: Value | float, b: Value | float) -> Value | float:
    """``a / b`` for floats or Values, with IEEE results (``1/0 = inf``) on floats."""
    if type(a) is Value or type(b) is Value:
        return a / b
    return numerics.div(a, b)


def power(a: Value | float, b: Value | float) -> Value | float:
    """``a ** b`` for floats or Values (real results only, as ``numerics.pow``)."""
    if type(a) is Value or type(b) is Value:
        return a ** b
    return numerics.pow(a, b)


def exp(x: Value | float) -> Value | float:
    """``e ** x`` of a float or a Value."""
    return x.exp() if type(x) is Value else numerics.exp(x)


def log(x: Value | float) -> Value | float:
    """Natural logarithm of a float or a Value."""
    return x.log() if type(x) is Value else numerics.log(x)


def sin(x: Value | float) -> Value | float:
    """Sine of a float or a Value."""
    return x.sin() if type(x) is Value else numerics.sin(x)


def cos(x: Value | float) -> Value | float:
    """Cosine of a float or a Value."""
    return x.cos() if type(x) is Value else numerics.cos(x)


def sigmoid(x: Value | float) -> Value | float:
    """The logistic function of a float or a Value."""
    return x.sigmoid() if type(x) is Value else numerics.sigmoid(x)


# ---------------------------------------------------------------------------------------------
# The op table
# ---------------------------------------------------------------------------------------------

class Op(NamedTuple):
    """One row of the op table: everything the package knows about an op.

    * ``forward`` maps the operands' floats to the result's float and never raises.
    * ``vjps[i](g, out, *operands)`` is the gradient for operand ``i``. A ``variadic`` op
      (``sum``) takes any number of operands and has one rule that returns the gradients of
      all of them, in order.
    * ``symbol``: how it prints: ``"+"`` reads ``a + b`` (for one operand, ``"-"`` reads
      ``-a``); without a symbol it reads ``name(a, b)``. ``commutative``: operand order does not
      matter (drawings leave the edges unnamed).
    * ``positive``: the operands that must be > 0 for a real, finite result (the domain; the
      random expressions of ``testing`` keep them there). ``kink``: a function of the operands'
      floats that is 0 where the derivative jumps (``relu``: the operand itself); the
      derivative there is the documented subgradient. ``selector``: the position of an
      operand that picks one of the others by number (``select``), a whole number in range.
    * ``array``: for an op added with ``define_op``, its forward function and VJP rules over
      NumPy arrays, for the traced mode (``autograd_lite.compiled`` holds the built-in ops');
      without it, a trace runs the rules above element by element.
    """

    name: str
    forward: Callable[..., float]
    vjps: tuple[Callable[..., Any], ...]
    variadic: bool = False
    symbol: str = ""
    commutative: bool = False
    positive: tuple[int, ...] = ()
    kink: Callable[..., float] | None = None
    selector: int | None = None
    array: tuple[Callable[..., Any], ...] | None = None

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
    if value_of(b) == 0.0:  # x ** 0 is flat in x, even where x ** -1 overflows
        if type(b) is not Value or value_of(a) == 0.0:
            return 0.0
        return g * div(b * out, a)  # 0 in value, but keeps d/dy = 1/x for higher orders
    return g * (b * power(a, b - 1))


def _pow_exponent_vjp(g: Any, out: Any, a: Any, b: Any) -> Any:
    if value_of(a) == 0.0 and value_of(b) >= 0.0:  # 0 ** y is flat in y for y >= 0
        return 0.0
    return g * (out * log(a))


def _identity(x: float) -> float:
    return x


def _difference(a: float, b: float) -> float:
    return a - b


def _logsumexp_vjp(g: Any, out: Any, *terms: Any) -> tuple[Any, ...]:
    return tuple(g * exp(z - out) for z in terms)  # the softmax of the terms


def _select_vjp(g: Any, out: Any, index: Any, *options: Any) -> tuple[Any, ...]:
    chosen = value_of(index)
    return (0.0, *[g if k == chosen else 0.0 for k in range(len(options))])


OPS: dict[str, Op] = {op.name: op for op in [
    #  name       forward            vjp for each operand (g flows into out)
    Op("+",       operator.add,      (lambda g, out, a, b: g,
                                      lambda g, out, a, b: g), symbol="+", commutative=True),
    Op("-",       operator.sub,      (lambda g, out, a, b: g,
                                      lambda g, out, a, b: -g), symbol="-"),
    Op("*",       operator.mul,      (lambda g, out, a, b: g * b,
                                      lambda g, out, a, b: g * a), symbol="*", commutative=True),
    Op("/",       numerics.div,      (lambda g, out, a, b: div(g, b),
                                      lambda g, out, a, b: -g * div(out, b)),
       symbol="/", positive=(1,)),
    Op("**",      numerics.pow,      (_pow_base_vjp, _pow_exponent_vjp),
       symbol="**", positive=(0,)),
    Op("neg",     operator.neg,      (lambda g, out, a: -g,), symbol="-"),
    Op("abs",     abs,               (lambda g, out, a: g * numerics.sign(value_of(a)),),
       kink=_identity),
    Op("exp",     numerics.exp,      (lambda g, out, a: g * out,)),
    Op("log",     numerics.log,      (lambda g, out, a: div(g, a),), positive=(0,)),
    Op("tanh",    numerics.tanh,     (lambda g, out, a: g * (1.0 - out * out),)),
    Op("sigmoid", numerics.sigmoid,  (lambda g, out, a: g * (1.0 - out) * out,)),
    Op("relu",    numerics.relu,     (lambda g, out, a: 0.0 if value_of(out) <= 0.0 else g,),
       kink=_identity),
    Op("sin",     numerics.sin,      (lambda g, out, a: g * cos(a),)),
    Op("cos",     numerics.cos,      (lambda g, out, a: g * -sin(a),)),
    Op("sqrt",    numerics.sqrt,     (lambda g, out, a: div(g, 2.0 * out),), positive=(0,)),
    Op("sum",     _sum_floats,       (lambda g, out, *terms: (g,) * len(terms),),
       variadic=True, commutative=True),
    # data-dependent choices as ops, so that a trace (autograd_lite.jit) can follow them
    Op("maximum", numerics.maximum,  (lambda g, out, a, b: g * numerics.maximum_share(
                                          value_of(a), value_of(b)),
                                      lambda g, out, a, b: g * numerics.maximum_share(
                                          value_of(b), value_of(a))),
       commutative=True, kink=_difference),
    Op("logsumexp", numerics.logsumexp, (_logsumexp_vjp,), variadic=True, commutative=True),
    Op("softplus", numerics.softplus, (lambda g, out, a: g * sigmoid(a),)),
    Op("select",  numerics.select,   (_select_vjp,), variadic=True, selector=0),
]}
BUILTIN_OPS: tuple[str, ...] = tuple(OPS)
"""The names of the ops the engine comes with, in table order (``define_op`` adds others)."""


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
    unpickling), so models and graphs that hold it can be saved.
    """

    def __init__(self, name: str, module: str) -> None:
        self.__name__ = self.__qualname__ = name
        self.__module__ = module
        self.__doc__ = f"Apply the op {name!r} (defined with define_op) to its operands."

    def __call__(self, *operands: Value | Number) -> Value:
        arity = OPS[self.__name__].arity
        if arity is not None and len(operands) != arity:
            raise TypeError(f"op {self.__name__!r} takes {arity} operand(s), "
                            f"got {len(operands)}")
        return apply_op(self.__name__, operands)

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
              array: Sequence[Callable[..., Any]] | None = None,
              replace: bool = False) -> OpFunction:
    """Add an op of one or two operands to the table and return a function that applies it.

    ``forward`` takes one float per operand and returns a float; give one VJP rule per operand,
    ``rule(g, out, *operands)``. ``backward()`` calls the rules with floats and
    ``backward(create_graph=True)`` with Values, so write them with operations that work on
    both: ``+ - *`` and this module's ``div``, ``power``, ``exp``, ``log``, ``sin``, ``cos`` and
    ``value_of`` (which, unlike Python's float operators, never raise). The other options are
    the table's (see ``Op``): how the op prints, where its domain ends and where it has kinks,
    and its NumPy form for ``autograd_lite.jit``; the op then appears in drawings, step
    captions and the random expressions of ``autograd_lite.testing`` like a built-in one, and
    can be traced. Op names are global: ``replace=True``
    redefines an op you defined before (handy when re-running a notebook cell); the built-in
    ops cannot be replaced.

    >>> from autograd_lite import Value, define_op
    >>> cube = define_op("cube", lambda x: x * x * x, lambda g, out, x: g * 3.0 * x * x,
    ...                  replace=True)
    >>> x = Value(2.0)
    >>> cube(x).backward()
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
    if array is not None and (len(array) != 1 + len(vjps) or not all(map(callable, array))):
        raise ValueError(f"define_op: array= needs a NumPy forward function and one NumPy VJP "
                         f"rule per operand ({1 + len(vjps)} functions) for op {name!r}")
    OPS[name] = Op(name, forward, tuple(vjps), symbol=symbol, commutative=commutative,
                   positive=tuple(positive), kink=kink,
                   array=None if array is None else tuple(array))
    caller = sys._getframe(1).f_globals.get("__name__", "__main__")
    return OpFunction(name, caller)


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


def _node(data: float, op: str, a: Any, b: Any, depth: int) -> Value:
    """The one place that makes op nodes: ``op`` of operands ``a`` (and ``b``)."""
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out.label = None
    mode = STATE.get()
    if mode is NORMAL:  # recording, no checks: the usual case, first
        out._op = op
        out._a = a
        out._b = b
        out._depth = depth
        return out
    if mode.anomaly:
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
    data = op.forward(*[value_of(a) for a in args])
    depths = [a._depth for a in args if type(a) is Value]
    if not depths:
        return Value(data)  # numbers only: a constant
    if op.arity is None or op.arity > 2:
        return _node(data, name, tuple(args), None, max(depths) + 1)
    return _node(data, name, args[0], args[1] if len(args) == 2 else None, max(depths) + 1)


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
    """``options[index]`` as an op: the gradient goes to the option picked. ``index`` may be
    a Value (a label that is an input of a traced function) and must hold a whole number in
    range, else the result is ``nan``.

    >>> z = [Value(2.0), Value(-1.0), Value(0.5)]
    >>> select(1, z).data
    -1.0
    """
    return apply_op("select", (index, *options))


# The methods below are the ops most graphs are made of; they skip ``apply_op``'s checks. The
# binary operators (``*`` and ``+`` make most of every graph) also make their node inline, in
# the usual mode, rather than through ``_node``: a function call less per node is 4% fewer
# instructions in building micrograd's training graph (W1).

def _unary(name: str) -> Callable[[Value], Value]:
    forward = OPS[name].forward

    def method(self: Value) -> Value:
        return _node(forward(self.data), name, self, None, self._depth + 1)

    method.__doc__ = f"The op {name!r} applied to this Value (see the op table, ``OPS``)."
    return method


def _binary(name: str) -> Callable[[Value, object], Value]:
    forward = OPS[name].forward

    def method(self: Value, other: object) -> Value:
        if type(other) is Value:
            data = forward(self.data, other.data)
            a, b = self._depth, other._depth
            depth = (a if a > b else b) + 1
        else:
            if type(other) is not float:
                other = _constant(other)
                if other is None:  # Python then raises its usual TypeError
                    return cast(Value, NotImplemented)
            data = forward(self.data, other)
            depth = self._depth + 1
        if STATE.get() is not NORMAL:
            return _node(data, name, self, other, depth)
        out = _new(Value)  # _node's usual case, inlined: see above
        out.data = data
        out.grad = 0.0
        out.label = None
        out._op = name
        out._a = self
        out._b = other
        out._depth = depth
        return out

    return method


def _reflected(name: str) -> Callable[[Value, object], Value]:
    forward = OPS[name].forward

    def method(self: Value, other: object) -> Value:  # `other <op> self`, other a number
        c = _constant(other)
        if c is None:
            return cast(Value, NotImplemented)
        return _node(forward(c, self.data), name, c, self, self._depth + 1)

    return method


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
    """

    __slots__ = ("_a", "_b", "_depth", "_op", "data", "grad", "label")

    data: float
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
            return _node(_sum_floats(*[t.data for t in values]), "sum", values, None,
                         max([t._depth for t in values]) + 1)
        return apply_op("sum", terms)

    # graph ------------------------------------------------------------------------------------
    def detach(self) -> Value:
        """A new leaf with the same data and no history: gradients stop here."""
        leaf = Value(self.data)
        trace = STATE.get().trace
        if trace is not None:  # a trace follows the data through, without the gradient
            trace.detached(leaf, self)
        return leaf

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
                node.grad = g if old is None else value_of(old) + g
            elif old is None or (type(old) is not Value and old == 0.0):
                node.grad = g if type(g) is Value else Value(g)
            else:
                node.grad = old + g

    # numbers ----------------------------------------------------------------------------------
    def item(self) -> float:
        """The data as a Python float (as PyTorch's ``Tensor.item()``)."""
        return self.data

    def __float__(self) -> float:
        return self.data

    def __int__(self) -> int:
        return int(self.data)

    def __round__(self, ndigits: int | None = None) -> float:
        return round(self.data, ndigits)

    def __bool__(self) -> bool:
        return self.data != 0.0

    def __index__(self) -> int:
        raise TypeError("a Value is not an integer: it cannot index or repeat a list (its "
                        "number could change); pick one of several Values with "
                        "select(index, options), or use int(v) for the number")

    def __lt__(self, other: object) -> bool:
        other = _number(other)
        return NotImplemented if other is None else self.data < other

    def __le__(self, other: object) -> bool:
        other = _number(other)
        return NotImplemented if other is None else self.data <= other

    def __gt__(self, other: object) -> bool:
        other = _number(other)
        return NotImplemented if other is None else self.data > other

    def __ge__(self, other: object) -> bool:
        other = _number(other)
        return NotImplemented if other is None else self.data >= other

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
        from . import copying
        return copying.reduce(self)

    def __copy__(self) -> Value:
        from . import copying
        return copying.shallow_copy(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> Value:
        from . import copying
        return copying.deep_copy(self, memo)

    # display ----------------------------------------------------------------------------------
    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    def __format__(self, spec: str) -> str:
        return format(self.data, spec) if spec else repr(self)


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


def _check_recorded(root: Value, what: str) -> None:
    if root._b is NO_GRAPH:
        raise RuntimeError(
            f"{what}: this Value was computed under no_grad(), so no graph was recorded and "
            "nothing would get a gradient; compute it outside no_grad() (detach() makes a "
            "leaf on purpose)")


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
    ``node`` when ``g`` flows into it, from the op table. With ``g = 1.0`` the gradients are
    the local derivatives d node / d operand. With ``create_graph=True`` the rules run on
    Values and record the step in the graph. Constants get nothing.

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
        out, args = node.data, [value_of(o) for o in operands]
        g = value_of(g)
    if op.variadic:
        shares = op.vjps[0](g, out, *args)
        return [(i, o, shares[i]) for i, o in enumerate(operands) if type(o) is Value]
    return [(i, o, op.vjps[i](g, out, *args)) for i, o in enumerate(operands)
            if type(o) is Value]


def backprop(root: Value, grads: dict[Value, Any], *, create_graph: bool = False
             ) -> Iterator[tuple[Value, Any, list[tuple[int, Value, Any, Any]]]]:
    """The reverse walk: pass gradients from ``root`` down its graph, one op node at a time.

    ``grads`` maps nodes to their gradients; it must hold ``root``'s seed (usually
    ``{root: 1.0}``) and is filled as the walk goes. For each op node, in
    ``reverse_topological_order``, the walk yields ``(node, grad, flows)`` once ``node``'s
    gradient is complete and passed on: ``flows`` holds ``(position, operand, contribution,
    total)`` for each Value operand, ``total`` being the operand's gradient right after the
    contribution was added. With ``create_graph=True`` the rules run on Values, recorded in
    the graph (whatever the mode around), so gradients are Values. Under
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
    vjps_of = {name: op.vjps for name, op in OPS.items()}
    for node in _deepest_first(root):
        op = node._op
        if not op:
            continue
        g = grads[node]
        passed: Sequence[tuple[int, Value, Any]]
        if record:  # the rules must record the step even inside no_grad()
            with enable_grad():
                passed = operand_gradients(node, g, create_graph=True)
        elif type(node._a) is tuple:
            passed = operand_gradients(node, g, create_graph=create_graph)
        else:  # one or two operands, most of every graph: the rules called directly
            a, b = node._a, node._b
            rules = vjps_of[op]
            out: Any
            x: Any
            y: Any
            if create_graph:
                out, x, y = node, a, b
            else:
                out, x, y = node.data, a.data if type(a) is Value else a, b
                if type(b) is Value:
                    y = b.data
            if b is None:
                passed = ((0, a, rules[0](g, out, x)),)
            elif type(a) is not Value:
                passed = ((1, b, rules[1](g, out, x, y)),)
            elif type(b) is not Value:
                passed = ((0, a, rules[0](g, out, x, y)),)
            else:
                passed = ((0, a, rules[0](g, out, x, y)), (1, b, rules[1](g, out, x, y)))
        flows = []
        for position, operand, contribution in passed:
            if check:
                check_backward(op, node, node._operands, position, contribution)
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
    for depth in range(root._depth, 0, -1):  # depth 0 holds leaves: nothing to pass on
        for node in levels.pop(depth, ()):
            a = node._a
            b = node._b
            both = type(a) is Value and type(b) is Value
            operands: Sequence[Value]
            if both:
                operands = (a, b)
            elif type(a) is Value:
                operands = (a,)
            elif type(b) is Value:
                operands = (b,)
            else:  # a variadic op
                operands = [o for o in a if type(o) is Value]
            for operand in operands:
                if operand not in seen:  # first contact
                    seen.add(operand)
                    old = operand.grad
                    if old:  # a gradient of an earlier pass (a Value counts by its data)
                        kept.append((operand, old))
                    operand.grad = 0.0  # None and -0.0 too
                    levels[operand._depth].append(operand)
            op = node._op
            g = node.grad
            if both:
                if op == "*":
                    a.grad += g * b.data
                    b.grad += g * a.data
                elif op == "+":
                    a.grad += g
                    b.grad += g
                else:
                    vjps = vjps_of[op]
                    x, y, out = a.data, b.data, node.data
                    a.grad += vjps[0](g, out, x, y)
                    b.grad += vjps[1](g, out, x, y)
            elif b is None and type(a) is Value:  # a unary op
                a.grad += vjps_of[op][0](g, node.data, a.data)
            elif type(a) is Value:  # a constant on the right
                if op == "*":
                    a.grad += g * b
                elif op == "+":
                    a.grad += g
                else:
                    a.grad += vjps_of[op][0](g, node.data, a.data, b)
            elif type(b) is Value:  # a constant on the left
                b.grad += vjps_of[op][1](g, node.data, a, b.data)
            elif op == "sum":  # every term gets g
                for operand in operands:
                    operand.grad += g
            else:  # another op with a tuple of operands: its rules give every gradient
                shares = _tuple_op_gradients(node, g)
                for operand, share in zip(operands, shares, strict=True):
                    operand.grad += share
    for node, old in kept:
        node.grad = node.grad if old is None else value_of(old) + node.grad


def _tuple_op_gradients(node: Value, g: float) -> list[float]:
    return [c for _, _, c in operand_gradients(node, g)]
