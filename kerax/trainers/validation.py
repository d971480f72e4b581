"""NaN/Inf checks on the arrays given to fit/evaluate/predict, before any step runs.

A NaN or Inf in the data turns the loss and then every weight into NaN, often
many steps in, after the time is spent. Keras does not look; kerax does, once
per array and call (one vectorized pass, not per step), and raises a
``ValueError`` that names the input (``x``, ``y``, ``sample_weight``, a dict
key or list position) and the samples holding the values. Models that read
NaN on purpose (e.g. as a missing-value marker they replace themselves) turn
the check off with ``set_check_finite(False)``. Arrays already on a device
(``jax.Array``) and non-array sources (generators, ``PyDataset``) are not
checked: that would cost a device pass or a look at every batch.
"""

from __future__ import annotations

from typing import Any

import jax
import numpy as np

_CHECK_FINITE = True
_MAX_RANGES = 6


def set_check_finite(enabled: bool) -> None:
    """Turn the NaN/Inf check of fit/evaluate/predict inputs on or off."""
    global _CHECK_FINITE
    _CHECK_FINITE = bool(enabled)


def check_finite_enabled() -> bool:
    """Whether fit/evaluate/predict check their array inputs for NaN/Inf."""
    return _CHECK_FINITE


def _is_leaf(value: Any) -> bool:
    return value is None or hasattr(value, "shape") or hasattr(value, "to_numpy")


def _host_array(value: Any) -> np.ndarray | None:
    """``value`` as a NumPy array of floats, or None when there is nothing to check."""
    if value is None or isinstance(value, jax.Array):
        return None
    if hasattr(value, "to_numpy") and not isinstance(value, np.ndarray):
        value = value.to_numpy()
    if not isinstance(value, (np.ndarray, np.generic)) and (
        not hasattr(value, "__array__") or hasattr(value, "__next__")
    ):
        return None  # datasets, generators, iterators: batches are not checked
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):
        return None  # the adapters report data they cannot convert
    inexact = array.dtype.kind in "fc" or array.dtype.name == "bfloat16"
    return array if inexact and array.ndim > 0 else None


def _ranges(indices: np.ndarray) -> str:
    """``[3, 12, 13, 14]`` -> ``"3, 12–14"`` (at most ``_MAX_RANGES`` ranges)."""
    breaks = np.flatnonzero(np.diff(indices) != 1)
    starts = np.concatenate([indices[:1], indices[breaks + 1]])
    ends = np.concatenate([indices[breaks], indices[-1:]])
    parts = [
        str(a) if a == b else f"{a}\N{EN DASH}{b}"
        for a, b in zip(starts.tolist(), ends.tolist())
    ]
    if len(parts) > _MAX_RANGES:
        rest = len(parts) - _MAX_RANGES
        parts = [*parts[:_MAX_RANGES], f"and {rest} more range{'s' * (rest > 1)}"]
    return ", ".join(parts)


def _problems(array: np.ndarray) -> list[str]:
    """What is wrong in ``array``, by kind and sample; empty when all finite."""
    wide = np.complex128 if array.dtype.kind == "c" else np.float64
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(np.sum(array, dtype=wide)):
            return []  # one cheap pass: any NaN or Inf makes the sum non-finite
    rows = array.reshape(array.shape[0], -1)
    found = []
    for label, test in (("NaN", np.isnan), ("Inf", np.isinf)):
        samples = np.flatnonzero(test(rows).any(axis=1))
        if samples.size:
            found.append(f"{label} in samples {_ranges(samples)}")
    return found


def check_finite(x: Any, y: Any, sample_weight: Any, where: str) -> None:
    """Raise a ``ValueError`` naming any input of ``where`` that holds NaN or Inf.

    Args:
        x, y, sample_weight: the arrays (or dicts/lists of arrays) as given.
        where: the call, e.g. ``"fit"``, used in the message.
    """
    if not _CHECK_FINITE:
        return
    for name, tree in (("x", x), ("y", y), ("sample_weight", sample_weight)):
        leaves, _ = jax.tree_util.tree_flatten_with_path(tree, is_leaf=_is_leaf)
        for path, leaf in leaves:
            array = _host_array(leaf)
            if array is None:
                continue
            found = _problems(array)
            if found:
                label = name + jax.tree_util.keystr(path)
                raise ValueError(
                    f"{where}: {label} contains {' and '.join(found)} (of "
                    f"{array.shape[0]}): outputs, losses and weights would become "
                    "NaN. Replace or drop them (e.g. numpy.nan_to_num); if the "
                    "model handles them on purpose, turn this check off with "
                    "kerax.trainers.validation.set_check_finite(False)."
                )
