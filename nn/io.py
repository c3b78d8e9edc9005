"""Saving and loading models as JSON: architecture and parameters, written atomically.

The file is readable JSON::

    {"format": "autograd-lite-model", "version": 1,
     "architecture": {"type": "MLP", "nin": 2, "nouts": [16, 16, 1],
                      "activations": ["relu", "relu", "linear"]},
     "parameters": {"layers.0.neurons.0.w.0": 0.2442, ...},
     "metadata": {...}}

Floats are written with ``repr`` precision, so a loaded model gives the same outputs bit for
bit. A save goes to a temporary file in the same folder, then replaces the target in one
``os.replace``: an interrupted save leaves the old file (or none), never half a file. Loading
checks the whole file before touching a model: a corrupt, truncated or mismatched file raises
``ModelFileError`` (a ``ValueError``) naming the problem, and no parameter is changed.

>>> import os, tempfile
>>> from nn import MLP
>>> model = MLP(2, [4, 1], seed=0)
>>> path = os.path.join(tempfile.mkdtemp(), "model.json")
>>> copy = load_model(save_model(model, path))
>>> copy([0.5, -1.0]).data == model([0.5, -1.0]).data
True
"""

from __future__ import annotations

import json
import os
import secrets
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .modules import ACTIVATIONS, MLP, Layer, Module, Neuron, _compare_names

__all__ = ["ModelFileError", "save_model", "load_model", "load_parameters", "atomic_write_text",
           "FORMAT", "VERSION"]

FORMAT = "autograd-lite-model"
VERSION = 1

PathLike = str | os.PathLike[str]
_LARGEST_FLOAT = int(sys.float_info.max)


class ModelFileError(ValueError):
    """A model file is corrupt, truncated, or does not match the model or its architecture."""


def atomic_write_text(path: PathLike, text: str) -> Path:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename.

    Readers see the old content or the new, never a part. The file gets the usual permissions
    (``0o666`` less the umask), like one made by ``open(path, "w")``.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def save_model(model: Module, path: PathLike, *,
               metadata: Mapping[str, Any] | None = None) -> Path:
    """Write ``model``'s architecture and parameters to the JSON file ``path``; return the path.

    ``metadata`` (JSON-ready data, e.g. the training settings) is stored alongside. A module
    without an ``architecture()`` method is saved with its parameters only: load those with
    ``load_parameters`` into a model you build yourself.
    """
    describe = getattr(model, "architecture", None)
    doc: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "architecture": describe() if callable(describe) else None,
        "parameters": model.state_dict(),
    }
    if metadata is not None:
        doc["metadata"] = dict(metadata)
    return atomic_write_text(path, json.dumps(doc, indent=1) + "\n")


def load_model(path: PathLike) -> Module:
    """Build the model described in the file ``path`` and give it the saved parameters.

    Raises ``ModelFileError`` for a file that is not valid JSON, not a model file, or whose
    parameters do not fit its architecture (naming the key or the sizes).
    """
    doc = _read(path)
    arch = doc["architecture"]
    if arch is None:
        raise ModelFileError(f"{path}: the file holds parameters without an architecture; "
                             f"build the model and use load_parameters()")
    model = _build(path, arch)
    _assign(path, model, doc["parameters"])
    return model


def load_parameters(model: Module, path: PathLike) -> Module:
    """Load the parameters saved in ``path`` into ``model`` (which must have the same
    architecture) and return it. Nothing changes when the file does not fit."""
    doc = _read(path)
    describe = getattr(model, "architecture", None)
    ours = describe() if callable(describe) else None
    theirs = doc["architecture"]
    if ours is not None and theirs is not None and ours != theirs:
        raise ModelFileError(f"{path}: the file holds {_describe(theirs)}, "
                             f"but the model is {_describe(ours)}")
    _assign(path, model, doc["parameters"])
    return model


def _read(path: PathLike) -> dict[str, Any]:
    """The file's JSON document, checked down to the types of its top-level keys."""
    raw = Path(path).read_bytes()
    if not raw.strip():
        raise ModelFileError(f"{path}: the file is empty")
    try:
        doc = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ModelFileError(f"{path}: not a model file (not UTF-8 text)") from None
    except json.JSONDecodeError as error:
        raise ModelFileError(
            f"{path}: not valid JSON, the file is truncated or corrupt "
            f"({error.msg} at line {error.lineno}, column {error.colno})"
        ) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ModelFileError(f"{path}: not an autograd-lite model file "
                             f"(key 'format' is not {FORMAT!r})")
    version = doc.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise ModelFileError(f"{path}: key 'version' must be an int, got {version!r}")
    if version > VERSION:
        raise ModelFileError(f"{path}: format version {version} is newer than this library "
                             f"reads ({VERSION}); upgrade autograd-lite")
    for key, kind in (("architecture", dict), ("parameters", dict)):
        if key not in doc:
            raise ModelFileError(f"{path}: missing key {key!r}")
        if not isinstance(doc[key], kind) and not (key == "architecture" and doc[key] is None):
            raise ModelFileError(f"{path}: key {key!r} must be a JSON object, "
                                 f"got {type(doc[key]).__name__}")
    return doc


def _describe(arch: Mapping[str, Any]) -> str:
    fields = ", ".join(f"{k}={v!r}" for k, v in arch.items() if k != "type")
    return f"{arch.get('type')}({fields})"


def _positive_int(path: PathLike, key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ModelFileError(f"{path}: key 'architecture.{key}' must be a positive int, "
                             f"got {value!r}")
    return value


def _activation(path: PathLike, key: str, value: Any) -> str:
    if value not in ACTIVATIONS:
        raise ModelFileError(f"{path}: key 'architecture.{key}' must be one of "
                             f"{', '.join(ACTIVATIONS)}, got {value!r}")
    return value


def _build_mlp(path: PathLike, arch: Mapping[str, Any]) -> Module:
    nouts, activations = arch.get("nouts"), arch.get("activations")
    if not isinstance(nouts, list) or not nouts:
        raise ModelFileError(f"{path}: key 'architecture.nouts' must be a non-empty list of "
                             f"layer sizes, got {nouts!r}")
    sizes = [_positive_int(path, f"nouts[{i}]", n) for i, n in enumerate(nouts)]
    if not isinstance(activations, list) or len(activations) != len(sizes):
        raise ModelFileError(f"{path}: key 'architecture.activations' must list one activation "
                             f"per layer ({len(sizes)}), got {activations!r}")
    names = [_activation(path, f"activations[{i}]", a) for i, a in enumerate(activations)]
    return MLP(_positive_int(path, "nin", arch.get("nin")), sizes, activation=names,
               **_BLANK)


def _build_layer(path: PathLike, arch: Mapping[str, Any]) -> Module:
    return Layer(_positive_int(path, "nin", arch.get("nin")),
                 _positive_int(path, "nout", arch.get("nout")),
                 activation=_activation(path, "activation", arch.get("activation")), **_BLANK)


def _build_neuron(path: PathLike, arch: Mapping[str, Any]) -> Module:
    return Neuron(_positive_int(path, "nin", arch.get("nin")),
                  activation=_activation(path, "activation", arch.get("activation")), **_BLANK)


# Zero weights, about to be overwritten; the seed keeps the global `random` untouched.
_BLANK: dict[str, Any] = {"init": 0.0, "seed": 0}

_BUILDERS: dict[str, Callable[[PathLike, Mapping[str, Any]], Module]] = {
    "MLP": _build_mlp, "Layer": _build_layer, "Neuron": _build_neuron,
}


def _build(path: PathLike, arch: Mapping[str, Any]) -> Module:
    builder = _BUILDERS.get(arch.get("type"))  # type: ignore[arg-type]
    if builder is None:
        raise ModelFileError(f"{path}: key 'architecture.type' must be one of "
                             f"{', '.join(_BUILDERS)}, got {arch.get('type')!r}")
    return builder(path, arch)


def _assign(path: PathLike, model: Module, params: Mapping[str, Any]) -> None:
    """Check every saved parameter against ``model``, then (only then) assign them all."""
    names = [name for name, _ in model.named_parameters()]
    problems = _compare_names(names, list(params))
    if problems:
        raise ModelFileError(
            f"{path}: the parameters do not fit {model._summary()}, which has "
            f"{len(names)} parameters (the file has {len(params)}): " + "; ".join(problems))
    for name, value in params.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ModelFileError(f"{path}: parameter {name!r} must be a number, "
                                 f"got {json.dumps(value)}")
        if isinstance(value, int) and abs(value) > _LARGEST_FLOAT:
            raise ModelFileError(f"{path}: parameter {name!r} is out of float range")
    model.load_state_dict(params)
