"""The ``autograd-lite`` command: ``demo`` (micrograd's two-moons demo, with pictures) and
``train`` (any toy dataset, any MLP). Run ``autograd-lite --help`` for the options.

A bad option value gets argparse's one-line error and exit status 2; a failure while writing
the results gets a one-line error and status 1. Neither prints a traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from autograd_lite import Value, no_grad

from .data import DATASETS, train_test_split
from .io import atomic_write_text, save_model
from .modules import MLP, Neuron
from .optim import SGD, Adam, Optimizer
from .train import LOSSES, History, accuracy, fit, linear_decay

__all__ = ["main", "build_parser", "demo_training"]

PROG = "autograd-lite"
DEMO_OUT = "autograd-lite-demo"
TRAIN_OUT = "autograd-lite-run"


# ---------------------------------------------------------------------------------------------
# Option types: each turns the text into a value or raises ArgumentTypeError with a reason.
# ---------------------------------------------------------------------------------------------

def _int_at_least(low: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}, got {value}")
        return value

    return parse


def _float_in(low: float, high: float = math.inf, *, low_open: bool = False,
              high_open: bool = False) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        too_low = value <= low if low_open else value < low
        too_high = value >= high if high_open else value > high
        if math.isnan(value) or too_low or too_high:
            left = "(" if low_open else "["
            right = ")" if high_open or high == math.inf else "]"
            raise argparse.ArgumentTypeError(
                f"must be in {left}{low:g}, {high:g}{right}, got {text}")
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


# ---------------------------------------------------------------------------------------------
# The parser
# ---------------------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``autograd-lite`` command."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Train small neural networks built on autograd-lite's scalar autodiff.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser(
        "demo", help="train micrograd's two-moons MLP and write pictures of it",
        description="Train MLP(2, [16, 16, 1]) on 100 two-moons points, as micrograd's demo "
                    "does (hinge loss + 1e-4 L2, full-batch SGD with the learning rate decaying "
                    "from 1.0 to 0.1), print the final loss and accuracy, and write into the "
                    "output folder: decision_boundary.png, loss_curve.png, model.json and "
                    "neuron_graph.svg (the forward pass of one neuron; neuron_graph.dot when "
                    "Graphviz's dot program is missing).")
    demo.add_argument("--epochs", type=_int_at_least(1), default=50,
                      help="training epochs (default: 50; a few are enough to try it out)")
    demo.add_argument("--samples", type=_int_at_least(4), default=100,
                      help="number of two-moons points (default: 100)")
    demo.add_argument("--seed", type=int, default=0,
                      help="seed of the data and of the initial weights (default: 0)")
    demo.add_argument("--out", type=Path, default=Path(DEMO_OUT),
                      help=f"output folder, created if needed (default: {DEMO_OUT})")
    demo.add_argument("--no-progress", action="store_true",
                      help="no progress bar (it only shows on a terminal anyway)")

    train = commands.add_parser(
        "train", help="train an MLP on a toy dataset",
        description="Train an MLP on a toy 2-D dataset, report training and test accuracy, and "
                    "write model.json, history.json and (with matplotlib) loss_curve.png and "
                    "decision_boundary.png into the output folder.")
    train.add_argument("--dataset", choices=sorted(DATASETS), default="moons",
                       help="toy dataset (default: moons)")
    train.add_argument("--samples", type=_int_at_least(4), default=200,
                       help="number of points (default: 200)")
    train.add_argument("--noise", type=_float_in(0.0),
                       help="noise of the dataset (default: the dataset's own)")
    train.add_argument("--classes", type=_int_at_least(2), default=2,
                       help="number of classes, for spirals (default: 2)")
    train.add_argument("--hidden", type=_hidden_sizes, default=[16, 16],
                       help="hidden layer sizes, comma separated, or 'none' (default: 16,16)")
    train.add_argument("--activation", choices=["relu", "tanh", "sigmoid"], default="relu",
                       help="activation of the hidden layers (default: relu)")
    train.add_argument("--init", choices=["uniform", "xavier", "he"], default="uniform",
                       help="weight initialization (default: uniform, micrograd's U(-1, 1))")
    train.add_argument("--loss", choices=sorted(LOSSES),
                       help="loss (default: hinge for two classes, cross_entropy for more)")
    train.add_argument("--epochs", type=_int_at_least(1), default=100,
                       help="training epochs (default: 100)")
    train.add_argument("--lr", type=_float_in(0.0, low_open=True),
                       help="learning rate (default: 0.1 for sgd, 0.01 for adam)")
    train.add_argument("--batch-size", type=_int_at_least(0), default=0,
                       help="examples per update; 0 for the whole training set (default: 0)")
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
    train.add_argument("--out", type=Path, default=Path(TRAIN_OUT),
                       help=f"output folder, created if needed (default: {TRAIN_OUT})")
    train.add_argument("--no-progress", action="store_true", help="no progress bar")
    train.add_argument("--no-plots", action="store_true", help="do not draw the PNGs")
    return parser


# ---------------------------------------------------------------------------------------------
# Shared steps
# ---------------------------------------------------------------------------------------------

def _check_out(parser: argparse.ArgumentParser, out: Path) -> None:
    if out.exists() and not out.is_dir():
        parser.error(f"argument --out: {str(out)!r} exists and is not a folder")


def _plots(model: MLP, X: list[list[float]], y: list[Any], history: History, out: Path,
           title: str) -> list[Path]:
    """Draw the PNGs; without matplotlib, say so and draw nothing."""
    try:
        from .plots import plot_decision_boundary, plot_loss_curve
        loss_png = plot_loss_curve(history, out / "loss_curve.png", title=title)
    except ImportError as error:
        print(f"note: {error}; skipping the pictures", file=sys.stderr)
        return []
    boundary_png = plot_decision_boundary(model, X, y, out / "decision_boundary.png",
                                          title=title)
    return [boundary_png, loss_png]


def _neuron_graph(neuron: Neuron, x: Sequence[float], out: Path) -> Path | None:
    """Draw the forward (and backward) pass of a copy of ``neuron`` on the input ``x``."""
    probe = Neuron(neuron.nin, activation=neuron.activation, init=0.0, seed=0)
    probe.load_state_dict(neuron.state_dict())
    for i, w in enumerate(probe.w):
        w.label = f"w{i}"
    probe.b.label = "b"
    inputs = [Value(v, label=f"x{i}") for i, v in enumerate(x)]
    result = probe(inputs)
    result.label = "out"
    pre = result if result._op == "sum" else result._prev[0]
    if pre is not result:
        pre.label = "b + w.x"
    for i, product in enumerate(pre._prev[1:]):
        product.label = f"w{i}*x{i}"
    result.backward()
    try:
        from autograd_lite import viz
    except ImportError:
        print("note: graph drawing is not available in this installation (no autograd_lite.viz);"
              " skipping the neuron's graph", file=sys.stderr)
        return None
    try:
        return Path(viz.render(result, out / "neuron_graph.svg"))
    except viz.DotNotFoundError as error:
        path = atomic_write_text(out / "neuron_graph.dot", viz.draw_dot(result).source)
        print(f"note: wrote the neuron's graph as DOT source to {path}, not SVG: {error}",
              file=sys.stderr)
        return path


def _report(paths: Sequence[Path | None]) -> None:
    for path in paths:
        if path is not None:
            print(f"wrote {path}")


# ---------------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------------

def demo_training(epochs: int = 50, samples: int = 100, seed: int = 0,
                  progress: bool | None = False
                  ) -> tuple[MLP, list[list[float]], list[int], History]:
    """The demo's training, micrograd's recipe: ``MLP(2, [16, 16, 1])`` on two moons (noise
    0.1), hinge loss + 1e-4 L2, full-batch SGD with the learning rate going from 1.0 to 0.1.

    Returns ``(model, X, y, history)``.
    """
    from .data import moons

    X, y = moons(samples, noise=0.1, seed=seed)
    model = MLP(2, [16, 16, 1], seed=seed)
    history = fit(model, X, y, loss="hinge", l2=1e-4,
                  optimizer=SGD(model.parameters(), lr=1.0),
                  lr_schedule=linear_decay(1.0, 0.1, epochs), epochs=epochs, progress=progress)
    return model, X, y, history


def _demo(args: argparse.Namespace) -> int:
    out: Path = args.out
    print(f"training MLP(2, [16, 16, 1]) (337 parameters) on {args.samples} two-moons points, "
          f"{args.epochs} epochs, seed {args.seed}")
    model, X, y, history = demo_training(args.epochs, args.samples, args.seed,
                                         progress=False if args.no_progress else None)
    acc = accuracy(model, X, y)
    print(f"final loss {history.loss[-1]:.4f}, training accuracy {acc:.1%}")
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path | None] = [save_model(model, out / "model.json", metadata={
        "command": "demo", "dataset": "moons", "samples": len(X), "noise": 0.1,
        "seed": args.seed, "epochs": args.epochs, "loss": history.loss[-1],
        "training_accuracy": acc})]
    written += _plots(model, X, y, history, out, f"two moons: {acc:.0%} training accuracy")
    neuron = model.layers[0].neurons[0]
    with no_grad():  # a point where the neuron is active, so its gradients are not all 0
        point = next((x for x in X if neuron(x).data > 0.0), X[0])
    written.append(_neuron_graph(neuron, point, out))
    _report(written)
    return 0


def _make_optimizer(args: argparse.Namespace, model: MLP) -> Optimizer:
    if args.optimizer == "adam":
        return Adam(model.parameters(), lr=args.lr if args.lr is not None else 0.01)
    return SGD(model.parameters(), lr=args.lr if args.lr is not None else 0.1,
               momentum=args.momentum)


def _train(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    classes = args.classes if args.dataset == "spirals" else 2
    if args.classes != 2 and args.dataset != "spirals":
        parser.error(f"argument --classes: only spirals has a choice of classes, "
                     f"not {args.dataset}")
    loss = args.loss or ("hinge" if classes == 2 else "cross_entropy")
    if classes > 2 and loss != "cross_entropy":
        parser.error(f"argument --loss: {classes} classes need cross_entropy, not {loss}")
    if args.momentum and args.optimizer != "sgd":
        parser.error("argument --momentum: only the sgd optimizer has momentum")
    options: dict[str, Any] = {"seed": args.seed}
    if args.noise is not None:
        options["noise"] = args.noise
    if args.dataset == "spirals":
        options["classes"] = classes
    X, y = DATASETS[args.dataset](args.samples, **options)
    X_train, X_test, y_train, y_test = train_test_split(X, y, args.test_fraction, seed=args.seed)

    nout = classes if loss == "cross_entropy" else 1
    model = MLP(2, [*args.hidden, nout], activation=args.activation, init=args.init,
                seed=args.seed)
    optimizer = _make_optimizer(args, model)
    print(f"training {model._summary()} on {len(X_train)} {args.dataset} points "
          f"({len(X_test)} held out): {loss} loss, {optimizer!r}, {args.epochs} epochs")
    history = fit(model, X_train, y_train, loss=loss, optimizer=optimizer, epochs=args.epochs,
                  batch_size=args.batch_size or None, l2=args.l2, seed=args.seed,
                  progress=False if args.no_progress else None)
    train_acc = accuracy(model, X_train, y_train)
    test_acc = accuracy(model, X_test, y_test)
    print(f"final loss {history.loss[-1]:.4f}, training accuracy {train_acc:.1%}, "
          f"test accuracy {test_acc:.1%}")

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    settings = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}
    written: list[Path | None] = [
        save_model(model, out / "model.json", metadata={
            "command": "train", "settings": settings, "loss": loss,
            "training_accuracy": train_acc, "test_accuracy": test_acc}),
        atomic_write_text(out / "history.json", json.dumps(vars(history), indent=1) + "\n"),
    ]
    if not args.no_plots:
        written += _plots(model, X, y, history, out,
                          f"{args.dataset}: {test_acc:.0%} test accuracy")
    _report(written)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``autograd-lite`` command with ``argv`` (default: the process's arguments) and
    return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    _check_out(parser, args.out)
    try:
        if args.command == "demo":
            return _demo(args)
        return _train(parser, args)
    except OSError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
