"""Loading ``.keras`` files written by Keras (tf.keras) 2.13-2.15.

Keras 2.13-2.15 used the same zip layout as Keras 3 (``metadata.json``,
``config.json``, ``model.weights.h5``) but its own config and weight
conventions; ``metadata.json`` tells them apart (``"keras_version": "2.x"``).
The config is mapped by ``keras2_config`` and the weights by
``keras2_weights``; everything else (safe mode, custom objects, checks on
the archive and on every weight) is as for Keras 3 files.
"""

from __future__ import annotations

import io
import warnings
from typing import Any

import h5py

from kerax.saving import archive, safe_json
from kerax.saving.keras2_config import is_keras2_version, keras2_to_keras3
from kerax.saving.keras2_weights import load_keras2_state
from kerax.saving.weights_store import WeightsReader


def is_keras2_archive(entries: dict[str, bytes], label: str) -> bool:
    """True if the archive's metadata names Keras 2.x as its writer."""
    if archive.METADATA not in entries:
        return False
    metadata = safe_json.loads(entries[archive.METADATA], f"{label}: metadata")
    return isinstance(metadata, dict) and is_keras2_version(
        metadata.get("keras_version")
    )


def layer_names(config: Any) -> list[str] | None:
    """Names of the top-level layers in the order the config lists them."""
    inner = config.get("config") if isinstance(config, dict) else None
    layers = inner.get("layers") if isinstance(inner, dict) else None
    if not isinstance(layers, list):
        return None
    names = []
    for entry in layers:
        name = entry.get("name") if isinstance(entry, dict) else None
        if name is None and isinstance(entry, dict):
            name = (entry.get("config") or {}).get("name")
        if isinstance(name, str):
            names.append(name)
    return names


def mapped_config(raw: Any, label: str) -> dict[str, Any]:
    """A Keras 2 model config mapped onto Keras 3 (with a warning listing how)."""
    if not isinstance(raw, dict) or "class_name" not in raw:
        raise ValueError(f"{label}: {archive.CONFIG} does not describe a model.")
    config, mapped = keras2_to_keras3(raw)
    if mapped:
        warnings.warn(
            f"{label} was written by Keras 2; mapped Keras 2 arguments onto "
            f"Keras 3 ones: {sorted(mapped)}.",
            stacklevel=4,
        )
    return config


def load_model(
    entries: dict[str, bytes],
    custom_objects: Any,
    compile: bool,  # noqa: A002 - Keras's argument name
    safe_mode: bool,
    label: str,
) -> Any:
    """The model of a Keras 2 ``.keras`` archive, weights (and optimizer) loaded."""
    raw = safe_json.loads(entries[archive.CONFIG], f"{label}: {archive.CONFIG}")
    from kerax.saving.saving_api import model_from_config  # saving_api imports us

    config = mapped_config(raw, label)
    model = model_from_config(config, custom_objects, compile, safe_mode, label)
    _load_state(model, entries, label, layer_names(raw), compile)
    return model


def _load_state(
    model: Any,
    entries: dict[str, bytes],
    label: str,
    names: list[str] | None,
    load_optimizer: bool,
) -> None:
    if archive.WEIGHTS not in entries:
        raise ValueError(f"{label} has no {archive.WEIGHTS} entry.")
    try:
        h5file = h5py.File(io.BytesIO(entries[archive.WEIGHTS]), "r")
    except OSError as error:
        raise ValueError(
            f"{label}: {archive.WEIGHTS} is not a valid HDF5 file: {error}"
        ) from error
    with h5file:
        reader = WeightsReader(h5file, label)
        load_keras2_state(model, reader, names, load_optimizer=load_optimizer)


def load_weights(
    model: Any, entries: dict[str, bytes], label: str, skip_mismatch: bool
) -> None:
    """``model.load_weights`` from a Keras 2 ``.keras`` archive (layers only)."""
    if skip_mismatch:
        raise ValueError(
            f"{label} was written by Keras 2: its weights load only when every "
            "layer matches (skip_mismatch=True is not supported for it)."
        )
    raw = safe_json.loads(entries[archive.CONFIG], f"{label}: {archive.CONFIG}")
    _load_state(model, entries, label, layer_names(raw), load_optimizer=False)
