"""The training loop: it learns XOR, moons and spirals, its history, batches and progress bar."""

import io
import math

import pytest

from autograd_lite import Value
from nn import MLP, SGD, Adam, accuracy, fit, mse_loss, predict
from nn.cli import demo_training
from nn.data import moons, spirals, xor
from nn.optim import NonFiniteError
from nn.train import History, linear_decay


def test_learns_xor_to_100_percent():
    X, y = xor(4, noise=0.0)
    model = MLP(2, [8, 1], seed=1)
    history = fit(model, X, y, epochs=60, progress=False)
    assert accuracy(model, X, y) == 1.0
    assert history.accuracy[-1] == 1.0


def test_learns_noisy_xor_with_minibatches_and_adam():
    X, y = xor(40, noise=0.1, seed=2)
    model = MLP(2, [8, 1], activation="tanh", seed=2)
    fit(model, X, y, loss="bce", optimizer=Adam(model.parameters(), lr=0.05), epochs=25,
        batch_size=8, progress=False)
    assert accuracy(model, X, y) == 1.0


@pytest.mark.slow
def test_moons_above_95_percent_with_the_demo_defaults():
    model, X, y, history = demo_training()  # what `autograd-lite demo` trains
    assert accuracy(model, X, y) > 0.95
    assert history.loss[-1] < history.loss[0] / 10
    assert (X, y) == moons(100, noise=0.1, seed=0)


def test_moons_with_minibatches_and_momentum():
    X, y = moons(seed=0)
    model = MLP(2, [16, 16, 1], seed=0)
    fit(model, X, y, optimizer=SGD(model.parameters(), lr=0.05, momentum=0.9), epochs=15,
        batch_size=20, progress=False)
    assert accuracy(model, X, y) > 0.95


def test_spirals_with_cross_entropy():
    X, y = spirals(60, classes=3, seed=0)
    model = MLP(2, [24, 3], seed=0)
    history = fit(model, X, y, loss="cross_entropy", optimizer=Adam(model.parameters(), lr=0.05),
                  epochs=30, batch_size=10, progress=False)
    assert history.accuracy[-1] > 0.9
    assert set(predict(model, X)) == {0, 1, 2}


def test_history_has_one_entry_per_epoch_and_the_schedule():
    X, y = moons(20, seed=1)
    model = MLP(2, [4, 1], seed=1)
    seen = []
    history = fit(model, X, y, optimizer=SGD(model.parameters(), lr=1.0), epochs=4,
                  lr_schedule=linear_decay(1.0, 0.2, 4), validation_data=(X[:5], y[:5]),
                  callback=lambda epoch, h: seen.append((epoch, len(h.loss))), progress=False)
    assert isinstance(history, History)
    assert len(history.loss) == len(history.accuracy) == len(history.val_accuracy) == 4
    assert history.lr == [1.0, 0.8, 0.6, 1.0 - 0.8 * 3 / 4]
    assert seen == [(0, 1), (1, 2), (2, 3), (3, 4)]
    assert all(0.0 <= a <= 1.0 for a in history.accuracy)


def test_full_batch_training_is_micrograds_loop():
    """fit with one full batch, hinge loss and L2 takes micrograd's demo steps (its graph has
    sum nodes where micrograd has chains of '+', so gradients may differ in the last bit)."""
    X, y = moons(16, seed=4)
    a, b = MLP(2, [4, 1], seed=5), MLP(2, [4, 1], seed=5)
    history = fit(a, X, y, optimizer=SGD(a.parameters(), lr=0.5), epochs=3, progress=False,
                  traced=False)
    ys = [1.0 if label else -1.0 for label in y]
    losses = []
    for _ in range(3):
        scores = [b(list(map(Value, x))) for x in X]
        losses_b = [(1 + -yi * si).relu() for yi, si in zip(ys, scores, strict=True)]
        data_loss = sum(losses_b) * (1.0 / len(X))
        total = data_loss + 1e-4 * sum(p * p for p in b.parameters())
        b.zero_grad()
        total.backward()
        for p in b.parameters():
            p.data -= 0.5 * p.grad
        losses.append(total.data)
    assert history.loss[0] == losses[0]  # same forward pass, bit for bit
    assert history.loss == pytest.approx(losses, rel=1e-12)
    assert list(a.state_dict().values()) == pytest.approx(list(b.state_dict().values()),
                                                          rel=1e-12)


def test_seeded_minibatch_training_is_reproducible():
    X, y = moons(30, seed=0)
    runs = []
    for _ in range(2):
        model = MLP(2, [4, 1], seed=3)
        fit(model, X, y, epochs=3, batch_size=7, seed=11, progress=False)
        runs.append(model.state_dict())
    assert runs[0] == runs[1]


def test_custom_loss_function_gets_outputs_and_raw_labels():
    X, y = [[0.0, 1.0], [1.0, 0.0]], [3.0, -3.0]
    got = []

    def loss(outputs, targets):
        got.append(list(targets))
        return sum((o - t) * (o - t) for o, t in zip(outputs, targets, strict=True))

    fit(MLP(2, [1], seed=0), X, y, loss=loss, epochs=1, l2=0.0, progress=False)
    assert got == [[3.0, -3.0]]


def test_progress_bar_is_silent_off_a_terminal_and_when_asked(monkeypatch, capsys):
    X, y = xor(4, noise=0.0)
    fake = io.StringIO()  # not a terminal
    monkeypatch.setattr("sys.stderr", fake)
    fit(MLP(2, [2, 1], seed=0), X, y, epochs=2)
    fit(MLP(2, [2, 1], seed=0), X, y, epochs=2, progress=False)
    assert fake.getvalue() == ""
    fit(MLP(2, [2, 1], seed=0), X, y, epochs=2, progress=True)  # forced: tqdm writes
    assert "2/2" in fake.getvalue()


def test_progress_bar_is_silent_without_tqdm(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_tqdm(name, *args, **kwargs):
        if name.startswith("tqdm"):
            raise ImportError("no tqdm")
        return real_import(name, *args, **kwargs)

    fake = io.StringIO()
    monkeypatch.setattr(builtins, "__import__", no_tqdm)
    monkeypatch.setattr("sys.stderr", fake)
    X, y = xor(4, noise=0.0)
    fit(MLP(2, [2, 1], seed=0), X, y, epochs=1, progress=True)
    assert fake.getvalue() == ""


def test_accuracy_and_predict_conventions():
    model = MLP(1, [1], activation="linear", seed=0)
    model.layers[0].neurons[0].w[0].data = 1.0  # score = x
    X = [[-2.0], [-0.5], [0.0], [1.0]]
    assert predict(model, X) == [0, 0, 0, 1]
    assert accuracy(model, X, [0, 0, 0, 1]) == 1.0
    assert accuracy(model, X, [-1, -1, -1, 1]) == 1.0  # ±1 labels too
    assert accuracy(model, X, [1, 1, 1, 1]) == 0.25


@pytest.mark.parametrize("kwargs, message", [
    ({"epochs": -1}, "epochs"), ({"batch_size": 0}, "batch_size"),
    ({"loss": "huber"}, "unknown loss 'huber'"),
])
def test_fit_argument_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        fit(MLP(2, [1], seed=0), [[0.0, 0.0]], [1], progress=False, **kwargs)


@pytest.mark.parametrize("nout, loss, message", [
    (3, "hinge", "loss 'hinge' needs a model with one output; this model has 3"),
    (2, "bce", "loss 'bce' needs a model with one output; this model has 2"),
    (1, "cross_entropy", "needs a model with one output per class"),
])
def test_fit_checks_the_model_outputs_suit_the_loss(nout, loss, message):
    with pytest.raises(ValueError, match=message):
        fit(MLP(2, [nout], seed=0), [[0.0, 0.0]], [1], loss=loss, progress=False)


def test_fit_length_mismatch():
    with pytest.raises(ValueError, match="X has 1 examples but y has 2 labels"):
        fit(MLP(2, [1], seed=0), [[0.0, 0.0]], [1, 0], progress=False)


# --- every argument is checked before training; nothing non-finite is trained on -------------

def two_points():
    return [[0.0, 1.0], [1.0, 0.0]], [1, 0]


@pytest.mark.parametrize("kwargs, kind, message", [
    ({"l2": math.nan}, ValueError, "l2 must be a finite number >= 0, got nan"),
    ({"l2": -1}, ValueError, "l2 must be a finite number >= 0, got -1"),
    ({"l2": "1e-4"}, TypeError, r"l2 must be a number, got '1e-4' \(str\)"),
    ({"epochs": 1.0}, TypeError, r"epochs must be an int, got 1.0 \(float\)"),
    ({"batch_size": True}, TypeError, r"batch_size must be an int, got True"),
    ({"seed": 0.5}, TypeError, r"seed must be an int, got 0.5"),
    ({"progress": "yes"}, TypeError, r"progress must be True or False, got 'yes'"),
    ({"callback": 3}, TypeError, r"callback must be a function or None, got 3"),
    ({"lr_schedule": 0.1}, TypeError, r"lr_schedule must be a function or None, got 0.1"),
    ({"loss": 3}, TypeError, r"loss must be a name \(hinge, bce, mse, cross_entropy\) or a "
                             r"function, got 3"),
    ({"optimizer": "sgd"}, TypeError, r"optimizer must be an optimizer such as SGD"),
    ({"validation_data": ([[0.0, 1.0]], [1, 0])}, ValueError,
     r"validation_data has 1 examples and 2 labels"),
    ({"validation_data": ([[0.0, 1.0]], [2])}, ValueError,
     r"validation_data y\[0\] must be a binary label \(0 or 1, or -1 or \+1\), got 2"),
])
def test_bad_settings_are_named_before_anything_trains(kwargs, kind, message):
    X, y = two_points()
    model = MLP(2, [1], seed=0)
    before = model.state_dict()
    with pytest.raises(kind, match=message):
        fit(model, X, y, **{"epochs": 2, "progress": False, **kwargs})
    assert model.state_dict() == before


@pytest.mark.parametrize("schedule, kind, message, epochs_done", [
    (lambda epoch: math.nan, ValueError, r"lr_schedule\(0\) returned nan \(float\); a learning "
                                         r"rate must be a finite number >= 0", []),
    (lambda epoch: 1.0 if epoch < 2 else -0.5, ValueError, r"lr_schedule\(2\) returned -0.5",
     [0, 1]),
    (lambda epoch: math.inf, ValueError, r"lr_schedule\(0\) returned inf", []),
    (lambda epoch: "0.1", TypeError, r"lr_schedule\(0\) returned '0.1' \(str\)", []),
])
def test_a_bad_learning_rate_from_the_schedule_stops_before_its_epoch(schedule, kind, message,
                                                                       epochs_done):
    X, y = two_points()
    model = MLP(2, [1], seed=0)
    done = []
    with pytest.raises(kind, match=message):
        fit(model, X, y, epochs=4, lr_schedule=schedule, progress=False,
            callback=lambda epoch, h: done.append(epoch))
    assert done == epochs_done


def test_linear_decay_holds_its_end_and_checks_its_arguments():
    schedule = linear_decay(1.0, 0.2, 4)
    assert [schedule(e) for e in (3, 4, 10)] == [1.0 - 0.8 * 3 / 4, 0.2, 0.2]  # never < end
    with pytest.raises(ValueError, match="epochs must be an int >= 1, got 0"):
        linear_decay(1.0, 0.1, 0)
    with pytest.raises(ValueError, match="end must be a finite number >= 0, got -1"):
        linear_decay(1.0, -1, 10)


def test_an_optimizer_over_other_parameters_is_refused_and_a_subset_is_allowed():
    X, y = two_points()
    model, other = MLP(2, [2, 1], seed=0), MLP(2, [2, 1], seed=1)
    with pytest.raises(ValueError, match=r"9 of the optimizer's 9 parameters are not parameters "
                                         r"of the model .* make it with SGD\(model.parameters"):
        fit(model, X, y, optimizer=SGD(other.parameters(), lr=0.1), epochs=1, progress=False)
    last_layer = model.layers[1].parameters()
    frozen = model.layers[0].state_dict()
    fit(model, X, y, optimizer=SGD(last_layer, lr=0.1), epochs=3, progress=False)
    assert model.layers[0].state_dict() == frozen  # the first layer was left as it was


@pytest.mark.parametrize("y, kind, message", [
    ([0, 2.7], TypeError, r"y\[1\] must be a class index \(an int from 0 to 2\), got 2.7 "
                          r"\(float\)"),
    ([True, 0], TypeError, r"y\[0\] must be a class index .* got True \(bool\)"),
    ([0, 3], ValueError, r"y\[1\] must be a class index \(an int from 0 to 2\) \(the model has "
                         r"3 outputs\), got 3"),
    ([0, "1"], TypeError, r"y\[1\] must be a class index"),
])
def test_cross_entropy_labels_must_be_class_indices(y, kind, message):
    with pytest.raises(kind, match=message):
        fit(MLP(2, [3], seed=0), [[0.0, 1.0], [1.0, 0.0]], y, loss="cross_entropy", epochs=1,
            progress=False)


@pytest.mark.parametrize("loss", ["hinge", "bce", "mse"])
@pytest.mark.parametrize("y, kind, message", [
    ([0, 2], ValueError, r"y\[1\] must be a binary label \(0 or 1, or -1 or \+1\), got 2"),
    ([0, 0.5], ValueError, r"y\[1\] must be a binary label .* got 0.5"),
    ([1, None], TypeError, r"y\[1\] must be a binary label .* got None"),
    ([0, -1], ValueError, r"y mixes 0/1 labels and -1/\+1 labels \(y\[0\] is 0, y\[1\] is -1\)"),
    ([0, math.nan], ValueError, r"y\[1\] must be a binary label .* got nan"),
])
def test_binary_labels_are_0_1_or_minus_1_plus_1(loss, y, kind, message):
    with pytest.raises(kind, match=message):
        fit(MLP(2, [1], seed=0), [[0.0, 1.0], [1.0, 0.0]], y, loss=loss, epochs=1,
            progress=False)


@pytest.mark.parametrize("X, kind, message", [
    ([[0.0, math.nan], [1.0, 0.0]], ValueError, r"X\[0\]\[1\] must be a finite number, got nan"),
    ([[0.0, 1.0], [math.inf, 0.0]], ValueError, r"X\[1\]\[0\] must be a finite number, got inf"),
    ([[0.0, 1.0], [1.0]], ValueError, r"X\[1\] has 1 number\(s\) but X\[0\] has 2"),
    ([[0.0, 1.0, 2.0], [1.0, 0.0, 2.0]], ValueError,
     r"the examples in X have 3 number\(s\) each, but the model takes 2 input\(s\)"),
    ("ab", TypeError, r"X must be a list of examples, each a list of numbers, got 'ab'"),
    ([[0.0, "1"], [1.0, 0.0]], TypeError, r"X\[0\]\[1\] must be a number, got '1' \(str\)"),
])
def test_bad_examples_are_named(X, kind, message):
    with pytest.raises(kind, match=message):
        fit(MLP(2, [1], seed=0), X, [1, 0], epochs=1, progress=False)


def test_a_non_finite_loss_stops_training_and_keeps_the_last_good_parameters():
    X, y = moons(20, seed=0)
    model = MLP(2, [4, 1], seed=0)
    states = []
    with pytest.raises(NonFiniteError, match=r"the loss is inf at epoch \d+ of 50, batch 1 of "
                                             r"1; training stopped before this step"):
        fit(model, X, y, optimizer=SGD(model.parameters(), lr=1e150), epochs=50,
            progress=False, callback=lambda epoch, h: states.append(model.state_dict()))
    assert states and model.state_dict() == states[-1]
    assert all(math.isfinite(v) for v in model.state_dict().values())


def test_a_non_finite_update_stops_training_naming_the_epoch():
    X, y = moons(20, seed=0)
    model = MLP(2, [4, 1], seed=0)
    with pytest.raises(NonFiniteError, match=r"at epoch 1 of 5, batch 1 of 1: SGD.step: "
                                             r"parameter \d+ .* would become -?inf"):
        fit(model, X, y, optimizer=SGD(model.parameters(), lr=1e10), epochs=5, l2=0.0,
            loss=lambda outs, ts: Value.sum(outs) * 1e300, progress=False)  # huge gradients
    assert all(math.isfinite(v) for v in model.state_dict().values())


def test_a_loss_function_must_return_a_value():
    with pytest.raises(TypeError, match=r"the loss function must return a Value, got 0.5"):
        fit(MLP(2, [1], seed=0), *two_points(), loss=lambda outs, ys: 0.5, l2=0.0, epochs=1,
            progress=False)


def test_a_custom_loss_with_regression_targets_trains_without_accuracy():
    X, y = [[0.0, 1.0], [1.0, 0.0]], [[3.0], [-3.0]]  # not class labels
    history = fit(MLP(2, [1], seed=0), X, y, epochs=2, progress=False,
                  loss=lambda outs, ts: mse_loss(outs, [t[0] for t in ts]))
    assert len(history.loss) == 2 and history.accuracy == []


def test_accuracy_and_predict_name_a_model_that_is_not_one():
    with pytest.raises(TypeError, match=r"model must be a model \(callable on one example\), "
                                        r"got None"):
        accuracy(None, [[0.0, 0.0]], [0])
    with pytest.raises(TypeError, match="model must be a model"):
        predict("MLP", [[0.0, 0.0]])
    with pytest.raises(TypeError, match=r"model must be a Module \(callable, with "
                                        r"parameters\(\)\), got None"):
        fit(None, [[0.0, 0.0]], [0])


def test_accuracy_names_bad_labels():
    model = MLP(2, [3], seed=0)
    with pytest.raises(TypeError, match=r"y\[0\] must be a class index .* got 1.5"):
        accuracy(model, [[0.0, 0.0]], [1.5])
    with pytest.raises(ValueError, match=r"y\[0\] must be a binary label .* got 3"):
        accuracy(MLP(2, [1], seed=0), [[0.0, 0.0]], [3])


@pytest.mark.parametrize("loss, nouts, labels", [
    ("hinge", 1, "binary"), ("bce", 1, "binary"), ("mse", 1, "binary"),
    ("cross_entropy", 3, "classes"),
])
def test_the_traced_mode_trains_as_the_eager_engine_does(loss, nouts, labels):
    from nn.data import spirals

    X, y = moons(40, seed=1) if labels == "binary" else spirals(42, classes=3, seed=1)
    histories, states = [], []
    for traced in (False, True):
        model = MLP(2, [8, nouts], activation="tanh", seed=3)
        histories.append(fit(model, X, y, loss=loss, optimizer=SGD(model.parameters(), lr=0.3,
                                                                   momentum=0.5),
                             epochs=4, batch_size=16, l2=1e-3, progress=False,
                             validation_data=(X[:10], y[:10]), traced=traced))
        states.append(list(model.state_dict().values()))
    eager, traced = histories
    assert traced.loss == pytest.approx(eager.loss, rel=1e-12)
    assert traced.accuracy == eager.accuracy and traced.val_accuracy == eager.val_accuracy
    assert states[1] == pytest.approx(states[0], rel=1e-10, abs=1e-12)


def test_traced_needs_a_named_loss_and_numpy():
    import subprocess
    import sys

    X, y = moons(8, seed=0)
    model = MLP(2, [1], seed=0)
    def own(outs, targets):
        return Value.sum([(o - t) ** 2 for o, t in zip(outs, targets, strict=True)])

    with pytest.raises(ValueError, match="traced=True needs a loss named in LOSSES"):
        fit(model, X, y, loss=own, traced=True, epochs=1, progress=False)
    assert fit(model, X, y, loss=own, epochs=1, progress=False).loss  # eager by itself
    with pytest.raises(TypeError, match="traced must be True, False or None, got 'yes'"):
        fit(model, X, y, traced="yes", epochs=1, progress=False)
    code = ("import sys; sys.modules['numpy'] = None\n"
            "from nn import MLP, fit\nfrom nn.data import moons\nX, y = moons(8, seed=0)\n"
            "h = fit(MLP(2, [1], seed=0), X, y, epochs=2, progress=False)\n"
            "print(len(h.loss))\n"
            "try:\n    fit(MLP(2, [1], seed=0), X, y, epochs=1, traced=True, progress=False)\n"
            "except ImportError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        "2", 'fit: traced=True needs NumPy: pip install "autograd-lite[fast]"']


# --- the traced forward pass that predict and accuracy keep per model ------------------------

def test_predict_traces_again_when_a_setting_of_the_model_changes():
    from nn import Module

    class Flip(Module):
        def __init__(self):
            self.w = Value(1.0)
            self.sign = 1.0  # a plain setting the forward pass reads

        def __call__(self, x):
            return self.w * x[0] * self.sign

    model, rows = Flip(), [[1.0], [2.0], [-1.0]]
    assert predict(model, rows, traced=True) == [1, 1, 0]
    model.sign = -1.0
    assert predict(model, rows, traced=True) == predict(model, rows, traced=False) == [0, 0, 1]


def test_a_dataclass_module_is_predicted_traced_as_eager():
    import dataclasses

    from nn import Module

    @dataclasses.dataclass(eq=True)
    class Line(Module):
        w: Value = dataclasses.field(default_factory=lambda: Value(2.0))

        def __call__(self, x):
            return self.w * x[0] - 1.0

    model, rows = Line(), [[1.0], [0.25]]
    assert predict(model, rows, traced=True) == predict(model, rows, traced=False) == [1, 0]
    assert accuracy(model, rows, [1, 0], traced=True) == 1.0


def test_accuracy_refuses_rows_that_are_not_numbers_traced_as_eager():
    model = MLP(2, [1], seed=0)
    rows = [[0.5, 0.5], [None, None]]
    for traced in (True, False):
        with pytest.raises(TypeError):
            accuracy(model, rows, [1, 0], traced=traced)


def test_eager_fit_averages_huge_finite_batch_losses_without_overflow():
    # every batch loss is finite (about 1e307), their size-weighted sum is not; the epoch's
    # mean is then still the finite mean of the batches, as the traced mode's
    X, y = xor()
    model = MLP(2, [4, 1], seed=0)
    history = fit(model, X, y, optimizer=SGD(model.parameters(), lr=0.0), epochs=1,
                  batch_size=1, l2=1e306, progress=False, traced=False)
    (loss,) = history.loss
    assert math.isfinite(loss) and loss > 1e306


def test_traced_predict_of_no_rows_is_an_empty_list_as_eager():
    pytest.importorskip("numpy")
    model = MLP(2, [3, 1], seed=0)
    assert predict(model, [], traced=True) == predict(model, [], traced=False) == []
