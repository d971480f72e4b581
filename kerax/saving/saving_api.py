"""``save_model``/``load_model``, ``save_weights``/``load_weights`` and JSON.

The ``.keras`` format is Keras 3's: files move between kerax and Keras in
both directions. Loading never runs code from a file (see ``safe_mode``) and
checks the archive, the JSON and every weight before using them.
"""

from __future__ import annotations

import datetime
import io
import json
import os
from typing import Any

import h5py

from kerax.distribution.checkpointing import is_writer, wait_for_writer
from kerax.saving import archive, h5_guard, legacy_h5, safe_json, sharded_weights
from kerax.saving.assets import AssetsReader, AssetsWriter
from kerax.saving.object_registration import safe_mode_scope
from kerax.saving.serialization import deserialize_keras_object, serialize_keras_object
from kerax.saving.weights_io import load_state, save_state
from kerax.saving.weights_store import WeightsReader, WeightsWriter

# The Keras release whose file format kerax writes (recorded in metadata.json).
KERAS_FORMAT_VERSION = "3.15.1"
_LEGACY_H5 = (".h5", ".hdf5")
_WEIGHTS_SUFFIX = ".weights.h5"


def _path(filepath: Any) -> str | None:
    """The path as a string, or None for a file object."""
    if isinstance(filepath, (str, os.PathLike)):
        return os.fspath(filepath)
    if hasattr(filepath, "read") or hasattr(filepath, "write"):
        return None
    raise TypeError(
        f"Expected a path or a binary file object, received {type(filepath).__name__}: "
        f"{filepath!r}."
    )


def _check_overwrite(path: str, overwrite: bool) -> None:
    if overwrite:
        return
    wait_for_writer("kerax:overwrite-check")  # every process looks before any writes
    if os.path.exists(path):
        raise FileExistsError(
            f"{path} already exists. Pass overwrite=True to replace it."
        )


def _weights_bytes(model: Any, assets: AssetsWriter | None = None) -> bytes:
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as h5file:
        save_state(model, WeightsWriter(h5file), assets)
    return buffer.getvalue()


def save_model(
    model: Any, filepath: Any, overwrite: bool = True, **kwargs: Any
) -> None:
    """Save ``model`` (architecture, weights, compile arguments, optimizer state).

    Args:
        model: the model to save.
        filepath: a path ending in ``.keras``, or a writable binary file object.
        overwrite: replace an existing file (else raise ``FileExistsError``).
        zipped: accepted for Keras compatibility; only zipped files are written.
    """
    zipped = kwargs.pop("zipped", None)
    if "max_shard_size" in kwargs:  # as in Keras 3.15: `.keras` files are whole
        raise ValueError(
            "The following argument(s) are not supported: ['max_shard_size']. "
            "Shard the weights with `save_weights(..., max_shard_size=...)`."
        )
    if kwargs:
        raise TypeError(f"save_model got unexpected arguments: {sorted(kwargs)}.")
    if zipped is False:
        raise ValueError(
            "kerax saves .keras files zipped only (zipped=False is not supported)."
        )
    path = _path(filepath)
    if path is not None:
        if path.endswith(_LEGACY_H5):
            _check_overwrite(path, overwrite)
            if is_writer():
                legacy_h5.save_model(model, path)
            wait_for_writer("kerax:save_model")
            return
        if not path.endswith(".keras"):
            raise ValueError(
                "Invalid filepath extension for saving. Please add a `.keras` "
                "extension for the native Keras format. Use `model.export(filepath)` "
                f"to export an inference artifact. Received: filepath={path}"
            )
        _check_overwrite(path, overwrite)
    config = json.dumps(serialize_keras_object(model))
    metadata = json.dumps(
        {
            "keras_version": KERAS_FORMAT_VERSION,
            "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
            "kerax_version": _kerax_version(),
        }
    )
    with AssetsWriter() as assets:
        data = archive.archive_bytes(
            {
                archive.METADATA: metadata.encode("utf-8"),
                archive.CONFIG: config.encode("utf-8"),
                archive.WEIGHTS: _weights_bytes(model, assets),
                **assets.entries(),
            }
        )
    if path is None:
        filepath.write(data)
    else:
        _write_once(path, data)


def _write_once(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` from process 0 only; all processes return
    once the file is complete."""
    if is_writer():
        archive.atomic_write(path, lambda stream: stream.write(data))
    wait_for_writer("kerax:checkpoint")


def _kerax_version() -> str:
    import kerax

    return getattr(kerax, "__version__", "unknown")


def _model_from_entries(
    entries: dict[str, bytes],
    custom_objects: Any,
    compile: bool,
    safe_mode: bool,
    label: str,
) -> Any:
    config = safe_json.loads(entries[archive.CONFIG], f"{label}: {archive.CONFIG}")
    if archive.METADATA in entries:
        safe_json.loads(entries[archive.METADATA], f"{label}: {archive.METADATA}")
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"{label}: {archive.CONFIG} does not describe a model.")
    return model_from_config(config, custom_objects, compile, safe_mode, label)


def model_from_config(
    config: dict,
    custom_objects: Any,
    compile: bool,  # noqa: A002 - Keras's argument name
    safe_mode: bool,
    label: str,
) -> Any:
    """The model a ``.keras`` config describes (compiled only with ``compile``)."""
    if not compile:
        config = {k: v for k, v in config.items() if k != "compile_config"}
    with safe_mode_scope(safe_mode):
        model = deserialize_keras_object(config, custom_objects, safe_mode=safe_mode)
    if not hasattr(model, "layers"):
        raise ValueError(f"{label} describes a {type(model).__name__}, not a model.")
    return model


def _open_h5(data_or_path: Any, label: str) -> h5py.File:
    h5_guard.check_global_heaps(data_or_path, label)
    try:
        source = (
            io.BytesIO(data_or_path)
            if isinstance(data_or_path, bytes)
            else data_or_path
        )
        return h5py.File(source, "r")
    except OSError as error:
        raise ValueError(
            f"{label} is not a valid HDF5 weights file: {error}"
        ) from error


def load_model(
    filepath: Any,
    custom_objects: dict[str, Any] | None = None,
    compile: bool = True,  # noqa: A002 - Keras's argument name
    safe_mode: bool = True,
) -> Any:
    """Load a ``.keras`` model written by kerax or by Keras 3.

    Args:
        filepath: a ``.keras`` path or a readable binary file object.
        custom_objects: user classes and functions the file may name.
        compile: recompile with the saved compile arguments and restore the
            optimizer state.
        safe_mode: refuse Python bytecode (lambdas) stored in the file. Set it
            to False only for files you trust.
    """
    label = _path(filepath) or "the file object"
    with h5_guard.read_errors(label):
        return _load_model(filepath, custom_objects, compile, safe_mode)


def _load_model(
    filepath: Any,
    custom_objects: dict[str, Any] | None,
    compile: bool,  # noqa: A002 - Keras's argument name
    safe_mode: bool,
) -> Any:
    """``load_model``'s work (see there)."""
    path = _path(filepath)
    label = path if path is not None else "the file object"
    if path is not None:
        if path.endswith(_LEGACY_H5) and not path.endswith(_WEIGHTS_SUFFIX):
            if not os.path.isfile(path):
                raise FileNotFoundError(f"File not found: filepath={path}.")
            return legacy_h5.load_model(path, label, custom_objects, compile, safe_mode)
        if not path.endswith(".keras"):
            raise ValueError(
                f"File format not supported: filepath={path}. kerax loads `.keras` "
                "model files (use `model.load_weights` for `.weights.h5` files)."
            )
        if not os.path.isfile(path):
            raise FileNotFoundError(f"File not found: filepath={path}.")
    entries = archive.read_archive(filepath, assets=True)
    if archive.WEIGHTS in entries:
        weights_label = f"{label}: {archive.WEIGHTS}"
        h5_guard.check_global_heaps(entries[archive.WEIGHTS], weights_label)
    from kerax.saving import keras2_archive

    if keras2_archive.is_keras2_archive(entries, label):
        return keras2_archive.load_model(
            entries, custom_objects, compile, safe_mode, label
        )
    model = _model_from_entries(entries, custom_objects, compile, safe_mode, label)
    if archive.WEIGHTS not in entries:
        raise ValueError(f"{label} has no {archive.WEIGHTS} entry.")
    with (
        _open_h5(entries[archive.WEIGHTS], f"{label}: {archive.WEIGHTS}") as h5file,
        AssetsReader(entries, label) as assets,
    ):
        reader = WeightsReader(h5file, label)
        load_state(model, reader, load_optimizer=compile, assets=assets)
    return model


def save_weights(
    model: Any,
    filepath: Any,
    overwrite: bool = True,
    max_shard_size: float | None = None,
    **kwargs: Any,
) -> None:
    """Save the variables of ``model`` (and its optimizer) to ``*.weights.h5``.

    With ``max_shard_size`` (gigabytes) the weights go to a ``*.weights.json``
    index and ``*_NNNNN.weights.h5`` shards beside it, as Keras writes them.
    """
    if kwargs:
        raise TypeError(f"save_weights got unexpected arguments: {sorted(kwargs)}.")
    path = _path(filepath)
    if max_shard_size is not None:
        index = sharded_weights.prepare_save(path, max_shard_size)
        _check_overwrite(index, overwrite)
        sharded_weights.save_sharded(model, index, max_shard_size, is_writer())
        wait_for_writer("kerax:save_weights")
        return
    if path is None:
        filepath.write(_weights_bytes(model))
        return
    if not path.endswith(_WEIGHTS_SUFFIX):
        if path.endswith(_LEGACY_H5):
            _check_overwrite(path, overwrite)
            if is_writer():
                legacy_h5.save_weights(model, path)
            wait_for_writer("kerax:save_weights")
            return
        raise ValueError(
            f"The filename must end in `{_WEIGHTS_SUFFIX}`. Received: filepath={path}"
        )
    _check_overwrite(path, overwrite)
    _write_once(path, _weights_bytes(model))


def load_weights(
    model: Any, filepath: Any, skip_mismatch: bool = False, **kwargs: Any
) -> None:
    """Load weights from a ``.weights.h5`` or ``.keras`` file (kerax or Keras).

    Nothing is assigned unless every weight matches (count, shape, dtype) and
    the file has no weights the model lacks; ``skip_mismatch=True`` warns and
    skips mismatching layers and unused weights instead. Legacy ``.h5``
    files load by layer order, or by layer name with ``by_name=True``.
    """
    by_name = kwargs.pop("by_name", False)
    if kwargs:
        raise TypeError(f"load_weights got unexpected arguments: {sorted(kwargs)}.")
    path = _path(filepath)
    label = path if path is not None else "the file object"
    source: Any = filepath
    if path is not None:
        if not os.path.isfile(path):
            raise FileNotFoundError(f"File not found: filepath={path}.")
        if path.endswith(".keras"):
            entries = archive.read_archive(path)
            if archive.WEIGHTS not in entries:
                raise ValueError(f"{label} has no {archive.WEIGHTS} entry.")
            source = entries[archive.WEIGHTS]
            from kerax.saving import keras2_archive

            if not by_name and keras2_archive.is_keras2_archive(entries, label):
                keras2_archive.load_weights(model, entries, label, skip_mismatch)
                return
        elif path.endswith(sharded_weights.INDEX_SUFFIX):
            source = None
        elif not path.endswith(_WEIGHTS_SUFFIX):
            if path.endswith(_LEGACY_H5):
                legacy_h5.load_weights(model, path, label, by_name, skip_mismatch)
                return
            raise ValueError(
                f"File format not supported: filepath={path}. Weights load from "
                f"`{_WEIGHTS_SUFFIX}`, `{sharded_weights.INDEX_SUFFIX}` or `.keras` "
                "files."
            )
    if by_name:
        raise ValueError(
            "by_name=True applies only to legacy `.h5` weights files. "
            f"Received: filepath={label}"
        )
    if source is None:
        sharded_weights.load_sharded(model, path, skip_mismatch)
        return
    with _open_h5(source, label) as h5file, h5_guard.read_errors(label):
        load_state(model, WeightsReader(h5file, label), skip_mismatch=skip_mismatch)


def model_to_json(model: Any, **kwargs: Any) -> str:
    """The model's config as a JSON string (``json.dumps`` keyword arguments apply)."""
    return json.dumps(serialize_keras_object(model), **kwargs)


def model_from_json(
    json_string: str, custom_objects: dict[str, Any] | None = None
) -> Any:
    """A new model (fresh weights) from ``model_to_json`` output."""
    config = safe_json.loads(json_string, "the model JSON")
    return deserialize_keras_object(config, custom_objects=custom_objects)
