"""Activation layers: ReLU, LeakyReLU, PReLU, ELU, Softmax."""

from kerax.layers.activations.prelu import PReLU
from kerax.layers.activations.rectifiers import ELU, LeakyReLU, ReLU
from kerax.layers.activations.softmax import Softmax

__all__ = ["ELU", "LeakyReLU", "PReLU", "ReLU", "Softmax"]
