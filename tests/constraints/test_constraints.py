"""Constraints against numpy formulas and Keras; configs, lookup."""

from __future__ import annotations

import numpy as np
import pytest

import kerax
from kerax import constraints

W = (np.random.default_rng(1).normal(size=(3, 3, 4, 5)) * 2).astype("float32")
EPSILON = 1e-7


def _norms(w, axis):
    return np.sqrt(np.sum(w**2, axis=axis, keepdims=True))


def _min_max(w, low, high, rate, axis):
    norms = _norms(w, axis)
    desired = rate * np.clip(norms, low, high) + (1 - rate) * norms
    return w * desired / (EPSILON + norms)


CASES = [
    ("MaxNorm", {}, lambda w: _min_max(w, 0, 2, 1, 0)),
    (
        "MaxNorm",
        {"max_value": 1.5, "axis": [0, 1, 2]},
        lambda w: _min_max(w, 0, 1.5, 1, (0, 1, 2)),
    ),
    ("NonNeg", {}, lambda w: np.maximum(w, 0)),
    ("UnitNorm", {}, lambda w: w / (EPSILON + _norms(w, 0))),
    ("UnitNorm", {"axis": -1}, lambda w: w / (EPSILON + _norms(w, -1))),
    ("MinMaxNorm", {}, lambda w: _min_max(w, 0, 1, 1, 0)),
    (
        "MinMaxNorm",
        {"min_value": 1.0, "max_value": 3.0, "rate": 0.5, "axis": [0, 1]},
        lambda w: _min_max(w, 1, 3, 0.5, (0, 1)),
    ),
]


@pytest.mark.parametrize(("name", "kwargs", "reference"), CASES)
def test_matches_numpy_and_keras(name, kwargs, reference):
    import keras

    projected = np.asarray(getattr(constraints, name)(**kwargs)(W))
    np.testing.assert_allclose(projected, reference(W.astype("float64")), atol=1e-6)
    theirs = getattr(keras.constraints, name)(**kwargs)(W)
    np.testing.assert_allclose(projected, theirs, atol=1e-6)


@pytest.mark.parametrize(("name", "kwargs", "reference"), CASES)
def test_config_round_trip_and_keras_format(name, kwargs, reference):
    import keras

    ours = getattr(constraints, name)(**kwargs)
    config = constraints.serialize(ours)
    assert config == keras.constraints.serialize(
        getattr(keras.constraints, name)(**kwargs)
    )
    rebuilt = constraints.deserialize(config)
    assert type(rebuilt) is type(ours)
    assert rebuilt.get_config() == ours.get_config()
    assert keras.constraints.deserialize(config).get_config() == config["config"]


def test_norms_respect_the_bounds():
    kernel = W.reshape(-1, 5)
    clipped = np.asarray(constraints.MaxNorm(1.0)(kernel))
    assert (np.linalg.norm(clipped, axis=0) <= 1.0 + 1e-6).all()
    unit = np.asarray(constraints.UnitNorm()(kernel))
    np.testing.assert_allclose(np.linalg.norm(unit, axis=0), 1.0, rtol=1e-6)
    bounded = np.asarray(constraints.MinMaxNorm(4.0, 5.0)(kernel))
    norms = np.linalg.norm(bounded, axis=0)
    assert (norms >= 4.0 - 1e-5).all() and (norms <= 5.0 + 1e-5).all()


def test_accepts_variables():
    variable = kerax.Variable(W)
    np.testing.assert_array_equal(constraints.NonNeg()(variable), np.maximum(W, 0))


@pytest.mark.parametrize(
    ("identifier", "cls"),
    [
        ("max_norm", "MaxNorm"),
        ("MaxNorm", "MaxNorm"),
        ("min_max_norm", "MinMaxNorm"),
        ("non_neg", "NonNeg"),
        ("unit_norm", "UnitNorm"),
        ("constraint", "Constraint"),
    ],
)
def test_get_by_name(identifier, cls):
    import keras

    assert type(constraints.get(identifier)) is getattr(constraints, cls)
    assert type(keras.constraints.get(identifier)).__name__ == cls


def test_get_other_identifiers():
    assert constraints.get(None) is None
    assert isinstance(constraints.get(constraints.NonNeg), constraints.NonNeg)
    legacy = constraints.get({"class_name": "MaxNorm", "config": {"max_value": 3}})
    assert legacy.max_value == 3 and legacy.axis == 0
    assert constraints.max_norm is constraints.MaxNorm
    with pytest.raises(ValueError, match="Unknown constraint 'max'") as info:
        constraints.get("max")
    assert "'max_norm'" in str(info.value)
    with pytest.raises(ValueError, match="Could not interpret constraint"):
        constraints.get(1)


def test_base_constraint_is_the_identity():
    assert constraints.Constraint()(W) is W
    assert constraints.Constraint().get_config() == {}
