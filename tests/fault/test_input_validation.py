"""NaN/Inf in fit/evaluate/predict inputs: a clear error before any step runs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kerax
from kerax.trainers import validation


@pytest.fixture(scope="module")
def model():
    model = kerax.Sequential([kerax.Input((3,)), kerax.layers.Dense(2)])
    model.compile("sgd", "mse")
    return model


def _x(n=50):
    return np.random.default_rng(0).normal(size=(n, 3)).astype("float32")


def test_fit_names_input_kind_and_sample_ranges(model):
    x = _x()
    x[12, 1] = np.nan
    x[40:42] = np.inf
    x[7, 0] = -np.inf
    with pytest.raises(
        ValueError,
        match="fit: x contains NaN in samples 12 and Inf in samples 7, 40\N{EN DASH}41 "
        r"\(of 50\)",
    ):
        model.fit(x, np.zeros((50, 2)), verbose=0)


@pytest.mark.parametrize(
    "call, label",
    [
        ("evaluate_y", "evaluate: y contains NaN in samples 3"),
        ("fit_sample_weight", "fit: sample_weight contains Inf in samples 0, 2"),
        ("predict", "predict: x contains NaN in samples 49"),
        ("validation", "fit validation_data: y contains NaN in samples 3"),
    ],
)
def test_each_input_is_named(model, call, label):
    x, y = _x(), np.zeros((50, 2), "float32")
    bad_y = y.copy()
    bad_y[3, 1] = np.nan
    weights = np.ones(50, "float32")
    weights[[0, 2]] = np.inf
    bad_x = x.copy()
    bad_x[49] = np.nan
    run = {
        "evaluate_y": lambda: model.evaluate(x, bad_y, verbose=0),
        "fit_sample_weight": lambda: model.fit(x, y, sample_weight=weights, verbose=0),
        "predict": lambda: model.predict(bad_x, verbose=0),
        "validation": lambda: model.fit(x, y, validation_data=(x, bad_y), verbose=0),
    }[call]
    with pytest.raises(ValueError, match=label):
        run()


def test_dict_and_list_inputs_name_the_key():
    a = kerax.Input((2,), name="a")
    b = kerax.Input((1,), name="b")
    out = kerax.layers.Dense(1)(kerax.layers.Concatenate()([a, b]))
    model = kerax.Model({"a": a, "b": b}, out)
    model.compile("sgd", "mse")
    xa, xb = np.zeros((10, 2), "float32"), np.zeros((10, 1), "float32")
    xb[4:7] = np.nan
    with pytest.raises(ValueError, match=r"x\['b'\] contains NaN in samples 4"):
        model.fit({"a": xa, "b": xb}, np.zeros((10, 1)), verbose=0)
    with pytest.raises(ValueError, match=r"predict: x\[1\] contains NaN"):
        kerax.Model([a, b], out).predict([xa, xb], verbose=0)


def test_many_ranges_are_summarized():
    x = np.zeros((40, 1), "float32")
    x[::2] = np.nan
    with pytest.raises(ValueError, match=r"0, 2, 4, 6, 8, 10, and 14 more ranges"):
        validation.check_finite(x, None, None, "fit")


def test_integer_device_and_finite_inputs_pass(model):
    import jax.numpy as jnp

    validation.check_finite(np.arange(6).reshape(3, 2), None, None, "fit")
    validation.check_finite(jnp.full((3, 2), jnp.nan), None, None, "fit")  # device
    validation.check_finite(np.full((3, 2), 3e38, "float32"), None, None, "fit")
    model.predict(_x(4), verbose=0)


def test_opt_out(model, monkeypatch):
    monkeypatch.setattr(validation, "_CHECK_FINITE", True)
    validation.set_check_finite(False)
    assert not validation.check_finite_enabled()
    x = _x(4)
    x[0] = np.nan
    assert np.isnan(model.predict(x, verbose=0)[0]).all()
    validation.set_check_finite(True)
    with pytest.raises(ValueError, match="NaN"):
        model.predict(x, verbose=0)


def test_terminate_on_nan_still_stops_nan_from_training():
    model = kerax.Sequential([kerax.Input((3,)), kerax.layers.Dense(1)])
    model.compile(kerax.optimizers.SGD(learning_rate=1e18), "mse")
    x = _x(64) * 100.0
    with pytest.warns(RuntimeWarning, match="training loss became"):
        history = model.fit(
            x,
            np.ones((64, 1)),
            epochs=5,
            batch_size=8,
            verbose=0,
            callbacks=[kerax.callbacks.TerminateOnNaN()],
        )
    assert len(history.history["loss"]) == 1
    assert not np.isfinite(history.history["loss"][0])


ELEMENTS = st.one_of(
    st.floats(-10, 10, width=32),
    st.sampled_from([np.nan, np.inf, -np.inf]),
)


@settings(
    max_examples=15,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    n=st.integers(1, 6),
    features=st.sampled_from([2, 3]),
    rank=st.sampled_from([1, 2, 3]),
    dtype=st.sampled_from(["float32", "float64", "float16", "int32"]),
    data=st.data(),
)
def test_predict_either_works_or_names_the_input(model, n, features, rank, dtype, data):
    shape = (n, features, 1)[:rank] if rank < 3 else (n, features, 2)
    values = data.draw(
        st.lists(ELEMENTS, min_size=int(np.prod(shape)), max_size=int(np.prod(shape)))
    )
    if dtype == "int32":
        values = [v if np.isfinite(v) else 0.0 for v in values]
    x = np.asarray(values, "float64").reshape(shape).astype(dtype)
    try:
        out = model.predict(x, verbose=0)
    except (ValueError, TypeError) as error:
        assert "x" in str(error) or "input" in str(error).lower(), str(error)
        if not np.isfinite(x.astype("float64")).all():
            assert "contains" in str(error)
        return
    assert shape == (n, 3) and out.shape == (n, 2)
    assert np.isfinite(out).all()


FINITE = st.floats(-10, 10, width=32)


@settings(
    max_examples=14,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    n=st.integers(1, 9),
    x_features=st.sampled_from([3, 3, 2]),
    y_shape=st.sampled_from([(2,), (2,), (1,), ()]),
    dtype=st.sampled_from(["float32", "float16", "int32"]),
    batch_size=st.sampled_from([1, 4, 32]),
    poison=st.sampled_from([None, None, "x", "y"]),
    bad_value=st.sampled_from([np.nan, np.inf, -np.inf]),
    data=st.data(),
)
def test_fit_either_trains_or_names_the_input(
    model, n, x_features, y_shape, dtype, batch_size, poison, bad_value, data
):
    def draw(shape):
        size = int(np.prod(shape))
        values = data.draw(st.lists(FINITE, min_size=size, max_size=size))
        return np.asarray(values, "float32").reshape(shape)

    x, y = draw((n, x_features)), draw((n, *y_shape))
    if poison == "x" and dtype == "int32":
        poison = None  # integers hold no NaN
    if poison is not None:
        target = x if poison == "x" else y
        sample = data.draw(st.integers(0, n - 1))
        target.reshape(n, -1)[sample, 0] = bad_value
    x = x.astype(dtype)
    try:
        history = model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)
    except (ValueError, TypeError) as error:
        message = str(error)
        if poison is not None:
            kind = "NaN" if np.isnan(bad_value) else "Inf"
            assert f"{poison} contains {kind} in samples {sample} " in message
        else:
            assert x_features != 3 or y_shape != (2,), message  # only bad shapes
            assert "shape" in message, message
        return
    assert poison is None and x_features == 3 and y_shape == (2,)
    assert np.isfinite(history.history["loss"][0])


@pytest.mark.parametrize(
    "bad, message",
    [
        (np.array([["a", "b", "c"]] * 4), "x holds strings"),
        (np.array([[b"a", b"b", b"c"]] * 4), "x holds strings or raw bytes"),
        (np.array([[1, None, 2]] * 4, dtype=object), "x could not be converted"),
    ],
    ids=["str", "bytes", "object"],
)
def test_non_numeric_inputs_are_named(model, bad, message):
    with pytest.raises(ValueError, match=message):
        model.fit(bad, np.zeros((4, 1), "float32"), verbose=0)
    with pytest.raises(ValueError, match=message):
        model.predict(bad, verbose=0)


def test_iterators_and_datasets_are_not_read_by_the_check(model):
    """Only arrays are checked: an augmenting iterator is never materialized."""
    x = _x(8)

    class Batches(kerax.utils.PyDataset):
        reads = 0

        def __len__(self):
            return 2

        def __getitem__(self, index):
            Batches.reads += 1
            return x[4 * index : 4 * index + 4], np.zeros((4, 2), "float32")

    data = Batches()
    validation.check_finite(data, None, None, "fit")
    generator = kerax.preprocessing.image.ImageDataGenerator().flow(
        np.ones((8, 4, 4, 1), "float32"), np.zeros(8), batch_size=4
    )
    validation.check_finite(generator, None, None, "fit")
    assert Batches.reads == 0 and generator.batch_index == 0
