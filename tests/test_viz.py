"""Drawing graphs: the DOT source, rendering to files, and the errors that say what to do."""

import re
import shutil
import struct
import xml.etree.ElementTree as ET

import graphviz
import pytest

from autograd_lite import Value
from autograd_lite.engine import reverse_topological_order
from autograd_lite.viz import (
    DEFAULT_MAX_NODES,
    DotNotFoundError,
    Drawing,
    GraphTooLargeError,
    animate_backward,
    dot_source,
    draw_dot,
    render,
    show,
)

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="graphviz's dot program is not installed")

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
    h_line = next(line for line in source.splitlines() if "{ h |" in line)
    assert 'color="#e03131"' in h_line and "penwidth" in h_line
    # h; its op (outline and text); the edges op -> h and x -> op
    assert source.count("#e03131") == 5
    custom = draw_dot(y, highlight={x: "green"}).source
    assert "color=green" in next(line for line in custom.splitlines() if "{ x |" in line)
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
    assert "{ x |" in draw_dot(mid).source


def chain_from(y, n):
    for _ in range(n):
        y = y + 1.0
    return y


# --- rendering -------------------------------------------------------------------------------

@needs_dot
def test_render_svg_is_valid_xml_with_the_numbers(tmp_path):
    o = neuron()
    o.backward()
    path = render(o, tmp_path / "graph.svg")
    assert path == tmp_path / "graph.svg"
    tree = ET.parse(path)
    texts = {t.text for t in tree.iter(f"{SVG}text")}
    assert {"o", "n", "x1", "data 0.7071", "grad 1.0000", "tanh", "grad -1.5000"} <= texts


@needs_dot
def test_render_png_has_the_signature_and_a_size(tmp_path):
    path = render(neuron(), str(tmp_path / "graph.png"), color_by_grad=True)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert width > 0 and height > 0


@needs_dot
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


@needs_dot
def test_show_returns_svg_that_jupyter_displays_inline():
    drawing = show(neuron(), fmt=".2f")
    assert isinstance(drawing, Drawing)
    svg = drawing._repr_svg_()
    assert not svg.startswith("<?xml") and "<!--" not in svg
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert "data 0.71" in {t.text for t in root.iter(f"{SVG}text")}
    assert "digraph" in drawing.source


@needs_dot
def test_a_drawn_digraph_displays_inline_in_jupyter():
    bundle = draw_dot(neuron())._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"]


@needs_dot
def test_labels_with_special_characters_render_as_written():
    label = 'a{b}|<c> "q" \\ d & é'
    x = Value(1.0, label=label)
    svg = show(x * 2).svg
    assert label in {t.text for t in ET.fromstring(svg).iter(f"{SVG}text")}


# --- no dot program --------------------------------------------------------------------------

@pytest.fixture
def no_dot(tmp_path, monkeypatch):
    """A PATH with no programs on it: as on a machine without Graphviz installed."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


def check_install_message(error):
    message = str(error)
    assert "sudo apt-get install graphviz" in message
    assert "brew install graphviz" in message
    assert "conda install -c conda-forge graphviz" in message
    assert not isinstance(error, graphviz.ExecutableNotFound)
    assert isinstance(error, RuntimeError)


def test_without_dot_rendering_says_what_to_install(no_dot, tmp_path):
    with pytest.raises(DotNotFoundError) as info:
        render(neuron(), tmp_path / "graph.svg")
    check_install_message(info.value)
    assert not (tmp_path / "graph.svg").exists()


def test_without_dot_show_and_animate_say_what_to_install(no_dot):
    with pytest.raises(DotNotFoundError) as info:
        show(neuron())
    check_install_message(info.value)
    with pytest.raises(DotNotFoundError) as info:
        animate_backward(neuron())
    check_install_message(info.value)


def test_without_dot_the_source_is_still_available(no_dot):
    source = draw_dot(neuron()).source
    assert source.startswith("digraph") and "tanh" in source


def test_graphviz_reporting_a_missing_executable_becomes_our_error(monkeypatch, tmp_path):
    def missing(*args, **kwargs):
        raise graphviz.ExecutableNotFound(["dot", "-Kdot", "-Tpng"])

    monkeypatch.setattr(graphviz, "pipe", missing)
    with pytest.raises(DotNotFoundError, match="brew install graphviz") as info:
        render(neuron(), tmp_path / "graph.png")
    assert info.value.__cause__ is None and info.value.__suppress_context__
