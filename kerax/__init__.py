"""kerax: the Keras API, rebuilt on JAX.

``import kerax as keras`` gives the Keras 3 API; ``import kerax as tf`` also
runs TensorFlow-style custom training loops (``tf.GradientTape``,
``tf.function``, ``tf.Variable``, ``tf.keras``).
"""

import sys as _sys

from kerax import (
    activations,
    callbacks,
    config,
    constraints,
    datasets,
    distribution,
    initializers,
    layers,
    losses,
    metrics,
    mixed_precision,
    models,
    ops,
    optimizers,
    preprocessing,
    random,
    regularizers,
    saving,
    utils,
)
from kerax.autodiff.function import function
from kerax.autodiff.grad import grad, value_and_grad
from kerax.autodiff.recording import Tensor
from kerax.autodiff.tape import GradientTape
from kerax.autodiff.variable import Variable
from kerax.backend.keras_tensor import KerasTensor
from kerax.layers import Input, InputSpec, Layer
from kerax.layers.remat import RematScope, remat
from kerax.metrics import Metric
from kerax.models import Model, Sequential
from kerax.tf_compat import *  # noqa: F403 - TensorFlow-style aliases (documented)
from kerax.tf_compat import __all__ as _tf_names

__version__ = "0.1.0"

keras = _sys.modules[__name__]

__all__ = [
    "GradientTape",
    "Input",
    "KerasTensor",
    "InputSpec",
    "Layer",
    "Metric",
    "Model",
    "RematScope",
    "Sequential",
    "Tensor",
    "Variable",
    "activations",
    "callbacks",
    "config",
    "constraints",
    "datasets",
    "distribution",
    "function",
    "grad",
    "initializers",
    "keras",
    "layers",
    "losses",
    "metrics",
    "mixed_precision",
    "models",
    "ops",
    "optimizers",
    "preprocessing",
    "random",
    "regularizers",
    "remat",
    "saving",
    "utils",
    "value_and_grad",
    *_tf_names,
]
