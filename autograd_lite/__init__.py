"""autograd-lite: a scalar reverse-mode automatic differentiation engine you can read.

>>> from autograd_lite import Value
>>> x = Value(2.0, label="x")
>>> y = x * x + 3 * x
>>> y.backward()
>>> x.grad
7.0
"""

from .engine import Value, define_op, logsumexp, maximum, select, softplus
from .functional import grad, gradients, value_and_grad
from .modes import (
    AnomalyError,
    TraceError,
    detect_anomaly,
    enable_grad,
    is_anomaly_enabled,
    is_grad_enabled,
    no_grad,
)
from .traced import jit

__version__ = "0.1.0"

__all__ = [
    "Value", "define_op", "grad", "gradients", "value_and_grad", "no_grad", "enable_grad",
    "is_grad_enabled", "detect_anomaly", "is_anomaly_enabled", "AnomalyError",
    "maximum", "logsumexp", "softplus", "select", "jit", "TraceError", "__version__",
]
