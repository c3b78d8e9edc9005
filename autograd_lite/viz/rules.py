"""The derivative rules of the op table, as text: ``1 - o**2`` for ``o = tanh(n)``.

The rules of ``OPS`` are written in a vocabulary (``+ - *``, comparisons, ``div``, ``power``,
``exp``, ``where``, ...) that dispatches to an ``apply_op`` class method when it meets an
object that has one. ``Formula`` is such an object: its operations build text instead of
numbers, so calling a rule on formulas prints the rule itself. There is no second table of
rules to keep in step with the first: a rule changed in the table prints changed.

>>> from autograd_lite import Value
>>> n = Value(0.5, label="n")
>>> o = n.tanh(); o.label = "o"
>>> local_rule(o, 0)
'1 - o**2'
>>> w, x = Value(2.0, label="w"), Value(3.0, label="x")
>>> local_rule(w * x, 0), local_rule(w / x, 1), local_rule(w ** 2, 0)
('x', '-(out / x)', '2 * w')
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from ..engine import OPS, Value

__all__ = ["Formula", "local_rule", "written", "atom"]

# How tightly each kind of text binds, as in Python: an operand that binds less tightly than
# its op is put in parentheses.
_ATOM, _POWER, _UNARY, _PRODUCT, _SUM, _COMPARISON, _AND, _CHOICE = range(8, 0, -1)
_BINARY = {"+": _SUM, "-": _SUM, "*": _PRODUCT, "/": _PRODUCT, "**": _POWER,
           "lt": _COMPARISON, "le": _COMPARISON, "gt": _COMPARISON, "ge": _COMPARISON,
           "equal": _COMPARISON, "and": _AND}
_SYMBOLS = {"lt": "<", "le": "<=", "gt": ">", "ge": ">=", "equal": "==", "and": "and"}


class Formula:
    """Text of an expression that the rules' vocabulary can compute with.

    ``Formula("x") * 2`` is ``Formula("x * 2")``; ``exp(Formula("x"))`` (the engine's
    ``exp``) is ``Formula("exp(x)")``. Multiplying by one, adding zero and other steps that
    change nothing are left out, so a rule called with ``g = 1`` reads as the local
    derivative alone.

    >>> from autograd_lite.engine import exp
    >>> str(exp(Formula("x") - Formula("m")) * 1.0)
    'exp(x - m)'
    """

    __slots__ = ("precedence", "text")

    def __init__(self, text: str, precedence: int = _ATOM) -> None:
        self.text = text
        self.precedence = precedence

    @classmethod
    def apply_op(cls, name: str, operands: Sequence[Any]) -> Any:
        """What the engine's vocabulary (``div``, ``exp``, ``where``, ...) calls on a Formula."""
        return _apply(name, list(operands))

    def __add__(self, other: Any) -> Any:
        return _apply("+", [self, other])

    def __radd__(self, other: Any) -> Any:
        return _apply("+", [other, self])

    def __sub__(self, other: Any) -> Any:
        return _apply("-", [self, other])

    def __rsub__(self, other: Any) -> Any:
        return _apply("-", [other, self])

    def __mul__(self, other: Any) -> Any:
        return _apply("*", [self, other])

    def __rmul__(self, other: Any) -> Any:
        return _apply("*", [other, self])

    def __truediv__(self, other: Any) -> Any:
        return _apply("/", [self, other])

    def __rtruediv__(self, other: Any) -> Any:
        return _apply("/", [other, self])

    def __pow__(self, other: Any) -> Any:
        return _apply("**", [self, other])

    def __neg__(self) -> Any:
        return _apply("neg", [self])

    def __lt__(self, other: Any) -> Any:
        return _apply("lt", [self, other])

    def __le__(self, other: Any) -> Any:
        return _apply("le", [self, other])

    def __gt__(self, other: Any) -> Any:
        return _apply("gt", [self, other])

    def __ge__(self, other: Any) -> Any:
        return _apply("ge", [self, other])

    def __and__(self, other: Any) -> Any:
        return _apply("and", [self, other])

    def __rand__(self, other: Any) -> Any:
        return _apply("and", [other, self])

    def __bool__(self) -> bool:  # a rule that branches in Python cannot be printed
        raise TypeError("a formula has no truth value")

    __hash__ = None  # type: ignore[assignment]

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"Formula({self.text!r})"


def _number(x: float) -> str:
    return format(x, "g") if x == x else "nan"


def _text(x: Any, binding: int, right: bool = False) -> str:
    """``x`` as text inside an operation that binds as tightly as ``binding``."""
    if isinstance(x, Formula):
        inner = x.precedence < binding or (right and x.precedence == binding)
        return f"({x.text})" if inner else x.text
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, int | float):
        text = _number(float(x))
        # -2 * x reads as it computes; x * (-2) and (-2)**x need the parentheses
        tight = binding >= _POWER or (right and binding >= _SUM)
        return f"({text})" if text.startswith("-") and tight else text
    raise TypeError(f"not a formula: {type(x).__name__}")


def _is(x: Any, number: float) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and float(x) == number


def _apply(name: str, xs: list[Any]) -> Any:
    if all(isinstance(x, int | float) for x in xs) and name in OPS:
        return OPS[name].forward(*map(float, xs))  # numbers only: a number
    if name == "where":
        condition, a, b = xs
        if condition is True or condition is False:
            return a if condition else b
        chosen = _text(a, _CHOICE + 1)
        if b is None:  # nothing flows where the condition fails
            return Formula(f"{chosen} where {_text(condition, _CHOICE + 1)}", _CHOICE)
        return Formula(f"{chosen} if {_text(condition, _CHOICE + 1)} else "
                       f"{_text(b, _CHOICE)}", _CHOICE)
    if name == "and" and any(x is True or x is False for x in xs):
        a, b = xs
        if a is False or b is False:
            return False
        return b if a is True else a
    if name in _BINARY:
        a, b = xs
        if name == "*":
            if _is(a, 1.0):
                return b
            if _is(b, 1.0):
                return a
            if _is(a, -1.0):
                return _apply("neg", [b])
            if _is(b, -1.0):
                return _apply("neg", [a])
            if isinstance(a, Formula) and isinstance(b, Formula) and a.text == b.text:
                return _apply("**", [a, 2.0])
        if name in ("+", "-") and _is(b, 0.0):
            return a
        if name == "+" and _is(a, 0.0):
            return b
        if name == "**" and _is(b, 1.0):
            return a
        binding = _BINARY[name]
        symbol = _SYMBOLS.get(name, name)
        if name == "**":  # x**2, as people write it
            return Formula(f"{_text(a, binding + 1)}**{_text(b, binding, right=False)}",
                           binding)
        return Formula(f"{_text(a, binding)} {symbol} {_text(b, binding, right=True)}",
                       binding)
    if name == "neg":
        (a,) = xs
        return Formula(f"-{_text(a, _UNARY)}", _UNARY)
    # a function: exp(x), sigmoid(x), sign(x), ...
    return Formula(f"{name}({', '.join(_text(x, 0) for x in xs)})")


def written(name: str, operands: Sequence[Formula | float]) -> Formula:
    """The op ``name`` applied to ``operands`` as it is written, with nothing left out
    (``x * 1`` stays): how a node is named by its op. Parentheses only where needed.

    >>> w, x, b = Formula("w"), Formula("x"), Formula("b")
    >>> str(written("tanh", [written("+", [written("*", [w, x]), b])]))
    'tanh(w * x + b)'
    >>> str(written("*", [written("-", [w, x]), 2.0])), str(written("neg", [w]))
    ('(w - x) * 2', '-w')
    """
    symbol = OPS[name].symbol if name in OPS else ""
    if symbol and len(operands) == 2:
        binding = {"+": _SUM, "-": _SUM, "*": _PRODUCT, "/": _PRODUCT}.get(symbol, _POWER)
        a, b = operands
        if symbol == "**":
            return Formula(f"{_text(a, binding + 1)}**{_text(b, binding)}", binding)
        return Formula(f"{_text(a, binding)} {symbol} {_text(b, binding, right=True)}",
                       binding)
    if symbol and len(operands) == 1:
        return Formula(f"{symbol}{_text(operands[0], _UNARY)}", _UNARY)
    return Formula(f"{name}({', '.join(_text(x, 0) for x in operands)})")


def atom(name: str) -> str:
    """``name`` as an operand in a formula: in parentheses unless it is one word or call.

    >>> atom("x"), atom("tanh(n)"), atom("w * x"), atom("L1.n3.w2")
    ('x', 'tanh(n)', '(w * x)', 'L1.n3.w2')
    """
    if re.fullmatch(r"[\w.\[\]']+", name) or _is_call(name):
        return name
    return f"({name})"


def _as_formula(name: str | Formula) -> Formula:
    return name if isinstance(name, Formula) else Formula(atom(name))


def _is_call(text: str) -> bool:
    match = re.match(r"[\w.]+\(", text)
    if not match or not text.endswith(")"):
        return False
    depth = 0
    for i, char in enumerate(text[match.end() - 1:], match.end() - 1):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return i == len(text) - 1
    return False


def local_rule(node: Value, position: int, names: Sequence[str | Formula] | None = None,
               out: str | Formula | None = None) -> str | None:
    """The rule of d ``node`` / d operand ``position`` as text, from the op table's rule.

    The operands are written as ``names`` (texts or ``Formula`` objects; default: their
    labels, else ``a``, ``b``, ...; constants as numbers) and the result as ``out``
    (default: the node's label, else ``out``). None for a rule that cannot be printed: one
    of an op added with ``define_op`` that computes with floats (``math.cos``) rather than
    the rules' vocabulary, or a rule that gives no gradient.

    >>> from autograd_lite import Value
    >>> x = Value(1.0, label="x")
    >>> local_rule(x.relu(), 0), local_rule(x.exp(), 0, out="exp(x)")
    ('0 if out <= 0 else 1', 'exp(x)')
    """
    if not node._op or node._op not in OPS:
        return None
    op = OPS[node._op]
    operands = node._operands
    if names is None:
        names = [o.label or "abcdefgh"[i % 8] if isinstance(o, Value) else ""
                 for i, o in enumerate(operands)]
    args: list[Any] = [_as_formula(name) if isinstance(o, Value) else float(o)
                       for o, name in zip(operands, names, strict=True)]
    result = _as_formula(out if out is not None else node.label or "out")
    rule: Callable[..., Any]
    try:
        if op.variadic:
            head = args[:1] if op.selector is not None else []
            rule = op.vjps[0]
            k = float(position - len(head))
            text = rule(1.0, result, args[position], k, *head)
        else:
            text = op.vjps[position](1.0, result, *args)
    except Exception:  # a rule that computes with floats only: it has no text
        return None
    if isinstance(text, Formula):
        return text.text
    if isinstance(text, int | float) and not isinstance(text, bool):
        return _number(float(text))
    return None
