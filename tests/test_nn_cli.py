"""The autograd-lite command: demo and train write their files; bad arguments exit with 2."""

import importlib.util
import json
import os
import shutil
import subprocess
import sys

import pytest

from nn import MLP, load_model
from nn.cli import _neuron_graph, main

PNG = b"\x89PNG\r\n\x1a\n"
HAS_VIZ = importlib.util.find_spec("autograd_lite.viz") is not None


def command():
    """The installed console script, or the same entry point through ``python -m nn``."""
    script = shutil.which("autograd-lite", path=os.path.dirname(sys.executable))
    return [script] if script else [sys.executable, "-m", "nn"]


def test_demo_on_a_small_budget_writes_all_its_files(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--epochs", "3", "--samples", "24", "--out", str(out),
                 "--no-progress"]) == 0
    captured = capsys.readouterr()
    assert "final loss" in captured.out and "training accuracy" in captured.out
    assert (out / "decision_boundary.png").read_bytes().startswith(PNG)
    assert (out / "loss_curve.png").read_bytes().startswith(PNG)
    model = load_model(out / "model.json")
    assert model.architecture()["nouts"] == [16, 16, 1]
    meta = json.loads((out / "model.json").read_text())["metadata"]
    assert meta["epochs"] == 3 and 0.0 <= meta["training_accuracy"] <= 1.0
    svg, dot = out / "neuron_graph.svg", out / "neuron_graph.dot"
    if svg.exists():
        assert "<svg" in svg.read_text()
    elif dot.exists():
        assert "digraph" in dot.read_text()
        assert "note:" in captured.err and "DOT" in captured.err
    else:
        assert not HAS_VIZ
        assert "note: graph drawing is not available" in captured.err
    assert "Traceback" not in captured.err


def test_demo_without_matplotlib_notes_and_skips_the_pictures(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    out = tmp_path / "demo"
    assert main(["demo", "--epochs", "1", "--samples", "8", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert 'note: plotting needs matplotlib: pip install "autograd-lite[plot]"' in err
    assert (out / "model.json").exists()
    assert not list(out.glob("*.png"))


@pytest.mark.skipif(not HAS_VIZ, reason="autograd_lite.viz is not installed")
def test_neuron_graph_falls_back_to_dot_with_a_note(tmp_path, monkeypatch, capsys):
    from autograd_lite import viz

    def no_dot(root, path, **options):
        raise viz.DotNotFoundError("Graphviz's dot program was not found: install graphviz")

    monkeypatch.setattr(viz, "render", no_dot)
    neuron = MLP(2, [3, 1], seed=0).layers[0].neurons[0]
    path = _neuron_graph(neuron, [0.5, -0.5], tmp_path)
    assert path == tmp_path / "neuron_graph.dot"
    text = path.read_text()
    assert "digraph" in text and "w0" in text and "x1" in text
    err = capsys.readouterr().err
    assert "note: wrote the neuron's graph as DOT source" in err and "install graphviz" in err


def test_train_writes_model_and_history(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "--dataset", "xor", "--samples", "40", "--hidden", "8",
                 "--epochs", "3", "--batch-size", "8", "--optimizer", "adam", "--lr", "0.05",
                 "--seed", "1", "--out", str(out), "--no-plots", "--no-progress"]) == 0
    text = capsys.readouterr().out
    assert "test accuracy" in text
    history = json.loads((out / "history.json").read_text())
    assert len(history["loss"]) == len(history["accuracy"]) == 3
    model = load_model(out / "model.json")
    assert model.architecture() == {"type": "MLP", "nin": 2, "nouts": [8, 1],
                                    "activations": ["relu", "linear"]}
    assert sorted(os.listdir(out)) == ["history.json", "model.json"]


def test_train_spirals_with_three_classes_uses_cross_entropy(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "--dataset", "spirals", "--classes", "3", "--samples", "30",
                 "--epochs", "1", "--hidden", "none", "--out", str(out), "--no-plots"]) == 0
    assert "cross_entropy loss" in capsys.readouterr().out
    assert load_model(out / "model.json").architecture()["nouts"] == [3]


def test_help_documents_the_train_options(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for option in ("--dataset", "--hidden", "--activation", "--epochs", "--lr", "--batch-size",
                   "--optimizer", "--seed", "--out"):
        assert option in text


@pytest.mark.parametrize("argv, message", [
    ([], "the following arguments are required: COMMAND"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    (["demo", "--epochs", "0"], "argument --epochs: must be at least 1, got 0"),
    (["demo", "--epochs", "many"], "argument --epochs: expected an integer, got 'many'"),
    (["train", "--lr", "abc"], "argument --lr: expected a number, got 'abc'"),
    (["train", "--lr", "-0.1"], "argument --lr: must be in (0, inf), got -0.1"),
    (["train", "--lr", "nan"], "argument --lr: must be in"),
    (["train", "--hidden", "16,x"], "argument --hidden: expected layer sizes separated by commas"),
    (["train", "--hidden", "16,0"], "argument --hidden: layer sizes must be positive"),
    (["train", "--dataset", "mnist"], "argument --dataset: invalid choice: 'mnist'"),
    (["train", "--test-fraction", "1"], "argument --test-fraction: must be in (0, 1)"),
    (["train", "--momentum", "0.9", "--optimizer", "adam"], "only the sgd optimizer"),
    (["train", "--classes", "3"], "argument --classes: only spirals"),
    (["train", "--dataset", "spirals", "--classes", "3", "--loss", "hinge"],
     "argument --loss: 3 classes need cross_entropy"),
])
def test_bad_arguments_exit_2_with_a_one_line_error(argv, message, capsys, tmp_path):
    with pytest.raises(SystemExit) as exit_info:
        main([*argv, "--out", str(tmp_path / "x")] if argv and argv[0] in ("demo", "train")
             else argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.strip().splitlines()[-1].startswith("autograd-lite")
    assert "Traceback" not in err
    assert not (tmp_path / "x").exists()


def test_out_that_is_a_file_is_a_bad_value(tmp_path, capsys):
    target = tmp_path / "file"
    target.write_text("")
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "--out", str(target)])
    assert exit_info.value.code == 2
    assert "exists and is not a folder" in capsys.readouterr().err


def test_unwritable_output_is_a_one_line_error_with_status_1(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    status = main(["train", "--dataset", "xor", "--samples", "8", "--epochs", "1",
                   "--out", str(blocker / "sub"), "--no-plots"])
    assert status == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("autograd-lite: error:")


def test_console_script_bad_value_has_no_traceback():
    result = subprocess.run([*command(), "train", "--epochs", "-5"], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 2
    assert "argument --epochs: must be at least 1, got -5" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
