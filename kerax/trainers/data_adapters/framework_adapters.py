"""PyTorch ``DataLoader``, ``tf.data.Dataset`` and Grain datasets as sources.

kerax never imports these libraries: a source is recognized by the names of
its classes, and its batches (tensors of any of them) become numpy arrays.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kerax.trainers.data_adapters.stream import StreamAdapter


def _mro_matches(x: Any, names: tuple[str, ...], module: str) -> bool:
    return any(
        cls.__name__ in names and module in (cls.__module__ or "")
        for cls in type(x).__mro__
    )


def is_torch_dataloader(x: Any) -> bool:
    """True for a ``torch.utils.data.DataLoader`` (or subclass)."""
    return _mro_matches(x, ("DataLoader",), "torch.utils.data")


def is_tf_dataset(x: Any) -> bool:
    """True for a ``tf.data.Dataset`` (or a distributed dataset)."""
    names = ("DatasetV2", "DistributedDataset", "DistributedDatasetsFromFunction")
    return _mro_matches(x, names, "tensorflow.python.")


def is_grain_dataset(x: Any) -> bool:
    """True for a Grain ``MapDataset``, ``IterDataset`` or ``DataLoader``."""
    return _mro_matches(x, ("MapDataset", "IterDataset", "DataLoader"), "grain")


class TorchDataLoaderAdapter(StreamAdapter):
    """Batches of a PyTorch ``DataLoader``: one pass per epoch."""

    source_name = "torch DataLoader"

    def __init__(self, loader: Any, steps_per_epoch: int | None = None) -> None:
        super().__init__(steps_per_epoch)
        self._loader = loader
        self.batch_size = getattr(loader, "batch_size", None)
        if hasattr(loader.dataset, "__len__"):
            self.pass_length = len(loader)
            if self.pass_length == 0:
                raise ValueError("The torch DataLoader is empty: its length is 0.")

    def _open_pass(self) -> Iterator[Any]:
        return iter(self._loader)


class TFDatasetAdapter(StreamAdapter):
    """Batches of a ``tf.data.Dataset`` (already batched), as numpy arrays."""

    source_name = "tf.data.Dataset"

    def __init__(self, dataset: Any, steps_per_epoch: int | None = None) -> None:
        super().__init__(steps_per_epoch)
        self._dataset = dataset
        cardinality = getattr(dataset, "cardinality", None)
        if cardinality is not None:
            count = int(cardinality())
            if count == 0:
                raise ValueError("The tf.data.Dataset is empty: its cardinality is 0.")
            self.pass_length = count if count > 0 else None  # -1 infinite, -2 unknown

    def _open_pass(self) -> Iterator[Any]:
        as_numpy = getattr(self._dataset, "as_numpy_iterator", None)
        return as_numpy() if as_numpy is not None else iter(self._dataset)


class GrainDatasetAdapter(StreamAdapter):
    """Batches of a Grain ``MapDataset``, ``IterDataset`` or ``DataLoader``."""

    source_name = "Grain dataset"

    def __init__(self, dataset: Any, steps_per_epoch: int | None = None) -> None:
        super().__init__(steps_per_epoch)
        self._dataset = dataset
        if _mro_matches(dataset, ("MapDataset",), "grain"):
            try:
                count = len(dataset)
            except (TypeError, ValueError):
                count = None
            if count == 0:
                raise ValueError("The Grain dataset is empty: its length is 0.")
            self.pass_length = count if count is not None and count < 2**62 else None

    def _open_pass(self) -> Iterator[Any]:
        return iter(self._dataset)
