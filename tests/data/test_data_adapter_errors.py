"""Bad input from non-array sources: clear errors and warnings naming the input."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from data_helpers import ArrayBatches, arrays, dense_model

from kerax.trainers.data_adapters import (
    GeneratorDataAdapter,
    cardinality_message,
    get_data_adapter,
)
from kerax.utils.py_dataset import PyDataset


def _epoch(adapter):
    return list(adapter.get_numpy_iterator())


def test_generator_changing_structure_mid_stream():
    x, y = arrays()

    def gen():
        yield x[:4], y[:4]
        yield x[4:8], y[4:8], np.ones(4, "float32")

    with pytest.raises(ValueError, match=r"generator .*different structure at batch 1"):
        dense_model().fit(gen(), verbose=0)


def test_generator_dict_keys_changing_mid_stream():
    adapter = GeneratorDataAdapter(
        iter([({"a": np.ones((2, 1))},), ({"b": np.ones((2, 1))},)])
    )
    with pytest.raises(ValueError, match=r"x\['a'\].*x\['b'\]"):
        _epoch(adapter)


def test_generator_tuple_of_four():
    x, y = arrays()
    adapter = GeneratorDataAdapter(iter([(x, y, y, y)]))
    with pytest.raises(ValueError, match="tuple of 4 elements at batch 0"):
        adapter.peek()


def test_generator_batch_sizes_disagree_names_input():
    x, y = arrays()
    adapter = GeneratorDataAdapter(iter([(x[:4], y[:3])]))
    with pytest.raises(ValueError, match=r"different numbers of samples.*x: 4, y: 3"):
        _epoch(adapter)


def test_generator_scalar_in_batch():
    adapter = GeneratorDataAdapter(iter([(np.ones((2, 1)), 1.0)]))
    with pytest.raises(ValueError, match="scalar for y at batch 0"):
        _epoch(adapter)


def test_empty_generator():
    with pytest.raises(ValueError, match="generator is empty"):
        dense_model().fit((b for b in []), verbose=0)


def test_empty_pydataset():
    x, y = arrays()
    with pytest.raises(ValueError, match="PyDataset ArrayBatches is empty"):
        dense_model().fit(ArrayBatches(x[:0], y[:0], 4), verbose=0)


def test_generator_stopping_early_warns_then_training_stops():
    x, y = arrays()
    model = dense_model()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(
            iter([(x[:4], y[:4])] * 4), steps_per_epoch=3, epochs=3, verbose=0
        )
    messages = [str(w.message) for w in caught]
    assert any(
        "generator ran out of data after 1 of steps_per_epoch=3" in m for m in messages
    )
    assert any("ran out of data; interrupting training" in m for m in messages)
    assert len(history.history["loss"]) == 2  # 3 steps, then 1, then none


def test_steps_per_epoch_continues_a_restartable_source_across_epochs():
    x, y = arrays(n=12)
    adapter = get_data_adapter(ArrayBatches(x, y, 4, workers=0), steps_per_epoch=2)
    first = [b[0] for b in _epoch(adapter)]
    with pytest.warns(UserWarning, match="PyDataset ran out of data after 1 of"):
        second = [b[0] for b in _epoch(adapter)]
    third = [b[0] for b in _epoch(adapter)]
    np.testing.assert_array_equal(np.concatenate(first + second), x)
    np.testing.assert_array_equal(np.concatenate(third), x[:8])


def test_unrecognized_source():
    with pytest.raises(ValueError, match="Unrecognized data type: x=set"):
        dense_model().fit({1, 2}, verbose=0)


def test_y_with_a_generator_is_refused():
    x, y = arrays()
    with pytest.raises(ValueError, match="must not be given when x is a generator"):
        dense_model().fit((b for b in [(x, y)]), y, verbose=0)


def test_shuffle_with_a_generator_warns_it_is_ignored():
    with pytest.warns(UserWarning, match="provided as a generator"):
        get_data_adapter((b for b in []), shuffle=True)


def test_cardinality_message_names_every_input():
    message = cardinality_message(
        {"a": np.ones((10, 2)), "b": np.ones((12, 2))}, np.ones(10), None
    )
    assert message == "x['a']: 10, x['b']: 12, y: 10"
    assert cardinality_message([np.ones(3), np.ones(4)]) == "x[0]: 3, x[1]: 4"


def test_mismatched_sample_counts_fail_fit():
    x, y = arrays()
    with pytest.raises(ValueError, match="same number of samples"):
        dense_model().fit(x, y[:9], verbose=0)


class _NoSuper(PyDataset):
    def __init__(self):
        self.data = np.ones((4, 3), "float32")

    def __len__(self):
        return 1

    def __getitem__(self, index):
        return self.data, self.data[:, :2]


def test_pydataset_without_super_init_warns_and_uses_defaults():
    with pytest.warns(UserWarning, match="should call `super\\(\\).__init__"):
        adapter = get_data_adapter(_NoSuper())
        assert len(_epoch(adapter)) == 1
    dataset = _NoSuper()
    with pytest.warns(UserWarning):
        assert (
            dataset.workers,
            dataset.use_multiprocessing,
            dataset.max_queue_size,
        ) == (
            1,
            False,
            10,
        )


def test_pydataset_argument_validation():
    with pytest.raises(ValueError, match="workers must be a non-negative int"):
        ArrayBatches(*arrays(), 4, workers=-1)
    with pytest.raises(ValueError, match="max_queue_size must be a positive int"):
        ArrayBatches(*arrays(), 4, max_queue_size=0)
    with pytest.raises(ValueError, match="steps_per_epoch must be a positive integer"):
        get_data_adapter(ArrayBatches(*arrays(), 4), steps_per_epoch=0)


def test_strings_in_a_batch_are_refused_with_a_hint():
    texts = np.array(["a", "b"], dtype=object)
    adapter = GeneratorDataAdapter(iter([(texts, np.zeros(2))]))
    with pytest.raises(
        ValueError, match="object values for x at batch 0.*TextVectorization"
    ):
        _epoch(adapter)
