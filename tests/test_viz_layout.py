"""Layouts that follow the code: operands in operand order, inputs in the order they were
made, constants beside their op, and no edge crossing that another order would avoid.

Each drawing is laid out by Graphviz (``plain`` output: every node's centre) and checked on
the positions. In a left-to-right layout, "before" means above: a larger y (plain's y grows
upwards).
"""

from __future__ import annotations

import itertools

import pytest

from autograd_lite import Value
from autograd_lite.viz import draw_dot
from autograd_lite.viz.renderers import available_renderers, render_source
from tests.seed_graphs import mazur_network, named

pytestmark = pytest.mark.skipif(not available_renderers(), reason="needs a Graphviz renderer")


def lecture_neuron():
    """micrograd's lecture neuron: ``x1*w1 + x2*w2 + b``, then tanh."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1, x2w2 = named(x1 * w1, "x1*w1"), named(x2 * w2, "x2*w2")
    s = named(x1w1 + x2w2, "x1*w1 + x2*w2")
    o = named(named(s + b, "n").tanh(), "o")
    o.backward()
    return o


def mazur():
    """Mazur's 2-2-2 network, built as notebook 02 builds it, after backward()."""
    total = mazur_network()
    total.backward()
    return total


class Layout:
    """A drawing laid out by Graphviz: node centres, edges, and the record of each Value.

    A Value's record is found by its text (label and data); its op is the record's id with
    ``op`` appended, and the constant in operand position ``k`` is the id with ``ck``."""

    def __init__(self, root, **options):
        options = {"max_width": None, "max_height": None, "fmt": ".6f", **options}
        self.source = draw_dot(root, **options).source
        self.centre = {}
        self.edges = []
        for line in render_source(self.source, "plain").decode("utf-8").splitlines():
            fields = line.split()
            if fields[0] == "node":
                self.centre[fields[1]] = (float(fields[2]), float(fields[3]))
            elif fields[0] == "edge":
                self.edges.append((fields[1], fields[2]))
        # a record's text, without the braces that turn its fields in a left-to-right layout
        records = [line.strip().replace('label="{ ', 'label="').split(" ", 1)
                   for line in self.source.splitlines() if "shape=record" in line]
        self.values = _values(root)
        self.id = {}
        for value in self.values:
            text = (f"{value.label} | " if value.label else 'label="') + f"data {value.data:.6f} "
            found = [nid for nid, rest in records if text in rest]
            assert len(found) == 1, (text, found)
            self.id[value] = found[0]

    def y(self, node):
        return self.centre[self.id[node] if isinstance(node, Value) else node][1]

    def operand_ids(self, value):
        return [self.id[o] if isinstance(o, Value) else f"{self.id[value]}c{k}"
                for k, o in enumerate(value._operands)]

    def ranks(self):
        """Node ids grouped by rank: the same x in a left-to-right layout."""
        groups = {}
        for nid, (x, _) in self.centre.items():
            groups.setdefault(round(x, 1), []).append(nid)
        return list(groups.values())


def _values(root):
    """Every Value of root's graph, each once."""
    seen, stack = [], [root]
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.append(node)
            stack.extend(node._prev)
    return seen


def _crosses(p, q, r, s):
    def side(a, b, c):
        v = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
        return (v > 1e-9) - (v < -1e-9)
    return side(p, q, r) * side(p, q, s) < 0 and side(r, s, p) * side(r, s, q) < 0


def crossings(centre, edges):
    """Pairs of edges, drawn as straight segments between node centres, that cross."""
    return sum(_crosses(centre[a], centre[b], centre[c], centre[d])
               for (a, b), (c, d) in itertools.combinations(edges, 2)
               if len({a, b, c, d}) == 4)


def out_of_order(layout, centre=None):
    """The ops whose operands (Values and constants) do not run top to bottom in operand
    order: each must be above the next."""
    centre = layout.centre if centre is None else centre
    wrong = []
    for value in layout.values:
        if value._op and len(value._operands) > 1:
            ys = [centre[nid][1] for nid in dict.fromkeys(layout.operand_ids(value))]
            if any(a <= b for a, b in itertools.pairwise(ys)):
                wrong.append(value.label or value._op)
    return wrong


def fewest_crossings_by_one_swap(layout):
    """The fewest crossings that swapping two nodes of one rank (their centres) gives, among
    the swaps that keep every op's operands in order."""
    best = crossings(layout.centre, layout.edges)
    for rank in layout.ranks():
        for a, b in itertools.combinations(rank, 2):
            centre = dict(layout.centre)
            centre[a], centre[b] = layout.centre[b], layout.centre[a]
            if not out_of_order(layout, centre):
                best = min(best, crossings(centre, layout.edges))
    return best


def test_the_lecture_neuron_reads_like_its_code_with_no_crossing():
    o = lecture_neuron()
    layout = Layout(o)
    assert out_of_order(layout) == []
    by_label = {v.label: v for v in layout.values}
    # inputs in the order of the code: x1, w1 (x1*w1), then x2, w2, with b last
    ys = [layout.y(by_label[name]) for name in ("x1", "w1", "x2", "w2")]
    assert ys == sorted(ys, reverse=True)
    assert layout.y(by_label["x1*w1"]) > layout.y(by_label["x2*w2"])
    assert layout.y(by_label["x1*w1 + x2*w2"]) > layout.y(by_label["b"])
    assert crossings(layout.centre, layout.edges) == 0


def test_mazur_s_network_keeps_every_operand_in_order_and_h1_before_h2():
    layout = Layout(mazur())
    assert out_of_order(layout) == []
    by_label = {v.label: v for v in layout.values if v.label}
    for first, second in [("i1", "i2"), ("net_h1", "net_h2"), ("out_h1", "out_h2"),
                          ("net_o1", "net_o2"), ("out_o1", "out_o2"), ("E_o1", "E_o2")]:
        assert layout.y(by_label[first]) > layout.y(by_label[second]), (first, second)


def test_constants_sit_next_to_the_operands_of_their_op_in_operand_order():
    """``0.5 * (0.01 - o1) ** 2``: 0.01 above o1 (a - b), the 2 below its base (a ** b),
    0.5 above the square; each constant on the rank of its op's other operand."""
    layout = Layout(mazur())
    for value in layout.values:
        if value._op and any(not isinstance(o, Value) for o in value._operands):
            ids = layout.operand_ids(value)
            xs = {round(layout.centre[nid][0], 1) for nid in ids}
            assert len(xs) == 1, (value, ids)  # all operands on one rank
    assert out_of_order(layout) == []


def test_mazur_s_network_has_no_crossing_that_another_order_of_a_rank_would_avoid():
    """Zero crossings is impossible here with operands in order: w5..w8 connect out_h1 and
    out_h2 to both output neurons, i1 and i2 feed both hidden ones, and the shared bias must
    come after the two products of each sum. So the check is that the layout is a local
    minimum: no swap of two nodes of one rank (keeping operands in order) gives fewer
    crossings of the straight segments between node centres."""
    layout = Layout(mazur())
    assert crossings(layout.centre, layout.edges) == fewest_crossings_by_one_swap(layout)


@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_the_lecture_neuron_reads_like_its_code_in_either_direction(rankdir):
    """Top to bottom, "before" is left: x grows to the right, so -x plays the part of y."""
    layout = Layout(lecture_neuron(), rankdir=rankdir)
    if rankdir == "TB":
        layout.centre = {nid: (y, -x) for nid, (x, y) in layout.centre.items()}
    assert out_of_order(layout) == []
    assert crossings(layout.centre, layout.edges) == 0
