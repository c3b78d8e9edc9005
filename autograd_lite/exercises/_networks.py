"""Exercises of notebooks 04 to 07: a neuron and XOR, vanishing gradients, training on two
moons, and what finite differences cost."""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Sequence
from typing import Any

from ..engine import Value
from ..functional import grad, gradients
from ..modes import no_grad
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

__all__ = ["SPECS", "two_moons"]


def _sigmoid(v: Value) -> Value:
    return v.sigmoid()


# ---------------------------------------------------------------------------------------------
# 04.1  A neuron's forward pass
# ---------------------------------------------------------------------------------------------

def _check_neuron(answer: Any, rng: random.Random) -> str:
    name = "neuron"
    neuron = function(answer, name)
    for nin in (1, 3, 2, 5):
        x = [round(rng.uniform(-2, 2), 2) for _ in range(nin)]
        w = [Value(round(rng.uniform(-1, 1), 2), label=f"w[{i}]") for i in range(nin)]
        b = Value(round(rng.uniform(-1, 1), 2), label="b")
        ref_w = [Value(wi.data) for wi in w]
        ref_b = Value(b.data)
        pre = Value.sum([ref_b, *(wi * xi for wi, xi in zip(ref_w, x, strict=True))])
        ref = pre.tanh()
        where = f"neuron({x}, w, b) for {nin} input(s)"
        out = call(neuron, x, w, b, name=name, context=f" for {nin} input(s)")
        if not isinstance(out, Value):
            scalar(out, where)  # the wrong type says so; a number goes on below
            raise Wrong(f"{where} returns a number, not a Value: build it with Value "
                        "operations on w and b, so that backward() can reach them")
        weighted = sum(wi.data * xi for wi, xi in zip(w, x, strict=True))
        compare(out.data, ref.data, where, rtol=1e-9, advice="it is tanh(w·x + b)", mistakes=[
            Mistake(math.tanh(weighted), "the bias b is missing"),
            Mistake(weighted + b.data, "the activation tanh is missing"),
            Mistake(1 / (1 + math.exp(-weighted - b.data)), "that is the sigmoid; this neuron "
                                                             "uses tanh"),
        ])
        got = gradients(out, [*w, b])
        for p, g, g_ref in zip([*w, b], got, gradients(ref, [*ref_w, ref_b]), strict=True):
            if not math.isclose(g, g_ref, rel_tol=1e-9, abs_tol=1e-12):
                raise Wrong(f"{where} has the right value, but the gradient that reaches "
                            f"{p.label} through your graph is {fmt(g)}: compute the result "
                            f"from the Values w and b themselves (not their .data)")
    return "its value and the gradients of w and b match the engine's, for four sizes."


# ---------------------------------------------------------------------------------------------
# 04.2  XOR by hand
# ---------------------------------------------------------------------------------------------

_XOR_KEYS = ["h1_w0", "h1_w1", "h1_b", "h2_w0", "h2_w1", "h2_b", "out_w1", "out_w2", "out_b"]
_XOR_POINTS = [((1.0, -1.0), 1), ((-1.0, -1.0), 0), ((-1.0, 1.0), 1), ((1.0, 1.0), 0)]


def _check_xor_weights(answer: Any, rng: random.Random) -> str:
    p = {k: Value(v, label=k) for k, v in numbers_dict(answer, _XOR_KEYS, "xor_weights").items()}
    wrong, scores = [], []
    for (x0, x1), label in _XOR_POINTS:
        h1 = (p["h1_w0"] * x0 + p["h1_w1"] * x1 + p["h1_b"]).relu()
        h2 = (p["h2_w0"] * x0 + p["h2_w1"] * x1 + p["h2_b"]).relu()
        score = (p["out_w1"] * h1 + p["out_w2"] * h2 + p["out_b"]).data
        scores.append(score)
        if (score > 0) != (label == 1):
            wanted = "> 0" if label else "≤ 0"
            wrong.append(f"({x0:+.0f}, {x1:+.0f}) has label {label} but your score there is "
                         f"{fmt(score)} (it must be {wanted})")
    if not wrong:
        return ("all four XOR points are on their side: scores "
                f"{', '.join(fmt(s) for s in scores)}.")
    if len(wrong) == 4:
        raise Wrong("every point is on the wrong side: the output has the opposite sign of "
                    "what it should (look at the signs of out_w1, out_w2 and out_b)")
    if p["out_w1"].data == 0.0 or p["out_w2"].data == 0.0:
        raise Wrong(f"{len(wrong)} point(s) wrong, and one output weight is 0: the output then "
                    "sees one hidden unit, a single line, and no line separates XOR. "
                    + "; ".join(wrong))
    raise Wrong(f"{len(wrong)} of 4 points are on the wrong side: " + "; ".join(wrong))


# ---------------------------------------------------------------------------------------------
# 05.1  The 0.25^n bound
# ---------------------------------------------------------------------------------------------

def _check_error_left(answer: Any, rng: random.Random) -> str:
    name = "error_left"
    error_left = function(answer, name)
    steepest = grad(_sigmoid)(0.0)  # the sigmoid's largest slope, by the engine
    for n in sorted(rng.sample(range(1, 13), 4)):
        got = scalar(call(error_left, n, name=name, context=f" for n = {n}"),
                     f"{name}({n})")
        compare(got, steepest ** n, f"{name}({n})", rtol=1e-9, atol=0.0, advice=(
            "each sigmoid layer multiplies the error by its slope, which is at most σ'(0)"),
            mistakes=[
                Mistake(1 - steepest ** n, "that is the part lost (the reduction), not the "
                                           "part left"),
                Mistake(steepest * n, "the factors of the layers multiply; they do not add"),
                Mistake(steepest ** (n - 1), "one factor per layer: n layers give n factors"),
                Mistake(steepest ** (n + 1), "one factor per layer: n layers give n factors"),
            ])
    return f"{name}(n) is the engine's σ'(0) to the n, for four random n."


# ---------------------------------------------------------------------------------------------
# 05.2  Two sigmoids, by hand
# ---------------------------------------------------------------------------------------------

def _check_two_sigmoids(answer: Any, rng: random.Random) -> str:
    got = number(answer, "d σ(σ(h)) / dh at h = 0")
    expected = grad(lambda h: h.sigmoid().sigmoid())(0.0)
    inner = grad(_sigmoid)(0.0)
    outer = grad(_sigmoid)(Value(0.0).sigmoid().data)
    compare(got, expected, "d σ(σ(h)) / dh at h = 0", rtol=1e-4, advice=(
        "the chain rule multiplies the slope of the outer sigmoid at its input by the slope "
        "of the inner one at 0"),
        mistakes=[
            Mistake(inner * inner, "the outer sigmoid's input is σ(0) = 0.5, not 0, so its "
                                   "slope is not σ'(0)"),
            Mistake(inner, "that is the inner sigmoid's slope alone; the outer one's slope "
                           "multiplies it"),
            Mistake(outer, "that is the outer sigmoid's slope alone; the inner one's slope "
                           "multiplies it"),
            Mistake(_sigmoid(_sigmoid(Value(0.0))).data, "that is the value σ(σ(0)), not its "
                                                         "derivative"),
        ])
    return f"d σ(σ(h)) / dh = {fmt(got)} at h = 0, as the engine finds."


# ---------------------------------------------------------------------------------------------
# 06.1  The hinge loss's derivative
# ---------------------------------------------------------------------------------------------

def _check_hinge_derivative(answer: Any, rng: random.Random) -> str:
    name = "hinge_derivative"
    hinge_derivative = function(answer, name)
    points: list[tuple[float, float]] = []
    while len(points) < 12:
        s, t = round(rng.uniform(-3, 3), 2), rng.choice([-1.0, 1.0])
        if abs(1 - t * s) > 1e-3:
            points.append((s, t))
    points += [(1.0, 1.0), (-1.0, -1.0)]  # the kink, last
    for s, t in points:
        expected = grad(lambda v, t=t: (1 - t * v).relu())(s)
        active = 1 - t * s > 0
        got = scalar(call(hinge_derivative, s, t, name=name, context=f" at s = {s}, t = {t}"),
                     f"{name}({s}, {t})")
        if abs(1 - t * s) < 1e-12:
            compare(got, expected, f"{name}({s}, {t})", atol=1e-12, advice=(
                "at the kink t·s = 1 take the derivative the engine takes, that of the flat "
                "side (relu's derivative at 0 is 0)"))
            continue
        compare(got, expected, f"{name}({s}, {t})", atol=1e-12, advice=(
            "differentiate max(0, 1 − t·s) with respect to s on each side of the kink"),
            mistakes=[
                Mistake(-1.0 if active else 0.0, "the inner derivative d(1 − t·s)/ds = −t is "
                                                 "missing its t"),
                Mistake(-t, "where t·s > 1 the loss is flat (it is 0), so its derivative is 0"),
            ])
    return "it matches the engine's derivative of max(0, 1 − t·s) at 14 points, the kink too."


# ---------------------------------------------------------------------------------------------
# 06.2  Train to 90% on two moons
# ---------------------------------------------------------------------------------------------

def two_moons(n: int, noise: float, seed: int) -> tuple[list[list[float]], list[int]]:
    """Two interleaving half circles, as ``nn.data.moons(n, noise, seed)`` makes them (the same
    numbers; this package cannot import ``nn``).

    >>> X, y = two_moons(4, 0.0, seed=0)
    >>> sorted(y), len(X[0])
    ([0, 0, 1, 1], 2)
    """
    rng = random.Random(seed)
    n_upper = n // 2
    n_lower = n - n_upper
    points = [(math.cos(math.pi * i / max(n_upper - 1, 1)),
               math.sin(math.pi * i / max(n_upper - 1, 1)), 0) for i in range(n_upper)]
    points += [(1.0 - math.cos(math.pi * i / max(n_lower - 1, 1)),
                0.5 - math.sin(math.pi * i / max(n_lower - 1, 1)), 1) for i in range(n_lower)]
    rng.shuffle(points)
    X = [[a + rng.gauss(0.0, noise), b + rng.gauss(0.0, noise)] for a, b, _ in points]
    return X, [label for _, _, label in points]


_ACCURACY_NEEDED = 0.9


def _accuracy(predict: Callable[..., Any], X: list[list[float]], y: list[int], what: str
              ) -> float:
    right = 0
    for x, label in zip(X, y, strict=True):
        with no_grad():
            score = scalar(call(predict, list(x), name="the function train returned",
                                context=f" on the point {[round(v, 3) for v in x]}"),
                           f"the score of {[round(v, 3) for v in x]} ({what})")
        right += (score > 0) == (label == 1)
    return right / len(y)


def _check_train(answer: Any, rng: random.Random) -> str:
    name = "train"
    train = function(answer, name)
    X, y = two_moons(100, 0.1, 0)
    X_new, y_new = two_moons(200, 0.1, 1)
    predict = call(train, [list(x) for x in X], list(y), name=name)
    if not callable(predict):
        raise Wrong(f"{name} should return a function (or a model) that gives a point's "
                    f"score, got {type(predict).__name__}")
    on_training = _accuracy(predict, X, y, "training point")
    on_new = _accuracy(predict, X_new, y_new, "new point")
    said = (f"{on_new:.0%} of 200 new points are on the right side (and {on_training:.0%} of "
            f"the training points)")
    if on_new >= _ACCURACY_NEEDED:
        return f"{said}; {_ACCURACY_NEEDED:.0%} were needed."
    if on_training < 0.35:
        raise Wrong(f"{said}: worse than guessing, so the training moves the wrong way; a "
                    "step goes against the gradient, p.data -= lr * p.grad")
    if on_training < 0.65:
        raise Wrong(f"{said}: about as good as guessing. Do the parameters change? Each step: "
                    "zero the gradients, build the loss, backward(), then move every parameter")
    raise Wrong(f"{said}; {_ACCURACY_NEEDED:.0%} are needed: train longer, with a larger "
                "learning rate or a larger hidden layer")


def train(X: list[list[float]], y: list[int]) -> Callable[[Sequence[float]], Value]:
    """The solution of 06.2: a 2-16-1 tanh network, hinge loss, 150 full-batch SGD steps."""
    rng = random.Random(0)
    hidden = [[Value(rng.uniform(-1, 1)) for _ in range(3)] for _ in range(16)]  # w0, w1, b
    out = [Value(rng.uniform(-1, 1)) for _ in range(17)]  # 16 weights, then the bias
    params = [p for row in hidden for p in row] + out

    def score(x: Sequence[float]) -> Value:
        h = [Value.sum([b, w0 * x[0], w1 * x[1]]).tanh() for w0, w1, b in hidden]
        return Value.sum([out[-1], *(v * hk for v, hk in zip(out[:-1], h, strict=True))])

    targets = [2.0 * label - 1.0 for label in y]  # 0/1 -> -1/+1
    for _ in range(150):
        hinges = [(1 - t * score(x)).relu() for x, t in zip(X, targets, strict=True)]
        loss = Value.sum(hinges) / len(X)
        for p in params:
            p.grad = 0.0
        loss.backward()
        for p in params:
            p.data -= 0.5 * p.grad
    return score


# ---------------------------------------------------------------------------------------------
# 07.1  Finite differences, one weight at a time
# ---------------------------------------------------------------------------------------------

class _CountingLoss:
    """The mean squared error of a small tanh network on a few points, counting its calls."""

    def __init__(self, rng: random.Random, hidden: int) -> None:
        self.hidden = [[Value(rng.uniform(-1, 1)) for _ in range(3)] for _ in range(hidden)]
        self.out = [Value(rng.uniform(-1, 1)) for _ in range(hidden + 1)]
        self.params = [p for row in self.hidden for p in row] + self.out
        self.points = [([rng.uniform(-1, 1), rng.uniform(-1, 1)], rng.choice([0.0, 1.0]))
                       for _ in range(3)]
        self.calls = 0

    def __call__(self) -> Value:
        self.calls += 1
        errors = []
        for x, target in self.points:
            h = [Value.sum([b, w0 * x[0], w1 * x[1]]).tanh() for w0, w1, b in self.hidden]
            score = Value.sum([self.out[-1],
                               *(v * hk for v, hk in zip(self.out[:-1], h, strict=True))])
            errors.append((score - target) ** 2)
        return Value.sum(errors) / len(errors)


def _check_finite_difference_gradient(answer: Any, rng: random.Random) -> str:
    name = "finite_difference_gradient"
    fd_gradient = function(answer, name)
    for hidden in (1, 2):
        loss = _CountingLoss(rng, hidden)
        params = loss.params
        P = len(params)
        expected = gradients(loss(), params)
        before = [p.data for p in params]
        loss.calls = 0
        where = f" for a network of {P} parameters"
        result = call(fd_gradient, loss, params, name=name, context=where)
        calls = loss.calls
        got = [scalar(g, f"{name}(...)[{i}]") for i, g in
               enumerate(sequence(result, f"{name}(loss, params){where}", P))]
        moved = [i for i, (p, old) in enumerate(zip(params, before, strict=True))
                 if abs(p.data - old) > 1e-12 * max(1.0, abs(old))]
        if moved:
            raise Wrong(f"after {name}, parameter {moved[0]} is {fmt(params[moved[0]].data)} "
                        f"instead of {fmt(before[moved[0]])}: put each parameter back after "
                        "nudging it")
        if calls == P + 1:
            raise Wrong(f"{name} ran the network {calls} times{where}: that is the forward "
                        "difference (one shared pass and one per parameter); the central "
                        "difference nudges each parameter both ways")
        if calls != 2 * P:
            raise Wrong(f"{name} ran the network {calls} times{where}; the central difference "
                        "needs two runs per parameter, one nudged up, one down")
        for i in range(P):
            compare(got[i], expected[i], f"the partial derivative of parameter {i}{where}",
                    rtol=1e-4, atol=1e-7, advice=(
                        "(L(p + eps) − L(p − eps)) / (2 eps), with the other parameters left "
                        "alone"),
                    mistakes=[Mistake(2 * expected[i], "the two runs are 2·eps apart: divide "
                                                       "by 2·eps")])
    return f"{name} agrees with backward() in 2P runs of the network and leaves it as it was."


def finite_difference_gradient(loss: Callable[[], Value], params: list[Value],
                               eps: float = 1e-6) -> list[float]:
    """The solution of 07.1: central differences, one parameter at a time."""
    grads = []
    for p in params:
        original = p.data
        with no_grad():
            p.data = original + eps
            up = loss().data
            p.data = original - eps
            down = loss().data
        p.data = original
        grads.append((up - down) / (2 * eps))
    return grads


# ---------------------------------------------------------------------------------------------
# 07.2  The bill in forward passes
# ---------------------------------------------------------------------------------------------

def _mlp_parameters(nin: int, nouts: list[int]) -> list[Value]:
    """The parameters of ``MLP(nin, nouts)``: each neuron's weights, then its bias."""
    sizes = [nin, *nouts]
    return [Value(0.0) for n_in, n_out in itertools.pairwise(sizes) for _ in range(n_out)
            for _ in range(n_in + 1)]


def _check_forward_passes(answer: Any, rng: random.Random) -> str:
    name = "forward_passes"
    forward_passes = function(answer, name)
    for h in sorted(rng.sample(range(1, 41), 4)):
        P = len(_mlp_parameters(2, [h, h, 1]))
        weights = P - (h + h + 1)
        got = scalar(call(forward_passes, h, name=name, context=f" for h = {h}"),
                     f"{name}({h})")
        compare(got, 2 * P, f"{name}({h})", atol=0.0, rtol=0.0, advice=(
            "count the parameters of MLP(2, [h, h, 1]) (weights and biases), then the runs "
            "of the network each one needs"), mistakes=[
                Mistake(P + 1, "that is the forward difference's bill; the central difference "
                               "runs the network twice per parameter"),
                Mistake(P, "that is the number of parameters; the central difference runs the "
                           "network twice for each"),
                Mistake(2 * weights, "the biases are parameters too"),
            ])
    return f"{name}(h) is twice the number of parameters of MLP(2, [h, h, 1]), for four h."


# ---------------------------------------------------------------------------------------------
# The catalogue
# ---------------------------------------------------------------------------------------------

def neuron(x: Sequence[float], w: Sequence[Value], b: Value) -> Value:
    """The solution of 04.1."""
    return Value.sum([b, *(wi * xi for wi, xi in zip(w, x, strict=True))]).tanh()


def error_left(n: int) -> float:
    """The solution of 05.1."""
    return 0.25 ** n


def hinge_derivative(s: float, t: float) -> float:
    """The solution of 06.1."""
    return -t if t * s < 1 else 0.0


def forward_passes(h: int) -> int:
    """The solution of 07.2: twice the parameters of MLP(2, [h, h, 1])."""
    parameters = (2 + 1) * h + (h + 1) * h + (h + 1) * 1
    return 2 * parameters


SPECS: list[Spec] = [
    exercise(
        "04.1", "A neuron's forward pass", "function", "neuron",
        statement=r"""
Write the forward pass of one tanh neuron: `neuron(x, w, b)` returns
$\tanh(w_0 x_0 + w_1 x_1 + \dots + b)$ as a Value, for inputs `x` (plain numbers), weights `w`
(a list of Values, as long as `x`) and a bias `b` (a Value). Build it from Value operations, so
that `backward()` reaches the weights: the check compares its value and its gradients with the
engine's, for several sizes.
""",
        template='''
def neuron(x, w, b):
    """tanh(w . x + b), as a Value."""
    ...
''',
        hint="""
Multiply each weight by its input, add the products and the bias (Value.sum adds a list),
then call .tanh() on the sum.
""",
        solution=lambda: neuron,
        check=_check_neuron,
    ),
    exercise(
        "04.2", "XOR by hand", "by hand", "xor_weights",
        statement=r"""
A network with two ReLU hidden units and a linear output,
$h_1 = \mathrm{relu}(a_0 x_0 + a_1 x_1 + a_b)$, $h_2 = \mathrm{relu}(c_0 x_0 + c_1 x_1 + c_b)$,
$s = v_1 h_1 + v_2 h_2 + v_b$, answers 1 when $s > 0$. Choose its nine numbers by hand so that
it computes XOR on the four points of this notebook (label 1 where the signs of $x_0$ and $x_1$
differ). In the dict, `h1_w0` is $a_0$, `h1_b` is $a_b$, `out_w1` is $v_1$, and so on.
""",
        template="""
xor_weights = {
    "h1_w0": ..., "h1_w1": ..., "h1_b": ...,     # the first hidden unit
    "h2_w0": ..., "h2_w1": ..., "h2_b": ...,     # the second hidden unit
    "out_w1": ..., "out_w2": ..., "out_b": ...,  # the output
}
""",
        hint="""
Let one hidden unit fire only for (+1, −1) and the other only for (−1, +1): x0 − x1 is 2 at
one, −2 at the other and 0 where the signs agree. The output adds them and subtracts a bias.
""",
        solution=lambda: {"h1_w0": 1.0, "h1_w1": -1.0, "h1_b": 0.0, "h2_w0": -1.0,
                          "h2_w1": 1.0, "h2_b": 0.0, "out_w1": 1.0, "out_w2": 1.0,
                          "out_b": -1.0},
        check=_check_xor_weights,
    ),
    exercise(
        "05.1", "The 0.25ⁿ bound", "function", "error_left",
        statement=r"""
Along a chain of $n$ sigmoid layers with weight 1 and bias 0, at most what fraction of the
error term at the output reaches the input? Write it as a function of $n$: `error_left(n)`.
The check asks it for random $n$.
""",
        template='''
def error_left(n):
    """At most what fraction of the error survives n sigmoid layers."""
    ...
''',
        hint="""
Each layer multiplies the error term by the sigmoid's slope at that layer, and that slope is
never above its value at 0.
""",
        solution=lambda: error_left,
        check=_check_error_left,
    ),
    exercise(
        "05.2", "Two sigmoids, by hand", "by hand", "d_two_sigmoids",
        statement=r"""
Work out by hand the derivative of $\sigma(\sigma(h))$ at $h = 0$, to four significant digits
or more. (It is below the bound $0.25^2$: see why.)
""",
        template="d_two_sigmoids = ...  # a number",
        hint="""
The inner sigmoid has slope σ'(0) = 0.25 at 0, and it hands σ(0) = 0.5 to the outer one,
whose slope is then σ'(0.5) = σ(0.5)·(1 − σ(0.5)).
""",
        solution=lambda: 0.25 * (1 / (1 + math.exp(-0.5))) * (1 - 1 / (1 + math.exp(-0.5))),
        check=_check_two_sigmoids,
    ),
    exercise(
        "06.1", "The hinge loss's derivative", "rule", "hinge_derivative",
        statement=r"""
Write `hinge_derivative(s, t)`, the derivative of the hinge loss $\max(0, 1 - t\,s)$ with
respect to the score $s$, for a label $t = \pm 1$. At the kink $t\,s = 1$ take the derivative
of the flat side, 0, as the engine does (relu's derivative at 0 is 0). The check compares it
with the engine's derivative at random points.
""",
        template='''
def hinge_derivative(s, t):
    """d max(0, 1 - t*s) / ds."""
    ...
''',
        hint="""
Where 1 − t·s > 0 the loss is 1 − t·s, whose derivative in s is −t; elsewhere it is 0.
""",
        solution=lambda: hinge_derivative,
        check=_check_hinge_derivative,
    ),
    exercise(
        "06.2", "Train to 90% on two moons", "training", "train",
        statement=r"""
Write `train(X, y)`: it trains a model on the points `X` (pairs of numbers) with labels `y`
(0 or 1) and returns a function (or a model) that gives a point's score, class 1 where the
score is above 0. Write the training loop yourself: build the loss, zero the gradients,
`backward()`, move the parameters. The check trains it on `moons(100, noise=0.1, seed=0)` and
needs 90% of 200 new points from the same distribution (`seed=1`) on the right side, within
three minutes.
""",
        template='''
def train(X, y):
    """Train a model on (X, y) and return a function that scores a point."""
    ...
''',
        hint="""
MLP(2, [16, 1], activation="tanh") and the hinge loss on labels ±1 (to_signed) work; 150
full-batch steps with a learning rate of 0.5 are plenty. Return the model itself: it is
callable.
""",
        solution=lambda: train,
        check=_check_train,
        time_limit=180.0,
    ),
    exercise(
        "07.1", "Finite differences, one weight at a time", "function",
        "finite_difference_gradient",
        statement=r"""
Write `finite_difference_gradient(loss, params, eps=1e-6)`: `loss()` runs a network and
returns its loss (a Value) for the current `.data` of the parameters `params`. Return the list
of central differences $\big(L(p + \varepsilon) - L(p - \varepsilon)\big) / 2\varepsilon$,
one per parameter, and leave every parameter as you found it. The check compares with
`backward()` and counts how often you run the network.
""",
        template='''
def finite_difference_gradient(loss, params, eps=1e-6):
    """dL/dp for each p in params, by central differences."""
    ...
''',
        hint="""
For each parameter: keep its data, set it to data + eps and run loss(), set it to data − eps
and run loss() again, put the data back, and divide the difference by 2·eps.
""",
        solution=lambda: finite_difference_gradient,
        check=_check_finite_difference_gradient,
    ),
    exercise(
        "07.2", "The bill in forward passes", "function", "forward_passes",
        statement=r"""
How many forward passes does your `finite_difference_gradient` make for this notebook's
network `MLP(2, [h, h, 1])`? Write it as a function of the width: `forward_passes(h)`.
Backpropagation needs one (and one backward pass), whatever `h` is.
""",
        template='''
def forward_passes(h):
    """The forward passes of a central-difference gradient of MLP(2, [h, h, 1])."""
    ...
''',
        hint="""
A neuron with k inputs has k weights and a bias. The first layer has h neurons of 2 inputs,
the second h of h inputs, the last 1 of h inputs.
""",
        solution=lambda: forward_passes,
        check=_check_forward_passes,
    ),
]
