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
