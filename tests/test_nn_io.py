"""Saving and loading: bit-for-bit round trips, atomic writes, and clear errors for bad files."""

import json
import os
import random

import pytest

from nn import MLP, Layer, ModelFileError, Module, Neuron, load_model, load_parameters, save_model
from nn.data import moons
from nn.io import FORMAT, atomic_write_text


@pytest.fixture
def model():
    m = MLP(2, [5, 4, 1], activation="tanh", seed=3)
    rng = random.Random(0)
    for p in m.parameters():  # biases too, with awkward floats
        p.data = rng.uniform(-2, 2) / 3
    return m


def outputs(model, X):
    return [model(x).data for x in X]


X, _ = moons(20, seed=1)


@pytest.mark.parametrize("make", [
    lambda: MLP(2, [5, 4, 1], activation="tanh", seed=3),
    lambda: MLP(2, [3, 2], activation=["sigmoid", "relu"], seed=1),
    lambda: Layer(2, 3, activation="tanh", seed=2),
    lambda: Neuron(2, nonlin=False, seed=4),
])
def test_save_load_gives_identical_outputs(tmp_path, make):
    model = make()
    rng = random.Random(1)
    for p in model.parameters():
        p.data = rng.gauss(0.0, 1.0) / 7
    path = save_model(model, tmp_path / "m.json")
    copy = load_model(path)
    assert type(copy) is type(model)
    assert copy.architecture() == model.architecture()
    assert copy.state_dict() == model.state_dict()
    for x in X:
        a, b = model(x), copy(x)
        assert (a.data if not isinstance(a, list) else [v.data for v in a]) == \
            (b.data if not isinstance(b, list) else [v.data for v in b])


def test_file_is_readable_json_with_metadata(tmp_path, model):
    path = save_model(model, tmp_path / "m.json", metadata={"epochs": 3})
    doc = json.loads(path.read_text())
    assert doc["format"] == FORMAT and doc["version"] == 1
    assert doc["architecture"] == {"type": "MLP", "nin": 2, "nouts": [5, 4, 1],
                                   "activations": ["tanh", "tanh", "linear"]}
    assert doc["metadata"] == {"epochs": 3}
    assert list(doc["parameters"]) == [n for n, _ in model.named_parameters()]


def test_loading_does_not_touch_the_global_random(tmp_path, model):
    path = save_model(model, tmp_path / "m.json")
    state = random.getstate()
    load_model(path)
    assert random.getstate() == state


def test_load_parameters_into_a_model(tmp_path, model):
    path = save_model(model, tmp_path / "m.json")
    other = MLP(2, [5, 4, 1], activation="tanh", seed=9)
    assert load_parameters(other, path) is other
    assert outputs(other, X) == outputs(model, X)


def test_load_parameters_into_another_architecture_names_both(tmp_path, model):
    path = save_model(model, tmp_path / "m.json")
    other = MLP(2, [5, 3, 1], activation="tanh", seed=9)
    before = other.state_dict()
    with pytest.raises(ModelFileError, match=r"the file holds MLP\(nin=2, nouts=\[5, 4, 1\].* "
                                             r"but the model is MLP\(nin=2, nouts=\[5, 3, 1\]"):
        load_parameters(other, path)
    assert other.state_dict() == before


def test_custom_module_saves_parameters_only(tmp_path):
    class Pair(Module):
        def __init__(self):
            self.a = Neuron(2, seed=0)
            self.b = Neuron(2, seed=1)

    path = save_model(Pair(), tmp_path / "pair.json")
    with pytest.raises(ModelFileError, match="without an architecture; build the model"):
        load_model(path)
    fresh = Pair()
    for p in fresh.parameters():
        p.data = 0.0
    load_parameters(fresh, path)
    assert fresh.state_dict() == Pair().state_dict()


# --- atomic writes ---------------------------------------------------------------------------

def test_save_replaces_atomically_and_leaves_no_temporary_file(tmp_path, model):
    path = tmp_path / "m.json"
    path.write_text("old")
    save_model(model, path)
    assert os.listdir(tmp_path) == ["m.json"]
    assert load_model(path).state_dict() == model.state_dict()


def test_interrupted_save_keeps_the_old_file(tmp_path, model, monkeypatch):
    path = save_model(model, tmp_path / "m.json")
    old = path.read_bytes()

    def crash(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        save_model(MLP(2, [1], seed=0), path)
    assert path.read_bytes() == old
    assert os.listdir(tmp_path) == ["m.json"]


def test_atomic_write_uses_the_usual_permissions(tmp_path):
    umask = os.umask(0o022)
    try:
        path = atomic_write_text(tmp_path / "f.txt", "hi")
    finally:
        os.umask(umask)
    assert path.read_text() == "hi"
    assert path.stat().st_mode & 0o777 == 0o644


# --- bad files -------------------------------------------------------------------------------

def write(tmp_path, text):
    path = tmp_path / "bad.json"
    path.write_text(text)
    return path


def saved_doc(model):
    return {"format": FORMAT, "version": 1, "architecture": model.architecture(),
            "parameters": model.state_dict()}


def test_truncated_file(tmp_path, model):
    text = save_model(model, tmp_path / "m.json").read_text()
    path = write(tmp_path, text[: len(text) // 2])
    with pytest.raises(ModelFileError, match=r"not valid JSON, the file is truncated or corrupt "
                                             r"\(.* at line \d+, column \d+\)"):
        load_model(path)


@pytest.mark.parametrize("text, message", [
    ("", "the file is empty"),
    ("[1, 2]", "not an autograd-lite model file"),
    ('{"format": "something-else"}', "not an autograd-lite model file"),
    ("{garbage", "not valid JSON"),
])
def test_corrupt_files(tmp_path, text, message):
    with pytest.raises(ModelFileError, match=message):
        load_model(write(tmp_path, text))


def test_binary_garbage(tmp_path):
    path = tmp_path / "bad.json"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ModelFileError, match="not UTF-8"):
        load_model(path)


def test_model_file_error_is_a_value_error():
    assert issubclass(ModelFileError, ValueError)


@pytest.mark.parametrize("change, message", [
    (lambda d: d.pop("parameters"), "missing key 'parameters'"),
    (lambda d: d.update(parameters=[1, 2]), "key 'parameters' must be a JSON object, got list"),
    (lambda d: d.update(version=99), "format version 99 is newer"),
    (lambda d: d["architecture"].update(type="CNN"), "'architecture.type' must be one of"),
    (lambda d: d["architecture"].update(nin=0), "'architecture.nin' must be a positive int"),
    (lambda d: d["architecture"].update(nouts=[5, "4", 1]),
     r"'architecture.nouts\[1\]' must be a positive int, got '4'"),
    (lambda d: d["architecture"].update(activations=["tanh", "tanh"]),
     "'architecture.activations' must list one activation per layer"),
    (lambda d: d["architecture"].update(activations=["tanh", "swish", "linear"]),
     r"'architecture.activations\[1\]' must be one of relu, tanh, sigmoid, linear"),
    (lambda d: d["parameters"].pop("layers.1.neurons.3.w.2"),
     r"do not fit MLP\(nin=2, nouts=\[5, 4, 1\].*which has 44 parameters \(the file has 43\): "
     r"missing parameter\(s\) 'layers.1.neurons.3.w.2'"),
    (lambda d: d["parameters"].update({"layers.0.neurons.0.w.2": 0.5}),
     r"unexpected parameter\(s\) 'layers.0.neurons.0.w.2'"),
    (lambda d: d["parameters"].update({"layers.2.neurons.0.b": "0.5"}),
     "parameter 'layers.2.neurons.0.b' must be a number, got \"0.5\""),
    (lambda d: d["parameters"].update({"layers.2.neurons.0.b": None}),
     "parameter 'layers.2.neurons.0.b' must be a number, got null"),
    (lambda d: d["parameters"].update({"layers.2.neurons.0.b": 10 ** 400}),
     "'layers.2.neurons.0.b' is out of float range"),
])
def test_mismatched_files_name_the_key_or_shape(tmp_path, model, change, message):
    doc = saved_doc(model)
    change(doc)
    with pytest.raises(ModelFileError, match=message):
        load_model(write(tmp_path, json.dumps(doc)))


def test_a_bad_file_never_half_loads(tmp_path, model):
    doc = saved_doc(model)
    names = list(doc["parameters"])
    for name in names[:-1]:
        doc["parameters"][name] = 0.0
    doc["parameters"][names[-1]] = "oops"  # the last entry is bad: nothing may be assigned
    target = MLP(2, [5, 4, 1], activation="tanh", seed=3)
    before = target.state_dict()
    with pytest.raises(ModelFileError):
        load_parameters(target, write(tmp_path, json.dumps(doc)))
    assert target.state_dict() == before


def test_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_model(tmp_path / "nope.json")


def test_models_pickle_and_deepcopy_with_identical_outputs():
    import copy
    import pickle

    from nn import MLP

    model = MLP(2, [4, 1], activation="tanh", seed=3)
    for clone in (pickle.loads(pickle.dumps(model)), copy.deepcopy(model)):
        assert clone([0.3, -0.7]).data == model([0.3, -0.7]).data
