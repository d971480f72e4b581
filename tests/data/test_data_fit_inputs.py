"""Every input kind trains the same model to the same weights as plain arrays."""

from __future__ import annotations

import numpy as np
import pytest
from data_helpers import ArrayBatches, arrays, dense_model

import kerax

BATCH, EPOCHS = 4, 2


@pytest.fixture(scope="module")
def reference():
    """Weights after training on plain arrays, in order, with a partial last batch."""
    x, y = arrays()
    model = dense_model()
    initial = model.get_weights()
    model.fit(x, y, batch_size=BATCH, epochs=EPOCHS, shuffle=False, verbose=0)
    return initial, model.get_weights(), model.predict(x, verbose=0)


def _batches(x, y):
    return [(x[i : i + BATCH], y[i : i + BATCH]) for i in range(0, len(x), BATCH)]


class _Iterator:
    """A plain iterator object (``__next__``), not a generator."""

    def __init__(self, items):
        self.items = list(items)

    def __iter__(self):
        return self

    def __next__(self):
        if not self.items:
            raise StopIteration
        return self.items.pop(0)


class DatasetV2:
    """Stands in for ``tf.data.Dataset`` (TensorFlow is not installed here): the
    adapter recognizes it by class name and module and reads it through
    ``cardinality`` and ``as_numpy_iterator``, the protocol kerax relies on."""

    __module__ = "tensorflow.python.data.ops.dataset_ops"

    def __init__(self, batches):
        self.batches = batches

    def cardinality(self):
        return np.int64(len(self.batches))

    def as_numpy_iterator(self):
        return iter(self.batches)


def _torch_loader(x, y):
    torch = pytest.importorskip("torch")
    data = torch.utils.data.TensorDataset(torch.tensor(x), torch.tensor(y))
    return torch.utils.data.DataLoader(data, batch_size=BATCH, shuffle=False)


def _grain_dataset(x, y):
    grain = pytest.importorskip("grain")
    return grain.MapDataset.source(list(zip(x, y))).batch(BATCH)


def _grain_iter_dataset(x, y):
    return _grain_dataset(x, y).to_iter_dataset()


def _pandas(x, y):
    pd = pytest.importorskip("pandas")
    return pd.DataFrame(x), pd.DataFrame(y)


def _generator(x, y):
    def gen():
        for _ in range(EPOCHS):
            yield from _batches(x, y)

    return gen()


SOURCES = {
    "generator": lambda x, y: (_generator(x, y), {"steps_per_epoch": 3}),
    "iterator": lambda x, y: (
        _Iterator(_batches(x, y) * EPOCHS),
        {"steps_per_epoch": 3},
    ),
    "pydataset": lambda x, y: (ArrayBatches(x, y, BATCH, workers=0), {}),
    "pydataset_threads": lambda x, y: (ArrayBatches(x, y, BATCH, workers=2), {}),
    "torch_dataloader": lambda x, y: (_torch_loader(x, y), {}),
    "grain_map_dataset": lambda x, y: (_grain_dataset(x, y), {}),
    "grain_iter_dataset": lambda x, y: (_grain_iter_dataset(x, y), {}),
    "tf_dataset_protocol": lambda x, y: (DatasetV2(_batches(x, y)), {}),
}


@pytest.mark.parametrize("kind", sorted(SOURCES))
def test_source_trains_like_arrays(kind, reference):
    initial, expected, predictions = reference
    x, y = arrays()
    source, kwargs = SOURCES[kind](x, y)
    model = dense_model()
    model.set_weights(initial)
    history = model.fit(source, epochs=EPOCHS, verbose=0, shuffle=False, **kwargs)
    assert len(history.history["loss"]) == EPOCHS
    for got, want in zip(model.get_weights(), expected):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    if kind not in ("generator", "iterator"):
        again, _ = SOURCES[kind](x, y)
        np.testing.assert_allclose(
            model.predict(again, verbose=0), predictions, rtol=1e-5, atol=1e-6
        )


def test_pandas_frames_train_like_arrays(reference):
    initial, expected, predictions = reference
    x, y = arrays()
    frame_x, frame_y = _pandas(x, y)
    model = dense_model()
    model.set_weights(initial)
    model.fit(
        frame_x, frame_y, batch_size=BATCH, epochs=EPOCHS, shuffle=False, verbose=0
    )
    for got, want in zip(model.get_weights(), expected):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(
        model.predict(frame_x, verbose=0), predictions, rtol=1e-6
    )


def test_pandas_series_target_and_evaluate():
    pd = pytest.importorskip("pandas")
    x, y = arrays(outputs=1)
    model = dense_model(outputs=1)
    arrays_loss = model.evaluate(x, y, verbose=0)
    series_loss = model.evaluate(pd.DataFrame(x), pd.Series(y[:, 0]), verbose=0)
    np.testing.assert_allclose(series_loss, arrays_loss, rtol=1e-6)


def test_validation_data_from_pydataset(reference):
    initial, _, _ = reference
    x, y = arrays()
    model = dense_model()
    model.set_weights(initial)
    history = model.fit(
        x,
        y,
        batch_size=BATCH,
        epochs=1,
        shuffle=False,
        verbose=0,
        validation_data=ArrayBatches(x, y, BATCH, workers=0),
    )
    np.testing.assert_allclose(
        history.history["val_loss"][0], model.evaluate(x, y, verbose=0), rtol=1e-5
    )


def test_batch_size_larger_than_data_is_one_partial_batch():
    x, y = arrays()
    whole, large = dense_model(), dense_model()
    large.set_weights(whole.get_weights())
    whole.fit(x, y, batch_size=len(x), epochs=1, shuffle=False, verbose=0)
    history = large.fit(x, y, batch_size=100, epochs=1, shuffle=False, verbose=0)
    assert len(history.history["loss"]) == 1
    for a, b in zip(large.get_weights(), whole.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    assert large.predict(x, batch_size=100, verbose=0).shape == (10, 2)


def test_dict_inputs_match_input_names():
    rng = np.random.default_rng(3)
    a = rng.normal(size=(8, 2)).astype("float32")
    b = rng.normal(size=(8, 3)).astype("float32")
    in_a, in_b = kerax.Input((2,), name="a"), kerax.Input((3,), name="b")
    out = kerax.layers.Dense(1)(kerax.layers.Concatenate()([in_a, in_b]))
    model = kerax.Model({"a": in_a, "b": in_b}, out)
    by_dict = model.predict({"b": b, "a": a}, verbose=0)
    by_list = model.predict([a, b], verbose=0)
    np.testing.assert_allclose(by_dict, by_list, rtol=1e-6)
