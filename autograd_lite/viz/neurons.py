"""Draw a network at the level of neurons: one box per neuron, its inputs and its output.

A graph of a model is too big to draw op by op (an ``MLP(2, [16, 16, 1])`` has about 1,000
Values), but its neurons fit on one screen. ``draw_dot(root, level="neuron")`` finds them by
the labels that ``nn`` gives (a neuron's output is ``L1.n4``, its weights ``L1.n4.w1``, ...,
its bias ``L1.n4.b``; a lone ``Neuron``'s output is ``out``) and draws each as one record
(label, data, grad), with an edge from each of its inputs: the neurons of the layer before,
or the model's inputs ``x1``, ``x2``, ... (numbers or Values) for the first layer. The ops
inside a neuron (products, the sum, the activation) are not drawn.

>>> import nn
>>> from autograd_lite.viz import draw_dot
>>> model = nn.MLP(2, [3, 1], seed=0)
>>> score = model([0.5, -1.0])
>>> source = draw_dot(score, level="neuron").source
>>> source.count("shape=record")   # 2 inputs, 3 hidden neurons, 1 output
6
"""

from __future__ import annotations

import re
from typing import Any

from ..engine import Value, value_of
from .images import _PX_PER_INCH, ValueGraph
from .stepthrough import format_number

_NEURON = re.compile(r"^(?:.*\.)?(?:n\d+|out)$")  # L1.n4, n4 (a Layer), out (a Neuron)
_WEIGHT = re.compile(r"^(?P<neuron>.*?)\.?w(?P<k>\d+)$")  # L1.n4.w2 -> neuron L1.n4, input 2


def _is_neuron(node: Value) -> bool:
    return bool(node._op) and node.label is not None and bool(_NEURON.match(node.label))


def _all_nodes(root: Value) -> list[Value]:
    seen, order, stack = {id(root)}, [root], [root]
    while stack:
        node = stack.pop()
        for operand in node._operands:
            if isinstance(operand, Value) and id(operand) not in seen:
                seen.add(id(operand))
                order.append(operand)
                stack.append(operand)
    return order


def _inputs_of(unit: Value) -> list[tuple[str, Any]]:
    """What feeds ``unit``: ("neuron", Value), or ("value", (k, Value)) and ("number", (k, x))
    for its input k given as a Value or as the number x."""
    found: list[tuple[str, Any]] = []
    seen: set[int] = set()
    stack = [unit]
    while stack:
        node = stack.pop()
        operands = list(node._operands)
        weight = next((o for o in operands if isinstance(o, Value) and o.label
                       and _WEIGHT.match(o.label)), None)
        for operand in reversed(operands):
            if operand is weight:
                continue
            match = _WEIGHT.match(weight.label) if weight is not None and weight.label else None
            if not isinstance(operand, Value):  # an input given as a number: w_k * x_k
                if node._op == "*" and match:
                    found.append(("number", (int(match["k"]), operand)))
                continue
            if id(operand) in seen:
                continue
            seen.add(id(operand))
            if _is_neuron(operand):
                found.append(("neuron", operand))
            elif not operand._op:  # a leaf: an input when a weight multiplies it, else a bias
                if node._op == "*" and match:
                    found.append(("value", (int(match["k"]), operand)))
            else:
                stack.append(operand)
    return found


def neuron_graph(root: Value, *, fmt: str, show_grad: bool, rankdir: str,
                 max_width: float | None, max_height: float | None,
                 grad_of: Any) -> ValueGraph:
    """The Digraph of ``draw_dot(root, level="neuron")``; see the module's docstring."""
    units = [node for node in _all_nodes(root) if _is_neuron(node)]
    if not units:
        raise ValueError("draw_dot(level='neuron'): no Value of this graph is labelled as a "
                         "neuron's output (nn's modules label them, e.g. 'L1.n4'); draw it op "
                         "by op with level='op'")
    if root not in units:
        units.insert(0, root)
    # ordering=out: each box's out-edges keep the order they are written in, so every layer
    # reads in the order the model made it (L1.n1 above L1.n2 in LR)
    graph_attr = {"rankdir": rankdir, "ranksep": "0.9", "ordering": "out"}
    if max_width is not None:
        high = 1000.0 if max_height is None else max_height / _PX_PER_INCH
        graph_attr["size"] = f"{max_width / _PX_PER_INCH:.4g},{high:.4g}"
    dot = ValueGraph(format="svg", graph_attr=graph_attr, node_attr={"fontsize": "12"})
    across = rankdir in ("LR", "RL")  # a record's fields in a row: short ranks of many neurons

    def record(name: str, label: str, node_data: Any, grad: Any | None) -> None:
        fields = [label, f"data {format_number(value_of(node_data), fmt)}"]
        if grad is not None and show_grad:
            fields.append(f"grad {format_number(value_of(grad), fmt)}")
        text = " | ".join(f.replace("|", "\\|").replace("{", "\\{").replace("}", "\\}")
                          for f in fields)
        dot.node(name, f"{{ {text} }}" if across else text, shape="record")

    units.sort(key=lambda node: _natural(node.label or ""))  # L1.n1, L1.n2, ..., L1.n10, L2.n1
    ids = {node: f"u{i}" for i, node in enumerate(units)}
    feeds = {node: _inputs_of(node) for node in units}
    # Nodes first, in the order the model made them (inputs, then layer by layer), so that
    # Graphviz keeps that order within each rank; then the edges.
    inputs: dict[str, tuple[int, str, Any, Any]] = {}  # name -> (k, label, data, grad)
    for node in units:
        for kind, source in feeds[node]:
            if kind == "number":
                k, number = source
                inputs.setdefault(f"x{k}", (k, f"x{k}", number, None))
            elif kind == "value":
                k, value = source
                inputs.setdefault(f"v{id(value)}", (k, value.label or f"x{k}", value.data,
                                                    grad_of(value)))
    for name, (_, *shown) in sorted(inputs.items(), key=lambda item: item[1][0]):
        record(name, *shown)
    for node in units:
        record(ids[node], node.label or "output", node.data, grad_of(node))
    for node in units:
        for kind, source in sorted(feeds[node], key=lambda f: _input_order(f, ids)):
            tail = (f"x{source[0]}" if kind == "number" else
                    f"v{id(source[1])}" if kind == "value" else ids[source])
            dot.edge(tail, ids[node])
    return dot


def _natural(text: str) -> list[Any]:
    """``L1.n10`` after ``L1.n9``: digits compare as numbers."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def _input_order(feed: tuple[str, Any], ids: dict[Value, str]) -> list[Any]:
    kind, source = feed
    if kind == "number":
        return [0, source[0]]
    if kind == "value":
        return [0, source[0]]
    return [2, _natural(source.label or "")]
