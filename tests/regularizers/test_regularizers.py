"""Regularizers against numpy formulas and Keras; configs, lookup, errors."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import kerax
from kerax import regularizers

X = np.random.default_rng(0).normal(size=(4, 6)).astype("float32")


def _orthogonal_reference(x, factor, mode):
    vectors = x if mode == "rows" else x.T
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    cosines = np.abs(unit @ unit.T)
    size = len(unit)
    off_diagonal = cosines.sum() - np.trace(cosines)
    return factor * 0.5 * off_diagonal / (size * (size - 1) / 2)


CASES = [
    ("L1", {}, lambda x: 0.01 * np.abs(x).sum()),
    ("L1", {"l1": 0.3}, lambda x: 0.3 * np.abs(x).sum()),
    ("L2", {}, lambda x: 0.01 * np.square(x).sum()),
    ("L2", {"l2": 0.2}, lambda x: 0.2 * np.square(x).sum()),
    ("L1L2", {}, lambda x: 0.0),
    (
        "L1L2",
        {"l1": 0.1, "l2": 0.2},
        lambda x: 0.1 * np.abs(x).sum() + 0.2 * np.square(x).sum(),
    ),
    ("OrthogonalRegularizer", {}, lambda x: _orthogonal_reference(x, 0.01, "rows")),
    (
        "OrthogonalRegularizer",
        {"factor": 0.3, "mode": "columns"},
        lambda x: _orthogonal_reference(x, 0.3, "columns"),
    ),
]


@pytest.mark.parametrize(("name", "kwargs", "reference"), CASES)
def test_penalty_matches_numpy_and_keras(name, kwargs, reference):
    import keras

    penalty = getattr(regularizers, name)(**kwargs)(X)
    np.testing.assert_allclose(penalty, reference(X.astype("float64")), rtol=1e-6)
    theirs = getattr(keras.regularizers, name)(**kwargs)(jnp.asarray(X))
    np.testing.assert_allclose(penalty, theirs, rtol=1e-6)


@pytest.mark.parametrize(("name", "kwargs", "reference"), CASES)
def test_config_round_trip_and_keras_format(name, kwargs, reference):
    import keras

    ours = getattr(regularizers, name)(**kwargs)
    config = regularizers.serialize(ours)
    assert config == keras.regularizers.serialize(
        getattr(keras.regularizers, name)(**kwargs)
    )
    rebuilt = regularizers.deserialize(config)
    assert type(rebuilt) is type(ours)
    np.testing.assert_allclose(rebuilt(X), ours(X), rtol=1e-6)
    assert type(ours).from_config(ours.get_config()).get_config() == ours.get_config()
    assert keras.regularizers.deserialize(config).get_config() == config["config"]


def test_gradient_through_tape_and_jax():
    weights = kerax.Variable(X)
    with kerax.GradientTape() as tape:
        penalty = regularizers.L1L2(l1=0.1, l2=0.2)(weights)
    expected = 0.1 * np.sign(X) + 0.4 * X
    np.testing.assert_allclose(tape.gradient(penalty, weights), expected, rtol=1e-6)
    grad = jax.grad(regularizers.L2(0.5))(jnp.asarray(X))
    np.testing.assert_allclose(grad, X, rtol=1e-6)


def test_none_factors_mean_defaults():
    assert regularizers.L1(None).get_config() == regularizers.L1().get_config()
    assert regularizers.L2(None).l2 == 0.01
    assert regularizers.L1L2(None, None).get_config() == {"l1": 0.0, "l2": 0.0}


@pytest.mark.parametrize(
    ("identifier", "cls", "config"),
    [
        ("l1", "L1", {"l1": np.float32(0.01).item()}),
        ("L1", "L1", {"l1": np.float32(0.01).item()}),
        ("l2", "L2", {"l2": 0.01}),
        ("l1l2", "L1L2", {"l1": 0.0, "l2": 0.0}),
        ("l1_l2", "L1L2", {"l1": 0.01, "l2": 0.01}),
        ("orthogonal_regularizer", "OrthogonalRegularizer", None),
    ],
)
def test_get_by_name(identifier, cls, config):
    found = regularizers.get(identifier)
    assert type(found) is getattr(regularizers, cls)
    if config is not None:
        assert found.get_config() == config


def test_get_other_identifiers():
    assert regularizers.get(None) is None
    assert isinstance(regularizers.get(regularizers.L2), regularizers.L2)
    instance = regularizers.L1()
    assert regularizers.get(instance) is instance
    legacy = regularizers.get({"class_name": "L2", "config": {"l2": 0.5}})
    assert legacy.l2 == 0.5
    assert regularizers.l1_l2 is regularizers.L1L2
    assert regularizers.orthogonal_regularizer is regularizers.OrthogonalRegularizer


def test_unknown_identifiers():
    with pytest.raises(ValueError, match="Unknown regularizer 'l3'") as info:
        regularizers.get("l3")
    assert "'l1_l2'" in str(info.value)
    with pytest.raises(ValueError, match="Could not interpret regularizer"):
        regularizers.get(0.1)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: regularizers.L1(-0.1), "l1"),
        (lambda: regularizers.L2(float("nan")), "l2"),
        (lambda: regularizers.L1L2(l2=float("inf")), "l2"),
        (lambda: regularizers.L1("0.1"), "l1"),
        (lambda: regularizers.OrthogonalRegularizer(-1.0), "factor"),
        (lambda: regularizers.OrthogonalRegularizer(mode="diagonal"), "mode"),
    ],
)
def test_bad_arguments(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_orthogonal_needs_a_matrix():
    with pytest.raises(ValueError, match="rank-2"):
        regularizers.OrthogonalRegularizer()(np.ones((2, 2, 2), "float32"))


def test_base_class():
    assert regularizers.Regularizer()(X) == 0.0
    with pytest.raises(NotImplementedError, match="get_config"):
        regularizers.Regularizer().get_config()
