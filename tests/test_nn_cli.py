"""The autograd-lite command: demo and train write their files; bad arguments exit with 2."""

import importlib.util
import json
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

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


def test_demo_writes_a_step_through_page_and_says_how_to_open_each_file(tmp_path, capsys):
    pytest.importorskip("pygraphviz")
    out = tmp_path / "demo"
    assert main(["demo", "--epochs", "2", "--samples", "16", "--out", str(out),
                 "--no-progress"]) == 0
    page = (out / "backprop.html").read_text()
    assert "<svg" in page and "step 1 of" in page  # the viewer, with its frames inline
    wrote = [line for line in capsys.readouterr().out.splitlines() if line.startswith("wrote")]
    assert {line.split()[1].rsplit("/", 1)[-1].rsplit("\\", 1)[-1] for line in wrote} == {
        "model.json", "loss_curve.png", "decision_boundary.png", "neuron_graph.svg",
        "backprop.html"}
    assert all(("(" in line and "open" in line) or ".json" in line for line in wrote)
    assert any("backprop.html (open it in a web browser" in line for line in wrote)


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
    (["train", "--lr", "-0.1"], "argument --lr: must be a finite number > 0, got -0.1"),
    (["train", "--lr", "nan"], "argument --lr: must be a finite number > 0, got nan"),
    (["train", "--lr", "inf"], "argument --lr: must be a finite number > 0, got inf"),
    (["train", "--noise", "inf"], "argument --noise: must be a finite number >= 0, got inf"),
    (["train", "--l2", "1e999"], "argument --l2: must be a finite number >= 0, got 1e999"),
    (["train", "--momentum", "nan"], "argument --momentum: must be a finite number in [0, 1)"),
    (["train", "--samples", "10000000"], "argument --samples: must be at most 1,000,000, got "
                                         "10,000,000"),
    (["train", "--dataset", "spirals", "--classes", "5", "--samples", "4"],
     "argument --classes: 5 spiral arms need at least 5 points, but --samples is 4"),
    (["train", "--hidden", "100000,100000"],
     "argument --hidden: MLP(2, [100000, 100000, 1]) would have 10,000,500,001 parameters; "
     "this command trains at most 10,000,000"),
    (["train", "--dataset", "spirals", "--noise", "1e308"],
     "cannot make the spirals dataset: noise=1e+308 is too large: some angles are not finite"),
    (["train", "--hidden", "16,x"], "argument --hidden: expected layer sizes separated by commas"),
    (["train", "--hidden", "16,0"], "argument --hidden: layer sizes must be positive"),
    (["train", "--dataset", "mnist"], "argument --dataset: invalid choice: 'mnist'"),
    (["train", "--test-fraction", "1"], "argument --test-fraction: must be a finite number in "
                                        "(0, 1), got 1"),
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
    (line,) = err.strip().splitlines()  # one line, argparse style, naming the subcommand
    command = argv[0] if argv and argv[0] in ("demo", "train") else None
    assert line.startswith(f"autograd-lite {command}: error: " if command else
                           "autograd-lite: error: ")
    assert line.endswith(f"(see 'autograd-lite{' ' + command if command else ''} --help')")
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
    captured = capsys.readouterr()
    assert captured.err.strip().splitlines() == [
        f"autograd-lite train: error: cannot write to the output folder "
        f"{str(blocker / 'sub')!r}: {str(blocker)!r} is a file, not a folder"]
    assert captured.out == ""  # found before training, not after it


def test_console_script_bad_value_has_no_traceback():
    result = subprocess.run([*command(), "train", "--epochs", "-5"], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 2
    assert "argument --epochs: must be at least 1, got -5" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


# --- nothing silently wrong: divergence, standard JSON, atomic files, Ctrl-C, the version ----

def strict_json(path):
    def refuse(token):
        raise AssertionError(f"{path.name} holds the non-standard JSON token {token}")

    return json.loads(path.read_text(), parse_constant=refuse)


TRAIN_SMALL = ["train", "--dataset", "xor", "--samples", "16", "--hidden", "4", "--epochs", "2",
               "--no-progress"]


@pytest.mark.skipif(os.name == "nt" or (hasattr(os, "geteuid") and os.geteuid() == 0),
                    reason="permissions do not stop root (or work this way on Windows)")
def test_a_read_only_output_folder_is_found_before_training(tmp_path, capsys):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        assert main([*TRAIN_SMALL, "--out", str(folder / "run")]) == 1
    finally:
        folder.chmod(0o700)
    captured = capsys.readouterr()
    assert captured.err.strip() == (f"autograd-lite train: error: cannot write to the output "
                                    f"folder {str(folder / 'run')!r}: Permission denied")
    assert captured.out == ""


def test_an_output_folder_that_refuses_files_is_found_before_training(tmp_path, monkeypatch,
                                                                    capsys):
    import nn.cli

    def refused(*args, **kwargs):  # what a read-only folder does, even as root on a
        raise PermissionError(13, "Permission denied", kwargs.get("dir"))  # read-only disk

    monkeypatch.setattr(nn.cli.tempfile, "TemporaryFile", refused)
    out = tmp_path / "new" / "run"
    assert main([*TRAIN_SMALL, "--out", str(out)]) == 1
    captured = capsys.readouterr()
    assert captured.err.strip() == (f"autograd-lite train: error: cannot write to the output "
                                    f"folder {str(out)!r}: Permission denied")
    assert captured.out == ""
    assert not (tmp_path / "new").exists()  # the folders it made are removed again


def test_a_run_whose_loss_stops_being_finite_fails_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "run"
    status = main([*TRAIN_SMALL, "--lr", "1e300", "--epochs", "50", "--out", str(out)])
    assert status == 1
    captured = capsys.readouterr()
    (line,) = captured.err.strip().splitlines()
    assert re.fullmatch(r"autograd-lite train: error: the loss became (nan|inf) at epoch \d+ of "
                        r"50, so training stopped and nothing was written; a smaller --lr than "
                        r"1e\+300 usually helps", line), line
    assert "final loss" not in captured.out
    assert not out.exists()  # the folder it made for the results is gone again


def test_every_json_file_is_standard_json(tmp_path, capsys):
    out = tmp_path / "run"
    assert main([*TRAIN_SMALL, "--out", str(out), "--no-plots"]) == 0
    history = strict_json(out / "history.json")
    assert all(math.isfinite(v) for v in history["loss"])
    assert strict_json(out / "model.json")["metadata"]["settings"]["lr"] is None


def test_every_file_is_written_through_a_temporary_file_and_a_rename(tmp_path, monkeypatch,
                                                                     capsys):
    import nn.io

    renames = []
    real_replace = os.replace

    def recording_replace(src, dst):
        renames.append((Path(src), Path(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(nn.io.os, "replace", recording_replace)
    for argv in ([*TRAIN_SMALL, "--out", str(tmp_path / "train")],
                 ["demo", "--epochs", "1", "--samples", "8", "--no-progress",
                  "--out", str(tmp_path / "demo")]):
        assert main(argv) == 0
    written = {dst for _, dst in renames}
    on_disk = {p for folder in ("train", "demo") for p in (tmp_path / folder).iterdir()}
    assert on_disk == written
    assert {p.name for p in on_disk if p.parent.name == "train"} == {
        "model.json", "history.json", "loss_curve.png", "decision_boundary.png"}
    for src, dst in renames:
        assert src.parent == dst.parent and src.name.startswith(".") and src != dst


def test_every_temporary_file_has_the_fixed_prefix(tmp_path, monkeypatch, capsys):
    import nn.io

    temporaries = []
    real_replace = os.replace

    def recording_replace(src, dst):
        temporaries.append(Path(src).name)
        real_replace(src, dst)

    monkeypatch.setattr(nn.io.os, "replace", recording_replace)
    assert main([*TRAIN_SMALL, "--out", str(tmp_path / "run")]) == 0
    assert len(temporaries) == 4
    assert all(name.startswith(f".autograd-lite-tmp-{os.getpid()}-") for name in temporaries)


def interrupt_at(monkeypatch, name, error=KeyboardInterrupt):
    """Make the write of the file ``name`` (through nn.io.atomic_path) raise ``error``."""
    import nn.io

    real_os_open = nn.io.os.open

    def failing_open(path, *args, **kwargs):
        if Path(path).name.endswith(name) and Path(path).name.startswith(".autograd-lite-tmp"):
            raise error() if error is KeyboardInterrupt else error
        return real_os_open(path, *args, **kwargs)

    monkeypatch.setattr(nn.io.os, "open", failing_open)


@pytest.mark.parametrize("name", ["history.json", "loss_curve.png", "decision_boundary.png"])
def test_interrupted_while_writing_writes_nothing_and_keeps_the_older_files(
        tmp_path, monkeypatch, capsys, name):
    out = tmp_path / "run"
    out.mkdir()
    (out / "model.json").write_text("older model")
    (out / "notes.txt").write_text("mine")
    interrupt_at(monkeypatch, name)
    assert main([*TRAIN_SMALL, "--out", str(out)]) == 130
    captured = capsys.readouterr()
    assert captured.err.strip().splitlines()[-1] == (
        f"autograd-lite train: interrupted while writing the results; nothing was written to "
        f"{str(out)!r} (any older copy is unchanged)")
    assert "wrote" not in captured.out
    assert sorted(os.listdir(out)) == ["model.json", "notes.txt"]  # no temporary is left
    assert (out / "model.json").read_text() == "older model"


def test_interrupted_while_writing_into_a_new_folder_leaves_no_folder(tmp_path, monkeypatch,
                                                                      capsys):
    out = tmp_path / "new" / "run"
    interrupt_at(monkeypatch, "history.json")
    assert main([*TRAIN_SMALL, "--out", str(out)]) == 130
    assert not (tmp_path / "new").exists()


def test_a_failed_write_writes_nothing_and_leaves_no_folder(tmp_path, monkeypatch, capsys):
    import errno

    out = tmp_path / "run"
    interrupt_at(monkeypatch, "decision_boundary.png",
                 OSError(errno.ENOSPC, "No space left on device"))
    assert main([*TRAIN_SMALL, "--out", str(out)]) == 1
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("autograd-lite train: error: [Errno 28] No space left on device")
    assert line.endswith(f"nothing was written to {str(out)!r} (any older copy is unchanged)")
    assert not out.exists()


def test_a_failed_rename_into_place_says_which_files_were_written(tmp_path, monkeypatch,
                                                                  capsys):
    import errno

    import nn.io

    real_replace = os.replace
    renames = []

    def second_fails(src, dst):
        renames.append(dst)
        if len(renames) == 2:
            raise OSError(errno.EIO, "Input/output error")
        real_replace(src, dst)

    monkeypatch.setattr(nn.io.os, "replace", second_fails)
    out = tmp_path / "run"
    assert main([*TRAIN_SMALL, "--no-plots", "--out", str(out)]) == 1
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line == (f"autograd-lite train: error: [Errno 5] Input/output error: "
                    f"{str(out / 'history.json')!r}; while moving "
                    f"the results into place; wrote {out / 'model.json'}; not written: "
                    f"history.json (any older copy is unchanged)")
    assert os.listdir(out) == ["model.json"]  # the other temporary is removed


def test_demo_interrupted_at_its_last_file_writes_none(tmp_path, monkeypatch, capsys):
    out = tmp_path / "demo"
    interrupt_at(monkeypatch, "backprop.html")
    assert main(["demo", "--epochs", "1", "--samples", "8", "--no-progress",
                 "--out", str(out)]) == 130
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        f"autograd-lite demo: interrupted while writing the results; nothing was written to "
        f"{str(out)!r} (any older copy is unchanged)")
    assert not out.exists()


def test_a_run_removes_the_temporaries_of_a_killed_run_and_nothing_else(tmp_path, capsys):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    out = tmp_path / "run"
    out.mkdir()
    stale = out / f".autograd-lite-tmp-{dead.stdout.strip()}-0a1b2c3d-model.json"
    live = out / f".autograd-lite-tmp-{os.getppid()}-0a1b2c3d-model.json"  # a running process
    other = out / ".model.json.0a1b2c3d.tmp.json"
    for path in (stale, live, other):
        path.write_text("{")
    assert main([*TRAIN_SMALL, "--no-plots", "--out", str(out)]) == 0
    assert sorted(os.listdir(out)) == sorted([live.name, other.name, "history.json",
                                              "model.json"])


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_an_interrupt_that_python_swallowed_still_stops_the_run(tmp_path, monkeypatch, capsys):
    """A KeyboardInterrupt raised inside a __del__ is only printed by Python ("Exception
    ignored in ..."), and the program goes on; the run must stop all the same."""
    import signal

    import nn.cli

    class Swallower:
        def __del__(self):
            signal.getsignal(signal.SIGINT)(signal.SIGINT, None)  # as if Ctrl-C came now

    real_fit = nn.cli.fit

    def fit_with_a_lost_interrupt(*args, **kwargs):
        Swallower()  # dropped at once: its __del__ raises, and Python swallows it
        return real_fit(*args, **kwargs)

    monkeypatch.setattr(nn.cli, "fit", fit_with_a_lost_interrupt)
    out = tmp_path / "run"
    assert main([*TRAIN_SMALL, "--epochs", "5", "--out", str(out)]) == 130
    err = capsys.readouterr().err
    assert err.strip().splitlines()[-1] == (
        f"autograd-lite train: interrupted during training, after 1 of 5 epochs; nothing was "
        f"written to {str(out)!r}")
    assert not out.exists()


def first_line(process, patience=120.0):
    """The first line the process prints, waiting at most ``patience`` seconds for it."""
    import selectors

    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout=patience):
            raise AssertionError("the command printed nothing (is its output flushed?)")
    return process.stdout.readline()


@pytest.mark.skipif(os.name == "nt", reason="POSIX signals")
@pytest.mark.parametrize("argv", [
    ["train", "--dataset", "moons", "--samples", "100", "--epochs", "100000"],
    ["demo", "--epochs", "100000"],
])
def test_ctrl_c_in_a_real_process_exits_130_and_says_what_it_kept(tmp_path, argv):
    import signal
    import time

    out = tmp_path / "out"
    for attempt in range(3):  # reliably, not once
        process = subprocess.Popen([*command(), *argv, "--no-progress", "--out", str(out)],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert first_line(process).startswith("training")  # training has begun
        except BaseException:
            process.kill()
            process.communicate()
            raise
        time.sleep(0.2 * attempt)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 130, stderr
        assert "Traceback" not in stderr
        last = stderr.strip().splitlines()[-1]
        assert last.startswith(f"autograd-lite {argv[0]}: interrupted during training, after ")
        assert last.endswith(f" of 100000 epochs; nothing was written to {str(out)!r}")
        assert not out.exists()


def test_version_comes_from_the_installed_distribution(capsys, monkeypatch):
    import importlib.metadata

    import autograd_lite
    from nn.cli import package_version

    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    installed = importlib.metadata.version("autograd-lite")
    assert capsys.readouterr().out == f"autograd-lite {installed}\n"
    assert package_version() == installed

    def not_installed(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", not_installed)
    assert package_version() == autograd_lite.__version__


def test_a_loss_that_overflows_before_any_update_does_not_blame_the_learning_rate(tmp_path,
                                                                                  capsys):
    assert main([*TRAIN_SMALL, "--l2", "1e308", "--out", str(tmp_path / "run")]) == 1
    assert capsys.readouterr().err.strip() == (
        "autograd-lite train: error: the loss became inf at epoch 1 of 2, so training stopped "
        "and nothing was written; the settings make even the first loss overflow, whatever the "
        "learning rate (see --l2, --noise)")


def test_eager_trains_like_the_traced_mode_only_slower(tmp_path, capsys):
    import json

    runs = {}
    for name, extra in (("traced", []), ("eager", ["--eager"])):
        out = tmp_path / name
        assert main(["train", "--dataset", "spirals", "--classes", "3", "--samples", "30",
                     "--hidden", "8", "--epochs", "5", "--batch-size", "8", "--no-progress",
                     "--no-plots", "--out", str(out), *extra]) == 0
        runs[name] = json.loads((out / "history.json").read_text())
    traced, eager = runs["traced"]["loss"], runs["eager"]["loss"]
    assert traced == pytest.approx(eager, rel=1e-12)


@pytest.mark.parametrize("command", ["train", "demo"])
def test_an_empty_out_folder_is_refused_and_the_current_folder_is_untouched(
        tmp_path, monkeypatch, capsys, command):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "model.json").write_text("mine")
    with pytest.raises(SystemExit) as exit_:
        main([command, "--epochs", "1", "--out", ""])
    assert exit_.value.code == 2
    assert "argument --out: '' is empty; give a folder" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json"]
    assert (tmp_path / "model.json").read_text() == "mine"


def test_eager_train_with_a_huge_l2_writes_both_files_with_a_finite_mean_loss(tmp_path):
    # every batch loss is finite; their mean must be too, as in the traced mode
    out = tmp_path / "run"
    assert main(["train", "--dataset", "xor", "--samples", "16", "--hidden", "4", "--epochs",
                 "1", "--eager", "--l2", "1e306", "--out", str(out),
                 "--no-plots", "--no-progress"]) == 0
    assert {"model.json", "history.json"} <= {p.name for p in out.iterdir()}
    history = json.loads((out / "history.json").read_text())
    assert all(math.isfinite(v) for v in history["loss"])


def test_eager_train_whose_huge_l2_makes_the_loss_nan_writes_nothing(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "--dataset", "xor", "--samples", "16", "--hidden", "4", "--epochs",
                 "1", "--batch-size", "4", "--eager", "--l2", "1e306", "--out", str(out),
                 "--no-plots", "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "nothing was written" in err
    assert not out.exists()


@pytest.mark.skipif(os.name == "nt", reason="POSIX signals")
def test_sigterm_in_a_real_process_exits_143_with_one_line_and_leaves_no_folder(tmp_path):
    import signal

    out = tmp_path / "new" / "out"
    process = subprocess.Popen([*command(), "train", "--samples", "100", "--epochs", "100000",
                                "--no-progress", "--out", str(out)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert first_line(process).startswith("training")  # the folder exists by now
    except BaseException:
        process.kill()
        process.communicate()
        raise
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 143, stderr
    (line,) = stderr.strip().splitlines()
    # "training" is printed just before the first epoch: the signal may come before it
    assert re.fullmatch(r"autograd-lite train: terminated (before training|during training, "
                        r"after \d+ of 100000 epochs); nothing was written to "
                        + re.escape(repr(str(out))), line), line
    assert not (tmp_path / "new").exists()


# Runs the entry point with a signal sent to itself at a chosen moment: no timing involved.
SIGNAL_AT = """
import importlib.metadata, os, signal, sys
when, signum = sys.argv[1], getattr(signal, sys.argv[2])
sys.argv[1:3] = []
if when == "import":
    class SignalOnImport:
        def find_spec(self, name, path=None, target=None):
            if name == "nn.cli":
                os.kill(os.getpid(), signum)
            return None
    sys.meta_path.insert(0, SignalOnImport())
else:
    import nn.cli
    real_main = nn.cli.main
    def main_then_signal(*args):
        status = real_main(*args)
        os.kill(os.getpid(), signum)  # the run has finished: as if Ctrl-C came now
        return status
    nn.cli.main = main_then_signal
(script,) = importlib.metadata.entry_points(group="console_scripts", name="autograd-lite")
sys.exit(script.load()())  # what the installed console script does
"""


@pytest.mark.skipif(os.name == "nt", reason="POSIX signals")
def test_ctrl_c_while_the_command_is_imported_is_one_line_and_status_130(tmp_path):
    result = subprocess.run([sys.executable, "-c", SIGNAL_AT, "import", "SIGINT",
                             *TRAIN_SMALL, "--out", str(tmp_path / "run")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 130, result.stderr
    assert result.stderr == "autograd-lite: interrupted while starting; nothing was done\n"
    assert not (tmp_path / "run").exists()


@pytest.mark.skipif(os.name == "nt", reason="POSIX signals")
@pytest.mark.parametrize("signum", ["SIGINT", "SIGTERM"])
def test_a_signal_just_after_the_run_completed_lets_it_complete(tmp_path, signum):
    out = tmp_path / "run"
    result = subprocess.run([sys.executable, "-c", SIGNAL_AT, "end", signum, *TRAIN_SMALL,
                             "--no-plots", "--out", str(out)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert f"wrote {out / 'history.json'}" in result.stdout
    assert sorted(os.listdir(out)) == ["history.json", "model.json"]


@pytest.mark.skipif(os.name == "nt", reason="POSIX signals")
def test_a_signal_that_was_ignored_when_the_run_started_stays_ignored(tmp_path, monkeypatch,
                                                                      capsys):
    """A shell starts a background job with SIGINT ignored, nohup-like tools SIGTERM: the run
    must not die of a signal its starter chose to ignore."""
    import signal

    import nn.cli

    real_fit = nn.cli.fit

    def fit_then_signals(*args, **kwargs):
        history = real_fit(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGTERM)
        os.kill(os.getpid(), signal.SIGINT)
        return history

    monkeypatch.setattr(nn.cli, "fit", fit_then_signals)
    previous = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        status = main([*TRAIN_SMALL, "--no-plots", "--out", str(tmp_path / "run")])
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    assert status == 0, capsys.readouterr().err
    assert sorted(os.listdir(tmp_path / "run")) == ["history.json", "model.json"]
