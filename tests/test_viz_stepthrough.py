"""Backpropagation step by step: the steps are backward()'s own, and the HTML shows them all."""

import base64
import json
import re
import struct
import xml.etree.ElementTree as ET
from html import escape

import pytest
from hypothesis import given

from autograd_lite import AnomalyError, Value, detect_anomaly
from autograd_lite.engine import OPS, backprop, operand_gradients, reverse_topological_order
from autograd_lite.testing import expressions_with_inputs
from autograd_lite.viz.stepthrough import BackwardStep, GradSnapshot, backward_steps


@pytest.fixture
def op_table_restored():
    """Tests that change the op table leave it as it was."""
    saved = dict(OPS)
    yield
    OPS.clear()
    OPS.update(saved)


def bits(x):
    """The float's 8 bytes: equal bits, not merely ==, and NaN equals NaN."""
    return struct.pack("<d", x)


def build(expression, xs):
    inputs = [Value(x, label=f"x{i}") for i, x in enumerate(xs)]
    return inputs, expression(*inputs)


# --- the steps are backward()'s --------------------------------------------------------------

@given(expressions_with_inputs(n_inputs=3, max_steps=10))
def test_running_all_steps_gives_exactly_the_grads_of_backward(case):
    expression, xs = case
    _, root = build(expression, xs)
    nodes = reverse_topological_order(root)
    steps = list(backward_steps(root))
    assert all(node.grad == 0.0 for node in nodes)  # the steps touched no .grad
    root.backward()
    final = steps[-1].grads if steps else {root: 1.0}
    assert {n: bits(final[n]) for n in nodes} == {n: bits(n.grad) for n in nodes}


@given(expressions_with_inputs(n_inputs=2, max_steps=8))
def test_steps_visit_op_nodes_in_backward_order_with_the_table_s_derivatives(case):
    expression, xs = case
    _, root = build(expression, xs)
    steps = list(backward_steps(root))
    # every op node a gradient reaches (not the options a select did not choose), in order
    reached = [node for node, _, _ in backprop(root, {root: 1.0})]
    assert [s.node for s in steps] == reached
    order = reverse_topological_order(root)
    assert sorted(map(order.index, reached)) == list(map(order.index, reached))
    for i, step in enumerate(steps):
        assert (step.index, step.total) == (i, len(steps))
        local = operand_gradients(step.node, 1.0)
        passed = operand_gradients(step.node, step.grad)
        assert step.operands == tuple(o for _, o, _ in local)
        assert set(step.operands) <= set(step.node._prev)
        assert list(map(bits, step.local_derivatives)) == [bits(d) for _, _, d in local]
        assert list(map(bits, step.contributions)) == [bits(c) for _, _, c in passed]
        # a node's gradient is complete when its step comes: later steps never change it
        assert bits(steps[-1].grads[step.node]) == bits(step.grad)


@given(expressions_with_inputs(n_inputs=2, max_steps=8))
def test_apply_writes_grads_exactly_as_backward_does_even_on_top_of_old_ones(case):
    expression, xs = case
    _, stepped = build(expression, xs)
    _, reference = build(expression, xs)
    pairs = list(zip(reverse_topological_order(stepped), reverse_topological_order(reference),
                     strict=True))
    for k, (a, b) in enumerate(pairs):  # earlier gradients, to accumulate onto
        a.grad = b.grad = 0.0 if k % 3 == 1 else 0.25 * k - 1.0  # the root's too
    for _ in backward_steps(stepped, apply=True):
        pass
    reference.backward()
    assert [bits(a.grad) for a, _ in pairs] == [bits(b.grad) for _, b in pairs]


def test_shared_sub_expressions_step_by_step():
    a = Value(3.0, label="a")
    b = a + a
    b.label = "b"
    c = b * b
    c.label = "c"
    first, second = backward_steps(c)
    assert (first.node, first.grad, first.operands) == (c, 1.0, (b, b))
    assert first.local_derivatives == (6.0, 6.0) and first.contributions == (6.0, 6.0)
    assert [f.grad_after for f in first.flows] == [6.0, 12.0]
    assert dict(first.grads) == {c: 1.0, b: 12.0, a: 0.0}
    assert (second.node, second.grad, second.operands) == (b, 12.0, (a, a))
    assert second.local_derivatives == (1.0, 1.0) and second.contributions == (12.0, 12.0)
    assert dict(second.grads) == {c: 1.0, b: 12.0, a: 24.0}
    assert a.grad == b.grad == c.grad == 0.0
    c.backward()
    assert (a.grad, b.grad, c.grad) == (24.0, 12.0, 1.0)  # d (2a)^2 / da = 8a


def test_a_diamond_accumulates_in_backward_s_order():
    x = Value(0.1, label="x")
    u, v = x * 3.0, x.sin()
    y = (u * v + u.exp()) / (v + 2.0)
    steps = list(backward_steps(y))
    y.backward()
    for node in reverse_topological_order(y):
        assert bits(steps[-1].grads[node]) == bits(node.grad)


def test_constants_are_skipped_and_positions_count_them():
    x = Value(2.0, label="x")
    y = 10.0 - x
    (step,) = backward_steps(y)
    assert step.operands == (x,) and step.flows[0].position == 1
    assert step.contributions == (-1.0,)


def test_snapshots_keep_their_moment():
    x = Value(0.5, label="x")
    y = (x * x).tanh() * x
    steps = list(backward_steps(y))
    early = dict(steps[0].grads)
    assert early[x] == steps[0].contributions[1] and early[x] != steps[-1].grads[x]
    assert isinstance(steps[0].grads, GradSnapshot)
    assert len(steps[0].grads) == len(reverse_topological_order(y)) == 4
    assert x in steps[0].grads and Value(1.0) not in steps[0].grads
    with pytest.raises(KeyError):
        steps[0].grads[Value(1.0)]


def test_with_apply_each_step_writes_its_grads_as_it_goes():
    x = Value(2.0, label="x")
    u = x * x
    y = u.exp()
    steps = backward_steps(y, apply=True)
    next(steps)  # y has passed its gradient to u, and u not yet to x
    assert (y.grad, u.grad, x.grad) == (1.0, y.data, 0.0)
    next(steps)
    assert x.grad == 2.0 * x.data * y.data and next(steps, None) is None


def test_under_detect_anomaly_a_step_raises_at_the_first_bad_gradient():
    y = Value(0.0, label="x").sqrt() * 2.0  # d sqrt(x) / dx at 0 is inf
    with detect_anomaly():
        steps = backward_steps(y)
        next(steps)
        with pytest.raises(AnomalyError, match="sqrt"):
            next(steps)


def test_a_leaf_has_no_steps_and_bad_input_is_refused():
    assert list(backward_steps(Value(1.0))) == []
    with pytest.raises(TypeError, match="Value"):
        backward_steps(1.0)


def test_a_step_in_words():
    x = Value(2.0, label="x")
    y = x * 3.0
    y.label = "y"
    (step,) = backward_steps(y)
    assert isinstance(step, BackwardStep)
    assert step.describe(".2f").splitlines() == [
        "step 1 of 1: 'y' = x * 3 passes its grad 1.00 on",
        "  to operand 1, 'x': local derivative 3.00, contribution 3.00, its grad becomes 3.00",
        "  operand 2 is the constant 3: no gradient",
    ]


def test_captions_name_constants_in_operand_order():
    x = Value(2.0, label="x")
    (step,) = backward_steps(10.0 - x)
    assert step.describe("g").splitlines() == [
        "step 1 of 1: 10 - x passes its grad 1 on",
        "  operand 1 is the constant 10: no gradient",
        "  to operand 2, 'x': local derivative -1, contribution -1, its grad becomes -1",
    ]
    r = Value(3.0, label="r")
    (step,) = backward_steps(Value.sum([x, 1.5, r]))
    lines = step.describe("g").splitlines()
    assert [line.split(",")[0].strip() for line in lines[1:]] == [
        "to operand 1", "operand 2 is the constant 1.5: no gradient", "to operand 3"]


def test_a_step_names_its_op_and_the_rule_of_each_local_derivative():
    n = Value(0.5, label="n")
    o = n.tanh()
    o.label = "o"
    (step,) = backward_steps(o)
    assert step.describe(".2f").splitlines() == [
        "step 1 of 1: 'o' = tanh(n) passes its grad 1.00 on",
        "  to operand 1, 'n': local derivative 1 - o**2 = 0.79, contribution 0.79, "
        "its grad becomes 0.79",
    ]
    w, x = Value(-1.5, label="w"), Value(0.5, label="x")
    first, second = backward_steps((w * x).exp())
    assert first.describe(".2f").splitlines()[:2] == [  # unlabelled: named by op and operands
        "step 1 of 2: exp(w * x) passes its grad 1.00 on",
        "  to operand 1, w * x: local derivative exp(w * x) = 0.47, contribution 0.47, "
        "its grad becomes 0.47"]
    assert second.describe(".2f").splitlines()[1:] == [
        "  to operand 1, 'w': local derivative x = 0.50, contribution 0.24, its grad becomes 0.24",
        "  to operand 2, 'x': local derivative w = -1.50, contribution -0.71, "
        "its grad becomes -0.71"]


def test_one_name_per_node_in_every_step():
    w, x = Value(-1.5), Value(0.5, label="x")
    product = w * x
    y = product.tanh() + product
    names = set()
    for step in backward_steps(y):
        text = step.describe(".4f")
        assert "node (data" not in text
        names.update(re.findall(r"Value\(-1\.5000\) \* x", text))
        if step.node is product:
            assert text.startswith(f"step {step.index + 1} of 3: Value(-1.5000) * x passes")
        if product in step.operands:
            assert f"to operand {step.operands.index(product) + 1}, Value(-1.5000) * x:" in text
    assert names == {"Value(-1.5000) * x"}


RULE_CASES = [  # (expression of x and y, operand, the rule as the table's rule prints it)
    (lambda x, y: x.tanh(), 0, "1 - out**2"),
    (lambda x, y: x.sigmoid(), 0, "(1 - out) * out"),
    (lambda x, y: x.relu(), 0, "0 if out <= 0 else 1"),
    (lambda x, y: x.exp(), 0, "out"),
    (lambda x, y: x.log(), 0, "1 / x"),
    (lambda x, y: x.sqrt(), 0, "1 / (2 * out)"),
    (lambda x, y: x.cos(), 0, "-sin(x)"),
    (lambda x, y: abs(x), 0, "sign(x)"),
    (lambda x, y: -x, 0, "-1"),
    (lambda x, y: x / y, 1, "-(out / y)"),
    (lambda x, y: x - y, 1, "-1"),
    (lambda x, y: x ** 3, 0, "3 * x**2"),
    (lambda x, y: x ** y, 0, "0 if y == 0 else y * x**(y - 1)"),
    (lambda x, y: x ** y, 1, "0 if x == 0 and y >= 0 else out * log(x)"),
]


@pytest.mark.parametrize(("expression", "position", "expected"), RULE_CASES)
def test_rules_print_from_the_op_table(expression, position, expected):
    from autograd_lite.viz.rules import local_rule

    x, y = Value(0.7, label="x"), Value(2.0, label="y")
    assert local_rule(expression(x, y), position) == expected


def test_a_rule_changed_in_the_table_prints_changed(op_table_restored):
    from autograd_lite.engine import exp
    from autograd_lite.viz.rules import local_rule

    x = Value(0.3, label="x")
    y = x.tanh()
    OPS["tanh"] = OPS["tanh"]._replace(vjps=(lambda g, out, a: g * exp(-2.0 * a),))
    assert local_rule(y, 0) == "exp(-2 * x)"


def test_an_op_whose_rule_computes_with_floats_shows_only_its_number(op_table_restored):
    import math

    from autograd_lite import define_op

    cube_root = define_op("cbrt", lambda a: math.copysign(abs(a) ** (1 / 3), a),
                          lambda g, out, a: g / (3.0 * math.pow(out, 2.0)))
    x = Value(8.0, label="x")
    (step,) = backward_steps(cube_root(x))
    assert step.rule(0) is None
    assert step.describe(".4f").splitlines()[1].startswith(
        "  to operand 1, 'x': local derivative 0.0833, contribution")


def test_captions_never_print_minus_zero():
    x = Value(-1e-7, label="x")
    y = x * x * -1.0  # data -1e-14, local derivatives about 1e-7: all round to 0.0000
    text = "\n".join(step.describe(".4f") for step in backward_steps(y))
    assert "0.0000" in text and "-0.0000" not in text
    assert "-1.0000" in text  # a real negative number keeps its sign


def test_deep_graphs_step_without_recursion():
    x = Value(1.0, label="x")
    y = x
    for _ in range(5000):
        y = y * 1.0
    steps = backward_steps(y)
    count = sum(1 for _ in steps)
    assert count == 5000


# --- the animation ---------------------------------------------------------------------------

def twenty_nodes():
    xs = [Value(0.1 * (i + 1), label=f"x{i}") for i in range(3)]
    ws = [Value(0.5 - 0.3 * i, label=f"w{i}") for i in range(3)]
    b = Value(0.2, label="b")
    n = Value.sum([x * w for x, w in zip(xs, ws, strict=True)]) + b
    h = n.tanh()
    loss = (h - 1.0) ** 2 + 0.01 * (ws[0] * ws[0])
    loss.label = "loss"
    return loss


def frames_in(html):
    """Each frame of a viewer page: its caption (in a <pre>, as HTML) and its SVG patch."""
    (data,) = re.findall(r'<script type="application/json" class="agl-frames">(.*?)</script>',
                         html, flags=re.S)
    return [f"<pre>{escape(f['caption'])}</pre>{f['svg']}" for f in json.loads(data)]


def test_the_html_page_holds_a_start_frame_and_one_frame_per_step_and_is_self_contained(
        tmp_path):
    from autograd_lite.viz import animate_backward

    loss = twenty_nodes()
    steps = list(backward_steps(loss))
    assert 15 <= len(reverse_topological_order(loss)) <= 25
    animation = animate_backward(loss)
    assert len(animation) == len(animation.frames) == len(steps) + 1 == len(animation.steps) + 1
    assert animation.frame_steps == [None, *animation.steps]
    path = animation.save(tmp_path / "backward.html")
    page = path.read_text(encoding="utf-8")
    assert len(frames_in(page)) == len(steps) + 1
    assert page.startswith("<!DOCTYPE html>") and 'type="range"' in page
    assert not re.search(r"<script[^>]*\bsrc=", page)
    assert not re.search(r"<link\b", page)
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", page)
    assert "<?xml" not in page and "<!DOCTYPE svg" not in page
    assert len(page.encode("utf-8")) < 200_000
    frames = frames_in(page)
    assert frames[0].startswith("<pre>start: backward() seeds the grad of &#x27;loss&#x27; with 1")
    for i, (frame, step) in enumerate(zip(frames[1:], steps, strict=True)):
        assert f"step {i + 1} of {len(steps)}" in frame
        assert step.describe(".4f").splitlines()[0] in frame.replace("&#x27;", "'")
    assert loss.grad == 0.0  # drawing the steps did not run backward() on the user's graph


def test_without_scripts_the_page_shows_the_first_frame_as_an_image():
    from autograd_lite.viz import animate_backward

    fragment = animate_backward(twenty_nodes()).to_html()
    before_frames = fragment.split('<script type="application/json"')[0]
    still = re.search(r'<img class="agl-still"[^>]*src="data:image/svg\+xml;base64,([^"]+)"',
                      before_frames)
    svg = base64.b64decode(still[1]).decode("utf-8")
    assert ET.fromstring(svg).tag == "{http://www.w3.org/2000/svg}svg"
    assert "grad 1.0000" in svg and "<button" not in before_frames  # the script adds controls
    assert "start: backward() seeds" in before_frames


def records(frame):
    """label -> (outline colours, texts) of each labelled record in an SVG frame."""
    svg_ns = "{http://www.w3.org/2000/svg}"
    found = {}
    for group in ET.fromstring(frame).iter(f"{svg_ns}g"):
        texts = [t.text for t in group.iter(f"{svg_ns}text")]
        if group.get("class") == "node" and len(texts) >= 2 and texts[1].startswith("data"):
            strokes = {e.get("stroke") for e in group if e.get("stroke")}
            found[texts[0]] = (strokes, texts)
    return found


def test_each_frame_highlights_its_step_and_shows_the_grads_so_far():
    from autograd_lite.viz import HIGHLIGHT_COLOR, RECEIVER_COLOR, animate_backward

    a = Value(3.0, label="a")
    b = a + a
    b.label = "b"
    c = b * b
    c.label = "c"
    animation = animate_backward(c, fmt=".1f")
    assert len(animation) == 3
    start = records(animation.frames[0])
    assert [start[n][1][-1] for n in "cba"] == ["grad 1.0", "grad 0.0", "grad 0.0"]
    assert all(HIGHLIGHT_COLOR not in strokes for strokes, _ in start.values())
    for frame, expected in zip(animation.frames[1:], [("c", "b", "12.0"), ("b", "a", "24.0")],
                               strict=True):
        record = records(frame)
        node, receiver, grad = expected
        assert HIGHLIGHT_COLOR in record[node][0]
        assert RECEIVER_COLOR in record[receiver][0]
        assert f"grad {grad}" in record[receiver][1]


def test_all_frames_share_one_layout():
    from autograd_lite.viz import animate_backward

    animation = animate_backward(twenty_nodes())

    def layout(svg):  # where the nodes are: the size, and each node's outline
        svg = re.sub(r'\s(?:stroke|fill|stroke-width)="[^"]*"', "", svg)
        nodes = re.findall(r'<g data-g="node\d+" class="node">(.*?)</g>', svg, flags=re.S)
        shapes = [re.findall(r"<(?:polygon|ellipse)[^>]*>", node) for node in nodes]
        return (re.search(r"<svg[^>]*>", svg)[0], *map(tuple, shapes))

    assert len({layout(svg) for svg in animation.frames}) == 1
    assert "data-full" not in "".join(frames_in(animation.to_html())[1:])


def test_a_depth_limited_view_has_frames_only_for_the_nodes_drawn():
    from autograd_lite.viz import HIGHLIGHT_COLOR, animate_backward, draw_dot
    from nn import MLP

    model = MLP(2, [16, 16, 1], seed=0)
    score = model([0.5, -1.0])
    steps = list(backward_steps(score))
    animation = animate_backward(score, depth=2)
    drawn_labels = draw_dot(score, depth=2).source
    assert len(steps) > 300
    # the output's sum, its 16 products, and the 16 relus below them (drawn, their operands
    # cut off); the bias and weights are leaves
    assert len(animation.steps) == 33
    # start, then the drawn steps; the steps after them change no drawn grad: no end frame
    assert len(animation) == 1 + 33
    assert animation.frame_steps == [None, *animation.steps]
    for frame, step in zip(animation.frames[1:], animation.steps, strict=True):
        assert frame.count(HIGHLIGHT_COLOR) >= 1  # the step's node is drawn and highlighted
        assert step.node in set(reverse_topological_order(score))
    assert "data" in drawn_labels
    assert "Only 33 of them" in animation.captions[0] and "skipped" in animation.captions[0]
    assert animation.captions[0].count(f"{len(steps)} steps follow") == 1
    # the drawn nodes' steps come first in backward()'s order: nothing skipped in between
    assert all("nodes not drawn" not in c for c in animation.captions[1:])


def test_skipped_steps_that_change_drawn_grads_are_named():
    from autograd_lite.viz import animate_backward

    x = Value(0.5, label="x")
    deep = ((x * 2).tanh() * 3).exp()
    deep.label = "deep"
    y = x + deep  # x is drawn at depth 1; the deep branch reaches x again, out of sight
    y.label = "y"
    animation = animate_backward(y, depth=1, fmt=".2f")
    assert [s.node for s in animation.steps] == [y, deep]  # deep is drawn, its operand cut
    assert len(animation) == 4
    assert animation.captions[-1].startswith("end: (steps 3-5 of 5: nodes not drawn, which "
                                             "passed gradient to 'x')")
    y.backward()
    assert f"grad {x.grad:.2f}" in animation.frames[-1]


def test_the_animation_displays_inline_in_jupyter():
    from autograd_lite.viz import animate_backward

    animation = animate_backward(twenty_nodes(), depth=4)
    fragment = animation._repr_html_()
    assert fragment.startswith('<div class="agl-backward"') and "<script>" in fragment
    assert len(frames_in(fragment)) == len(animation)
    assert "<html" not in fragment


def test_animating_a_leaf_or_a_huge_graph_is_refused():
    from autograd_lite.viz import GraphTooLargeError, animate_backward

    with pytest.raises(ValueError, match="leaf"):
        animate_backward(Value(1.0))
    y = Value(1.0)
    for _ in range(150):  # fine to draw, too many to draw once per step
        y = y + 1.0
    with pytest.raises(GraphTooLargeError, match="more than 100 Value nodes"):
        animate_backward(y)


def test_with_its_scripts_removed_the_viewer_shows_its_first_caption_and_nothing_else():
    from autograd_lite.viz import animate_backward
    from autograd_lite.viz.animation import UNTRUSTED_HINT

    animation = animate_backward(twenty_nodes())
    fragment = animation.to_html()
    sanitized = re.sub(r"<script\b.*?</script>", "", fragment, flags=re.S)  # as JupyterLab
    text = re.sub(r"<[^>]+>", "", sanitized).strip()
    # the frames stay in the script, out of sight; the hint says how to bring them to life
    assert text == escape(UNTRUSTED_HINT) + "\n\n" + escape(animation.captions[0])


def test_colour_by_grad_is_logarithmic_so_small_grads_still_show():
    from autograd_lite.viz import draw_dot

    xs = [Value(1.0, label=f"x{k}") for k in range(4)]
    y = Value.sum([x * 10.0 ** -k for k, x in enumerate(xs)])  # grads 1, 0.1, 0.01, 0.001
    y.backward()
    source = draw_dot(y, color_by_grad=True).source
    fills = [re.search(r'fillcolor="(#\w+)"', line)[1] for line in source.splitlines()
             if re.search(r"label=\"\{? ?x\d \|", line)]
    assert len(set(fills)) == 4 and "#ffffff" not in fills  # a linear scale: 3 near white
    reds = [int(f[3:5], 16) for f in fills]  # the green channel falls as |grad| grows
    assert reds == sorted(reds, reverse=True) or reds == sorted(reds)


def test_the_static_viewer_says_how_to_bring_it_to_life():
    from autograd_lite.viz import animate_backward
    from autograd_lite.viz.animation import UNTRUSTED_HINT

    animation = animate_backward(twenty_nodes())
    sanitized = re.sub(r"<script\b.*?</script>", "", animation.to_html(), flags=re.S)
    assert escape(UNTRUSTED_HINT) in sanitized
    for words in ("Trust Notebook", "re-run this cell", "File > Trust", "VS Code", "GitHub",
                  "Colab"):
        assert escape(words) in sanitized
    bundle = animation._repr_mimebundle_()
    assert UNTRUSTED_HINT in bundle["text/plain"] and bundle["text/html"].startswith("<div")


def test_counters_name_the_step_the_caption_shows():
    from autograd_lite.viz import animate_backward

    animation = animate_backward(twenty_nodes())
    (data,) = re.findall(r'class="agl-frames">(.*?)</script>', animation.to_html(), flags=re.S)
    frames = json.loads(data)
    total = len(animation.steps)
    assert frames[0]["counter"] == f"start, step 0 of {total}"
    for frame in frames[1:]:
        assert frame["caption"].startswith(frame["counter"] + ":")
