"""Top-level ``model(x)`` calls run a cached compiled forward per input signature.

Eager JAX executes one op at a time; a model called in a loop (serving, RL,
generation) pays that on every call. When a call comes from plain Python with
concrete arrays — no GradientTape recording, no enclosing state scope or layer
call — it runs as one jitted function over the model's variables instead.
Python side effects in ``call`` then happen when tracing, as in ``kerax.function``.
Losses that layers add are carried out of the compiled function, so
``model.losses`` still reflects the last call.
"""

from __future__ import annotations

from typing import Any

import jax
import numpy as np

from kerax.autodiff import recording, state_scope
from kerax.layers.call_context import _context
from kerax.trainers.steps import CompiledStep


def _signature(value: Any) -> Any:
    if isinstance(value, (jax.Array, np.ndarray)) and not isinstance(
        value, jax.core.Tracer
    ):
        return (value.shape, value.dtype)
    return None


def compiled_call(model: Any, args: tuple, kwargs: dict) -> tuple[bool, Any]:
    """``(True, outputs)`` when the call ran compiled, else ``(False, None)``."""
    if (
        not model.built
        or getattr(model, "_run_eagerly", False)
        or len(args) != 1
        or set(kwargs) - {"training"}
        or _context()
        or state_scope.in_scope()
        or recording.active_tapes()
    ):
        return False, None
    leaves, treedef = jax.tree_util.tree_flatten(args[0])
    signature = [_signature(leaf) for leaf in leaves]
    if not leaves or any(s is None for s in signature):
        return False, None
    training = kwargs.get("training")
    training = None if training is None else bool(training)
    variables = model.variables
    key = (treedef, tuple(signature), training, len(variables))
    cache = model.__dict__.setdefault("_compiled_calls", {})
    step = cache.get(key)
    if step is None or any(a is not b for a, b in zip(step.variables, variables)):
        layers = model._flatten_layers(include_self=True)

        def forward(data: Any) -> Any:
            out = model.__call__(data, training=training, _kerax_compiled=False)
            scope = state_scope.current()
            losses = [scope.losses.get(id(layer), []) for layer in layers]
            return out, losses

        step = CompiledStep(forward, variables)
        step.layers = layers  # type: ignore[attr-defined]
        cache[key] = step
    outputs, losses = step.run(args[0])  # numpy leaves go to the device in the call
    for layer, values in zip(step.layers, losses):  # type: ignore[attr-defined]
        if values or layer._losses:
            layer._losses = list(values)
    return True, outputs
