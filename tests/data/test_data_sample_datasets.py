"""timeseries_dataset_from_array (vs Keras's grain path), split_dataset and
SampleDataset's batch/map."""

from __future__ import annotations

import doctest
import random

import keras
import numpy as np
import pytest

from kerax.utils import timeseries_dataset
from kerax.utils.dataset_utils import SampleDataset, split_dataset
from kerax.utils.timeseries_dataset import timeseries_dataset_from_array

DATA = np.arange(60, dtype="float32").reshape(30, 2)
TARGETS = np.arange(30) * 10


def _all(dataset):
    return [dataset[i] for i in range(len(dataset))]


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(sequence_length=4, batch_size=5),
        dict(sequence_length=3, sequence_stride=2, sampling_rate=3, batch_size=4),
        dict(sequence_length=5, start_index=3, end_index=25, batch_size=6),
        dict(sequence_length=2, batch_size=None, start_index=20),
    ],
)
@pytest.mark.parametrize("with_targets", [True, False])
def test_timeseries_matches_keras(kwargs, with_targets):
    pytest.importorskip("grain")
    targets = TARGETS if with_targets else None
    ours = _all(timeseries_dataset_from_array(DATA, targets, **kwargs))
    theirs = list(
        keras.utils.timeseries_dataset_from_array(
            DATA, targets, format="grain", **kwargs
        )
    )
    assert len(ours) == len(theirs)
    for got, want in zip(ours, theirs):
        if not with_targets:
            got, want = (got,), (want,)
        for a, b in zip(got, want):
            np.testing.assert_array_equal(a, np.asarray(b))


def test_timeseries_shuffle_is_seeded_and_complete():
    kwargs = dict(sequence_length=3, batch_size=None, shuffle=True, seed=4)
    first = _all(timeseries_dataset_from_array(DATA, TARGETS, **kwargs))
    again = _all(timeseries_dataset_from_array(DATA, TARGETS, **kwargs))
    starts = [int(y) // 10 for _, y in first]
    assert starts == [int(y) // 10 for _, y in again]
    expected = np.arange(28)
    np.random.RandomState(4).shuffle(expected)
    assert starts == expected.tolist()
    for x, y in first:
        np.testing.assert_array_equal(x, DATA[y // 10 : y // 10 + 3])


def test_timeseries_targets_shorter_than_data_and_errors():
    assert (
        len(timeseries_dataset_from_array(DATA, TARGETS[:5], 3, batch_size=None)) == 5
    )
    bad = [
        (dict(start_index=-1), "start_index must be 0 or greater"),
        (dict(start_index=30), "start_index must be lower"),
        (dict(start_index=5, end_index=5), "end_index must be higher than start_index"),
        (dict(end_index=30), "end_index must be lower"),
        (dict(sampling_rate=0), "sampling_rate must be higher than 0"),
        (dict(sequence_stride=30), "sequence_stride must be lower"),
        (dict(format="torch"), 'format must be "tf" or "grain"'),
    ]
    for kwargs, message in bad:
        with pytest.raises(ValueError, match=message):
            timeseries_dataset_from_array(DATA, None, 3, **kwargs)


def test_split_arrays_sizes_and_order():
    x, y = np.arange(10), np.arange(10) * 2
    left, right = split_dataset((x, y), left_size=0.7)
    assert (len(left), len(right)) == (7, 3)
    assert [int(a) for a, _ in _all(left)] == list(range(7))
    assert [int(b) for _, b in _all(right)] == [14, 16, 18]
    left, right = split_dataset(x, right_size=2, shuffle=True, seed=3)
    order = list(range(10))
    random.Random(3).shuffle(order)
    assert [int(v) for v in _all(left)] == order[:8]
    assert [int(v) for v in _all(right)] == order[8:]
    left, right = split_dataset({"a": x, "b": y}, left_size=3, right_size=0.5)
    assert (len(left), len(right)) == (3, 5)
    assert int(right[0]["b"]) == 10


def test_split_batched_dataset_stays_batched():
    dataset = SampleDataset(10, lambda i: (np.full(2, i), i), batch_size=4)
    left, right = split_dataset(dataset, left_size=0.5)
    x, y = left[0]
    assert x.shape == (4, 2) and y.tolist() == [0, 1, 2, 3]
    assert len(right) == 2 and right[1][1].tolist() == [9]


@pytest.mark.parametrize(
    "left, right, error, message",
    [
        (None, None, ValueError, "Pass left_size, right_size"),
        ("a", None, TypeError, "left_size must be an int, a float or None"),
        (0, None, ValueError, "left_size must be a positive int"),
        (None, 1.0, ValueError, r"right_size must be a float in \(0, 1\)"),
        (0.6, 0.6, ValueError, "at most 1"),
        (8, 5, ValueError, "exceeds the 10 samples"),
        (0.01, None, ValueError, "leaves one side empty"),
    ],
)
def test_split_errors(left, right, error, message):
    with pytest.raises(error, match=message):
        split_dataset(np.arange(10), left_size=left, right_size=right)


def test_split_rejects_unsplittable_input():
    with pytest.raises(TypeError, match="split_dataset expects"):
        split_dataset(5, left_size=0.5)
    with pytest.raises(ValueError, match="different lengths"):
        split_dataset((np.arange(3), np.arange(4)), left_size=0.5)


def test_batch_then_map_and_map_then_batch():
    samples = SampleDataset(5, lambda i: (np.full(3, i, "float32"), i))
    per_sample = samples.map(lambda x, y: (x * 2, y)).batch(2)
    x, y = per_sample[2]
    assert x.tolist() == [[8.0, 8.0, 8.0]] and y.tolist() == [4]
    per_batch = samples.batch(2).map(lambda x, y: (x.sum(axis=1), y))
    assert per_batch[0][0].tolist() == [0.0, 3.0]
    assert len(samples) == 5 and samples.batch_size is None
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        samples.batch(0)
    with pytest.raises(IndexError, match="out of range"):
        per_batch[3]


def test_strings_batch_as_object_arrays():
    texts = SampleDataset(3, lambda i: ("ab" * i, i), batch_size=3)
    x, y = texts[0]
    assert x.dtype == object and x.tolist() == ["", "ab", "abab"]


def test_docstring_examples():
    result = doctest.testmod(timeseries_dataset, extraglobs={"np": np})
    assert result.attempted > 0 and result.failed == 0
