"""Weights of Keras 2.13-2.15 ``.keras`` files, and Keras 2 optimizer state.

Keras 2.13-2.15 wrote ``model.weights.h5`` much as Keras 3 does (one
``<path>/vars`` group per layer, datasets ``0``, ``1``...), with three
differences handled here:

- a sublayer held in a private attribute keeps its underscore
  (``multi_head_attention/_key_dense``; Keras 3: ``key_dense``), and Keras 2.13
  named the layer list ``_layer_checkpoint_dependencies``;
- metric states are saved (``metrics/...``); they are not restored, as
  Keras 3 does not restore them either;
- the optimizer holds ``[iteration, slots...]``: Keras 2 kept the learning
  rate out of its variables (it comes from the config) and Nadam's
  ``u_product`` is recomputed from the iteration count. The slots are in
  Keras 3's order provided the model's trainable variables are in Keras 2's
  order (the order of the config's layer list), which is checked; when it
  cannot be matched, the optimizer keeps a fresh state with a warning.
  Legacy optimizers (``tf.keras.optimizers.legacy``, all optimizers before
  Keras 2.11) stored their slots slot by slot; ``.h5`` files name them, so
  they are reordered. Keras 2 ``.keras`` files hold no legacy optimizer state.
"""

from __future__ import annotations

import warnings
from typing import Any

import h5py
import numpy as np

from kerax.optimizers.optimizer import Optimizer
from kerax.saving import saveables
from kerax.saving.weights_store import WeightsReader

_LAYER_LISTS = {"layers": ("layers", "_layer_checkpoint_dependencies")}
_NOT_RESTORED = ("metrics/",)


def _names(part: str) -> tuple[str, ...]:
    return _LAYER_LISTS.get(part, (part, f"_{part}"))


def _find_group(reader: WeightsReader, path: str) -> h5py.Group | None:
    """The ``vars`` group Keras 2 wrote for the Keras 3 ``path``."""
    candidates = [""]
    for part in [p for p in path.split("/") if p]:
        candidates = [f"{c}/{n}".lstrip("/") for c in candidates for n in _names(part)]
    for candidate in candidates:
        found = reader.group(candidate)
        if found is not None:
            return found
    return None


def _read_layer(reader: WeightsReader, path: str, obj: Any) -> list[np.ndarray]:
    variables = saveables.own_variables(obj)
    group = _find_group(reader, path)
    keys = sorted(reader.keys(group), key=_index) if group is not None else []
    if keys != [str(i) for i in range(len(variables))]:
        raise ValueError(
            f"The Keras 2 file {reader.source} holds {len(keys)} weights for layer "
            f"{getattr(obj, 'name', path)!r} (path {path!r}), the model expects "
            f"{len(variables)}. Is it the file of another model?"
        )
    return [
        reader.read(group, key, tuple(v.shape), v.dtype, f"variable {v.path!r}")
        for key, v in zip(keys, variables)
    ]


def _index(key: str) -> int:
    return int(key) if key.isdigit() else -1


def _stored_arrays(group: h5py.Group, reader: WeightsReader) -> list[np.ndarray]:
    """Datasets ``0..n-1`` of an optimizer ``vars`` group, each checked."""
    keys = sorted(reader.keys(group), key=_index)
    if keys != [str(i) for i in range(len(keys))]:
        raise ValueError(f"unexpected entries {keys} in {group.name!r}")
    arrays = []
    for key in keys:
        link = group.get(key, getlink=True)
        node = group[key] if isinstance(link, h5py.HardLink) else None
        if not isinstance(node, h5py.Dataset):
            raise ValueError(f"{group.name}/{key} is not a plain dataset")
        arrays.append(
            reader.read(group, key, node.shape, node.dtype, f"optimizer weight {key}")
        )
    return arrays


def optimizer_pairs(
    optimizer: Optimizer, stored: list[np.ndarray]
) -> list[tuple[Any, np.ndarray]]:
    """``(variable, value)`` pairs restoring a Keras 2 optimizer state.

    ``stored`` is Keras 2's ``[iteration, slots...]``; raises ``ValueError``
    naming the problem when it does not fit ``optimizer``.
    """
    learning_rate = getattr(optimizer, "_learning_rate", None)
    u_product = getattr(optimizer, "_u_product", None)
    variables = [
        v for v in optimizer.variables if v is not learning_rate and v is not u_product
    ]
    if len(variables) != len(stored):
        raise ValueError(
            f"{type(optimizer).__name__} has {len(variables)} state variables "
            f"besides its learning rate, the Keras 2 file holds {len(stored)}"
        )
    for variable, value in zip(variables, stored):
        if tuple(variable.shape) != tuple(np.shape(value)):
            raise ValueError(
                f"{variable.path!r} has shape {tuple(variable.shape)}, the Keras 2 "
                f"file holds {tuple(np.shape(value))}"
            )
    pairs = list(zip(variables, stored))
    if u_product is not None and stored:
        steps = np.arange(1, int(np.asarray(stored[0])) + 1, dtype="float64")
        factors = optimizer.beta_1 * (1.0 - 0.5 * np.power(0.96, steps))
        pairs.append((u_product, np.asarray(np.prod(factors), u_product.dtype)))
    return pairs


# Slots of tf.keras's legacy optimizers (``tf.keras.optimizers.legacy``), which
# stored them slot by slot; Keras 2.11+ and Keras 3 interleave each block's
# slots variable by variable, block after block.
_LEGACY_BLOCKS = {
    "Adam": (("m", "v"), ("vhat",)),
    "Nadam": (("m", "v"),),
    "Adamax": (("m", "v"),),
    "RMSprop": (("rms",), ("momentum",), ("mg",)),
    "SGD": (("momentum",),),
    "Adagrad": (("accumulator",),),
    "Adadelta": (("accum_grad", "accum_var"),),
    "Ftrl": (("accumulator", "linear"),),
}


def legacy_to_keras3_order(
    optimizer: Optimizer, names: list[str], values: list[np.ndarray]
) -> list[np.ndarray]:
    """A legacy optimizer's ``[iter, slot1..., slot2...]`` in Keras 3's order.

    ``names`` are the legacy weight names (``Adam/dense/kernel/m:0``); raises
    ``ValueError`` for an optimizer or slot this mapping does not know.
    """
    blocks = _LEGACY_BLOCKS.get(type(optimizer).__name__)
    if blocks is None:
        raise ValueError(
            f"the legacy {type(optimizer).__name__} optimizer state has no "
            "known Keras 3 layout"
        )
    by_slot: dict[str, list[np.ndarray]] = {}
    for name, value in zip(names[1:], values[1:]):
        slot = name.rsplit("/", 1)[-1].split(":")[0]
        by_slot.setdefault(slot, []).append(value)
    known = {slot for block in blocks for slot in block}
    if set(by_slot) - known:
        raise ValueError(
            f"unknown legacy optimizer slots {sorted(set(by_slot) - known)}"
        )
    ordered = [values[0]]
    for block in blocks:
        present = [by_slot[slot] for slot in block if slot in by_slot]
        if present and len({len(values) for values in present}) != 1:
            raise ValueError("legacy optimizer slots of unequal length")
        for per_variable in zip(*present):
            ordered.extend(per_variable)
    return ordered


def trainable_in_keras2_order(model: Any, layer_names: list[str] | None) -> bool:
    """True if ``model.trainable_variables`` follow the config's layer order."""
    if not layer_names:
        return True
    by_name = {layer.name: layer for layer in model.layers}
    ordered: list[Any] = []
    for name in layer_names:
        layer = by_name.get(name)
        for variable in layer.trainable_variables if layer is not None else ():
            if all(variable is not seen for seen in ordered):
                ordered.append(variable)
    current = list(model.trainable_variables)
    return len(ordered) == len(current) and all(
        a is b for a, b in zip(ordered, current)
    )


def restore_optimizer(
    model: Any,
    stored: list[np.ndarray],
    layer_names: list[str] | None,
    label: str,
    names: list[str] | None = None,
) -> None:
    """Assign a Keras 2 optimizer state to ``model.optimizer`` (warn on misfit).

    ``names``: the stored weight names (``.h5`` files); a legacy optimizer's
    state (first name ``<optimizer>/iter:0``) is reordered first.
    """
    optimizer = model.optimizer
    if not optimizer.built:
        optimizer.build(model.trainable_variables)
    try:
        if names and names[0].endswith("/iter:0"):
            stored = legacy_to_keras3_order(optimizer, names, stored)
        if not trainable_in_keras2_order(model, layer_names):
            raise ValueError(
                "the model's trainable variables are not in the order Keras 2 used"
            )
        pairs = optimizer_pairs(optimizer, stored)
    except ValueError as error:
        warnings.warn(
            f"{label}: the Keras 2 optimizer state was not restored ({error}); "
            "the optimizer starts fresh.",
            stacklevel=3,
        )
        return
    for variable, value in pairs:
        variable.assign(np.asarray(value, dtype=variable.dtype))


def load_keras2_state(
    model: Any,
    reader: WeightsReader,
    layer_names: list[str] | None,
    load_optimizer: bool,
) -> None:
    """Assign every layer variable of ``model`` from a Keras 2 weights file.

    Nothing is assigned unless every layer's weights match; weights no layer
    claims (other than metric states) are an error.
    """
    optimizer = getattr(model, "optimizer", None)
    assignments: list[tuple[Any, np.ndarray]] = []
    for path, obj in saveables.walk(model):
        if isinstance(obj, Optimizer):
            continue
        variables = saveables.own_variables(obj)
        if variables:
            assignments.extend(zip(variables, _read_layer(reader, path, obj)))
    ignored = (*_NOT_RESTORED, "optimizer/")
    extra = sorted(
        path
        for path in reader.datasets()
        if path not in reader.read_paths and not path.startswith(ignored)
    )
    if extra:
        raise ValueError(
            f"The Keras 2 file {reader.source} holds weights that no variable of "
            f"model {model.name!r} matches: {extra[:20]}."
        )
    for variable, value in assignments:
        variable.assign(np.asarray(value, dtype=variable.dtype))
    group = reader.group("optimizer")
    if load_optimizer and isinstance(optimizer, Optimizer) and group is None:
        warnings.warn(
            f"{reader.source} holds no optimizer state (Keras 2 did not save the "
            "state of its legacy optimizers in .keras files); the optimizer "
            "starts fresh.",
            stacklevel=2,
        )
    elif load_optimizer and isinstance(optimizer, Optimizer):
        try:
            stored = _stored_arrays(group, reader)
        except ValueError as error:
            warnings.warn(
                f"{reader.source}: the Keras 2 optimizer state was not restored "
                f"({error}); the optimizer starts fresh.",
                stacklevel=2,
            )
            return
        restore_optimizer(model, stored, layer_names, reader.source)
