"""How many steps one compiled call of fit/evaluate runs.

``compile(steps_per_execution="auto")`` (the default) scans several steps per
call when no callback needs per-batch hooks: on this CPU that removed the
per-step dispatch cost of dense and recurrent models (1.14× → 1.58× Keras on
the MLP benchmark, 1.12× → 1.70× on the LSTM one). A scan over convolution
steps measured slower than single steps on XLA:CPU (2.73× → 1.85× on the CNN
benchmark), so models with convolutions keep one step per call there.
"""

from __future__ import annotations

from typing import Any

import jax

AUTO_STEPS = 16


def _has_convolutions(model: Any) -> bool:
    return any("Conv" in type(layer).__name__ for layer in model._flatten_layers())


def steps_per_call(model: Any, hooks: bool) -> int:
    """Steps per compiled call for ``model`` given whether batch hooks run."""
    if hooks:
        return 1
    requested = int(model.steps_per_execution)
    if requested != 1 or not getattr(model, "_auto_steps", False):
        return requested
    if jax.default_backend() == "cpu" and _has_convolutions(model):
        return 1
    return AUTO_STEPS
