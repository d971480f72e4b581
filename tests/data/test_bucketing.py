"""Length-bucketed sequence batches: few shapes, masks, and it trains."""

import numpy as np
import pytest

import kerax
from kerax.utils import BucketedSequences


def _corpus(n=120, seed=0):
    rng = np.random.default_rng(seed)
    lengths = rng.integers(2, 40, size=n)
    sequences = [rng.integers(1, 50, size=int(k)).tolist() for k in lengths]
    labels = (lengths > 20).astype("float32")
    return sequences, labels


def test_batches_are_padded_to_their_bucket_and_cover_every_sequence():
    sequences, labels = _corpus()
    data = BucketedSequences(
        sequences, labels, bucket_boundaries=[10, 20, 40], batch_size=16, seed=1
    )
    widths = set()
    seen = 0
    for index in range(len(data)):
        x, y = data[index]
        widths.add(x.shape[1])
        seen += len(x)
        assert len(x) == len(y) <= 16
        real_lengths = (x != 0).sum(axis=1)
        assert np.all(real_lengths <= x.shape[1])
    assert widths <= {10, 20, 40} and seen == len(sequences)


def test_fit_compiles_one_step_per_bucket_and_learns():
    sequences, labels = _corpus()
    data = BucketedSequences(
        sequences, labels, bucket_boundaries=[10, 20, 40], batch_size=16, seed=2
    )
    kerax.utils.set_random_seed(3)
    model = kerax.Sequential(
        [
            kerax.Input((None,), dtype="int32"),
            kerax.layers.Embedding(50, 8, mask_zero=True),
            kerax.layers.LSTM(8),
            kerax.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(kerax.optimizers.Adam(0.02), "binary_crossentropy")
    history = model.fit(data, epochs=4, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    step = model._step("train")
    assert step.trace_count <= 3  # one per bucket: partial batches are padded


def test_bad_arguments():
    with pytest.raises(ValueError, match="increasing"):
        BucketedSequences([[1, 2]], [0], bucket_boundaries=[5, 3])
    with pytest.raises(ValueError, match="labels"):
        BucketedSequences([[1, 2], [3]], [0])
