"""The examples in docstrings run and print what they show, and every module has some."""

import doctest
import importlib
import pkgutil

import pytest

import autograd_lite
import nn

MODULES = [
    name
    for package in (autograd_lite, nn)
    for name in [package.__name__, *sorted(
        name for _, name, _ in pkgutil.walk_packages(package.__path__, package.__name__ + "."))]
    if not name.endswith("__main__")  # running it is the command line itself
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
    assert result.attempted > 0, f"{name} has no docstring example to run"
