"""Exercises of notebooks 08 to 10: finding a wrong rule with gradcheck, a new op, second
derivatives and Newton's method, topological orders and the backward pass."""

from __future__ import annotations

import math
import random
from collections import Counter
from typing import Any

from ..engine import (
    BUILTIN_OPS,
    OPS,
    Value,
    define_op,
    exp,
    log,
    operand_gradients,
    reverse_topological_order,
    sigmoid,
    topological_order,
)
from ..functional import grad, gradients
from ._answers import (
    Mistake,
    NotAnswered,
    Wrong,
    call,
    close,
    compare,
    fmt,
    function,
    number,
    scalar,
    sequence,
)
from ._catalogue import Spec, exercise
from ._probes import chain, first_order_ok, name_of, random_graph, scoped_op, second_order_ok

__all__ = ["SPECS"]


# ---------------------------------------------------------------------------------------------
# 08.1  Find the wrong rule
# ---------------------------------------------------------------------------------------------

def _softsign(x: float, s: float) -> float:
    return s * x / (1 + abs(x))


def _softsign_s_rule(g: Any, out: Any, x: Any, s: Any) -> Any:
    return g * x / (1 + abs(x))


def _check_corrected_rule(answer: Any, rng: random.Random) -> str:
    name = "corrected_rule"
    rule = function(answer, name)
    points = [(sign * round(rng.uniform(0.1, 3.0), 3), round(rng.choice([-1, 1])
               * rng.uniform(0.5, 2.0), 3), round(rng.uniform(0.3, 2.0), 3))
              for sign in (1, -1, 1, -1, -1, 1)]
    rows = []
    for x, s, g in points:
        X, S = Value(x), Value(s)
        F = S * X / (1 + abs(X))
        d_dx, d_ds = gradients(F, [X, S])
        got = scalar(call(rule, g, F.data, x, s, name=name, context=f" at x = {x}, s = {s}"),
                     f"{name}(g={g}, out={fmt(F.data)}, x={x}, s={s})")
        rows.append((x, s, g, got, g * d_dx, g * d_ds))
    if all(close(got, for_s) and not close(got, for_x) for *_, got, for_x, for_s in rows):
        raise Wrong(f"{name} is the rule for s, which was right already; gradcheck's report "
                    "names the input whose partial derivative disagrees (input 0 is x)")
    for x, s, g, got, for_x, _ in rows:
        compare(got, for_x, f"{name}(g={g}, out=..., x={x}, s={s})", rtol=1e-9, atol=1e-15,
                advice="it is g times the derivative of s·x / (1 + |x|) with respect to x",
                mistakes=[
                    Mistake(g * s / (1 + x) ** 2, "that is the rule as it was: right where "
                                                  "x > 0, wrong where x < 0"),
                    Mistake(g / (1 + abs(x)) ** 2, "the factor s is missing"),
                    Mistake(s / (1 + abs(x)) ** 2, "the factor g is missing (a rule multiplies "
                                                   "by the gradient flowing into the result)"),
                ])
    with scoped_op(_softsign, rule, _softsign_s_rule) as op:
        for x, s, *_ in rows[:3]:
            problem = first_order_ok(lambda u, v: 2.0 * op(u, v) + u * v, [x, s])
            if problem is not None:
                raise Wrong(f"as the rule of the op, {problem} at x = {x}, s = {s}")
            if second_order_ok(lambda u, v: op(u, v) * u, [x, s]) is not None:
                raise Wrong(f"{name} is right on floats, but second derivatives through it are "
                            f"wrong (at x = {x}, s = {s}): write it with operations that work "
                            "on Values too (+, −, *, /, abs on g, x and s)")
    return "the corrected rule passes gradcheck and gradgradcheck on both sides of 0."


# ---------------------------------------------------------------------------------------------
# 08.2  A new op: log cosh
# ---------------------------------------------------------------------------------------------

def _log_cosh(v: Value) -> Any:
    return log(0.5 * (exp(v) + exp(-v)))


def _check_logcosh(answer: Any, rng: random.Random) -> str:
    if answer is ...:
        raise NotAnswered("replace the ... with logcosh = define_op(...)")
    op_name = getattr(answer, "__name__", None)
    if not callable(answer) or not isinstance(op_name, str) or op_name not in OPS:
        got = ("a function that is not an op of the table" if callable(answer)
               else f"a {type(answer).__name__}")
        raise Wrong(f"logcosh should be the op function that define_op returns, got {got}: "
                    "make it with define_op(name, forward, rule)")
    if op_name in BUILTIN_OPS:
        raise Wrong(f"that is the built-in op {op_name!r}; define your own with define_op")
    for _ in range(5):
        x = round(rng.uniform(-3, 3), 3)
        g = round(rng.choice([-1, 1]) * rng.uniform(0.3, 2.0), 3)
        node = call(answer, Value(x), name="logcosh", context=f" at x = {x}")
        if not isinstance(node, Value) or node._op != op_name:
            raise Wrong(f"logcosh(Value({x})) should be a node of the op {op_name!r}")
        compare(node.data, math.log(math.cosh(x)), f"logcosh({x})", rtol=1e-12, atol=1e-15,
                advice="the forward function computes log(cosh(x))")
        ((_, _, got),) = operand_gradients(node, g)
        expected = g * grad(_log_cosh)(x)
        compare(scalar(got, f"the rule at g = {g}, x = {x}"), expected,
                f"the rule's gradient for g = {g} at x = {x}", rtol=1e-9, atol=1e-15,
                advice="d log(cosh x) / dx is sinh(x) / cosh(x)", mistakes=[
                    Mistake(expected / g, "the factor g is missing (a rule multiplies by the "
                                          "gradient flowing into the result)"),
                    Mistake(g * (1 - math.tanh(x) ** 2), "that is the derivative of tanh; the "
                                                         "derivative of log(cosh x) is one "
                                                         "step before it"),
                ])
    for _ in range(3):
        x = round(rng.uniform(-2.5, 2.5), 3)
        problem = first_order_ok(lambda v: 2.0 * answer(0.8 * v - 0.3) + v, [x])
        if problem is not None:
            raise Wrong(f"inside a graph, {problem} at x = {x}")
        if second_order_ok(lambda v: answer(0.8 * v - 0.3) * v, [x]) is not None:
            raise Wrong(f"the rule is right to first order, but the second derivative is wrong "
                        f"(at x = {x}): write the rule with operations that work on Values "
                        "too (the engine's exp or sigmoid, and + − *), not math.tanh or .data, "
                        "which read the number and cut the graph")
    return "logcosh passes gradcheck and gradgradcheck at random points."


# ---------------------------------------------------------------------------------------------
# 09.1  A second derivative, by hand
# ---------------------------------------------------------------------------------------------

def _check_second_derivative(answer: Any, rng: random.Random) -> str:
    got = number(answer, "f''(0.5)")

    def f(v: Value) -> Value:
        return v * v.tanh()

    expected = grad(grad(f))(0.5)
    t = math.tanh(0.5)
    compare(got, expected, "f''(0.5) for f(x) = x·tanh(x)", rtol=1e-4, advice=(
        "differentiate f'(x) = tanh(x) + x·tanh'(x) once more, with tanh'' = −2 tanh·tanh'"),
        mistakes=[
            Mistake(grad(f)(0.5), "that is f'(0.5), the first derivative"),
            Mistake(0.5 * -2 * t * (1 - t * t), "that is only x·tanh''(x); the product rule "
                                                "gives two more terms tanh'(x)"),
            Mistake(2 * (1 - t * t), "that is only the tanh'(x) terms; the product rule also "
                                     "gives x·tanh''(x)"),
            Mistake((1 - t * t) + 0.5 * -2 * t * (1 - t * t), "differentiating x·tanh'(x) "
                                                              "gives tanh'(x) too: one term "
                                                              "is missing"),
        ])
    return f"f''(0.5) = {fmt(got)}, as grad(grad(f)) finds."


# ---------------------------------------------------------------------------------------------
# 09.2  Newton's step
# ---------------------------------------------------------------------------------------------

def _check_newton_step(answer: Any, rng: random.Random) -> str:
    name = "newton_step"
    newton_step = function(answer, name)
    for _ in range(4):
        a, b = round(rng.uniform(0.1, 1.0), 2), round(rng.uniform(0.5, 2.0), 2)
        c, d = round(rng.uniform(-1, 1), 2), round(rng.uniform(-2, 2), 2)
        x = round(rng.uniform(-2, 2), 2)
        shift = f"x − {c}" if c >= 0 else f"x + {-c}"
        text = f"f(x) = {a}({shift})⁴ + {b}({shift})² {'+' if d >= 0 else '−'} {abs(d)}x"

        def f(v: Any, a: float = a, b: float = b, c: float = c, d: float = d) -> Any:
            return a * (v - c) ** 4 + b * (v - c) ** 2 + d * v

        slope, curvature = grad(f)(x), grad(grad(f))(x)
        got = scalar(call(newton_step, f, x, name=name, context=f" for {text} at x = {x}"),
                     f"{name}(f, {x})")
        compare(got, x - slope / curvature, f"{name}(f, {x}) for {text}", rtol=1e-9,
                atol=1e-12, advice="x − f'(x) / f''(x), with f' and f'' from grad",
                mistakes=[
                    Mistake(x - f(x) / slope, "that is Newton's step for a root of f, "
                                              "x − f/f'; a minimum is a root of f'"),
                    Mistake(x - slope, "that is a gradient step of size 1; Newton's step "
                                       "divides by the curvature"),
                    Mistake(x + slope / curvature, "the step goes the wrong way: x minus the "
                                                   "ratio"),
                ])
    return f"{name} takes the engine's Newton step on four random quartics."


# ---------------------------------------------------------------------------------------------
# 10.1 and 10.2  Orders and the backward pass, on graphs
# ---------------------------------------------------------------------------------------------

def _small_graphs() -> list[tuple[str, Value]]:
    """The two graphs of notebook 10, where a gradient is passed on too early or twice."""
    a = Value(3.0, label="a")
    b = a + a
    b.label = "b"
    c = b + b
    c.label = "c"
    a2 = Value(3.0, label="a")
    b2 = a2 * 2
    b2.label = "b"
    c2 = b2 * b2
    c2.label = "c"
    d2 = b2 + c2
    d2.label = "d"
    return [("the graph b = a + a, c = b + b", c), ("the graph b = 2a, c = b·b, d = b + c", d2)]


def _graphs(rng: random.Random) -> list[tuple[str, Value]]:
    cases = _small_graphs()
    for k in range(8):
        root, _ = random_graph(rng, rng.randint(8, 25))
        cases.append((f"random graph {k + 1} (of {len(reverse_topological_order(root))} nodes)",
                      root))
    _, deep = chain(5000)
    cases.append(("a chain 5,000 deep", deep))
    return cases


def _check_is_order(order: list[Any], root: Value, where: str) -> None:
    expected = reverse_topological_order(root)
    for i, node in enumerate(order):
        if not isinstance(node, Value):
            raise Wrong(f"entry {i} of the order{where} is a {type(node).__name__}, not a Value")
    counts = Counter(id(node) for node in order)
    twice = [node for node in order if counts[id(node)] > 1]
    if twice:
        raise Wrong(f"{name_of(twice[0])} appears {counts[id(twice[0])]} times in the order"
                    f"{where}: list each node once (keep a set of the nodes already seen)")
    listed = {id(node) for node in order}
    missing = [node for node in expected if id(node) not in listed]
    if missing:
        leaf = " (a leaf)" if not missing[0]._op else ""
        raise Wrong(f"{len(missing)} of the {len(expected)} nodes are missing from the order"
                    f"{where}, such as {name_of(missing[0])}{leaf}")
    if len(order) > len(expected):
        raise Wrong(f"the order{where} lists nodes that root does not depend on")
    position = {id(node): i for i, node in enumerate(order)}
    if order and order[0] is root and len(order) > 1:
        raise Wrong(f"the order{where} starts with the root: that is the reverse order "
                    "(results before their operands); each node must come after its operands")
    for node in order:
        for operand in node._prev:
            if position[id(operand)] > position[id(node)]:
                raise Wrong(f"in the order{where}, {name_of(node)} comes before its operand "
                            f"{name_of(operand)}: each node must come after all of its "
                            "operands")


def _check_topological_order(answer: Any, rng: random.Random) -> str:
    name = "my_topological_order"
    order_of = function(answer, name)
    if order_of is topological_order:
        raise Wrong("that is the engine's own topological_order: write yours")
    cases = _graphs(rng)
    for description, root in cases:
        where = f" on {description}"
        result = call(order_of, root, name=name, context=where)
        if isinstance(result, set | frozenset):
            raise Wrong(f"{name} returns a set{where}: a set has no order; return a list")
        _check_is_order(sequence(result, f"{name}(root){where}"), root, where)
    return f"{name} orders {len(cases) - 1} graphs with shared nodes and a chain 5,000 deep."


def _along(root: Value, order: list[Value], accumulate: bool) -> dict[int, float]:
    """The gradients a backward pass along ``order`` leaves, adding or assigning."""
    grads: dict[int, float] = {id(node): 0.0 for node in order}
    grads[id(root)] = 1.0
    for node in order:
        for _, operand, contribution in operand_gradients(node, grads[id(node)]):
            old = grads[id(operand)] if accumulate else 0.0
            grads[id(operand)] = old + contribution
    return grads


def _by_recursion(root: Value, once: bool, limit: int = 100_000) -> dict[int, float] | None:
    """The gradients notebook 10's recursive passes leave: each node passes its gradient on
    every time it is reached, or (``once``) the first time only. None past ``limit`` visits."""
    grads: dict[int, float] = {id(node): 0.0 for node in reverse_topological_order(root)}
    grads[id(root)] = 1.0
    seen: set[int] = set()
    stack = [root]
    for _ in range(limit):  # the recursion's visits, in the same order, on a stack
        if not stack:
            return grads
        node = stack.pop()
        if once and id(node) in seen:
            continue
        seen.add(id(node))
        for _, operand, contribution in operand_gradients(node, grads[id(node)]):
            grads[id(operand)] += contribution
        stack.extend(reversed(node._prev))
    return None


def _check_backward(answer: Any, rng: random.Random) -> str:
    name = "my_backward"
    backward = function(answer, name)
    cases = _graphs(rng)
    for description, root in cases:
        where = f" on {description}"
        nodes = reverse_topological_order(root)
        expected = gradients(root, nodes)
        for node in nodes:
            node.grad = 0.0
        call(backward, root, name=name, context=where)
        got = [scalar(node.grad, f"the .grad of {name_of(node)} after {name}{where}")
               for node in nodes]
        wrong = [i for i, (g, e) in enumerate(zip(got, expected, strict=True))
                 if not close(g, e, rtol=1e-9, atol=1e-12)]
        if not wrong:
            continue
        if all(g == 0.0 for g in got):
            raise Wrong(f"after {name}{where} every .grad is still 0: start by seeding "
                        "root.grad = 1.0")
        values = {id(node): g for node, g in zip(nodes, got, strict=True)}
        complete = "pass each node's gradient on once, when it is complete (a reverse " \
                   "topological order)"
        for simulated, advice in [
                (_along(root, nodes, False), "a node used several times gets a contribution "
                                             "from each use: add them (+=), do not assign"),
                (_along(root, nodes[::-1], True), "gradients were passed on in the wrong "
                                                  f"order, before they were complete: {complete}"),
                (_by_recursion(root, once=False), "a node passed its gradient on each time it "
                                                  f"was reached, so more than once: {complete}"),
                (_by_recursion(root, once=True), "a node passed its gradient on when it was "
                                                 "first reached, before every node that uses "
                                                 f"it had given its share: {complete}")]:
            if simulated is not None and all(
                    close(values[id(n)], simulated[id(n)], rtol=1e-9, atol=1e-12)
                    for n in nodes):
                raise Wrong(f"the gradients{where} are not right: {advice}")
        node = nodes[wrong[0]]
        raise Wrong(f"after {name}{where}, {name_of(node)} has .grad {fmt(got[wrong[0]])}, "
                    f"and that is not d root / d {name_of(node)}; {len(wrong)} of the "
                    f"{len(nodes)} nodes are wrong")
    return f"{name} gives backward()'s gradients on {len(cases) - 1} graphs and a deep chain."


# ---------------------------------------------------------------------------------------------
# The solutions
# ---------------------------------------------------------------------------------------------

def corrected_rule(g: Any, out: Any, x: Any, s: Any) -> Any:
    """The solution of 08.1: the rule for x, with |x| where the slip had x."""
    return g * s / (1 + abs(x)) ** 2


def logcosh_op() -> Any:
    """The solution of 08.2: an op whose rule works on floats and Values (tanh = 2σ(2x) − 1).
    """
    return define_op("logcosh", lambda x: math.log(math.cosh(x)),
                     lambda g, out, x: g * (2.0 * sigmoid(2.0 * x) - 1.0), replace=True)


def newton_step(f: Any, x: float) -> float:
    """The solution of 09.2."""
    return float(x - grad(f)(x) / grad(grad(f))(x))


def my_topological_order(root: Value) -> list[Value]:
    """The solution of 10.1: depth first, with a stack of its own instead of recursion. A
    node goes into the order when it comes back off the stack, after all of its operands.

    >>> a = Value(3.0, label="a")
    >>> b = a * 2; b.label = "b"
    >>> d = b + b * b; d.label = "d"
    >>> [v.label for v in my_topological_order(d)]
    ['a', 'b', None, 'd']
    """
    order: list[Value] = []
    visited: set[Value] = set()
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:
        node, operands_done = stack.pop()
        if operands_done:
            order.append(node)
        elif node not in visited:
            visited.add(node)
            stack.append((node, True))
            stack.extend((operand, False) for operand in node._prev if operand not in visited)
    return order


def my_backward(root: Value) -> None:
    """The solution of 10.2: the chain rule along a reverse topological order."""
    root.grad = 1.0
    for node in reversed(my_topological_order(root)):
        for _, operand, contribution in operand_gradients(node, node.grad):
            operand.grad += contribution


SPECS: list[Spec] = [
    exercise(
        "08.1", "Find the wrong rule", "find the bug", "corrected_rule",
        statement=r"""
The op `scaled_softsign(x, s)` $= s\,x / (1 + |x|)$ below has a forward function that is right
and two rules, one for each operand, one of which is wrong for some inputs. Use `gradcheck` at
several points (try both signs of $x$) to find which rule, then write that rule correctly as
`corrected_rule(g, out, x, s)`. The check puts your rule in the op and runs `gradcheck` and
`gradgradcheck`.
""",
        template='''
from autograd_lite import define_op
from autograd_lite.testing import gradcheck

scaled_softsign = define_op(
    "scaled_softsign", lambda x, s: s * x / (1 + abs(x)),
    lambda g, out, x, s: g * s / (1 + x) ** 2,    # the rule for x
    lambda g, out, x, s: g * x / (1 + abs(x)),    # the rule for s
    replace=True)

# gradcheck(scaled_softsign, [0.5, 2.0]), gradcheck(scaled_softsign, [-0.5, 2.0]), ...

def corrected_rule(g, out, x, s):
    """The right version of the rule that gradcheck shows is wrong."""
    ...
''',
        hint="""
gradcheck's report names the input whose partial derivative disagrees: input 0 is x, input 1
is s. Where does that rule use x where the forward function uses |x|?
""",
        solution=lambda: corrected_rule,
        check=_check_corrected_rule,
    ),
    exercise(
        "08.2", "A new op: log cosh", "new op", "logcosh",
        statement=r"""
Add the op $\operatorname{logcosh}(x) = \log(\cosh x)$ with `define_op`: a forward function
on floats and a rule `rule(g, out, x)`. Its derivative is $\tanh x$. Write the rule with
operations that work on floats *and* Values, so that second derivatives are right too:
`math.tanh` would read the number of a Value and cut the graph, but
$\tanh x = 2\sigma(2x) - 1$ and the engine's `sigmoid` works on both. The check runs
`gradcheck` and `gradgradcheck` on it.
""",
        template="""
import math

from autograd_lite import define_op
from autograd_lite.engine import sigmoid  # sigmoid(v) works on floats and on Values

logcosh = ...  # define_op("logcosh", forward, rule, replace=True)
""",
        hint="""
define_op("logcosh", lambda x: math.log(math.cosh(x)), rule, replace=True), with a rule that
returns g times tanh(x), tanh written with sigmoid.
""",
        solution=logcosh_op,
        check=_check_logcosh,
    ),
    exercise(
        "09.1", "A second derivative, by hand", "by hand", "d2f",
        statement=r"""
Work out by hand $f''(0.5)$ for $f(x) = x \tanh x$, to four significant digits or more
($\tanh 0.5 \approx 0.4621172$). Then compare with `grad(grad(f))(0.5)`.
""",
        template="d2f = ...  # a number",
        hint="""
f'(x) = tanh(x) + x·tanh'(x) by the product rule. Differentiate each term again, with
tanh' = 1 − tanh² and tanh'' = −2·tanh·tanh'.
""",
        solution=lambda: 2 * (1 - math.tanh(0.5) ** 2) * (1 - 0.5 * math.tanh(0.5)),
        check=_check_second_derivative,
    ),
    exercise(
        "09.2", "Newton's step", "function", "newton_step",
        statement=r"""
Write `newton_step(f, x)`: one step of Newton's method for a minimum of `f` (a function of
one Value) from the number `x`, $x - f'(x) / f''(x)$, with both derivatives from `grad`. The
check compares with the engine on random functions.
""",
        template='''
from autograd_lite import grad

def newton_step(f, x):
    """x - f'(x) / f''(x)."""
    ...
''',
        hint="""
grad(f) is f'; grad(grad(f)) is f''. Call them at x.
""",
        solution=lambda: newton_step,
        check=_check_newton_step,
    ),
    exercise(
        "10.1", "A topological order without recursion", "graph", "my_topological_order",
        statement=r"""
Write `my_topological_order(root)`: every node `root` depends on (follow `_prev`), each
exactly once, each after all of its operands (so `root` is last), and without recursion, so
that it works on graphs of any depth. The check runs it on the graphs of this notebook,
random graphs with shared nodes, and a chain 5,000 deep.
""",
        template='''
def my_topological_order(root):
    """Every node root depends on, each once, operands before results."""
    ...
''',
        hint="""
Keep a stack of (node, operands_done) pairs and a set of the nodes seen: push a node with
False, and when it comes back with True, all of its operands are in the order already.
""",
        solution=lambda: my_topological_order,
        check=_check_topological_order,
    ),
    exercise(
        "10.2", "The backward pass along an order", "graph", "my_backward",
        statement=r"""
Write `my_backward(root)`: it sets `root.grad = 1.0` and then, node by node in a reverse
topological order, passes each node's gradient on to its operands with
`operand_gradients(node, node.grad)` (from `autograd_lite.engine`: it yields
`(position, operand, contribution)`), adding each contribution to the operand's `.grad`. The
gradients start at 0. The check compares with `backward()` on random graphs and a deep chain.
""",
        template='''
from autograd_lite.engine import operand_gradients

def my_backward(root):
    """Fill .grad of every node root depends on with d root / d node."""
    ...
''',
        hint="""
Use your my_topological_order (or the engine's) reversed, so that every node comes after all
the nodes that use it, and add (+=) rather than assign.
""",
        solution=lambda: my_backward,
        check=_check_backward,
    ),
]
