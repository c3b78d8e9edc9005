"""The benchmark harness (``python -m benchmarks``) on tiny configurations: every engine of the
training steps computes the same losses from the same weights, the optional peers report
"not installed" when absent, and the tables show every new row. No timing is asserted."""

from __future__ import annotations

import importlib.util
import json
import math
import sys
import tomllib
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # the harness lives beside the packages, not inside them
    sys.path.insert(0, str(ROOT))

import benchmarks.__main__ as harness  # noqa: E402
import nn  # noqa: E402
from autograd_lite import Value  # noqa: E402
from benchmarks import training, transformer, workloads  # noqa: E402

TINY = {"w1_steps": 2, "w5_steps": 2, "w5_batch": 8, "w5_hidden": [5],
        "batched_warmup": 1, "batched_steps": {"W1": 2, "W5": 2}, "rounds": 2,
        "guard_rounds": 2}
ENGINE = SimpleNamespace(Value=Value, MLP=nn.MLP)


def relative(a: list[float], b: list[float]) -> float:
    return max(abs(x - y) / abs(y) for x, y in zip(a, b, strict=True))


def test_w5_data_is_deterministic_digits_like():
    images, labels = training.digits_like()
    assert (images, labels) == training.digits_like()
    assert len(images) == 1797 and all(len(row) == 64 for row in images)
    assert {v * 16 for row in images for v in row} <= set(range(17))  # 17 grey levels
    assert labels[:12] == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]
    assert all(len(set(b)) == 256 for b in training.w5_batches(256))
    flat = training.w5_parameters([64, 32, 32, 10])
    assert len(flat) == len(nn.MLP(64, [32, 32, 10]).parameters()) == 3466
    first_layer = 32 * (64 + 1)
    assert max(abs(v) for v in flat[:first_layer]) <= 1 / math.sqrt(64)  # U(-1/sqrt(fan_in), +)
    assert max(abs(v) for v in flat[first_layer:]) <= 1 / math.sqrt(32)
    assert flat[64] == 0.0  # the first neuron's bias


def test_w5_traced_mode_equals_eager():
    eager = training.w5_eager(2, batch=8, hidden=[5])
    traced = training.w5_jit(1, 2, batch=8, hidden=[5])
    assert len(eager["losses"]) == 2 and len(traced["losses"]) == 3
    assert relative(traced["losses"][:2], eager["losses"]) <= 1e-12
    assert abs(eager["losses"][0] - math.log(10)) < 0.5  # a cross-entropy of 10 classes
    assert eager["losses"][1] != eager["losses"][0]  # the SGD step changed the weights
    assert traced["plan_bytes"] > 0 and traced["peak_step_bytes"] > 0
    assert traced["trace_s"] >= 0.0 and traced["steps"] == 2


def test_w1_traced_mode_equals_eager_and_follows_the_schedule():
    eager = workloads.w1(ENGINE, 3)
    traced = training.w1_jit(1, 3)
    assert relative(traced["losses"][:4], eager["losses"][:4]) <= 1e-12
    assert traced["plan_bytes"] > 0 and traced["peak_step_bytes"] > 0
    assert [training.w1_learning_rate(k) for k in (0, 50, 100, 150)] == [1.0, 0.55, 1.0, 0.55]


def test_w6_traced_and_batched_pytorch_give_the_eager_transformer_losses():
    eager = transformer.w6_eager(2, batch=3, length=4)
    traced = transformer.w6_jit(1, 2, batch=3, length=4)
    assert relative(traced["losses"][:2], eager["losses"]) <= 1e-12
    assert abs(eager["losses"][0] - math.log(27)) < 0.2  # 27 tokens, about equally likely
    assert eager["losses"][1] != eager["losses"][0]
    assert traced["plan_bytes"] > 0 and traced["peak_step_bytes"] > 0
    params, _ = transformer.scalar_model(transformer.weights())
    assert len(params) == 4192
    if importlib.util.find_spec("torch") is not None:
        torch = transformer.w6_torch(0, 2, batch=3, length=4)
        assert relative(torch["losses"], eager["losses"]) <= 1e-9


def test_eager_w1_after_jit_gives_the_same_losses():
    assert training.w1_eager_after_jit(ENGINE, 2)["losses"] == workloads.w1(ENGINE, 2)["losses"]


def test_batched_pytorch_equals_eager():
    pytest.importorskip("torch")  # an optional peer: never a dependency of the project
    w1, w5 = workloads.w1(ENGINE, 2), training.w5_eager(2, batch=8, hidden=[5])
    assert relative(training.w1_torch(1, 2)["losses"], w1["losses"]) <= 1e-9
    assert relative(training.w5_torch(0, 2, batch=8, hidden=[5])["losses"], w5["losses"]) <= 1e-9


@pytest.mark.parametrize(("engine", "module"), [("torch", "torch"),
                                                ("autograd-lite-jit", "numpy")])
def test_a_missing_engine_is_reported_not_installed(monkeypatch, engine, module):
    monkeypatch.setitem(sys.modules, module, None)  # import fails as if it were absent
    for workload in ("W1", "W5"):
        result = harness.child(engine, workload, TINY)
        assert result["status"].startswith("not installed"), result


def test_measure_runs_each_engine_in_a_child_and_tables_show_every_row():
    engines = ["autograd-lite", "autograd-lite-jit", "torch"]
    results = harness.measure(["W1", "W5", "guard"], engines, TINY)
    for workload in ("W1", "W5"):
        assert "median_s" in results["autograd-lite"][workload]
        traced = results["autograd-lite-jit"][workload]
        assert len(traced["rounds"]) == 2 and "trace_s" in traced
        torch = results["torch"][workload]
        assert "median_s" in torch or torch["status"].startswith("not installed")
    guard = results["autograd-lite-jit"]["guard"]
    assert set(guard) == {"clean", "numpy_imported", "after_jit"}
    assert all(len(run["rounds"]) == 2 for run in guard.values())
    assert guard["clean"]["losses"] == guard["numpy_imported"]["losses"] == \
        guard["after_jit"]["losses"]

    steps = harness.training_table(results)
    for title in ("W1 moons training step", "W5 digits-sized classifier step"):
        for engine in ("autograd-lite (eager)", "autograd-lite jit", "PyTorch batched"):
            assert any(title in line and engine in line for line in steps.splitlines())
    traced_rows = [line for line in steps.splitlines() if "autograd-lite jit" in line]
    assert all("| yes (max rel. diff" in line for line in traced_rows), traced_rows
    costs = harness.traced_table(results)
    assert "step.memory()" in costs and "KiB" in costs
    guard_rows = [line for line in costs.splitlines() if line.startswith("| median s/step")]
    assert len(guard_rows) == 1 and guard_rows[0].endswith("| yes |"), costs
    json.dumps(results)  # what --json writes


def test_tables_survive_failed_and_missing_runs():
    crashed = {"status": "crashed: MemoryError"}
    results = {"autograd-lite": {"W5": crashed},
               "autograd-lite-jit": {"W1": harness.merge_rounds([crashed]),
                                     "guard": {"clean": crashed, "after_jit": crashed,
                                               "numpy_imported": crashed}},
               "torch": {"W1": {"status": "not installed (No module named 'torch')"}}}
    steps, costs = harness.training_table(results), harness.traced_table(results)
    assert "crashed: MemoryError" in steps and "not installed" in steps
    assert "crashed: MemoryError" in costs
    assert harness.table({}) == harness.training_table({}) == harness.traced_table({}) == ""


def test_command_line_rejects_unknown_names_and_writes_json(tmp_path, capsys):
    with pytest.raises(SystemExit):
        harness.main(["--workloads", "W9"])
    with pytest.raises(SystemExit):
        harness.main(["--engines", "jax"])
    assert "unknown engine 'jax'" in capsys.readouterr().err
    out = tmp_path / "results.json"
    harness.main(["--quick", "--workloads", "w1", "--engines", "autograd-lite-jit",
                  "--json", str(out)])
    assert "autograd-lite jit" in capsys.readouterr().out
    assert "median_s" in json.loads(out.read_text())["autograd-lite-jit"]["W1"]


def test_the_bench_extra_brings_numpy_and_never_pytorch():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]
    names = [spec.split("=")[0].split(">")[0].split("[")[0].strip().lower()
             for spec in extras["bench"]]
    assert "numpy" in names and "micrograd" in names
    assert not any("torch" in spec.lower() for specs in extras.values() for spec in specs)
