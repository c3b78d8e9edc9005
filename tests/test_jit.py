"""autograd_lite.jit: the traced mode equals the eager computation, or says why it cannot."""

import copy
import math
import pickle
import re
import subprocess
import sys
import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import TraceError, Value, define_op, engine, gradients, jit, no_grad
from autograd_lite.engine import OPS, div, logsumexp, maximum, select, sigmoid, softplus, where
from autograd_lite.testing import expressions
from nn import MLP


def relative(a, b, floor=0.0):
    """The largest difference, relative to the largest magnitude of ``b`` (or ``floor``, for
    results that cancel to almost nothing). NaN equals NaN and infinities must be equal: a
    NaN or an infinity on one side only is an infinite difference."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    same = (a == b) | (np.isnan(a) & np.isnan(b))
    if same.all():
        return 0.0
    finite = np.isfinite(a) & np.isfinite(b)
    if not finite[~same].all():
        return math.inf
    scale = max(float(np.max(np.abs(b[finite]))), floor) or 1.0
    return float(np.max(np.abs(a - b)[finite]) / scale)


def test_relative_counts_a_nan_or_an_infinity_on_one_side_as_a_difference():
    assert relative([1.0, math.nan], [1.0, math.nan]) == 0.0
    assert relative([1.0, math.nan], [1.0, 2.0]) == math.inf
    assert relative([1.0, 2.0], [1.0, math.nan]) == math.inf
    assert relative([math.inf], [1e308]) == math.inf
    assert relative([1.0 + 1e-13], [1.0]) == pytest.approx(1e-13)


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
    assert len(step.graphs) == 1  # one trace served every batch
    assert step.check(*batch).ok


# Where the table's ops have edges: select at every index (out of range, non-integer,
# infinite, nan), maximum at ties, pow at a zero or negative base, and an op of one's own.
INDICES = [-2.0, -1.0, 0.0, 1.0, 2.0, 3.0, 4.0, 0.5, math.inf, -math.inf, math.nan]
EDGES = [-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0]


def _at_the_edges(expression, data):
    """``expression`` with each select's index replaced by one of ``INDICES`` or by an input
    (so that the index varies from example to example)."""
    steps = []
    for step in expression.steps:
        if step.op == "select":
            index = data.draw(st.sampled_from([*INDICES, "input"]))
            index = data.draw(st.integers(0, expression.n_inputs - 1)) if index == "input" \
                else index
            step = type(step)(step.op, (index, *step.operands[1:]))
        steps.append(step)
    return type(expression)(expression.n_inputs, tuple(steps))


@settings(deadline=None, max_examples=150)
@given(data=st.data())
def test_every_op_at_its_edges_gives_the_eager_values_and_gradients_nan_for_nan(data):
    with define_op("test_jit_swish", lambda x: x * sigmoid(x),
                   lambda g, out, x: g * (sigmoid(x) + out * (1.0 - sigmoid(x)))), \
            define_op("test_jit_clip", lambda x: where(x > 1.0, 1.0, x),
                      lambda g, out, x: where(x > 1.0, 0.0, g)):
        expression = _at_the_edges(data.draw(expressions(n_inputs=3, max_steps=8,
                                                         domain_safe=False)), data)
        is_param = data.draw(st.lists(st.booleans(), min_size=3, max_size=3))
        params = [Value(data.draw(st.sampled_from(EDGES))) for _ in range(sum(is_param))]

        def example(x):
            it = iter(params)
            return expression(*[next(it) if p else x[j] for j, p in enumerate(is_param)])

        step = jit(example, params=params, reduce="sum")
        rows = data.draw(st.lists(st.lists(st.sampled_from([*EDGES, 3.0]), min_size=3,
                                           max_size=3), min_size=1, max_size=5))
        batch = [np.array(rows)]
        loss, grads = traced(step, params, batch)
        want_loss, want_grads = eager(example, params, batch, "sum")
        assert relative(loss, want_loss, floor=1.0) <= 1e-12, str(expression)
        if params:
            assert relative(grads, want_grads, floor=1.0) <= 1e-12, str(expression)


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
    # x * x * x works on arrays as it is; math.hypot does not: it runs element by element;
    # and the rules of hypot are called on whole arrays (div works on them)
    with define_op("test_jit_cube", lambda x: x * x * x, lambda g, out, x: g * 3.0 * x * x
                   ) as slow, \
            define_op("test_jit_square", lambda x: x * x, lambda g, out, x: g * 2.0 * x,
                      array=np.square) as fast, \
            define_op("test_jit_hypot", math.hypot, lambda g, out, a, b: g * div(a, out),
                      lambda g, out, a, b: g * div(b, out)) as both:
        w = Value(0.7)

        def example(x):
            return slow(x[0] * w) + fast(x[1]) * w + both(x[0], w)

        step = jit(example, params=[w])
        batch = [np.random.default_rng(5).normal(size=(9, 2))]
        loss, grads = traced(step, [w], batch)
        want_loss, want_grads = eager(example, [w], batch)
        assert relative(loss, want_loss) <= 1e-12 and relative(grads, want_grads) <= 1e-12
    assert not {"test_jit_cube", "test_jit_square", "test_jit_hypot"} & set(OPS)


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
    with pytest.raises(TraceError, match="reads the number inside a Value while jit traces"):
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
    assert len(step.graphs) == 2
    either = jit(lambda x: w * (sum(x) if isinstance(x, list) else x), params=[w],
                 reduce="sum")
    assert either([1.0, 2.0]) == 3.0 and either([[1.0], [2.0]]) == 3.0  # a Value, a list
    assert len(either.graphs) == 2
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
    with pytest.raises(TypeError, match="argument 0 must hold real numbers only"):
        step(["a", "b"], [1.0, 2.0])
    with pytest.raises(TypeError, match="lists of equal length"):
        step([[1.0], [1.0, 2.0]], [1.0, 2.0])
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
    assert text.count("contract ") == 4  # three layers and the L2 penalty's sum of squares
    assert re.search(r"contract   -> \(B, [0-9, ]+\) +covers 256 nodes", text)
    assert "once per call" in text  # the L2 penalty
    assert step.memory() > 0


def test_check_compares_with_eager_and_catches_a_wrong_numpy_form():
    w = Value(0.3)
    step = jit(lambda x: (w * x).tanh(), params=[w])
    report = step.check([0.5, -1.0, 2.0])
    assert report.ok and "agree" in str(report)
    with define_op("test_jit_wrong", math.sin, lambda g, out, x: g * math.cos(x),
                   array=np.cos) as wrong:  # the array form is not the forward's
        bad = jit(lambda x: wrong(w * x), params=[w])
        with pytest.raises(TraceError, match="DISAGREE"):
            bad.check([0.5, -1.0, 2.0])


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
    assert len(ce.graphs) == 1  # the label is an input of the trace, not a part of it
    bce = jit(lambda z, y: binary_cross_entropy_with_logits(w * z, y), params=[w])
    zs, ys = [-800.0, -1.0, 0.0, 3.0, 800.0], [1.0, 0.0, 1.0, 0.5, 0.0]
    loss, grads = traced(bce, [w], [zs, ys])
    want = binary_cross_entropy_with_logits([w * z for z in zs], ys)
    assert loss == pytest.approx(want.data, rel=1e-12) and math.isfinite(loss)
    assert relative(grads, gradients(want, [w])) <= 1e-12


# --- never silently wrong: what 22,000 generated programs found ----------------------------

def test_a_detached_temporary_left_on_a_debug_line_changes_nothing():
    # The trace used to key detached leaves by id() without keeping them: a later node that
    # reused the id was taken for a detach.
    w = Value(1.0)

    def example(x):
        for _ in range(50):
            (x * 3.0).detach()  # a debug line, its result dropped at once
        return w * x * 3.0

    loss, grads = traced(jit(example, params=[w]), [w], [[1.0]])
    assert (loss, grads.tolist()) == (3.0, [3.0])


@pytest.mark.parametrize("read", [
    lambda x: x * engine.value_of(x),
    lambda x: copy.copy(x) * 2,
    lambda x: copy.deepcopy(x) * 2,
    lambda x: pickle.loads(pickle.dumps(x)) * 2,
    lambda x: x * float(f"{x:.17g}"),
    lambda x: x * len(f"{x:.3f}"),
], ids=["value_of", "copy", "deepcopy", "pickle", "format-17g", "format-3f"])
def test_every_way_of_reading_a_traced_number_is_refused(read):
    with pytest.raises(TraceError, match=r"test_jit\.py:\d+"):
        jit(read, params=[])([1.0, -2.0])


def test_str_of_a_traced_value_shows_no_number_so_nothing_is_frozen():
    seen = []
    step = jit(lambda x: seen.append(str(x)) or x * 2, params=[], reduce="sum")
    assert step([1.0, -2.0]) == -2.0
    assert seen == ["Value(data=traced, grad=0.0, label='x0')"]


def test_redefining_an_op_is_seen_by_a_function_traced_before():
    w = Value(2.0)
    with define_op("test_jit_twice", lambda x: 2.0 * x, lambda g, out, x: 2.0 * g) as twice:
        step = jit(lambda x: twice(w * x), params=[w], reduce="sum")
        assert traced(step, [w], [[1.0, 3.0]]) == (16.0, pytest.approx([8.0]))
        define_op("test_jit_twice", lambda x: 3.0 * x, lambda g, out, x: 3.0 * g, replace=True)
        assert traced(step, [w], [[1.0, 3.0]]) == (24.0, pytest.approx([12.0]))
    assert "test_jit_twice" not in OPS


def test_a_captured_value_is_read_at_every_call_and_a_python_read_of_it_is_refused():
    w, c = Value(1.0), Value(2.0)  # c is captured: not a parameter
    step = jit(lambda x: w * x * c, params=[w], reduce="sum")
    assert step([1.0]) == 2.0
    c.data = 5.0
    assert step([1.0]) == 5.0
    for read in (lambda x: w * x * c if c.data > 1 else w * x,
                 lambda x: w * x * c * float(c),
                 lambda x: w * x * (2.0 if c > 1 else 3.0)):
        with pytest.raises(TraceError, match="reads the number"):
            jit(read, params=[w])([1.0])
    assert c.data == 5.0 and w.data == 1.0  # hidden while tracing, back afterwards


def test_assigning_a_number_inside_the_traced_function_is_refused():
    w = Value(1.0)

    def example(x):
        w.data = 3.0  # happens once, while tracing: eager would do it at every call
        return w * x

    with pytest.raises(TraceError, match=r"assigning v\.data"):
        jit(example, params=[w])([1.0])
    assert w.data == 1.0


@pytest.mark.parametrize("bad, kind", [
    ([[1.0], [None]], "NoneType"), ([["3"], [1.0]], "str"), ([1.0, 2.0 + 1.0j], "complex"),
    (np.array(["2026-01-01"], dtype="datetime64[D]"), "datetime64"),
    (np.array([1 + 2j]), "complex"), (np.array(["3"]), "<U1"),
])
def test_a_batch_is_numbers_only_as_eager_code_takes(bad, kind):
    step = jit(lambda x: x * 2, params=[], reduce=None)
    with pytest.raises(TypeError, match=f"argument 0 must hold real numbers only.*{kind}"):
        step(bad)


def test_a_batch_holding_a_huge_int_gives_inf_as_eager_code_does():
    step = jit(lambda x: x * 1.0, params=[], reduce=None)
    assert step([10 ** 400, 1]).tolist() == [math.inf, 1.0]
    assert (Value(10 ** 400) * 1.0).data == math.inf


def test_check_agrees_when_the_output_is_a_parameter_itself():
    w = Value(1.5)
    step = jit(lambda x: w, params=[w])
    assert step.check([1.0, 2.0]).ok
    assert traced(step, [w], [[1.0, 2.0]]) == (1.5, pytest.approx([1.0]))


def test_an_empty_batch_gives_no_outputs_and_a_mean_of_nothing_is_refused():
    w = Value(1.0)
    assert jit(lambda x: w * x, params=[w], reduce=None)([]).tolist() == []
    assert jit(lambda x: w * x, params=[w], reduce="sum")([]) == 0.0 and w.grad == 0.0
    with pytest.raises(ValueError, match="batch is empty"):
        jit(lambda x: w * x, params=[w])([])


@pytest.mark.parametrize("bad, error", [("a", TypeError), (-1.0, ValueError),
                                        (math.nan, ValueError), (None, TypeError)])
def test_check_names_a_bad_tolerance(bad, error):
    with pytest.raises(error, match="tolerance"):
        jit(lambda x: x * 2, params=[]).check([1.0], tolerance=bad)


@pytest.mark.parametrize("bad", [None, 3, "w", Value(1.0)])
def test_params_must_be_a_list_of_values(bad):
    with pytest.raises(TypeError, match="params must be a list of Values"):
        jit(lambda x: x, params=bad)


@pytest.mark.parametrize("lean", ["left", "right"])
def test_a_chain_of_a_hundred_thousand_additions_becomes_one_sum_either_way(lean):
    # the right-leaning chain used to take quadratic time to merge
    n = 100_000

    def example(x):
        acc = x * 1.0
        for k in range(n):
            term = x * float(k % 7)
            acc = acc + term if lean == "left" else term + acc
        return acc

    step = jit(example, params=[], reduce=None)
    out = step([1.0, 2.0])
    assert out.tolist() == [sum(k % 7 for k in range(n)) + 1.0,
                            2 * (sum(k % 7 for k in range(n)) + 1.0)]
    sums = [i for i in step.graph.program.instrs if i.op == "sum_last"]
    assert len(sums) == 1 and sums[0].out.shape == (1,)


def test_an_op_of_your_own_with_no_array_code_runs_as_one_array_op_per_level():
    with define_op("test_jit_softsign", lambda x: x / (1.0 + abs(x)),
                   lambda g, out, x: div(g, (1.0 + abs(x)) * (1.0 + abs(x)))) as softsign:
        model = MLP(3, [8, 1], activation="linear", seed=3)
        params = model.parameters()
        step = jit(lambda x: model([softsign(h) for h in x]) ** 2, params=params)
        batch = [np.random.default_rng(0).normal(size=(6, 3))]
        loss, grads = traced(step, params, batch)
        want_loss, want_grads = eager(lambda x: model([softsign(h) for h in x]) ** 2,
                                      params, batch)
        assert relative(loss, want_loss) <= 1e-12 and relative(grads, want_grads) <= 1e-12
        [one] = [i for i in step.graph.program.instrs if i.op == "test_jit_softsign"]
        assert one.covers == 3 and one.out.describe() == "(B, 3)"
        from autograd_lite.traced.emit import array_function
        assert array_function(OPS["test_jit_softsign"]) is OPS["test_jit_softsign"].forward


def test_an_op_added_as_contributing_says_works_eager_higher_order_and_traced():
    # CONTRIBUTING: a numerics function, one row of the table, its test row
    def cube_forward(x: float) -> float:
        return x * x * x

    row = engine.Op("test_jit_cube_row", cube_forward,
                    (lambda g, out, a: g * 3.0 * a * a,), lambda a: a * a * a)
    engine.OPS[row.name] = row
    try:
        x = Value(1.5)
        y = engine.apply_op(row.name, [x])
        (d1,) = gradients(y, [x], create_graph=True)
        assert y.data == 3.375 and d1.data == 6.75 and gradients(d1, [x]) == [9.0]
        step = jit(lambda v: engine.apply_op(row.name, [v]) * 2.0, params=[], reduce=None)
        assert step([1.5, -2.0]).tolist() == [6.75, -16.0]
    finally:
        del engine.OPS[row.name]


# --- the IR you can see -----------------------------------------------------------------------

def test_the_graph_prints_one_line_per_array_instruction_and_stages_show_every_pass():
    w, v, b = Value(0.5), Value(-0.5), Value(0.1)
    step = jit(lambda x: (w * x[0] + v * x[1] + b).tanh(), params=[w, v, b])
    assert step.graph is None
    step([[1.0, 2.0], [3.0, 4.0]])
    text = str(step.graph)
    assert text.startswith("program:") and "tanh(" in text and "return output" in text
    assert len(text.splitlines()) == len(step.graph.program.instrs) + 2
    names = [name for name, _ in step.stages([[1.0, 2.0]])]
    assert names == ["trace", "simplify", "group", "lookups", "contract", "differentiate",
                     "schedule", "emit"]
    stages = dict(step.stages([[1.0, 2.0]]))
    assert "%5     = * %2, %0" in stages["trace"] and "def run(" in stages["emit"]
    assert "contract(" in stages["contract"] and "contract(" not in stages["group"]


def test_tracing_changes_no_class_and_hides_the_parameters_only_while_it_runs():
    before = dict(vars(Value))
    w = Value(2.0)
    seen = []

    def example(x):
        seen.append(dict(vars(Value)) == before)
        return w * x

    jit(example, params=[w])([1.0])
    assert seen == [True] and dict(vars(Value)) == before and w.data == 2.0


def test_jit_and_check_name_a_bad_params_or_tolerance_in_one_line():
    with pytest.raises(TypeError, match=r"jit: params must be a list of Values .* got NoneType"):
        jit(lambda x: x, params=None)
    w = Value(0.5)
    step = jit(lambda x: w * x, params=[w])
    with pytest.raises(TypeError, match=r"check: tolerance must be a number, got 'a'"):
        step.check([1.0, 2.0], tolerance="a")
