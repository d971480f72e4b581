"""Weighting, masking and reduction of per-sample loss values."""

from __future__ import annotations

import numpy as np
import pytest
from keras.src.losses import loss as keras_loss

from kerax import losses
from kerax.losses.reduction import reduce_weighted_values, standardize_reduction

REDUCTIONS = ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none"]


def _close(ours, theirs):
    assert np.shape(ours) == np.shape(theirs)
    np.testing.assert_allclose(
        np.asarray(ours), np.asarray(theirs), rtol=1e-6, atol=1e-6
    )


@pytest.mark.parametrize(
    "values_shape, weight_shape, mask_shape",
    [
        ((4,), None, None),
        ((4,), (4,), None),
        ((4,), (4, 1), None),
        ((4, 1), (4,), None),
        ((4, 5), (4, 5), None),
        ((4, 5), (4, 1), None),
        ((4, 5), (4, 5, 1), None),
        ((4,), None, (4,)),
        ((4,), (4,), (4,)),
        ((4, 5), (4, 5), (4, 5)),
        ((4, 5), (4, 1), (4, 5)),
        ((), (4,), None),
        ((0,), None, None),
    ],
)
def test_reduce_weighted_values_matches_keras(values_shape, weight_shape, mask_shape):
    rng = np.random.default_rng(1)
    values = rng.uniform(size=values_shape).astype("float32")
    weight = None if weight_shape is None else rng.uniform(size=weight_shape)
    mask = None if mask_shape is None else rng.uniform(size=mask_shape) > 0.4
    for reduction in REDUCTIONS:
        ours = reduce_weighted_values(values, weight, mask, reduction, "float32")
        theirs = keras_loss.reduce_weighted_values(
            values, weight, mask, reduction, "float32"
        )
        _close(ours, theirs)


def test_all_masked_gives_zero_not_nan():
    values = np.ones((3,), "float32")
    mask = np.zeros((3,), bool)
    for reduction in REDUCTIONS[:4]:
        assert float(reduce_weighted_values(values, None, mask, reduction)) == 0.0


def test_per_sample_weights_apply_to_every_timestep(rng):
    """(batch,) weights for (batch, time) losses weight whole samples.

    Keras 3 broadcasts them against the time axis instead (an error unless
    time == batch); kerax documents and tests the per-sample meaning.
    """
    y_true, y_pred = rng.normal(size=(2, 3, 4, 2)).astype("float32")
    weight = np.array([0.0, 1.0, 2.0])
    per_step = ((y_true - y_pred) ** 2).mean(-1)
    weighted = per_step * weight[:, None]
    for reduction, want in [
        ("sum", weighted.sum()),
        ("sum_over_batch_size", weighted.mean()),
        ("mean_with_sample_weight", weighted.sum() / weight.sum()),
        (None, weighted),
    ]:
        got = losses.MeanSquaredError(reduction=reduction)(y_true, y_pred, weight)
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-5)


def test_mismatched_sample_weight_raises_clear_error(rng):
    y_true, y_pred = rng.normal(size=(2, 4, 3)).astype("float32")
    loss = losses.MeanSquaredError()
    with pytest.raises(ValueError, match=r"sample_weight.*\(4,\).*\(3,\)"):
        loss(y_true, y_pred, sample_weight=np.ones(3))
    with pytest.raises(ValueError, match=r"sample_weight.*\(4, 3\)"):
        loss(y_true, y_pred, sample_weight=np.ones((4, 3)))


@pytest.mark.parametrize("reduction", REDUCTIONS + [None])
def test_valid_reductions_are_kept(reduction):
    assert standardize_reduction(reduction) == reduction
    assert losses.MeanSquaredError(reduction=reduction).reduction == reduction


def test_invalid_reduction_lists_the_valid_ones():
    with pytest.raises(
        ValueError, match="sum_over_batch_size.*mean_with_sample_weight"
    ):
        losses.MeanSquaredError(reduction="average")
    with pytest.raises(ValueError, match="reduction='auto'"):
        losses.Loss(reduction="auto")
