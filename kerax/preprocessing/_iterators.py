"""Batch iterators of the legacy ``ImageDataGenerator``: ``Iterator`` (a
``PyDataset`` that ``fit`` reads) and ``NumpyArrayIterator``."""

from __future__ import annotations

import os
import threading
import warnings
from collections.abc import Iterator as PyIterator
from typing import Any

import numpy as np

from kerax import config
from kerax.utils.py_dataset import PyDataset


class Iterator(PyDataset):
    """Batches of ``n`` samples, reshuffled after every epoch.

    Indexable (``len``, ``[i]``, ``on_epoch_end``) so ``fit`` reads it as a
    ``PyDataset``; also an endless Python iterator (``next(it)``), as in
    Keras. With a ``seed``, NumPy's global RNG is seeded with ``seed +
    batches seen`` before each batch, so runs repeat exactly.

    Args:
        n: the number of samples.
        batch_size: samples per batch.
        shuffle: whether to shuffle the order every epoch.
        seed: an int seed, or None.
        **kwargs: ``workers``, ``use_multiprocessing``, ``max_queue_size``.
    """

    white_list_formats = ("png", "jpg", "jpeg", "bmp", "ppm", "tif", "tiff")

    def __init__(
        self, n: int, batch_size: int, shuffle: bool, seed: int | None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(
                f"{type(self).__name__}: `batch_size` must be a positive int, "
                f"received {batch_size!r}."
            )
        self.n = n
        self.batch_size = batch_size
        self.seed = seed
        self.shuffle = shuffle
        self.batch_index = 0
        self.total_batches_seen = 0
        self.lock = threading.Lock()
        self.index_array: np.ndarray | None = None
        self.index_generator = self._flow_index()

    def _set_index_array(self) -> None:
        self.index_array = np.arange(self.n)
        if self.shuffle:
            self.index_array = np.random.permutation(self.n)

    def __getitem__(self, idx: int) -> Any:
        if idx >= len(self):
            raise ValueError(
                f"Asked to retrieve element {idx}, but the Sequence has length "
                f"{len(self)}"
            )
        if self.seed is not None:
            np.random.seed(self.seed + self.total_batches_seen)
        self.total_batches_seen += 1
        if self.index_array is None:
            self._set_index_array()
        start = self.batch_size * idx
        return self._get_batches_of_transformed_samples(
            self.index_array[start : start + self.batch_size]
        )

    def __len__(self) -> int:
        return (self.n + self.batch_size - 1) // self.batch_size

    def on_epoch_end(self) -> None:
        self._set_index_array()

    def reset(self) -> None:
        self.batch_index = 0

    def _flow_index(self) -> PyIterator[np.ndarray]:
        self.reset()
        while True:
            if self.seed is not None:
                np.random.seed(self.seed + self.total_batches_seen)
            if self.batch_index == 0:
                self._set_index_array()
            current = (
                0 if self.n == 0 else (self.batch_index * self.batch_size) % self.n
            )
            if self.n > current + self.batch_size:
                self.batch_index += 1
            else:
                self.batch_index = 0
            self.total_batches_seen += 1
            yield self.index_array[current : current + self.batch_size]

    def __iter__(self) -> Iterator:
        return self

    def __next__(self) -> Any:
        with self.lock:
            index_array = next(self.index_generator)
        return self._get_batches_of_transformed_samples(index_array)

    def _get_batches_of_transformed_samples(self, index_array: np.ndarray) -> Any:
        raise NotImplementedError(
            f"{type(self).__name__} must implement _get_batches_of_transformed_samples."
        )


def save_batch(
    batch_x: np.ndarray,
    index_array: np.ndarray,
    data_format: str,
    save_to_dir: str,
    save_prefix: str,
    save_format: str,
    hash_limit: int,
) -> None:
    """Write the augmented images of a batch to ``save_to_dir``."""
    from kerax.utils.image_utils import array_to_img

    for i, j in enumerate(index_array):
        image = array_to_img(batch_x[i], data_format, scale=True)
        name = f"{save_prefix}_{j}_{np.random.randint(hash_limit)}.{save_format}"
        image.save(os.path.join(save_to_dir, name))


def check_subset(subset: str | None) -> None:
    """A ValueError unless ``subset`` is None, "training" or "validation"."""
    if subset not in (None, "training", "validation"):
        raise ValueError(
            f'Invalid subset name: {subset!r}; expected "training" or "validation".'
        )


def split_for_subset(length: int, validation_split: float, subset: str | None) -> Any:
    """The slice of samples of ``subset`` (validation first), or None."""
    check_subset(subset)
    if subset is None:
        return None
    cut = int(length * validation_split)
    return slice(0, cut) if subset == "validation" else slice(cut, length)


class NumpyArrayIterator(Iterator):
    """Batches of augmented images from in-memory arrays (``flow``).

    Args:
        x: images of rank 4, or ``(images, extra)`` where ``extra`` (an array
            or a list of arrays) is batched alongside without augmentation.
        y: labels, or None.
        image_data_generator: the ``ImageDataGenerator`` that transforms.
        batch_size, shuffle, seed: batching (see ``Iterator``).
        sample_weight: per-sample weights, or None.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        save_to_dir, save_prefix, save_format: save augmented images.
        subset: ``"training"`` or ``"validation"`` with the generator's
            ``validation_split`` (the first part is validation).
        ignore_class_split: allow subsets with different sets of classes.
        dtype: dtype of the image batches.
    """

    def __init__(
        self,
        x: Any,
        y: Any,
        image_data_generator: Any,
        batch_size: int = 32,
        shuffle: bool = False,
        sample_weight: Any = None,
        seed: int | None = None,
        data_format: str | None = None,
        save_to_dir: str | None = None,
        save_prefix: str = "",
        save_format: str = "png",
        subset: str | None = None,
        ignore_class_split: bool = False,
        dtype: Any = None,
    ) -> None:
        data_format = config.standardize_data_format(data_format)
        self.dtype = dtype or config.floatx()
        extras: list[np.ndarray] = []
        if isinstance(x, (tuple, list)):
            second = x[1] if isinstance(x[1], list) else [x[1]]
            extras = [np.asarray(e) for e in second]
            x = x[0]
            for extra in extras:
                if len(extra) != len(x):
                    raise ValueError(
                        "All of the arrays in `x` should have the same length. "
                        f"Found a pair with: len(x[0]) = {len(x)}, "
                        f"len(x[?]) = {len(extra)}"
                    )
        for name, value in (("y", y), ("sample_weight", sample_weight)):
            if value is not None and len(x) != len(value):
                raise ValueError(
                    f"`x` (images) and `{name}` should have the same length. Found: "
                    f"x.shape = {np.shape(x)}, {name}.shape = {np.shape(value)}"
                )
        part = split_for_subset(len(x), image_data_generator._validation_split, subset)
        if part is not None:
            cut = part.stop if subset == "validation" else part.start
            if (
                y is not None
                and not ignore_class_split
                and not np.array_equal(np.unique(y[:cut]), np.unique(y[cut:]))
            ):
                raise ValueError(
                    "Training and validation subsets have different classes after "
                    "the split. If your arrays are sorted by label, shuffle them "
                    "first (or pass ignore_class_split=True)."
                )
            x, extras = x[part], [e[part] for e in extras]
            y = None if y is None else y[part]
            sample_weight = None if sample_weight is None else sample_weight[part]
        self.x = np.asarray(x, dtype=self.dtype)
        self.x_misc = extras
        if self.x.ndim != 4:
            raise ValueError(
                "Input data in `NumpyArrayIterator` should have rank 4. You passed an "
                f"array with shape {self.x.shape}"
            )
        channels_axis = 3 if data_format == "channels_last" else 1
        if self.x.shape[channels_axis] not in (1, 3, 4):
            warnings.warn(
                f'NumpyArrayIterator uses the data format "{data_format}" (channels '
                f"on axis {channels_axis}) and expects 1, 3 or 4 channels; it was "
                f"passed an array with shape {self.x.shape}.",
                stacklevel=2,
            )
        self.y = None if y is None else np.asarray(y)
        self.sample_weight = (
            None if sample_weight is None else np.asarray(sample_weight)
        )
        self.image_data_generator = image_data_generator
        self.data_format = data_format
        self.save_to_dir = save_to_dir
        self.save_prefix = save_prefix
        self.save_format = save_format
        super().__init__(self.x.shape[0], batch_size, shuffle, seed)

    def _get_batches_of_transformed_samples(self, index_array: np.ndarray) -> Any:
        generator = self.image_data_generator
        batch_x = np.zeros((len(index_array),) + self.x.shape[1:], dtype=self.dtype)
        for i, j in enumerate(index_array):
            x = self.x[j]
            params = generator.get_random_transform(x.shape)
            x = generator.apply_transform(x.astype(self.dtype), params)
            batch_x[i] = generator.standardize(x)
        if self.save_to_dir:
            save_batch(
                batch_x,
                index_array,
                self.data_format,
                self.save_to_dir,
                self.save_prefix,
                self.save_format,
                int(1e4),
            )
        extras = [e[index_array] for e in self.x_misc]
        inputs = [batch_x, *extras] if extras else batch_x
        if self.y is None:
            return inputs
        if self.sample_weight is None:
            return inputs, self.y[index_array]
        return inputs, self.y[index_array], self.sample_weight[index_array]
