"""Backpropagation one node at a time: the steps of ``backward()``, to look at or to replay.

``backward_steps(root)`` yields one ``BackwardStep`` per op node, in exactly the order
``backward()`` visits them (``reverse_topological_order``; leaves pass nothing on). Each step
says which node passes its gradient to which operands, the local derivative d node / d operand,
the contribution that flows, and the gradient of every node after the step. The arithmetic is
``backward()``'s own, operation for operation: gradients start at 0.0 (the root's at 1.0) and
each contribution is added with ``+=``, node after node and, within a node, in operand order.
So after the last step the gradients equal, bit for bit, those ``backward()`` gives on a graph
whose ``.grad`` fields are all zero.

The user's ``.grad`` fields are left alone unless ``apply=True`` is given.

>>> from autograd_lite import Value
>>> from autograd_lite.viz.stepthrough import backward_steps
>>> a = Value(3.0, label="a")
>>> b = a + a; b.label = "b"
>>> c = b * b; c.label = "c"
>>> for step in backward_steps(c):
...     print(step)
step 1 of 2: 'c' = b * b passes its grad 1 on
  to operand 1, 'b': local derivative b = 6, contribution 6, its grad becomes 6
  to operand 2, 'b': local derivative b = 6, contribution 6, its grad becomes 12
step 2 of 2: 'b' = a + a passes its grad 12 on
  to operand 1, 'a': local derivative 1, contribution 12, its grad becomes 12
  to operand 2, 'a': local derivative 1, contribution 12, its grad becomes 24
>>> a.grad  # untouched: the steps kept their own gradients
0.0
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from ..engine import (
    Value,
    backprop,
    operand_gradients,
    reverse_topological_order,
    value_of,
)
from ..modes import _set_mode
from .rules import Formula, atom, local_rule, written

__all__ = [
    "backward_steps", "BackwardStep", "GradientFlow", "GradSnapshot", "describe_node",
    "describe_op", "format_number",
]


def format_number(x: float, fmt: str = "g") -> str:
    """``format(x, fmt)``, except that a number that prints as zero has no minus sign.

    ``-1e-9`` with ``".4f"`` reads ``0.0000``, not ``-0.0000``: a reader would take the sign
    for a meaningful negative gradient. Infinities and NaN print as usual.

    >>> format_number(-1e-9, ".4f"), format_number(-0.0), format_number(-0.5, ".1f")
    ('0.0000', '0', '-0.5')
    """
    text = format(x, fmt)
    if text.startswith("-"):
        mantissa = re.split("[eE]", text[1:], maxsplit=1)[0]
        if mantissa and set(mantissa) <= set("0.,_%"):
            return text[1:]
    return text


def describe_node(node: Value, fmt: str = "g") -> str:
    """The one name a node has in prose: its label (quoted), else its op and operands.

    An operand is named the same way, a few levels down and a few terms along (``...``
    stands for the rest); a leaf without a label is ``Value(data)``. Every caption of the
    step-through names a node with this, so a node reads the same at every step.

    >>> from autograd_lite import Value
    >>> w, x = Value(-1.5, label="w"), Value(0.5, label="x")
    >>> describe_node(x), describe_node(w * x), describe_node((w * x).tanh())
    ("'x'", 'w * x', 'tanh(w * x)')
    >>> describe_node(Value(2.0) * 3)
    'Value(2) * 3'
    """
    return repr(node.label) if node.label else _unquoted(node, fmt, own_label=False)


_NAME_LENGTH = 48  # a longer name is cut shallower or shorter (see _SHAPES)
_SHAPES = ((3, 3), (2, 3), (2, 2), (1, 2), (1, 1))  # (levels, terms) named, tried in turn


def _unquoted(node: Value, fmt: str, own_label: bool = True) -> str:
    """``describe_node`` without quotes around a label: as a name reads inside a formula.
    With ``own_label=False`` the node itself is named by its op even when it has a label."""
    return _name(node, fmt, own_label).text


def _name(node: Value, fmt: str, own_label: bool = True) -> Formula:
    if node.label and own_label:
        return Formula(atom(node.label))
    for depth, terms in _SHAPES:
        name = _formula(node, depth, terms, fmt, own_label)
        if len(name.text) <= _NAME_LENGTH:
            break
    return name


def _formula(node: Value, depth: int, terms: int, fmt: str, own_label: bool = True
             ) -> Formula:
    if node.label and own_label:
        return Formula(atom(node.label))
    if not node._op:
        return Formula(f"Value({format_number(node.data, fmt)})")
    if depth == 0:
        return Formula("...")
    operands = node._operands
    names: list[Formula | float] = [
        _formula(o, depth - 1, terms, fmt) if isinstance(o, Value) else float(o)
        for o in operands[:terms + 1]]
    if len(operands) > terms + 1:
        names = [*names[:terms], Formula("...")]
    return written(node._op, names)


def describe_op(node: Value) -> str | None:
    """How ``node`` was computed, e.g. ``"b * b"`` or ``"tanh(x)"``, with its operands named
    as ``describe_node`` names them; None for a leaf.

    >>> from autograd_lite import Value
    >>> x = Value(1.0, label="x")
    >>> describe_op(2 * x), describe_op(x.tanh()), describe_op(x.tanh() + 1), describe_op(x)
    ('2 * x', 'tanh(x)', 'tanh(x) + 1', None)
    """
    return _unquoted(node, "g", own_label=False) if node._op else None


def _is_number(text: str, x: float) -> bool:
    """Whether ``text`` is the number ``x`` written out (a rule that is a constant, ``1``)."""
    try:
        return float(text) == x
    except ValueError:
        return False


class GradientFlow(NamedTuple):
    """The gradient one operand receives in a step.

    ``position`` is the operand's index among the node's operands (``node._operands``, where
    constants count too); ``grad_after`` is the operand's gradient right after this
    contribution was added (an operand used twice by one op receives two flows).
    """

    operand: Value
    position: int
    local_derivative: float
    contribution: float
    grad_after: float


class GradSnapshot(Mapping[Value, float]):
    """Read-only mapping node -> gradient, as it stood after one step.

    Every node of the graph is a key (iteration follows ``reverse_topological_order``), so
    ``dict(step.grads)`` lists them all. Snapshots share one history of changes, so keeping
    every step's snapshot costs memory in proportion to the number of contributions, not to
    steps times nodes.
    """

    __slots__ = ("_history", "_order", "_time")

    def __init__(self, history: dict[Value, tuple[list[int], list[float]]],
                 order: list[Value], time: int) -> None:
        self._history = history
        self._order = order
        self._time = time

    def __getitem__(self, node: Value) -> float:
        times, values = self._history[node]
        return values[bisect_right(times, self._time) - 1]

    def __iter__(self) -> Iterator[Value]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)

    def __contains__(self, node: object) -> bool:
        return node in self._history

    def __repr__(self) -> str:
        return f"<GradSnapshot after step {self._time + 1} of {len(self._order)} nodes>"


@dataclass(frozen=True, eq=False)
class BackwardStep:
    """One step of ``backward()``: ``node`` passes its gradient ``grad`` to its operands.

    ``flows`` holds one ``GradientFlow`` per Value operand, in operand order; ``grads`` maps
    every node of the graph to its gradient after this step (a ``GradSnapshot``). ``index``
    counts from 0 and ``total`` is the number of steps.
    """

    index: int
    total: int
    node: Value
    grad: float
    flows: tuple[GradientFlow, ...]
    grads: GradSnapshot

    @property
    def operands(self) -> tuple[Value, ...]:
        """The Values that receive gradient, in operand order (repeated when used twice)."""
        return tuple(f.operand for f in self.flows)

    @property
    def local_derivatives(self) -> tuple[float, ...]:
        """d node / d operand for each flow (``operand_gradients(node, 1.0)``)."""
        return tuple(f.local_derivative for f in self.flows)

    @property
    def contributions(self) -> tuple[float, ...]:
        """The gradient each operand receives (``operand_gradients(node, grad)``)."""
        return tuple(f.contribution for f in self.flows)

    def rule(self, position: int, fmt: str = "g") -> str | None:
        """The rule of the local derivative d node / d operand ``position``, as text, read
        from the op table (see ``autograd_lite.viz.rules``): ``"1 - o**2"`` for
        ``o = tanh(n)``. Operands and the node are named as ``describe_node`` names them,
        without quotes (the data of unlabelled leaves formatted with ``fmt``). None for a
        constant, or for a rule with no text (an op defined with
        ``define_op`` whose rule computes with floats only).

        >>> from autograd_lite import Value
        >>> n = Value(0.5, label="n")
        >>> o = n.tanh(); o.label = "o"
        >>> next(backward_steps(o)).rule(0)
        '1 - o**2'
        """
        node = self.node
        operands = node._operands
        if position >= len(operands) or not isinstance(operands[position], Value):
            return None
        names: list[str | Formula] = [_name(o, fmt) if isinstance(o, Value) else ""
                                      for o in operands]
        return local_rule(node, position, names, _name(node, fmt))

    def describe(self, fmt: str = "g") -> str:
        """The step in words, numbers formatted with ``fmt`` (e.g. ``".4f"``).

        One line per operand, in operand order: a Value operand's local derivative (its
        rule and value, as ``rule`` gives it: ``1 - o**2 = 0.42``), contribution and new
        grad, or, for a plain number, that it is a constant and gets no gradient. A number
        that rounds to zero prints without a minus sign.

        >>> from autograd_lite import Value
        >>> x = Value(4.0, label="x")
        >>> print(next(backward_steps(10 - x)).describe(".1f"))
        step 1 of 1: 10 - x passes its grad 1.0 on
          operand 1 is the constant 10: no gradient
          to operand 2, 'x': local derivative -1.0, contribution -1.0, its grad becomes -1.0
        """
        def number(x: float) -> str:
            return format_number(x, fmt)

        node = self.node
        name = describe_node(node, fmt)
        if node.label and node._op:
            name += f" = {describe_op(node)}"
        lines = [f"step {self.index + 1} of {self.total}: {name} "
                 f"passes its grad {number(self.grad)} on"]
        flows = {f.position: f for f in self.flows}
        for position, operand in enumerate(node._operands):
            f = flows.get(position)
            if f is None:  # a plain number: not a node, so nothing flows to it
                lines.append(f"  operand {position + 1} is the constant "
                             f"{format_number(value_of(operand), 'g')}: no gradient")
                continue
            derivative = number(f.local_derivative)
            rule = self.rule(position, fmt)
            if rule is not None and not _is_number(rule, f.local_derivative):
                derivative = f"{rule} = {derivative}"
            lines.append(
                f"  to operand {position + 1}, {describe_node(f.operand, fmt)}: "
                f"local derivative {derivative}, "
                f"contribution {number(f.contribution)}, its grad becomes {number(f.grad_after)}"
            )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.describe()


def backward_steps(root: Value, *, apply: bool = False) -> Iterator[BackwardStep]:
    """The steps of ``root.backward()``, one op node at a time, as ``BackwardStep`` objects.

    Gradients are tracked apart from the nodes: the ``.grad`` fields are not touched, and the
    final ``step.grads`` are those ``backward()`` gives when every ``.grad`` starts at zero.
    With ``apply=True`` each step also writes the gradients into ``.grad`` as it goes,
    accumulating on top of what the fields held before like ``backward()`` does, so that
    running every step leaves ``.grad`` exactly as ``root.backward()`` would (stopping early
    leaves the gradients part-way). The root's gradient is seeded with 1.0 before the first step.
    Steps are computed as you iterate, so a long backward pass can be followed step by step.

    >>> from autograd_lite import Value
    >>> x = Value(2.0, label="x")
    >>> y = x * x + 3 * x
    >>> steps = list(backward_steps(y))
    >>> [s.node._op for s in steps]
    ['+', '*', '*']
    >>> steps[1].local_derivatives, steps[1].contributions  # x * x passes 1.0 to x, twice
    ((2.0, 2.0), (2.0, 2.0))
    >>> steps[-1].grads[x], x.grad  # x.grad is untouched
    (7.0, 0.0)
    >>> y.backward()
    >>> steps[-1].grads[x] == x.grad  # the very same float as backward()
    True
    """
    if not isinstance(root, Value):
        raise TypeError(f"backward_steps: root must be a Value, got {type(root).__name__}")
    return _steps(root, apply)


def _steps(root: Value, apply: bool) -> Iterator[BackwardStep]:
    order = reverse_topological_order(root)
    # Each node's gradient over time: the steps at which it changed (-1 = the seed) and the
    # values it took, as the walk reports them. A step's snapshot reads the last value at or
    # before its own index.
    history: dict[Value, tuple[list[int], list[float]]] = {
        node: ([-1], [1.0 if node is root else 0.0]) for node in order
    }
    before = {node: node.grad for node in order} if apply else {}
    if apply:
        _write(root, 1.0, before)
    with _set_mode(anomaly=False):  # how many op nodes a gradient reaches (see select)
        total = sum(1 for _ in backprop(root, {root: 1.0}))
    grads: dict[Value, Any] = {root: 1.0}
    for index, (node, g, flows) in enumerate(backprop(root, grads)):
        local = {position: d for position, _, d in operand_gradients(node, 1.0)}
        recorded = []
        for position, operand, contribution, grad in flows:
            times, values = history[operand]
            if times[-1] == index:  # the same operand twice in one op: keep the last value
                values[-1] = grad
            else:
                times.append(index)
                values.append(grad)
            if apply:
                _write(operand, grad, before)
            recorded.append(GradientFlow(operand, position, local[position], contribution, grad))
        yield BackwardStep(index, total, node, g, tuple(recorded),
                           GradSnapshot(history, order, index))


def _write(node: Value, grad: float, before: dict[Value, Any]) -> None:
    old = before[node]
    node.grad = grad if old is None else value_of(old) + grad
