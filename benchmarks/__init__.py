"""Benchmarks: kerax vs Keras 3 (JAX backend) vs hand-written JAX, in one run."""
