"""Pictures: decision boundaries (binary and multi-class) and loss curves as image files."""

import warnings

import pytest

pytest.importorskip("matplotlib")

from nn import MLP
from nn.data import moons, spirals
from nn.plots import decision_grid, plot_decision_boundary, plot_loss_curve
from nn.train import History

PNG = b"\x89PNG\r\n\x1a\n"


def test_decision_grid_scores_and_classes():
    X = [[0.0, 0.0], [1.0, 2.0]]
    xs, ys, z = decision_grid(MLP(2, [3, 1], seed=0), X, resolution=4, margin=0.5)
    assert (xs[0], xs[-1], ys[0], ys[-1]) == (-0.5, 1.5, -0.5, 2.5)
    assert len(z) == len(z[0]) == 4
    _, _, classes = decision_grid(MLP(2, [3, 3], seed=0), X, resolution=4)
    assert {v for row in classes for v in row} <= {0.0, 1.0, 2.0}


@pytest.mark.parametrize("make_data, nout", [(lambda: moons(30), 1),
                                             (lambda: spirals(30, classes=3), 3)])
def test_decision_boundary_png(tmp_path, make_data, nout):
    X, y = make_data()
    path = plot_decision_boundary(MLP(2, [4, nout], seed=0), X, y, tmp_path / "b.png",
                                  resolution=8)
    assert path.read_bytes().startswith(PNG)


def test_one_class_everywhere_draws_without_warnings(tmp_path):
    model = MLP(2, [1], seed=0)
    model.layers[0].neurons[0].b.data = 100.0  # score > 0 everywhere: no boundary line
    X, y = moons(10)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plot_decision_boundary(model, X, y, tmp_path / "b.svg", resolution=5)
    assert "<svg" in (tmp_path / "b.svg").read_text()


def test_loss_curve_png(tmp_path):
    history = History(loss=[1.0, 0.5, 0.001], accuracy=[0.5, 0.8, 1.0],
                      val_accuracy=[0.4, 0.7, 0.9])
    assert plot_loss_curve(history, tmp_path / "l.png").read_bytes().startswith(PNG)
    assert plot_loss_curve([3.0, 2.0], tmp_path / "l2.png").exists()
    with pytest.raises(ValueError, match="no losses"):
        plot_loss_curve([], tmp_path / "l3.png")


@pytest.mark.parametrize("draw", [
    lambda path: plot_loss_curve([3.0, 2.0], path),
    lambda path: plot_decision_boundary(MLP(2, [3, 1], seed=0), *moons(10), path, resolution=4),
])
def test_pictures_are_written_atomically(tmp_path, monkeypatch, draw):
    from matplotlib.figure import Figure

    path = tmp_path / "picture.png"
    path.write_bytes(b"old picture")
    real_savefig = Figure.savefig

    def savefig_then_interrupted(self, fname, **kwargs):
        real_savefig(self, fname, **kwargs)
        with open(fname, "r+b") as f:  # half written, as when Ctrl-C comes mid-write
            f.truncate(100)
        raise KeyboardInterrupt

    monkeypatch.setattr(Figure, "savefig", savefig_then_interrupted)
    with pytest.raises(KeyboardInterrupt):
        draw(path)
    assert path.read_bytes() == b"old picture"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["picture.png"]
    monkeypatch.setattr(Figure, "savefig", real_savefig)
    assert draw(path).read_bytes().startswith(PNG)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["picture.png"]


def test_the_format_follows_the_extension(tmp_path):
    assert "<svg" in plot_loss_curve([3.0, 2.0], tmp_path / "l.svg").read_text()
    assert plot_loss_curve([3.0, 2.0], tmp_path / "l.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("call, kind, message", [
    (lambda p: decision_grid(MLP(2, [1], seed=0), [[0.0, 0.0]], margin=float("nan")),
     ValueError, "margin must be a finite number >= 0, got nan"),
    (lambda p: decision_grid(MLP(2, [1], seed=0), [[0.0, float("inf")]]), ValueError,
     r"X\[0\]\[1\] must be a finite number, got inf"),
    (lambda p: decision_grid(MLP(2, [1], seed=0), [[0.0]]), ValueError,
     r"X\[0\] must be a 2-D point \[x1, x2\], got 1 number"),
    (lambda p: decision_grid(MLP(2, [1], seed=0), [[0.0, 0.0]], resolution=2.5), TypeError,
     "resolution must be an int, got 2.5"),
    (lambda p: plot_loss_curve([1.0, float("nan")], p), ValueError,
     r"loss\[1\] must be a finite number, got nan"),
    (lambda p: plot_loss_curve("abc", p), TypeError, "history must be a History or a list"),
])
def test_bad_plot_arguments_are_named(tmp_path, call, kind, message):
    with pytest.raises(kind, match=message):
        call(tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()


def test_the_decision_grid_is_the_same_traced_or_eager():
    from nn import MLP
    from nn.plots import decision_grid

    X = [[0.0, 0.0], [1.0, 2.0], [-1.0, 0.5]]
    for model in (MLP(2, [5, 1], seed=0), MLP(2, [5, 3], seed=1)):
        xs, ys, traced = decision_grid(model, X, resolution=7, traced=True)
        xs2, ys2, eager = decision_grid(model, X, resolution=7, traced=False)
        assert (xs, ys) == (xs2, ys2)
        flat = [v for row in traced for v in row]
        assert flat == pytest.approx([v for row in eager for v in row], rel=1e-12, abs=1e-12)


def _png_size(path):
    header = path.read_bytes()[16:24]  # the IHDR chunk: width, height
    return int.from_bytes(header[:4], "big"), int.from_bytes(header[4:], "big")


def _svg_texts(draw, path):
    """The words of an SVG picture, written as text rather than as glyph outlines."""
    import matplotlib
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        draw(path)
    return path.read_text()


def test_pictures_are_saved_at_a_readable_resolution(tmp_path):
    from nn.plots import DPI
    assert DPI >= 100
    X, y = moons(20)
    boundary = plot_decision_boundary(MLP(2, [3, 1], seed=0), X, y, tmp_path / "b.png",
                                      resolution=4)
    curve = plot_loss_curve([3.0, 2.0], tmp_path / "l.png")
    assert _png_size(boundary)[0] >= 5.5 * 100 and _png_size(curve) == (6 * DPI, 4 * DPI)


def test_the_decision_boundary_has_axis_labels_and_a_class_legend(tmp_path):
    X, y = moons(20)
    svg = _svg_texts(lambda path: plot_decision_boundary(MLP(2, [3, 1], seed=0), X, y, path,
                                                         resolution=4), tmp_path / "b.svg")
    for words in ("x1 (first feature)", "x2 (second feature)", "class 0", "class 1"):
        assert words in svg, words
    X, y = spirals(30, classes=3)
    svg = _svg_texts(lambda path: plot_decision_boundary(MLP(2, [3, 3], seed=0), X, y, path,
                                                         resolution=4), tmp_path / "s.svg")
    assert all(f"class {k}" in svg for k in range(3))


def test_the_loss_curve_legend_lists_loss_and_accuracy(tmp_path):
    history = History(loss=[1.0, 0.5], accuracy=[0.5, 0.8], val_accuracy=[0.4, 0.7])
    svg = _svg_texts(lambda path: plot_loss_curve(history, path), tmp_path / "l.svg")
    legend = svg[svg.index('id="legend_1"'):]
    for words in ("loss", "training accuracy", "validation accuracy"):
        assert f">{words}<" in legend, words
