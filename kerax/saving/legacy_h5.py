"""Legacy Keras HDF5 files: full models (``model.save("m.h5")``) and weights.

The layout is the one Keras writes for ``.h5`` files: root attributes
``model_config`` / ``training_config`` (JSON), and a group (``model_weights``
for models, the root for weights files) with attribute ``layer_names``, one
group per layer with attribute ``weight_names`` and the datasets those names
point to. Weights are in the legacy order ``trainable + non_trainable``.

Loading never unpickles or runs code: classes are resolved only through
kerax's registry (``deserialize_keras_object``) and every dataset is checked
(hard link, numeric dtype, shape) before it is read.
"""

from __future__ import annotations

import contextlib
import json
import warnings
from collections.abc import Iterator
from typing import Any

import h5py
import numpy as np

from kerax.saving import archive, h5_guard, safe_json
from kerax.saving.keras2_archive import layer_names
from kerax.saving.keras2_config import Keras2ConfigError, is_keras2_version
from kerax.saving.keras2_weights import restore_optimizer
from kerax.saving.legacy_config import to_keras3_config, training_arguments
from kerax.saving.object_registration import safe_mode_scope
from kerax.saving.serialization import deserialize_keras_object, serialize_keras_object
from kerax.saving.weights_store import WeightsReader

_KERAS_VERSION = "3.15.1"
_TOP_LEVEL = "top_level_model_weights"


@contextlib.contextmanager
def _open(source: Any, label: str) -> Iterator[h5py.File]:
    """The file opened read-only; HDF5 read errors become ``ValueError``."""
    h5_guard.check_global_heaps(source, label)
    try:
        with h5py.File(source, "r") as h5file, h5_guard.read_errors(label):
            yield h5file
    except OSError as error:
        raise ValueError(
            f"{label} is not a readable HDF5 file (it may be truncated or "
            f"corrupt): {error}"
        ) from error


def _strings(node: Any, name: str, label: str) -> list[str]:
    """String-list attribute ``name`` (possibly chunked as name0, name1...)."""
    if name in node.attrs:
        chunks = [node.attrs[name]]
    else:
        chunks = []
        while f"{name}{len(chunks)}" in node.attrs:
            chunks.append(node.attrs[f"{name}{len(chunks)}"])
    values: list[str] = []
    for chunk in chunks:
        for item in np.asarray(chunk).reshape(-1).tolist():
            if isinstance(item, bytes):
                item = item.decode("utf-8")
            if not isinstance(item, str):
                raise ValueError(
                    f"{label}: attribute {name!r} of {node.name!r} must hold strings, "
                    f"found {type(item).__name__}."
                )
            values.append(item)
    return values


def _legacy_weights(layer: Any) -> list[Any]:
    return list(layer.trainable_weights) + list(layer.non_trainable_weights)


def _entry(group: h5py.Group, key: str, kind: type, label: str) -> Any:
    """``group[key]``, which must be a hard-linked ``kind`` (Group/Dataset)."""
    if not key or "/" in key:
        raise ValueError(f"{label}: invalid entry name {key!r} in {group.name!r}.")
    link = group.get(key, getlink=True)
    if link is None:
        raise ValueError(f"{label}: group {group.name!r} has no entry {key!r}.")
    if not isinstance(link, h5py.HardLink):
        raise ValueError(
            f"{label}: refusing {group.name}/{key}: it is a {type(link).__name__}; "
            "only plain (hard-linked) entries are allowed."
        )
    node = group[key]
    if not isinstance(node, kind):
        raise ValueError(f"{label}: {node.name!r} is not a {kind.__name__}.")
    return node


def _child(group: h5py.Group, key: str, label: str) -> h5py.Group:
    return _entry(group, key, h5py.Group, label)


class _LayerWeights:
    """The weights one layer group of a legacy file holds (read lazily)."""

    def __init__(self, group: h5py.Group, reader: WeightsReader, label: str) -> None:
        self.group = group
        self.reader = reader
        self.label = label
        self.names = _strings(group, "weight_names", label)

    def _parent(self, name: str) -> tuple[h5py.Group, str]:
        parts = [p for p in name.split("/") if p]
        if not parts:
            raise ValueError(f"{self.label}: empty weight name in {self.group.name!r}.")
        node = self.group
        for part in parts[:-1]:
            node = _child(node, part, self.label)
        return node, parts[-1]

    def shape(self, name: str) -> tuple[int, ...]:
        parent, key = self._parent(name)
        return tuple(_entry(parent, key, h5py.Dataset, self.label).shape)

    def read_any(self, name: str) -> np.ndarray:
        """The dataset ``name`` whatever its shape (checked like any weight)."""
        parent, key = self._parent(name)
        dataset = _entry(parent, key, h5py.Dataset, self.label)
        what = f"weight {name!r}"
        return self.reader.read(parent, key, dataset.shape, dataset.dtype, what)

    def read(self, name: str, variable: Any) -> np.ndarray:
        parent, key = self._parent(name)
        what = f"weight {variable.path!r}"
        return self.reader.read(parent, key, variable.shape, variable.dtype, what)


def _assign(
    layer: Any, stored: _LayerWeights, skip_mismatch: bool, label: str
) -> list[tuple[Any, np.ndarray]]:
    """The (variable, value) pairs for ``layer``; [] if skipped on mismatch."""
    variables = _legacy_weights(layer)
    problem = None
    if len(variables) != len(stored.names):
        problem = (
            f"layer {layer.name!r} expects {len(variables)} weights, the file "
            f"{label} holds {len(stored.names)} for {stored.group.name!r}"
        )
    else:
        for variable, name in zip(variables, stored.names):
            if tuple(variable.shape) != stored.shape(name):
                problem = (
                    f"weight {variable.path!r} of layer {layer.name!r} has shape "
                    f"{tuple(variable.shape)}, the file {label} holds shape "
                    f"{stored.shape(name)} at {name!r}"
                )
                break
    if problem is not None:
        if not skip_mismatch:
            raise ValueError(f"Weight mismatch: {problem}.")
        warnings.warn(f"Skipping weights: {problem}.", stacklevel=4)
        return []
    return [(v, stored.read(n, v)) for v, n in zip(variables, stored.names)]


def load_weights_from_group(
    group: h5py.Group,
    model: Any,
    label: str,
    by_name: bool = False,
    skip_mismatch: bool = False,
) -> None:
    """Assign a legacy ``layer_names``/``weight_names`` group to ``model``.

    Nothing is assigned unless every layer loads (or is skipped with
    ``skip_mismatch=True``).
    """
    reader = WeightsReader(group.file, label)
    layer_names = _strings(group, "layer_names", label)
    if not layer_names and "layer_names" not in group.attrs:
        raise ValueError(
            f"{label} is not a legacy Keras weights file (no 'layer_names' attribute)."
        )
    stored = {
        n: _LayerWeights(_child(group, n, label), reader, label) for n in layer_names
    }
    pairs: list[tuple[Any, np.ndarray]] = []
    if by_name:
        by_layer = {layer.name: layer for layer in model.layers}
        for name, weights in stored.items():
            if name in by_layer and weights.names:
                pairs += _assign(by_layer[name], weights, skip_mismatch, label)
    else:
        layers = [layer for layer in model.layers if _legacy_weights(layer)]
        saved = [w for w in stored.values() if w.names]
        if len(layers) != len(saved):
            raise ValueError(
                f"Layer count mismatch when loading {label}: the model has "
                f"{len(layers)} layers with weights, the file holds "
                f"{len(saved)}. Pass by_name=True to match layers by name."
            )
        for layer, weights in zip(layers, saved):
            pairs += _assign(layer, weights, skip_mismatch, label)
    if _TOP_LEVEL in group:
        top = _LayerWeights(_child(group, _TOP_LEVEL, label), reader, label)
        own = _own_weights(model)
        if top.names or own:
            holder = _Holder(
                model.name,
                [v for v in own if v.trainable],
                [v for v in own if not v.trainable],
            )
            pairs += _assign(holder, top, skip_mismatch, label)
    for variable, value in pairs:
        variable.assign(value)


class _Holder:
    """Variables not in a layer (model, optimizer), shaped like a layer."""

    def __init__(self, name: str, trainable: list[Any], others: list[Any]) -> None:
        self.name = name
        self.trainable_weights = trainable
        self.non_trainable_weights = others


def _own_weights(model: Any) -> list[Any]:
    in_layers = {id(v) for layer in model.layers for v in layer.weights}
    return [v for v in model.weights if id(v) not in in_layers]


def _write_strings(node: Any, name: str, values: list[str]) -> None:
    node.attrs[name] = (
        np.array([v.encode("utf-8") for v in values], dtype=object)
        if values
        else np.array([], dtype=np.float64)
    )


def _write_subset(group: h5py.Group, variables: list[Any]) -> None:
    names = [str(v.path) for v in variables]
    _write_strings(group, "weight_names", names)
    for name, variable in zip(names, variables):
        group.create_dataset(name, data=np.asarray(variable.numpy()))


def save_weights_to_group(group: h5py.Group, model: Any) -> None:
    """Write ``model``'s weights in the legacy layout under ``group``."""
    _write_strings(group, "layer_names", [layer.name for layer in model.layers])
    group.attrs["backend"] = "jax"
    group.attrs["keras_version"] = _KERAS_VERSION
    for layer in sorted(model.layers, key=lambda item: item.name):
        _write_subset(group.create_group(layer.name), _legacy_weights(layer))
    own = _own_weights(model)
    _write_subset(
        group.create_group(_TOP_LEVEL),
        [v for v in own if v.trainable] + [v for v in own if not v.trainable],
    )


def _write_file(path: str, fill: Any) -> None:
    def write(stream: Any) -> None:
        with h5py.File(stream, "w") as h5file:
            fill(h5file)

    archive.atomic_write(path, write)


def save_weights(model: Any, path: str) -> None:
    """Save ``model``'s weights as a legacy ``.h5`` weights file."""
    _write_file(path, lambda h5file: save_weights_to_group(h5file, model))


def load_weights(
    model: Any, source: Any, label: str, by_name: bool, skip_mismatch: bool
) -> None:
    """Load a legacy ``.h5`` weights (or full-model) file into ``model``."""
    with _open(source, label) as h5file:
        group = h5file
        if "layer_names" not in h5file.attrs and "model_weights" in h5file:
            group = _child(h5file, "model_weights", label)
        load_weights_from_group(group, model, label, by_name, skip_mismatch)


def _training_config(model: Any) -> dict[str, Any] | None:
    if not getattr(model, "compiled", False) or model.optimizer is None:
        return None
    from kerax.saving.compile_config import get_compile_config

    config = get_compile_config(model)
    if config is None:
        return None
    config = dict(config.get("config", config))
    config["optimizer_config"] = serialize_keras_object(model.optimizer)
    config.pop("optimizer", None)
    return config


def save_model(model: Any, path: str) -> None:
    """Save ``model`` (config, weights, training config) as a legacy ``.h5``."""
    config = json.dumps(serialize_keras_object(model))
    training = _training_config(model)

    def fill(h5file: h5py.File) -> None:
        h5file.attrs["keras_version"] = _KERAS_VERSION
        h5file.attrs["backend"] = "jax"
        h5file.attrs["model_config"] = config
        if training is not None:
            h5file.attrs["training_config"] = json.dumps(training)
        save_weights_to_group(h5file.create_group("model_weights"), model)
        if training is not None and getattr(model.optimizer, "built", False):
            optimizer = h5file.create_group("optimizer_weights")
            _write_subset(optimizer, list(model.optimizer.variables))

    _write_file(path, fill)


def _json_attr(h5file: h5py.File, name: str, label: str) -> Any:
    value = h5file.attrs.get(name)
    if value is None:
        return None
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value.item()
    if not isinstance(value, (str, bytes)):
        raise ValueError(f"{label}: attribute {name!r} must be a JSON string.")
    return safe_json.loads(value, f"{label}: {name}")


def _warn_mapped(label: str, renamed: set[str]) -> None:
    if renamed:
        warnings.warn(
            f"{label}: mapped Keras 2 arguments onto Keras 3 ones: {sorted(renamed)}.",
            stacklevel=4,
        )


def load_model(
    source: Any, label: str, custom_objects: Any, compile: bool, safe_mode: bool
) -> Any:
    """Rebuild a model from a legacy ``.h5`` file (Keras 2 or Keras 3)."""
    with _open(source, label) as h5file:
        config = _json_attr(h5file, "model_config", label)
        if not isinstance(config, dict) or "class_name" not in config:
            raise ValueError(f"No model config found in {label}.")
        raw_config = config
        try:
            config, renamed = to_keras3_config(config)
        except Keras2ConfigError as error:
            _warn_mapped(label, error.mapped)
            raise
        _warn_mapped(label, renamed)
        with safe_mode_scope(safe_mode):
            model = deserialize_keras_object(
                config, custom_objects, safe_mode=safe_mode
            )
            if not hasattr(model, "layers"):
                raise ValueError(
                    f"{label} describes a {type(model).__name__}, not a model."
                )
            group = _child(h5file, "model_weights", label)
            load_weights_from_group(group, model, label)
            training = _json_attr(h5file, "training_config", label) if compile else None
            if isinstance(training, dict):
                single = len(getattr(model, "outputs", None) or ()) == 1
                arguments = training_arguments(training, custom_objects, single)
                model.compile(**arguments)
                if "optimizer_weights" in h5file:
                    _load_optimizer(h5file, model, label, raw_config)
    return model


def _load_optimizer(
    h5file: h5py.File, model: Any, label: str, raw_config: dict[str, Any]
) -> None:
    """Restore the optimizer state (warn and keep a fresh one on mismatch)."""
    optimizer = model.optimizer
    if not getattr(optimizer, "built", False):
        optimizer.build(model.trainable_variables)
    group = _child(h5file, "optimizer_weights", label)
    stored = _LayerWeights(group, WeightsReader(h5file, label), label)
    if is_keras2_version(_text_attr(h5file, "keras_version")):
        values = [stored.read_any(name) for name in stored.names]
        names = layer_names(raw_config)
        restore_optimizer(model, values, names, label, stored.names)
        return
    holder = _Holder("optimizer", [], list(optimizer.variables))
    for variable, value in _assign(holder, stored, True, label):
        variable.assign(value)


def _text_attr(h5file: h5py.File, name: str) -> str | None:
    value = h5file.attrs.get(name)
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return value if isinstance(value, str) else None
