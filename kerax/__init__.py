"""kerax: the Keras API, rebuilt on JAX."""

from kerax import config, layers, random
from kerax.autodiff.function import function
from kerax.autodiff.recording import Tensor
from kerax.autodiff.tape import GradientTape
from kerax.autodiff.variable import Variable
from kerax.layers import Layer

__version__ = "0.1.0"

__all__ = [
    "GradientTape",
    "Layer",
    "Tensor",
    "Variable",
    "config",
    "function",
    "layers",
    "random",
]
