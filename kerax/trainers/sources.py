"""Sources of batches for the loops: device-resident arrays or adapters."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Any

import jax
import numpy as np

from kerax.trainers import data_adapter, padding
from kerax.trainers.data_adapters import (
    get_data_adapter,
    is_array_data,
    prefetch_to_device,
)
from kerax.trainers.trainer import draw_shuffle_seed, epoch_permutation


class ArraySource:
    """In-memory data kept on the device; batches are gathered by index."""

    indexed = True

    def __init__(
        self,
        data: Any,
        batch_size: int,
        steps: int | None = None,
        on_host: bool = False,
    ) -> None:
        from kerax.distribution import distribution

        self._base_seed: int | None = None
        self._epochs_started = 0
        self._skip_steps = 0
        self._host_labels = data_adapter.unpack_x_y_sample_weight(data)[1]
        self.distribution = distribution()
        # predict reads its batches in order: NumPy slices go to the device with
        # the compiled call, with no eager slicing op per batch.
        self.on_host = (
            on_host
            and self.distribution is None
            and all(
                isinstance(leaf, np.ndarray) for leaf in jax.tree_util.tree_leaves(data)
            )
        )
        self.data = data if self.on_host else data_adapter.to_device(data)
        if self.distribution is not None and self.indexed:  # gathered on the mesh
            self.data = self.distribution.replicate(self.data)
        self.n = data_adapter.num_samples(*data_adapter.unpack_x_y_sample_weight(data))
        self.batch_size = batch_size
        full, rest = divmod(self.n, batch_size)
        self.full_steps, self.rest = full, rest
        self.steps = full + (1 if rest else 0)
        if steps is not None:
            self.steps = min(int(steps), self.steps)
            self.full_steps = min(self.full_steps, self.steps)
            if self.full_steps == self.steps:
                self.rest = 0

    def labels(self) -> Any:
        """The labels as given (host arrays): checked without a device round trip."""
        return self._host_labels

    def first_batch(self) -> Any:
        size = min(self.batch_size, self.n)
        return jax.tree_util.tree_map(lambda a: a[:size], self.data)

    @property
    def has_partial_batch(self) -> bool:
        """Whether the epoch ends with a smaller batch after full ones."""
        return bool(self.rest and self.full_steps)

    def epoch(
        self, per_call: int, shuffle: Any, pad: bool = False
    ) -> Iterator[tuple[int, int, tuple]]:
        """(first step, steps in the call, ``run_indexed`` arguments).

        The epoch's order goes to the device once; the compiled step walks it
        with a device-side cursor. With ``pad``, a partial last batch is padded
        to a full one (``padding.py``), so every call has one compiled shape.
        """
        # One base seed per source, then one seed per epoch: a run resumed at
        # epoch k (BackupAndRestore) shuffles epoch k exactly as the original.
        if self._base_seed is None:
            self._base_seed = draw_shuffle_seed()
        seed = (self._base_seed + 1_000_003 * self._epochs_started) % (2**31)
        self._epochs_started += 1
        order = epoch_permutation(self.n, shuffle, seed)
        bs = self.batch_size
        full = self.full_steps
        step, self._skip_steps = self._skip_steps, 0
        loop = per_call > 1
        if pad and self.has_partial_batch:
            rows = self._place(padding.pad_rows(order, self.steps, bs))
            while step < self.steps:
                k = min(per_call, self.steps - step)
                yield step, k, (self.data, rows, step, k, loop, True)
                step += k
            return
        if full:
            rows = self._place(order[: full * bs].reshape(full, bs))
            while step < full:
                k = min(per_call, full - step)
                yield step, k, (self.data, rows, step, k, loop, False)
                step += k
        if self.rest and step < self.steps:
            tail = self._place(order[full * bs :][None, :])
            yield step, 1, (self.data, tail, 0, 1, loop, False)

    def _place(self, rows: Any) -> Any:
        if self.distribution is not None:
            return self.distribution.replicate(rows)
        return jax.device_put(rows)

    def padded_batches(self) -> Iterator[tuple[Any, int]]:
        """Batches in order, the last padded to full size (one compiled shape)."""
        size = min(self.batch_size, self.n)
        for step in range(self.steps):
            start = step * self.batch_size
            stop = min(start + self.batch_size, self.n)
            batch = jax.tree_util.tree_map(lambda a, s=start, e=stop: a[s:e], self.data)
            if stop - start < size:
                batch = data_adapter.pad_batch(batch, size)
                if self.on_host:
                    batch = jax.tree_util.tree_map(np.asarray, batch)
            yield batch, stop - start

    def on_epoch_end(self) -> None:
        return None

    def shuffle_seed(self) -> int:
        """The base seed of this run's epoch orders (drawn on first use)."""
        if self._base_seed is None:
            self._base_seed = draw_shuffle_seed()
        return self._base_seed

    def start_at_epoch(
        self, epoch: int, step: int = 0, seed: int | None = None
    ) -> None:
        """Run the next epoch as epoch ``epoch`` of an uninterrupted run.

        It starts after ``step`` steps of that epoch, shuffled with the base
        ``seed`` when given (a resumed run's saved seed).
        """
        if seed is not None:
            self._base_seed = seed
        self.shuffle_seed()
        self._epochs_started = epoch
        self._skip_steps = step

    def close(self) -> None:
        return None


class AdapterSource:
    """Batches from a DataAdapter, prefetched to the device on a thread."""

    indexed = False

    def __init__(self, adapter: Any, class_weight: dict | None = None) -> None:
        self.adapter = adapter
        self.class_weight = class_weight
        self.steps = adapter.num_batches
        self._first: Any = None
        self._rows = 0  # the most rows a batch had: smaller ones are padded

    def _prepare(self, batch: Any) -> Any:
        if self.class_weight is None:
            return batch
        x, y, sw = data_adapter.unpack_x_y_sample_weight(batch)
        sw = data_adapter.class_weights_to_sample_weights(y, self.class_weight, sw)
        return (x, y, sw)

    def labels(self) -> Any:
        return None

    def first_batch(self) -> Any:
        if self._first is None:
            peek = getattr(self.adapter, "peek", None)
            batch = (
                peek()
                if peek is not None
                else next(iter(self.adapter.get_numpy_iterator()))
            )
            self._first = data_adapter.to_arrays(self._prepare(batch), "x")
        return data_adapter.to_device(self._first)

    @property
    def has_partial_batch(self) -> bool:
        """Unknown before the batches arrive: a smaller last batch may come."""
        return True

    def epoch(
        self, per_call: int, shuffle: Any, pad: bool = False
    ) -> Iterator[tuple[int, int, Any]]:
        """(step, 1, batch); with ``pad``, every batch is a ``PaddedBatch`` and
        smaller ones are padded to the largest size seen (one compiled shape)."""
        batches = (self._prepare(b) for b in self.adapter.get_numpy_iterator())
        if not pad:
            for step, batch in enumerate(prefetch_to_device(batches)):
                yield step, 1, batch
            return
        sizes, padded = self._padded(batches)
        for step, batch in enumerate(prefetch_to_device(padded)):
            yield step, 1, padding.PaddedBatch(batch, sizes.popleft())

    def padded_batches(self) -> Iterator[tuple[Any, int]]:
        """Input batches in order, smaller ones padded to the largest size seen."""
        xs = (
            data_adapter.unpack_x_y_sample_weight(batch)[0]
            for batch in self.adapter.get_numpy_iterator()
        )
        sizes, padded = self._padded(xs)
        for x in prefetch_to_device(padded):
            yield (x,), sizes.popleft()

    def _padded(self, batches: Iterator[Any]) -> tuple[deque, Iterator[Any]]:
        """(the real sizes, in order; the host batches padded to the most rows
        seen so far, over every epoch: one shape once the largest came)."""
        sizes: deque[int] = deque()

        def pad_each() -> Iterator[Any]:
            for batch in batches:
                size = padding.leading_size(batch)
                sizes.append(size)
                self._rows = max(self._rows, size)
                if size < self._rows:
                    batch = padding.pad_host_batch(batch, self._rows)
                yield batch

        return sizes, pad_each()

    def on_epoch_end(self) -> None:
        self.adapter.on_epoch_end()

    def close(self) -> None:
        self.adapter.close()


def _array_source(
    x: Any,
    y: Any,
    sample_weight: Any,
    batch_size: int,
    steps: Any,
    class_weight: Any,
    on_host: bool = False,
) -> ArraySource:
    x = data_adapter.to_arrays(x, "x")
    y = data_adapter.to_arrays(y, "y")
    sample_weight = data_adapter.to_arrays(sample_weight, "sample_weight")
    data_adapter.num_samples(x, y, sample_weight)
    if class_weight is not None:
        sample_weight = data_adapter.class_weights_to_sample_weights(
            y, class_weight, sample_weight
        )
    source_type = _array_source_type()
    options = {"on_host": True} if on_host and source_type is ArraySource else {}
    return source_type(
        data_adapter.pack_x_y_sample_weight(x, y, sample_weight),
        batch_size,
        steps,
        **options,
    )


def _array_source_type() -> type:
    """In a multi-process run each process feeds its own arrays."""
    from kerax.distribution import distribution

    active = distribution()
    if active is not None and active.num_processes > 1:
        from kerax.distribution.process_data import ProcessLocalSource

        return ProcessLocalSource
    return ArraySource


def make_source(
    x: Any,
    y: Any,
    sample_weight: Any,
    batch_size: int,
    steps: int | None = None,
    class_weight: dict | None = None,
    validation_split: float = 0.0,
    validation_data: Any = None,
    validation_batch_size: int | None = None,
    validation_steps: int | None = None,
    for_predict: bool = False,
    shuffle: Any = False,
) -> tuple[Any, Any]:
    """The training (or evaluation) source and the validation source, if any."""
    if x is None:
        raise ValueError("No input data: pass `x`.")
    if not is_array_data(x):
        if y is not None or sample_weight is not None:
            raise ValueError(
                f"`y` and `sample_weight` must not be given when x is a "
                f"{type(x).__name__}: the source yields them with x."
            )
        if validation_split:
            raise ValueError(
                "validation_split is only supported for array inputs; pass "
                "validation_data for other sources."
            )
        adapter = get_data_adapter(x, steps_per_epoch=steps, shuffle=bool(shuffle))
        source: Any = AdapterSource(adapter, class_weight)
    else:
        x_arr = data_adapter.to_arrays(x, "x")
        y_arr = data_adapter.to_arrays(y, "y")
        sw_arr = data_adapter.to_arrays(sample_weight, "sample_weight")
        val = None
        if validation_split and validation_data is None:
            (x_arr, y_arr, sw_arr), val = data_adapter.split_validation(
                (x_arr, y_arr, sw_arr), float(validation_split)
            )
        source = _array_source(
            x_arr, y_arr, sw_arr, batch_size, steps, class_weight, for_predict
        )
        if val is not None:
            return source, _array_source(
                *val, validation_batch_size or batch_size, validation_steps, None
            )
    val_source = None
    if validation_data is not None:
        val_source = _validation_source(
            validation_data, validation_batch_size or batch_size, validation_steps
        )
    return source, val_source


def _validation_source(validation_data: Any, batch_size: int, steps: Any) -> Any:
    if isinstance(validation_data, (list, tuple)) and len(validation_data) in (2, 3):
        vx, vy, vsw = data_adapter.unpack_x_y_sample_weight(tuple(validation_data))
        return _array_source(vx, vy, vsw, batch_size, steps, None)
    if not is_array_data(validation_data):
        return AdapterSource(get_data_adapter(validation_data, steps_per_epoch=steps))
    raise ValueError(
        "validation_data must be a tuple (x_val, y_val) or (x_val, y_val, "
        f"val_sample_weight), or a data source; received {type(validation_data).__name__}."
    )
