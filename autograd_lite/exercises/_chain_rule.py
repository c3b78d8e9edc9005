"""Exercises of notebooks 01 to 03: the chain rule by hand, finite differences, Mazur's and
Nielsen's backpropagation, the NumPy recipe's error terms and a rule of the op table."""

from __future__ import annotations

import math
import random
from typing import Any

from ..engine import Value, exp, operand_gradients, sin
from ..functional import grad, gradients
from ..numerics import sigmoid as _sigmoid
from ._answers import (
    Mistake,
    Wrong,
    call,
    compare,
    fmt,
    function,
    number,
    numbers_dict,
    scalar,
    sequence,
)
from ._catalogue import Spec, exercise
from ._probes import first_order_ok, scoped_op, second_order_ok

__all__ = ["SPECS"]


# ---------------------------------------------------------------------------------------------
# 01.1  A node used twice, by hand
# ---------------------------------------------------------------------------------------------

def _check_node_used_twice(answer: Any, rng: random.Random) -> str:
    got = number(answer, "d L / d a")
    a, b, c = Value(1.5), Value(-2.0), Value(0.5)
    e = a * b
    d = e + c
    L = d * d
    dL_da, dL_db, dL_dd = gradients(L, [a, b, d])
    compare(got, dL_da, "d L / d a", rtol=1e-4, advice=(
        "multiply the local derivatives from L down to a (L = d·d, d = e + c, e = a·b)"),
        mistakes=[
            Mistake(dL_da / 2, "that follows only one of the two uses of d in L = d·d; each "
                               "use is a path from L to d, and the chain rule adds them"),
            Mistake(dL_dd, "that is d L / d d (and d L / d e): one local derivative more, "
                           "d e / d a, takes it down to a"),
            Mistake(dL_db, "that is d L / d b; for a, the local derivative of e = a·b is b"),
        ])
    return f"d L / d a = {fmt(got)}, as backward() finds."


# ---------------------------------------------------------------------------------------------
# 01.2  A neuron's gradients, by hand
# ---------------------------------------------------------------------------------------------

_NEURON_INPUTS = {"x1": 1.0, "x2": -1.0, "w1": 2.0, "w2": 0.5, "b": math.atanh(0.5) - 1.5}
_NEURON_PARTNER = {"x1": "w1", "w1": "x1", "x2": "w2", "w2": "x2"}


def _check_neuron_gradients(answer: Any, rng: random.Random) -> str:
    keys = list(_NEURON_INPUTS)
    got = numbers_dict(answer, keys, "neuron_gradients")
    v = {k: Value(x, label=k) for k, x in _NEURON_INPUTS.items()}
    n = v["x1"] * v["w1"] + v["x2"] * v["w2"] + v["b"]
    o = n.tanh()
    do = dict(zip(keys, gradients(o, list(v.values())), strict=True))
    dn = dict(zip(keys, gradients(n, list(v.values())), strict=True))
    problems = []
    for k in keys:
        mistakes = [
            Mistake(dn[k], f"that is d n / d {k}: the local derivative of tanh, 1 − o², is "
                           "missing"),
            Mistake((1 - n.data ** 2) * dn[k], "that uses 1 − n² for the slope of tanh; it "
                                               "is 1 − o², with o = tanh(n)"),
        ]
        if k in _NEURON_PARTNER:
            partner = _NEURON_PARTNER[k]
            mistakes.append(Mistake(do[partner], f"that is d o / d {partner}: d n / d {k} is "
                                                 f"{partner}'s value, not {k}'s"))
        try:
            compare(got[k], do[k], f"d o / d {k}", rtol=1e-4, mistakes=mistakes)
        except Wrong as wrong:
            problems.append(str(wrong))
    if problems:
        raise Wrong(f"{len(problems)} of {len(keys)} are not right: " + "; ".join(problems)
                    + ". Each is the slope of tanh at n times d n / d that input")
    return "all five partial derivatives agree with backward()."


# ---------------------------------------------------------------------------------------------
# 01.3  Central differences
# ---------------------------------------------------------------------------------------------

_SMOOTH: list[tuple[str, Any]] = [
    ("x³ − 2x", lambda t: t * t * t - 2 * t),
    ("x·sin(x)", lambda t: t * sin(t)),
    ("exp(x / 2)", lambda t: exp(0.5 * t)),
    ("x / (1 + x²)", lambda t: t / (1 + t * t)),
]


def _check_central_difference(answer: Any, rng: random.Random) -> str:
    name = "central_difference"
    central_difference = function(answer, name)
    for text, f in _SMOOTH:
        x = round(rng.uniform(-2.0, 2.0), 3)
        h = 1e-3
        got = scalar(call(central_difference, f, x, h, name=name, context=f" for f(x) = {text}"),
                     f"{name}(f, {x}, h={h})")
        expected = (f(x + h) - f(x - h)) / (2 * h)
        compare(got, expected, f"{name}(f, {x}, h={h}) for f(x) = {text}", rtol=1e-8,
                advice="it should be (f(x + h) − f(x − h)) / 2h for the h it is given",
                mistakes=[
                    Mistake((f(x + h) - f(x)) / h, "that is the forward difference; the central "
                                                  "one takes a point on each side of x"),
                    Mistake((f(x) - f(x - h)) / h, "that is the backward difference; the "
                                                  "central one takes a point on each side of x"),
                    Mistake(2 * expected, "the two points are 2h apart: divide by 2h, not h"),
                    Mistake(expected * h * h, "/ 2 * h divides by 2 and then multiplies by "
                                              "h: write / (2 * h)"),
                ])
        exact = grad(f)(x)
        got = scalar(call(central_difference, f, x, name=name, context=f" for f(x) = {text}"),
                     f"{name}(f, {x})")
        compare(got, exact, f"{name}(f, {x}) with the default h, for f(x) = {text}",
                rtol=1e-6, atol=1e-8, advice=(
                    "with its default h = 1e-5 it should be within about 1e-9 of the derivative"))
    return "it gives the engine's derivative to 1e-6 for four functions at random points."


# ---------------------------------------------------------------------------------------------
# 02.1  Mazur's gradient for w6, with another target
# ---------------------------------------------------------------------------------------------

_MAZUR = {"w1": 0.15, "w2": 0.20, "w3": 0.25, "w4": 0.30, "w5": 0.40, "w6": 0.45, "w7": 0.50,
          "w8": 0.55, "b1": 0.35, "b2": 0.60}


def _mazur_error(target_o1: float) -> tuple[dict[str, Value], dict[str, Value], Value]:
    """Mazur's network (shared biases per layer) with the target of o1 changed."""
    p = {k: Value(v, label=k) for k, v in _MAZUR.items()}
    i1, i2 = 0.05, 0.10
    n: dict[str, Value] = {}
    n["out_h1"] = (p["w1"] * i1 + p["w2"] * i2 + p["b1"]).sigmoid()
    n["out_h2"] = (p["w3"] * i1 + p["w4"] * i2 + p["b1"]).sigmoid()
    n["net_o1"] = p["w5"] * n["out_h1"] + p["w6"] * n["out_h2"] + p["b2"]
    n["out_o1"] = n["net_o1"].sigmoid()
    n["out_o2"] = (p["w7"] * n["out_h1"] + p["w8"] * n["out_h2"] + p["b2"]).sigmoid()
    E = 0.5 * (target_o1 - n["out_o1"]) ** 2 + 0.5 * (0.99 - n["out_o2"]) ** 2
    return p, n, E


def _check_mazur_w6(answer: Any, rng: random.Random) -> str:
    got = number(answer, "∂E_total/∂w6")
    p, n, E = _mazur_error(0.2)
    dE_dw6, dE_dw5 = gradients(E, [p["w6"], p["w5"]])
    old_p, _, old_E = _mazur_error(0.01)
    (old_dE_dw6,) = gradients(old_E, [old_p["w6"]])
    out_o1, out_h2 = n["out_o1"].data, n["out_h2"].data
    compare(got, dE_dw6, "∂E_total/∂w6", rtol=1e-4, advice=(
        "follow the post's chain for w5: ∂E/∂out_o1 · ∂out_o1/∂net_o1 · ∂net_o1/∂w6"),
        mistakes=[
            Mistake(old_dE_dw6, "that is the gradient for the post's target 0.01; here the "
                                "target of o1 is 0.2"),
            Mistake(dE_dw5, "that is ∂E_total/∂w5: w6 multiplies out_h2, not out_h1"),
            Mistake((out_o1 - 0.2) * out_h2, "the factor ∂out_o1/∂net_o1 (the slope of the "
                                             "sigmoid, out_o1·(1 − out_o1)) is missing"),
        ])
    return f"∂E_total/∂w6 = {fmt(got)} for a target of 0.2, as backward() finds."


# ---------------------------------------------------------------------------------------------
# 02.2  Nielsen's BP2 as a function
# ---------------------------------------------------------------------------------------------

def _two_sigmoid_layers(rng: random.Random, n_this: int, n_next: int
                        ) -> tuple[list[list[float]], list[float], list[float], list[float]]:
    """A random network input -> this layer -> next layer (sigmoids), a squared error, one
    backward pass: (w_next, deltas of the next layer, z of this layer, deltas of this layer).
    """
    n_in = rng.randint(2, 3)
    x = [rng.uniform(-1, 1) for _ in range(n_in)]

    def layer(inputs: list[Any], n: int) -> tuple[list[list[Value]], list[Value]]:
        w = [[Value(rng.uniform(-1.5, 1.5)) for _ in inputs] for _ in range(n)]
        z = [Value.sum([Value(rng.uniform(-0.5, 0.5)),
                        *(wi * xi for wi, xi in zip(row, inputs, strict=True))]) for row in w]
        return w, z

    _, z_this = layer(x, n_this)
    w_next, z_next = layer([z.sigmoid() for z in z_this], n_next)
    error = Value.sum([0.5 * (z.sigmoid() - rng.choice([0.0, 1.0])) ** 2 for z in z_next])
    error.backward()
    return ([[w.data for w in row] for row in w_next], [z.grad for z in z_next],
            [z.data for z in z_this], [z.grad for z in z_this])


def _check_hidden_deltas(answer: Any, rng: random.Random) -> str:
    name = "hidden_deltas"
    hidden_deltas = function(answer, name)
    for n_this, n_next in [(3, 2), (2, 3), (4, 1), (3, 2)]:
        w_next, deltas_next, z, expected = _two_sigmoid_layers(rng, n_this, n_next)
        where = f" for a layer of {n_this} neurons feeding {n_next}"
        result = call(hidden_deltas, w_next, deltas_next, z, name=name, context=where + (
            " (w_next[j][k] connects neuron k of this layer to neuron j of the next)"))
        got = [scalar(g, f"{name}(...)[{k}]") for k, g in
               enumerate(sequence(result, f"{name}(...){where}", n_this))]
        for k in range(n_this):
            back = sum(w_next[j][k] * deltas_next[j] for j in range(n_next))
            out = _sigmoid(z[k])
            compare(got[k], expected[k], f"delta[{k}]{where}", rtol=1e-9, atol=1e-15,
                    advice="BP2: sum w_next[j][k]·deltas_next[j] over j, times σ'(z[k])",
                    mistakes=[
                        Mistake(back, "the factor σ'(z_k) of BP2 is missing"),
                        Mistake(back * _sigmoid(out) * (1 - _sigmoid(out)),
                                "that takes σ' at σ(z_k); BP2 takes it at z_k itself"),
                        Mistake(back * out, "σ'(z) is σ(z)·(1 − σ(z)); the (1 − σ(z)) is "
                                            "missing"),
                    ])
    return "BP2 gives the engine's δ of every hidden neuron, for four random networks."


# ---------------------------------------------------------------------------------------------
# 03.1  The lesson's delta weights
# ---------------------------------------------------------------------------------------------

def _check_delta_weights(answer: Any, rng: random.Random) -> str:
    name = "delta_weights"
    delta_weights = function(answer, name)
    for n_in, n_hidden in [(3, 2), (2, 3), (4, 2)]:
        x = [round(rng.uniform(-1, 1), 2) for _ in range(n_in)]
        w_ih = [[round(rng.uniform(-1, 1), 2) for _ in range(n_hidden)] for _ in range(n_in)]
        w_ho = [round(rng.choice([-1, 1]) * rng.uniform(0.2, 1), 2) for _ in range(n_hidden)]
        target, learnrate = round(rng.uniform(0.1, 0.9), 2), 0.5
        W_ih = [[Value(w) for w in row] for row in w_ih]
        W_ho = [Value(w) for w in w_ho]
        hidden_in = [Value.sum([x[i] * W_ih[i][j] for i in range(n_in)]) for j in range(n_hidden)]
        hidden = [h.sigmoid() for h in hidden_in]
        out = Value.sum([hidden[j] * W_ho[j] for j in range(n_hidden)]).sigmoid()
        loss = 0.5 * (target - out) ** 2
        loss.backward()
        slope_out = out.data * (1 - out.data)
        slope_hidden = [h.data * (1 - h.data) for h in hidden]
        where = f" for {n_in} inputs and {n_hidden} hidden units"
        result = sequence(call(delta_weights, x, w_ih, w_ho, target, learnrate, name=name,
                               context=where), f"{name}(...){where} (a pair)", 2)
        rows = sequence(result[0], f"delta_w_i_h{where}")
        if len(rows) == n_hidden and len(sequence(rows[0], "delta_w_i_h[0]")) == n_in:
            raise Wrong(f"delta_w_i_h{where} has {n_hidden} rows of {n_in}: it is transposed; "
                        f"like weights_input_hidden it has a row per input ({n_in} rows of "
                        f"{n_hidden})")
        got_ih = [[scalar(v, f"delta_w_i_h[{i}][{j}]") for j, v in
                   enumerate(sequence(row, f"delta_w_i_h[{i}]", n_hidden))]
                  for i, row in enumerate(sequence(rows, f"delta_w_i_h{where}", n_in))]
        got_ho = [scalar(v, f"delta_w_h_o[{j}]") for j, v in
                  enumerate(sequence(result[1], f"delta_w_h_o{where}", n_hidden))]
        step = "Δw = −η ∂E/∂w, and the recipe's error is y − ŷ"
        for j in range(n_hidden):
            expected = -learnrate * W_ho[j].grad
            compare(got_ho[j], expected, f"delta_w_h_o[{j}]{where}", rtol=1e-9, atol=1e-15,
                    advice=f"it is η·δ°·a_h[{j}] ({step})", mistakes=[
                        Mistake(expected / slope_out, "the output error term is missing the "
                                                      "factor f'(h_o) = ŷ·(1 − ŷ)")])
        for i in range(n_in):
            for j in range(n_hidden):
                expected = -learnrate * W_ih[i][j].grad
                compare(got_ih[i][j], expected, f"delta_w_i_h[{i}][{j}]{where}", rtol=1e-9,
                        atol=1e-15, advice=f"it is η·δʰ_{j}·x_{i} ({step})", mistakes=[
                            Mistake(expected / slope_out, "the output error term is missing "
                                                          "the factor f'(h_o) = ŷ·(1 − ŷ)"),
                            Mistake(expected / w_ho[j], f"the hidden error term δʰ_{j} is "
                                                        f"missing the weight W_{j} from hidden "
                                                        f"unit {j} to the output"),
                            Mistake(expected / slope_hidden[j], f"the hidden error term δʰ_{j} "
                                                                f"is missing its f'(h_{j})"),
                        ])
    return "the recipe's delta weights equal −η ∂E/∂w from backward(), for three networks."


# ---------------------------------------------------------------------------------------------
# 03.2  The sigmoid's rule for the op table
# ---------------------------------------------------------------------------------------------

def _check_sigmoid_rule(answer: Any, rng: random.Random) -> str:
    name = "sigmoid_rule"
    rule = function(answer, name)
    for _ in range(6):
        x = round(rng.uniform(-4, 4), 3)
        g = round(rng.choice([-1, 1]) * rng.uniform(0.3, 2.0), 3)
        node = Value(x).sigmoid()
        out = node.data
        ((_, _, table),) = operand_gradients(node, g)  # what the op table's rule gives
        got = scalar(call(rule, g, out, x, name=name), f"{name}({g}, {fmt(out)}, {x})")
        compare(got, table, f"{name}(g={g}, out={fmt(out)}, x={x})", rtol=1e-9, atol=1e-15,
                advice="it returns g times the sigmoid's slope at x, written with out",
                mistakes=[
                    Mistake(g * x * (1 - x), "that uses the input x where the output out "
                                             "belongs: the slope is σ(x)·(1 − σ(x))"),
                    Mistake(out * (1 - out), "the gradient g that flows into the result is "
                                             "missing: a rule returns g times the local "
                                             "derivative (the chain rule)"),
                ])
    with scoped_op(_sigmoid, rule) as op:
        for _ in range(3):
            x = round(rng.uniform(-3, 3), 3)
            problem = first_order_ok(lambda v: 3 * op(0.7 * v - 0.2) + v, [x])
            if problem is not None:
                raise Wrong(f"as the rule of an op inside a graph, {problem} at x = {x}")
            if second_order_ok(lambda v: op(0.7 * v - 0.2) * v, [x]) is not None:
                raise Wrong(f"{name} is right on floats, but the second derivative through it "
                            f"is wrong (at x = {x}): write it with operations that work on "
                            "Values too (+, −, * on g, out and x), so that backward(create_graph"
                            "=True) can differentiate it; math functions and .data read the "
                            "number and cut the graph")
    return ("it agrees with the op table at six random points and passes gradcheck and "
            "gradgradcheck as an op's rule.")


# ---------------------------------------------------------------------------------------------
# The solutions
# ---------------------------------------------------------------------------------------------

def central_difference(f: Any, x: float, h: float = 1e-5) -> float:
    """The central difference of ``f`` at ``x`` (the solution of 01.3).

    >>> round(central_difference(lambda x: x * x * x, 2.0), 6)
    12.0
    """
    return float((f(x + h) - f(x - h)) / (2 * h))


def hidden_deltas(w_next: list[list[float]], deltas_next: list[float], z: list[float]
                  ) -> list[float]:
    """BP2: ``((w_next)^T deltas_next) ⊙ σ'(z)``."""
    deltas = []
    for k, z_k in enumerate(z):
        back = sum(w_next[j][k] * deltas_next[j] for j in range(len(deltas_next)))
        s = 1.0 / (1.0 + math.exp(-z_k))
        deltas.append(back * s * (1.0 - s))
    return deltas


def delta_weights(x: list[float], weights_input_hidden: list[list[float]],
                  weights_hidden_output: list[float], target: float, learnrate: float
                  ) -> tuple[list[list[float]], list[float]]:
    """The lesson's recipe, in plain Python."""
    def f(h: float) -> float:
        return 1.0 / (1.0 + math.exp(-h))

    n_in, n_hidden = len(x), len(weights_hidden_output)
    hidden = [f(sum(x[i] * weights_input_hidden[i][j] for i in range(n_in)))
              for j in range(n_hidden)]
    output = f(sum(hidden[j] * weights_hidden_output[j] for j in range(n_hidden)))
    output_error_term = (target - output) * output * (1 - output)
    hidden_error_term = [weights_hidden_output[j] * output_error_term * hidden[j] * (1 - hidden[j])
                         for j in range(n_hidden)]
    delta_w_h_o = [learnrate * output_error_term * hidden[j] for j in range(n_hidden)]
    delta_w_i_h = [[learnrate * hidden_error_term[j] * x[i] for j in range(n_hidden)]
                   for i in range(n_in)]
    return delta_w_i_h, delta_w_h_o


def sigmoid_rule(g: Any, out: Any, x: Any) -> Any:
    """The VJP of the sigmoid, on floats and Values alike."""
    return g * out * (1.0 - out)


# ---------------------------------------------------------------------------------------------
# The catalogue
# ---------------------------------------------------------------------------------------------

SPECS: list[Spec] = [
    exercise(
        "01.1", "A node used twice, by hand", "by hand", "dL_da",
        statement=r"""
With $a = 1.5$, $b = -2$ and $c = 0.5$, let $e = a \cdot b$, $d = e + c$ and $L = d \cdot d$.
Work out $\partial L / \partial a$ by hand, with the chain rule (no `backward()`): note that
$L$ uses $d$ twice.
""",
        template="dL_da = ...  # a number",
        hint="""
Go from L down to a one local derivative at a time. L = d·d is a product of d with itself:
its derivative with respect to d has one term for each of the two uses of d.
""",
        solution=lambda: 10.0,
        check=_check_node_used_twice,
    ),
    exercise(
        "01.2", "A neuron's gradients, by hand", "by hand", "neuron_gradients",
        statement=r"""
The neuron $o = \tanh(x_1 w_1 + x_2 w_2 + b)$ with $x_1 = 1$, $x_2 = -1$, $w_1 = 2$,
$w_2 = 0.5$ and $b = \operatorname{atanh}(0.5) - 1.5 \approx -0.9506939$, so that
$n = x_1 w_1 + x_2 w_2 + b \approx 0.5493$ and $o = 0.5$. Work out the five partial
derivatives of $o$ by hand and give them as a dict.
""",
        template="""
neuron_gradients = {"x1": ..., "x2": ..., "w1": ..., "w2": ..., "b": ...}  # d o / d each
""",
        hint="""
The slope of tanh at n is 1 − o², with o = tanh(n) = 0.5. Each partial derivative is that
slope times d n / d input, and n is a sum of products: d n / d w1 is x1, and so on.
""",
        solution=lambda: {"x1": 1.5, "x2": 0.375, "w1": 0.75, "w2": -0.75, "b": 0.75},
        check=_check_neuron_gradients,
    ),
    exercise(
        "01.3", "Central differences", "function", "central_difference",
        statement=r"""
Write `central_difference(f, x, h=1e-5)`, the estimate
$\big(f(x + h) - f(x - h)\big) / 2h$ of $f'(x)$ for a function `f` of one number. The check
compares it with the engine's derivative of several functions at random points.
""",
        template='''
def central_difference(f, x, h=1e-5):
    """An estimate of f'(x) from f(x + h) and f(x - h)."""
    ...
''',
        hint="""
Two evaluations of f, one on each side of x, and the distance between the two points.
""",
        solution=lambda: central_difference,
        check=_check_central_difference,
    ),
    exercise(
        "02.1", "Mazur's gradient for w6, with another target", "by hand", "dE_dw6",
        statement=r"""
Take Mazur's network of this notebook with one change: the target of $o_1$ is $0.2$ instead of
$0.01$ (the target of $o_2$ stays $0.99$). Targets do not change the forward pass, so the values
printed above still hold ($out_{o1} = 0.75136507$, $out_{h2} = 0.596884378$). Work out
$\partial E_{total} / \partial w_6$ by hand, as the post does for $w_5$.
""",
        template="dE_dw6 = ...  # a number",
        hint="""
The post's chain for w5 has three factors: ∂E/∂out_o1 = −(target − out_o1), the sigmoid's
slope out_o1·(1 − out_o1), and the input that w5 multiplies. Which input does w6 multiply?
""",
        solution=lambda: (0.75136507 - 0.2) * 0.75136507 * (1 - 0.75136507) * 0.596884378,
        check=_check_mazur_w6,
    ),
    exercise(
        "02.2", "Nielsen's BP2 as a function", "function", "hidden_deltas",
        statement=r"""
Write BP2, $\delta^l = \big((w^{l+1})^T \delta^{l+1}\big) \odot \sigma'(z^l)$, as a function of
plain numbers: `hidden_deltas(w_next, deltas_next, z)` returns the list of $\delta^l_k$, where
`w_next[j][k]` is the weight from neuron $k$ of this layer to neuron $j$ of the next,
`deltas_next[j]` is $\delta^{l+1}_j$ and `z[k]` is $z^l_k$ (sigmoid neurons). The check builds
random networks with the engine and compares with the gradients of their $z$ nodes.
""",
        template='''
def hidden_deltas(w_next, deltas_next, z):
    """BP2: the deltas of a layer of sigmoid neurons from those of the next layer."""
    ...
''',
        hint="""
For neuron k, add w_next[j][k]·deltas_next[j] over the neurons j of the next layer (that is
the transpose), then multiply by σ'(z[k]) = σ(z[k])·(1 − σ(z[k])).
""",
        solution=lambda: hidden_deltas,
        check=_check_hidden_deltas,
    ),
    exercise(
        "03.1", "The lesson's delta weights", "function", "delta_weights",
        statement=r"""
Write the lesson's recipe as a function, in plain Python (or NumPy):
`delta_weights(x, weights_input_hidden, weights_hidden_output, target, learnrate)` returns
`(delta_w_i_h, delta_w_h_o)` for a network like this notebook's (sigmoids, no biases), of any
size: `weights_input_hidden` has a row per input and a column per hidden unit. The check
compares with $-\eta\, \partial E / \partial w$ from `backward()` on random networks.
""",
        template='''
def delta_weights(x, weights_input_hidden, weights_hidden_output, target, learnrate):
    """One step of the recipe: (delta_w_i_h, delta_w_h_o)."""
    ...
''',
        hint="""
Follow the four steps of the recipe: the error y − ŷ, the output error term (times f'(h_o)),
the hidden error terms (times W_j and f'(h_j)), then learnrate × error term × the input of
each weight.
""",
        solution=lambda: delta_weights,
        check=_check_delta_weights,
    ),
    exercise(
        "03.2", "The sigmoid's rule for the op table", "rule", "sigmoid_rule",
        statement=r"""
In the op table a derivative rule is a function `rule(g, out, x)`: the gradient for the
operand `x` when `g` flows into the op's result `out`. Write the sigmoid's rule, with
operations that work on floats *and* on Values, so that the same rule gives second
derivatives. The check compares it with the table at random points, then makes it the rule of
an op and runs `gradcheck` and `gradgradcheck`.
""",
        template='''
def sigmoid_rule(g, out, x):
    """The gradient for x when g flows into out = sigmoid(x)."""
    ...
''',
        hint="""
f'(h) = f(h)·(1 − f(h)), and f(h) is the rule's out. A rule always multiplies by g.
""",
        solution=lambda: sigmoid_rule,
        check=_check_sigmoid_rule,
    ),
]
