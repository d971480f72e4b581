"""Normalization layers against Keras 3 and numpy formulas.

Outputs agree with Keras to 1e-5; the deprecated ``rms_scaling`` path of
LayerNormalization differs in the last float32 bit (operation order), well
inside that tolerance.
"""

from __future__ import annotations

import json
import warnings

import jax
import keras
import numpy as np
import pytest
from test_conv import check_compiled_gradients
from test_core_oracle import check_layer, keras_call

import kerax

RNG = np.random.default_rng(0)


def _x(*shape: int) -> np.ndarray:
    return (RNG.normal(size=shape) * 2 + 0.5).astype("float32")


X2 = _x(6, 5)
X3 = _x(4, 5, 6)
X4_CF = _x(3, 4, 5, 2)


def _random_weights(layer) -> list[np.ndarray]:
    """Random values for every weight; variances and stddevs kept positive."""
    values = []
    for w in layer.weights:
        value = RNG.normal(size=w.shape).astype("float32")
        if "variance" in w.name or "stddev" in w.name:
            value = np.abs(value) + 0.5
        values.append(value)
    return values


# -- BatchNormalization ----------------------------------------------------------
BN_CASES = [
    (X3, {}),
    (X4_CF, {"axis": 1, "momentum": 0.9, "epsilon": 1e-5}),
    (X2, {"center": False}),
    (X3, {"scale": False, "axis": -2}),
    (X2, {"renorm": True}),
    (X3, {"renorm": True, "renorm_clipping": {"rmax": 1.2, "rmin": 0.8, "dmax": 0.3}}),
]


@pytest.mark.parametrize("x, kwargs", BN_CASES)
def test_batch_norm_training_and_moving_statistics_match_keras(x, kwargs):
    ours = kerax.layers.BatchNormalization(**kwargs)
    theirs = keras.layers.BatchNormalization(**kwargs)
    ours(x)
    keras_call(theirs, x)
    assert [(w.name, w.shape) for w in ours.weights] == [
        (w.name, tuple(w.shape)) for w in theirs.weights
    ]
    weights = _random_weights(ours)
    ours.set_weights(weights)
    theirs.set_weights(weights)

    out = np.asarray(ours(x, training=True))
    expected = np.asarray(keras_call(theirs, x, training=True))
    np.testing.assert_allclose(out, expected, atol=1e-5, rtol=1e-5)
    for mine, keras_weight in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(mine, keras_weight, atol=1e-6, rtol=1e-6)
    moving_mean = [w.name for w in ours.weights].index("moving_mean")
    assert not np.allclose(ours.moving_mean.numpy(), weights[moving_mean])

    after_training = ours.get_weights()
    out = np.asarray(ours(x, training=False))
    expected = np.asarray(keras_call(theirs, x, training=False))
    np.testing.assert_allclose(out, expected, atol=1e-5, rtol=1e-5)
    for before, now in zip(after_training, ours.get_weights()):
        np.testing.assert_array_equal(before, now)
    check_compiled_gradients(ours, x, training=True)


def test_batch_norm_matches_numpy():
    layer = kerax.layers.BatchNormalization(momentum=0.8)
    out = np.asarray(layer(X3, training=True))
    mean, var = X3.mean(axis=(0, 1)), X3.var(axis=(0, 1))
    np.testing.assert_allclose(out, (X3 - mean) / np.sqrt(var + 1e-3), atol=1e-5)
    np.testing.assert_allclose(layer.moving_mean.numpy(), 0.2 * mean, atol=1e-6)
    np.testing.assert_allclose(
        layer.moving_variance.numpy(), 0.8 + 0.2 * var, atol=1e-6
    )


def test_batch_norm_mask_matches_keras():
    mask = RNG.integers(0, 2, size=X3.shape[:2]).astype(bool)
    ours = kerax.layers.BatchNormalization()
    theirs = keras.layers.BatchNormalization()
    out = np.asarray(ours(X3, training=True, mask=mask))
    expected = np.asarray(keras_call(theirs, X3, training=True, mask=mask))
    np.testing.assert_allclose(out, expected, atol=1e-5, rtol=1e-5)
    for mine, keras_weight in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(mine, keras_weight, atol=1e-6)
    with pytest.raises(ValueError, match="one dimension less"):
        ours(X3, training=True, mask=mask[:, :, None])


def test_batch_norm_frozen_runs_in_inference_mode():
    layer = kerax.layers.BatchNormalization()
    layer(X2)
    layer.trainable = False
    before = layer.get_weights()
    out = np.asarray(layer(X2, training=True))
    np.testing.assert_allclose(out, X2 / np.sqrt(1 + 1e-3), atol=1e-5)
    for a, b in zip(before, layer.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_batch_norm_update_is_pure_under_jit():
    """stateless_call inside jax.jit returns the same new statistics as eager."""
    eager = kerax.layers.BatchNormalization()
    compiled = kerax.layers.BatchNormalization()
    eager(X2, training=True)
    compiled(X2)
    trainable = [v.value for v in compiled.trainable_variables]
    non_trainable = [v.value for v in compiled.non_trainable_variables]
    step = jax.jit(lambda t, n, x: compiled.stateless_call(t, n, x, training=True))
    _, new_values = step(trainable, non_trainable, X2)
    for variable, value in zip(compiled.non_trainable_variables, non_trainable):
        np.testing.assert_array_equal(variable.numpy(), value)
    for value, expected in zip(new_values, eager.non_trainable_variables):
        np.testing.assert_allclose(np.asarray(value), expected.numpy(), atol=1e-7)


def test_batch_norm_config_matches_keras():
    check_layer("BatchNormalization", X3, axis=1, momentum=0.5, center=False)
    check_layer("BatchNormalization", X2, renorm=True, renorm_clipping={"rmax": 2.0})


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"axis": 1.5}, TypeError, "axis.*1.5"),
        ({"synchronized": True}, ValueError, "synchronized"),
        ({"renorm": True, "renorm_clipping": {"rmax": 1, "x": 2}}, ValueError, "keys"),
        (
            {"renorm": True, "renorm_clipping": {"rmax": 1, "rmin": 2}},
            ValueError,
            "rmax",
        ),
        ({"renorm": True, "renorm_clipping": {"dmax": -1}}, ValueError, "dmax"),
    ],
)
def test_batch_norm_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        kerax.layers.BatchNormalization(**kwargs)


def test_batch_norm_bad_inputs_name_layer_expected_received():
    layer = kerax.layers.BatchNormalization(axis=3, name="bn")
    with pytest.raises(ValueError, match=r"bn.*axis 3.*rank 3.*\(4, 5, 6\)"):
        layer(X3)
    layer = kerax.layers.BatchNormalization(name="bn")
    layer(X3)
    with pytest.raises(ValueError, match=r"bn.*axis -1.*value 6.*\(4, 5, 5\)"):
        layer(X3[..., :5])


# -- LayerNormalization, GroupNormalization, UnitNormalization, RMSNormalization --
OTHER_CASES = [
    ("LayerNormalization", X3, {}),
    ("LayerNormalization", X3, {"axis": (1, 2), "epsilon": 1e-5, "center": False}),
    ("LayerNormalization", X4_CF, {"axis": [1], "scale": False}),
    ("LayerNormalization", X2, {"rms_scaling": True}),
    ("GroupNormalization", X3, {"groups": 3}),
    ("GroupNormalization", X4_CF, {"groups": -1, "axis": 1}),
    ("GroupNormalization", X3, {"groups": 5, "axis": -2, "scale": False}),
    ("UnitNormalization", X3, {}),
    ("UnitNormalization", X3, {"axis": [1, 2]}),
    ("RMSNormalization", X3, {}),
    ("RMSNormalization", X3, {"axis": [-2, -1], "epsilon": 1e-3}),
]


@pytest.mark.parametrize("name, x, kwargs", OTHER_CASES)
def test_normalization_matches_keras(name, x, kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Keras warns about rms_scaling per call
        ours, theirs, _ = check_layer(name, x, **kwargs)
        if ours.weights:
            weights = _random_weights(ours)
            ours.set_weights(weights)
            theirs.set_weights(weights)
            np.testing.assert_allclose(
                np.asarray(ours(x)),
                np.asarray(keras_call(theirs, x)),
                atol=1e-5,
                rtol=1e-5,
            )
    check_compiled_gradients(ours, x)


def test_layer_normalization_matches_numpy():
    layer = kerax.layers.LayerNormalization(axis=(1, 2))
    layer(X3)
    gamma, beta = _random_weights(layer)
    layer.set_weights([gamma, beta])
    mean = X3.mean(axis=(1, 2), keepdims=True)
    var = X3.var(axis=(1, 2), keepdims=True)
    expected = (X3 - mean) / np.sqrt(var + 1e-3) * gamma + beta
    np.testing.assert_allclose(np.asarray(layer(X3)), expected, atol=1e-5)


def test_group_normalization_matches_numpy():
    out = np.asarray(kerax.layers.GroupNormalization(groups=2)(X3))
    grouped = X3.reshape(4, 5, 2, 3)
    mean = grouped.mean(axis=(1, 3), keepdims=True)
    var = grouped.var(axis=(1, 3), keepdims=True)
    expected = ((grouped - mean) / np.sqrt(var + 1e-3)).reshape(X3.shape)
    np.testing.assert_allclose(out, expected, atol=1e-5)


def test_unit_and_rms_normalization_match_numpy():
    out = np.asarray(kerax.layers.UnitNormalization()(X3))
    np.testing.assert_allclose(
        out, X3 / np.linalg.norm(X3, axis=-1, keepdims=True), atol=1e-6
    )
    tiny = np.array([[1e-8, 0.0], [0.0, 0.0]], "float32")
    np.testing.assert_array_equal(
        np.asarray(kerax.layers.UnitNormalization()(tiny)), [[1.0, 0.0], [0.0, 0.0]]
    )
    rms = kerax.layers.RMSNormalization(axis=[2, 1])
    out = np.asarray(rms(X3))
    expected = X3 / np.sqrt(np.mean(X3**2, axis=(1, 2), keepdims=True) + 1e-6)
    np.testing.assert_allclose(out, expected, atol=1e-5)
    assert rms.scale.shape == (5, 6)


def test_layer_normalization_rms_scaling_warns_and_drops_beta():
    with pytest.warns(UserWarning, match="deprecated"):
        layer = kerax.layers.LayerNormalization(rms_scaling=True)
    layer(X2)
    assert [w.name for w in layer.weights] == ["gamma"]
    config = json.loads(json.dumps(layer.get_config()))
    with pytest.warns(UserWarning):
        clone = kerax.layers.LayerNormalization.from_config(config)
    assert clone.rms_scaling


@pytest.mark.parametrize(
    "make, x, match",
    [
        (
            lambda: kerax.layers.LayerNormalization(axis=3, name="n"),
            X3,
            r"n.*axis 3.*rank 3",
        ),
        (
            lambda: kerax.layers.RMSNormalization(axis=-4, name="n"),
            X3,
            r"n.*axis -4.*rank 3",
        ),
        (lambda: kerax.layers.UnitNormalization(axis=5, name="n"), X3, r"n.*axis 5"),
        (
            lambda: kerax.layers.GroupNormalization(4, name="n"),
            X3,
            r"n.*6 channels.*groups=4",
        ),
        (
            lambda: kerax.layers.GroupNormalization(8, name="n"),
            X3,
            r"n.*6 channels.*groups=8",
        ),
    ],
)
def test_bad_inputs_name_layer_expected_received(make, x, match):
    with pytest.raises(ValueError, match=match):
        make()(x)


def test_bad_axis_and_groups_arguments():
    with pytest.raises(TypeError, match=r"LayerNormalization.*axis.*'x'"):
        kerax.layers.LayerNormalization(axis="x")
    with pytest.raises(ValueError, match=r"GroupNormalization.*groups.*0"):
        kerax.layers.GroupNormalization(groups=0)


def test_group_normalization_channel_mismatch_after_build():
    layer = kerax.layers.GroupNormalization(groups=2, name="gn")
    layer(X3)
    with pytest.raises(ValueError, match=r"gn.*axis -1.*value 6"):
        layer(X3[..., :4])


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("BatchNormalization", {}),
        ("LayerNormalization", {}),
        ("GroupNormalization", {"groups": 3}),
        ("RMSNormalization", {}),
    ],
)
def test_mixed_precision_matches_keras(name, kwargs):
    """bfloat16 compute, float32 weights; Layer/GroupNormalization see the un-cast input."""
    ours = getattr(kerax.layers, name)(dtype="mixed_bfloat16", **kwargs)
    theirs = getattr(keras.layers, name)(dtype="mixed_bfloat16", **kwargs)
    ours(X3)
    keras_call(theirs, X3)
    weights = _random_weights(ours)
    ours.set_weights(weights)
    theirs.set_weights(weights)
    out = ours(X3, training=True) if name == "BatchNormalization" else ours(X3)
    expected = keras_call(theirs, X3, training=True)
    assert out.dtype == expected.dtype == "bfloat16"
    assert all(w.dtype == "float32" for w in ours.weights)
    np.testing.assert_array_equal(
        np.asarray(out, "float32"), np.asarray(expected, "float32")
    )
