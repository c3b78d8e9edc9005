"""The ``autograd-lite`` command: ``demo`` (micrograd's two-moons demo, with pictures),
``train`` (any toy dataset, any MLP) and ``exercises`` (the notebooks' exercises; ``--check
FILE`` checks a file of answers). Run ``autograd-lite --help`` for the options and
``autograd-lite --version`` for the version.

What it promises:

- Every error is one line, ``autograd-lite train: error: ...``, never a traceback. Bad or
  conflicting options exit with status 2 (as argparse does); a run that fails exits with 1:
  the output folder cannot be written (checked before training starts), or the loss stops
  being a finite number (training stops at once and nothing is written).
- A run writes all its files (``model.json``, ``history.json``, the PNGs, the graph) or
  none: each goes to a temporary file in the output folder first, and only when all are
  written are they renamed into place; a failure or an interruption removes the temporaries
  (and an output folder the run made, if left empty), and any older copy is unchanged. A
  temporary left by a killed run (``kill -9``) is removed by the next run in that folder.
  Every JSON file is standard JSON (no ``NaN`` or ``Infinity``).
- Ctrl-C stops the run with status 130, and SIGTERM with 143, and one line saying that
  nothing was written; once the files are renamed into place the run completes normally.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import itertools
import json
import math
import signal
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

from autograd_lite import no_grad

from ._checks import range_text
from .data import DATASETS, train_test_split
from .io import (
    MAX_PARAMETERS,
    _all_or_nothing,
    _remove_stale_temporaries,
    atomic_path,
    atomic_write_text,
    save_model,
)
from .modules import MLP, Neuron
from .optim import SGD, Adam, NonFiniteError, Optimizer
from .train import LOSSES, History, accuracy, fit, linear_decay

__all__ = ["main", "build_parser", "demo_training", "package_version"]

PROG = "autograd-lite"
DEMO_OUT = "autograd-lite-demo"
TRAIN_OUT = "autograd-lite-run"
MAX_SAMPLES = 1_000_000  # a scalar engine needs hours per epoch long before this


def package_version() -> str:
    """The version of autograd-lite: the installed distribution's, else the package's own
    ``autograd_lite.__version__`` (when running from a source tree that is not installed).

    >>> import autograd_lite
    >>> package_version() == autograd_lite.__version__
    True
    """
    try:
        return importlib.metadata.version("autograd-lite")
    except importlib.metadata.PackageNotFoundError:
        from autograd_lite import __version__

        return __version__


# ---------------------------------------------------------------------------------------------
# Option types: each turns the text into a value or raises ArgumentTypeError with a reason.
# ---------------------------------------------------------------------------------------------

def _int_in(low: int, high: int | None = None) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}, got {value}")
        if high is not None and value > high:
            raise argparse.ArgumentTypeError(f"must be at most {high:,}, got {value:,}")
        return value

    return parse


def _float_in(low: float, high: float | None = None, *, low_open: bool = False,
              high_open: bool = False) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        too_low = value <= low if low_open else value < low
        too_high = high is not None and (value >= high if high_open else value > high)
        if not math.isfinite(value) or too_low or too_high:
            raise argparse.ArgumentTypeError(
                f"must be a finite number{range_text(low, high, low_open, high_open)}, "
                f"got {text}")
        return value

    return parse


def _hidden_sizes(text: str) -> list[int]:
    if text.strip().lower() in ("", "none"):
        return []
    try:
        sizes = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected layer sizes separated by commas, like 16,16; got {text!r}") from None
    if any(n < 1 for n in sizes):
        raise argparse.ArgumentTypeError(f"layer sizes must be positive, got {text!r}")
    return sizes


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors on one line: ``autograd-lite train: error: ...``."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


# ---------------------------------------------------------------------------------------------
# The parser
# ---------------------------------------------------------------------------------------------

_EAGER_HELP = ("train with the eager engine, a Value graph per batch, instead of the traced "
               "mode (autograd_lite.jit) that is used when NumPy is installed: the same "
               "numbers, slower")


def _traced(args: argparse.Namespace) -> bool | None:
    """``traced`` for fit, accuracy and the plots: False with --eager, else when available."""
    return False if args.eager else None


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``autograd-lite`` command."""
    parser = _Parser(
        prog=PROG,
        description="Train small neural networks built on autograd-lite's scalar autodiff.")
    parser.add_argument("--version", action="version", version=f"{PROG} {package_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser(
        "demo", help="train micrograd's two-moons MLP and write pictures of it",
        description="Train MLP(2, [16, 16, 1]) on 100 two-moons points, as micrograd's demo "
                    "does (hinge loss + 1e-4 L2, full-batch SGD with the learning rate decaying "
                    "from 1.0 to 0.1), print the final loss and accuracy, and write into the "
                    "output folder: decision_boundary.png, loss_curve.png, model.json and "
                    "neuron_graph.svg (the forward pass of one neuron; neuron_graph.dot when "
                    "nothing can render) and backprop.html (backpropagation through that "
                    "neuron, step by step, in a browser).")
    demo.add_argument("--epochs", type=_int_in(1), default=50,
                      help="training epochs (default: 50; a few are enough to try it out)")
    demo.add_argument("--samples", type=_int_in(4, MAX_SAMPLES), default=100,
                      help="number of two-moons points (default: 100)")
    demo.add_argument("--seed", type=int, default=0,
                      help="seed of the data and of the initial weights (default: 0)")
    demo.add_argument("--out", type=_out_folder, default=Path(DEMO_OUT),
                      help=f"output folder, created if needed (default: {DEMO_OUT})")
    demo.add_argument("--eager", action="store_true", help=_EAGER_HELP)
    demo.add_argument("--no-progress", action="store_true",
                      help="no progress bar (it only shows on a terminal anyway)")

    train = commands.add_parser(
        "train", help="train an MLP on a toy dataset",
        description="Train an MLP on a toy 2-D dataset, report training and test accuracy, and "
                    "write model.json, history.json and (with matplotlib) loss_curve.png and "
                    "decision_boundary.png into the output folder.")
    train.add_argument("--dataset", choices=sorted(DATASETS), default="moons",
                       help="toy dataset (default: moons)")
    train.add_argument("--samples", type=_int_in(4, MAX_SAMPLES), default=200,
                       help="number of points (default: 200)")
    train.add_argument("--noise", type=_float_in(0.0),
                       help="noise of the dataset (default: the dataset's own)")
    train.add_argument("--classes", type=_int_in(2), default=2,
                       help="number of classes, for spirals (default: 2)")
    train.add_argument("--hidden", type=_hidden_sizes, default=[16, 16],
                       help="hidden layer sizes, comma separated, or 'none' (default: 16,16)")
    train.add_argument("--activation", choices=["relu", "tanh", "sigmoid"], default="relu",
                       help="activation of the hidden layers (default: relu)")
    train.add_argument("--init", choices=["uniform", "xavier", "he"], default="uniform",
                       help="weight initialization (default: uniform, micrograd's U(-1, 1))")
    train.add_argument("--loss", choices=sorted(LOSSES),
                       help="loss (default: hinge for two classes, cross_entropy for more)")
    train.add_argument("--epochs", type=_int_in(1), default=100,
                       help="training epochs (default: 100)")
    train.add_argument("--lr", type=_float_in(0.0, low_open=True),
                       help="learning rate (default: 0.1 for sgd, 0.01 for adam)")
    train.add_argument("--batch-size", type=_int_in(0), default=0,
                       help="examples per update; 0 (or more than the training set) for the "
                            "whole training set (default: 0)")
    train.add_argument("--optimizer", choices=["sgd", "adam"], default="sgd",
                       help="optimizer (default: sgd)")
    train.add_argument("--momentum", type=_float_in(0.0, 1.0, high_open=True), default=0.0,
                       help="SGD momentum (default: 0)")
    train.add_argument("--l2", type=_float_in(0.0), default=1e-4,
                       help="L2 penalty alpha * sum(p*p) (default: 1e-4)")
    train.add_argument("--test-fraction", type=_float_in(0.0, 1.0, low_open=True,
                                                         high_open=True), default=0.25,
                       help="share of the points held out for testing (default: 0.25)")
    train.add_argument("--seed", type=int, default=0,
                       help="seed of the data, the split, the weights and the shuffling "
                            "(default: 0)")
    train.add_argument("--out", type=_out_folder, default=Path(TRAIN_OUT),
                       help=f"output folder, created if needed (default: {TRAIN_OUT})")
    train.add_argument("--no-progress", action="store_true", help="no progress bar")
    train.add_argument("--eager", action="store_true", help=_EAGER_HELP)
    train.add_argument("--no-plots", action="store_true", help="do not draw the PNGs")

    exercises = commands.add_parser(
        "exercises", help="list the notebooks' exercises, or check a file of answers",
        description="List the exercises at the end of the notebooks (id, notebook, title and "
                    "the name an answer goes under), or, with --check, run a Python file of "
                    "answers and check each answer it defines. The exit status is 0 when "
                    "every answer the file gives is right.")
    exercises.add_argument("--check", metavar="FILE", type=Path,
                           help="run the Python file FILE and check the answers it defines "
                                "(it is run as it is: run files you do not trust in a sandbox)")
    return parser


# ---------------------------------------------------------------------------------------------
# A run: what it has done so far, so that an interruption or a failure can say what was kept
# ---------------------------------------------------------------------------------------------

class _RunError(Exception):
    """A run failed for a reason outside the options (exit status 1); one line for the user."""


class _Run:
    """The state of one command: its phase, the files written and those still to come."""

    def __init__(self) -> None:
        self.prog = PROG
        self.phase = "starting"
        self.epoch, self.epochs = 0, 0
        self.out: Path | None = None
        self.created: list[Path] = []  # folders this run made (removed again if left empty)
        self.written: list[Path] = []
        self.pending: list[str] = []
        self.renamed: list[Path] = []  # files already in place when a rename failed

    def prepare_out(self, out: Path) -> None:
        """Make the output folder and make sure a file can be created in it, before any
        training, so that a run cannot fail only at its end."""
        self.out = out
        missing = []
        folder = out
        while not folder.exists() and folder != folder.parent:
            missing.append(folder)
            folder = folder.parent
        if not folder.is_dir():
            raise _RunError(f"cannot write to the output folder {str(out)!r}: {str(folder)!r} "
                            f"is a file, not a folder")
        try:
            out.mkdir(parents=True, exist_ok=True)
            self.created = [f for f in reversed(missing) if f.is_dir()]
            _remove_stale_temporaries(out)
            with tempfile.TemporaryFile(dir=out):
                pass
        except OSError as error:
            self.remove_empty_folders()
            named = None if error.filename is None else str(error.filename)
            where = f" ({named})" if named not in (None, str(out)) else ""
            raise _RunError(f"cannot write to the output folder {str(out)!r}: "
                            f"{error.strerror or error}{where}") from None

    def remove_empty_folders(self) -> None:
        for folder in reversed(self.created):
            with contextlib.suppress(OSError):
                folder.rmdir()  # only if empty: never removes anything a user put there
        self.created = []

    def will_write(self, *names: str) -> None:
        self.phase = "writing"
        self.pending = list(names)

    def wrote(self, path: Path | None, name: str | None = None) -> None:
        if path is not None:
            self.written.append(path)
        name = name or (path.name if path is not None else None)
        if name in self.pending:
            self.pending.remove(name)

    def kept(self) -> str:
        """What the run leaves behind, for the interruption message."""
        if self.phase in ("starting", "training"):
            where = f" to {str(self.out)!r}" if self.out is not None else ""
            when = (f" during training, after {self.epoch} of {self.epochs} epochs"
                    if self.phase == "training" else " before training")
            return f"{when}; nothing was written{where}"
        if self.phase == "done":
            kept = ", ".join(str(p) for p in self.written) or "nothing"
            return f" after writing everything: {kept}"
        if self.renamed:  # a rename into place failed (rare: the writing itself succeeded)
            missing = [p.name for p in self.written if p not in self.renamed]
            return (f" while moving the results into place; wrote "
                    f"{', '.join(str(p) for p in self.renamed)}; not written: "
                    f"{', '.join(missing)} (any older copy is unchanged)")
        # all or nothing: the files written so far are temporaries, and they are removed
        return (f" while writing the results; nothing was written to {str(self.out)!r} (any "
                f"older copy is unchanged)")


class _Interrupts:
    """Ctrl-C (and SIGTERM) handling that cannot be lost.

    The first SIGINT or SIGTERM raises ``KeyboardInterrupt`` as usual, and is also counted:
    Python drops an exception raised inside a ``__del__`` or a callback (it only prints
    "Exception ignored in ..."), so the run checks the count at every epoch and before every
    file, and at the end. While the interruption is being reported, or the written files are
    being renamed into place, further signals are only counted. ``signum`` is the first one.
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM)
    entered = False  # whether a run has taken over the signals (see ``console``)

    def __init__(self) -> None:
        self.count = 0
        self.signum = signal.SIGINT
        self.reporting = False
        self._previous: dict[int, Any] = {}

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if not self.count:
            self.signum = signal.Signals(signum)
        self.count += 1
        if not self.reporting:
            raise KeyboardInterrupt

    def status(self) -> tuple[int, str]:
        """The exit status and the word for the interruption: 130 interrupted (SIGINT), 143
        terminated (SIGTERM)."""
        if self.signum == signal.SIGTERM:
            return 128 + signal.SIGTERM, "terminated"
        return 130, "interrupted"

    def check(self) -> None:
        if self.count:
            raise KeyboardInterrupt

    def __enter__(self) -> _Interrupts:
        _Interrupts.entered = True
        for signum in self.SIGNALS:
            if signal.getsignal(signum) is signal.SIG_IGN:
                continue  # ignored by whoever started us (a background job of a shell): keep it
            with contextlib.suppress(ValueError):  # not the main thread: keep Python's handling
                self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, previous in self._previous.items():
            signal.signal(signum, previous)
        self._previous = {}


# ---------------------------------------------------------------------------------------------
# Shared steps
# ---------------------------------------------------------------------------------------------

def _out_folder(text: str) -> Path:
    """``--out``'s folder; an empty one is refused, since ``Path("")`` is the current folder
    and an unset shell variable (``--out "$DIR"``) would overwrite the files there."""
    if not text.strip():
        raise argparse.ArgumentTypeError(
            f"{text!r} is empty; give a folder (use '.' for the current one)")
    return Path(text)


def _check_out(parser: argparse.ArgumentParser, out: Path) -> None:
    if out.exists() and not out.is_dir():
        parser.error(f"argument --out: {str(out)!r} exists and is not a folder")


def _json(data: Any) -> str:
    return json.dumps(data, indent=1, allow_nan=False) + "\n"  # standard JSON only


def _diverged(error: NonFiniteError, epochs: int, advice: str) -> _RunError:
    what = (f"the loss became {error.loss!r}" if error.loss is not None
            else "an update was no longer a finite number")
    when = f" at epoch {error.epoch} of {epochs}" if error.epoch is not None else ""
    return _RunError(f"{what}{when}, so training stopped and nothing was written; {advice}")


def _train_model(run: _Run, interrupts: _Interrupts, model: MLP, X: list[list[float]],
                 y: list[Any], **fit_options: Any) -> History:
    """``fit``, keeping ``run`` informed of the epoch; a non-finite loss ends the run."""
    run.phase, run.epoch, run.epochs = "training", 0, fit_options["epochs"]

    def after_epoch(epoch: int, history: History) -> None:
        run.epoch = epoch + 1
        interrupts.check()

    try:
        history = fit(model, X, y, callback=after_epoch, **fit_options)
    except NonFiniteError as error:
        if error.loss is not None and error.steps == 0:  # before any update: not the lr
            advice = ("the settings make even the first loss overflow, whatever the "
                      "learning rate (see --l2, --noise)")
        else:
            advice = f"a smaller --lr than {fit_options['optimizer'].lr:g} usually helps"
        raise _diverged(error, run.epochs, advice) from None
    interrupts.check()
    return history


def _plots(run: _Run, interrupts: _Interrupts, model: MLP, X: list[list[float]],
           y: list[Any], history: History, out: Path, title: str, traced: bool | None
           ) -> None:
    """Draw the PNGs; without matplotlib, say so and draw nothing."""
    try:
        from .plots import plot_decision_boundary, plot_loss_curve, require_matplotlib

        require_matplotlib()
    except ImportError as error:
        print(f"note: {error}; skipping the pictures", file=sys.stderr)
        run.wrote(None, "loss_curve.png")
        run.wrote(None, "decision_boundary.png")
        return
    interrupts.check()
    run.wrote(plot_loss_curve(history, out / "loss_curve.png", title=title))
    interrupts.check()
    run.wrote(plot_decision_boundary(model, X, y, out / "decision_boundary.png", title=title,
                                     traced=traced))


def _neuron_graph(neuron: Neuron, x: Sequence[float], out: Path) -> Path | None:
    """Draw the forward (and backward) pass of a copy of ``neuron`` on the input ``x``."""
    from .stepthrough import labelled_copy

    result = labelled_copy(neuron, x)
    result.backward()
    try:
        from autograd_lite import viz
    except ImportError:
        print("note: graph drawing is not available in this installation (no autograd_lite.viz);"
              " skipping the neuron's graph", file=sys.stderr)
        return None
    path = out / "neuron_graph.svg"
    try:
        with atomic_path(path) as tmp:
            viz.render(result, tmp)
        return path
    except viz.DotNotFoundError as error:
        path = atomic_write_text(out / "neuron_graph.dot", viz.draw_dot(result).source)
        print(f"note: wrote the neuron's graph as DOT source to {path}, not SVG: {error}",
              file=sys.stderr)
        return path


_HOW_TO_OPEN = {
    ".json": "text; load a model with nn.load_model(path)",
    ".png": "open it in an image viewer or a web browser",
    ".svg": "open it in a web browser",
    ".dot": "Graphviz source; render it with dot -Tsvg, or paste it into any DOT viewer",
    ".html": "open it in a web browser (no network needed): step with the buttons or the "
             "left and right arrow keys",
}


def _neuron_stepthrough(neuron: Neuron, x: Sequence[float], out: Path) -> Path | None:
    """The step-through page of backpropagation through a copy of ``neuron`` at ``x``."""
    try:
        from autograd_lite.viz import DotNotFoundError

        from .stepthrough import save_neuron_stepthrough
    except ImportError:
        print("note: graph drawing is not available in this installation; skipping "
              "backprop.html", file=sys.stderr)
        return None
    try:
        return save_neuron_stepthrough(neuron, x, out / "backprop.html")
    except DotNotFoundError as error:
        print(f"note: backprop.html not written: {error}", file=sys.stderr)
        return None


def _report(paths: Sequence[Path]) -> None:
    for path in paths:
        hint = _HOW_TO_OPEN.get(path.suffix)
        print(f"wrote {path}" + (f" ({hint})" if hint else ""))


# ---------------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------------

def demo_training(epochs: int = 50, samples: int = 100, seed: int = 0,
                  progress: bool | None = False,
                  callback: Callable[[int, History], None] | None = None,
                  traced: bool | None = None
                  ) -> tuple[MLP, list[list[float]], list[int], History]:
    """The demo's training, micrograd's recipe: ``MLP(2, [16, 16, 1])`` on two moons (noise
    0.1), hinge loss + 1e-4 L2, full-batch SGD with the learning rate going from 1.0 to 0.1.
    ``traced`` is ``fit``'s (the traced mode when NumPy is installed).

    Returns ``(model, X, y, history)``.
    """
    from .data import moons

    X, y = moons(samples, noise=0.1, seed=seed)
    model = MLP(2, [16, 16, 1], seed=seed)
    history = fit(model, X, y, loss="hinge", l2=1e-4,
                  optimizer=SGD(model.parameters(), lr=1.0),
                  lr_schedule=linear_decay(1.0, 0.1, epochs), epochs=epochs, progress=progress,
                  callback=callback, traced=traced)
    return model, X, y, history


def _demo(run: _Run, interrupts: _Interrupts, args: argparse.Namespace) -> int:
    out: Path = args.out
    run.prepare_out(out)
    print(f"training MLP(2, [16, 16, 1]) (337 parameters) on {args.samples} two-moons points, "
          f"{args.epochs} epochs, seed {args.seed}", flush=True)
    run.phase, run.epochs = "training", args.epochs

    def after_epoch(epoch: int, history: History) -> None:
        run.epoch = epoch + 1
        interrupts.check()

    try:
        model, X, y, history = demo_training(args.epochs, args.samples, args.seed,
                                             progress=False if args.no_progress else None,
                                             callback=after_epoch, traced=_traced(args))
    except NonFiniteError as error:  # not with the demo's settings, but never a traceback
        raise _diverged(error, args.epochs, "try another --seed") from None
    interrupts.check()
    acc = accuracy(model, X, y, traced=_traced(args))
    print(f"final loss {history.loss[-1]:.4f}, training accuracy {acc:.1%}", flush=True)
    run.will_write("model.json", "loss_curve.png", "decision_boundary.png", "neuron_graph.svg",
                   "backprop.html")
    run.wrote(save_model(model, out / "model.json", metadata={
        "command": "demo", "dataset": "moons", "samples": len(X), "noise": 0.1,
        "seed": args.seed, "epochs": args.epochs, "loss": history.loss[-1],
        "training_accuracy": acc}))
    _plots(run, interrupts, model, X, y, history, out,
           f"two moons: {acc:.0%} training accuracy", _traced(args))
    interrupts.check()
    neuron = model.layers[0].neurons[0]
    with no_grad():  # a point where the neuron is active, so its gradients are not all 0
        point = next((x for x in X if neuron(x).data > 0.0), X[0])
    run.wrote(_neuron_graph(neuron, point, out), "neuron_graph.svg")
    interrupts.check()
    run.wrote(_neuron_stepthrough(neuron, point, out), "backprop.html")
    return 0


def _make_optimizer(args: argparse.Namespace, model: MLP) -> Optimizer:
    if args.optimizer == "adam":
        return Adam(model.parameters(), lr=args.lr if args.lr is not None else 0.01)
    return SGD(model.parameters(), lr=args.lr if args.lr is not None else 0.1,
               momentum=args.momentum)


def _check_train_options(parser: argparse.ArgumentParser, args: argparse.Namespace
                         ) -> tuple[int, str]:
    """Options that cannot work together end here, before any work: ``(classes, loss)``."""
    classes = args.classes if args.dataset == "spirals" else 2
    if args.classes != 2 and args.dataset != "spirals":
        parser.error(f"argument --classes: only spirals has a choice of classes, "
                     f"not {args.dataset}")
    if classes > args.samples:
        parser.error(f"argument --classes: {classes} spiral arms need at least {classes} "
                     f"points, but --samples is {args.samples}")
    loss = args.loss or ("hinge" if classes == 2 else "cross_entropy")
    if classes > 2 and loss != "cross_entropy":
        parser.error(f"argument --loss: {classes} classes need cross_entropy, not {loss}")
    if args.momentum and args.optimizer != "sgd":
        parser.error("argument --momentum: only the sgd optimizer has momentum")
    nout = classes if loss == "cross_entropy" else 1
    sizes = [2, *args.hidden, nout]
    count = sum((a + 1) * b for a, b in itertools.pairwise(sizes))
    if count > MAX_PARAMETERS:
        parser.error(f"argument --hidden: MLP(2, {sizes[1:]}) would have {count:,} parameters; "
                     f"this command trains at most {MAX_PARAMETERS:,}")
    return classes, loss


def _train(run: _Run, interrupts: _Interrupts, parser: argparse.ArgumentParser,
           args: argparse.Namespace) -> int:
    classes, loss = _check_train_options(parser, args)
    options: dict[str, Any] = {"seed": args.seed}
    if args.noise is not None:
        options["noise"] = args.noise
    if args.dataset == "spirals":
        options["classes"] = classes
    try:
        X, y = DATASETS[args.dataset](args.samples, **options)
    except ValueError as error:  # a noise so large the points overflow
        parser.error(f"cannot make the {args.dataset} dataset: {error}")
    X_train, X_test, y_train, y_test = train_test_split(X, y, args.test_fraction, seed=args.seed)
    out: Path = args.out
    run.prepare_out(out)

    nout = classes if loss == "cross_entropy" else 1
    model = MLP(2, [*args.hidden, nout], activation=args.activation, init=args.init,
                seed=args.seed)
    optimizer = _make_optimizer(args, model)
    print(f"training {model._summary()} on {len(X_train)} {args.dataset} points "
          f"({len(X_test)} held out): {loss} loss, {optimizer!r}, {args.epochs} epochs",
          flush=True)
    history = _train_model(run, interrupts, model, X_train, y_train, loss=loss,
                           optimizer=optimizer, epochs=args.epochs,
                           batch_size=args.batch_size or None, l2=args.l2, seed=args.seed,
                           progress=False if args.no_progress else None,
                           traced=_traced(args))
    train_acc = accuracy(model, X_train, y_train, traced=_traced(args))
    test_acc = accuracy(model, X_test, y_test, traced=_traced(args))
    print(f"final loss {history.loss[-1]:.4f}, training accuracy {train_acc:.1%}, "
          f"test accuracy {test_acc:.1%}", flush=True)

    settings = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}
    pictures = [] if args.no_plots else ["loss_curve.png", "decision_boundary.png"]
    run.will_write("model.json", "history.json", *pictures)
    run.wrote(save_model(model, out / "model.json", metadata={
        "command": "train", "settings": settings, "loss": loss,
        "training_accuracy": train_acc, "test_accuracy": test_acc}))
    interrupts.check()
    run.wrote(atomic_write_text(out / "history.json", _json(vars(history))))
    if not args.no_plots:
        _plots(run, interrupts, model, X, y, history, out,
               f"{args.dataset}: {test_acc:.0%} test accuracy", _traced(args))
    return 0


def _run(run: _Run, interrupts: _Interrupts, argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    run.prog = f"{PROG} {args.command}"
    command_parser = _subparser(parser, args.command)
    if args.command == "exercises":
        return _exercises(command_parser, args)
    _check_out(command_parser, args.out)
    with _all_or_nothing() as run.renamed:  # every file goes to a temporary until the end
        if args.command == "demo":
            status = _demo(run, interrupts, args)
        else:
            status = _train(run, interrupts, command_parser, args)
        interrupts.check()
        # from here a signal is only counted: the renames into place are not cut short
        interrupts.reporting = True
    run.phase = "done"
    _report(run.written)
    return status


def _exercises(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """``autograd-lite exercises``: the catalogue, or ``--check FILE``'s results and score."""
    from autograd_lite import exercises

    catalogue = exercises.catalogue()
    if args.check is None:
        rows = [("id", "notebook", "title", "answer"),
                *((e.id, e.notebook, e.title, e.answer) for e in catalogue)]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        for *cells, answer in rows:
            print("  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))
                  + "  " + answer)
        print(f"\n{len(catalogue)} exercises. Check a file that defines answers under these "
              f"names with: {PROG} exercises --check FILE")
        return 0
    if not args.check.is_file():
        parser.error(f"no such file: {args.check}")
    try:
        results = exercises.check_file(args.check)
    except exercises.AnswersFileError as error:
        raise _RunError(f"{error}; nothing was checked") from None
    answered = [r for r in results if r.answered]
    for result in answered:
        print(result)
    blank = [r.exercise_id for r in results if not r.answered]
    if blank:
        print(f"not answered: {', '.join(blank)}")
    right = sum(map(bool, results))
    print(f"score: {right} of {len(results)} right ({len(answered)} answered)")
    return 0 if right == len(answered) else 1


def _subparser(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            sub: argparse.ArgumentParser = action.choices[name]
            return sub
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``autograd-lite`` command with ``argv`` (default: the process's arguments) and
    return its exit status: 0 done, 1 failed, 2 bad options, 130 interrupted."""
    run = _Run()
    interrupts = _Interrupts()
    try:
        with interrupts:
            try:
                return _run(run, interrupts, argv)
            except KeyboardInterrupt:
                interrupts.reporting = True  # a second Ctrl-C must not cut this report short
                run.remove_empty_folders()  # only those it made and left empty
                status, word = interrupts.status()
                print(f"{run.prog}: {word}{run.kept()}", file=sys.stderr)
                return status
            except _RunError as error:
                run.remove_empty_folders()
                print(f"{run.prog}: error: {error}", file=sys.stderr)
                return 1
            except OSError as error:
                run.remove_empty_folders()
                message = run.kept()[1:] if run.phase == "writing" else ""
                print(f"{run.prog}: error: {error}{'; ' + message if message else ''}",
                      file=sys.stderr)
                return 1
    except KeyboardInterrupt:  # between two statements above: still say it, still 130
        status, word = interrupts.status()
        print(f"{run.prog}: {word}", file=sys.stderr)
        return status


def console() -> int:
    """The console entry point: ``main``, made safe at its edges. A signal that comes after
    ``main`` has finished (its files are written by then) is ignored, so the run completes
    normally rather than ending in a traceback or a death by signal while Python exits; one
    that comes before ``main`` takes over signals ends the run with one line."""
    _Interrupts.entered = False

    def late(signum: int, frame: FrameType | None) -> None:
        # once main has taken over the signals, it has handled any that mattered by the time
        # this handler is back: the run has said what it did and returns its status
        if not _Interrupts.entered:
            raise KeyboardInterrupt

    for signum in _Interrupts.SIGNALS:
        if signal.getsignal(signum) is not signal.SIG_IGN:  # an ignored signal stays ignored
            with contextlib.suppress(ValueError):  # not the main thread
                signal.signal(signum, late)
    status: int | None = None
    with contextlib.suppress(KeyboardInterrupt):
        status = main()
    if status is None:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    return status


if __name__ == "__main__":
    sys.exit(console())
