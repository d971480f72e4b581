"""A model's ``compile()`` arguments as Keras's ``compile_config``, and back.

``load_model`` recompiles a model with the optimizer, losses and metrics it
was saved with, and builds the optimizer so that its saved state (slots,
iteration count) can be loaded and ``fit`` resumes exactly.
"""

from __future__ import annotations

import inspect
import warnings
from typing import Any


def get_compile_config(model: Any) -> dict[str, Any] | None:
    """The arguments ``model.compile`` was called with, serialized (or None).

    Uses ``model.get_compile_config()`` when the model defines it.
    """
    if hasattr(model, "get_compile_config"):
        return model.get_compile_config()
    if not getattr(model, "compiled", False):
        return None
    from kerax.saving.serialization import serialize_keras_object

    compile_loss = getattr(model, "_compile_loss", None)
    compile_metrics = getattr(model, "_compile_metrics", None)
    arguments = {
        "optimizer": model.optimizer,
        "loss": compile_loss._loss_arg if compile_loss is not None else None,
        "loss_weights": compile_loss._weights_arg if compile_loss is not None else None,
        "metrics": compile_metrics._metrics_arg
        if compile_metrics is not None
        else None,
        "weighted_metrics": (
            compile_metrics._weighted_arg if compile_metrics is not None else None
        ),
        "run_eagerly": bool(model.run_eagerly),
        "steps_per_execution": int(model.steps_per_execution),
        "jit_compile": bool(getattr(model, "_jit_compile", True)),
    }
    try:
        return serialize_keras_object(arguments)
    except (TypeError, ValueError) as error:
        warnings.warn(
            f"The compile() arguments of model {model.name!r} cannot be saved "
            f"({error}); the model will be saved without them and must be "
            "compiled again after loading.",
            stacklevel=3,
        )
        return None


def compile_from_config(model: Any, config: dict[str, Any]) -> None:
    """Compile ``model`` from ``get_compile_config`` output; build its optimizer.

    Uses ``model.compile_from_config()`` when the model defines it. Runs
    inside the loader's custom-object scope, so user losses and metrics
    resolve.
    """
    if hasattr(model, "compile_from_config"):
        model.compile_from_config(config)
        return
    from kerax.saving.serialization import deserialize_keras_object

    arguments = deserialize_keras_object(config)
    accepted = inspect.signature(model.compile).parameters
    unknown = sorted(set(arguments) - set(accepted))
    if unknown:
        warnings.warn(
            f"Ignoring compile arguments {unknown} of model {model.name!r}: kerax's "
            "compile() does not take them.",
            stacklevel=3,
        )
    model.compile(**{k: v for k, v in arguments.items() if k in accepted})
    if model.built and model.optimizer is not None:
        model.optimizer.build(model.trainable_variables)
