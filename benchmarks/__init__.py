"""Side-by-side benchmarks of autograd-lite (eager and traced), micrograd and batched PyTorch:
``python -m benchmarks``."""
