"""Modules: ``Module``, ``Neuron``, ``Layer`` and ``MLP``, with micrograd's signatures.

A model is plain Python objects holding ``Value`` parameters; its forward pass is ordinary
Value arithmetic, so it can be drawn, stepped through and gradient-checked like any expression.

>>> from nn import MLP
>>> model = MLP(2, [16, 16, 1], seed=0)   # ReLU hidden layers, linear output, as micrograd
>>> score = model([0.5, -1.0])            # one output: a Value
>>> score.backward()
>>> len(model.parameters())
337
"""

from __future__ import annotations

import functools
import itertools
import numbers
import operator
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from autograd_lite import Value

from ._checks import boolean, data, got, integer, is_real, ordered, parameter_count, show
from .init import RandomSource, init_bound, make_rng

__all__ = ["ACTIVATIONS", "Module", "Neuron", "Layer", "MLP", "short_name"]

#: Activation names and the Value method each applies (``None``: the identity).
ACTIVATIONS: dict[str, Callable[[Value], Value] | None] = {
    "relu": Value.relu,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "linear": None,
}

_mul = operator.mul
Input = Sequence[Value | float]
_INPUTS = "a sequence of numbers or Values (a list or tuple)"


def _check_activation(name: object, argument: str = "activation") -> str:
    if not isinstance(name, str):
        raise TypeError(f"{argument} must be an activation name ({', '.join(ACTIVATIONS)}), "
                        f"got {got(name)}")
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown {argument} {name!r}; choose from {', '.join(ACTIVATIONS)}")
    return name


def _check_size(what: str, n: object) -> int:
    return integer(what, n, low=1)


def _as_inputs(x: Any, who: str) -> Sequence[Any]:
    """Any input other than a list or tuple: a lone Value or number, or another sequence."""
    if isinstance(x, Value | numbers.Real):
        return (x,)
    return tuple(ordered(f"{who} input", x, _INPUTS))


def _input_error(who: str, x: Sequence[Any], error: TypeError) -> TypeError:
    """The error to raise when the forward pass on ``x`` failed with ``error``: one naming
    the first input that is not a number or a Value, else ``error`` itself."""
    for i, xi in enumerate(x):
        if type(xi) is not Value and not isinstance(xi, numbers.Real):
            return TypeError(f"{who} input x[{i}] must be a number or a Value, got {got(xi)}")
    return error


def _wrong_size(who: str, expected: int, actual: int) -> ValueError:
    return ValueError(f"{who} expects {expected} input(s), got {actual}")


# Containers whose items are counted in labels under a one-letter name.
_SHORT = {"layers": "L", "neurons": "n"}


def short_name(name: str) -> str:
    """The label form of a ``named_parameters()`` name: short, counted from 1.

    A name followed by an index becomes one word with the index plus one (``w.1`` -> ``w2``),
    and ``layers`` and ``neurons`` shorten to ``L`` and ``n``: layer 1, neuron 4, weight 2 read
    as they would on a blackboard (the dotted names stay 0-based, as PyTorch's do).

    >>> short_name("layers.0.neurons.3.w.1"), short_name("layers.2.neurons.0.b")
    ('L1.n4.w2', 'L3.n1.b')
    >>> short_name("blocks.1.k"), short_name("")
    ('blocks2.k', '')
    """
    words: list[str] = []
    for part in name.split(".") if name else ():
        if part.isdigit() and words:
            word = _SHORT.get(words[-1], words[-1])
            # a list of lists: w.0.1 -> w1_2, not w12
            words[-1] = f"{word}{'_' if word[-1].isdigit() else ''}{int(part) + 1}"
        else:
            words.append(part)
    return ".".join(words)


class Module:
    """Base class of everything with parameters, with PyTorch's vocabulary.

    Parameters are found by walking the object's attributes in the order they were set:
    a ``Value`` is a parameter, a ``Module`` is a sub-module, and lists or tuples of them are
    numbered. Attributes whose name starts with ``_`` are skipped. So a subclass only has to
    assign its Values and sub-modules in ``__init__``:

    >>> from autograd_lite import Value
    >>> class Scale(Module):
    ...     def __init__(self):
    ...         self.k = Value(2.0)
    ...     def __call__(self, x):
    ...         return self.k * x
    >>> [name for name, _ in Scale().named_parameters()]
    ['k']

    **Labels.** When the outermost ``__init__`` of a module returns, every parameter without
    a label of its own gets the short form of its ``named_parameters()`` name as its
    ``label`` (see ``short_name``: ``layers.0.neurons.3.w.1`` is labelled ``L1.n4.w2``), so
    drawings, step-through captions and errors name it. A label you set yourself, before or
    after, is never replaced: only labels the library gave are renamed (when a module becomes
    part of a bigger one). Call ``label_parameters()`` again after adding parameters later.

    >>> Scale().k.label
    'k'
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is None:
            return

        @functools.wraps(init)
        def labelled_init(self: Module, *args: Any, **kw: Any) -> None:
            init(self, *args, **kw)
            # Only the outermost __init__ labels: a subclass's own __init__ may still add
            # parameters after calling super().__init__().
            if type(self).__init__ is labelled_init:
                self.label_parameters()

        cls.__init__ = labelled_init  # type: ignore[method-assign,assignment]

    def label_parameters(self) -> None:
        """Label every parameter and sub-module output from ``named_parameters()`` names.

        A parameter is labelled ``short_name(name)`` unless its label is its own: one the
        user set, as opposed to the one a sub-module gave it when it was built. Neurons also
        name their outputs (``L1.n4``) and pre-activations (``L1.n4.z``). Called when a
        module is built; call it again after adding parameters.

        >>> from nn import MLP
        >>> model = MLP(2, [3, 1], seed=0)
        >>> [p.label for p in model.parameters()][:3], model([1.0, 2.0]).label
        (['L1.n1.w1', 'L1.n1.w2', 'L1.n1.b'], 'L2.n1')
        """
        given: dict[int, str] = {}  # the labels sub-modules gave, which are ours to rename
        for _, child in self.named_children():
            for name, p in child.named_parameters():
                given.setdefault(id(p), short_name(name))
        for name, p in self.named_parameters():
            if p.label is None or p.label == given.get(id(p)):
                p.label = short_name(name)
        self._rename("")

    def _rename(self, name: str) -> None:
        """Take ``name`` (a dotted path, "" for the outermost module) as this module's name,
        for the labels of its outputs; sub-modules take theirs below it."""
        for child_name, child in self.named_children():
            child._rename(f"{name}.{child_name}" if name else child_name)

    def named_parameters(self, prefix: str = "") -> list[tuple[str, Value]]:
        """``(name, parameter)`` pairs with stable dotted names, in ``parameters()`` order.

        >>> from nn import MLP
        >>> [n for n, _ in MLP(1, [2, 1], seed=0).named_parameters()][:3]
        ['layers.0.neurons.0.w.0', 'layers.0.neurons.0.b', 'layers.0.neurons.1.w.0']
        """
        pairs: list[tuple[str, Value]] = []
        seen: set[int] = set()
        for name, obj in self._attributes():
            _collect(prefix + name, obj, pairs, seen)
        return pairs

    def parameters(self) -> list[Value]:
        """All parameters (Values), each once, in a stable order."""
        return [p for _, p in self.named_parameters()]

    def named_children(self) -> list[tuple[str, Module]]:
        """The direct sub-modules with their names (``'layers.0'``, ...)."""
        children: list[tuple[str, Module]] = []
        for name, obj in self._attributes():
            if isinstance(obj, Module):
                children.append((name, obj))
            elif isinstance(obj, list | tuple):
                children += [(f"{name}.{i}", m) for i, m in enumerate(obj)
                             if isinstance(m, Module)]
        return children

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0.0 (``backward()`` accumulates)."""
        for p in self.parameters():
            p.grad = 0.0

    def state_dict(self) -> dict[str, float]:
        """The parameters' values as ``{name: float}``, in ``named_parameters()`` order.

        >>> from nn import Neuron
        >>> Neuron(2, seed=0).state_dict().keys()
        dict_keys(['w.0', 'w.1', 'b'])
        """
        return {name: data(f"parameter {name!r}", p.data)
                for name, p in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, float]) -> None:
        """Set the parameters' values from ``state`` (as made by ``state_dict()``).

        All or nothing: every entry is checked first, and only then are the parameters set.
        The names must match exactly and every value must be a real number that fits in a
        float (ints, floats, NumPy scalars; not bools); otherwise ``ValueError`` names the
        missing, unexpected or bad entries and no parameter changes.

        >>> from nn import Neuron
        >>> n = Neuron(2, seed=0)
        >>> n.load_state_dict({"w.0": 1.0, "w.1": 2, "b": 10 ** 400})
        Traceback (most recent call last):
        ValueError: cannot load state into Neuron(...): 'b' is too large for a float: 1000...
        >>> n.state_dict() == Neuron(2, seed=0).state_dict()
        True
        """
        if not isinstance(state, Mapping):
            raise TypeError(f"state must be a mapping of name -> float, got {got(state)}")
        params = self.named_parameters()
        problems = _compare_names([n for n, _ in params], list(state))
        values: dict[str, float] = {}
        bad: list[str] = []
        for name, value in state.items():
            if not is_real(value):
                bad.append(f"{name!r} must be a number, got {type(value).__name__}")
                continue
            try:
                values[name] = float(value)
            except OverflowError:
                bad.append(f"{name!r} is too large for a float: {show(value)}")
        if bad:
            more = f" and {len(bad) - _SHOWN} more" if len(bad) > _SHOWN else ""
            problems.append("; ".join(bad[:_SHOWN]) + more)
        if problems:
            raise ValueError(f"cannot load state into {self._summary()}: " + "; ".join(problems))
        for name, p in params:  # every value is checked: from here on nothing can fail
            p.data = values[name]

    def __call__(self, x: Any) -> Any:
        """The forward pass: subclasses define it."""
        raise NotImplementedError(f"{type(self).__name__} does not define __call__")

    def extra_repr(self) -> str:
        """The text inside the parentheses of ``repr``; override to describe a module."""
        return ""

    def __repr__(self) -> str:
        children = self.named_children()
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = [f"{type(self).__name__}({self.extra_repr()}"]
        for name, child in children:
            text = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {text}")
        lines.append(")")
        return "\n".join(lines)

    def _summary(self) -> str:
        return f"{type(self).__name__}({self.extra_repr()})"

    def _attributes(self) -> Iterator[tuple[str, Any]]:
        return ((k, v) for k, v in vars(self).items() if not k.startswith("_"))


def _collect(name: str, obj: Any, pairs: list[tuple[str, Value]], seen: set[int]) -> None:
    if type(obj) is Value:
        if id(obj) not in seen:
            seen.add(id(obj))
            pairs.append((name, obj))
    elif isinstance(obj, Module):
        for sub, p in obj.named_parameters(name + "."):
            if id(p) not in seen:
                seen.add(id(p))
                pairs.append((sub, p))
    elif isinstance(obj, list | tuple):
        for i, item in enumerate(obj):
            _collect(f"{name}.{i}", item, pairs, seen)


_SHOWN = 5  # bad entries named in one message


def _compare_names(expected: list[str], given: list[str], limit: int = _SHOWN) -> list[str]:
    """Messages naming the missing and unexpected names (at most ``limit`` of each)."""
    problems = []
    given_set, expected_set = set(given), set(expected)
    for what, names in (("missing", [n for n in expected if n not in given_set]),
                        ("unexpected", [n for n in given if n not in expected_set])):
        if names:
            shown = ", ".join(repr(n) for n in names[:limit])
            more = f" and {len(names) - limit} more" if len(names) > limit else ""
            problems.append(f"{what} parameter(s) {shown}{more}")
    return problems


class Neuron(Module):
    """One neuron: ``activation(b + w0*x0 + w1*x1 + ...)``.

    ``Neuron(nin, nonlin=True)`` is micrograd's: ReLU, or linear with ``nonlin=False``.
    ``activation`` (``'relu'``, ``'tanh'``, ``'sigmoid'``, ``'linear'``) overrides ``nonlin``.
    Weights are drawn from ``U(-a, a)`` with ``a`` from ``init`` (see ``nn.init``; the default
    ``'uniform'`` is micrograd's ``U(-1, 1)``) and the bias is 0.0. Random numbers come from
    ``seed`` or ``rng``, else from the module-level ``random`` as in micrograd.

    Calling it on ``nin`` inputs (numbers or Values; numbers are constants) returns a Value.
    The pre-activation is a single ``sum`` node over ``(b, w0*x0, w1*x1, ...)``, equal bit for
    bit to micrograd's ``sum((wi*xi for ...), b)``.

    Labels (see ``Module``): the weights ``w1, w2, ...`` and the bias ``b``; each output is
    labelled ``out`` and its pre-activation ``z``. Inside a layer or an MLP they take the
    neuron's place in front: ``L1.n4.w2``, ``L1.n4.b``, the output ``L1.n4`` and the
    pre-activation ``L1.n4.z`` (layers and neurons counted from 1). A label set on an output
    after the call stays.

    >>> n = Neuron(2, activation="tanh", seed=0)
    >>> out = n([1.0, -2.0])
    >>> out._op, out._prev[0]._op
    ('tanh', 'sum')
    >>> out.label, out._prev[0].label, [p.label for p in n.parameters()]
    ('out', 'z', ['w1', 'w2', 'b'])
    """

    def __init__(self, nin: int, nonlin: bool = True, *, activation: str | None = None,
                 init: str | float = "uniform", seed: int | None = None,
                 rng: RandomSource | None = None) -> None:
        _check_size("nin", nin)
        parameter_count(f"Neuron({nin})", nin + 1)
        boolean("nonlin", nonlin)
        activation = _check_activation(
            activation if activation is not None else ("relu" if nonlin else "linear"))
        source = make_rng(seed, rng)
        bound = init_bound(init, nin, 1)
        self.w = [Value(source.uniform(-bound, bound)) for _ in range(nin)]
        self.b = Value(0.0)
        self.activation = activation
        self._act = ACTIVATIONS[activation]
        self._rename("")

    def _rename(self, name: str) -> None:
        # The labels of each call's output and pre-activation, made once here: the forward
        # pass only stores them (one attribute store per node).
        short = short_name(name)
        self._out_label = short or "out"
        self._z_label = f"{short}.z" if short else "z"

    @property
    def nin(self) -> int:
        """The number of inputs."""
        return len(self.w)

    @property
    def nonlin(self) -> bool:
        """True unless the activation is ``'linear'`` (micrograd's attribute)."""
        return self.activation != "linear"

    def __call__(self, x: Input) -> Value:
        if type(x) is not list and type(x) is not tuple:
            x = _as_inputs(x, "Neuron")
        w = self.w
        if len(x) != len(w):
            raise _wrong_size("Neuron", len(w), len(x))
        try:  # the inputs are checked only when something fails: this is the hot path
            act = Value.sum((self.b, *map(_mul, w, x)))
        except TypeError as error:
            raise _input_error("Neuron", x, error) from None
        f = self._act
        if f is None:
            act.label = self._out_label
            return act
        act.label = self._z_label
        out = f(act)
        out.label = self._out_label
        return out

    def parameters(self) -> list[Value]:
        """The weights, then the bias (micrograd's order)."""
        return [*self.w, self.b]

    def architecture(self) -> dict[str, Any]:
        """What is needed to rebuild this neuron (without its parameter values)."""
        return {"type": "Neuron", "nin": self.nin, "activation": self.activation}

    def extra_repr(self) -> str:
        return f"nin={self.nin}, activation={self.activation!r}"


class Layer(Module):
    """``nout`` neurons that see the same ``nin`` inputs.

    ``Layer(nin, nout, nonlin=True)`` is micrograd's; ``activation``, ``init``, ``seed`` and
    ``rng`` are as for ``Neuron`` (for ``'xavier'``, ``fan_out`` is ``nout``).

    Calling it follows micrograd's convention: **a Value when** ``nout == 1``, **else a list of
    nout Values**. ``outputs(x)`` always returns a list. The input may also be a lone Value or
    number when ``nin == 1``, so layers of one neuron can be chained.

    Labels (see ``Module``): neuron ``j``'s parameters are ``nj.w1, nj.w2, ..., nj.b`` and
    its output ``nj`` (counted from 1).

    >>> layer = Layer(2, 3, seed=0)
    >>> len(layer([1.0, 2.0])), type(Layer(2, 1, seed=0)([1.0, 2.0])).__name__
    (3, 'Value')
    >>> [out.label for out in layer([1.0, 2.0])]
    ['n1', 'n2', 'n3']
    """

    def __init__(self, nin: int, nout: int, nonlin: bool = True, *,
                 activation: str | None = None, init: str | float = "uniform",
                 seed: int | None = None, rng: RandomSource | None = None) -> None:
        _check_size("nin", nin)
        _check_size("nout", nout)
        parameter_count(f"Layer({nin}, {nout})", (nin + 1) * nout)
        boolean("nonlin", nonlin)
        source = make_rng(seed, rng)
        bound = init_bound(init, nin, nout)
        self.neurons = [Neuron(nin, nonlin, activation=activation, init=bound, rng=source)
                        for _ in range(nout)]
        self.nin = nin
        self.nout = nout
        self.activation = self.neurons[0].activation

    def outputs(self, x: Input) -> list[Value]:
        """The outputs as a list, whatever ``nout`` is."""
        if type(x) is not list and type(x) is not tuple:
            x = _as_inputs(x, "Layer")
        if len(x) != self.nin:
            raise _wrong_size("Layer", self.nin, len(x))
        try:
            return [n(x) for n in self.neurons]
        except TypeError as error:
            raise _input_error("Layer", x, error) from None

    def __call__(self, x: Input) -> Value | list[Value]:
        out = self.outputs(x)
        return out[0] if len(out) == 1 else out

    def parameters(self) -> list[Value]:
        """Neuron by neuron, each neuron's weights then its bias (micrograd's order)."""
        return [p for n in self.neurons for p in (*n.w, n.b)]

    def architecture(self) -> dict[str, Any]:
        """What is needed to rebuild this layer (without its parameter values)."""
        return {"type": "Layer", "nin": self.nin, "nout": self.nout,
                "activation": self.activation}

    def extra_repr(self) -> str:
        return f"nin={self.nin}, nout={self.nout}, activation={self.activation!r}"

    def __repr__(self) -> str:  # one line: listing every neuron would drown the structure
        return self._summary()


class MLP(Module):
    """A multi-layer perceptron: layers of sizes ``nouts`` on ``nin`` inputs.

    ``MLP(nin, nouts)`` is micrograd's: ReLU on the hidden layers, a linear output layer.
    ``activation`` names the hidden layers' activation and ``output_activation`` the output
    layer's (default ``'linear'``); or give ``activation`` a list with one name per layer
    (output included). ``init``, ``seed`` and ``rng`` are as for ``Neuron``; the weights are
    drawn layer by layer, neuron by neuron, so ``random.seed(1337); MLP(2, [16, 16, 1])``
    gives micrograd's weights.

    Calling it returns **a Value when the last layer has one output, else a list** (micrograd's
    convention); ``outputs(x)`` always returns a list. Hidden layers always pass lists, so
    ``MLP(2, [16, 1, 1])`` works.

    Arguments are checked before anything is built: sizes are ints >= 1, activations known
    names (checked even where no layer uses them, as ``activation`` with ``nouts=[1]``), and
    ``init`` a scheme or a finite bound. An input that is not a sequence of numbers or Values
    raises ``TypeError`` naming it (``MLP input x[1] must be a number or a Value, got 'b'``).

    Labels (see ``Module``), counted from 1 as on a blackboard: ``L1.n4.w2`` is weight 2 of
    neuron 4 of layer 1 (``named_parameters()``: ``layers.0.neurons.3.w.1``), ``L1.n4.b`` its
    bias; each call's outputs are labelled by neuron (``L1.n4``; the model's output is
    ``L3.n1`` for ``MLP(2, [16, 16, 1])``) and pre-activations ``L1.n4.z`` (not for a linear
    neuron, whose output is its sum). Labels are not saved with a model: a loaded model gets
    them as it is built.

    >>> model = MLP(2, [4, 3], activation="tanh", seed=0)
    >>> model
    MLP(nin=2, nouts=[4, 3], activations=['tanh', 'linear']
      (layers.0): Layer(nin=2, nout=4, activation='tanh')
      (layers.1): Layer(nin=4, nout=3, activation='linear')
    )
    >>> len(model([0.5, -1.0]))
    3

    **Following the lecture? Use** ``activation="tanh"``. The lecture's neurons use tanh; the
    default here, as in micrograd, is ReLU, and with it the lecture's loop (``MLP(3, [4, 4,
    1])``, 20 steps of ``p.data += -0.05 * p.grad``) mostly does not learn: a ReLU whose input
    is negative for every example outputs 0 and passes back a gradient of 0, and once a whole
    hidden layer is "dead" only the output's bias moves, so the loss stays at 4.0 (predicting
    0 for everything). Measured over the seeds 0 to 9, ReLU leaves the loss above 2.5 for 8
    seeds (4.0 for 4 of them); tanh brings it below 0.1 for all 10:

    >>> xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    >>> ys = [1.0, -1.0, -1.0, 1.0]
    >>> def lecture(model):
    ...     for k in range(20):
    ...         loss = sum((model(x) - y) ** 2 for x, y in zip(xs, ys))
    ...         model.zero_grad()
    ...         loss.backward()
    ...         for p in model.parameters():
    ...             p.data += -0.05 * p.grad
    ...     return round(loss.data, 4)
    >>> lecture(MLP(3, [4, 4, 1], seed=0))                      # ReLU, the default: stuck
    4.0
    >>> lecture(MLP(3, [4, 4, 1], activation="tanh", seed=0))   # the lecture's tanh: learns
    0.0006
    """

    def __init__(self, nin: int, nouts: Sequence[int], *,
                 activation: str | Sequence[str] = "relu",
                 output_activation: str | None = None, init: str | float = "uniform",
                 seed: int | None = None, rng: RandomSource | None = None) -> None:
        _check_size("nin", nin)
        nouts = ordered("nouts", nouts, "a list of layer sizes such as [16, 16, 1]")
        nouts = [_check_size(f"nouts[{i}]", n) for i, n in enumerate(nouts)]
        if not nouts:
            raise ValueError("nouts must name at least one layer size, got []")
        sizes = [nin, *nouts]
        parameter_count(f"MLP({nin}, {show(nouts)})",
                        sum((a + 1) * b for a, b in itertools.pairwise(sizes)))
        if isinstance(activation, str):
            # checked even when there is no hidden layer to apply it to
            hidden = _check_activation(activation)
            output = ("linear" if output_activation is None
                      else _check_activation(output_activation, "output_activation"))
            activations = [hidden] * (len(nouts) - 1) + [output]
        else:
            names = ordered("activation", activation, "an activation name or a list of them")
            if output_activation is not None:
                raise ValueError("give output_activation or a list of activations, not both")
            if len(names) != len(nouts):
                raise ValueError(f"activation lists {len(names)} name(s) for "
                                 f"{len(nouts)} layers")
            activations = [_check_activation(a, f"activation[{i}]") for i, a in enumerate(names)]
        init_bound(init, nin, nouts[0])  # a bad init fails before any weight is drawn
        source = make_rng(seed, rng)
        sizes = [nin, *nouts]
        self.layers = [Layer(sizes[i], sizes[i + 1], activation=act, init=init, rng=source)
                       for i, act in enumerate(activations)]
        self.nin = nin
        self.nouts = nouts
        self.activations = activations

    def outputs(self, x: Input) -> list[Value]:
        """The last layer's outputs as a list, whatever their number."""
        if type(x) is not list and type(x) is not tuple:
            x = _as_inputs(x, "MLP")
        if len(x) != self.nin:
            raise _wrong_size("MLP", self.nin, len(x))
        out: list[Any] = list(x)  # numbers or Values: the first layer makes them Values
        try:
            for layer in self.layers:
                out = layer.outputs(out)
        except TypeError as error:
            raise _input_error("MLP", x, error) from None
        return out

    def __call__(self, x: Input) -> Value | list[Value]:
        out = self.outputs(x)
        return out[0] if len(out) == 1 else out

    def parameters(self) -> list[Value]:
        """Layer by layer, neuron by neuron, weights then bias (micrograd's order)."""
        return [p for layer in self.layers for n in layer.neurons for p in (*n.w, n.b)]

    def architecture(self) -> dict[str, Any]:
        """What is needed to rebuild this MLP (without its parameter values)."""
        return {"type": "MLP", "nin": self.nin, "nouts": list(self.nouts),
                "activations": list(self.activations)}

    def extra_repr(self) -> str:
        return f"nin={self.nin}, nouts={self.nouts}, activations={self.activations}"
