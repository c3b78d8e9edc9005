"""A first look at autograd-lite: build an expression, differentiate it, check it."""

from autograd_lite import Value, grad
from autograd_lite.testing import gradcheck

a = Value(2.0, label="a")
b = Value(-3.0, label="b")
c = Value(10.0, label="c")
e = a * b
d = e + c
f = Value(-2.0, label="f")
L = d * f                        # L = (a*b + c) * f = -8
L.backward()                     # one reverse pass fills every .grad

print(f"L = {L.data}")
print(f"dL/da = {a.grad}, dL/db = {b.grad}, dL/dc = {c.grad}, dL/df = {f.grad}")

# the same derivative as a function transform, and to higher order
def g(x):
    return (x * 3 + 1).tanh()

print(f"g'(0.5) = {grad(g)(0.5):.6f}, g''(0.5) = {grad(grad(g))(0.5):.6f}")

# and checked against central finite differences
gradcheck(lambda a, b: (a * b + c) * f, [2.0, -3.0])
print("gradcheck passed")
