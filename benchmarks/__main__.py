"""Run the workloads for autograd-lite and micrograd side by side and print the ratios.

    pip install -e ".[bench]"          # micrograd 0.1.0 from PyPI
    python -m benchmarks               # all workloads, a few minutes
    python -m benchmarks --quick       # smaller, under a minute
    python -m benchmarks --workloads W1,W4 --json results.json

Each (engine, workload) pair runs in a fresh child process, with Python's garbage collector on,
as users run it. Machines are noisy: compare the ratios of one run, not times across runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from importlib import import_module
from types import SimpleNamespace

from . import workloads

ENGINES = {
    "micrograd": ("micrograd.engine", "micrograd.nn"),
    "autograd-lite": ("autograd_lite", "nn"),
}
CONFIGS = {
    "full": {"w1_steps": 10, "w2_sizes": [1_000, 10_000, 100_000, 1_000_000], "w4_repeats": 5},
    "quick": {"w1_steps": 3, "w2_sizes": [1_000, 10_000, 100_000], "w4_repeats": 2},
}


def load(engine: str, workload: str) -> SimpleNamespace:
    value_module, nn_module = ENGINES[engine]
    e = SimpleNamespace(Value=import_module(value_module).Value)
    if workload == "W1":
        e.MLP = import_module(nn_module).MLP
    return e


def child(engine: str, workload: str, config: dict) -> dict:
    try:
        e = load(engine, workload)
    except (ImportError, AttributeError) as error:
        return {"status": f"not installed ({error})"}
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
    raise ValueError(workload)


def run_child(engine: str, workload: str, config: dict) -> dict:
    command = [sys.executable, "-m", "benchmarks", "--child", engine, workload,
               "--config", json.dumps(config)]
    done = subprocess.run(command, capture_output=True, text=True,
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
        rows.append(("W1 moons training step", "s/step, median", _fmt(a, "median_s", "{:.4f}"),
                     _fmt(b, "median_s", "{:.4f}"),
                     f"{ratio(a.get('median_s'), b.get('median_s'))} faster; same losses: {agree}"))
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
    lines = ["| workload | measure | micrograd | autograd-lite | autograd-lite vs micrograd |",
             "|---|---|---|---|---|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, under a minute")
    parser.add_argument("--workloads", default="W1,W2,W3,W4", help="comma list of W1..W4")
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma list of engines")
    parser.add_argument("--json", help="also write the raw results to this file")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--config", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(*args.child, json.loads(args.config))))
        return
    config = CONFIGS["quick" if args.quick else "full"]
    chosen = [w.strip().upper() for w in args.workloads.split(",")]
    engines = [e.strip() for e in args.engines.split(",")]
    for name in [*chosen, *engines]:
        if name not in ("W1", "W2", "W3", "W4", *ENGINES):
            parser.error(f"unknown workload or engine {name!r}")
    start = time.perf_counter()
    results: dict = {e: {} for e in engines}
    for workload in chosen:
        for engine in engines:
            print(f"[{time.perf_counter() - start:6.1f}s] {workload} {engine}", file=sys.stderr)
            results[engine][workload] = run_child(engine, workload, config)
    print(f"- machine: {platform.machine()}, {os.cpu_count()} cores, {cpu_model()}, "
          f"Python {platform.python_version()}, {'quick' if args.quick else 'full'} run, "
          f"{time.perf_counter() - start:.0f} s")
    print(table(results))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
