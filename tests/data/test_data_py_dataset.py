"""``kerax.utils.PyDataset``: workers (threads, processes), epochs, shuffling."""

from __future__ import annotations

import doctest
import random
import time

import numpy as np
import pytest
from data_helpers import ArrayBatches, arrays, dense_model
from plain_dataset import PlainBatches

from kerax.trainers.data_adapters import PyDatasetAdapter, get_data_adapter
from kerax.utils import py_dataset
from kerax.utils.py_dataset import PyDataset


def _epoch(adapter):
    return list(adapter.get_numpy_iterator())


class _Slow(PyDataset):
    """Batch i holds the value i; later indices finish first."""

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        self.n = n
        self.calls = []

    def __len__(self):
        return self.n

    def __getitem__(self, index):
        self.calls.append(index)
        time.sleep(0.002 * (self.n - index))
        if index == 5:
            raise KeyError("batch 5 is broken")
        return np.full((2, 1), index, "float32")


def test_thread_workers_keep_the_order_and_bound_the_queue():
    dataset = _Slow(5, workers=3, max_queue_size=3)
    adapter = get_data_adapter(dataset)
    values = [int(b[0][0, 0]) for b in _epoch(adapter)]
    assert values == [0, 1, 2, 3, 4]
    assert sorted(dataset.calls) == [0, 1, 2, 3, 4]
    adapter.close()


def test_thread_worker_error_reaches_the_consumer():
    adapter = get_data_adapter(_Slow(7, workers=2))
    with pytest.raises(KeyError, match="batch 5 is broken"):
        _epoch(adapter)


def test_processes_train_like_arrays_follow_epoch_state_and_raise():
    x, y = arrays()
    reference = dense_model()
    initial = reference.get_weights()
    reference.fit(
        ArrayBatches(x, y, 4, count_epochs=True, workers=0),
        epochs=3,
        verbose=0,
        shuffle=False,
    )
    # PlainBatches has the PyDataset protocol but imports only numpy, so the
    # spawned workers start fast.
    dataset = PlainBatches(x, y, 4, workers=2, use_multiprocessing=True)
    adapter = PyDatasetAdapter(dataset)
    model = dense_model()
    model.set_weights(initial)
    model.fit(adapter, epochs=3, verbose=0, shuffle=False)
    for got, want in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-6)

    # The workers saw each epoch's state (y + epoch), and __getitem__ errors
    # raised in a worker process reach the consumer.
    assert float(_epoch(adapter)[0][1][0, 0]) == pytest.approx(y[0, 0] + 3)
    dataset.fail_at = 1
    adapter.on_epoch_end()
    with pytest.raises(KeyError, match="no batch 1"):
        _epoch(adapter)
    dataset.fail_at = None
    adapter.on_epoch_end()  # results of the abandoned epoch are discarded
    assert [float(b[1][0, 0]) for b in _epoch(adapter)] == pytest.approx(y[::4, 0] + 5)
    adapter.close()


class _Unpicklable(ArrayBatches):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.handle = lambda: None


def test_processes_need_a_picklable_dataset():
    x, y = arrays()
    with pytest.raises(ValueError, match="needs a picklable PyDataset"):
        get_data_adapter(
            _Unpicklable(x, y, 4, workers=1, use_multiprocessing=True)
        ).get_numpy_iterator().__next__()


def test_shuffle_reorders_batches_each_epoch_with_python_random():
    x, y = arrays(n=40)
    adapter = get_data_adapter(ArrayBatches(x, y, 4, workers=0), shuffle=True)
    random.seed(7)
    first = [int(np.argmax((x == b[0][0]).all(axis=1))) // 4 for b in _epoch(adapter)]
    second = [int(np.argmax((x == b[0][0]).all(axis=1))) // 4 for b in _epoch(adapter)]
    random.seed(7)
    again = [int(np.argmax((x == b[0][0]).all(axis=1))) // 4 for b in _epoch(adapter)]
    assert sorted(first) == list(range(10)) and sorted(second) == list(range(10))
    assert first != list(range(10)) and first != second and first == again


class _Counting(ArrayBatches):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.begins = self.ends = 0

    def on_epoch_begin(self):
        self.begins += 1

    def on_epoch_end(self):
        self.ends += 1


def test_epoch_hooks_run_once_per_epoch_in_fit():
    x, y = arrays()
    dataset = _Counting(x, y, 4, workers=0)
    dense_model().fit(dataset, epochs=3, verbose=0)
    assert (dataset.begins, dataset.ends) == (3, 3)


class _Endless(PyDataset):
    @property
    def num_batches(self):
        return None

    def __getitem__(self, index):
        return np.full((2, 3), index, "float32"), np.zeros((2, 2), "float32")


def test_infinite_dataset_with_steps_per_epoch():
    adapter = get_data_adapter(_Endless(workers=2), steps_per_epoch=3)
    assert adapter.num_batches == 3
    assert [float(b[0][0, 0]) for b in _epoch(adapter)] == [0.0, 1.0, 2.0]
    assert [float(b[0][0, 0]) for b in _epoch(adapter)] == [3.0, 4.0, 5.0]
    history = dense_model().fit(_Endless(), steps_per_epoch=2, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2


def test_iterating_and_num_batches():
    x, y = arrays()
    dataset = ArrayBatches(x, y, 4)
    assert dataset.num_batches == 3
    assert [len(b[0]) for b in dataset] == [4, 4, 2]
    with pytest.raises(NotImplementedError, match="must implement __getitem__"):
        PyDataset()[0]


def test_docstring_examples():
    result = doctest.testmod(py_dataset, extraglobs={"PyDataset": PyDataset})
    assert result.attempted > 0 and result.failed == 0
