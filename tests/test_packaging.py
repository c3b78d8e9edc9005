"""What the package promises about itself: one version, type hints shipped, the supported
Pythons said the same way everywhere, and CI running the documented docs build."""

import importlib.metadata
import importlib.resources
import re
import tomllib
from pathlib import Path

import autograd_lite

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_the_installed_metadata_has_the_version_of_the_code():
    assert importlib.metadata.version("autograd-lite") == autograd_lite.__version__


def test_the_version_is_written_once_in_the_code():
    project = PYPROJECT["project"]
    assert "version" not in project and "version" in project["dynamic"]
    assert PYPROJECT["tool"]["hatch"]["version"]["path"] == "autograd_lite/__init__.py"
    assert re.fullmatch(r"\d+\.\d+\.\d+(?:\.dev\d+|(?:a|b|rc)\d+)?", autograd_lite.__version__)


def test_both_packages_ship_py_typed():
    for package in ("autograd_lite", "nn"):
        assert importlib.resources.files(package).joinpath("py.typed").is_file(), package


def _supported_minors():
    pattern = re.compile(r"Programming Language :: Python :: 3\.(\d+)$")
    return sorted(int(m.group(1)) for c in PYPROJECT["project"]["classifiers"]
                  if (m := pattern.match(c)))


def test_the_oldest_supported_python_is_the_same_everywhere():
    oldest = _supported_minors()[0]
    assert PYPROJECT["project"]["requires-python"] == f">=3.{oldest}"
    assert PYPROJECT["tool"]["ruff"]["target-version"] == f"py3{oldest}"
    readme = (ROOT / "README.md").read_text()
    assert re.findall(r"Python (3\.\d+) or newer", readme) == [f"3.{oldest}"]


def test_ci_tests_every_supported_python():
    # README's command runs on the default python3; the others are named in .ci/run
    minors = _supported_minors()
    assert minors == list(range(minors[0], minors[-1] + 1))
    ci = (ROOT / ".ci" / "run").read_text()
    for minor in minors[1:]:
        assert re.search(rf"\b3\.{minor}\b", ci), f"CI does not test Python 3.{minor}"


def test_ci_runs_exactly_the_documented_docs_build():
    commands = re.findall(r"```sh\n(.+?)\n```", (ROOT / "CONTRIBUTING.md").read_text(), re.S)
    builds = [c for c in commands if "sphinx-build" in c]
    assert len(builds) == 1 and "-W --keep-going" in builds[0]
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert builds[0].strip() in ci_lines
