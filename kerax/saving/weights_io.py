"""Save a model's variables into a Keras weights file and load them back.

Loading is all or nothing: every group is read and checked (count, shape,
dtype) and the file is checked for weights that no variable asked for before
any variable is assigned, so a bad file leaves the model untouched.
"""

from __future__ import annotations

import warnings
from typing import Any

import jax.numpy as jnp
import numpy as np

from kerax.optimizers.optimizer import Optimizer
from kerax.saving import saveables
from kerax.saving.weights_store import WeightsReader, WeightsWriter

_OPTIMIZER = "optimizer"


def _is_optimizer_path(path: str) -> bool:
    return path == _OPTIMIZER or path.startswith(_OPTIMIZER + "/")


def save_state(model: Any, writer: WeightsWriter) -> None:
    """Write the variables of every layer and of the optimizer of ``model``."""
    for path, obj in saveables.walk(model):
        values = [np.asarray(v.value) for v in saveables.own_variables(obj)]
        writer.write(path, getattr(obj, "name", None), values)


def _describe(obj: Any, path: str) -> str:
    kind = "optimizer" if isinstance(obj, Optimizer) else "layer"
    return f"{kind} {obj.name!r} (at {path or 'the model root'!r})"


def _read_group(obj: Any, path: str, reader: WeightsReader) -> list[np.ndarray]:
    variables = saveables.own_variables(obj)
    group = reader.group(path)
    keys = reader.keys(group) if group is not None else []
    expected = [str(i) for i in range(len(variables))]
    if sorted(keys) != sorted(expected):
        hint = ""
        if not getattr(obj, "built", True) and not variables:
            hint = " The layer is not built: build or call the model before loading."
        raise ValueError(
            f"{_describe(obj, path)} expects {len(variables)} variables, but the "
            f"file {reader.source} holds {len(keys)} for it"
            f"{f' ({sorted(keys)})' if keys else ''}.{hint}"
        )
    return [
        reader.read(
            group,
            key,
            tuple(variable.shape),
            jnp.dtype(variable.dtype),
            f"variable {variable.path!r} of {_describe(obj, path)}",
        )
        for key, variable in zip(expected, variables)
    ]


def _maybe_build_optimizer(model: Any, optimizer: Optimizer) -> None:
    if not optimizer.built and model.built:
        optimizer.build(model.trainable_variables)


def load_state(
    model: Any,
    reader: WeightsReader,
    skip_mismatch: bool = False,
    load_optimizer: bool = True,
) -> None:
    """Assign every variable of ``model`` from the file, after checking it all.

    Args:
        model: the model whose variables are assigned.
        reader: the open weights file.
        skip_mismatch: warn and skip a layer whose weights do not match (and
            weights nobody asked for) instead of raising.
        load_optimizer: also restore the optimizer's state, if the model has
            an optimizer.
    """
    optimizer = getattr(model, "optimizer", None)
    use_optimizer = load_optimizer and isinstance(optimizer, Optimizer)
    if use_optimizer:
        _maybe_build_optimizer(model, optimizer)
    assignments: list[tuple[Any, np.ndarray]] = []
    skipped: list[str] = []  # groups whose unread weights are not "extra"
    for path, obj in saveables.walk(model):
        if _is_optimizer_path(path) and not use_optimizer:
            continue
        try:
            values = _read_group(obj, path, reader)
        except ValueError as error:
            if not (skip_mismatch or isinstance(obj, Optimizer)):
                raise
            warnings.warn(f"Skipping loading weights for {error}", stacklevel=3)
            skipped.append(f"{path}/vars/" if path else "vars/")
            continue
        assignments.extend(zip(saveables.own_variables(obj), values))
    extra = [
        path
        for path in reader.datasets()
        if path not in reader.read_paths
        and not (_is_optimizer_path(path) and not use_optimizer)
        and not any(path.startswith(prefix) for prefix in skipped)
    ]
    if extra:
        message = (
            f"The file {reader.source} holds weights that no variable of model "
            f"{model.name!r} matches: {sorted(extra)[:20]}"
            f"{' ...' if len(extra) > 20 else ''}. Is it the file of another model?"
        )
        if not skip_mismatch:
            raise ValueError(message + " Pass skip_mismatch=True to ignore them.")
        warnings.warn(message, stacklevel=3)
    for variable, value in assignments:
        variable.assign(jnp.asarray(value, dtype=variable.dtype))
