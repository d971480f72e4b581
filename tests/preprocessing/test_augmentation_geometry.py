"""Augmentation layers on images of known geometry, inside ``jax.jit`` and
``fit`` (kerax only, strict rank promotion)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import kerax
from kerax import layers

GRID = np.arange(8 * 8, dtype="float32").reshape(1, 8, 8, 1)


def _train(layer, x):
    return np.asarray(layer(x, training=True))


def test_flip_is_exact_and_seeded():
    x = (
        np.repeat(GRID, 16, axis=0)
        + np.arange(16, dtype="float32")[:, None, None, None]
    )
    out = _train(layers.RandomFlip("horizontal", seed=2), x)
    flipped = [np.array_equal(o, i[:, ::-1]) for o, i in zip(out, x)]
    kept = [np.array_equal(o, i) for o, i in zip(out, x)]
    assert all(f or k for f, k in zip(flipped, kept))
    assert any(flipped) and any(kept)
    both = _train(layers.RandomFlip(seed=2), x)
    for o, i, f in zip(both, x, flipped):
        np.testing.assert_array_equal(o, i[::-1, ::-1] if f else i)
    np.testing.assert_array_equal(
        out, _train(layers.RandomFlip("horizontal", seed=2), x)
    )


def test_rotation_by_90_degrees():
    layer = layers.RandomRotation((0.25, 0.25), interpolation="nearest", seed=1)
    out = _train(layer, GRID)
    np.testing.assert_array_equal(out[0, :, :, 0], np.rot90(GRID[0, :, :, 0]))
    # a non-square image: pixels that come from outside take the fill value
    x = np.arange(4 * 6, dtype="float32").reshape(1, 4, 6, 1) + 1
    layer = layers.RandomRotation(
        (0.25, 0.25), fill_mode="constant", fill_value=-1.0, interpolation="nearest"
    )
    out = _train(layer, x)[0, :, :, 0]
    cy, cx = 1.5, 2.5
    expected = np.full((4, 6), -1.0, "float32")
    for r in range(4):
        for c in range(6):
            src_r, src_c = c - cx + cy, -(r - cy) + cx  # (x, y) <- rotated back
            if 0 <= src_r <= 3 and 0 <= src_c <= 5:
                expected[r, c] = x[0, int(round(src_r)), int(round(src_c)), 0]
    np.testing.assert_array_equal(out, expected)


def test_translation_by_known_pixels():
    layer = layers.RandomTranslation(
        (0.25, 0.25), (-0.125, -0.125), fill_mode="constant", fill_value=-1.0
    )
    out = _train(layer, GRID)[0, :, :, 0]  # down 2 pixels, left 1 pixel
    expected = np.full((8, 8), -1.0, "float32")
    expected[2:, :7] = GRID[0, :6, 1:, 0]
    np.testing.assert_allclose(out, expected, atol=1e-5)
    wrapped = layers.RandomTranslation((0.25, 0.25), (0, 0), fill_mode="wrap")
    np.testing.assert_allclose(
        _train(wrapped, GRID)[0, :, :, 0],
        np.roll(GRID[0, :, :, 0], 2, axis=0),
        atol=1e-5,
    )


def test_zoom_in_by_two_samples_the_centre():
    layer = layers.RandomZoom((-0.5, -0.5))
    out = _train(layer, GRID)[0, :, :, 0]
    rows, cols = np.meshgrid(np.arange(8.0), np.arange(8.0), indexing="ij")
    # GRID is linear (8 * row + col), which bilinear sampling reproduces exactly
    src_r, src_c = 0.5 * rows + 1.75, 0.5 * cols + 1.75
    np.testing.assert_allclose(out, 8 * src_r + src_c, atol=1e-4)


def test_crop_windows_and_colour_formulas():
    x = np.random.default_rng(1).random((4, 9, 7, 3)).astype("float32")
    out = _train(layers.RandomCrop(5, 4, seed=3), x)
    windows = [
        (t, left)
        for t in range(5)
        for left in range(4)
        if np.array_equal(out, x[:, t : t + 5, left : left + 4])
    ]
    assert len(windows) == 1
    out = _train(layers.RandomBrightness((0.1, 0.2), value_range=(0, 10), seed=1), x)
    shift = (out - x).reshape(4, -1)
    np.testing.assert_allclose(shift, shift[:, :1] * np.ones_like(shift), atol=1e-5)
    assert np.all((shift >= 1.0 - 1e-5) & (shift <= 2.0 + 1e-5))
    out = _train(layers.RandomContrast((0.5, 0.5), value_range=(-100, 100), seed=1), x)
    mean = x.mean(axis=(1, 2), keepdims=True)
    ratio = ((out - mean) / (x - mean)).reshape(4, -1)
    np.testing.assert_allclose(ratio, ratio[:, :1] * np.ones_like(ratio), rtol=1e-3)


CASES = [
    layers.RandomFlip,
    lambda seed: layers.RandomRotation(0.2, seed=seed),
    lambda seed: layers.RandomZoom(0.2, 0.3, seed=seed),
    lambda seed: layers.RandomTranslation(0.2, 0.2, seed=seed),
    lambda seed: layers.RandomShear(0.2, 0.2, seed=seed),
    lambda seed: layers.RandomContrast(0.3, seed=seed),
    lambda seed: layers.RandomBrightness(0.3, seed=seed),
    lambda seed: layers.RandomCrop(6, 5, seed=seed),
]


@pytest.mark.parametrize("make", CASES)
def test_stateless_call_in_jit_matches_eager_and_never_leaves_the_device(make):
    x = (
        np.repeat(GRID, 4, axis=0)
        + np.arange(4.0, dtype="float32")[:, None, None, None]
    )
    layer = make(seed=7)
    layer.build(x.shape)
    trainable = [v.value for v in layer.trainable_variables]

    def step(state, images):
        return layer.stateless_call(trainable, state, images, training=True)

    state = [v.value for v in layer.non_trainable_variables]
    compiled = jax.jit(step)
    first, state = compiled(state, x)
    second, state = compiled(state, x)
    eager = make(seed=7)
    np.testing.assert_allclose(first, _train(eager, x), atol=1e-5)
    np.testing.assert_allclose(second, _train(eager, x), atol=1e-5)
    assert "callback" not in str(jax.make_jaxpr(step)(state, x))


def test_traced_training_flag_selects_the_branch():
    layer = layers.RandomRotation(0.2, seed=4)
    layer.build(GRID.shape)
    state = [v.value for v in layer.non_trainable_variables]

    @jax.jit
    def call(flag, images):
        return layer.stateless_call([], state, images, training=flag)[0]

    reference = layers.RandomRotation(0.2, seed=4)
    np.testing.assert_allclose(
        call(jnp.array(True), GRID), _train(reference, GRID), atol=1e-5
    )
    np.testing.assert_array_equal(call(jnp.array(False), GRID), GRID)


def test_augmentation_runs_inside_fit():
    x = np.random.default_rng(0).random((16, 8, 8, 1)).astype("float32")
    y = x.mean(axis=(1, 2, 3))[:, None]
    flip = layers.RandomFlip(seed=1)
    rotate = layers.RandomRotation(0.1, seed=2)
    model = kerax.Sequential(
        [kerax.Input((8, 8, 1)), flip, rotate, layers.Flatten(), layers.Dense(1)]
    )
    model.compile("sgd", "mse")
    history = model.fit(x, y, batch_size=4, epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    # one draw per step and layer: 8 steps
    assert int(flip.generator.state.value[1]) == 8
    assert int(rotate.generator.state.value[1]) == 8
    plain = kerax.Sequential(
        [kerax.Input((8, 8, 1)), layers.Flatten(), model.layers[-1]]
    )
    np.testing.assert_allclose(
        model.predict(x, verbose=0), plain.predict(x, verbose=0), atol=1e-6
    )
    assert not np.allclose(model(x, training=True), model(x, training=False))
