"""Module, Neuron, Layer, MLP: micrograd's conventions, names, init, and whole-model gradients."""

import doctest
import math
import random

import pytest

import nn
import nn._checks
import nn.data
import nn.init
import nn.io
import nn.losses
import nn.modules
import nn.optim
import nn.train
from autograd_lite import Value
from autograd_lite.testing import gradcheck
from nn import MLP, Layer, Module, Neuron
from nn.losses import binary_cross_entropy_with_logits, cross_entropy, hinge_loss, mse_loss


def micrograd_weights(nin, nouts):
    """The parameters micrograd's MLP(nin, nouts) draws from the module-level random."""
    sizes = [nin, *nouts]
    flat = []
    for i in range(len(nouts)):
        for _ in range(sizes[i + 1]):
            flat += [random.uniform(-1, 1) for _ in range(sizes[i])]
            flat.append(0.0)
    return flat


# --- micrograd compatibility -----------------------------------------------------------------

def test_default_init_reproduces_micrograd_from_the_global_random():
    random.seed(1337)
    expected = micrograd_weights(2, [16, 16, 1])
    random.seed(1337)
    model = MLP(2, [16, 16, 1])
    assert [p.data for p in model.parameters()] == expected
    assert len(expected) == 337


def test_mlp_defaults_are_relu_hidden_and_linear_output():
    model = MLP(2, [16, 16, 1], seed=0)
    assert model.activations == ["relu", "relu", "linear"]
    assert [n.nonlin for n in model.layers[0].neurons] == [True] * 16
    assert model.layers[-1].neurons[0].nonlin is False


def test_parameters_order_is_layer_neuron_weights_then_bias():
    model = MLP(3, [2, 1], seed=0)
    expected = []
    for layer in model.layers:
        for neuron in layer.neurons:
            expected += [*neuron.w, neuron.b]
    assert model.parameters() == expected
    assert all(type(p) is Value for p in expected)


def test_fast_parameters_agree_with_the_generic_walk():
    for module in (Neuron(3, seed=0), Layer(3, 4, seed=0), MLP(2, [5, 4, 2], seed=0)):
        assert module.parameters() == Module.parameters(module)


def test_neuron_pre_activation_is_one_sum_node_bias_first():
    n = Neuron(3, seed=0)
    x = [Value(0.5), Value(-1.0), Value(2.0)]
    out = n(x)
    assert out._op == "relu"
    (pre,) = out._prev
    assert pre._op == "sum"
    operands = pre._prev
    assert operands[0] is n.b
    assert [o._op for o in operands[1:]] == ["*"] * 3
    assert [o._prev for o in operands[1:]] == [(w, xi) for w, xi in zip(n.w, x, strict=True)]


def test_neuron_output_equals_micrograds_sum_bit_for_bit():
    rng = random.Random(5)
    n = Neuron(16, nonlin=False, seed=3)
    n.b.data = 0.1234
    x = [rng.uniform(-3, 3) for _ in range(16)]
    expected = sum((w.data * xi for w, xi in zip(n.w, x, strict=True)), n.b.data)
    assert n(x).data == expected


def test_layer_and_mlp_return_a_value_for_one_output_else_a_list():
    assert isinstance(Layer(2, 1, seed=0)([1.0, 2.0]), Value)
    out = Layer(2, 3, seed=0)([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 3
    assert isinstance(MLP(2, [4, 1], seed=0)([1.0, 2.0]), Value)
    assert len(MLP(2, [4, 2], seed=0)([1.0, 2.0])) == 2
    assert isinstance(MLP(2, [4, 1], seed=0).outputs([1.0, 2.0]), list)
    assert isinstance(Layer(2, 1, seed=0).outputs([1.0, 2.0]), list)


def test_mlp_with_a_one_neuron_hidden_layer_works():
    model = MLP(2, [16, 1, 1], seed=0)
    out = model([0.5, -1.0])
    assert isinstance(out, Value)
    out.backward()
    layer = Layer(1, 2, seed=0)
    assert len(layer(Value(1.0))) == 2  # a lone Value is a one-element input


def test_inputs_may_be_floats_values_or_tuples_and_floats_are_constants():
    model = MLP(2, [3, 1], seed=0)
    a = model([0.5, -1.0]).data
    xs = [Value(0.5), Value(-1.0)]
    out = model(xs)
    assert out.data == model((0.5, -1.0)).data == a
    out.backward()
    assert any(x.grad != 0.0 for x in xs)
    first = model.layers[0].neurons[0](iter([0.5, -1.0]))  # any iterable
    assert isinstance(first, Value)


@pytest.mark.parametrize("module, name", [
    (Neuron(3, seed=0), "Neuron"), (Layer(3, 2, seed=0), "Layer"), (MLP(3, [2, 1], seed=0), "MLP"),
])
@pytest.mark.parametrize("size", [2, 4])
def test_wrong_input_length_names_expected_and_actual(module, name, size):
    with pytest.raises(ValueError, match=rf"{name} expects 3 input\(s\), got {size}"):
        module([1.0] * size)


def test_non_numeric_input_is_a_type_error():
    with pytest.raises(TypeError):
        MLP(2, [1], seed=0)(object())


@pytest.mark.parametrize("module, name", [
    (Neuron(2, seed=0), "Neuron"), (Layer(2, 3, seed=0), "Layer"), (MLP(2, [3, 1], seed=0), "MLP"),
])
@pytest.mark.parametrize("x, message", [
    ("ab", r"input must be a sequence of numbers or Values \(a list or tuple\), got 'ab' "
           r"\(str\)"),
    ({1.0, 2.0}, r"input must be a sequence .* \(set\)"),  # no order: never what was meant
    ({"a": 1.0, "b": 2.0}, r"input must be a sequence .* \(dict\)"),
    (None, r"input must be a sequence .* got None"),
    ([None, 1.0], r"input x\[0\] must be a number or a Value, got None \(NoneType\)"),
    ([1.0, "b"], r"input x\[1\] must be a number or a Value, got 'b' \(str\)"),
    ([[1.0, 2.0], 1.0], r"input x\[0\] must be a number or a Value, got \[1.0, 2.0\]"),
    ((1.0, 2j), r"input x\[1\] must be a number or a Value, got 2j \(complex\)"),
])
def test_bad_inputs_name_the_module_the_input_and_what_it_wants(module, name, x, message):
    with pytest.raises(TypeError, match=rf"^{name} {message}"):
        module(x)


def test_an_array_inside_the_input_is_named_not_broadcast():
    np = pytest.importorskip("numpy")
    model = MLP(2, [3, 1], seed=0)
    with pytest.raises(TypeError, match=r"MLP input x\[0\] must be a number or a Value, got "
                                        r"array\(\[1., 2.\]\) \(ndarray\)"):
        model([np.array([1.0, 2.0]), 1.0])
    assert model(np.array([0.5, -1.0])).data == model([0.5, -1.0]).data  # a row is fine


# --- construction ----------------------------------------------------------------------------

@pytest.mark.parametrize("activation, op", [("relu", "relu"), ("tanh", "tanh"),
                                            ("sigmoid", "sigmoid"), ("linear", "sum")])
def test_activation_by_name(activation, op):
    assert Neuron(2, activation=activation, seed=0)([1.0, 1.0])._op == op


def test_activation_overrides_nonlin_and_nonlin_false_is_linear():
    assert Neuron(2, nonlin=False, seed=0).activation == "linear"
    assert Neuron(2, nonlin=False, activation="tanh", seed=0).activation == "tanh"
    assert Layer(2, 3, nonlin=False, seed=0).activation == "linear"


def test_mlp_activations_hidden_output_and_per_layer():
    m = MLP(2, [3, 3, 1], activation="tanh", output_activation="sigmoid", seed=0)
    assert m.activations == ["tanh", "tanh", "sigmoid"]
    m = MLP(2, [3, 3, 1], activation=["relu", "tanh", "linear"], seed=0)
    assert [layer.activation for layer in m.layers] == ["relu", "tanh", "linear"]
    with pytest.raises(ValueError, match="2 name"):
        MLP(2, [3, 3, 1], activation=["relu", "tanh"])
    with pytest.raises(ValueError, match="not both"):
        MLP(2, [3, 1], activation=["relu", "tanh"], output_activation="tanh")


@pytest.mark.parametrize("bad, message", [
    (lambda: Neuron(0), "nin must be an int >= 1, got 0"),
    (lambda: Layer(2, 0), "nout must be an int >= 1, got 0"),
    (lambda: MLP(2, []), "nouts must name at least one layer size"),
    (lambda: MLP(2, [3, 0]), r"nouts\[1\] must be an int >= 1, got 0"),
    (lambda: Neuron(2, activation="gelu"), "unknown activation 'gelu'"),
    (lambda: Neuron(2, init="orthogonal"), "unknown init 'orthogonal'"),
    (lambda: Neuron(2, init=-1.0), "init must be .* a finite bound >= 0, got -1.0"),
    (lambda: Neuron(2, init=math.inf), "init must be .* a finite bound >= 0, got inf"),
    (lambda: MLP(2, [3, 1], init=math.nan), "init must be .* got nan"),
    (lambda: Neuron(2, seed=1, rng=random.Random(1)), "give seed or rng, not both"),
    # an activation is checked even where there is no layer to apply it to
    (lambda: MLP(2, [1], activation="softmax"), "unknown activation 'softmax'; choose from"),
    (lambda: MLP(2, [1], output_activation="softmax"), "unknown output_activation 'softmax'"),
])
def test_impossible_constructor_arguments_raise_value_error(bad, message):
    with pytest.raises(ValueError, match=message):
        bad()


@pytest.mark.parametrize("bad, message", [
    (lambda: Neuron(2.0), r"nin must be an int, got 2.0 \(float\)"),
    (lambda: Neuron(True), r"nin must be an int, got True \(bool\)"),
    (lambda: Layer(2, "3"), r"nout must be an int, got '3' \(str\)"),
    (lambda: MLP(2, "16,16"), r"nouts must be a list of layer sizes .* got '16,16' \(str\)"),
    (lambda: MLP(2, [16, 1.5]), r"nouts\[1\] must be an int, got 1.5"),
    (lambda: Neuron(2, nonlin="no"), r"nonlin must be True or False, got 'no' \(str\)"),
    (lambda: Neuron(2, activation=3), "activation must be an activation name"),
    (lambda: MLP(2, [3, 1], activation=["relu", None]), r"activation\[1\] must be an "),
    (lambda: Neuron(2, init=[1.0]), r"init must be .* got \[1.0\] \(list\)"),
    (lambda: Neuron(2, seed=1.5), r"seed must be an int, got 1.5 \(float\)"),
    (lambda: Neuron(2, rng=object()), "rng must be a random.Random"),
])
def test_constructor_arguments_of_the_wrong_type_raise_type_error(bad, message):
    with pytest.raises(TypeError, match=message):
        bad()


def test_nouts_must_be_a_list():
    with pytest.raises(TypeError, match="nouts"):
        MLP(2, 3)


def test_seed_and_rng_are_reproducible_and_leave_the_global_random_alone():
    state = random.getstate()
    a = [p.data for p in MLP(2, [8, 1], seed=7).parameters()]
    b = [p.data for p in MLP(2, [8, 1], rng=random.Random(7)).parameters()]
    assert random.getstate() == state
    assert a == b
    assert a != [p.data for p in MLP(2, [8, 1], seed=8).parameters()]


@pytest.mark.parametrize("init, bound", [
    ("uniform", 1.0), ("xavier", math.sqrt(6 / (16 + 8))), ("glorot", math.sqrt(6 / 24)),
    ("he", math.sqrt(6 / 16)), ("kaiming", math.sqrt(6 / 16)), (0.25, 0.25),
])
def test_init_schemes_bound_the_weights_and_zero_the_biases(init, bound):
    layer = Layer(16, 8, init=init, seed=0)
    weights = [w.data for n in layer.neurons for w in n.w]
    assert max(abs(w) for w in weights) <= bound
    assert max(abs(w) for w in weights) > 0.8 * bound  # 128 draws reach near the bound
    assert all(n.b.data == 0.0 for n in layer.neurons)


# --- names, state, repr ----------------------------------------------------------------------

def test_named_parameters_use_stable_dotted_names():
    model = MLP(2, [4, 3, 1], seed=0)
    names = dict(model.named_parameters())
    assert names["layers.0.neurons.3.w.1"] is model.layers[0].neurons[3].w[1]
    assert names["layers.1.neurons.2.b"] is model.layers[1].neurons[2].b
    assert list(names) == [n for n, _ in model.named_parameters()]
    assert len(names) == len(model.parameters()) == 4 * 3 + 3 * 5 + 1 * 4


def test_custom_module_finds_its_values_and_submodules_once():
    class Scaled(Module):
        def __init__(self):
            self.inner = Neuron(2, seed=0)
            self.scale = Value(2.0)
            self.again = self.scale  # the same Value twice is one parameter
            self._hidden = Value(1.0)

        def __call__(self, x):
            return self.scale * self.inner(x)

    m = Scaled()
    assert [n for n, _ in m.named_parameters()] == ["inner.w.0", "inner.w.1", "inner.b", "scale"]
    assert [n for n, _ in m.named_children()] == ["inner"]


def test_zero_grad_sets_float_zero():
    model = MLP(2, [3, 1], seed=0)
    model([1.0, 2.0]).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(type(p.grad) is float and p.grad == 0.0 for p in model.parameters())


def test_state_dict_round_trip_and_errors_leave_the_model_unchanged():
    a, b = MLP(2, [3, 1], seed=0), MLP(2, [3, 1], seed=1)
    b.load_state_dict(a.state_dict())
    assert b.state_dict() == a.state_dict()
    before = b.state_dict()
    broken = dict(a.state_dict())
    del broken["layers.0.neurons.2.b"]
    broken["layers.0.neurons.2.w.7"] = 1.0
    with pytest.raises(ValueError, match=r"missing parameter\(s\) 'layers.0.neurons.2.b'.*"
                                         r"unexpected parameter\(s\) 'layers.0.neurons.2.w.7'"):
        b.load_state_dict(broken)
    bad_type = {**a.state_dict(), "layers.1.neurons.0.b": "0.5"}
    with pytest.raises(ValueError, match=r"'layers\.1\.neurons\.0\.b' must be a number, got str"):
        b.load_state_dict(bad_type)
    assert b.state_dict() == before


def test_load_state_dict_is_all_or_nothing():
    model = MLP(2, [2, 1], seed=0)  # 9 parameters; the last one gets a bad value
    before = model.state_dict()
    state = {name: 0.5 for name in before}
    last = list(state)[-1]
    for bad, message in [(10 ** 400, "is too large for a float"),
                         (True, "must be a number, got bool"),
                         (None, "must be a number, got NoneType"),
                         ([1.0], "must be a number, got list")]:
        with pytest.raises(ValueError, match=rf"'{last}' {message}"):
            model.load_state_dict({**state, last: bad})
        assert model.state_dict() == before
    model.load_state_dict({**state, last: 3})  # ints (and NumPy scalars) are numbers
    assert list(model.state_dict().values()) == [0.5] * 8 + [3.0]


def test_load_state_dict_names_at_most_five_bad_values():
    model = MLP(2, [4, 1], seed=0)
    with pytest.raises(ValueError, match=r"must be a number, got str and 12 more$"):
        model.load_state_dict({name: "x" for name in model.state_dict()})


def test_repr_is_readable():
    assert repr(Neuron(2, seed=0)) == "Neuron(nin=2, activation='relu')"
    assert repr(Layer(2, 3, nonlin=False, seed=0)) == "Layer(nin=2, nout=3, activation='linear')"
    text = repr(MLP(2, [16, 16, 1], seed=0))
    assert text.splitlines()[0] == \
        "MLP(nin=2, nouts=[16, 16, 1], activations=['relu', 'relu', 'linear']"
    assert "  (layers.2): Layer(nin=16, nout=1, activation='linear')" in text


def test_architecture_describes_the_model():
    assert MLP(2, [3, 1], seed=0).architecture() == {
        "type": "MLP", "nin": 2, "nouts": [3, 1], "activations": ["relu", "linear"]}


# --- gradients of a whole model --------------------------------------------------------------

def gradcheck_parameters(model, loss_of_model, **tolerances):
    """gradcheck over a model's flattened parameters: the check's fresh input Values are put
    in the model's place for each evaluation, then the originals are restored."""
    neurons = [n for layer in model.layers for n in layer.neurons]
    originals = [(list(n.w), n.b) for n in neurons]

    def f(*values):
        it = iter(values)
        for n in neurons:
            n.w = [next(it) for _ in n.w]
            n.b = next(it)
        return loss_of_model(model)

    try:
        return gradcheck(f, [p.data for p in model.parameters()], **tolerances)
    finally:
        for n, (w, b) in zip(neurons, originals, strict=True):
            n.w, n.b = w, b


X, Y = nn.data.moons(12, noise=0.2, seed=3)


@pytest.mark.parametrize("activation, loss", [
    ("tanh", lambda m: mse_loss([m(x) for x in X], Y)),
    ("sigmoid", lambda m: binary_cross_entropy_with_logits([m(x) for x in X], Y)),
    ("relu", lambda m: hinge_loss([m(x) for x in X], nn.data.to_signed(Y))
     + nn.losses.l2_regularization(m.parameters(), 1e-3)),
])
def test_whole_mlp_loss_gradients_match_finite_differences(activation, loss):
    model = MLP(2, [5, 4, 1], activation=activation, init="xavier", seed=11)
    assert gradcheck_parameters(model, loss)


def test_multiclass_mlp_cross_entropy_gradients_match_finite_differences():
    Xs, ys = nn.data.spirals(9, classes=3, seed=2)
    model = MLP(2, [6, 3], activation="tanh", seed=4)
    assert gradcheck_parameters(model, lambda m: cross_entropy([m(x) for x in Xs], ys))


def test_gradcheck_wrapper_restores_the_parameters():
    model = MLP(2, [3, 1], activation="tanh", seed=0)
    before = model.parameters()
    gradcheck_parameters(model, lambda m: m([0.3, 0.2]) * 1.0)
    assert model.parameters() == before


# --- docstring examples ----------------------------------------------------------------------

@pytest.mark.parametrize("module", [nn, nn.modules, nn.init, nn.losses, nn.optim, nn.data,
                                    nn.train, nn.io, nn._checks])
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


@pytest.mark.parametrize("module", [nn, nn.modules, nn.init, nn.losses, nn.optim, nn.data,
                                    nn.train, nn.io])
def test_every_public_name_has_a_docstring(module):
    for name in module.__all__:
        obj = getattr(module, name)
        if callable(obj):
            assert obj.__doc__, f"{module.__name__}.{name}"


def test_init_bound_checks_its_fans():
    with pytest.raises(ValueError, match="fan_in must be an int >= 1, got 0"):
        nn.init.init_bound("xavier", 0, 0)
    with pytest.raises(TypeError, match=r"fan_out must be an int, got 1.0"):
        nn.init.init_bound("xavier", 2, 1.0)


# --- labels: every parameter and output of a module is named ------------------------------

def test_parameters_are_labelled_by_their_short_names_counted_from_one():
    model = MLP(2, [4, 3, 1], seed=0)
    labels = {name: p.label for name, p in model.named_parameters()}
    assert labels["layers.0.neurons.3.w.1"] == "L1.n4.w2"
    assert labels["layers.1.neurons.2.b"] == "L2.n3.b"
    assert labels["layers.2.neurons.0.w.2"] == "L3.n1.w3"
    assert all(label == nn.modules.short_name(name) for name, label in labels.items())
    assert len(set(labels.values())) == len(labels)  # no two parameters share a name


def test_outputs_and_pre_activations_are_labelled_by_neuron():
    model = MLP(3, [4, 4, 1], activation="tanh", seed=0)
    hidden = model.layers[0].outputs([1.0, 2.0, 3.0])
    assert [h.label for h in hidden] == ["L1.n1", "L1.n2", "L1.n3", "L1.n4"]
    assert [h._prev[0].label for h in hidden] == [f"L1.n{j}.z" for j in range(1, 5)]
    score = model([1.0, 2.0, 3.0])
    assert score.label == "L3.n1" and score._op == "sum"  # linear output: its sum is the output
    assert Layer(2, 2, seed=0)([1.0, 2.0])[1].label == "n2"
    assert Neuron(2, seed=0)([1.0, 2.0]).label == "out"


def test_a_users_own_label_wins_before_and_after():
    class Scaled(Module):
        def __init__(self):
            self.scale = Value(2.0, label="gain")      # set before: kept
            self.inner = Layer(2, 2, seed=0)
            self.inner.neurons[1].b.label = "bias"      # set before the outer module labels
            self.other = Value(1.0)

        def __call__(self, x):
            return [self.scale * h for h in self.inner(x)]

    m = Scaled()
    assert m.scale.label == "gain"
    assert m.inner.neurons[1].b.label == "bias"
    assert m.inner.neurons[0].b.label == "inner.n1.b"  # the layer's own label, renamed
    assert m.other.label == "other"
    assert [h._prev[1].label for h in m([1.0, 2.0])] == ["inner.n1", "inner.n2"]

    model = MLP(2, [2, 1], seed=0)
    model.layers[0].neurons[0].w[0].label = "mine"     # set after: nothing renames it
    model.label_parameters()
    assert model.layers[0].neurons[0].w[0].label == "mine"
    score = model([1.0, 2.0])
    score.label = "score"
    assert score.label == "score"


def test_subclasses_label_parameters_added_after_super_init():
    class Wider(MLP):
        def __init__(self):
            super().__init__(2, [2, 1], seed=0)
            self.extra = Value(0.5)

    class Same(MLP):
        pass

    assert Wider().extra.label == "extra"
    assert Wider().layers[1].neurons[0].b.label == "L2.n1.b"
    assert Same(2, [2, 1], seed=0).layers[0].neurons[1].w[0].label == "L1.n2.w1"


def test_labels_survive_saving_loading_and_tracing(tmp_path):
    from autograd_lite import jit
    model = MLP(2, [3, 1], seed=0)
    copy = nn.io.load_model(nn.io.save_model(model, tmp_path / "m.json"))
    assert [p.label for p in copy.parameters()] == [p.label for p in model.parameters()]
    predict = jit(lambda x: model(x), params=model.parameters(), reduce=None)
    assert list(predict([[1.0, 2.0], [0.5, -1.0]])) == pytest.approx(
        [model([1.0, 2.0]).data, model([0.5, -1.0]).data])


@pytest.mark.parametrize("build, named", [
    (lambda: MLP(2, [10**12]), r"MLP\(2, \[1000000000000\]\)"),
    (lambda: MLP(10**4, [10**4, 1]), r"MLP\(10000, \[10000, 1\]\)"),
    (lambda: Layer(10**6, 10**6), r"Layer\(1000000, 1000000\)"),
    (lambda: Neuron(10**9), r"Neuron\(1000000000\)"),
])
def test_a_model_too_large_to_build_is_refused_before_anything_is_allocated(build, named):
    with pytest.raises(ValueError, match=named + r" would have [\d,]+ parameters; at most "
                                                 r"10,000,000 are allowed"):
        build()
