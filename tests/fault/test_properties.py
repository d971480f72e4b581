"""Property-based tests (hypothesis): round trips and invariants over random cases."""

from __future__ import annotations

import json
import os
import tempfile

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import kerax
from kerax import layers

FEW = settings(max_examples=8, deadline=None, database=None, derandomize=True)
SOME = settings(max_examples=25, deadline=None, database=None, derandomize=True)

ACTIVATIONS = ["linear", "relu", "tanh", "sigmoid", "gelu", "softplus"]

# Layers are drawn as specs and built in the test (building draws seeds).
LAYER_SPEC = st.one_of(
    st.tuples(
        st.just("dense"),
        st.integers(1, 4),
        st.sampled_from(ACTIVATIONS),
        st.booleans(),
    ),
    st.tuples(st.just("batch_norm")),
    st.tuples(st.just("layer_norm")),
    st.tuples(st.just("dropout"), st.sampled_from([0.0, 0.2, 0.5])),
    st.tuples(st.just("activation"), st.sampled_from(ACTIVATIONS)),
)


def _layer(spec):
    kind, *args = spec
    if kind == "dense":
        return layers.Dense(args[0], activation=args[1], use_bias=args[2])
    if kind == "dropout":
        return layers.Dropout(args[0])
    if kind == "activation":
        return layers.Activation(args[0])
    return {
        "batch_norm": layers.BatchNormalization,
        "layer_norm": layers.LayerNormalization,
    }[kind]()


def _model(functional, features, specs):
    stack = [_layer(spec) for spec in specs]
    if not functional:
        return kerax.Sequential([kerax.Input((features,)), *stack])
    inputs = kerax.Input((features,))
    hidden = inputs
    for layer in stack:
        hidden = layer(hidden)
    skip = layers.Dense(hidden.shape[-1])(inputs)  # a second branch, merged
    return kerax.Model(inputs, layers.Add()([hidden, skip]))


@FEW
@given(
    functional=st.booleans(),
    features=st.integers(1, 4),
    specs=st.lists(LAYER_SPEC, min_size=1, max_size=3),
    seed=st.integers(0, 2**16),
)
def test_save_load_round_trip_keeps_predictions(functional, features, specs, seed):
    kerax.utils.set_random_seed(seed)
    model = _model(functional, features, specs)
    x = np.random.default_rng(seed).normal(size=(5, features)).astype("float32")
    expected = model.predict(x, verbose=0)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "m.keras")
        model.save(path)
        loaded = kerax.saving.load_model(path)
        weights_path = os.path.join(folder, "m.weights.h5")
        model.save_weights(weights_path)
        clone = kerax.models.clone_model(model)
        clone.load_weights(weights_path)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), expected)
    np.testing.assert_array_equal(clone.predict(x, verbose=0), expected)
    assert _json(loaded.get_config()) == _json(model.get_config())


def _json(config):
    """The config as a file holds it (tuples become lists)."""
    return json.loads(json.dumps(config))


CONFIGURED = st.one_of(
    st.tuples(
        st.just(layers.Dense),
        st.fixed_dictionaries(
            {
                "units": st.integers(1, 64),
                "activation": st.sampled_from(ACTIVATIONS),
                "use_bias": st.booleans(),
                "kernel_initializer": st.sampled_from(
                    ["glorot_uniform", "zeros", "he_normal"]
                ),
            }
        ),
    ),
    st.tuples(
        st.just(layers.Conv1D),
        st.fixed_dictionaries(
            {
                "filters": st.integers(1, 8),
                "kernel_size": st.integers(1, 5),
                "strides": st.integers(1, 3),
                "padding": st.sampled_from(["valid", "same"]),
            }
        ),
    ),
    st.tuples(
        st.just(layers.BatchNormalization),
        st.fixed_dictionaries(
            {
                "momentum": st.floats(0.0, 1.0),
                "epsilon": st.floats(1e-6, 1e-1),
                "center": st.booleans(),
                "scale": st.booleans(),
            }
        ),
    ),
    st.tuples(
        st.just(layers.Dropout),
        st.fixed_dictionaries(
            {"rate": st.floats(0.0, 0.99), "seed": st.integers(0, 99)}
        ),
    ),
    st.tuples(
        st.just(layers.Embedding),
        st.fixed_dictionaries(
            {"input_dim": st.integers(1, 50), "output_dim": st.integers(1, 8)}
        ),
    ),
    st.tuples(
        st.just(layers.LSTM),
        st.fixed_dictionaries(
            {
                "units": st.integers(1, 8),
                "return_sequences": st.booleans(),
                "dropout": st.floats(0.0, 0.5),
            }
        ),
    ),
)


@SOME
@given(drawn=CONFIGURED)
def test_get_config_from_config_is_idempotent(drawn):
    cls, kwargs = drawn
    config = cls(**kwargs).get_config()
    stored = _json(config)  # a config is plain JSON (tuples become lists)
    rebuilt = cls.from_config(stored)
    assert _json(rebuilt.get_config()) == stored
    assert _json(cls.from_config(config).get_config()) == stored


LOSSES = [
    kerax.losses.MeanSquaredError(),
    kerax.losses.MeanAbsoluteError(),
    kerax.losses.Huber(),
    kerax.losses.BinaryCrossentropy(),
    kerax.losses.CategoricalCrossentropy(),
    kerax.losses.KLDivergence(),
]


def _batch(draw, n, classes):
    values = st.floats(0.0625, 0.9375, width=32)
    y = np.asarray(draw(st.lists(values, min_size=n * classes, max_size=n * classes)))
    p = np.asarray(draw(st.lists(values, min_size=n * classes, max_size=n * classes)))
    y, p = y.reshape(n, classes), p.reshape(n, classes)
    return (y / y.sum(-1, keepdims=True)).astype("float32"), (
        p / p.sum(-1, keepdims=True)
    ).astype("float32")


@SOME
@given(
    loss_index=st.integers(0, len(LOSSES) - 1),
    n=st.integers(1, 6),
    classes=st.integers(2, 4),
    data=st.data(),
)
def test_loss_invariants(loss_index, n, classes, data):
    loss = LOSSES[loss_index]
    y, p = _batch(data.draw, n, classes)
    plain = float(loss(y, p))
    order = np.asarray(data.draw(st.permutations(range(n))))
    np.testing.assert_allclose(float(loss(y[order], p[order])), plain, rtol=1e-5)
    ones = np.ones(n, "float32")
    np.testing.assert_allclose(float(loss(y, p, sample_weight=ones)), plain, rtol=1e-6)
    twice = float(loss(y, p, sample_weight=2 * ones))
    np.testing.assert_allclose(twice, 2 * plain, rtol=1e-5)
    assert np.isfinite(plain)


METRICS = [
    lambda: kerax.metrics.Mean(),
    lambda: kerax.metrics.MeanSquaredError(),
    lambda: kerax.metrics.BinaryAccuracy(),
    lambda: kerax.metrics.Precision(),
    lambda: kerax.metrics.AUC(num_thresholds=20),
]


@settings(max_examples=12, deadline=None, database=None, derandomize=True)
@given(
    metric_index=st.integers(0, len(METRICS) - 1),
    n=st.integers(2, 12),
    split=st.floats(0.0, 1.0),
    seed=st.integers(0, 2**16),
)
def test_metric_states_merge_like_one_pass(metric_index, n, split, seed):
    rng = np.random.default_rng(seed)
    y = (rng.random((n, 1)) > 0.5).astype("float32")
    p = rng.random((n, 1)).astype("float32")
    weights = rng.random(n).astype("float32")
    cut = int(round(split * n))

    def updated(metric, part):
        if metric_index == 0:
            metric.update_state(p[part, 0], sample_weight=weights[part])
        else:
            metric.update_state(y[part], p[part], sample_weight=weights[part])
        return metric

    one_pass = updated(METRICS[metric_index](), slice(None))
    first = updated(METRICS[metric_index](), slice(0, cut))
    second = updated(METRICS[metric_index](), slice(cut, None))
    merged = METRICS[metric_index]()
    for target, a, b in zip(merged.variables, first.variables, second.variables):
        target.assign(a.numpy() + b.numpy())  # the states are sums
    np.testing.assert_allclose(
        float(merged.result()), float(one_pass.result()), rtol=1e-5, atol=1e-6
    )
    if cut in (0, n):  # an empty update changes nothing
        np.testing.assert_allclose(
            float(first.result() if cut == n else second.result()),
            float(one_pass.result()),
            rtol=1e-6,
        )
