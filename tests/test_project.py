"""The project's promises about itself: CI runs README's test command; the engine imports
only the standard library; every public name has a docstring."""

import ast
import re
import subprocess
import sys
from pathlib import Path

import autograd_lite

ROOT = Path(__file__).resolve().parent.parent


def _readme_commands():
    return re.findall(r"```sh\n(.+?)\n```", (ROOT / "README.md").read_text(), flags=re.S)


def test_ci_runs_exactly_the_readme_test_command():
    test_commands = [c for c in _readme_commands() if "pytest" in c]
    assert len(test_commands) == 1
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test_commands[0].strip() in [line.strip() for line in ci]


ENGINE_MODULES = ["engine", "numerics", "modes", "functional", "testing"]


def test_engine_modules_import_only_the_standard_library():
    allowed = set(sys.stdlib_module_names) | {"autograd_lite", "hypothesis"}
    for name in ENGINE_MODULES:
        tree = ast.parse((ROOT / "autograd_lite" / f"{name}.py").read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                roots = {node.module.split(".")[0]}
            else:
                continue
            assert roots <= allowed, f"{name}.py imports {roots - allowed}"


def test_importing_the_engine_loads_no_third_party_package():
    code = ("import sys, autograd_lite, autograd_lite.testing; "
            "print(sorted(m for m in ('graphviz', 'hypothesis', 'nn') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_public_name_has_a_docstring():
    for name in autograd_lite.__all__:
        if name.startswith("__"):
            continue
        assert getattr(autograd_lite, name).__doc__, name


def _readme_python_blocks():
    return re.findall(r"```python\n(.+?)\n```", (ROOT / "README.md").read_text(), flags=re.S)


def test_each_readme_python_example_runs_on_its_own(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # the examples write files
    blocks = _readme_python_blocks()
    assert len(blocks) >= 4
    for number, block in enumerate(blocks, start=1):
        namespace: dict = {"__name__": f"readme_example_{number}"}  # nothing from the others
        exec(compile(block, f"README.md, python example {number}", "exec"), namespace)
        for name, value in list(namespace.items()):
            if name.startswith("test_") and callable(value):
                value()  # an example that defines a test runs it, as pytest would
    printed = capsys.readouterr().out
    assert "12.0 12.0 6.0" in printed
    assert re.search(r"step 49: loss \d+\.\d+, accuracy \d+%", printed)  # the nn example
    assert "passes its grad" in printed
    for name in ("graph.svg", "backprop.html", "output.svg", "near_output.html"):
        assert (tmp_path / name).exists(), name
