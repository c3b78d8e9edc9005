"""The exercises: every checker accepts its solution and rejects typical wrong answers with a
message that names the mistake and does not give the answer away; no answer, however
malformed, makes ``check`` raise."""

import ast
import math
import re
import sys
import threading
from pathlib import Path

import pytest

from autograd_lite import Value, define_op, exercises, logsumexp, select, softplus
from autograd_lite.engine import OPS, operand_gradients, reverse_topological_order, sigmoid

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = exercises.catalogue()
IDS = [e.id for e in CATALOGUE]
SLOW = {"06.2"}  # trains a network: seconds per check


def _params(ids):
    return [pytest.param(i, marks=pytest.mark.slow) if i in SLOW else i for i in ids]


@pytest.fixture(autouse=True)
def op_table_restored():
    """Answers and solutions define ops of their own; the rest of the suite must not see them."""
    saved = dict(OPS)
    yield
    OPS.clear()
    OPS.update(saved)


# ---------------------------------------------------------------------------------------------
# The catalogue
# ---------------------------------------------------------------------------------------------

def test_there_are_at_least_24_exercises_two_or_three_per_notebook():
    assert len(CATALOGUE) >= 24
    per_notebook = {}
    for e in CATALOGUE:
        per_notebook.setdefault(e.notebook, []).append(e.id)
    assert sorted(per_notebook) == sorted(exercises._catalogue.NOTEBOOKS.values())
    for notebook, ids in per_notebook.items():
        assert 2 <= len(ids) <= 3, (notebook, ids)
        number = notebook[:2]
        assert ids == [f"{number}.{k}" for k in range(1, len(ids) + 1)]


def test_the_count_prints_from_the_command_line():
    import subprocess
    out = subprocess.run([sys.executable, "-c", "from autograd_lite import exercises; "
                          "print(len(exercises.catalogue()))"], capture_output=True, text=True,
                         check=True)
    assert int(out.stdout) >= 24


def test_exercises_name_existing_notebooks_and_unique_answers():
    existing = {p.stem for p in (ROOT / "notebooks").glob("*.ipynb")}
    for e in CATALOGUE:
        assert e.notebook in existing or e.notebook.startswith("12_"), e
    answers = [e.answer for e in CATALOGUE]
    assert len(set(answers)) == len(answers)
    assert all(a.isidentifier() for a in answers)


def test_the_kinds_cover_what_the_issue_asks_for():
    kinds = {e.kind for e in CATALOGUE}
    assert kinds == set(exercises.KINDS)
    assert len(kinds) >= 7


def test_repr_is_short_and_unknown_ids_raise():
    assert repr(CATALOGUE[0]).startswith("Exercise(id='01.1', notebook=")
    assert "statement" not in repr(CATALOGUE[0])
    with pytest.raises(KeyError, match=r"no exercise '99\.9'"):
        exercises.check("99.9", 1.0)
    with pytest.raises(KeyError):
        exercises.hint("1.1")


def test_the_exercises_import_only_the_standard_library_and_the_engine():
    allowed = set(sys.stdlib_module_names) | {"autograd_lite"}
    for path in sorted((ROOT / "autograd_lite" / "exercises").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                roots = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                roots = {node.module.split(".")[0]}
            else:
                continue
            assert roots <= allowed, f"{path.name} imports {roots - allowed}"


def test_importing_the_exercises_loads_no_third_party_package():
    import subprocess
    code = ("import sys; from autograd_lite import exercises; "
            "print(sorted(m for m in ('numpy', 'nn', 'hypothesis', 'graphviz') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_the_checker_data_set_is_nn_data_moons():
    from nn.data import moons
    assert exercises._networks.two_moons(100, 0.1, 0) == moons(100, noise=0.1, seed=0)
    assert exercises._networks.two_moons(200, 0.1, 1) == moons(200, noise=0.1, seed=1)


# ---------------------------------------------------------------------------------------------
# Right, blank and malformed answers
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("exercise_id", _params(IDS))
def test_the_solution_is_right(exercise_id):
    for seed in (0, 1, 2):
        result = exercises.check(exercise_id, exercises.solution(exercise_id), seed=seed)
        assert result, str(result)
        assert result.status == "right" and result.answered
        assert "\n" not in str(result) and str(result).startswith(f"{exercise_id} right: ")


@pytest.mark.parametrize("exercise_id", IDS)
def test_the_template_as_given_is_not_answered_yet(exercise_id):
    e = next(e for e in CATALOGUE if e.id == exercise_id)
    namespace = {}
    exec(e.template, namespace)
    result = exercises.check(exercise_id, namespace[e.answer])
    assert not result and not result.answered
    assert str(result).startswith(f"{exercise_id} not answered yet: ")
    assert f'exercises.hint("{exercise_id}")' in str(result)


def _raises(*args):
    return 1 / 0


def _loops(*args):
    while True:
        pass


def _endless(*args):
    def forever():
        while True:
            yield 1.0
    return forever()


class _Hostile:
    """An answer whose every conversion fails."""

    def __float__(self):
        raise RuntimeError("no float here")

    def __iter__(self):
        raise RuntimeError("no items here")

    def __eq__(self, other):
        raise RuntimeError("no comparison here")

    __hash__ = object.__hash__


MALFORMED = {"None": None, "a string": "my answer", "a function that raises": _raises,
             "a function that loops": _loops, "an endless iterator": _endless,
             "an object that refuses everything": _Hostile(), "a list": [1.0, 2.0]}


@pytest.mark.parametrize("exercise_id", IDS)
@pytest.mark.parametrize("kind", list(MALFORMED))
def test_malformed_answers_give_a_falsy_result_not_a_traceback(exercise_id, kind):
    result = exercises.check(exercise_id, MALFORMED[kind], time_limit=0.1, seed=0)
    assert not result and result.answered, str(result)
    assert result.message and "\n" not in result.message
    assert "Traceback" not in result.message
    takes_code = "def " in next(e for e in CATALOGUE if e.id == exercise_id).template
    if kind == "a function that loops" and takes_code:
        assert "did not finish within 0.1 s" in result.message


def test_the_time_limit_works_outside_the_main_thread_too():
    results = []
    thread = threading.Thread(target=lambda: results.append(
        exercises.check("10.1", _loops, time_limit=0.3)))
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert "did not finish within 0.3 s" in results[0].message
    assert sys.gettrace() is None


def test_a_time_limit_leaves_no_alarm_behind():
    import signal
    if not hasattr(signal, "setitimer"):
        pytest.skip("no interval timers here")
    exercises.check("10.1", _loops, time_limit=0.2)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.SIG_IGN, None)


def test_an_error_in_the_answer_names_its_line():
    def my_topological_order(root):
        order = []
        order.append(root)
        return order[5]

    result = exercises.check("10.1", my_topological_order)
    assert "IndexError: list index out of range" in result.message
    assert "of my_topological_order: return order[5])" in result.message
    result = exercises.check("02.2", _bp2_transposed, seed=0)
    assert "of _bp2_transposed: return [sum(w_next[k][j]" in result.message


def test_an_error_of_several_lines_is_told_in_one():
    from autograd_lite.testing import gradcheck

    def central_difference(f, x, h=1e-5):
        gradcheck(lambda v: v * v.data, [x])  # raises GradcheckError, a report of 4 lines
        return 0.0

    result = exercises.check("01.3", central_difference)
    assert "GradcheckError: gradcheck failed" in result.message
    assert "\n" not in result.message


def test_checks_leave_no_op_behind():
    before = set(OPS)
    for exercise_id in ("03.2", "08.1"):
        exercises.check(exercise_id, exercises.solution(exercise_id))
        exercises.check(exercise_id, lambda g, out, x, *rest: g)
    assert set(OPS) == before


def test_the_time_limit_must_be_a_positive_number():
    with pytest.raises(ValueError, match="time_limit"):
        exercises.check("01.1", 10.0, time_limit=0)


def test_a_check_inside_no_grad_still_works():
    from autograd_lite import no_grad
    with no_grad():
        assert exercises.check("10.2", exercises.solution("10.2"))


# ---------------------------------------------------------------------------------------------
# Typical wrong answers
# ---------------------------------------------------------------------------------------------

T05 = math.tanh(0.5)


def _forward_difference(f, x, h=1e-5):
    return (f(x + h) - f(x)) / h


def _over_h(f, x, h=1e-5):
    return (f(x + h) - f(x - h)) / h


def _backwards(f, x, h=1e-5):
    return (f(x - h) - f(x + h)) / (2 * h)


def _sig(z):
    return 1 / (1 + math.exp(-z))


def _bp2(sign=1.0, slope=True, at_output=False):
    def hidden_deltas(w_next, deltas_next, z):
        out = []
        for k, zk in enumerate(z):
            back = sum(w_next[j][k] * deltas_next[j] for j in range(len(deltas_next)))
            s = _sig(_sig(zk)) if at_output else _sig(zk)
            out.append(sign * back * (s * (1 - s) if slope else 1.0))
        return out
    return hidden_deltas


def _bp2_transposed(w_next, deltas_next, z):
    return [sum(w_next[k][j] * deltas_next[j] for j in range(len(deltas_next)))
            * _sig(zk) * (1 - _sig(zk)) for k, zk in enumerate(z)]


def _recipe(sign=1.0, output_slope=True, hidden_weight=True, transpose=False):
    def delta_weights(x, w_ih, w_ho, target, lr):
        hidden = [_sig(sum(x[i] * w_ih[i][j] for i in range(len(x)))) for j in range(len(w_ho))]
        out = _sig(sum(h * w for h, w in zip(hidden, w_ho, strict=True)))
        term = sign * (target - out) * (out * (1 - out) if output_slope else 1.0)
        hidden_terms = [(w_ho[j] if hidden_weight else 1.0) * term * h * (1 - h)
                        for j, h in enumerate(hidden)]
        d_ih = [[lr * hidden_terms[j] * x[i] for j in range(len(hidden))] for i in range(len(x))]
        if transpose:
            d_ih = [list(col) for col in zip(*d_ih, strict=True)]
        return d_ih, [lr * term * h for h in hidden]
    return delta_weights


def _neuron(bias=True, act="tanh", sign=1.0, detached=False, number=False):
    def neuron(x, w, b):
        n = Value.sum([*(wi * xi for wi, xi in zip(w, x, strict=True))]) + (b if bias else 0.0)
        out = {"tanh": n.tanh, "none": lambda: n}[act]()
        if number:
            return math.tanh(out.data)
        if detached:
            return Value(out.data)
        return sign * out
    return neuron


XOR = {"h1_w0": 1.0, "h1_w1": -1.0, "h1_b": 0.0, "h2_w0": -1.0, "h2_w1": 1.0, "h2_b": 0.0,
       "out_w1": 1.0, "out_w2": 1.0, "out_b": -1.0}


def _training(direction=-1.0, steps=60):
    def train(X, y):
        from nn import MLP
        model = MLP(2, [16, 1], activation="tanh", seed=0)
        for _ in range(steps):
            loss = Value.sum([(1 - (2 * t - 1) * model(x)).relu()
                              for x, t in zip(X, y, strict=True)])
            model.zero_grad()
            loss.backward()
            for p in model.parameters():
                p.data += direction * 0.01 * p.grad
        return model
    return train


def _fd(central=True, restore=True, half=True, sign=1.0):
    def finite_difference_gradient(loss, params, eps=1e-6):
        grads = []
        base = loss().data if not central else None
        for p in params:
            original = p.data
            p.data = original + eps
            up = loss().data
            if central:
                p.data = original - eps
                down = loss().data
            else:
                down = base
            if restore:
                p.data = original
            grads.append(sign * (up - down) / ((2 if half else 1) * eps if central else eps))
        return grads
    return finite_difference_gradient


def _parameters(h):
    return 3 * h + (h + 1) * h + (h + 1)


def _softsign_rule(slip=False, s_factor=True, sign=1.0):
    def corrected_rule(g, out, x, s):
        denominator = (1 + x) ** 2 if slip else (1 + abs(x)) ** 2
        return sign * g * (s if s_factor else 1.0) / denominator
    return corrected_rule


def _logcosh(rule, forward=lambda x: math.log(math.cosh(x))):
    return define_op("test_logcosh", forward, rule, replace=True)


def _quartic_step(kind):
    from autograd_lite import grad

    def newton_step(f, x):
        d1, d2 = grad(f)(x), grad(grad(f))(x)
        return {"root": x - f(x) / d1, "gradient": x - d1, "sign": x + d1 / d2}[kind]
    return newton_step


def _order(kind):
    def my_topological_order(root):
        if kind == "recursive":
            order, seen = [], set()

            def visit(v):
                if v not in seen:
                    seen.add(v)
                    for o in v._prev:
                        visit(o)
                    order.append(v)
            visit(root)
            return order
        if kind == "reversed":
            return reverse_topological_order(root)
        if kind == "duplicates":
            order, stack = [], [root]
            while stack:
                node = stack.pop()
                order.append(node)
                stack.extend(node._prev)
            return order[::-1]
        if kind == "no leaves":
            return [v for v in reversed(reverse_topological_order(root)) if v._op]
        if kind == "set":
            return set(reverse_topological_order(root))
        raise AssertionError(kind)
    return my_topological_order


def _backward(kind):
    def my_backward(root):
        order = reverse_topological_order(root)
        if kind == "forward order":
            order = order[::-1]
        if kind != "no seed":
            root.grad = 1.0
        if kind in ("recursive", "visit once"):
            seen = set()

            def visit(v):
                if kind == "visit once" and v in seen:
                    return
                seen.add(v)
                for _, o, c in operand_gradients(v, v.grad):
                    o.grad += c
                for o in v._prev:
                    visit(o)
            visit(root)
            return
        for node in order:
            for _, operand, contribution in operand_gradients(node, node.grad):
                if kind == "assign":
                    operand.grad = contribution
                else:
                    operand.grad += contribution
    return my_backward


def _huber(kind):
    def huber(r):
        if kind == "branch":
            return 0.5 * r * r if abs(r).data <= 1 else abs(r) - 0.5
        if kind == "float":
            a = abs(r.data)
            return 0.5 * a * a if a <= 1 else a - 0.5
        a = abs(r)
        m = 1.0 - (1.0 - a).relu()
        if kind == "no half":
            return m * (a - 0.5 * m) * 2.0
        if kind == "sign":
            return -(m * (a - 0.5 * m))
        raise AssertionError(kind)
    return huber


def _bce(kind):
    def bce(z, t):
        if kind == "naive":
            s = z.sigmoid()
            return -(t * s.log() + (1 - t) * (1 - s).log())
        if kind == "branch":
            return softplus(-z) if t > 0.5 else softplus(z)
        if kind == "sign":
            return t * z - softplus(z)
        if kind == "no t":
            return softplus(z) - z
        raise AssertionError(kind)
    return bce


def _softmax(kind):
    def softmax(logits):
        if kind == "naive":
            e = [z.exp() for z in logits]
            return [x / Value.sum(e) for x in e]
        if kind == "max":
            m = max(logits)
            e = [(z - m).exp() for z in logits]
            return [x / Value.sum(e) for x in e]
        if kind == "sign":
            lse = logsumexp([-z for z in logits])
            return [(-z - lse).exp() for z in logits]
        if kind == "unnormalized":
            return [z.exp() for z in logits]
        if kind == "floats":
            lse = logsumexp(logits)
            return [(z - lse).exp().data for z in logits]
        raise AssertionError(kind)
    return softmax


def _attention(causal=True, scaled=True, sign=1.0):
    def causal_attention(q, k, v):
        T, d = len(q), len(q[0])
        out = []
        for t in range(T):
            seen = range(t + 1) if causal else range(T)
            scores = [sign * Value.sum([q[t][i] * k[s][i] for i in range(d)])
                      / (math.sqrt(d) if scaled else 1.0) for s in seen]
            lse = logsumexp(scores)
            a = [(sc - lse).exp() for sc in scores]
            out.append([Value.sum([w * v[s][i] for w, s in zip(a, seen, strict=True)])
                        for i in range(d)])
        return out
    return causal_attention


def _embed(kind):
    def embed(token, position, wte, wpe):
        d = len(wte[0])
        if kind == "int":
            return [wte[int(token)][j] + wpe[int(position)][j] for j in range(d)]
        if kind == "index":
            return [wte[token][j] + wpe[position][j] for j in range(d)]
        if kind == "no position":
            return [select(token, [row[j] for row in wte]) + 0.0 for j in range(d)]
        if kind == "swapped":
            return [select(position, [row[j] for row in wte])
                    + select(token, [row[j] for row in wpe]) for j in range(d)]
        raise AssertionError(kind)
    return embed


WRONG = {
    "01.1": [("a sign error", -10.0, "wrong sign"),
             ("one path of two", 5.0, "only one of the two uses of d"),
             ("a missing chain-rule factor", -5.0, "d e / d a, takes it down to a"),
             ("the wrong type: text", "10", "without quotes"),
             ("the wrong type: a Value", Value(10.0), "plain number")],
    "01.2": [("a sign error", {"x1": -1.5, "x2": -0.375, "w1": -0.75, "w2": 0.75, "b": -0.75},
              "wrong sign"),
             ("a missing chain-rule factor", {"x1": 2.0, "x2": 0.5, "w1": 1.0, "w2": -1.0,
                                              "b": 1.0}, "the local derivative of tanh"),
             ("x and w swapped", {"x1": 0.75, "x2": -0.75, "w1": 1.5, "w2": 0.375, "b": 0.75},
              "d o / d x1: d n / d w1 is x1's value"),
             ("the wrong type", [1.5, 0.375, 0.75, -0.75, 0.75], "should be a dict"),
             ("a missing key", {"x1": 1.5}, "has no key 'x2'")],
    "01.3": [("the forward difference", _forward_difference, "forward difference"),
             ("a missing factor 2", _over_h, "2h apart"),
             ("a sign error", _backwards, "wrong sign"),
             ("the wrong type", 0.5, "should be a function")],
    "02.1": [("a sign error", -0.0614812, "wrong sign"),
             ("a missing chain-rule factor", (0.75136507 - 0.2) * 0.596884378,
              "slope of the sigmoid"),
             ("the gradient of w5", (0.75136507 - 0.2) * 0.75136507 * (1 - 0.75136507)
              * 0.593269992, "∂E_total/∂w5"),
             ("the old target", (0.75136507 - 0.01) * 0.75136507 * (1 - 0.75136507)
              * 0.596884378, "target 0.01"),
             ("the wrong type", "0.0615", "without quotes")],
    "02.2": [("a sign error", _bp2(sign=-1.0), "wrong sign"),
             ("a missing chain-rule factor", _bp2(slope=False), "σ'(z_k) of BP2 is missing"),
             ("σ' at the output", _bp2(at_output=True), "takes σ' at σ(z_k)"),
             ("w not transposed", _bp2_transposed, "connects neuron k of this layer"),
             ("the wrong type", lambda w, d, z: 0.5, "should be a list")],
    "03.1": [("a sign error", _recipe(sign=-1.0), "wrong sign"),
             ("a missing chain-rule factor", _recipe(output_slope=False), "missing the factor "
                                                                          "f'(h_o)"),
             ("a missing weight", _recipe(hidden_weight=False), "missing the weight W_"),
             ("a transposed matrix", _recipe(transpose=True), "it is transposed"),
             ("the wrong type", lambda *a: 0.1, "should be a list")],
    "03.2": [("the input for the output", lambda g, out, x: g * x * (1 - x),
              "the input x where the output out"),
             ("a missing chain-rule factor", lambda g, out, x: out * (1 - out),
              "the gradient g that flows into the result is missing"),
             ("a sign error", lambda g, out, x: g * out * (out - 1), "wrong sign"),
             ("a rule that only works on floats",
              lambda g, out, x: g * math.exp(-x) / (1 + math.exp(-x)) ** 2,
              "second derivative through it is wrong"),
             ("the wrong type", 0.25, "should be a function")],
    "04.1": [("a missing bias", _neuron(bias=False), "the bias b is missing"),
             ("a missing activation", _neuron(act="none"), "the activation tanh is missing"),
             ("a sign error", _neuron(sign=-1.0), "wrong sign"),
             ("a number, not a Value", _neuron(number=True), "returns a number, not a Value"),
             ("a graph cut at .data", _neuron(detached=True), "the gradient that reaches"),
             ("the wrong type", [1.0], "should be a function")],
    "04.2": [("a sign error", {**XOR, "out_w1": -1.0, "out_w2": -1.0, "out_b": 1.0},
              "every point is on the wrong side"),
             ("one hidden unit missing", {**XOR, "out_w2": 0.0}, "one output weight is 0"),
             ("a wrong bias", {**XOR, "out_b": 1.0}, "2 of 4 points are on the wrong side"),
             ("the wrong type", list(XOR.values()), "should be a dict")],
    "05.1": [("the reduction", lambda n: 1 - 0.25 ** n, "the part lost"),
             ("a missing factor", lambda n: 0.25 ** (n - 1), "n layers give n factors"),
             ("a sign error", lambda n: -(0.25 ** n), "wrong sign"),
             ("sum instead of product", lambda n: 0.25 * n, "they do not add"),
             ("the wrong type", 0.25, "should be a function")],
    "05.2": [("the bound", 0.0625, "σ(0) = 0.5, not 0"),
             ("a missing chain-rule factor", 0.25, "the inner sigmoid's slope alone"),
             ("a sign error", -0.0587509, "wrong sign"),
             ("the value", 1 / (1 + math.exp(-0.5)), "not its derivative"),
             ("the wrong type", None, "should be a number")],
    "06.1": [("a sign error", lambda s, t: t if t * s < 1 else 0.0, "wrong sign"),
             ("a missing chain-rule factor", lambda s, t: -1.0 if t * s < 1 else 0.0,
              "missing its t"),
             ("no flat side", lambda s, t: -t, "the loss is flat"),
             ("the wrong side of the kink", lambda s, t: -t if t * s <= 1 else 0.0,
              "at the kink"),
             ("the wrong type", -1.0, "should be a function")],
    "06.2": [("a sign error", _training(direction=+1.0), "wrong way"),
             ("no training", lambda X, y: (lambda x: 0.0), "as good as guessing"),
             ("the wrong type", lambda X, y: 0.9, "should return a function")],
    "07.1": [("the forward difference", _fd(central=False), "forward difference"),
             ("a missing factor 2", _fd(half=False), "divide by 2·eps"),
             ("a sign error", _fd(sign=-1.0), "wrong sign"),
             ("not put back", _fd(restore=False), "put each parameter back"),
             ("the wrong type", lambda loss, params, eps=1e-6: 0.0, "should be a list")],
    "07.2": [("the forward difference", lambda h: _parameters(h) + 1,
              "forward difference's bill"),
             ("a missing factor 2", _parameters, "twice for each"),
             ("no biases", lambda h: 2 * (_parameters(h) - 2 * h - 1), "biases are parameters"),
             ("the wrong type", 42, "should be a function")],
    "08.1": [("the rule as it was", _softsign_rule(slip=True), "right where x > 0"),
             ("the rule of the other operand", lambda g, out, x, s: g * x / (1 + abs(x)),
              "the rule for s, which was right"),
             ("a missing chain-rule factor", _softsign_rule(s_factor=False),
              "the factor s is missing"),
             ("a sign error", _softsign_rule(sign=-1.0), "wrong sign"),
             ("the wrong type", 0.0, "should be a function")],
    "08.2": [("math.tanh in the rule", lambda: _logcosh(lambda g, out, x: g * math.tanh(x)),
              "second derivative is wrong"),
             ("a missing chain-rule factor",
              lambda: _logcosh(lambda g, out, x: 2.0 * sigmoid(2.0 * x) - 1.0),
              "the factor g is missing"),
             ("a sign error", lambda: _logcosh(lambda g, out, x: -g * (2.0 * sigmoid(2.0 * x)
                                                                       - 1.0)), "wrong sign"),
             ("a wrong forward function",
              lambda: _logcosh(lambda g, out, x: g * (2.0 * sigmoid(2.0 * x) - 1.0),
                               forward=math.cosh), "log(cosh(x))"),
             ("not an op", lambda: (lambda x: x.exp()), "not an op of the table"),
             ("the wrong type", lambda: 1.0, "got a float")],
    "09.1": [("the first derivative", T05 + 0.5 * (1 - T05 ** 2), "the first derivative"),
             ("a sign error", -2 * (1 - T05 ** 2) * (1 - 0.5 * T05), "wrong sign"),
             ("a missing term", 2 * (1 - T05 ** 2), "also gives x·tanh''"),
             ("the wrong type", "1.209", "without quotes")],
    "09.2": [("a root step", _quartic_step("root"), "a root of f"),
             ("a missing factor", _quartic_step("gradient"), "gradient step"),
             ("a sign error", _quartic_step("sign"), "the wrong way"),
             ("the wrong type", 1.0, "should be a function")],
    "10.1": [("the reverse order", _order("reversed"), "reverse order"),
             ("no seen set", _order("duplicates"), "times in the order"),
             ("recursion", _order("recursive"), "RecursionError on a chain 5,000 deep"),
             ("missing leaves", _order("no leaves"), "(a leaf)"),
             ("the wrong type", _order("set"), "a set has no order"),
             ("the engine's own", __import__("autograd_lite.engine").engine.topological_order,
              "engine's own")],
    "10.2": [("assigning instead of adding", _backward("assign"), "add them (+=)"),
             ("the wrong order", _backward("forward order"), "in the wrong order"),
             ("no seed", _backward("no seed"), "seeding root.grad = 1.0"),
             ("recursion", _backward("recursive"), "so more than once"),
             ("visiting once, too early", _backward("visit once"), "when it was first reached"),
             ("the wrong type", 5, "should be a function")],
    "11.1": [("a Python branch", _huber("branch"), "jit cannot trace it"),
             ("a missing factor ½", _huber("no half"), "the quadratic part is ½·r²"),
             ("a sign error", _huber("sign"), "wrong sign"),
             ("a number, not a Value", _huber("float"), "not a Value")],
    "11.2": [("the textbook formula", _bce("naive"), "rounds to 0 or 1"),
             ("a branch on the label", _bce("branch"), "jit cannot trace it"),
             ("a sign error", _bce("sign"), "wrong sign"),
             ("a missing factor t", _bce("no t"), "weight the z term"),
             ("the wrong type", 0.3, "should be a function")],
    "12.1": [("no shift", _softmax("naive"), "exp(1000) overflows"),
             ("Python's max", _softmax("max"), "jit cannot trace it"),
             ("a sign error", _softmax("sign"), "largest logit"),
             ("no normalisation", _softmax("unnormalized"), "add up to"),
             ("the wrong type: floats", _softmax("floats"), "not a Value")],
    "12.2": [("no causal mask", _attention(causal=False), "looks ahead"),
             ("a missing factor 1/√d", _attention(scaled=False), "not scaled by 1/√d"),
             ("a sign error", _attention(sign=-1.0), "least like the query"),
             ("the wrong type", lambda q, k, v: 1.0, "should be a list")],
    "12.3": [("int() on a traced index", _embed("int"), "jit cannot trace it"),
             ("indexing a list with a Value", _embed("index"), "select(index, options)"),
             ("a missing term", _embed("no position"), "position's embedding is missing"),
             ("the tables swapped", _embed("swapped"), "mixes up the tables"),
             ("the wrong type", {}, "should be a function")],
}
MAKES_ITS_ANSWER = {"08.2"}  # the answer is an op: made when the test runs, not at import

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?")


def _numbers_in(answer):
    if isinstance(answer, dict):
        return [x for v in answer.values() for x in _numbers_in(v)]
    if isinstance(answer, Value):
        return [answer.data]
    if isinstance(answer, str):
        try:
            return [float(answer)]
        except ValueError:
            return []
    if isinstance(answer, int | float) and not isinstance(answer, bool):
        return [answer]
    return []


def _code_lines(solution):
    """The lines of code of a solution that is a function (not its signature or docstring)."""
    import inspect
    try:
        source = inspect.getsource(solution)
    except (TypeError, OSError):
        return []
    lines = [line.strip() for line in source.splitlines()[1:]]
    return [line for line in lines if len(line) >= 12 and not line.startswith(('"', "#"))]


def _reveals(message, solution, answer, given=""):
    """True when the message shows the solution's code (beyond what the statement ``given``
    shows), or a number of the solution that the answer did not give."""
    if any(line in message and line not in given for line in _code_lines(solution)):
        return True
    secrets = [x for x in _numbers_in(solution) if abs(x) not in (0.0, 0.5, 1.0, 2.0)]
    given = _numbers_in(answer)
    for token in _NUMBER.findall(message):
        x = float(token)
        if any(math.isclose(x, g, rel_tol=1e-5) for g in given):
            continue
        if any(math.isclose(abs(x), abs(s), rel_tol=1e-4) for s in secrets):
            return True
    return False


def test_the_reveal_detector_sees_code_and_numbers():
    rule = exercises.solution("03.2")
    assert _reveals("try return g * out * (1.0 - out)", rule, None)
    assert _reveals("it should be 10", 10.0, 5.0) and not _reveals("you gave 10", 10.0, 10.0)
    assert not _reveals("it is 0.75 for your answer", {"b": 0.75}, {"b": 0.75})


def test_every_exercise_has_at_least_three_typical_wrong_answers():
    assert set(WRONG) == set(IDS)
    for exercise_id, cases in WRONG.items():
        assert len(cases) >= 3, exercise_id
        names = " ".join(name for name, _, _ in cases)
        assert "wrong type" in names or "not a Value" in names, exercise_id


CASES = [pytest.param(i, name, id=f"{i}-{name}", marks=[pytest.mark.slow] if i in SLOW else [])
         for i, cases in WRONG.items() for name, _, _ in cases]


@pytest.mark.parametrize("exercise_id, case", CASES)
def test_a_typical_wrong_answer_is_named_without_giving_the_answer(exercise_id, case):
    answer, fragment = next((a, f) for name, a, f in WRONG[exercise_id] if name == case)
    if exercise_id in MAKES_ITS_ANSWER:
        answer = answer()
    for seed in (0, 1):
        result = exercises.check(exercise_id, answer, seed=seed)
        assert not result and result.answered, str(result)
        assert result.status == "not right yet"
        assert fragment in result.message, str(result)
        assert "\n" not in result.message
        e = next(e for e in CATALOGUE if e.id == exercise_id)
        assert not _reveals(result.message, exercises.solution(exercise_id), answer,
                            e.statement + e.template), str(result)


def test_a_wrong_answer_says_which_number_and_which_input():
    result = exercises.check("06.1", lambda s, t: t if t * s < 1 else 0.0, seed=0)
    assert re.search(r"hinge_derivative\(-?\d\.?\d*, -?1\.0\) is -?1(\.0)? for your answer",
                     result.message), result.message
    result = exercises.check("10.1", _order("reversed"), seed=0)
    assert "on the graph b = a + a, c = b + b" in result.message


def test_the_dict_answer_reports_each_wrong_entry():
    result = exercises.check("01.2", {"x1": 1.5, "x2": 0.375, "w1": 1.0, "w2": -0.75,
                                      "b": -0.75})
    assert result.message.startswith("2 of 5 are not right: ")
    assert "d o / d w1 is 1 for your answer" in result.message
    assert "d o / d b is -0.75 for your answer, which has the wrong sign" in result.message


def test_a_partly_filled_dict_says_what_is_still_blank():
    result = exercises.check("01.2", {"x1": 1.5, "x2": ..., "w1": 0.75, "w2": ..., "b": 0.75})
    assert result.answered and "'x2', 'w2' still hold(s) ..." in result.message


# ---------------------------------------------------------------------------------------------
# Files of answers
# ---------------------------------------------------------------------------------------------

ANSWERS_FILE = '''
import math
from autograd_lite import grad

dL_da = 10.0
d2f = 1.0  # wrong

def newton_step(f, x):
    return x - grad(f)(x) / grad(grad(f))(x)

if __name__ == "__main__":
    raise SystemExit("not run when checked")
'''


def test_check_file_checks_the_answers_a_file_defines(tmp_path):
    path = tmp_path / "answers.py"
    path.write_text(ANSWERS_FILE)
    results = {r.exercise_id: r for r in exercises.check_file(path)}
    assert set(results) == set(IDS)
    assert results["01.1"] and results["09.2"]
    assert not results["09.1"] and results["09.1"].answered
    assert not results["02.1"].answered
    assert "the file defines no dE_dw6" in results["02.1"].message


def test_check_file_says_where_a_broken_file_fails(tmp_path):
    path = tmp_path / "broken.py"
    path.write_text("x = 1\ny = undefined_name\n")
    with pytest.raises(exercises.AnswersFileError, match=r"NameError.*line 2"):
        exercises.check_file(path)
    path.write_text("while True:\n    pass\n")
    with pytest.raises(exercises.AnswersFileError, match="did not finish running within"):
        exercises.check_file(path, time_limit=0.3)


def test_the_command_lists_the_exercises(capsys):
    from nn.cli import main
    assert main(["exercises"]) == 0
    out = capsys.readouterr().out
    for e in CATALOGUE:
        assert re.search(rf"^{re.escape(e.id)}\s+{e.notebook}\s+{re.escape(e.title)}\s+"
                         rf"{e.answer}$", out, re.M), e
    assert "autograd-lite exercises --check" in out


def test_the_command_checks_a_file_and_prints_a_score(tmp_path, capsys):
    from nn.cli import main
    path = tmp_path / "answers.py"
    path.write_text(ANSWERS_FILE)
    assert main(["exercises", "--check", str(path)]) == 1  # one answer is wrong
    out = capsys.readouterr().out
    assert "01.1 right: d L / d a = 10" in out
    assert "09.1 not right yet: f''(0.5) for f(x) = x·tanh(x) is 1 for your answer" in out
    assert f"score: 2 of {len(IDS)} right (3 answered)" in out
    path.write_text("dL_da = 10.0\n")
    assert main(["exercises", "--check", str(path)]) == 0
    assert f"score: 1 of {len(IDS)} right (1 answered)" in capsys.readouterr().out


def test_the_command_reports_a_broken_or_missing_file_in_one_line(tmp_path, capsys):
    from nn.cli import main
    path = tmp_path / "broken.py"
    path.write_text("1 / 0\n")
    assert main(["exercises", "--check", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "ZeroDivisionError" in err and "Traceback" not in err
    with pytest.raises(SystemExit) as exit_status:
        main(["exercises", "--check", str(tmp_path / "missing.py")])
    assert exit_status.value.code == 2
    assert "no such file" in capsys.readouterr().err


def test_the_docs_page_lists_the_catalogue_as_it_is():
    page = (ROOT / "docs" / "guide" / "exercises.md").read_text()
    rows = re.findall(r"^\| (\d\d\.\d) \| (\d\d) \| (.+?) \| (.+?) \| `(\w+)` \|$", page, re.M)
    assert rows == [(e.id, e.notebook[:2], e.title, e.kind, e.answer) for e in CATALOGUE]
    kinds = re.findall(r"^\| ([a-z ]+) \| (.+?) \|$", page, re.M)
    assert [k for k, _ in kinds if k in exercises.KINDS] == list(exercises.KINDS)
    assert "exercises" in (ROOT / "docs" / "guide" / "index.md").read_text()


def test_without_numpy_a_traced_check_says_what_to_install(monkeypatch):
    import importlib.util
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *args: None if name == "numpy" else find_spec(name, *args))
    for exercise_id in ("11.1", "11.2", "12.1", "12.2", "12.3"):
        result = exercises.check(exercise_id, exercises.solution(exercise_id), seed=0)
        assert not result and result.answered
        assert 'pip install "autograd-lite[fast]"' in result.message
        assert "passed the eager checks" in result.message
