"""Attention and AdditiveAttention against Keras 3 and numpy formulas."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from test_attention_oracle import (
    ATOL,
    check_config,
    check_gradients,
    compare,
    run_keras,
    run_kerax,
)

import kerax

RNG = np.random.default_rng(0)
QUERY = RNG.normal(size=(2, 3, 4)).astype("float32")
VALUE = RNG.normal(size=(2, 5, 6)).astype("float32")
KEY = RNG.normal(size=(2, 5, 4)).astype("float32")
SELF = RNG.normal(size=(2, 3, 4)).astype("float32")
QUERY_MASK = np.array([[1, 1, 0], [1, 0, 1]], bool)
# Batch row 1 masks every value.
VALUE_MASK = np.array([[1, 1, 0, 1, 0], [0, 0, 0, 0, 0]], bool)

CASES = [
    ("Attention", {}),
    ("Attention", {"use_scale": True}),
    ("Attention", {"score_mode": "concat"}),
    ("Attention", {"use_scale": True, "score_mode": "concat"}),
    ("AdditiveAttention", {}),
    ("AdditiveAttention", {"use_scale": False}),
]
CALLS = [
    ([KEY, KEY], {}),
    ([QUERY, VALUE, KEY], {"return_attention_scores": True}),
    ([QUERY, VALUE, KEY], {"mask": [QUERY_MASK, VALUE_MASK]}),
    (
        [SELF, SELF],
        {
            "mask": [None, QUERY_MASK],
            "use_causal_mask": True,
            "return_attention_scores": True,
        },
    ),
]


def _with_trained_scale(ours, theirs, inputs, call):
    """Non-trivial scalar weights, so that the scale is really tested."""
    weights = [np.asarray(w) + 0.5 for w in ours.get_weights()]
    ours.set_weights(weights)
    theirs.set_weights(weights)
    for got, want in zip(
        run_kerax(ours, inputs, **call), run_keras(theirs, inputs, **call)
    ):
        np.testing.assert_allclose(got, want, atol=ATOL, rtol=ATOL)


@pytest.mark.parametrize("inputs, call", CALLS)
@pytest.mark.parametrize("name, init", CASES)
def test_matches_keras(name, init, inputs, call):
    ours, theirs, out = compare(name, init, (inputs,), **call)
    _with_trained_scale(ours, theirs, inputs, call)
    shape = ours.compute_output_shape([x.shape for x in inputs])
    assert shape == out[0].shape
    assert shape == theirs.compute_output_shape([x.shape for x in inputs])
    check_config(ours, theirs, (inputs,), **call)


@pytest.mark.parametrize("scores", [False, True])
def test_symbolic_outputs_and_masks(scores):
    query, value = kerax.Input((3, 4)), kerax.Input((None, 6))
    key = kerax.Input((None, 4))
    layer = kerax.layers.Attention()
    out = layer([query, value, key], return_attention_scores=scores)
    out = out if scores else (out,)
    assert [o.shape for o in out] == [(None, 3, 6), (None, 3, None)][: len(out)]
    real = run_kerax(layer, [QUERY, VALUE, KEY], return_attention_scores=scores)
    assert [r.shape for r in real] == [(2, 3, 6), (2, 3, 5)][: len(out)]
    tokens = kerax.Input((5,), dtype="int32")
    embedded = kerax.layers.Embedding(10, 4, mask_zero=True)(tokens)
    attended = kerax.layers.Attention()([embedded, embedded])
    assert attended._keras_mask is not None
    model = kerax.Model(tokens, attended)
    ids = np.array([[1, 2, 0, 0, 0], [3, 4, 5, 6, 0]])
    got = run_kerax(model, ids)[0]
    assert np.all(got[0, 2:] == 0) and np.all(got[1, 4:] == 0)
    assert np.all(np.abs(got[1, :4]).sum(-1) > 0)


def test_masked_functional_model_matches_keras():
    ids = np.array([[1, 2, 0, 0, 0], [3, 4, 5, 6, 0]])
    tokens = kerax.Input((5,), dtype="int32")
    embedding = kerax.layers.Embedding(10, 4, mask_zero=True)
    embedded = embedding(tokens)
    ours = kerax.Model(tokens, kerax.layers.AdditiveAttention()([embedded, embedded]))
    keras_tokens = keras.Input((5,), dtype="int32")
    keras_embedded = keras.layers.Embedding(10, 4, mask_zero=True)(keras_tokens)
    theirs = keras.Model(
        keras_tokens, keras.layers.AdditiveAttention()([keras_embedded] * 2)
    )
    theirs.set_weights(ours.get_weights())
    np.testing.assert_allclose(
        run_kerax(ours, ids)[0], run_keras(theirs, ids)[0], atol=ATOL
    )


def test_dot_attention_matches_numpy_formula():
    layer = kerax.layers.Attention(use_scale=True)
    run_kerax(layer, [QUERY, VALUE, KEY])
    layer.set_weights([np.float32(0.7)])
    value_mask = np.array([[1, 0, 1, 1, 1], [1, 1, 0, 0, 1]], bool)
    out, weights = run_kerax(
        layer,
        [QUERY, VALUE, KEY],
        mask=[QUERY_MASK, value_mask],
        return_attention_scores=True,
    )
    logits = 0.7 * np.einsum("btd,bsd->bts", QUERY, KEY)
    logits = np.where(value_mask[:, None, :], logits, -np.inf)
    probs = np.exp(logits - logits.max(-1, keepdims=True))
    probs /= probs.sum(-1, keepdims=True)
    expected = np.einsum("bts,bsd->btd", probs, VALUE) * QUERY_MASK[..., None]
    np.testing.assert_allclose(weights, probs, atol=ATOL)
    np.testing.assert_allclose(out, expected, atol=ATOL)


def test_additive_attention_matches_numpy_formula():
    layer = kerax.layers.AdditiveAttention()
    _, weights = run_kerax(layer, [QUERY, VALUE, KEY], return_attention_scores=True)
    (scale,) = layer.get_weights()
    assert scale.shape == (4,)
    logits = np.sum(scale * np.tanh(QUERY[:, :, None] + KEY[:, None]), axis=-1)
    probs = np.exp(logits - logits.max(-1, keepdims=True))
    np.testing.assert_allclose(weights, probs / probs.sum(-1, keepdims=True), atol=ATOL)


@pytest.mark.parametrize("name", ["Attention", "AdditiveAttention"])
def test_gradients_and_dropout(name):
    layer = getattr(kerax.layers, name)(use_scale=True, dropout=0.5, seed=4)
    twin = getattr(kerax.layers, name)(use_scale=True, dropout=0.5, seed=4)
    plain = getattr(kerax.layers, name)(use_scale=True)
    inputs = [QUERY, VALUE, KEY]
    for other in (twin, plain):
        run_kerax(other, inputs)
    inference = run_kerax(layer, inputs)[0]
    for other in (twin, plain):
        other.set_weights(layer.get_weights())
    np.testing.assert_allclose(inference, run_kerax(plain, inputs)[0], atol=ATOL)
    out, weights = run_kerax(layer, inputs, training=True, return_attention_scores=True)
    twin_out, _ = run_kerax(twin, inputs, training=True, return_attention_scores=True)
    np.testing.assert_array_equal(out, twin_out)
    assert not np.allclose(out, inference)
    # Attention returns the weights after dropout: zeros or scaled by 2.
    _, clean = run_kerax(plain, inputs, return_attention_scores=True)
    dropped = weights == 0
    assert dropped.any() and (~dropped).any()
    np.testing.assert_allclose(weights[~dropped], 2 * clean[~dropped], atol=ATOL)
    check_gradients(plain, (inputs,), mask=[QUERY_MASK, VALUE_MASK[::-1]])


def test_errors_name_the_layer():
    with pytest.raises(ValueError, match="Attention.*score_mode.*'dot'"):
        kerax.layers.Attention(score_mode="add")
    with pytest.raises(ValueError, match="Attention.*dropout"):
        kerax.layers.Attention(dropout=2.0)
    layer = kerax.layers.Attention(name="att")
    with pytest.raises(ValueError, match="'att' must be called on a list"):
        layer(QUERY)
    with pytest.raises(ValueError, match="'att'.*same last dimension"):
        layer([QUERY, VALUE])
    with pytest.raises(ValueError, match="'att'.*`mask` must be a list"):
        layer([QUERY, KEY], mask=QUERY_MASK)
    with pytest.raises(ValueError, match="AdditiveAttention.*same last dimension"):
        kerax.layers.AdditiveAttention()([QUERY, VALUE])
    with pytest.raises(ValueError, match="'att'.*`value` and `key`"):
        layer([QUERY, VALUE[:, :4], KEY])
