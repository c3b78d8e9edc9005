"""SGD and Adam: their update formulas, learning-rate changes, and state round trips."""

import json
import math

import pytest

from autograd_lite import Value
from nn import MLP
from nn.optim import SGD, Adam, NonFiniteError


def params_with_grads(values, grads):
    ps = [Value(v) for v in values]
    for p, g in zip(ps, grads, strict=True):
        p.grad = g
    return ps


def test_plain_sgd_is_micrograds_update():
    ps = params_with_grads([1.0, -2.0], [0.5, 0.25])
    SGD(ps, lr=0.1).step()
    assert [p.data for p in ps] == [1.0 - 0.1 * 0.5, -2.0 - 0.1 * 0.25]


def test_sgd_momentum_and_weight_decay_follow_pytorch():
    (p,) = params_with_grads([1.0], [0.5])
    opt = SGD([p], lr=0.1, momentum=0.9, weight_decay=0.01)
    x, buf = 1.0, None
    for _ in range(3):
        p.grad = 0.5
        opt.step()
        g = 0.5 + 0.01 * x
        buf = g if buf is None else 0.9 * buf + g
        x -= 0.1 * buf
        assert p.data == x


def test_sgd_nesterov():
    (p,) = params_with_grads([1.0], [0.5])
    opt = SGD([p], lr=0.1, momentum=0.5, nesterov=True)
    opt.step()
    assert p.data == 1.0 - 0.1 * (0.5 + 0.5 * 0.5)
    with pytest.raises(ValueError, match="nesterov"):
        SGD([p], lr=0.1, nesterov=True)


def test_adam_follows_pytorch():
    (p,) = params_with_grads([0.5], [0.0])
    opt = Adam([p], lr=0.01, betas=(0.9, 0.99), eps=1e-8, weight_decay=0.1)
    x, m, v = 0.5, 0.0, 0.0
    for t, grad in enumerate([0.3, -0.2, 0.7], start=1):
        p.grad = grad
        opt.step()
        g = grad + 0.1 * x
        m = 0.9 * m + 0.1 * g
        v = 0.99 * v + 0.01 * g * g
        x -= 0.01 / (1 - 0.9 ** t) * m / (math.sqrt(v) / math.sqrt(1 - 0.99 ** t) + 1e-8)
        assert p.data == pytest.approx(x, rel=1e-15)
    assert opt.step_count == 3


def test_learning_rate_can_change_between_steps():
    (p,) = params_with_grads([1.0], [1.0])
    opt = SGD([p], lr=0.5)
    opt.step()
    opt.lr = 0.25
    opt.step()
    assert p.data == 1.0 - 0.5 - 0.25


def test_zero_grad_and_values_as_gradients():
    model = MLP(2, [3, 1], seed=0)
    opt = SGD(model.parameters(), lr=0.1)
    model([1.0, 2.0]).backward(create_graph=True)  # gradients are Values: their data is used
    before = [p.data for p in model.parameters()]
    opt.step()
    assert [p.data for p in model.parameters()] != before
    opt.zero_grad()
    assert all(p.grad == 0.0 and type(p.grad) is float for p in model.parameters())


def train(opt, model, steps):
    for k in range(steps):
        opt.zero_grad()
        loss = (model([0.5, -1.0 + k]) - 1.0) ** 2
        loss.backward()
        opt.step()


@pytest.mark.parametrize("make", [
    lambda ps: SGD(ps, lr=0.05, momentum=0.9, weight_decay=1e-3),
    lambda ps: Adam(ps, lr=0.01, weight_decay=1e-3),
])
def test_state_round_trip_continues_identically(make):
    a = MLP(2, [4, 1], activation="tanh", seed=0)
    opt_a = make(a.parameters())
    train(opt_a, a, 3)
    state = json.loads(json.dumps(opt_a.state_dict()))  # survives JSON

    b = MLP(2, [4, 1], activation="tanh", seed=99)
    b.load_state_dict(a.state_dict())
    opt_b = make(b.parameters())
    opt_b.lr = 123.0
    opt_b.load_state_dict(state)
    assert opt_b.lr == opt_a.lr
    train(opt_a, a, 3)
    train(opt_b, b, 3)
    assert b.state_dict() == a.state_dict()
    assert opt_b.state_dict() == opt_a.state_dict()


def test_load_state_errors_name_the_problem_and_change_nothing():
    model = MLP(2, [3, 1], seed=0)
    opt = Adam(model.parameters(), lr=0.01)
    train(opt, model, 1)
    good = opt.state_dict()
    with pytest.raises(ValueError, match="state is for 'SGD', not 'Adam'"):
        opt.load_state_dict(SGD(model.parameters(), lr=0.1).state_dict())
    with pytest.raises(ValueError, match="missing key 'exp_avg_sq'"):
        opt.load_state_dict({k: v for k, v in good.items() if k != "exp_avg_sq"})
    with pytest.raises(ValueError, match="'exp_avg' has 2 entries, the optimizer has 13 "
                                         "parameters"):
        opt.load_state_dict({**good, "exp_avg": [0.0, 0.0], "lr": 5.0})
    with pytest.raises(ValueError, match=r"exp_avg_sq\[1\] must be a finite number, got 'x'"):
        opt.load_state_dict({**good, "exp_avg_sq": [0.0, "x", *good["exp_avg_sq"][2:]]})
    with pytest.raises(ValueError, match="betas"):
        opt.load_state_dict({**good, "betas": [0.9]})
    assert opt.state_dict() == good


@pytest.mark.parametrize("bad", [
    lambda ps: SGD(ps, lr=-1.0), lambda ps: SGD(ps, lr=float("nan")),
    lambda ps: SGD(ps, lr=0.1, momentum=-0.5), lambda ps: Adam(ps, betas=(0.9, 1.0)),
    lambda ps: Adam(ps, eps=-1.0), lambda ps: SGD([], lr=0.1),
])
def test_bad_hyperparameters(bad):
    with pytest.raises(ValueError):
        bad([Value(1.0)])


def test_parameters_must_be_values():
    with pytest.raises(TypeError, match="parameter 1 must be a Value"):
        SGD([Value(1.0), 2.0], lr=0.1)


def test_repr():
    assert repr(SGD([Value(1.0)], lr=0.1)) == \
        "SGD(1 parameters, lr=0.1, momentum=0.0, weight_decay=0.0, nesterov=False)"


# --- nothing half-done, nothing non-finite ---------------------------------------------------

def snapshot(opt):
    return [p.data for p in opt.params], json.dumps(opt.state_dict())


@pytest.mark.parametrize("make", [
    lambda ps: SGD(ps, lr=0.1), lambda ps: SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.1),
    lambda ps: Adam(ps, lr=0.1),
])
@pytest.mark.parametrize("bad_grad", [math.nan, math.inf, -math.inf])
def test_a_non_finite_gradient_changes_nothing(make, bad_grad):
    ps = params_with_grads([1.0, -2.0, 3.0], [0.5, 0.25, 1.0])
    opt = make(ps)
    opt.step()  # buffers are no longer empty
    ps[2].grad = bad_grad  # the last parameter: the others would already have moved
    before = snapshot(opt)
    with pytest.raises(NonFiniteError, match=rf"\.step: parameter 2 \(data .*\) has the "
                                             rf"gradient {bad_grad}; no parameter was updated"):
        opt.step()
    assert snapshot(opt) == before


def test_an_update_that_overflows_changes_nothing():
    ps = params_with_grads([1.0, 1e300], [1.0, 1e300])
    opt = SGD(ps, lr=1e10)
    with pytest.raises(NonFiniteError, match=r"parameter 1 \(data 1e\+300\) would become -inf; "
                                             r"no parameter was updated.*\(lr=10000000000.0\)"):
        opt.step()
    assert [p.data for p in ps] == [1.0, 1e300]


def test_adam_second_moment_overflow_changes_nothing():
    (p,) = params_with_grads([1.0], [1e200])  # g * g overflows; the update itself would be 0
    opt = Adam([p], lr=0.1)
    with pytest.raises(NonFiniteError, match="would get exp_avg_sq inf"):
        opt.step()
    assert (p.data, opt.step_count, opt.exp_avg, opt.exp_avg_sq) == (1.0, 0, [0.0], [0.0])


def test_adam_with_a_zero_gradient_steps_and_eps_zero_is_refused():
    ps = params_with_grads([1.0, 2.0], [1.0, 0.0])
    opt = Adam(ps, lr=0.1)
    opt.step()
    assert ps[1].data == 2.0 and ps[0].data < 1.0 and opt.step_count == 1
    with pytest.raises(ValueError, match=r"eps must be a finite number > 0, got 0.0"):
        Adam(ps, eps=0.0)


def test_a_gradient_that_is_not_a_number_changes_nothing():
    ps = params_with_grads([1.0, 2.0], [1.0, 1.0])
    ps[1].grad = None  # a PyTorch habit
    opt = SGD(ps, lr=0.1)
    with pytest.raises(TypeError, match=r"parameter 1's grad must be a number, got None"):
        opt.step()
    assert [p.data for p in ps] == [1.0, 2.0]


@pytest.mark.parametrize("make, kind, message", [
    (lambda ps: SGD(ps, lr=math.inf), ValueError, "lr must be a finite number >= 0, got inf"),
    (lambda ps: SGD(ps, lr=0.1, momentum=math.inf), ValueError,
     "momentum must be a finite number >= 0, got inf"),
    (lambda ps: SGD(ps, lr=0.1, weight_decay=math.nan), ValueError,
     "weight_decay must be a finite number >= 0, got nan"),
    (lambda ps: SGD(ps, lr=10 ** 400), ValueError, "lr must be a finite number >= 0, got 1000"),
    (lambda ps: SGD(ps, lr="0.1"), TypeError, r"lr must be a number, got '0.1' \(str\)"),
    (lambda ps: SGD(ps, lr=True), TypeError, r"lr must be a number, got True \(bool\)"),
    (lambda ps: SGD(ps, lr=0.1, momentum=0.9, nesterov="no"), TypeError,
     r"nesterov must be True or False, got 'no'"),
    (lambda ps: Adam(ps, lr=-1.0), ValueError, "lr must be a finite number >= 0, got -1.0"),
    (lambda ps: Adam(ps, eps=math.inf), ValueError, "eps must be a finite number > 0, got inf"),
    (lambda ps: Adam(ps, betas=(0.9, math.nan)), ValueError,
     r"betas\[1\] must be a finite number in \[0, 1\), got nan"),
    (lambda ps: Adam(ps, betas="ab"), TypeError, r"betas must be a pair of numbers, got 'ab'"),
    (lambda ps: SGD([*ps, ps[0]], lr=0.1), ValueError,
     r"SGD: parameter 1 is the same Value as parameter 0; list each parameter once"),
    (lambda ps: SGD(MLP(2, [1], seed=0), lr=0.1), TypeError,
     r"params must be an iterable of Values such as model.parameters\(\), got MLP"),
    (lambda ps: Adam(ps[0]), TypeError, r"params must be an iterable of Values .* \(Value\)"),
])
def test_impossible_settings_name_the_argument_and_the_value(make, kind, message):
    with pytest.raises(kind, match=message):
        make([Value(1.0)])


def test_duplicate_parameters_would_have_been_updated_twice():
    p = Value(1.0)
    p.grad = 1.0
    with pytest.raises(ValueError, match="same Value"):
        SGD([p, p], lr=0.1)


def test_assigning_a_hyperparameter_is_checked_and_a_bad_value_is_not_kept():
    opt = SGD([Value(1.0)], lr=0.1, momentum=0.5)
    for name, bad in [("lr", math.nan), ("lr", -0.1), ("momentum", math.inf)]:
        with pytest.raises(ValueError, match=rf"{name} must be a finite number >= 0"):
            setattr(opt, name, bad)
    assert (opt.lr, opt.momentum) == (0.1, 0.5)
    opt.lr = 0.2
    assert opt.lr == 0.2


def test_load_state_dict_refuses_non_finite_and_inconsistent_states():
    (p,) = params_with_grads([1.0], [0.5])
    sgd = SGD([p], lr=0.1, momentum=0.9)
    sgd.step()
    good = sgd.state_dict()
    for bad, message in [
        ({**good, "lr": math.inf}, "SGD state: lr must be a finite number >= 0, got inf"),
        ({**good, "momentum_buffer": [math.nan]}, r"momentum_buffer\[0\] must be a finite"),
        ({**good, "momentum": 0.0, "nesterov": True}, "SGD state: nesterov needs a momentum"),
        ({**good, "nesterov": 1}, "SGD state: nesterov must be True or False, got 1"),
        ({**good, "extra": 1}, "SGD state: unexpected key 'extra'"),
        ({**good, "lr": "0.1"}, "SGD state: lr must be a number"),
    ]:
        with pytest.raises(ValueError, match=message):
            sgd.load_state_dict(bad)
        assert sgd.state_dict() == good
    adam = Adam([p])
    with pytest.raises(ValueError, match="Adam state: step_count must be an int >= 0, got -1"):
        adam.load_state_dict({**adam.state_dict(), "step_count": -1})


def test_a_non_finite_gradient_names_a_module_parameter_by_its_label():
    model = MLP(2, [2, 1], seed=0)
    model.layers[0].neurons[1].w[0].grad = math.inf
    with pytest.raises(NonFiniteError, match=r"parameter 3 'L1\.n2\.w1' \(data .*\) has the "
                                             r"gradient inf"):
        SGD(model.parameters(), lr=0.1).step()


def test_adam_refuses_a_negative_exp_avg_sq_before_changing_anything():
    model = MLP(2, [1], seed=0)
    opt = Adam(model.parameters(), lr=0.1)
    state = opt.state_dict()
    bad = {**state, "exp_avg_sq": [0.0] * (len(state["exp_avg_sq"]) - 1) + [-1.0],
           "lr": 0.5}
    with pytest.raises(ValueError, match=r"exp_avg_sq\[\d+\] must be >= 0"):
        opt.load_state_dict(bad)
    assert opt.lr == 0.1 and opt.exp_avg_sq == state["exp_avg_sq"]
    for p in model.parameters():
        p.grad = 1.0
    opt.step()  # still works: nothing was loaded


@pytest.mark.parametrize("make", [lambda ps: SGD(ps, lr=0.1),
                                  lambda ps: SGD(ps, lr=0.1, momentum=0.9),
                                  lambda ps: Adam(ps, lr=0.1)])
def test_optimizers_write_python_floats_back_over_float32_data(make):
    np = pytest.importorskip("numpy")
    model = MLP(2, [1], seed=0)
    params = model.parameters()
    for p in params:
        p.data = np.float32(0.25)
        p.grad = 1.0
    make(params).step()
    assert all(type(p.data) is float for p in params)
