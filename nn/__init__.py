"""Neural networks built from autograd_lite Values, with micrograd's names and conventions.

>>> from nn import MLP
>>> model = MLP(2, [16, 16, 1], seed=0)   # ReLU hidden layers, linear output
>>> score = model([0.5, -1.0])            # a Value (one output); a list for several
>>> model.zero_grad(); score.backward()
>>> for p in model.parameters():
...     p.data -= 0.05 * p.grad

The pieces, one module each:

- ``nn.modules``: ``Module``, ``Neuron``, ``Layer``, ``MLP``; ``nn.init``: weight init schemes.
- ``nn.losses``: ``mse_loss``, ``hinge_loss``, ``binary_cross_entropy_with_logits``,
  ``cross_entropy``, ``l2_regularization``.
- ``nn.optim``: ``SGD``, ``Adam``; ``NonFiniteError`` when a step would make a number NaN
  or infinite.
- ``nn.data``: ``xor``, ``moons``, ``circles``, ``spirals``, ``train_test_split``.
- ``nn.train``: ``fit``, ``accuracy``, ``predict``.
- ``nn.io``: ``save_model``, ``load_model``, ``load_parameters``.
- ``nn.plots``: decision boundary and loss curve (needs matplotlib).
- ``nn.cli``: the ``autograd-lite`` command (``demo``, ``train``).
"""

from .io import ModelFileError, load_model, load_parameters, save_model
from .losses import (
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
    l2_regularization,
    mse_loss,
)
from .modules import MLP, Layer, Module, Neuron
from .optim import SGD, Adam, NonFiniteError
from .train import History, accuracy, fit, predict

__all__ = [
    "Module", "Neuron", "Layer", "MLP",
    "mse_loss", "hinge_loss", "binary_cross_entropy_with_logits", "cross_entropy",
    "l2_regularization",
    "SGD", "Adam", "NonFiniteError",
    "fit", "accuracy", "predict", "History",
    "save_model", "load_model", "load_parameters", "ModelFileError",
]
