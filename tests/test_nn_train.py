"""The training loop: it learns XOR, moons and spirals, its history, batches and progress bar."""

import io

import pytest

from autograd_lite import Value
from nn import MLP, SGD, Adam, accuracy, fit, predict
from nn.cli import demo_training
from nn.data import moons, spirals, xor
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
    history = fit(a, X, y, optimizer=SGD(a.parameters(), lr=0.5), epochs=3, progress=False)
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
