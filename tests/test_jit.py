"""autograd_lite.jit: the traced mode equals the eager computation, or says why it cannot."""

import math
import subprocess
import sys
import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import TraceError, Value, define_op, gradients, jit, no_grad
from autograd_lite.engine import OPS, div, logsumexp, maximum, select, softplus
from autograd_lite.testing import expressions
from nn import MLP


def relative(a, b, floor=0.0):
    """The largest difference, relative to the largest magnitude of ``b`` (or ``floor``, for
    results that cancel to almost nothing; NaN equals NaN)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    same = (a == b) | (np.isnan(a) & np.isnan(b))
    if same.all():
        return 0.0
    scale = max(np.nanmax(np.abs(b)), floor) or 1.0
    return float(np.nanmax(np.abs(a - b)) / scale)


def eager(fn, params, batch, reduce="mean"):
    """The eager computation jit must equal: a graph per example, reduced, differentiated."""
    rows = list(zip(*[np.asarray(a, dtype=float).tolist() for a in batch], strict=True))
    outs = []
    for row in rows:
        args = [[Value(v) for v in a] if isinstance(a, list) else Value(a) for a in row]
        outs.append(fn(*args))
    if reduce is None:
        return np.array([[o.data for o in out] if isinstance(out, list) else o_data(out)
                         for out in outs]), None
    total = Value.sum(outs) * (1.0 / len(outs)) if reduce == "mean" else Value.sum(outs)
    return total.data, np.array(gradients(total, params)) if params else None


def o_data(out):
    return out.data if isinstance(out, Value) else float(out)


def traced(step, params, batch):
    for p in params:
        p.grad = 0.0
    loss = step(*batch)
    return loss, np.array([p.grad for p in params])


# --- equal to eager --------------------------------------------------------------------------

@settings(deadline=None)
@given(expression=expressions(n_inputs=4, max_steps=8), data=st.data())
def test_random_programs_equal_eager_on_new_batches_and_after_updates(expression, data):
    # each input slot of the expression is a feature of the batch or a parameter
    is_param = data.draw(st.lists(st.booleans(), min_size=4, max_size=4))
    params = [Value(data.draw(st.floats(-1.5, 1.5))) for _ in range(sum(is_param))]

    def example(x):
        it, slots = iter(params), []
        for j, p in enumerate(is_param):
            slots.append(next(it) if p else x[j])
        return expression(*slots)

    reduce = data.draw(st.sampled_from(["mean", "sum"]))
    step = jit(example, params=params, reduce=reduce)
    rng = np.random.default_rng(data.draw(st.integers(0, 1000)))
    for _ in range(2):  # a new batch, and new parameter values, each time
        batch = [rng.uniform(-1.5, 1.5, size=(int(rng.integers(1, 6)), 4))]
        loss, grads = traced(step, params, batch)
        want_loss, want_grads = eager(example, params, batch, reduce)
        # the programs' values are of order 1: where sums cancel to almost nothing, the
        # difference is measured against 1 (rounding in another order is all it can be)
        assert relative(loss, want_loss, floor=1.0) <= 1e-12
        if params:
            assert relative(grads, want_grads, floor=1.0) <= 1e-12
        for p in params:
            p.data += 0.25
    assert len(step.plans) == 1  # one trace served every batch
    assert step.check(*batch).ok


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
@pytest.mark.parametrize("sizes", [[1], [4, 1], [5, 3, 1]])
def test_mlps_with_hinge_and_l2_equal_eager(activation, sizes):
    model = MLP(3, sizes, activation=activation, seed=1)
    params = model.parameters()

    def example(x, y):
        return (1 - y * model(x)).relu() + 1e-4 * sum(p * p for p in params)

    step = jit(example, params=params)
    rng = np.random.default_rng(0)
    for _ in range(3):
        batch = [rng.normal(size=(17, 3)), np.sign(rng.normal(size=17))]
        loss, grads = traced(step, params, batch)
        want_loss, want_grads = eager(example, params, batch)
        assert relative(loss, want_loss) <= 1e-12 and relative(grads, want_grads) <= 1e-12
        for p, g in zip(params, grads, strict=True):
            p.data -= 0.1 * g


def test_a_classifier_with_cross_entropy_written_with_table_ops():
    model = MLP(4, [6, 3], seed=2)
    params = model.parameters()

    def example(x, label):  # the label is an input: the trace must not freeze it
        z = model(x)
        return logsumexp(z) - select(label, z)

    step = jit(example, params=params)
    rng = np.random.default_rng(1)
    batch = [rng.normal(size=(20, 4)), rng.integers(0, 3, size=20).astype(float)]
    loss, grads = traced(step, params, batch)
    want_loss, want_grads = eager(example, params, batch)
    assert relative(loss, want_loss) <= 1e-12 and relative(grads, want_grads) <= 1e-12
    assert step.check(*batch).ok


def test_choices_made_by_table_ops_follow_each_example():
    # traced at one example, run at others on either side of each choice, and at extremes
    w = Value(1.0)

    def example(x, k):
        return maximum(w * x, 0.5 * x) + softplus(-x) + select(k, [w * x, 2 * x, -x])

    step = jit(example, params=[w])
    batch = [[-800.0, -1.0, 0.0, 2.0, 800.0], [2.0, 0.0, 1.0, 2.0, 0.0]]
    loss, grads = traced(step, [w], batch)
    want_loss, want_grads = eager(example, [w], batch)
    assert relative(loss, want_loss) <= 1e-12 and relative(grads, want_grads) <= 1e-12


def test_reduce_none_gives_the_outputs_of_every_example():
    model = MLP(2, [4, 3], seed=0)
    predict = jit(lambda x: model(x), params=model.parameters(), reduce=None)
    grid = np.random.default_rng(3).normal(size=(7, 2))
    out = predict(grid)
    want, _ = eager(lambda x: model(x), [], [grid], reduce=None)
    assert out.shape == (7, 3) and relative(out, want) <= 1e-12
    one = jit(lambda x: x * 2 + 1, params=[], reduce=None)
    assert one([1.0, 2.0]).tolist() == [3.0, 5.0]
    constant = jit(lambda x: 5.0, params=[], reduce=None)
    assert constant([1.0, 2.0, 3.0]).tolist() == [5.0, 5.0, 5.0]


def test_parameter_only_work_is_done_once_and_counted_once():
    w = Value(3.0)
    step = jit(lambda x: x * 0.0 + w * w, params=[w], reduce="mean")
    loss, grads = traced(step, [w], [[1.0, 2.0, 3.0, 4.0]])
    assert loss == 9.0 and grads.tolist() == [6.0]  # d mean(w*w)/dw, not 4 times it
    assert "once per call" in step.explain()
    total = jit(lambda x: w * w, params=[w], reduce="sum")
    loss, grads = traced(total, [w], [[1.0, 2.0, 3.0, 4.0]])
    assert loss == 36.0 and grads.tolist() == [24.0]


def test_gradients_are_added_into_grad_like_backward():
    w = Value(2.0)
    step = jit(lambda x: w * x, params=[w])
    w.grad = 1.0
    step([1.0, 3.0])
    assert w.grad == 3.0
    step([1.0, 3.0])
    assert w.grad == 5.0
    w.grad = None  # as a zero_grad(set_to_none) would leave it
    step([1.0, 3.0])
    assert w.grad == 2.0


def test_ops_of_your_own_trace_with_or_without_a_numpy_form():
    slow = define_op("test_jit_cube", lambda x: x * x * x, lambda g, out, x: g * 3.0 * x * x,
                     replace=True)
    fast = define_op("test_jit_square", lambda x: x * x, lambda g, out, x: g * 2.0 * x,
                     array=(np.square, lambda g, out, x: g * 2.0 * x), replace=True)
    both = define_op("test_jit_hypot", math.hypot, lambda g, out, a, b: g * div(a, out),
                     lambda g, out, a, b: g * div(b, out), replace=True)
    try:
        w = Value(0.7)

        def example(x):
            return slow(x[0] * w) + fast(x[1]) * w + both(x[0], w)

        step = jit(example, params=[w])
        batch = [np.random.default_rng(5).normal(size=(9, 2))]
        loss, grads = traced(step, [w], batch)
        want_loss, want_grads = eager(example, [w], batch)
        assert relative(loss, want_loss) <= 1e-12 and relative(grads, want_grads) <= 1e-12
    finally:
        for name in ("test_jit_cube", "test_jit_square", "test_jit_hypot"):
            del OPS[name]


def test_detach_inside_the_function_stops_the_gradient_only():
    w = Value(1.5)
    step = jit(lambda x: (w * x).detach() * w + x, params=[w])
    loss, grads = traced(step, [w], [[1.0, 2.0]])
    want_loss, want_grads = eager(lambda x: (w * x).detach() * w + x, [w], [[1.0, 2.0]])
    assert loss == want_loss and grads.tolist() == want_grads.tolist() == [1.5 * 1.5]


def test_captured_leaves_are_read_at_every_call():
    w, scale = Value(1.0), Value(2.0)  # scale is not a parameter: no gradient, but current
    step = jit(lambda x: w * x * scale, params=[w])
    assert step([1.0]) == 2.0
    scale.data = 10.0
    assert step([1.0]) == 10.0 and scale.grad == 0.0


# --- correct or loud -------------------------------------------------------------------------

def _branchy(x):
    if x.data > 0:  # the user's line, which the error must name
        return x * 2
    return x * -3


@pytest.mark.parametrize("read, what", [
    (lambda x: x * 2 if x.data > 0 else x, ".data"),
    (lambda x: x * 2 if x else x, "bool"),
    (lambda x: x * 2 if x > 0 else x, "comparison"),
    (lambda x: x * float(x), "float"),
    (lambda x: max([x, x * 2]), "max"),
    (lambda x: x * round(x), "round"),
    (lambda x: x * int(x), "int"),
    (lambda x: x * x.item(), "item"),
])
def test_python_control_flow_on_traced_data_raises_naming_the_line(read, what):
    with pytest.raises(TraceError) as error:
        jit(read, params=[])([1.0, -1.0])
    message = str(error.value)
    assert __file__ in message and what in message


def test_the_error_points_at_the_users_line():
    step = jit(_branchy, params=[])
    with pytest.raises(TraceError, match=r"test_jit\.py:\d+ \(\"if x\.data > 0:"):
        step([1.0, -1.0])
    line = _branchy.__code__.co_firstlineno + 1
    with pytest.raises(TraceError, match=rf"test_jit\.py:{line}\b"):
        step([1.0])


def test_reading_a_parameter_inside_the_function_is_caught_too():
    w = Value(0.5)
    with pytest.raises(TraceError, match="reads the number inside a traced Value"):
        jit(lambda x: x * (2.0 if w.data > 0 else 3.0), params=[w])([1.0])


def test_backpropagating_inside_the_traced_function_is_refused():
    from autograd_lite import grad

    with pytest.raises(TraceError, match="backpropagating"):
        jit(lambda x: grad(lambda u: u * u)(x), params=[])([1.0])
    with pytest.raises(TraceError, match="backpropagating"):
        jit(lambda x: gradients(x * x, [x])[0], params=[])([1.0])


def test_no_grad_inside_or_a_graph_from_before_is_refused():
    with pytest.raises(TraceError, match="no_grad"):
        def quiet(x):
            with no_grad():
                return x * 2
        jit(quiet, params=[])([1.0])
    w = Value(2.0)
    before = w * 3  # computed outside: its graph would never run again
    with pytest.raises(TraceError, match="computed before it was traced"):
        jit(lambda x: x * before, params=[w])([1.0])


def test_a_traced_function_called_inside_a_trace_is_refused():
    inner = jit(lambda x: x * 2, params=[])
    with pytest.raises(TraceError, match="inside another trace"):
        jit(lambda x: x + inner([1.0]), params=[])([1.0])


def test_another_input_structure_gets_its_own_trace():
    w = Value(1.0)
    step = jit(lambda x: w * sum(x), params=[w], reduce="sum")
    assert step([[1.0, 2.0], [3.0, 4.0]]) == 10.0
    assert step([[1.0, 2.0, 3.0]]) == 6.0  # three features: traced anew, never truncated
    assert len(step.plans) == 2
    either = jit(lambda x: w * (sum(x) if isinstance(x, list) else x), params=[w],
                 reduce="sum")
    assert either([1.0, 2.0]) == 3.0 and either([[1.0], [2.0]]) == 3.0  # a Value, a list
    assert len(either.plans) == 2
    model = MLP(2, [1], seed=0)
    classify = jit(lambda x: model(x), params=model.parameters(), reduce=None)
    classify([[0.5, 0.5]])
    with pytest.raises(ValueError, match="expects 2 input"):
        classify([[0.5, 0.5, 0.5]])  # the model itself says what is wrong


def test_bad_calls_and_bad_settings_are_named():
    w = Value(1.0)
    with pytest.raises(TypeError, match=r"params\[1\] must be a Value, got float"):
        jit(lambda x: x, params=[w, 2.0])
    with pytest.raises(TypeError, match="result of an op"):
        jit(lambda x: x, params=[w * 2])
    with pytest.raises(ValueError, match=r"params\[1\] is listed twice"):
        jit(lambda x: x, params=[w, w])
    with pytest.raises(TypeError, match="a list of Values"):
        jit(lambda x: x, params=w)
    with pytest.raises(ValueError, match="reduce must be 'mean', 'sum' or None, got 'max'"):
        jit(lambda x: x, params=[w], reduce="max")
    with pytest.raises(TypeError, match="fn must be callable"):
        jit(3, params=[w])
    step = jit(lambda x, y: x * w + y, params=[w])
    with pytest.raises(ValueError, match="argument 1 has 3 examples, argument 0 has 2"):
        step([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match=r"1 or 2 dimensions\), got shape \(2, 2, 2\)"):
        step(np.zeros((2, 2, 2)), [1.0, 2.0])
    with pytest.raises(TypeError, match="argument 0 must be numbers"):
        step(["a", "b"], [1.0, 2.0])
    with pytest.raises(ValueError, match="batch is empty"):
        step([], [])
    with pytest.raises(TypeError, match="must return a Value or a number, got list"):
        jit(lambda x: [x, x], params=[w])([1.0])


# --- inspection ------------------------------------------------------------------------------

def test_explain_shows_the_kernels_and_what_they_replace():
    model = MLP(2, [16, 16, 1], seed=0)
    params = model.parameters()
    step = jit(lambda x, y: (1 - y * model(x)).relu() + 1e-4 * sum(p * p for p in params),
               params=params)
    assert "not traced yet" in step.explain()
    step([[0.5, 1.0]], [1.0])
    text = step.explain()
    assert text.count("matmul") == 3 and "covers 272 nodes (16 sum, 256 *)" in text
    assert "once per call" in text  # the L2 penalty
    assert step.memory() > 0


def test_check_compares_with_eager_and_catches_a_wrong_numpy_form():
    w = Value(0.3)
    step = jit(lambda x: (w * x).tanh(), params=[w])
    report = step.check([0.5, -1.0, 2.0])
    assert report.ok and "agree" in str(report)
    wrong = define_op("test_jit_wrong", math.sin, lambda g, out, x: g * math.cos(x),
                      array=(np.sin, lambda g, out, x: g * np.sin(x)), replace=True)
    try:
        bad = jit(lambda x: wrong(w * x), params=[w])
        with pytest.raises(TraceError, match="DISAGREE"):
            bad.check([0.5, -1.0, 2.0])
    finally:
        del OPS["test_jit_wrong"]


# --- what eager mode keeps -------------------------------------------------------------------

def test_the_guards_are_gone_once_the_trace_is_done():
    original = {name: Value.__dict__[name] for name in ("data", "__bool__", "__lt__")}
    step = jit(lambda x: x * 2, params=[])
    step([1.0])
    assert {name: Value.__dict__[name] for name in original} == original
    with pytest.raises(TraceError):
        jit(_branchy, params=[])([1.0])
    assert {name: Value.__dict__[name] for name in original} == original
    v = Value(1.0)
    assert v > 0 and bool(v) and float(v) == 1.0  # eager reads are plain again


def test_a_trace_in_one_thread_leaves_eager_code_in_another_alone():
    started, release, seen = threading.Event(), threading.Event(), []

    def slow_example(x):
        started.set()
        release.wait(5)
        return x * 2

    worker = threading.Thread(target=lambda: seen.append(jit(slow_example, params=[])([1.0])))
    worker.start()
    started.wait(5)
    v = Value(3.0)
    ok = v > 1 and max([v, Value(1.0)]) is v and v.data == 3.0  # while the trace runs
    release.set()
    worker.join()
    assert ok and seen == [2.0]


def test_importing_autograd_lite_does_not_import_numpy_and_jit_says_how_to_get_it():
    code = ("import sys, autograd_lite; print('numpy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    code = ("import sys; sys.modules['numpy'] = None\n"
            "from autograd_lite import jit, Value\n"
            "try:\n    jit(lambda x: x, params=[])\n"
            "except ImportError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert 'pip install "autograd-lite[fast]"' in out.stdout


def test_values_in_a_batch_are_refused_rather_than_taken_as_numbers():
    from autograd_lite import grad

    w = Value(0.5)
    step = jit(lambda x: w * x * x, params=[w], reduce="sum")
    with pytest.raises(TypeError, match="argument 0 holds Values"):
        step([Value(3.0), Value(1.0)])
    with pytest.raises(TypeError, match="holds Values"):
        grad(lambda v: step([v]))(Value(3.0))  # it would silently give 0 for d/dv
    assert step(np.array([3.0])) == 4.5


def test_nn_losses_trace_at_one_label_and_run_at_others_and_at_extreme_logits():
    from nn import binary_cross_entropy_with_logits, cross_entropy

    w = Value(1.0)
    ce = jit(lambda z, t: cross_entropy([w * zk for zk in z], t), params=[w])
    logits = [[0.5, -1.0, 2.0], [800.0, 0.0, 0.0], [0.0, 800.0, -800.0], [1.0, 1.0, 1.0]]
    for labels in ([0, 1, 2, 0], [2, 0, 1, 1]):  # traced with the first, run with the second
        batch = [logits, [float(t) for t in labels]]
        loss, grads = traced(ce, [w], batch)
        want = cross_entropy([[w * v for v in row] for row in logits], labels)
        assert math.isfinite(loss) and relative(loss, want.data) <= 1e-12
        assert relative(grads, gradients(want, [w])) <= 1e-12
    assert len(ce.plans) == 1  # the label is an input of the trace, not a part of it
    bce = jit(lambda z, y: binary_cross_entropy_with_logits(w * z, y), params=[w])
    zs, ys = [-800.0, -1.0, 0.0, 3.0, 800.0], [1.0, 0.0, 1.0, 0.5, 0.0]
    loss, grads = traced(bce, [w], [zs, ys])
    want = binary_cross_entropy_with_logits([w * z for z in zs], ys)
    assert loss == pytest.approx(want.data, rel=1e-12) and math.isfinite(loss)
    assert relative(grads, gradients(want, [w])) <= 1e-12
