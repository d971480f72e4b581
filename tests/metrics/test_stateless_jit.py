"""Metrics inside jax.jit through ``stateless_*``, and batches vs whole set.

One compiled function runs every metric of ``CASES``: it folds the batches in
one by one (a ``lax.scan`` over batches, as multi-step training runs), and
separately folds the whole set in at once. The batched result
must equal the eager one, and (for these metrics, whose state is a sum over
samples) the whole-set result too.
"""

from __future__ import annotations

import jax
import numpy as np
import pytest
from metric_cases import CASES, NUM_BATCHES, batches, case_id, make

import kerax
import kerax.metrics as km

# IoU metrics compute in int32 by default: float weights warn (here and in Keras).
pytestmark = pytest.mark.filterwarnings(
    "ignore:.*(computes in int32|passing weight as .float.|int64):UserWarning"
)


def _build(metric, y_true, y_pred):
    """Create lazily built state (R2Score, F1Score...) with one eager update."""
    if not getattr(metric, "_built", True):
        metric.update_state(y_true[:1], y_pred[:1])
        metric.reset_state()
    return metric


@pytest.fixture(scope="module")
def compiled_results():
    metrics, data = [], []
    for name, kwargs, kind in CASES:
        y_true, y_pred, weight = make(kind)
        metrics.append(_build(getattr(km, name)(**kwargs), y_true, y_pred))
        data.append((y_true, y_pred, weight))

    @jax.jit
    def run(states, data):
        out = []
        for metric, state, (y_true, y_pred, weight) in zip(metrics, states, data):

            def step(carry, batch, metric=metric):
                return metric.stateless_update_state(carry, *batch), None

            stacked = [
                jax.numpy.stack(b) for b in zip(*batches(y_true, y_pred, weight))
            ]
            batched, _ = jax.lax.scan(step, state, stacked)
            whole = metric.stateless_update_state(state, y_true, y_pred, weight)
            out.append(
                (metric.stateless_result(batched), metric.stateless_result(whole))
            )
        return out

    states = [metric.stateless_reset_state() for metric in metrics]
    results = run(states, data)
    return dict(zip([case_id(c) for c in CASES], results))


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_jit_matches_eager_and_whole_set(case, compiled_results):
    name, kwargs, kind = case
    y_true, y_pred, weight = make(kind)
    eager = getattr(km, name)(**kwargs)
    for yt, yp, w in batches(y_true, y_pred, weight):
        eager.update_state(yt, yp, sample_weight=w)
    batched, whole = compiled_results[case_id(case)]
    np.testing.assert_allclose(batched, eager.result(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(whole, batched, rtol=1e-5, atol=1e-5)
    assert NUM_BATCHES > 1


def test_stateless_update_leaves_variables_untouched():
    metric = km.Mean()
    state = metric.stateless_update_state(
        [v.value for v in metric.variables], np.array([1.0, 2.0, 6.0])
    )
    assert float(metric.result()) == 0.0
    assert float(metric.stateless_result(state)) == 3.0
    assert [float(v) for v in metric.stateless_reset_state()] == [0.0, 0.0]


def test_stateless_rejects_wrong_number_of_values():
    metric = km.AUC()
    with pytest.raises(ValueError, match="one value per variable"):
        metric.stateless_update_state([0.0], [1.0], [0.5])
    with pytest.raises(ValueError, match="received 1 values"):
        metric.stateless_result([0.0])


@pytest.mark.parametrize(
    "factory,kind",
    [
        (lambda: km.AUC(num_thresholds=50), "binary"),
        (km.R2Score, "regression"),  # state created on the first (eager) call
        (km.SparseCategoricalAccuracy, "sparse"),
    ],
)
def test_update_state_inside_kerax_function(factory, kind):
    y_true, y_pred, weight = make(kind)
    compiled_metric, eager = factory(), factory()
    step = kerax.function(compiled_metric.update_state)
    for yt, yp, w in batches(y_true, y_pred, weight):
        step(yt, yp, w)
        eager.update_state(yt, yp, sample_weight=w)
    np.testing.assert_allclose(compiled_metric.result(), eager.result(), atol=1e-6)
