"""The examples in docstrings run and print what they show."""

import doctest
import importlib
import pkgutil

import pytest

import autograd_lite

MODULES = sorted(
    name for _, name, _ in pkgutil.walk_packages(autograd_lite.__path__, "autograd_lite.")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    if name == "autograd_lite.viz" or name.startswith("autograd_lite.step"):
        pytest.importorskip("graphviz")
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
