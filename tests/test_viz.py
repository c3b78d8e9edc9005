"""Drawing graphs: the DOT source, layouts that fit, rendering with nothing but pip packages,
and the one-line error that says what to install."""

import re
import shutil
import struct
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET

import graphviz
import pytest

from autograd_lite import Value
from autograd_lite.engine import OPS, reverse_topological_order
from autograd_lite.viz import (
    DEFAULT_MAX_HEIGHT,
    DEFAULT_MAX_NODES,
    DEFAULT_MAX_WIDTH,
    DotNotFoundError,
    Drawing,
    GraphTooLargeError,
    UnreadableDrawingWarning,
    animate_backward,
    dot_source,
    draw_dot,
    render,
    show,
)
from autograd_lite.viz import renderers as render_module
from autograd_lite.viz.renderers import available_renderers, render_source, renderer_name

SVG = "{http://www.w3.org/2000/svg}"


def neuron():
    """micrograd's example neuron: o = tanh(x1*w1 + x2*w2 + b), every node labelled."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    s = x1w1 + x2w2
    s.label = "x1*w1 + x2*w2"
    n = s + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o


def op_node_names(source):
    return re.findall(r"^\s*(n\d+op) \[", source, flags=re.M)


def chain(n):
    x = Value(0.5, label="x")
    y = x
    for _ in range(n):
        y = y * 1.0001
    return y


# --- DOT source ------------------------------------------------------------------------------

def test_source_shows_every_label_data_and_grad_and_one_op_node_per_op():
    o = neuron()
    o.backward()
    source = draw_dot(o).source
    nodes = reverse_topological_order(o)
    for node in nodes:
        assert node.label in source
        assert f"data {node.data:.4f}" in source
        assert f"grad {node.grad:.4f}" in source
    ops = [node for node in nodes if node._op]
    assert len(op_node_names(source)) == len(ops) == 5
    assert len(set(op_node_names(source))) == len(ops)


def test_each_value_is_a_record_and_each_op_a_small_oval_feeding_it():
    x = Value(1.5, label="x")
    y = (x * x).exp()
    source = draw_dot(y).source
    assert source.count("shape=record") == 3
    assert source.count("shape=ellipse") == 2
    assert re.search(r"n0op -> n0\b", source)
    # x is used twice by one op: two edges, so the drawing shows x * x, not x alone
    assert len(re.findall(r"n2 -> n1op", source)) == 2


def test_constants_appear_as_small_plain_nodes():
    x = Value(3.0, label="x")
    y = 2.5 * x - 7
    source = draw_dot(y).source
    assert re.search(r'label=2\.5 .*shape=plaintext', source)
    assert re.search(r'label=7 .*shape=plaintext', source)
    # subtraction: the order of operands is shown
    assert 'label="a - b"' in source and "label=a " in source and "label=b " in source


def test_one_op_node_per_op_on_shared_sub_expressions():
    a = Value(2.0, label="a")
    b = a + a
    r = a.relu()
    c = b * b + Value.sum([a, b, 1.0, r]) + r
    source = draw_dot(c).source
    ops = [node for node in reverse_topological_order(c) if node._op]
    assert len(op_node_names(source)) == len(ops)


def test_unlabelled_nodes_have_no_empty_label_field():
    source = draw_dot(Value(1.0) + Value(2.0)).source
    assert '"{ data 1.0000 | grad 0.0000 }"' in source
    assert "{  |" not in source


def test_hiding_grads_and_choosing_a_number_format():
    x = Value(1.0 / 3.0, label="x")
    y = x * x
    y.backward()
    plain = draw_dot(y, show_grad=False, fmt=".2f").source
    assert "grad" not in plain and "data 0.33" in plain and "data 0.11" in plain
    assert "grad 0.667" in draw_dot(y, fmt=".3g").source
    with pytest.raises(ValueError, match="number format"):
        draw_dot(y, fmt="not a format")


def test_colouring_by_gradient_magnitude():
    x, y = Value(1.0, label="x"), Value(-4.0, label="y")
    z = x * y
    z.backward()  # |x.grad| = 4 is the largest: full orange; y.grad = 1; z.grad = 1
    source = draw_dot(z, color_by_grad=True).source
    x_line = next(line for line in source.splitlines() if "{ x |" in line)
    assert 'fillcolor="#ff922b"' in x_line and "style=filled" in x_line
    assert source.count("style=filled") == 3
    root = Value(0.0, label="zero").sqrt()
    root.backward()  # d sqrt(x) / dx at 0 is inf
    zero_line = next(line for line in draw_dot(root, color_by_grad=True).source.splitlines()
                     if "{ zero |" in line)
    assert "grad inf" in zero_line and 'fillcolor="#ff8787"' in zero_line


def test_highlighting_given_nodes():
    x = Value(1.0, label="x")
    h = x.tanh()
    h.label = "h"
    y = h * 2
    source = draw_dot(y, highlight={h}).source
    h_line = next(line for line in source.splitlines() if "h | data" in line)
    assert 'color="#e03131"' in h_line and "penwidth" in h_line
    # h; its op (outline and text); the edges op -> h and x -> op
    assert source.count("#e03131") == 5
    custom = draw_dot(y, highlight={x: "green"}).source
    assert "color=green" in next(line for line in custom.splitlines() if "x | data" in line)
    assert draw_dot(y, highlight=h).source == source  # one Value is fine too
    with pytest.raises(TypeError, match="highlight"):
        draw_dot(y, highlight=["x"])


def test_rankdir_and_bad_arguments():
    y = Value(1.0, label="x") * 2
    assert "rankdir=TB" in draw_dot(y, rankdir="TB").source
    assert '"x | data 1.0000 | grad 0.0000"' in draw_dot(y, rankdir="TB").source
    assert draw_dot(y, format="png").format == "png"
    with pytest.raises(ValueError, match="rankdir"):
        draw_dot(y, rankdir="diagonal")
    with pytest.raises(TypeError, match="Value"):
        draw_dot(3.0)


def test_labels_with_record_syntax_are_escaped():
    x = Value(1.0, label='a{b}|<c> "q" \\ d')
    source = draw_dot(x * 2).source
    assert r'a\{b\}\|\<c\> \"q\" \\ d' in source


def test_a_given_mapping_of_grads_is_shown_instead_of_grad():
    x = Value(1.0, label="x")
    y = x * 3
    source = draw_dot(y, grads={x: 12.5, y: 1.0}).source
    assert "grad 12.5000" in source and x.grad == 0.0


def test_grads_that_are_values_after_create_graph_are_shown_as_numbers():
    x = Value(2.0, label="x")
    y = x * x
    y.backward(create_graph=True)
    assert "grad 4.0000" in draw_dot(y).source


def test_the_dot_source_helper():
    y = Value(2.0, label="x") + 1
    assert dot_source(y, fmt=".1f") == draw_dot(y, fmt=".1f").source


# --- large graphs ----------------------------------------------------------------------------

def test_a_graph_above_the_limit_fails_with_a_message_that_says_what_to_do():
    y = chain(DEFAULT_MAX_NODES + 10)
    with pytest.raises(GraphTooLargeError) as info:
        draw_dot(y)
    message = str(info.value)
    assert isinstance(info.value, ValueError)
    assert f"more than {DEFAULT_MAX_NODES} Value nodes" in message
    assert "max_nodes=" in message and "depth=" in message and "intermediate" in message
    assert len(op_node_names(draw_dot(y, max_nodes=1000).source)) == DEFAULT_MAX_NODES + 10


def test_a_huge_graph_is_refused_before_graphviz_is_called():
    y = chain(50_000)
    with pytest.raises(GraphTooLargeError):
        draw_dot(y)
    with pytest.raises(GraphTooLargeError, match="more than 10 Value nodes"):
        render(y, "never-written.svg", max_nodes=10)


def test_depth_draws_the_nodes_near_the_output_and_marks_the_cut():
    y = chain(50_000)
    source = draw_dot(y, depth=3).source
    assert source.count("shape=record") == 4
    assert len(op_node_names(source)) == 4
    assert source.count("style=dashed") == 1 and "..." in source
    assert "x |" not in draw_dot(y, depth=0).source


def test_a_sub_graph_is_drawn_from_an_intermediate_node():
    x = Value(1.0, label="x")
    mid = (x * 2).tanh()
    mid.label = "mid"
    y = chain_from(mid, 600)
    with pytest.raises(GraphTooLargeError):
        draw_dot(y)
    assert "x | data" in draw_dot(mid).source


def chain_from(y, n):
    for _ in range(n):
        y = y + 1.0
    return y


# --- rendering -------------------------------------------------------------------------------

def test_render_svg_is_valid_xml_with_the_numbers(tmp_path):
    o = neuron()
    o.backward()
    path = render(o, tmp_path / "graph.svg")
    assert path == tmp_path / "graph.svg"
    tree = ET.parse(path)
    texts = {t.text for t in tree.iter(f"{SVG}text")}
    assert {"o", "n", "x1", "data 0.7071", "grad 1.0000", "tanh", "grad -1.5000"} <= texts


def test_render_png_has_the_signature_and_a_size(tmp_path):
    path = render(neuron(), str(tmp_path / "graph.png"), color_by_grad=True)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert width > 0 and height > 0


def test_render_pdf(tmp_path):
    path = render(neuron(), tmp_path / "graph.PDF")
    assert path.read_bytes().startswith(b"%PDF")


def test_render_refuses_other_extensions(tmp_path):
    with pytest.raises(ValueError, match=r"\.svg, \.png or \.pdf"):
        render(neuron(), tmp_path / "graph.jpg")
    with pytest.raises(ValueError, match="format"):
        render(neuron(), tmp_path / "graph")
    with pytest.raises(TypeError, match="extension"):
        render(neuron(), tmp_path / "graph.svg", format="png")
    assert not list(tmp_path.iterdir())


def test_show_returns_svg_that_jupyter_displays_inline():
    drawing = show(neuron(), fmt=".2f")
    assert isinstance(drawing, Drawing)
    svg = drawing._repr_svg_()
    assert not svg.startswith("<?xml") and "<!--" not in svg
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert "data 0.71" in {t.text for t in root.iter(f"{SVG}text")}
    assert "digraph" in drawing.source


def test_a_drawn_digraph_displays_inline_in_jupyter():
    bundle, _ = draw_dot(neuron())._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"]


def test_labels_with_special_characters_render_as_written():
    label = 'a{b}|<c> "q" \\ d & é'
    x = Value(1.0, label=label)
    svg = show(x * 2).svg
    assert label in {t.text for t in ET.fromstring(svg).iter(f"{SVG}text")}


@pytest.fixture
def no_programs(tmp_path, monkeypatch):
    """A PATH with no programs on it, as on a machine without Graphviz installed; returns it."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv("AUTOGRAD_LITE_RENDERER", raising=False)
    return empty


def test_render_without_system_graphviz_uses_the_in_process_renderer(no_programs, tmp_path):
    assert available_renderers() == ["pygraphviz"] and renderer_name() == "pygraphviz"
    path = render(neuron(), tmp_path / "graph.svg")
    assert "data 0.7071" in {t.text for t in ET.parse(path).iter(f"{SVG}text")}


# --- the Digraph that draw_dot returns renders without a system Graphviz ---------------------

def test_draw_dot_returns_a_digraph_that_pipes_and_renders_in_process(no_programs, tmp_path,
                                                                      monkeypatch):
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    dot = draw_dot(neuron())
    assert isinstance(dot, graphviz.Digraph)
    assert dot.pipe().startswith(b"<?xml") and b"</svg>" in dot.pipe()
    assert dot.pipe(format="png")[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in dot.pipe(format="svg", encoding="utf-8")
    written = dot.render(tmp_path / "neuron", format="pdf")
    assert written == f"{tmp_path / 'neuron'}.pdf" and (tmp_path / "neuron").exists()
    assert (tmp_path / "neuron.pdf").read_bytes().startswith(b"%PDF")
    assert dot.render(outfile=tmp_path / "out.png", cleanup=True) == str(tmp_path / "out.png")
    assert (tmp_path / "out.png").read_bytes()[:4] == b"\x89PNG"
    assert not (tmp_path / "out.gv").exists()  # cleanup removed the source
    assert not list(elsewhere.iterdir())  # nothing written where the drawing was not asked
    with pytest.raises(graphviz.FileExistsError):
        dot.render(outfile=tmp_path / "out.png", raise_if_result_exists=True)
    assert "3 Values" not in repr(dot) and "Values" in repr(dot)


def test_inline_display_holds_svg_and_a_png_at_the_same_size(no_programs):
    data, metadata = draw_dot(neuron())._repr_mimebundle_()
    assert set(data) == {"image/svg+xml", "image/png"}
    svg = ET.fromstring(data["image/svg+xml"].split("-->", 2)[-1].strip())
    png = data["image/png"]
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width_px = float(svg.get("width").removesuffix("pt")) * 4 / 3
    shown = metadata["image/png"]["width"]
    assert abs(shown - width_px) <= 2  # displayed at the SVG's size
    assert struct.unpack(">I", png[16:20])[0] == pytest.approx(1.5 * shown, abs=3)  # 1.5x
    only_svg, _ = draw_dot(neuron())._repr_mimebundle_(include=["image/svg+xml"])
    assert set(only_svg) == {"image/svg+xml"}
    assert draw_dot(neuron())._repr_mimebundle_(exclude=["image/png"])[0].keys() == {
        "image/svg+xml"}
    show_data, show_meta = show(neuron())._repr_mimebundle_()
    assert set(show_data) == {"image/svg+xml", "image/png"} and "image/png" in show_meta


def test_other_layout_engines_need_the_graphviz_programs_and_say_so(no_programs):
    with pytest.raises(DotNotFoundError, match="Graphviz's programs"):
        draw_dot(neuron()).pipe(engine="neato")


# --- the system dot program, and choosing a renderer -----------------------------------------

@pytest.mark.skipif(shutil.which("dot") is None,
                    reason="system-dot fallback: no Graphviz 'dot' on PATH (CI's last stage)")
def test_the_system_dot_program_renders_when_chosen(monkeypatch, tmp_path):
    monkeypatch.setenv("AUTOGRAD_LITE_RENDERER", "dot")
    assert renderer_name() == "dot"
    version = subprocess.run(["dot", "-V"], capture_output=True, text=True).stderr
    number = re.search(r"version (\d+\.\d+)", version)[1]
    svg = draw_dot(neuron()).pipe(encoding="utf-8")
    assert f"graphviz version {number}" in svg  # drawn by that program, not in-process
    assert render(neuron(), tmp_path / "g.png").read_bytes()[:4] == b"\x89PNG"
    assert render(neuron(), tmp_path / "g.pdf").read_bytes().startswith(b"%PDF")
    assert len(animate_backward(neuron())) == 6


def fake_dot(directory):
    """A `dot` program on PATH that renders with pygraphviz, as the real one would."""
    program = directory / "dot"
    program.write_text(
        f"#!{sys.executable}\n"
        "import sys, pygraphviz\n"
        "fmt = sys.argv[1].removeprefix('-T')\n"
        "sys.stderr.write('Warning: from the program\\n')\n"
        "sys.stdout.buffer.write(pygraphviz.AGraph(string=sys.stdin.read())"
        ".draw(format=fmt, prog='dot'))\n")
    program.chmod(0o755)


def test_without_pygraphviz_the_dot_program_on_path_is_used(no_programs, monkeypatch, tmp_path,
                                                           capsys):
    monkeypatch.setattr(render_module, "_pygraphviz", lambda: None)
    fake_dot(no_programs)
    assert available_renderers() == ["dot"] and renderer_name() == "dot"
    path = render(neuron(), tmp_path / "graph.svg")
    assert "data 0.7071" in {t.text for t in ET.parse(path).iter(f"{SVG}text")}
    assert "Warning: from the program" in capsys.readouterr().err  # passed on, not lost


def test_the_environment_variable_chooses_the_renderer(no_programs, monkeypatch):
    monkeypatch.setenv("AUTOGRAD_LITE_RENDERER", "dot")
    with pytest.raises(DotNotFoundError, match="AUTOGRAD_LITE_RENDERER=dot") as info:
        render_source("digraph { a }", "svg")
    assert "\n" not in str(info.value)
    fake_dot(no_programs)
    assert renderer_name() == "dot"
    monkeypatch.setenv("AUTOGRAD_LITE_RENDERER", "pygraphviz")
    assert renderer_name() == "pygraphviz"
    monkeypatch.setenv("AUTOGRAD_LITE_RENDERER", "cairo")
    with pytest.raises(ValueError, match="expected one of"):
        renderer_name()


def test_graphviz_warnings_reach_sys_stderr_without_fontconfig_noise(capsys):
    render_module._forward_warnings(
        'Fontconfig warning: "/etc/fonts/conf.d/05-reset-dirs-sample.conf", line 6: '
        'unknown element "reset-dirs"\nWarning: a real one\n')
    assert capsys.readouterr().err == "Warning: a real one\n"


# --- no renderer at all ----------------------------------------------------------------------

@pytest.fixture
def no_renderer(no_programs, monkeypatch):
    """Neither pygraphviz (as on a platform it has no wheel for) nor a `dot` program."""
    monkeypatch.setattr(render_module, "_pygraphviz", lambda: None)


def check_install_message(error):
    message = str(error)
    assert isinstance(error, RuntimeError) and not isinstance(error, graphviz.ExecutableNotFound)
    assert "\n" not in message  # one line
    assert 'pip install "pygraphviz>=2.0"' in message and "`dot`" in message
    assert error._render_traceback_() == [f"RendererNotFoundError: {message}"]


def test_with_no_renderer_everything_that_renders_says_in_one_line_what_to_install(
        no_renderer, tmp_path):
    attempts = [lambda: render(neuron(), tmp_path / "graph.svg"), lambda: show(neuron()),
                lambda: animate_backward(neuron()), lambda: draw_dot(neuron()).pipe(),
                lambda: draw_dot(neuron()).render(tmp_path / "g"),
                lambda: draw_dot(neuron())._repr_mimebundle_()]
    for attempt in attempts:
        with pytest.raises(DotNotFoundError) as info:
            attempt()
        check_install_message(info.value)
        assert info.value.__cause__ is None
    assert not (tmp_path / "graph.svg").exists()


def test_with_no_renderer_the_source_is_still_available(no_renderer):
    source = draw_dot(neuron()).source
    assert source.startswith("digraph") and "tanh" in source


def test_in_a_notebook_a_missing_renderer_is_one_line_not_a_traceback(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    setup = ("import os, sys\n"
             "sys.modules['pygraphviz'] = None  # as where it cannot be installed\n"
             f"os.environ['PATH'] = {str(tmp_path)!r}  # and no Graphviz programs\n"
             "from autograd_lite import Value\n"
             "from autograd_lite.viz import draw_dot, render\n"
             "x = Value(2.0, label='x')")
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell(setup),
        nbformat.v4.new_code_cell("draw_dot(x * 3)"),
        nbformat.v4.new_code_cell("render(x * 3, 'graph.svg')"),
    ])
    client = nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3",
                                     allow_errors=True,
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    for cell in notebook.cells[1:]:
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert len(errors) == 1, cell.outputs
        (line,) = errors[0].traceback
        assert line.startswith("RendererNotFoundError: cannot render graphs")
        assert 'pip install "pygraphviz>=2.0"' in line and "\x1b[" not in line


# --- layouts that fit a notebook column ------------------------------------------------------

def rendered_width_px(dot):
    return rendered_size_px(dot)[0]


def rendered_size_px(dot):
    svg = dot.pipe(encoding="utf-8")
    size = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    return float(size[1]) * 4 / 3, float(size[2]) * 4 / 3


def mazur_like(n_layers=3):
    """A deep, labelled network: too wide for a notebook left to right with records in rows."""
    h = [Value(0.05, label="i1"), Value(0.10, label="i2")]
    for layer in range(n_layers):
        out = []
        for j in range(2):
            terms = []
            for k, a in enumerate(h):
                w = Value(0.1 * (j + k + 1), label=f"w{layer}{j}{k}")
                t = w * a
                t.label = f"{w.label}*{a.label}"
                terms.append(t)
            net = Value.sum(terms)
            net.label = f"net{layer}{j}"
            o = net.sigmoid()
            o.label = f"out{layer}{j}"
            out.append(o)
        h = out
    loss = 0.5 * (0.01 - h[0]) ** 2 + 0.5 * (0.99 - h[1]) ** 2
    loss.label = "E"
    loss.backward()
    return loss


def test_a_graph_that_fits_keeps_micrograd_s_look():
    y = Value(1.0, label="x") * 2
    assert "rankdir=LR" in draw_dot(y).source and '"{ x | data' in draw_dot(y).source


def test_wide_graphs_get_stacked_records_then_a_top_to_bottom_layout_and_fit():
    x, w, b = Value(0.5, label="x"), Value(-1.5, label="w"), Value(0.2, label="b")
    n = (w * x + b).tanh()  # README's neuron: 1,477 px wide with its records in rows
    n.label = "n"
    assert rendered_width_px(draw_dot(n, max_width=None)) > 1400
    stacked = draw_dot(n, max_width=950)
    assert "rankdir=LR" in stacked.source and '"n | data' in stacked.source  # fields stacked
    assert 800 < rendered_width_px(stacked) <= 950
    fitted = draw_dot(n)  # stacked fields fit the default view, still left to right
    assert "rankdir=LR" in fitted.source and '"n | data' in fitted.source
    assert rendered_size_px(fitted)[0] <= DEFAULT_MAX_WIDTH
    assert rendered_size_px(fitted)[1] <= DEFAULT_MAX_HEIGHT
    deep = mazur_like()
    assert rendered_width_px(draw_dot(deep, max_width=None)) > 3000
    turned = draw_dot(deep, max_width=1000, max_height=None)  # the width alone: top to bottom
    assert "rankdir=TB" in turned.source and '"{ E | data' in turned.source
    assert 700 < rendered_width_px(turned) <= 1000
    assert rendered_width_px(draw_dot(deep, max_width=600, max_height=None)) <= 600
    assert "rankdir=LR" in draw_dot(deep, max_width=None).source  # exactly as asked
    assert "rankdir=BT" in draw_dot(deep, rankdir="RL", max_height=None).source


def test_a_drawing_fits_width_and_height_and_warns_when_that_makes_it_unreadable():
    deep = mazur_like()
    with pytest.warns(UnreadableDrawingWarning, match=r"45 Values .* draw less \(depth=3"):
        whole = draw_dot(deep)
    width, height = rendered_size_px(whole)
    assert width <= DEFAULT_MAX_WIDTH and height <= DEFAULT_MAX_HEIGHT
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # what the warning suggests is readable
        part = draw_dot(deep, depth=3)
    width, height = rendered_size_px(part)
    assert width <= DEFAULT_MAX_WIDTH and height <= DEFAULT_MAX_HEIGHT
    assert 'size="9.167,6.667"' in part.source
    with pytest.raises(ValueError, match="max_height"):
        draw_dot(deep, max_height=-1)


def test_whatever_cannot_fit_is_scaled_down_to_the_width():
    y = chain(150)  # too long in either direction to fit at full size
    assert 'size="' not in draw_dot(y, max_width=None).source
    assert 'size="5.208,1000"' in draw_dot(y, max_width=500, max_height=None).source
    with pytest.warns(UnreadableDrawingWarning, match="150 Values|151 Values"):
        assert rendered_width_px(draw_dot(y, max_width=500)) <= 500
    with pytest.raises(ValueError, match="max_width"):
        draw_dot(y, max_width=0)
    with pytest.raises(ValueError, match="max_width"):
        draw_dot(y, max_width="wide")


def test_constants_are_drawn_as_operands_and_numbers_never_read_minus_zero():
    x = Value(1e-9, label="x")
    y = x * -1.0  # data -1e-9: prints as 0.0000, not -0.0000
    y.grad = -0.0
    source = draw_dot(y).source
    assert "-0.0000" not in source and "data 0.0000" in source
    # the constant is a small plain node feeding the op, like any operand
    assert re.search(r"n0c1 \[label=-1 .*shape=plaintext", source)
    assert re.search(r"n0c1 -> n0op\b", source)


def test_ops_added_with_define_op_are_drawn(tmp_path):
    from autograd_lite import define_op

    swish = define_op("swish_viz", lambda a: a / (1.0 + 2.718281828459045 ** -a),
                      lambda g, out, a: g * (out + (1.0 - out) * out / a))
    hinge = define_op("hinge2_viz", lambda a, b: max(0.0, a - b),
                      lambda g, out, a, b: g * (1.0 if out > 0 else 0.0),
                      lambda g, out, a, b: g * (-1.0 if out > 0 else 0.0))
    with swish, hinge:  # both leave the op table again at the end
        x = Value(1.5, label="x")
        y = hinge(swish(x), 0.5)
        y.backward()
        source = draw_dot(y).source
        assert "label=swish_viz" in source and 'label="hinge2_viz(a, b)"' in source
        svg = render(y, tmp_path / "custom.svg").read_text()
        assert "swish_viz" in svg
        animation = animate_backward(y)
        assert len(animation) == 3 and "operand 2 is the constant 0.5" in animation.captions[1]
    assert "swish_viz" not in OPS and "hinge2_viz" not in OPS


def test_a_large_drawing_s_png_is_drawn_at_1x_to_keep_notebooks_small():
    data, metadata = draw_dot(mazur_like(4), max_height=None)._repr_mimebundle_()
    width = struct.unpack(">I", data["image/png"][16:20])[0]
    assert metadata["image/png"]["width"] == width  # 1x: drawn at the size it is shown
    assert len(data["image/png"]) < 400_000


def test_an_mlp_drawing_names_its_parameters_and_neuron_outputs():
    # The README's example: nn labels what it builds, so the drawing at depth 3 names every
    # parameter and every neuron's output and pre-activation (the products w * x inside a
    # neuron are the only records left without a label).
    from nn import MLP
    model = MLP(2, [16, 16, 1], seed=0)
    score = model([0.5, -1.0])
    source = dot_source(score, depth=3)
    records = re.findall(r'label="\{? ?([^"|]*?) ?\|', source)
    named = {r for r in records if not r.startswith("data")}
    assert "L3.n1" in named  # the output
    assert {f"L3.n1.w{k}" for k in range(1, 17)} | {"L3.n1.b"} <= named
    assert {f"L2.n{j}" for j in range(1, 17)} | {f"L2.n{j}.z" for j in range(1, 17)} <= named
