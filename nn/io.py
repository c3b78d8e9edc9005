"""Saving and loading models as JSON: architecture and parameters, written atomically.

The file is readable JSON::

    {"format": "autograd-lite-model", "version": 1,
     "architecture": {"type": "MLP", "nin": 2, "nouts": [16, 16, 1],
                      "activations": ["relu", "relu", "linear"]},
     "parameters": {"layers.0.neurons.0.w.0": 0.2442, ...},
     "metadata": {...}}

Floats are written with ``repr`` precision, so a loaded model gives the same outputs bit for
bit, and the file is standard JSON (no ``NaN`` or ``Infinity``). A save goes to a temporary
file in the same folder, then replaces the target in one ``os.replace``: an interrupted save
leaves the old file (or none), never half a file; a symbolic link keeps pointing where it did
and an existing file keeps its permissions. Temporary files are named
``.autograd-lite-tmp-<process id>-...``: one left by a process killed outright (``kill -9``)
is removed by the next write in that folder. Loading checks the whole file, and the sizes its
architecture claims against the parameters it holds, before building or touching a model: a
corrupt, truncated, mismatched or absurd file raises ``ModelFileError`` (a ``ValueError``)
naming the file and the key, and no parameter is changed.

>>> import os, tempfile
>>> from nn import MLP
>>> model = MLP(2, [4, 1], seed=0)
>>> path = os.path.join(tempfile.mkdtemp(), "model.json")
>>> copy = load_model(save_model(model, path))
>>> copy([0.5, -1.0]).data == model([0.5, -1.0]).data
True
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import json
import math
import os
import re
import secrets
import stat
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from ._checks import MAX_PARAMETERS as _MAX_PARAMETERS
from ._checks import got, show
from .modules import ACTIVATIONS, MLP, Layer, Module, Neuron, _compare_names

__all__ = ["ModelFileError", "save_model", "load_model", "load_parameters", "atomic_write_text",
           "atomic_write_bytes", "atomic_path", "FORMAT", "VERSION", "MAX_PARAMETERS",
           "MAX_FILE_BYTES"]

FORMAT = "autograd-lite-model"
VERSION = 1

#: The largest model ``load_model`` builds from a file (a scalar engine's model of this size
#: already needs gigabytes of memory); a file claiming more is refused before anything is built.
MAX_PARAMETERS = _MAX_PARAMETERS
#: The largest file ``load_model`` reads: room for ``MAX_PARAMETERS`` parameters and metadata.
MAX_FILE_BYTES = 100 * MAX_PARAMETERS

PathLike = str | os.PathLike[str]
_MAX_DIGITS = 400  # more digits than any float has: a longer number is not a parameter
_MAX_DEPTH = 100  # JSON nesting deeper than this is refused (Python's parser fails at ~1000)
_LARGEST_FLOAT = int(sys.float_info.max)

#: Every temporary file starts with this, then the writer's process id: a temporary left by a
#: process killed outright (``kill -9``) is recognised and removed by a later write
#: (``_remove_stale_temporaries``), and never one of a process still running.
_TEMP_PREFIX = ".autograd-lite-tmp-"
_TEMP_NAME = re.compile(re.escape(_TEMP_PREFIX) + r"(\d+)-")

# Inside ``_all_or_nothing``: the (temporary, target) pairs written and not yet renamed.
_staged: contextvars.ContextVar[list[tuple[Path, Path]] | None] = contextvars.ContextVar(
    "_staged", default=None)


class ModelFileError(ValueError):
    """A model file is corrupt, truncated, or does not match the model or its architecture."""


# ---------------------------------------------------------------------------------------------
# Atomic writes
# ---------------------------------------------------------------------------------------------

def _check_path(path: object, who: str) -> Path:
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"{who}: path must be a file name (a str or a Path), got {got(path)}")
    text = os.fspath(path)
    if not isinstance(text, str):
        raise TypeError(f"{who}: path must be a file name (a str or a Path), got {got(path)}")
    if not text.strip():
        raise ValueError(f"{who}: the path is empty; give a file name such as 'model.json'")
    if text.endswith(("/", os.sep)) or os.path.isdir(text):
        raise IsADirectoryError(errno.EISDIR, "Is a folder, not a file", text)
    return Path(text)


def _target(path: Path) -> Path:
    """The file a write to ``path`` should replace: through a symbolic link, its target."""
    if not path.is_symlink():
        return path
    target = Path(os.path.realpath(path))
    if target.is_symlink():  # realpath gave up: a loop of links
        raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), str(path))
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, "the link points to a folder", str(path))
    return target


@contextlib.contextmanager
def atomic_path(path: PathLike) -> Iterator[Path]:
    """A temporary file next to ``path`` to write, moved onto ``path`` in one rename at the end.

    Use it for writers that want a file name (``savefig``, a renderer): write the yielded path
    (same folder, same extension) in the ``with`` block. When the block ends normally the file
    is flushed to disk and replaces ``path`` with ``os.replace``, so readers see the old file
    or the new one, never a part; when it raises (``KeyboardInterrupt`` too) the temporary
    file is removed and ``path`` is untouched. The temporary's name starts with
    ``.autograd-lite-tmp-`` and the process id, and a write first removes such files of
    processes that no longer run (left by a ``kill -9``).

    What users expect of a saved file is kept: a symbolic link keeps pointing where it did
    (its target is replaced), and an existing file keeps its permission bits (and its owner
    and group where the system allows). A new file gets the usual permissions (``0o666``
    less the umask), as ``open(path, "w")`` gives. An ``OSError`` names ``path``, not the
    temporary file.

    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> with atomic_path(os.path.join(folder, "notes.txt")) as tmp:
    ...     _ = tmp.write_text("hello")
    >>> os.listdir(folder)
    ['notes.txt']
    """
    given = _check_path(path, "atomic write")
    try:
        target = _target(given)
        try:
            old: os.stat_result | None = os.stat(target)
        except FileNotFoundError:
            old = None
        tmp = _temporary_name(target)
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    except OSError as error:
        raise _naming(error, given) from None
    try:
        yield tmp
        if old is not None:
            _copy_mode(old, tmp)
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        staged = _staged.get()
        if staged is not None:  # renamed with the others when the whole group is written
            staged.append((tmp, target))
            return
        os.replace(tmp, target)
    except BaseException as error:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(error, OSError):
            raise _naming(error, given) from None
        raise
    _sync_folder(target.parent)


def _temporary_name(target: Path) -> Path:
    """A hidden, unused-looking name next to ``target``, short enough for any file system
    (255 bytes a name): a long name's stem is cut, never the random part."""
    _remove_stale_temporaries(target.parent)
    start = f"{_TEMP_PREFIX}{os.getpid()}-{secrets.token_hex(4)}-"
    suffix = target.suffix if len(os.fsencode(target.suffix)) <= 32 else ""
    stem = target.stem
    while stem and len(os.fsencode(f"{start}{stem}{suffix}")) > 255:
        stem = stem[:-1]
    return target.with_name(f"{start}{stem}{suffix}")


def _remove_stale_temporaries(folder: Path) -> list[Path]:
    """Remove the temporary files in ``folder`` that a write of this module left behind when
    its process was killed (its process id is gone); return them. Anything else, and the
    temporaries of running processes, are left alone."""
    removed: list[Path] = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        match = _TEMP_NAME.match(name)
        if match is None or _running(int(match.group(1))):
            continue
        path = folder / name
        with contextlib.suppress(OSError):
            if path.is_file() and not path.is_symlink():
                path.unlink()
                removed.append(path)
    return removed


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # someone else's, or not ours to judge: keep it
    return True


@contextlib.contextmanager
def _all_or_nothing() -> Iterator[list[Path]]:
    """Writes of ``atomic_path`` in this block go to their temporary files only; when the
    block ends normally all of them are renamed onto their targets, one after the other
    (a few renames, no writing), and the block's list holds the targets. When the block
    raises (``KeyboardInterrupt`` too), every temporary is removed and no target changes."""
    staged: list[tuple[Path, Path]] = []
    done: list[Path] = []
    token = _staged.set(staged)
    try:
        yield done
    except BaseException:
        _staged.reset(token)
        _discard(staged)
        raise
    _staged.reset(token)
    try:
        while staged:
            tmp, target = staged[0]
            os.replace(tmp, target)
            staged.pop(0)
            done.append(target)
    except BaseException as error:
        _discard(staged)
        if isinstance(error, OSError):
            raise _naming(error, target) from None  # the user's file, not the temporary
        raise
    for folder in {target.parent for target in done}:
        _sync_folder(folder)


def _discard(staged: list[tuple[Path, Path]]) -> None:
    for tmp, _ in staged:
        with contextlib.suppress(OSError):
            tmp.unlink()
    staged.clear()


def _naming(error: OSError, path: Path) -> OSError:
    """``error`` again, naming ``path`` (the file the user asked for) rather than a temp file."""
    if error.errno is None:
        return error
    return type(error)(error.errno, error.strerror, str(path))


def _copy_mode(old: os.stat_result, tmp: Path) -> None:
    os.chmod(tmp, stat.S_IMODE(old.st_mode))
    if hasattr(os, "chown"):
        new = os.stat(tmp)
        if (new.st_uid, new.st_gid) != (old.st_uid, old.st_gid):
            with contextlib.suppress(OSError):  # only allowed for some users
                os.chown(tmp, old.st_uid, old.st_gid)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (where folders can be opened, as on POSIX)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_bytes(path: PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see ``atomic_path``); return the path."""
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        f.write(data)
    return Path(path)


def atomic_write_text(path: PathLike, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file in the same folder and a
    rename (see ``atomic_path``): readers see the old content or the new, never a part.
    Return the path."""
    return atomic_write_bytes(path, text.encode("utf-8"))


# ---------------------------------------------------------------------------------------------
# Saving
# ---------------------------------------------------------------------------------------------

def _check_json(value: Any, where: str, seen: set[int]) -> None:
    """Raise naming ``where`` if ``value`` is not standard JSON data (NaN and infinity are
    not: strict JSON readers reject them)."""
    if value is None or isinstance(value, bool | str):
        return
    if isinstance(value, int):
        try:
            str(value)  # Python refuses to write an int of more than 4300 digits as text
        except ValueError:
            raise ValueError(f"save_model: {where} is an int of about "
                             f"{int(value.bit_length() * 0.30103):,} digits, too long to "
                             f"write") from None
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"save_model: {where} is {value!r}, which standard JSON cannot "
                             f"hold")
        return
    if isinstance(value, Mapping | list | tuple):
        if id(value) in seen:
            raise ValueError(f"save_model: {where} contains itself")
        seen.add(id(value))
        if isinstance(value, Mapping):
            for key, item in value.items():
                if not isinstance(key, str):
                    raise TypeError(f"save_model: the keys of {where} must be strings, got "
                                    f"{got(key)}")
                _check_json(item, f"{where}[{key!r}]", seen)
        else:
            for i, item in enumerate(value):
                _check_json(item, f"{where}[{i}]", seen)
        seen.discard(id(value))
        return
    raise TypeError(f"save_model: {where} must be JSON data (numbers, strings, lists, dicts), "
                    f"got {got(value)}")


def save_model(model: Module, path: PathLike, *,
               metadata: Mapping[str, Any] | None = None,
               replace_read_only: bool = False) -> Path:
    """Write ``model``'s architecture and parameters to the JSON file ``path``; return the path.

    ``metadata`` (JSON data, e.g. the training settings) is stored alongside. A module
    without an ``architecture()`` method is saved with its parameters only: load those with
    ``load_parameters`` into a model you build yourself.

    The file is standard JSON: a parameter or a metadata entry that is NaN or infinite raises
    ``ValueError`` naming it, and nothing is written. A parameter's data that is a real
    number of another type (a NumPy ``float32``) is saved as a float; anything else raises
    ``TypeError`` naming the parameter.

    The write is atomic and keeps a symbolic link and the file's permissions (see
    ``atomic_path``). Atomic means the file is *replaced*: a new file takes the name, so a
    hard link to the old file keeps the old content. A read-only file (no write permission
    bit, e.g. mode ``0o444``) is not replaced: ``PermissionError`` says so, unless
    ``replace_read_only=True`` (the new file then keeps the read-only mode).
    """
    if not isinstance(model, Module):
        raise TypeError(f"save_model: model must be a Module, got {got(model)}")
    path = _check_path(path, "save_model")
    if metadata is not None and not isinstance(metadata, Mapping):
        raise TypeError(f"save_model: metadata must be a dict, got {got(metadata)}")
    if not isinstance(replace_read_only, bool):
        raise TypeError(f"save_model: replace_read_only must be True or False, got "
                        f"{got(replace_read_only)}")
    parameters = model.state_dict()
    for name, value in parameters.items():
        if not math.isfinite(value):
            raise ValueError(f"save_model: parameter {name!r} is {value!r}; a model file holds "
                             f"finite numbers only (standard JSON has no NaN or infinity)")
    describe = getattr(model, "architecture", None)
    doc: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "architecture": describe() if callable(describe) else None,
        "parameters": parameters,
    }
    _check_json(doc["architecture"], "the architecture", set())
    if metadata is not None:
        _check_json(metadata, "metadata", set())
        doc["metadata"] = dict(metadata)
    # by its mode bits, not os.access: an administrator may write anywhere, yet 0o444 says
    # "keep this"
    if not replace_read_only and os.path.isfile(path) and not (
            os.stat(path).st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)):
        raise PermissionError(errno.EACCES, "save_model: the file is read-only; pass "
                              "replace_read_only=True to replace it", str(path))
    return atomic_write_text(path, json.dumps(doc, indent=1, allow_nan=False) + "\n")


# ---------------------------------------------------------------------------------------------
# Loading: the whole file is checked, and the claimed sizes are checked against it, before a
# model is built.
# ---------------------------------------------------------------------------------------------

class _Unreadable:
    """A JSON number that cannot be a parameter (too long, NaN, infinite), kept so that the
    check of the key it belongs to can name it."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __repr__(self) -> str:
        return self.reason


def _parse_int(text: str) -> int | _Unreadable:
    if len(text) > _MAX_DIGITS:
        return _Unreadable(f"a number of {len(text)} digits, out of float range")
    return int(text)


def _parse_float(text: str) -> float | _Unreadable:
    value = float(text)
    if not math.isfinite(value):
        return _Unreadable(f"{text[:20]}{'...' if len(text) > 20 else ''}, out of float range")
    return value


def _parse_constant(text: str) -> _Unreadable:
    return _Unreadable(f"{text}, which standard JSON does not allow")


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return obj


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}:]')


def _too_deep(text: str) -> str:
    """Where a document nests deeper than ``_MAX_DEPTH``: the top-level key, if any."""
    depth, key, last_string = 0, None, None
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token[0] == '"':
            last_string = token
        elif token == ":":
            if depth == 1 and last_string is not None:
                key = json.loads(last_string)
        elif token in "[{":
            depth += 1
            if depth > _MAX_DEPTH:
                break
        else:
            depth -= 1
    return f"key {key!r}" if key is not None else "the document"


def _read(path: PathLike) -> dict[str, Any]:
    """The file's JSON document, checked down to the types of its top-level keys."""
    path = _check_path(path, "load_model")
    if not stat.S_ISREG(os.stat(path).st_mode):  # opening a pipe could wait forever
        raise ModelFileError(f"{path}: not a regular file")
    with open(path, "rb") as f:
        raw = f.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise ModelFileError(f"{path}: the file is larger than a model file of at most "
                             f"{MAX_PARAMETERS:,} parameters can be ({MAX_FILE_BYTES:,} bytes)")
    if not raw.strip():
        raise ModelFileError(f"{path}: the file is empty")
    try:
        text = raw.decode("utf-8-sig")  # a byte order mark, as some editors write, is fine
    except UnicodeDecodeError:
        raise ModelFileError(f"{path}: not a model file (not UTF-8 text)") from None
    try:
        doc = json.loads(text, parse_int=_parse_int, parse_float=_parse_float,
                         parse_constant=_parse_constant, object_pairs_hook=_object)
    except json.JSONDecodeError as error:
        raise ModelFileError(
            f"{path}: not valid JSON, the file is truncated or corrupt "
            f"({error.msg} at line {error.lineno}, column {error.colno})"
        ) from None
    except RecursionError:
        raise ModelFileError(f"{path}: {_too_deep(text)} is nested more than {_MAX_DEPTH} "
                             f"levels deep; not a model file") from None
    except _DuplicateKey as error:
        raise ModelFileError(f"{path}: key {error.key!r} appears twice in one JSON object")\
            from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ModelFileError(f"{path}: not an autograd-lite model file "
                             f"(key 'format' is not {FORMAT!r})")
    version = doc.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ModelFileError(f"{path}: key 'version' must be an int >= 1, got {_text(version)}")
    if version > VERSION:
        raise ModelFileError(f"{path}: format version {version} is newer than this library "
                             f"reads ({VERSION}); upgrade autograd-lite")
    for key in ("architecture", "parameters"):
        if key not in doc:
            raise ModelFileError(f"{path}: missing key {key!r}")
        if not isinstance(doc[key], dict) and not (key == "architecture" and doc[key] is None):
            raise ModelFileError(f"{path}: key {key!r} must be a JSON object, "
                                 f"got {_json_type(doc[key])}")
    if "metadata" in doc and not isinstance(doc["metadata"], dict):
        raise ModelFileError(f"{path}: key 'metadata' must be a JSON object, "
                             f"got {_json_type(doc['metadata'])}")
    return doc


def _json_type(value: Any) -> str:
    names = {dict: "object", list: "list", str: "string", bool: "boolean", int: "number",
             float: "number", type(None): "null"}
    return names.get(type(value), "an unreadable number")


def _text(value: Any, limit: int = 60) -> str:
    """A JSON value as the file shows it, shortened."""
    if isinstance(value, _Unreadable):
        return value.reason
    text = json.dumps(value, default=repr)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _describe(arch: Mapping[str, Any]) -> str:
    fields = ", ".join(f"{k}={show(v)}" for k, v in arch.items() if k != "type")
    kind = arch.get("type")
    return f"{kind if isinstance(kind, str) else show(kind)}({fields})"


def _positive_int(path: PathLike, key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ModelFileError(f"{path}: key 'architecture.{key}' must be a positive int, "
                             f"got {_text(value)}")
    return value


def _activation(path: PathLike, key: str, value: Any) -> str:
    if not isinstance(value, str) or value not in ACTIVATIONS:
        raise ModelFileError(f"{path}: key 'architecture.{key}' must be one of "
                             f"{', '.join(ACTIVATIONS)}, got {_text(value)}")
    return value


def _mlp(path: PathLike, arch: Mapping[str, Any]) -> tuple[int, Callable[[], Module]]:
    nin = _positive_int(path, "nin", arch.get("nin"))
    nouts, activations = arch.get("nouts"), arch.get("activations")
    if not isinstance(nouts, list) or not nouts:
        raise ModelFileError(f"{path}: key 'architecture.nouts' must be a non-empty list of "
                             f"layer sizes, got {_text(nouts)}")
    sizes = [_positive_int(path, f"nouts[{i}]", n) for i, n in enumerate(nouts)]
    if not isinstance(activations, list) or len(activations) != len(sizes):
        raise ModelFileError(f"{path}: key 'architecture.activations' must list one activation "
                             f"per layer ({len(sizes)}), got {_text(activations)}")
    names = [_activation(path, f"activations[{i}]", a) for i, a in enumerate(activations)]
    fan_ins = [nin, *sizes[:-1]]
    count = sum((fan_in + 1) * n for fan_in, n in zip(fan_ins, sizes, strict=True))
    return count, lambda: MLP(nin, sizes, activation=names, **_BLANK)


def _layer(path: PathLike, arch: Mapping[str, Any]) -> tuple[int, Callable[[], Module]]:
    nin = _positive_int(path, "nin", arch.get("nin"))
    nout = _positive_int(path, "nout", arch.get("nout"))
    activation = _activation(path, "activation", arch.get("activation"))
    return (nin + 1) * nout, lambda: Layer(nin, nout, activation=activation, **_BLANK)


def _neuron(path: PathLike, arch: Mapping[str, Any]) -> tuple[int, Callable[[], Module]]:
    nin = _positive_int(path, "nin", arch.get("nin"))
    activation = _activation(path, "activation", arch.get("activation"))
    return nin + 1, lambda: Neuron(nin, activation=activation, **_BLANK)


# Zero weights, about to be overwritten; the seed keeps the global `random` untouched.
_BLANK: dict[str, Any] = {"init": 0.0, "seed": 0}

# type name -> check the architecture and return (number of parameters, how to build it)
_ARCHITECTURES: dict[str, Callable[[PathLike, Mapping[str, Any]],
                                   tuple[int, Callable[[], Module]]]] = {
    "MLP": _mlp, "Layer": _layer, "Neuron": _neuron,
}


def _build(path: PathLike, arch: Mapping[str, Any], params: Mapping[str, Any]) -> Module:
    """The model described by ``arch``, built only once its size is known to match the file
    (so a small file cannot make a huge model) and to be at most ``MAX_PARAMETERS``."""
    kind = arch.get("type")
    check = _ARCHITECTURES.get(kind) if isinstance(kind, str) else None
    if check is None:
        raise ModelFileError(f"{path}: key 'architecture.type' must be one of "
                             f"{', '.join(_ARCHITECTURES)}, got {_text(kind)}")
    count, build = check(path, arch)
    if count > MAX_PARAMETERS:
        raise ModelFileError(f"{path}: the architecture {_describe(arch)} has {count:,} "
                             f"parameters, more than this library loads ({MAX_PARAMETERS:,})")
    if count > 2 * len(params) + 1000:  # else building it to name what is missing is cheap
        raise ModelFileError(f"{path}: the parameters do not fit the architecture "
                             f"{_describe(arch)}, which has {count:,} parameters (the file "
                             f"has {len(params):,})")
    return build()


def load_model(path: PathLike) -> Module:
    """Build the model described in the file ``path`` and give it the saved parameters.

    Raises ``ModelFileError`` naming the file and the key for a file that is not valid JSON,
    not a model file, of the wrong JSON types, nested absurdly deep, with numbers that cannot
    be parameters (NaN, infinite, hundreds of digits), or whose parameters do not fit its
    architecture. The claimed sizes are checked against the file before any model is built,
    and a model above ``MAX_PARAMETERS`` is refused.
    """
    doc = _read(path)
    arch = doc["architecture"]
    if arch is None:
        raise ModelFileError(f"{path}: the file holds parameters without an architecture; "
                             f"build the model and use load_parameters()")
    model = _build(path, arch, doc["parameters"])
    _assign(path, model, doc["parameters"])
    return model


def load_parameters(model: Module, path: PathLike) -> Module:
    """Load the parameters saved in ``path`` into ``model`` (which must have the same
    architecture) and return it. Nothing changes when the file does not fit."""
    if not isinstance(model, Module):
        raise TypeError(f"load_parameters: model must be a Module, got {got(model)}")
    doc = _read(path)
    describe = getattr(model, "architecture", None)
    ours = describe() if callable(describe) else None
    theirs = doc["architecture"]
    if ours is not None and theirs is not None and ours != theirs:
        raise ModelFileError(f"{path}: the file holds {_describe(theirs)}, "
                             f"but the model is {_describe(ours)}")
    _assign(path, model, doc["parameters"])
    return model


def _assign(path: PathLike, model: Module, params: Mapping[str, Any]) -> None:
    """Check every saved parameter against ``model``, then (only then) assign them all."""
    names = [name for name, _ in model.named_parameters()]
    problems = _compare_names(names, list(params))
    if problems:
        raise ModelFileError(
            f"{path}: the parameters do not fit {model._summary()}, which has "
            f"{len(names)} parameters (the file has {len(params)}): " + "; ".join(problems))
    for name, value in params.items():
        if isinstance(value, _Unreadable):
            raise ModelFileError(f"{path}: parameter {name!r} is {value.reason}")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ModelFileError(f"{path}: parameter {name!r} must be a number, "
                                 f"got {_text(value)}")
        if isinstance(value, int) and abs(value) > _LARGEST_FLOAT:
            raise ModelFileError(f"{path}: parameter {name!r} is out of float range")
    model.load_state_dict(params)
