"""The engine: ``Value`` nodes, the op table, and reverse-mode differentiation.

Each op is one row of ``OPS``: a float function for the forward pass and, for each operand, a
vector-Jacobian product (VJP) rule ``rule(g, out, *operands)`` giving the gradient that flows
to that operand when ``g`` flows into the op's output ``out``. The rules use only operations
that work on floats *and* on Values (``+ - *`` and the helpers ``div``, ``power``, ``exp``,
``log``, ``sin``, ``cos``, ``value_of``). ``backward()`` calls them with floats;
``backward(create_graph=True)`` calls the very same rules with Values, so the backward pass is
itself recorded and can be differentiated again. The rules follow PyTorch's derivative
formulas operation for operation, so gradients round the same way.

Numerics follow IEEE-754 (see ``numerics``): ops never raise, they return ``inf`` or ``nan``.
Choices at kinks and edges, written down once:

* ``relu`` and ``abs`` have derivative 0 at 0 (the subgradient PyTorch and JAX use).
* ``x ** y``: d/dx is ``y * x ** (y - 1)``, and 0 at ``x == y == 0`` (where the formula
  would give ``0 * inf``); d/dy is ``x ** y * log(x)``, and 0 when ``x == 0`` and
  ``y >= 0``. For a negative base d/dy is ``nan`` (``log(x)`` is not real), while d/dx is
  finite where ``x ** y`` is (an integer ``y``).
* A plain number in an op (the 2 in ``x * 2``) is a constant: it is not a graph node and gets
  no gradient.
"""

from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple

from . import numerics
from .modes import NORMAL, STATE, check_backward, check_forward, no_grad

__all__ = [
    "Value", "Op", "OPS", "define_op", "topological_order", "reverse_topological_order",
    "backprop", "operand_gradients", "format_op",
    "div", "power", "exp", "log", "sin", "cos", "value_of",
]

Number = int | float


# ---------------------------------------------------------------------------------------------
# Functions that work on floats and Values alike: the vocabulary of the derivative rules.
# ---------------------------------------------------------------------------------------------

def value_of(x: Value | float) -> float:
    """The float inside ``x`` (a Value or a number), for conditions inside rules."""
    return x.data if isinstance(x, Value) else x


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
    return x.exp() if isinstance(x, Value) else numerics.exp(x)


def log(x: Value | float) -> Value | float:
    """Natural logarithm of a float or a Value."""
    return x.log() if isinstance(x, Value) else numerics.log(x)


def sin(x: Value | float) -> Value | float:
    """Sine of a float or a Value."""
    return x.sin() if isinstance(x, Value) else numerics.sin(x)


def cos(x: Value | float) -> Value | float:
    """Cosine of a float or a Value."""
    return x.cos() if isinstance(x, Value) else numerics.cos(x)


# ---------------------------------------------------------------------------------------------
# The op table
# ---------------------------------------------------------------------------------------------

class Op(NamedTuple):
    """One row of the op table.

    ``forward`` maps operand floats to the result float and never raises. ``vjps[i](g, out,
    *operands)`` is the gradient for operand ``i``. A ``variadic`` op (``sum``) has one rule,
    called as ``vjps[0](g, out)``, that gives every operand's gradient.
    """

    forward: Callable[..., float]
    vjps: tuple[Callable[..., Any], ...]
    variadic: bool = False
    symbol: str = ""  # "+" prints "a + b" (for one operand, "-" prints "-a"); "" prints "op(a)"
    commutative: bool = False  # operand order does not matter (drawings leave edges unnamed)


def _sum_floats(*terms: float) -> float:
    total = terms[0]
    for t in terms[1:]:  # left to right, exactly like a chain of binary additions
        total += t
    return total


OPS: dict[str, Op] = {
    # op:     forward,             vjp for each operand (g = gradient of the output)
    "+":       Op(operator.add,     (lambda g, out, a, b: g,
                                     lambda g, out, a, b: g), symbol="+", commutative=True),
    "-":       Op(operator.sub,     (lambda g, out, a, b: g,
                                     lambda g, out, a, b: -g), symbol="-"),
    "*":       Op(operator.mul,     (lambda g, out, a, b: g * b,
                                     lambda g, out, a, b: g * a), symbol="*", commutative=True),
    "/":       Op(numerics.div,     (lambda g, out, a, b: div(g, b),
                                     lambda g, out, a, b: -g * div(out, b)), symbol="/"),
    "**":      Op(numerics.pow,     (lambda g, out, a, b:
                                     0.0 if value_of(b) == 0.0 and value_of(a) == 0.0
                                     else g * (b * power(a, b - 1)),
                                     lambda g, out, a, b: g * (
                                         0.0 if value_of(a) == 0.0 and value_of(b) >= 0.0
                                         else out * log(a))), symbol="**"),
    "neg":     Op(operator.neg,     (lambda g, out, a: -g,), symbol="-"),
    "abs":     Op(abs,              (lambda g, out, a: g * numerics.sign(value_of(a)),)),
    "exp":     Op(numerics.exp,     (lambda g, out, a: g * out,)),
    "log":     Op(numerics.log,     (lambda g, out, a: div(g, a),)),
    "tanh":    Op(numerics.tanh,    (lambda g, out, a: g * (1.0 - out * out),)),
    "sigmoid": Op(numerics.sigmoid, (lambda g, out, a: g * (1.0 - out) * out,)),
    "relu":    Op(numerics.relu,    (lambda g, out, a: 0.0 if value_of(out) <= 0.0 else g,)),
    "sin":     Op(numerics.sin,     (lambda g, out, a: g * cos(a),)),
    "cos":     Op(numerics.cos,     (lambda g, out, a: g * -sin(a),)),
    "sqrt":    Op(numerics.sqrt,    (lambda g, out, a: div(g, 2.0 * out),)),
    "sum":     Op(_sum_floats,      (lambda g, out: g,), variadic=True, commutative=True),
}
_BUILTIN_OPS = frozenset(OPS)


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


def define_op(name: str, forward: Callable[..., float], *vjps: Callable[..., Any],
              replace: bool = False) -> Callable[..., Value]:
    """Add an op of one or two operands to the table and return a function that applies it.

    ``forward`` takes one float per operand and returns a float; give one VJP rule per operand,
    ``rule(g, out, *operands)``. ``backward()`` calls the rules with floats and
    ``backward(create_graph=True)`` with Values, so write them with operations that work on
    both: ``+ - *`` and this module's ``div``, ``power``, ``exp``, ``log``, ``sin``, ``cos`` and
    ``value_of`` (which, unlike Python's float operators, never raise). Op names are global:
    ``replace=True`` redefines an op you defined before (handy when re-running a notebook
    cell); the built-in ops cannot be replaced.

    >>> import math
    >>> from autograd_lite import Value, define_op
    >>> from autograd_lite.engine import exp
    >>> softplus = define_op("softplus", lambda x: math.log1p(math.exp(x)),
    ...                      lambda g, out, x: g * (1.0 - exp(-out)))  # = g * sigmoid(x)
    >>> x = Value(0.0)
    >>> softplus(x).backward()
    >>> x.grad
    0.5
    """
    if not isinstance(name, str) or not name:
        raise TypeError("define_op: name must be a non-empty string")
    if name in _BUILTIN_OPS or (name in OPS and not replace):
        raise ValueError(f"define_op: an op named {name!r} already exists")
    if not 1 <= len(vjps) <= 2:
        raise ValueError(f"define_op: op {name!r} needs one VJP rule per operand "
                         f"(one or two operands), got {len(vjps)}")
    OPS[name] = Op(forward, tuple(vjps))

    def apply(*operands: Value | Number) -> Value:
        if len(operands) != len(vjps):
            raise TypeError(f"op {name!r} takes {len(vjps)} operand(s), got {len(operands)}")
        return _apply(name, operands)

    apply.__name__ = apply.__qualname__ = name
    apply.__doc__ = f"Apply the op {name!r} (defined with define_op) to its operands."
    return apply


# ---------------------------------------------------------------------------------------------
# Node creation
#
# A node keeps its operands in two slots, ``_a`` and ``_b`` (None when absent), rather than in a
# tuple: one object fewer per node, which saves memory and, above all, the garbage collector's
# time, which grows with the number of objects it tracks. An operand is a Value or, for a plain
# number in the expression (the 2 in ``x * 2``), that number as a float: a constant, not a
# graph node. A variadic op (``sum``) keeps the tuple of its operands in ``_a``.
# ---------------------------------------------------------------------------------------------

_new = object.__new__


def _constant(x: object) -> float | None:
    """A number operand as a float, or None when ``x`` is not a real number."""
    if type(x) is float:
        return x
    try:
        return numerics.to_float(x)
    except TypeError:
        return None


def _in_mode(out: Value, op: str, a: Any, b: Any, depth: int) -> Value:
    """Finish a new node outside the usual mode: check it, or make it a leaf."""
    mode = STATE.get()
    if mode.anomaly:
        check_forward(op, _operands_of(op, a, b), out.data)
    if mode.grad_enabled:
        out._op, out._a, out._b, out._depth = op, a, b, depth
    else:  # no_grad(): record nothing, the result is a leaf
        out._op, out._a, out._b, out._depth = "", None, None, 0
    return out


def _node(data: float, op: str, a: Any, b: Any, depth: int) -> Value:
    """A new op node (the ops on the hot path build theirs inline, the same way)."""
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out.label = None
    return _in_mode(out, op, a, b, depth)


def _operands_of(op: str, a: Any, b: Any) -> tuple[Value | float, ...]:
    if a is None:
        return ()
    if OPS[op].variadic:
        return a
    return (a,) if b is None else (a, b)


def _apply(name: str, operands: Sequence[Value | Number]) -> Value:
    """Apply op ``name`` to operands that may mix Values and numbers."""
    args: list[Value | float] = []
    for o in operands:
        if not isinstance(o, Value):
            c = _constant(o)
            if c is None:
                raise TypeError(
                    f"op {name!r}: operands must be Values or real numbers, "
                    f"got {type(o).__name__}"
                )
            o = c
        args.append(o)
    op = OPS[name]
    data = op.forward(*[value_of(a) for a in args])
    depths = [a._depth for a in args if type(a) is Value]
    if not depths:
        return Value(data)  # numbers only: a constant
    if op.variadic:
        return _node(data, name, tuple(args), None, max(depths) + 1)
    if len(args) > 2:
        raise TypeError(f"op {name!r}: at most two operands, got {len(args)}")
    return _node(data, name, args[0], args[1] if len(args) == 2 else None, max(depths) + 1)


# The three method factories below build nodes inline rather than through `_node`: a function
# call per op is a measurable share of building a graph.

def _unary(name: str) -> Callable[[Value], Value]:
    forward = OPS[name].forward

    def method(self: Value) -> Value:
        out = _new(Value)
        out.data = forward(self.data)
        out.grad = 0.0
        out.label = None
        if STATE.get() is not NORMAL:
            return _in_mode(out, name, self, None, self._depth + 1)
        out._op = name
        out._a = self
        out._b = None
        out._depth = self._depth + 1
        return out

    method.__name__ = name
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
                if other is None:
                    return NotImplemented  # Python then raises its usual TypeError
            data = forward(self.data, other)
            depth = self._depth + 1
        out = _new(Value)
        out.data = data
        out.grad = 0.0
        out.label = None
        if STATE.get() is not NORMAL:
            return _in_mode(out, name, self, other, depth)
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
            return NotImplemented
        return _node(forward(c, self.data), name, c, self, self._depth + 1)

    return method


# ---------------------------------------------------------------------------------------------
# Value
# ---------------------------------------------------------------------------------------------

class Value:
    """A scalar node of the computation graph: a float ``data`` and its gradient ``grad``.

    Ops on Values (``+ - * / **``, unary ``-``, ``abs()``, and the methods ``exp log tanh
    sigmoid relu sin cos sqrt``) return new Values that remember their operands (``_prev``, in
    order) and the op (``_op``). ``backward()`` then fills ``.grad`` of every node with the
    derivative of this node with respect to it. Values hash and compare by identity.

    >>> x = Value(2.0, label="x")
    >>> y = x * x + 3 * x
    >>> y.backward()
    >>> y.data, x.grad
    (10.0, 7.0)
    """

    __slots__ = ("_a", "_b", "_depth", "_op", "data", "grad", "label")

    data: float
    grad: Any  # a float; a Value after backward(create_graph=True)
    label: str | None
    _op: str  # the op's name in OPS; "" for a leaf
    _a: Any  # first operand (a Value or a float constant); for a variadic op, all operands
    _b: Any  # second operand of a binary op, else None
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
        return tuple(o for o in self._operands if isinstance(o, Value))

    @property
    def _operands(self) -> tuple[Value | float, ...]:
        """All operands in order: Values and the float constants among them."""
        return _operands_of(self._op, self._a, self._b)

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
    __neg__ = _unary("neg")
    __abs__ = _unary("abs")

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
        if all([type(t) is Value for t in terms]):  # the usual case, without _apply's checks
            return _node(_sum_floats(*[t.data for t in terms]), "sum", terms, None,
                         max([t._depth for t in terms]) + 1)
        return _apply("sum", terms)

    # graph ------------------------------------------------------------------------------------
    def detach(self) -> Value:
        """A new leaf with the same data and no history: gradients stop here."""
        return Value(self.data)

    def backward(self, create_graph: bool = False) -> None:
        """Add d(self)/d(node) to ``node.grad`` for every node this Value was computed from.

        The output's own gradient is seeded with 1.0. Gradients *accumulate*: calling
        ``backward()`` twice gives twice the gradients (as in PyTorch and micrograd); reset
        them with ``model.zero_grad()`` or by assigning ``v.grad = 0.0``. The traversal is
        iterative, so graphs of any depth work. With ``create_graph=True`` the backward pass is
        recorded and every ``.grad`` becomes a Value you can differentiate again.
        """
        if not create_graph and STATE.get() is NORMAL:
            _backward_floats(self)
            return
        for node, g in backprop(self, create_graph=create_graph).items():
            old = node.grad
            node.grad = g if _is_zero(old) else old + g

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


def _is_zero(grad: object) -> bool:
    return grad is None or (not isinstance(grad, Value) and grad == 0.0)


# ---------------------------------------------------------------------------------------------
# Reverse mode
#
# A node is deeper than each of its operands, so visiting nodes from the deepest level down
# visits every node after all of its consumers: a topological order, found without recursion.
# ---------------------------------------------------------------------------------------------

def reverse_topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, each once, deepest first (``root`` first).

    Within a depth level, nodes come in the order they were reached. ``backward()`` and
    ``gradients()`` both visit nodes in exactly this order, so they sum contributions in the
    same order and give identical gradients.
    """
    order: list[Value] = []
    seen = {root}
    levels: defaultdict[int, list[Value]] = defaultdict(list)
    levels[root._depth].append(root)
    for depth in range(root._depth, -1, -1):
        level = levels.pop(depth, ())
        order += level
        for node in level:
            a = node._a
            for operand in (a if type(a) is tuple else (a, node._b)):
                if type(operand) is Value and operand not in seen:
                    seen.add(operand)
                    levels[operand._depth].append(operand)
    return order


def topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, each once, operands before results (``root`` last)."""
    order = reverse_topological_order(root)
    order.reverse()
    return order


def _backward_floats(root: Value) -> None:
    """``backward()`` in the usual case: float gradients, no anomaly checks.

    The same walk as ``reverse_topological_order``, with each node's gradient passed to its
    operands as soon as the node is reached (all its consumers are done by then): one pass
    instead of two, a fifth fewer instructions than walking the order list afterwards.
    """
    # Each pass propagates only its own gradient: a node still holding an earlier pass's
    # gradient starts from 0.0 and gets the old value added back at the end.
    kept = [(root, root.grad)] if root.grad != 0.0 else []
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
                    if operand.grad != 0.0:
                        kept.append((operand, operand.grad))
                        operand.grad = 0.0
                    levels[operand._depth].append(operand)
            op = node._op
            g = node.grad
            if both:
                if op == "*":  # '*' and '+' make most of every graph: their rules, inlined
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
            else:  # a variadic op: one rule gives every operand its gradient
                share = vjps_of[op][0](g, node.data)
                for operand in operands:
                    operand.grad += share
    for node, old in kept:
        node.grad = node.grad if old is None else old + node.grad


def operand_gradients(node: Value, g: Any = 1.0, *, create_graph: bool = False,
                      check: bool = False) -> list[tuple[Value, Any]]:
    """The ``(operand, gradient)`` pairs that ``node`` passes back when ``g`` flows into it.

    One chain-rule step, from the op table. With ``g = 1.0`` the gradients are the local
    derivatives d node / d operand. With ``create_graph=True`` the rule runs on Values and
    records the step in the graph. Constants get nothing.

    >>> from autograd_lite import Value
    >>> x, y = Value(3.0), Value(4.0)
    >>> [(o.data, d) for o, d in operand_gradients(x * y)]
    [(3.0, 4.0), (4.0, 3.0)]
    """
    if not node._op:
        return []
    op = OPS[node._op]
    operands = node._operands
    out = node if create_graph else node.data
    args = operands if create_graph else [value_of(o) for o in operands]
    share = op.vjps[0](g, out) if op.variadic else None
    pairs = []
    for i, operand in enumerate(operands):
        if isinstance(operand, Value):
            contribution = share if op.variadic else op.vjps[i](g, out, *args)
            if check:
                check_backward(node._op, node, operands, i, contribution)
            pairs.append((operand, contribution))
    return pairs


def backprop(root: Value, seed: Any = 1.0, *, create_graph: bool = False) -> dict[Value, Any]:
    """Map every node of ``root``'s graph to d(root)/d(node), without touching ``.grad``.

    With ``create_graph=True`` the rules run on Values, so the results are Values recorded in
    the graph (floats that are constants are wrapped as leaves). Under ``detect_anomaly()``
    every gradient is checked.
    """
    check = STATE.get().anomaly
    grads: dict[Value, Any] = {root: seed}
    order = reverse_topological_order(root)
    if create_graph:
        for node in order:
            _accumulate(grads, operand_gradients(node, grads[node], create_graph=True, check=check))
        return {n: g if isinstance(g, Value) else Value(g) for n, g in grads.items()}
    with no_grad():
        for node in order:
            _accumulate(grads, operand_gradients(node, value_of(grads[node]), check=check))
    return {n: value_of(g) for n, g in grads.items()}


def _accumulate(grads: dict[Value, Any], pairs: list[tuple[Value, Any]]) -> None:
    for operand, contribution in pairs:
        if operand in grads:
            grads[operand] = grads[operand] + contribution
        elif type(contribution) is float:
            grads[operand] = 0.0 + contribution  # as backward(): -0.0 arrives as 0.0
        else:
            grads[operand] = contribution
