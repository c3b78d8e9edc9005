"""Saving and loading: bit-for-bit round trips, atomic writes, and clear errors for bad files."""

import json
import math
import os
import random
import stat

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


KILLED_WHILE_SAVING = """
import os, signal, sys
from nn import MLP
from nn.io import atomic_path
with atomic_path(sys.argv[1]) as tmp:
    tmp.write_text("half a file")
    os.kill(os.getpid(), signal.SIGKILL)  # kill -9: no clean-up runs
"""


@pytest.mark.skipif(os.name == "nt", reason="POSIX signals")
def test_the_temporary_of_a_killed_save_is_removed_by_the_next_save(tmp_path, model):
    import signal
    import subprocess
    import sys

    path = tmp_path / "m.json"
    (tmp_path / ".notes").write_text("mine")
    killed = subprocess.run([sys.executable, "-c", KILLED_WHILE_SAVING, str(path)],
                            capture_output=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL
    (left,) = (name for name in os.listdir(tmp_path) if name != ".notes")
    assert left.startswith(".autograd-lite-tmp-")  # recognisable as a temporary of ours
    save_model(model, path)
    assert sorted(os.listdir(tmp_path)) == [".notes", "m.json"]


def test_all_or_nothing_renames_every_file_only_at_the_end(tmp_path):
    from nn.io import _all_or_nothing

    (tmp_path / "a.txt").write_text("old a")
    with _all_or_nothing() as done:
        atomic_write_text(tmp_path / "a.txt", "new a")
        atomic_write_text(tmp_path / "b.txt", "new b")
        assert (tmp_path / "a.txt").read_text() == "old a"
        assert not (tmp_path / "b.txt").exists()
    assert done == [tmp_path / "a.txt", tmp_path / "b.txt"]
    assert sorted(os.listdir(tmp_path)) == ["a.txt", "b.txt"]
    assert (tmp_path / "b.txt").read_text() == "new b"


def test_all_or_nothing_that_raises_writes_nothing(tmp_path):
    from nn.io import _all_or_nothing

    (tmp_path / "a.txt").write_text("old a")
    with pytest.raises(KeyboardInterrupt), _all_or_nothing():
        atomic_write_text(tmp_path / "a.txt", "new a")
        atomic_write_text(tmp_path / "b.txt", "new b")
        raise KeyboardInterrupt
    assert os.listdir(tmp_path) == ["a.txt"]
    assert (tmp_path / "a.txt").read_text() == "old a"


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
     r"'architecture.nouts\[1\]' must be a positive int, got \"4\""),
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
     "'layers.2.neurons.0.b' is .*out of float range"),
    (lambda d: d["parameters"].update({"layers.2.neurons.0.b": 10 ** 300 * 10 ** 10}),
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


# --- files that lie about their size, or hold what JSON should not ---------------------------

def claim(arch, parameters=None, **extra):
    return json.dumps({"format": FORMAT, "version": 1, "architecture": arch,
                       "parameters": parameters or {}, **extra})


def test_a_small_file_claiming_a_huge_model_is_refused_before_building_it(tmp_path,
                                                                         monkeypatch):
    def no_building(*args, **kwargs):
        raise AssertionError("the model was built")

    monkeypatch.setattr("nn.io.MLP", no_building)
    text = claim({"type": "MLP", "nin": 1000, "nouts": [1000, 1000, 1],
                  "activations": ["relu", "relu", "linear"]})
    assert len(text) < 200
    with pytest.raises(ModelFileError, match=r"bad.json: the parameters do not fit the "
                                             r"architecture MLP\(nin=1000, .* which has "
                                             r"2,003,001 parameters \(the file has 0\)"):
        load_model(write(tmp_path, text))
    huge = claim({"type": "Layer", "nin": 10 ** 9, "nout": 10 ** 9, "activation": "relu"})
    with pytest.raises(ModelFileError, match=r"has 1,000,000,001,000,000,000 parameters, more "
                                             r"than this library loads \(10,000,000\)"):
        load_model(write(tmp_path, huge))


@pytest.mark.parametrize("arch, message", [
    ({"type": ["MLP"]}, r"key 'architecture.type' must be one of MLP, Layer, Neuron, "
                        r"got \["),
    ({"type": {"MLP": 1}}, r"key 'architecture.type' must be one of"),
    ({"type": "Neuron", "nin": 2, "activation": ["relu"]},
     r"key 'architecture.activation' must be one of relu, tanh, sigmoid, linear, got \[\"relu"),
    ({"type": "MLP", "nin": 2, "nouts": [1], "activations": [{"relu": 1}]},
     r"key 'architecture.activations\[0\]' must be one of"),
    ({"type": "MLP", "nin": 2, "nouts": "16", "activations": ["linear"]},
     r"key 'architecture.nouts' must be a non-empty list of layer sizes, got \"16\""),
    ({"type": "MLP", "nin": 2.5, "nouts": [1], "activations": ["linear"]},
     r"key 'architecture.nin' must be a positive int, got 2.5"),
    ({"type": "Neuron", "nin": "LONG", "activation": "relu"},
     r"key 'architecture.nin' must be a positive int, got a number of 5000 digits"),
])
def test_wrong_json_types_in_the_architecture_name_the_key(tmp_path, arch, message):
    text = claim(arch).replace('"LONG"', "9" * 5000)  # too long for int() to read by default
    with pytest.raises(ModelFileError, match=message):
        load_model(write(tmp_path, text))


@pytest.mark.parametrize("text, message", [
    ('{"format": "autograd-lite-model", "version": "1"}',
     r"key 'version' must be an int >= 1, got \"1\""),
    ('{"format": "autograd-lite-model", "version": ' + "9" * 5000 + "}",
     r"key 'version' must be an int >= 1, got a number of 5000 digits"),
    ('{"format": "autograd-lite-model", "version": 1, "architecture": null, "parameters": {},'
     ' "metadata": [1]}', r"key 'metadata' must be a JSON object, got list"),
    ('{"format": "autograd-lite-model", "version": 1, "architecture": [], "parameters": {}}',
     r"key 'architecture' must be a JSON object, got list"),
    ('{"format": "autograd-lite-model", "format": "autograd-lite-model"}',
     r"key 'format' appears twice in one JSON object"),
])
def test_wrong_top_level_types_name_the_key(tmp_path, text, message):
    with pytest.raises(ModelFileError, match=message):
        load_model(write(tmp_path, text))


@pytest.mark.parametrize("token, message", [
    ("NaN", "is NaN, which standard JSON does not allow"),
    ("-Infinity", "is -Infinity, which standard JSON does not allow"),
    ("1e999", r"is 1e999, out of float range"),
    ("1" * 5000, "is a number of 5000 digits, out of float range"),
    ("0." + "0" * 5000 + "1", None),  # long, but a fine float: 0.0
])
def test_numbers_that_cannot_be_parameters_name_the_parameter(tmp_path, model, token, message):
    doc = saved_doc(model)
    text = json.dumps(doc).replace('"layers.2.neurons.0.b": ' +
                                   repr(doc["parameters"]["layers.2.neurons.0.b"]),
                                   f'"layers.2.neurons.0.b": {token}')
    assert token in text
    path = write(tmp_path, text)
    if message is None:
        assert load_model(path).state_dict()["layers.2.neurons.0.b"] == 0.0
        return
    with pytest.raises(ModelFileError, match=rf"bad.json: parameter 'layers.2.neurons.0.b' "
                                             rf"{message}"):
        load_model(path)


@pytest.mark.parametrize("where, wrap, message", [
    ("metadata", lambda inner: {"metadata": inner}, "key 'metadata' is nested more than 100"),
    ("document", lambda inner: inner, "the document is nested more than 100"),
])
def test_deep_nesting_is_a_model_file_error_not_a_recursion_error(tmp_path, where, wrap,
                                                                  message):
    depth = 100_000
    deep = "[" * depth + "]" * depth
    if where == "metadata":
        text = claim(None, metadata=0).replace('"metadata": 0', f'"metadata": {deep}')
    else:
        text = deep
    with pytest.raises(ModelFileError, match=rf"bad.json: {message} levels deep; not a model "
                                             r"file"):
        load_model(write(tmp_path, text))


def test_a_merely_nested_metadata_loads(tmp_path, model):
    nested = {"a": [[[[{"b": [1, 2, {"c": None}]}]]]]}
    path = save_model(model, tmp_path / "m.json", metadata=nested)
    assert load_model(path).state_dict() == model.state_dict()
    assert json.loads(path.read_text())["metadata"] == nested


# --- saving: the path, standard JSON, links and permissions ----------------------------------

@pytest.mark.parametrize("path, kind, message", [
    ("", ValueError, "save_model: the path is empty; give a file name such as 'model.json'"),
    ("   ", ValueError, "save_model: the path is empty"),
    (None, TypeError, r"save_model: path must be a file name \(a str or a Path\), got None"),
    (3, TypeError, r"save_model: path must be a file name"),
])
def test_save_model_to_a_bad_path_says_so(model, path, kind, message):
    with pytest.raises(kind, match=message):
        save_model(model, path)


def test_save_model_to_a_folder_names_the_folder(tmp_path, model):
    with pytest.raises(IsADirectoryError, match=rf"Is a folder, not a file: '{tmp_path}'"):
        save_model(model, tmp_path)
    assert os.listdir(tmp_path) == []


def test_write_errors_name_the_file_asked_for_not_a_temporary_file(tmp_path, model):
    with pytest.raises(FileNotFoundError) as info:
        save_model(model, tmp_path / "missing" / "m.json")
    assert info.value.filename == str(tmp_path / "missing" / "m.json")
    assert ".tmp" not in str(info.value)


def test_what_is_written_is_standard_json(tmp_path, model):
    def refuse(token):
        raise AssertionError(f"non-standard JSON token {token}")

    path = save_model(model, tmp_path / "m.json", metadata={"loss": 0.25, "list": [1, None]})
    json.loads(path.read_text(), parse_constant=refuse)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_a_non_finite_parameter_or_metadata_entry_is_named_and_nothing_is_written(tmp_path,
                                                                                 model, bad):
    path = save_model(model, tmp_path / "m.json")
    old = path.read_bytes()
    with pytest.raises(ValueError, match=r"save_model: metadata\['history'\]\['loss'\]\[1\] is "):
        save_model(model, path, metadata={"history": {"loss": [0.5, bad]}})
    model.layers[0].neurons[1].b.data = bad
    with pytest.raises(ValueError, match=rf"save_model: parameter 'layers.0.neurons.1.b' is "
                                         rf"{bad}; a model file holds finite numbers only"):
        save_model(model, path)
    assert path.read_bytes() == old
    assert os.listdir(tmp_path) == ["m.json"]


def test_metadata_that_is_not_json_data_is_named(tmp_path, model):
    with pytest.raises(TypeError, match=r"save_model: metadata\['when'\] must be JSON data"):
        save_model(model, tmp_path / "m.json", metadata={"when": object()})
    loop: dict = {}
    loop["self"] = loop
    with pytest.raises(ValueError, match=r"save_model: metadata\['self'\] contains itself"):
        save_model(model, tmp_path / "m.json", metadata=loop)


def test_saving_through_a_symlink_keeps_the_link_and_writes_its_target(tmp_path, model):
    (tmp_path / "models").mkdir()
    target = tmp_path / "models" / "real.json"
    target.write_text("old")
    link = tmp_path / "current.json"
    link.symlink_to(target)
    save_model(model, link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert load_model(target).state_dict() == model.state_dict()
    assert sorted(os.listdir(tmp_path)) == ["current.json", "models"]  # no temporary file
    assert os.listdir(tmp_path / "models") == ["real.json"]


def test_saving_through_a_dangling_symlink_creates_its_target(tmp_path, model):
    link = tmp_path / "m.json"
    link.symlink_to(tmp_path / "new.json")
    save_model(model, link)
    assert link.is_symlink() and load_model(tmp_path / "new.json")


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o444])
def test_saving_over_a_file_keeps_its_permissions(tmp_path, model, mode):
    path = tmp_path / "m.json"
    path.write_text("old")
    path.chmod(mode)
    umask = os.umask(0o022)
    try:
        save_model(model, path, replace_read_only=True)  # 0o444 needs it
    finally:
        os.umask(umask)
    assert path.stat().st_mode & 0o777 == mode
    assert load_model(path).state_dict() == model.state_dict()


def test_atomic_path_interrupted_inside_the_block_leaves_the_old_file(tmp_path):
    from nn.io import atomic_path

    path = tmp_path / "picture.png"
    path.write_bytes(b"old")
    with pytest.raises(KeyboardInterrupt), atomic_path(path) as tmp:
        assert tmp.parent == tmp_path and tmp.suffix == ".png"
        tmp.write_bytes(b"half a pic")
        raise KeyboardInterrupt
    assert path.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["picture.png"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_pipe_is_not_read_forever(tmp_path):
    import threading

    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)  # opening it for reading waits for a writer that never comes
    errors = []

    def load():
        try:
            load_model(fifo)
        except ModelFileError as error:
            errors.append(str(error))

    reader = threading.Thread(target=load, daemon=True)
    reader.start()
    reader.join(timeout=60)
    assert not reader.is_alive(), "load_model is waiting on the pipe"
    assert errors == [f"{fifo}: not a regular file"]


def test_a_file_larger_than_any_model_file_is_refused_unread(tmp_path, monkeypatch):
    import nn.io

    monkeypatch.setattr(nn.io, "MAX_FILE_BYTES", 1000)
    path = write(tmp_path, " " * 2000)
    with pytest.raises(ModelFileError, match=r"bad.json: the file is larger than a model file "
                                             r"of at most 10,000,000 parameters can be"):
        load_model(path)


def test_a_byte_order_mark_is_fine(tmp_path, model):
    text = save_model(model, tmp_path / "m.json").read_text()
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert load_model(path).state_dict() == model.state_dict()


def test_load_paths_and_models_are_checked(tmp_path, model):
    with pytest.raises(TypeError, match=r"load_model: path must be a file name"):
        load_model(None)
    with pytest.raises(ValueError, match="load_model: the path is empty"):
        load_model("")
    path = save_model(model, tmp_path / "m.json")
    with pytest.raises(TypeError, match="load_parameters: model must be a Module, got None"):
        load_parameters(None, path)
    with pytest.raises(TypeError, match="save_model: model must be a Module, got 'm'"):
        save_model("m", path)


def test_save_model_refuses_to_replace_a_read_only_file_unless_asked(tmp_path):
    model = MLP(2, [1], seed=0)
    path = tmp_path / "model.json"
    path.write_text("keep me")
    path.chmod(0o444)
    with pytest.raises(PermissionError, match="read-only; pass replace_read_only=True"):
        save_model(model, path)
    assert path.read_text() == "keep me"
    save_model(model, path, replace_read_only=True)
    assert load_model(path).state_dict() == model.state_dict()
    assert stat.S_IMODE(path.stat().st_mode) == 0o444


def test_save_model_replaces_the_file_so_a_hard_link_keeps_the_old_content(tmp_path):
    model = MLP(2, [1], seed=0)
    path, link = tmp_path / "model.json", tmp_path / "link.json"
    path.write_text("old")
    os.link(path, link)
    save_model(model, path)
    assert link.read_text() == "old"
    assert path.stat().st_ino != link.stat().st_ino


def test_save_model_writes_a_file_whose_name_is_245_characters_long(tmp_path):
    model = MLP(2, [1], seed=0)
    path = tmp_path / ("m" * 240 + ".json")
    save_model(model, path)
    assert load_model(path).state_dict() == model.state_dict()
    assert os.listdir(tmp_path) == [path.name]


def test_float32_parameter_data_is_saved_as_floats_and_loads_as_floats(tmp_path):
    np = pytest.importorskip("numpy")
    model = MLP(2, [1], seed=0)
    p = model.parameters()[0]
    p.data = np.float32(0.5)
    save_model(model, tmp_path / "m.json")
    loaded = load_model(tmp_path / "m.json")
    assert all(type(q.data) is float for q in loaded.parameters())
    assert loaded.parameters()[0].data == 0.5


def test_save_model_names_a_parameter_whose_data_is_not_a_number(tmp_path):
    model = MLP(2, [1], seed=0)
    model.parameters()[0].data = "0.5"
    with pytest.raises(TypeError, match=r"parameter '.*': data must be a real number, got"):
        save_model(model, tmp_path / "m.json")
    assert list(tmp_path.iterdir()) == []


def test_a_model_pickles_and_deepcopies_after_backward_with_create_graph():
    import copy
    import pickle

    model = MLP(2, [4, 1], activation="tanh", seed=3)
    loss = model([0.3, -0.7]) ** 2
    loss.backward(create_graph=True)
    for clone in (pickle.loads(pickle.dumps(model)), copy.deepcopy(model)):
        assert clone([0.3, -0.7]).data == model([0.3, -0.7]).data
        assert [p.data for p in clone.parameters()] == [p.data for p in model.parameters()]


def test_save_model_names_a_metadata_int_too_long_to_write_and_writes_nothing(tmp_path):
    with pytest.raises(ValueError, match=r"save_model: metadata\['n'\] is an int of about "
                                         r"[\d,]+ digits, too long to write"):
        save_model(MLP(2, [1], seed=0), tmp_path / "m.json", metadata={"n": 10**5000})
    assert list(tmp_path.iterdir()) == []
