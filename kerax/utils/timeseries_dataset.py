"""``timeseries_dataset_from_array``: sliding windows over an array, batched."""

from __future__ import annotations

from typing import Any

import numpy as np

from kerax.utils.dataset_utils import SampleDataset


def _check_positive(name: str, value: int, length: int) -> None:
    if value <= 0:
        raise ValueError(f"{name} must be higher than 0, received {name}={value}.")
    if value >= length:
        raise ValueError(
            f"{name} must be lower than the length of the data ({length}), received "
            f"{name}={value}."
        )


def timeseries_dataset_from_array(
    data: Any,
    targets: Any,
    sequence_length: int,
    sequence_stride: int = 1,
    sampling_rate: int = 1,
    batch_size: int | None = 128,
    shuffle: bool = False,
    seed: int | None = None,
    start_index: int | None = None,
    end_index: int | None = None,
    format: str = "tf",
) -> SampleDataset:
    """Windows of ``sequence_length`` steps of ``data`` and their targets.

    Window ``i`` starts at ``start_index + p_i`` with ``p_i = i *
    sequence_stride`` and takes every ``sampling_rate``-th step; its target is
    ``targets[start_index + p_i]`` (None: windows only). With ``shuffle`` the
    windows come in the order of ``np.random.RandomState(seed)``, as in Keras.
    Returns a ``SampleDataset`` of numpy batches for any ``format``.

    >>> ds = timeseries_dataset_from_array(np.arange(10), np.arange(10) * 10, 3, batch_size=4)
    >>> x, y = ds[0]
    >>> x.tolist(), y.tolist()
    ([[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5]], [0, 10, 20, 30])
    """
    length = len(data)
    if start_index:
        if start_index < 0:
            raise ValueError(
                f"start_index must be 0 or greater, received {start_index}."
            )
        if start_index >= length:
            raise ValueError(
                f"start_index must be lower than the length of the data ({length}), "
                f"received {start_index}."
            )
    if end_index:
        if start_index and end_index <= start_index:
            raise ValueError(
                f"end_index must be higher than start_index, received "
                f"start_index={start_index}, end_index={end_index}."
            )
        if end_index >= length:
            raise ValueError(
                f"end_index must be lower than the length of the data ({length}), "
                f"received {end_index}."
            )
    if end_index is not None and end_index <= 0:
        raise ValueError(f"end_index must be higher than 0, received {end_index}.")
    _check_positive("sampling_rate", sampling_rate, length)
    _check_positive("sequence_stride", sequence_stride, length)
    if format not in ("tf", "grain"):
        raise ValueError(f'format must be "tf" or "grain", received {format!r}.')
    start = start_index or 0
    stop = length if end_index is None else end_index
    count = stop - start - (sequence_length - 1) * sampling_rate
    if targets is not None:
        count = min(count, len(targets))
    positions = np.arange(0, max(count, 0), sequence_stride)
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(positions)
    series = np.asarray(data)[start:stop]
    labels = None if targets is None else np.asarray(targets)[start:]
    steps = np.arange(0, sequence_length * sampling_rate, sampling_rate)

    def load(i: int) -> Any:
        window = series[positions[i] + steps]
        return window if labels is None else (window, labels[positions[i]])

    return SampleDataset(len(positions), load, batch_size)
