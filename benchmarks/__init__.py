"""Side-by-side benchmarks of autograd-lite and micrograd: ``python -m benchmarks``."""
