"""Save a model's variables into a Keras weights file and load them back.

Loading is all or nothing: every group is read and checked (count, shape,
dtype) and the file is checked for weights that no variable asked for before
any variable is assigned, so a bad file leaves the model untouched.

A layer that defines its own ``save_own_variables``/``load_own_variables``
(as Keras layers may) stores what it likes in its group: it is given a dict
to fill, and on loading a dict of the group's arrays (read and checked to be
numeric first; the layer checks the rest). Its hook runs after all plain
variables are assigned, followed by its ``load_assets`` when the file is a
``.keras`` archive, in the order Keras visits the objects.
"""

from __future__ import annotations

import warnings
from typing import Any, Protocol

import jax.numpy as jnp
import numpy as np

from kerax.distribution.checkpointing import host_value, place, target_sharding
from kerax.layers.layer import Layer
from kerax.optimizers.optimizer import Optimizer
from kerax.saving import saveables
from kerax.saving.assets import AssetsReader, AssetsWriter

_OPTIMIZER = "optimizer"


class Writer(Protocol):
    """Where ``save_state`` writes: a weights file, or a set of shards."""

    def write(self, path: str, name: str | None, values: dict[str, Any]) -> None:
        """Create the object's ``vars`` group holding ``values``."""


def _own_hook(obj: Any, method: str) -> Any:
    """A layer's own ``save_own_variables``/``load_own_variables``, if it has one."""
    if not isinstance(obj, Layer):
        return None
    hook = getattr(type(obj), method, None)
    if hook is None or hook is getattr(Layer, method, None):
        return None
    return getattr(obj, method)


def _own_values(obj: Any) -> dict[str, np.ndarray]:
    hook = _own_hook(obj, "save_own_variables")
    if hook is None:
        variables = saveables.own_variables(obj)
        return {str(i): host_value(v.value) for i, v in enumerate(variables)}
    store: dict[str, Any] = {}
    hook(store)
    return {str(key): np.asarray(value) for key, value in store.items()}


def _is_optimizer_path(path: str) -> bool:
    return path == _OPTIMIZER or path.startswith(_OPTIMIZER + "/")


def save_state(model: Any, writer: Writer, assets: AssetsWriter | None = None) -> None:
    """Write the variables of every layer and of the optimizer of ``model``.

    Values are fetched one object at a time, a sharded one gathered from its
    devices (and from the other processes of a multi-process run). With
    ``assets``, each object that has ``save_assets`` writes its files too.
    """
    for path, obj in saveables.walk(model):
        writer.write(path, getattr(obj, "name", None), _own_values(obj))
        if assets is not None and callable(getattr(obj, "save_assets", None)):
            obj.save_assets(assets.make(path))


def _describe(obj: Any, path: str) -> str:
    kind = "optimizer" if isinstance(obj, Optimizer) else "layer"
    return f"{kind} {obj.name!r} (at {path or 'the model root'!r})"


def _read_store(obj: Any, path: str, reader: Any) -> dict[str, np.ndarray]:
    """Every array of ``obj``'s group, for the layer's own ``load_own_variables``."""
    group = reader.group(path)
    if group is None:
        return {}
    return {
        key: reader.read(group, key, None, None, f"{key!r} of {_describe(obj, path)}")
        for key in reader.keys(group)
    }


def _read_group(obj: Any, path: str, reader: Any) -> list[np.ndarray]:
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
    reader: Any,
    skip_mismatch: bool = False,
    load_optimizer: bool = True,
    assets: AssetsReader | None = None,
) -> None:
    """Assign every variable of ``model`` from the file, after checking it all.

    Args:
        model: the model whose variables are assigned.
        reader: the open weights file (a ``WeightsReader`` or a
            ``ShardedWeightsReader``).
        skip_mismatch: warn and skip a layer whose weights do not match (and
            weights nobody asked for) instead of raising.
        load_optimizer: also restore the optimizer's state, if the model has
            an optimizer.
        assets: the archive's asset files, handed to each object's
            ``load_assets``.
    """
    optimizer = getattr(model, "optimizer", None)
    use_optimizer = load_optimizer and isinstance(optimizer, Optimizer)
    if use_optimizer:
        _maybe_build_optimizer(model, optimizer)
    assignments: list[tuple[Any, np.ndarray]] = []
    hooks: list[tuple[str, Any, dict[str, np.ndarray] | None]] = []
    skipped: list[str] = []  # groups whose unread weights are not "extra"
    for path, obj in saveables.walk(model):
        if _is_optimizer_path(path) and not use_optimizer:
            continue
        if _own_hook(obj, "load_own_variables") is not None:
            hooks.append((path, obj, _read_store(obj, path, reader)))
            continue
        if assets is not None and callable(getattr(obj, "load_assets", None)):
            hooks.append((path, obj, None))
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
        sharding = target_sharding(variable)
        if sharding is None:
            variable.assign(jnp.asarray(value, dtype=variable.dtype))
        else:  # straight into its shards (never whole on one device)
            value = np.asarray(value, dtype=jnp.dtype(variable.dtype))
            variable.assign(place(value, sharding))
    for path, obj, store in hooks:
        _run_hooks(obj, path, store, assets, skip_mismatch)


def _run_hooks(
    obj: Any,
    path: str,
    store: dict[str, np.ndarray] | None,
    assets: Any,
    skip_mismatch: bool,
) -> None:
    """The layer's own ``load_own_variables``, then its ``load_assets``."""
    try:
        if store is not None:
            obj.load_own_variables(store)
        if assets is not None and callable(getattr(obj, "load_assets", None)):
            obj.load_assets(assets.get(path))
    except (KeyError, OSError, TypeError, ValueError) as error:
        message = (
            f"Could not restore the state of {_describe(obj, path)} from the "
            f"file: {type(error).__name__}: {error}"
        )
        if not skip_mismatch:
            raise ValueError(message) from error
        warnings.warn(f"Skipping loading: {message}", stacklevel=4)
