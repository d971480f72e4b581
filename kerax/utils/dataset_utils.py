"""``SampleDataset``: samples read by index, batched into numpy arrays; and
``split_dataset``.

The dataset builders of ``kerax.utils`` (image, text and timeseries loaders,
``split_dataset``) return a ``SampleDataset``: a ``PyDataset`` that ``fit``
reads directly, that can be iterated for numpy batches, and that has the two
``tf.data`` methods these objects are used with most, ``batch`` and ``map``.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from typing import Any

import numpy as np

from kerax.utils.py_dataset import PyDataset


def stack_samples(samples: list[Any]) -> Any:
    """Samples (arrays, numbers, strings, or tuples/dicts of them) as one batch."""
    first = samples[0]
    if isinstance(first, tuple):
        return tuple(stack_samples(list(parts)) for parts in zip(*samples))
    if isinstance(first, dict):
        return {key: stack_samples([s[key] for s in samples]) for key in first}
    if isinstance(first, (str, bytes)):
        out = np.empty(len(samples), dtype=object)
        out[:] = samples
        return out
    shapes = {np.shape(s) for s in samples}
    if len(shapes) > 1:
        raise ValueError(
            f"Cannot batch samples of different shapes {sorted(shapes)}; make them "
            "one shape (for images: pass image_size to resize them)."
        )
    return np.stack([np.asarray(s) for s in samples])


def _check_batch_size(batch_size: Any) -> None:
    if batch_size is not None and (
        isinstance(batch_size, bool)
        or not isinstance(batch_size, int)
        or batch_size < 1
    ):
        raise ValueError(
            f"batch_size must be a positive int or None, received {batch_size!r}."
        )


class SampleDataset(PyDataset):
    """``count`` samples, sample ``i`` given by ``load(i)``, in batches.

    Args:
        count: Number of samples.
        load: ``load(i)`` returns sample ``i`` (an array, a string, or a tuple
            ``(x, y)``).
        batch_size: Samples per batch; None gives one sample per item
            (``len`` is then the number of samples).
        shuffle: Visit the samples in a new seeded order after every epoch.
        seed: Seed of that order.
        workers: Threads loading batches ahead (see ``PyDataset``).
    """

    def __init__(
        self,
        count: int,
        load: Callable[[int], Any],
        batch_size: int | None = None,
        shuffle: bool = False,
        seed: int | None = None,
        workers: int = 1,
    ) -> None:
        super().__init__(workers=workers)
        _check_batch_size(batch_size)
        self.count, self.load, self.batch_size = count, load, batch_size
        self.shuffle = shuffle
        self.seed = np.random.randint(1e6) if seed is None else seed
        self._epoch = 0
        self._order = np.arange(count)
        self._transforms: list[tuple[Callable, bool]] = []  # (fn, per sample)

    def __len__(self) -> int:
        if self.batch_size is None:
            return self.count
        return -(-self.count // self.batch_size)

    def _apply(self, item: Any, per_sample: bool) -> Any:
        for fn, on_samples in self._transforms:
            if on_samples == per_sample:
                item = fn(*item) if isinstance(item, tuple) else fn(item)
        return item

    def __getitem__(self, index: int) -> Any:
        if not 0 <= index < len(self):
            raise IndexError(f"index {index} out of range for {len(self)} items.")
        if self.batch_size is None:
            return self._apply(self.load(int(self._order[index])), True)
        chosen = self._order[index * self.batch_size : (index + 1) * self.batch_size]
        samples = [self._apply(self.load(int(i)), True) for i in chosen]
        return self._apply(stack_samples(samples), False)

    def on_epoch_end(self) -> None:
        if self.shuffle:
            self._epoch += 1
            rng = np.random.RandomState((self.seed + self._epoch) % 2**32)
            self._order = rng.permutation(self.count)

    def batch(self, batch_size: int) -> SampleDataset:
        """A copy that yields batches of ``batch_size`` samples (a ``map``
        applied before stays a per-sample function)."""
        _check_batch_size(batch_size)
        out = copy.copy(self)
        out.batch_size = batch_size
        return out

    def map(self, fn: Callable) -> SampleDataset:
        """A copy whose items (batches, or samples if unbatched) go through
        ``fn``; a tuple item is passed as separate arguments, as in tf.data."""
        out = copy.copy(self)
        out._transforms = [*self._transforms, (fn, self.batch_size is None)]
        return out


def _split_sizes(left: Any, right: Any, total: int) -> tuple[int, int]:
    for name, value in (("left_size", left), ("right_size", right)):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(
                f"{name} must be an int, a float or None, received "
                f"{type(value).__name__}."
            )
        if isinstance(value, int) and not 0 < value < total:
            raise ValueError(
                f"{name} must be a positive int smaller than the {total} samples, or "
                f"a float in (0, 1); received {value}."
            )
        if isinstance(value, float) and not 0 < value < 1:
            raise ValueError(
                f"{name} must be a float in (0, 1) or a positive int smaller than "
                f"{total}; received {value}."
            )
    if left is None and right is None:
        raise ValueError("Pass left_size, right_size or both to split_dataset.")
    if isinstance(left, float) and isinstance(right, float) and left + right > 1:
        raise ValueError(
            f"left_size + right_size must be at most 1, received {left} + {right}."
        )
    left = round(left * total) if isinstance(left, float) else left
    right = round(right * total) if isinstance(right, float) else right
    left = total - right if left is None else left
    right = total - left if right is None else right
    if left + right > total:
        raise ValueError(
            f"left_size + right_size = {left + right} exceeds the {total} samples."
        )
    if not left or not right:
        raise ValueError(
            f"Splitting {total} samples into {left} and {right} leaves one side "
            "empty; adjust left_size/right_size."
        )
    return int(left), int(right)


def _as_samples(dataset: Any) -> tuple[int, Callable[[int], Any], int | None]:
    """(count, load, batch_size) of arrays, a tuple/list/dict of arrays, or a
    SampleDataset."""
    if isinstance(dataset, SampleDataset):
        return dataset.count, dataset.load, dataset.batch_size
    if isinstance(dataset, dict):
        arrays = {k: np.asarray(v) for k, v in dataset.items()}
        counts = {len(v) for v in arrays.values()}
        load: Callable = lambda i: {k: v[i] for k, v in arrays.items()}  # noqa: E731
    elif isinstance(dataset, (tuple, list)):
        arrays = [np.asarray(v) for v in dataset]
        counts = {len(v) for v in arrays}
        load = lambda i: tuple(v[i] for v in arrays)  # noqa: E731
    elif hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__"):
        counts = {len(dataset)}
        load = dataset.__getitem__
    else:
        raise TypeError(
            "split_dataset expects a numpy array, a list/tuple/dict of arrays of "
            f"one length, or a dataset with __len__ and __getitem__; received "
            f"{type(dataset).__name__}."
        )
    if len(counts) != 1:
        raise ValueError(
            f"split_dataset: the arrays have different lengths {sorted(counts)}."
        )
    return counts.pop(), load, None


def split_dataset(
    dataset: Any,
    left_size: int | float | None = None,
    right_size: int | float | None = None,
    shuffle: bool = False,
    seed: int | None = None,
    preferred_backend: str | None = None,
) -> tuple[SampleDataset, SampleDataset]:
    """Split samples into a left and a right ``SampleDataset``.

    Sizes are sample counts (int) or fractions (float); a missing one is the
    rest. With ``shuffle`` the samples are first put in the order of Python's
    ``random.Random(seed).shuffle``. A batched input gives batched halves.
    ``preferred_backend`` is accepted for Keras compatibility and ignored.
    """
    del preferred_backend
    count, load, batch_size = _as_samples(dataset)
    left, right = _split_sizes(left_size, right_size, count)
    order = list(range(count))
    if shuffle:
        random.Random(random.randint(0, int(1e6)) if seed is None else seed).shuffle(
            order
        )
    halves = []
    for chosen in (order[:left], order[count - right :]):
        half = SampleDataset(
            len(chosen), lambda i, c=chosen: load(c[i]), batch_size=batch_size
        )
        halves.append(half)
    return halves[0], halves[1]
