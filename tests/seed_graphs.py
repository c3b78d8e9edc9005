"""Graphs of the course's seed examples, built as the notebooks build them, for the drawing
tests (layout and browser)."""

from autograd_lite import Value


def named(value, label):
    value.label = label
    return value


def mazur_network():
    """Mazur's 2-2-2 network as notebook 02 builds it (one bias per layer): its total error,
    before any backward pass."""
    def prod(w, a):
        return named(w * a, f"{w.label}*{a.label}")

    start = {"w1": 0.15, "w2": 0.20, "w3": 0.25, "w4": 0.30, "w5": 0.40, "w6": 0.45,
             "w7": 0.50, "w8": 0.55, "b1": 0.35, "b2": 0.60}
    p = {name: Value(v, label=name) for name, v in start.items()}
    i1, i2 = named(Value(0.05), "i1"), named(Value(0.10), "i2")
    net_h1 = named(Value.sum([prod(p["w1"], i1), prod(p["w2"], i2), p["b1"]]), "net_h1")
    net_h2 = named(Value.sum([prod(p["w3"], i1), prod(p["w4"], i2), p["b1"]]), "net_h2")
    h1, h2 = named(net_h1.sigmoid(), "out_h1"), named(net_h2.sigmoid(), "out_h2")
    net_o1 = named(Value.sum([prod(p["w5"], h1), prod(p["w6"], h2), p["b2"]]), "net_o1")
    net_o2 = named(Value.sum([prod(p["w7"], h1), prod(p["w8"], h2), p["b2"]]), "net_o2")
    o1, o2 = named(net_o1.sigmoid(), "out_o1"), named(net_o2.sigmoid(), "out_o2")
    e1 = named(0.5 * (0.01 - o1) ** 2, "E_o1")
    e2 = named(0.5 * (0.99 - o2) ** 2, "E_o2")
    return named(e1 + e2, "E_total")
