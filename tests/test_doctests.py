"""The examples in docstrings run and print what they show, and every module has some."""

import doctest
import importlib
import pkgutil

import pytest

import autograd_lite

MODULES = ["autograd_lite", *sorted(
    name for _, name, _ in pkgutil.walk_packages(autograd_lite.__path__, "autograd_lite.")
)]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
    assert result.attempted > 0, f"{name} has no docstring example to run"
