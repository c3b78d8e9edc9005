"""Run the workloads side by side in one run and print the ratios.

    pip install -e ".[bench]"          # micrograd 0.1.0 from PyPI and NumPy (the traced mode)
    python -m benchmarks               # all workloads, a few minutes
    python -m benchmarks --quick       # smaller, under a minute
    python -m benchmarks --workloads W1,W5 --engines autograd-lite-jit,torch --json results.json

Engines: micrograd, eager autograd-lite, its traced mode (autograd-lite-jit, through
``autograd_lite.jit``) and batched PyTorch (torch, float64), an optional peer measured when
``import torch`` works: no extra of this project installs it. Workloads: W1..W4 as micrograd and
eager autograd-lite share them (see ``workloads``), W5 and the training steps of the traced
mode and PyTorch (see ``training``), W6, a one-layer transformer on names written as scalar code
(see ``transformer``), and ``guard``: eager W1 in a process that has used ``jit``
beside a clean one and one that has only imported NumPy (whose objects alone make Python's
cyclic garbage collector work a little more).

Each (engine, workload) pair runs in a fresh child process, with Python's garbage collector on,
as users run it; the fast traced and PyTorch steps run for a few rounds, alternating. BLAS and
PyTorch use one thread unless ``--threads`` says otherwise. Machines are noisy: compare the
ratios of one run, not times across runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from importlib import import_module
from types import SimpleNamespace

from . import training, transformer, workloads

ENGINES = {  # name on the command line -> name in the tables
    "micrograd": "micrograd",
    "autograd-lite": "autograd-lite",
    "autograd-lite-jit": "autograd-lite jit",
    "torch": "PyTorch batched (float64)",
}
WORKLOADS = ("W1", "W2", "W3", "W4", "W5", "W6", "guard")
RUNS = {  # what each engine is measured on
    "micrograd": {"W1", "W2", "W3", "W4"},
    "autograd-lite": {"W1", "W2", "W3", "W4", "W5", "W6"},
    "autograd-lite-jit": {"W1", "W5", "W6", "guard"},  # guard: eager W1 after jit was used
    "torch": {"W1", "W5", "W6"},
}
BATCHED = ("autograd-lite-jit", "torch")  # fast: several rounds, alternating
CONFIGS = {
    "full": {"w1_steps": 10, "w2_sizes": [1_000, 10_000, 100_000, 1_000_000], "w4_repeats": 5,
             "w5_steps": 2, "w5_batch": 256, "w5_hidden": [32, 32],
             "w6_steps": 1, "w6_batch": 32, "w6_length": 7,
             "batched_warmup": 3, "batched_steps": {"W1": 200, "W5": 100, "W6": 50},
             "rounds": 5, "guard_rounds": 5},
    "quick": {"w1_steps": 3, "w2_sizes": [1_000, 10_000, 100_000], "w4_repeats": 2,
              "w5_steps": 2, "w5_batch": 256, "w5_hidden": [32, 32],
              "w6_steps": 1, "w6_batch": 32, "w6_length": 7,
              "batched_warmup": 2, "batched_steps": {"W1": 50, "W5": 30, "W6": 20},
              "rounds": 1, "guard_rounds": 3},
}
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
TOLERANCE = {"autograd-lite-jit": 1e-12, "torch": 1e-9}  # first losses vs eager, relative


def load(engine: str, workload: str) -> SimpleNamespace:
    """The engine's modules; ImportError when it is not installed."""
    if engine == "torch":
        import_module("torch")
        return SimpleNamespace()
    if engine == "autograd-lite-jit":
        import_module("numpy")  # the traced mode's extra, ``fast``
        engine = "autograd-lite"
    value_module, nn_module = {"micrograd": ("micrograd.engine", "micrograd.nn"),
                               "autograd-lite": ("autograd_lite", "nn")}[engine]
    e = SimpleNamespace(Value=import_module(value_module).Value)
    if workload in ("W1", "guard", "guard-numpy"):
        e.MLP = import_module(nn_module).MLP
    return e


def child(engine: str, workload: str, config: dict) -> dict:
    try:
        e = load(engine, workload)
    except (ImportError, AttributeError) as error:
        return {"status": f"not installed ({error})"}
    if engine == "autograd-lite-jit" and workload == "guard":
        return training.w1_eager_after_jit(e, config["w1_steps"])
    if engine == "autograd-lite-jit" and workload == "guard-numpy":
        return workloads.w1(e, config["w1_steps"])  # load() imported NumPy, nothing more
    if engine in BATCHED:
        warmup, steps = config["batched_warmup"], config["batched_steps"][workload]
        sized = {} if workload == "W1" else \
            {"batch": config["w5_batch"], "hidden": config["w5_hidden"]} if workload == "W5" else \
            {"batch": config["w6_batch"], "length": config["w6_length"]}
        measure = {("autograd-lite-jit", "W1"): training.w1_jit,
                   ("autograd-lite-jit", "W5"): training.w5_jit,
                   ("autograd-lite-jit", "W6"): transformer.w6_jit,
                   ("torch", "W1"): training.w1_torch,
                   ("torch", "W5"): training.w5_torch,
                   ("torch", "W6"): transformer.w6_torch}[engine, workload]
        return measure(warmup, steps, **sized)
    if workload == "W1":
        return workloads.w1(e, config["w1_steps"])
    if workload == "W2":
        rows, failed = [], False
        for n in config["w2_sizes"]:
            if failed:
                rows.append({"n": n, "status": "skipped"})
                continue
            rows.append(run_child(engine, "W2-one", {**config, "n": n}))
            failed = rows[-1].get("status") != "ok"
        return {"rows": rows}
    if workload == "W2-one":
        return workloads.w2(e, config["n"])
    if workload == "W3":
        return workloads.w3(e)
    if workload == "W4":
        return workloads.w4(e, repeats=config["w4_repeats"])
    if workload == "W5":
        return training.w5_eager(config["w5_steps"], config["w5_batch"], config["w5_hidden"])
    if workload == "W6":
        return transformer.w6_eager(config["w6_steps"], config["w6_batch"], config["w6_length"])
    raise ValueError(workload)


def run_child(engine: str, workload: str, config: dict) -> dict:
    command = [sys.executable, "-m", "benchmarks", "--child", engine, workload,
               "--config", json.dumps(config)]
    env = dict(os.environ)
    if config.get("threads"):  # read by NumPy's BLAS and PyTorch when they are imported
        env.update(dict.fromkeys(THREAD_VARIABLES, str(config["threads"])))
    done = subprocess.run(command, capture_output=True, text=True, env=env,
                          cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
        return {"status": f"crashed: {tail[0][:100]}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}×" if a and b else "-"


def _w2_total(row: dict) -> float | None:
    return row["build_us"] + row["backward_us"] if row.get("status") == "ok" else None


def table(results: dict) -> str:
    """A markdown table: one row per measure, ratios > 1 mean autograd-lite is better."""
    mg, ours = results.get("micrograd", {}), results.get("autograd-lite", {})
    rows = []
    if "W1" in ours:
        a, b = mg.get("W1", {}), ours["W1"]
        agree = "-"
        if a.get("losses") and b.get("losses"):
            worst = max(abs(x - y) for x, y in zip(a["losses"], b["losses"], strict=False))
            agree = "yes" if worst <= 1e-9 else "NO"
            agree += f" (max diff {worst:.1e})"
        faster = ratio(a.get("median_s"), b.get("median_s"))
        rows.append(("W1 moons training step", "s/step, median", _fmt(a, "median_s", "{:.4f}"),
                     _fmt(b, "median_s", "{:.4f}"),
                     f"{faster} faster; same losses: {agree}" if faster != "-" else "-"))
    if "W2" in ours:
        theirs = {r["n"]: r for r in mg.get("W2", {}).get("rows", [])}
        for r in ours["W2"].get("rows", []):
            m = theirs.get(r["n"], {})
            mine = (f"{_w2_total(r):.2f} µs/node ({r['build_us']:.2f} + {r['backward_us']:.2f})"
                    if _w2_total(r) else r.get("status"))
            other = f"{_w2_total(m):.2f} µs/node" if _w2_total(m) else m.get("status", "-")
            rows.append((f"W2 chain, N = {r['n']:,}", "build + backward", other, mine,
                         f"{ratio(_w2_total(m), _w2_total(r))} faster" if _w2_total(m) else "-"))
    if "W3" in ours:
        a, b = mg.get("W3", {}), ours["W3"]
        for key, name in (("tracemalloc_bytes", "tracemalloc"), ("rss_bytes", "RSS")):
            rows.append(("W3 memory after backward", f"bytes/node ({name})",
                         _fmt(a, key, "{:.0f}"), _fmt(b, key, "{:.0f}"),
                         f"{ratio(a.get(key), b.get(key))} leaner"))
    if "W4" in ours:
        a, b = mg.get("W4", {}), ours["W4"]
        for unary in ("relu", "tanh"):
            for key, name in (("build_per_s", "build"), ("backward_per_s", "backward")):
                mine, other = b.get(unary, {}).get(key), a.get(unary, {}).get(key)
                rows.append((f"W4 {unary} grid", f"{name}, nodes/s",
                             f"{other / 1e6:.3f} M" if other else f"n/a (no {unary})",
                             f"{mine / 1e6:.3f} M" if mine else str(b.get("status", "-")),
                             f"{ratio(mine, other)} faster" if other else "-"))
    if not rows:
        return ""
    lines = ["| workload | measure | micrograd | autograd-lite | autograd-lite vs micrograd |",
             "|---|---|---|---|---|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _relative_difference(losses: list[float], reference: list[float]) -> float:
    return max(abs(a - b) / (abs(b) or 1.0) for a, b in zip(losses, reference, strict=False))


def _same_losses(result: dict, reference: dict, tolerance: float) -> str:
    """Whether the first losses agree with the reference engine's, relative to them."""
    mine, theirs = result.get("losses"), reference.get("losses")
    if not mine or not theirs:
        return "-"
    worst = _relative_difference(mine, theirs)
    verdict = "yes" if worst <= tolerance else "NO"
    return f"{verdict} (max rel. diff {worst:.1e} over {min(len(mine), len(theirs))})"


def merge_rounds(rounds: list[dict]) -> dict:
    """Several runs of one (engine, workload): the median of each time, the rest of the
    first run, and every run under ``rounds``."""
    ok = [r for r in rounds if "median_s" in r]
    if len(ok) < len(rounds):
        return next(r for r in rounds if "median_s" not in r) | {"rounds": rounds}
    merged = dict(ok[0])
    for key in ("median_s", "min_s", "trace_s", "peak_step_bytes"):
        if key in merged:
            merged[key] = statistics.median(r[key] for r in ok)
    return merged | {"rounds": rounds}


def _round_ratios(a: dict, b: dict, key: str = "median_s") -> list[float]:
    """a's time per step divided by b's: round by round when both ran in rounds (machine
    noise then hits both alike), else one ratio of their medians."""
    if "rounds" not in a or "rounds" not in b:
        return [a[key] / b[key]] if key in a and key in b else []
    return [x[key] / y[key] for x, y in zip(a["rounds"], b["rounds"], strict=False)
            if key in x and key in y]


def _round_ratio(a: dict, b: dict, key: str = "median_s") -> float | None:
    ratios = _round_ratios(a, b, key)
    return statistics.median(ratios) if ratios else None


TRAINING = {"W1": "W1 moons training step", "W5": "W5 digits-sized classifier step",
            "W6": "W6 one-layer transformer on names"}


def training_table(results: dict) -> str:
    """One row per (workload, engine) of the training steps; the traced mode's time per step
    divided by each engine's (below 1: the traced mode is faster)."""
    eager, traced = results.get("autograd-lite", {}), results.get("autograd-lite-jit", {})
    rows = []
    for workload, title in TRAINING.items():
        reference = eager.get(workload, {})
        for engine in ("autograd-lite", "autograd-lite-jit", "torch"):
            result = results.get(engine, {}).get(workload)
            if result is None:
                continue
            mine = traced.get(workload, {})
            shares = [] if engine == "autograd-lite-jit" else _round_ratios(mine, result)
            versus = f"{statistics.median(shares):.3g}×" if shares else "-"
            if len(shares) > 1:
                versus += f" ({min(shares):.2f}–{max(shares):.2f} by round)"
            agree = "(reference)" if engine == "autograd-lite" else \
                _same_losses(result, reference, TOLERANCE[engine])
            name = ENGINES[engine] + (" (eager)" if engine == "autograd-lite" else "")
            rows.append((title, name, _fmt(result, "median_s", "{:.3g}"), versus, agree))
    if not rows:
        return ""
    lines = ["| workload | engine | s/step, median | jit's time ÷ this | same first losses as "
             "eager |", "|---|---|---|---|---|"]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def _bytes(n: float) -> str:
    return f"{n / 2**20:.2f} MiB" if n >= 2**20 else f"{n / 1024:.1f} KiB"


def traced_table(results: dict) -> str:
    """The traced mode's one-time cost and memory, and eager W1 after it was used."""
    traced = results.get("autograd-lite-jit", {})
    rows = []
    for workload, title in TRAINING.items():
        r = traced.get(workload)
        if r is None:
            continue
        if "median_s" not in r:
            rows.append((title, str(r.get("status")), "-", "-"))
            continue
        rows.append((title, f"{r['trace_s']:.3f} s", _bytes(r["plan_bytes"]),
                     _bytes(r["peak_step_bytes"])))
    lines = []
    if rows:
        lines += ["| workload | trace cost (first call − median step) | compiled step holds "
                  "(`step.memory()`) | peak memory of one step (tracemalloc) |",
                  "|---|---|---|---|"]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
    guard = traced.get("guard")
    if guard is not None:
        runs = [guard[key] for key in ("clean", "numpy_imported", "after_jit")]
        lines += ["", "| eager W1 step | clean process | NumPy imported | after jit traced and "
                  "ran | after jit ÷ clean | after jit ÷ NumPy imported | same losses |",
                  "|---|---|---|---|---|---|---|"]
        if all("median_s" in r for r in runs):
            clean, numpy, after = runs
            same = "yes" if all(r["losses"] == clean["losses"] for r in runs) else "NO"
            for key, what in (("median_s", "median"), ("min_s", "fastest")):
                lines.append(f"| {what} s/step ({len(after['rounds'])} rounds) | "
                             + " | ".join(f"{r[key]:.4f}" for r in runs)
                             + f" | {_round_ratio(after, clean, key):.3f}× | "
                             f"{_round_ratio(after, numpy, key):.3f}× | {same} |")
        else:
            lines.append("| median s/step | "
                         + " | ".join(_fmt(r, "median_s", "{:.4f}") for r in runs)
                         + " | - | - | - |")
    return "\n".join(lines).strip()


def _fmt(result: dict, key: str, spec: str) -> str:
    return spec.format(result[key]) if key in result else str(result.get("status", "-"))


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def measure(workloads_chosen: list[str], engines: list[str], config: dict,
            log: Callable[[str], None] = lambda message: None) -> dict:
    """Run each chosen (engine, workload) in its own child process; the fast batched engines
    (the traced mode, PyTorch) for ``config["rounds"]`` rounds, alternating."""
    results: dict = {e: {} for e in engines}
    for workload in workloads_chosen:
        if workload == "guard":
            if "autograd-lite-jit" not in engines:
                continue
            runs: dict = {"clean": [], "numpy_imported": [], "after_jit": []}
            children = [("clean", "autograd-lite", "W1"),
                        ("numpy_imported", "autograd-lite-jit", "guard-numpy"),
                        ("after_jit", "autograd-lite-jit", "guard")]
            for r in range(config["guard_rounds"]):
                log(f"guard round {r}: eager W1 clean, with NumPy imported, after jit")
                for key, engine, name in children[r % 3:] + children[:r % 3]:  # order rotates
                    runs[key].append(run_child(engine, name, config))
            results["autograd-lite-jit"]["guard"] = {k: merge_rounds(v) for k, v in runs.items()}
            continue
        for engine in engines:
            if workload in RUNS[engine] and engine not in BATCHED:
                log(f"{workload} {engine}")
                results[engine][workload] = run_child(engine, workload, config)
        batched = [e for e in engines if e in BATCHED and workload in RUNS[e]]
        rounds: dict = {e: [] for e in batched}
        for r in range(config["rounds"] if batched else 0):
            for engine in batched:
                log(f"{workload} {engine} round {r}")
                rounds[engine].append(run_child(engine, workload, config))
        for engine in batched:
            results[engine][workload] = merge_rounds(rounds[engine])
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, under a minute")
    parser.add_argument("--workloads", default=",".join(WORKLOADS),
                        help=f"comma list of {', '.join(WORKLOADS)}")
    parser.add_argument("--engines", default=",".join(ENGINES),
                        help=f"comma list of {', '.join(ENGINES)}")
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS and PyTorch threads in the children (0: the libraries' "
                             "defaults); default 1")
    parser.add_argument("--json", help="also write the raw results to this file")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--config", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(*args.child, json.loads(args.config))))
        return
    config = CONFIGS["quick" if args.quick else "full"]
    by_name = {w.lower(): w for w in WORKLOADS}
    chosen = [by_name.get(w.strip().lower(), w.strip()) for w in args.workloads.split(",")]
    engines = [e.strip() for e in args.engines.split(",")]
    for name in chosen:
        if name not in WORKLOADS:
            parser.error(f"unknown workload {name!r}: choose from {', '.join(WORKLOADS)}")
    for name in engines:
        if name not in ENGINES:
            parser.error(f"unknown engine {name!r}: choose from {', '.join(ENGINES)}")
    if args.threads < 0:
        parser.error(f"--threads must be 0 or more, got {args.threads}")
    config = {**config, "threads": args.threads}
    start = time.perf_counter()
    results = measure(chosen, engines, config, lambda message: print(
        f"[{time.perf_counter() - start:6.1f}s] {message}", file=sys.stderr))
    threads = args.threads or "library default"
    print(f"- machine: {platform.machine()}, {os.cpu_count()} cores, {cpu_model()}, "
          f"Python {platform.python_version()}, {'quick' if args.quick else 'full'} run, "
          f"BLAS threads: {threads}, {time.perf_counter() - start:.0f} s")
    tables = [table(results), training_table(results), traced_table(results)]
    print("\n\n".join(t for t in tables if t))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
