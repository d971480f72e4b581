"""Batches of variable-length sequences, bucketed by length so few shapes compile.

Each batch is padded to the upper boundary of its bucket (not to the longest
sequence overall), so a Masking/Embedding(mask_zero=True) model sees little
padding, and ``fit`` compiles one step per bucket instead of one per length.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kerax.utils.py_dataset import PyDataset
from kerax.utils.sequence_utils import pad_sequences


class BucketedSequences(PyDataset):
    """A ``PyDataset`` of ``(padded_x, y)`` batches grouped by sequence length.

    Args:
        sequences: a list of 1-D integer sequences (token ids).
        labels: one label per sequence (or None).
        bucket_boundaries: increasing lengths; a sequence of length ``n`` goes to
            the first bucket whose boundary is ``>= n`` (longer ones are
            truncated to the last boundary, as ``truncating`` says).
        batch_size: sequences per batch.
        shuffle: reshuffle within buckets and the batch order each epoch.
        seed: seed of the shuffling.
        padding, truncating, value: as in ``pad_sequences`` (value 0 is the
            mask value of ``Embedding(mask_zero=True)``).
    """

    def __init__(
        self,
        sequences: list[Any],
        labels: Any = None,
        bucket_boundaries: list[int] | None = None,
        batch_size: int = 32,
        shuffle: bool = True,
        seed: int | None = None,
        padding: str = "post",
        truncating: str = "post",
        value: float = 0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not sequences:
            raise ValueError("BucketedSequences needs at least one sequence.")
        lengths = np.array([len(s) for s in sequences])
        if bucket_boundaries is None:
            bucket_boundaries = sorted(
                {int(np.quantile(lengths, q)) for q in (0.25, 0.5, 0.75, 1.0)}
            )
        boundaries = [int(b) for b in bucket_boundaries]
        if any(b <= 0 for b in boundaries) or boundaries != sorted(set(boundaries)):
            raise ValueError(
                f"bucket_boundaries must be increasing positive lengths, received {bucket_boundaries}."
            )
        if batch_size < 1:
            raise ValueError(
                f"batch_size must be a positive int, received {batch_size}."
            )
        if labels is not None and len(labels) != len(sequences):
            raise ValueError(f"{len(sequences)} sequences but {len(labels)} labels.")
        self.sequences = list(sequences)
        self.labels = None if labels is None else np.asarray(labels)
        self.boundaries = boundaries
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.padding, self.truncating, self.value = padding, truncating, value
        self._rng = np.random.default_rng(seed)
        bucket_of = np.searchsorted(boundaries, np.minimum(lengths, boundaries[-1]))
        self._buckets = [np.flatnonzero(bucket_of == b) for b in range(len(boundaries))]
        self._batches: list[tuple[int, np.ndarray]] = []
        self._plan()

    def _plan(self) -> None:
        batches = []
        for bucket, members in enumerate(self._buckets):
            members = self._rng.permutation(members) if self.shuffle else members
            for start in range(0, len(members), self.batch_size):
                batches.append((bucket, members[start : start + self.batch_size]))
        if self.shuffle:
            order = self._rng.permutation(len(batches))
            batches = [batches[i] for i in order]
        self._batches = batches

    def __len__(self) -> int:
        return len(self._batches)

    def __getitem__(self, index: int) -> Any:
        bucket, members = self._batches[index]
        x = pad_sequences(
            [self.sequences[i] for i in members],
            maxlen=self.boundaries[bucket],
            padding=self.padding,
            truncating=self.truncating,
            value=self.value,
        )
        if self.labels is None:
            return (x,)
        return x, self.labels[members]

    def on_epoch_end(self) -> None:
        if self.shuffle:
            self._plan()
