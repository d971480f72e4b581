"""Every metric against real Keras, fed the same batches (within 1e-5)."""

from __future__ import annotations

import jax
import keras
import numpy as np
import pytest
from metric_cases import CASES, batches, case_id, make

import kerax.metrics as km

# IoU metrics compute in int32 by default: float weights warn (here and in Keras).
pytestmark = pytest.mark.filterwarnings(
    "ignore:.*(computes in int32|passing weight as .float.|int64):UserWarning"
)


def _feed(metric, y_true, y_pred, weight, weighted):
    for yt, yp, w in batches(y_true, y_pred, weight):
        if weighted:
            metric.update_state(yt, yp, sample_weight=w)
        else:
            metric.update_state(yt, yp)
    return np.asarray(metric.result())


@pytest.mark.parametrize("weighted", [False, True], ids=["plain", "weighted"])
@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_matches_keras(case, weighted):
    name, kwargs, kind = case
    y_true, y_pred, weight = make(kind)
    ours = getattr(km, name)(**kwargs)
    theirs = getattr(keras.metrics, name)(**kwargs)
    got = _feed(ours, y_true, y_pred, weight, weighted)
    with jax.numpy_rank_promotion("allow"):  # Keras itself relies on it
        want = _feed(theirs, y_true, y_pred, weight, weighted)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    assert got.shape == want.shape
    assert [v.name for v in ours.variables] == [v.name for v in theirs.variables]
    assert [tuple(v.shape) for v in ours.variables] == [
        tuple(v.shape) for v in theirs.variables
    ]
    assert [v.path for v in ours.variables] == [
        v.path.replace(theirs.name, ours.name, 1) for v in theirs.variables
    ]


@pytest.mark.parametrize(
    "values_shape,weight_shape",
    [
        ((8,), (8,)),
        ((8, 3), (8, 1)),
        ((8, 3), (8, 3)),
        ((8, 3, 2), (8,)),
        ((8, 3, 2), (8, 3)),
    ],
)
@pytest.mark.parametrize("name", ["Mean", "Sum"])
def test_reductions_with_weight_shapes_match_keras(name, values_shape, weight_shape):
    rng = np.random.default_rng(1)
    values = rng.normal(size=values_shape).astype("float32")
    weight = rng.uniform(0, 2, weight_shape).astype("float32")
    ours, theirs = getattr(km, name)(), getattr(keras.metrics, name)()
    ours.update_state(values, sample_weight=weight)
    ours.update_state(values)
    with jax.numpy_rank_promotion("allow"):
        theirs.update_state(values, sample_weight=weight)
        theirs.update_state(values)
    np.testing.assert_allclose(ours.result(), theirs.result(), rtol=1e-5, atol=1e-6)
    for ours_v, theirs_v in zip(ours.variables, theirs.variables):
        np.testing.assert_allclose(ours_v.value, theirs_v.value, rtol=1e-5, atol=1e-6)
