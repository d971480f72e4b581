"""Every loss, class and function, against real Keras on identical inputs."""

from __future__ import annotations

import warnings

import keras
import numpy as np
import pytest
from loss_cases import CASES, B, D, T

from kerax import losses

REDUCTIONS = ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none"]
TOL = {"rtol": 1e-6, "atol": 1e-6}


def _keras_fn(case):
    return getattr(keras.losses, case.fn)


def _close(ours, theirs, tol=TOL):
    np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), **tol)


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        yield


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_function_matches_keras(case, rng):
    y_true, y_pred = case.make(rng)
    kwargs = case.function_kwargs
    ours = getattr(losses, case.fn)(y_true, y_pred, **kwargs)
    theirs = _keras_fn(case)(y_true, y_pred, **kwargs)
    assert np.shape(ours) == np.shape(theirs)
    _close(ours, theirs)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_class_matches_keras_all_reductions_and_weights(case, rng):
    y_true, y_pred = case.make(rng)
    weights = [None, rng.uniform(0, 2, B), rng.uniform(0, 2, (B, 1))]
    for reduction in REDUCTIONS:
        ours = getattr(losses, case.cls)(reduction=reduction, **case.kwargs)
        theirs = getattr(keras.losses, case.cls)(reduction=reduction, **case.kwargs)
        for sample_weight in weights:
            got = ours(y_true, y_pred, sample_weight=sample_weight)
            want = theirs(y_true, y_pred, sample_weight=sample_weight)
            assert np.shape(got) == np.shape(want), (reduction, sample_weight)
            _close(got, want)
    default = getattr(losses, case.cls)(**case.kwargs)
    assert default.reduction == "sum_over_batch_size"
    assert default.name == getattr(keras.losses, case.cls)(**case.kwargs).name


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.per_timestep], ids=lambda c: c.id
)
def test_per_timestep_weights_match_keras(case, rng):
    y_true, y_pred = case.data(rng, shape=(B, T, D))
    for sample_weight in [rng.uniform(0, 2, (B, T)), rng.uniform(0, 2, (B, T, 1))]:
        for reduction in ("sum_over_batch_size", "mean_with_sample_weight", None):
            ours = getattr(losses, case.cls)(reduction=reduction, **case.kwargs)
            theirs = getattr(keras.losses, case.cls)(reduction=reduction, **case.kwargs)
            got = ours(y_true, y_pred, sample_weight=sample_weight)
            _close(got, theirs(y_true, y_pred, sample_weight=sample_weight))


def test_trailing_unit_axis_is_aligned_like_keras(rng):
    y_true = rng.normal(size=(B,)).astype("float32")
    y_pred = rng.normal(size=(B, 1)).astype("float32")
    for name in ("MeanSquaredError", "BinaryCrossentropy", "Hinge"):
        ours = getattr(losses, name)(reduction=None)(y_true, y_pred)
        theirs = getattr(keras.losses, name)(reduction=None)(y_true, y_pred)
        _close(ours, theirs)
    _close(
        losses.mean_absolute_error(y_true, y_pred),
        keras.losses.mean_absolute_error(y_true, y_pred),
    )


def test_sparse_labels_with_trailing_axis_and_spatial_dims(rng):
    labels = rng.integers(0, 3, (2, 4, 1))
    logits = rng.normal(size=(2, 4, 3)).astype("float32")
    for kwargs in ({"from_logits": True}, {"from_logits": True, "ignore_class": 2}):
        for reduction in ("sum_over_batch_size", "sum", None):
            ours = losses.SparseCategoricalCrossentropy(reduction=reduction, **kwargs)
            theirs = keras.losses.SparseCategoricalCrossentropy(
                reduction=reduction, **kwargs
            )
            _close(ours(labels, logits), theirs(labels, logits))


def test_scalar_sample_weight_matches_keras(rng):
    y_true, y_pred = rng.normal(size=(2, B, D)).astype("float32")
    for reduction in REDUCTIONS:
        ours = losses.MeanSquaredError(reduction=reduction)(y_true, y_pred, 2.5)
        theirs = keras.losses.MeanSquaredError(reduction=reduction)(y_true, y_pred, 2.5)
        _close(ours, theirs)


def test_float16_dtype_matches_keras(rng):
    y_true, y_pred = rng.normal(size=(2, B, D)).astype("float32")
    ours = losses.MeanSquaredError(dtype="float16")
    theirs = keras.losses.MeanSquaredError(dtype="float16")
    got = ours(y_true, y_pred)
    assert ours.dtype == "float16" and str(got.dtype) == "float16"
    _close(got, theirs(y_true, y_pred), {"rtol": 1e-3})


def test_subclass_call_and_loss_function_wrapper_match_keras(rng):
    y_true, y_pred = rng.normal(size=(2, B, D)).astype("float32")

    class Ours(losses.Loss):
        def call(self, y_true, y_pred):
            return (y_pred - y_true).mean(axis=-1) ** 2

    class Theirs(keras.losses.Loss):
        def call(self, y_true, y_pred):
            return keras.ops.mean(y_pred - y_true, axis=-1) ** 2

    weight = rng.uniform(size=B)
    _close(Ours()(y_true, y_pred, weight), Theirs()(y_true, y_pred, weight))
    from keras.src.losses.losses import LossFunctionWrapper

    ours = losses.LossFunctionWrapper(losses.huber, reduction="sum", delta=0.3)
    theirs = LossFunctionWrapper(keras.losses.huber, reduction="sum", delta=0.3)
    _close(ours(y_true, y_pred), theirs(y_true, y_pred))
    assert ours.get_config() == {
        "name": "loss_function_wrapper",
        "reduction": "sum",
        "fn": {
            "module": "builtins",
            "class_name": "function",
            "config": "huber",
            "registered_name": "function",
        },
        "delta": 0.3,
    }
    assert keras.losses.serialize(theirs)["config"] == ours.get_config()
