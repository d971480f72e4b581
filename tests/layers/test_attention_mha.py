"""MultiHeadAttention and GroupQueryAttention against Keras 3 and numpy."""

from __future__ import annotations

import jax
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
from kerax.backend.keras_tensor import KerasTensor

RNG = np.random.default_rng(0)
QUERY = RNG.normal(size=(2, 3, 4)).astype("float32")
VALUE = RNG.normal(size=(2, 5, 6)).astype("float32")
KEY = RNG.normal(size=(2, 5, 3)).astype("float32")
QUERY_4D = RNG.normal(size=(2, 3, 2, 4)).astype("float32")
VALUE_4D = RNG.normal(size=(2, 2, 3, 4)).astype("float32")
VALUE_AXIS_2 = RNG.normal(size=(2, 3, 5, 4)).astype("float32")
# Batch row 1 masks every key: rows with nothing to attend to.
VALUE_MASK = np.array([[1, 1, 0, 1, 0], [0, 0, 0, 0, 0]], bool)
QUERY_MASK = np.array([[1, 1, 0], [1, 0, 1]], bool)
ATTENTION_MASK = RNG.random((2, 3, 5)) > 0.4


# Keras's fused path (no dropout, no scores) fails when value_dim != key_dim,
# so those configurations are compared with return_attention_scores=True.
MHA_CASES = [
    ({"num_heads": 2, "key_dim": 3}, (QUERY, VALUE), {}),
    (
        {"num_heads": 1, "key_dim": 5, "use_bias": False, "output_shape": 7},
        (QUERY, VALUE, KEY),
        {},
    ),
    (
        {"num_heads": 3, "key_dim": 2, "value_dim": 4, "output_shape": (2, 3)},
        (QUERY, VALUE),
        {"return_attention_scores": True},
    ),
    (
        {"num_heads": 2, "key_dim": 3, "attention_axes": (1, 2)},
        (QUERY_4D, VALUE_4D),
        {"return_attention_scores": True},
    ),
    (
        {"num_heads": 2, "key_dim": 3, "attention_axes": -2},
        (QUERY_4D, VALUE_AXIS_2),
        {"return_attention_scores": True},
    ),
    (
        {"num_heads": 2, "key_dim": 3, "use_gate": True, "sliding_window": 2},
        (QUERY, QUERY),
        {},
    ),
    (
        {"num_heads": 2, "key_dim": 3, "dropout": 0.5, "seed": 3},
        (QUERY, VALUE),
        {"training": False},
    ),
]


@pytest.mark.parametrize("init, args, call", MHA_CASES)
def test_mha_matches_keras(init, args, call):
    ours, theirs, out = compare("MultiHeadAttention", init, args, **call)
    spec = ours.compute_output_spec(
        *(KerasTensor(a.shape) for a in args),
        return_attention_scores=call.get("return_attention_scores", False),
    )
    assert [s.shape for s in (spec if isinstance(spec, tuple) else (spec,))] == [
        o.shape for o in out
    ]
    shape = ours.compute_output_shape(*(a.shape for a in args))
    assert (
        shape == out[0].shape == theirs.compute_output_shape(*(a.shape for a in args))
    )
    check_config(ours, theirs, args, **call)


MASK_CASES = [
    {"value_mask": VALUE_MASK},
    {"key_mask": VALUE_MASK, "value_mask": VALUE_MASK[::-1]},
    {"attention_mask": ATTENTION_MASK},
    {"attention_mask": ATTENTION_MASK, "value_mask": VALUE_MASK},
    {"attention_mask": ATTENTION_MASK[0]},
]


@pytest.mark.parametrize("scores", [False, True])
@pytest.mark.parametrize("masks", MASK_CASES)
def test_mha_masks_match_keras(masks, scores):
    _, _, out = compare(
        "MultiHeadAttention",
        {"num_heads": 2, "key_dim": 3},
        (QUERY, VALUE),
        **masks,
        return_attention_scores=scores,
    )
    if scores and masks.keys() == {"value_mask"}:
        weights = out[1]
        assert np.all(weights[0][..., ~VALUE_MASK[0]] == 0)
        np.testing.assert_allclose(weights[0].sum(-1), 1.0, atol=1e-6)
        # Keras's softmax path: no attendable key -> zero weights.
        assert np.all(weights[1] == 0)


@pytest.mark.parametrize("scores", [False, True])
def test_mha_query_mask_matches_keras_attention_mask(scores):
    # Keras reads the query mask from `query._keras_mask` and ignores the
    # argument on plain arrays; an equivalent (B, T, 1) attention_mask is
    # what it applies for a masked query.
    compare(
        "MultiHeadAttention",
        {"num_heads": 2, "key_dim": 3},
        (QUERY, VALUE),
        keras_kwargs={
            "attention_mask": QUERY_MASK[:, :, None] & VALUE_MASK[:, None, :],
            "return_attention_scores": scores,
        },
        query_mask=QUERY_MASK,
        value_mask=VALUE_MASK,
        return_attention_scores=scores,
    )


def test_fully_masked_rows_follow_keras_paths():
    layer = kerax.layers.MultiHeadAttention(num_heads=2, key_dim=3)
    fused = run_kerax(layer, QUERY, VALUE, value_mask=VALUE_MASK)[0]
    out, weights = run_kerax(
        layer, QUERY, VALUE, value_mask=VALUE_MASK, return_attention_scores=True
    )
    # The fused path averages all values; the softmax path attends to nothing,
    # leaving only the output bias (zero here).
    assert not np.allclose(fused[1], 0.0)
    np.testing.assert_allclose(out[1], 0.0, atol=ATOL)
    np.testing.assert_allclose(fused[0], out[0], atol=ATOL)


@pytest.mark.parametrize("extra", [{}, {"value_mask": QUERY_MASK}])
@pytest.mark.parametrize("scores", [False, True])
def test_mha_causal_mask_matches_keras(extra, scores):
    _, _, out = compare(
        "MultiHeadAttention",
        {"num_heads": 2, "key_dim": 3},
        (QUERY, QUERY),
        use_causal_mask=True,
        return_attention_scores=scores,
        **extra,
    )
    if scores:
        upper = np.triu(np.ones((3, 3), bool), k=1)
        assert np.all(out[1][..., upper] == 0)


def test_mha_matches_numpy_formula():
    layer = kerax.layers.MultiHeadAttention(num_heads=2, key_dim=3, value_dim=2)
    out, weights = run_kerax(
        layer, QUERY, VALUE, value_mask=VALUE_MASK[:1], return_attention_scores=True
    )
    wq, bq, wk, bk, wv, bv, wo, bo = layer.get_weights()
    q = np.einsum("btd,dnh->btnh", QUERY, wq) + bq
    k = np.einsum("bsd,dnh->bsnh", VALUE, wk) + bk
    v = np.einsum("bsd,dnh->bsnh", VALUE, wv) + bv
    logits = np.einsum("btnh,bsnh->bnts", q, k) / np.sqrt(3.0)
    logits = np.where(VALUE_MASK[:1, None, None, :], logits, -np.inf)
    probs = np.exp(logits - logits.max(-1, keepdims=True))
    probs /= probs.sum(-1, keepdims=True)
    expected = np.einsum("bnts,bsnh,nhe->bte", probs, v, wo) + bo
    np.testing.assert_allclose(weights, probs, atol=ATOL)
    np.testing.assert_allclose(out, expected, atol=ATOL)


def test_mha_config_before_build_and_weights_layout():
    init = {"num_heads": 2, "key_dim": 3, "attention_axes": [1], "seed": 5}
    ours = kerax.layers.MultiHeadAttention(**init)
    theirs = keras.layers.MultiHeadAttention(**init)
    assert ours.get_config().keys() == theirs.get_config().keys()
    assert ours.get_config()["attention_axes"] == [1]
    run_kerax(ours, QUERY, VALUE)
    assert ours.get_config()["attention_axes"] == (1,)
    assert [w.shape for w in ours.weights] == [
        (4, 2, 3),
        (2, 3),
        (6, 2, 3),
        (2, 3),
        (6, 2, 3),
        (2, 3),
        (2, 3, 4),
        (4,),
    ]
    assert ours.query_dense.name == "query" and ours.output_dense.name == (
        "attention_output"
    )
    assert ours.get_build_config() == {
        "shapes_dict": {"query_shape": (2, 3, 4), "value_shape": (2, 5, 6)}
    }
    clone = kerax.layers.MultiHeadAttention.from_config(ours.get_config())
    clone.build_from_config(ours.get_build_config())
    direct = kerax.layers.MultiHeadAttention.from_config(ours.get_config())
    direct.build((2, 3, 4), (2, 5, 6))
    assert direct.built and direct.get_build_config() == ours.get_build_config()
    clone.set_weights(ours.get_weights())
    np.testing.assert_array_equal(
        run_kerax(clone, QUERY, VALUE)[0], run_kerax(ours, QUERY, VALUE)[0]
    )


def test_mha_gradients_and_symbolic_call():
    layer = kerax.layers.MultiHeadAttention(num_heads=2, key_dim=3, use_gate=True)
    run_kerax(layer, QUERY, VALUE)
    check_gradients(layer, (QUERY, VALUE), value_mask=VALUE_MASK[::-1])
    query = kerax.Input((3, 4))
    value = kerax.Input((None, 6))
    out, scores = layer(query, value, return_attention_scores=True)
    assert out.shape == (None, 3, 4) and scores.shape == (None, 2, 3, None)


def test_mha_functional_model_with_mask_inputs():
    layer = kerax.layers.MultiHeadAttention(num_heads=2, key_dim=3)
    inputs = [
        kerax.Input((3, 4)),
        kerax.Input((5, 6)),
        kerax.Input((3,), dtype="bool"),
        kerax.Input((5,), dtype="bool"),
    ]
    outputs = layer(
        inputs[0],
        inputs[1],
        query_mask=inputs[2],
        value_mask=inputs[3],
        return_attention_scores=True,
    )
    model = kerax.Model(inputs, outputs)
    data = [QUERY, VALUE, QUERY_MASK, VALUE_MASK[::-1]]
    got = run_kerax(model, data)
    want = run_kerax(
        layer,
        QUERY,
        VALUE,
        query_mask=QUERY_MASK,
        value_mask=VALUE_MASK[::-1],
        return_attention_scores=True,
    )
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, atol=ATOL)


def test_mha_output_carries_the_query_mask():
    tokens = kerax.Input((5,), dtype="int32")
    embedded = kerax.layers.Embedding(10, 4, mask_zero=True)(tokens)
    out = kerax.layers.MultiHeadAttention(num_heads=2, key_dim=3)(embedded, embedded)
    assert out._keras_mask is not None and out._keras_mask.shape == (None, 5)


def test_mha_dropout_inference_identity_and_seeded_training():
    def make(seed):
        layer = kerax.layers.MultiHeadAttention(
            num_heads=2, key_dim=3, dropout=0.5, seed=seed
        )
        run_kerax(layer, QUERY, VALUE)
        return layer

    a, b, c = make(1), make(1), make(2)
    for layer in (b, c):
        layer.set_weights(a.get_weights())
    plain = kerax.layers.MultiHeadAttention(num_heads=2, key_dim=3)
    run_kerax(plain, QUERY, VALUE)
    plain.set_weights(a.get_weights())
    inference = run_kerax(a, QUERY, VALUE, training=False)[0]
    np.testing.assert_allclose(inference, run_kerax(plain, QUERY, VALUE)[0], atol=ATOL)
    first = run_kerax(a, QUERY, VALUE, training=True)[0]
    np.testing.assert_array_equal(first, run_kerax(b, QUERY, VALUE, training=True)[0])
    assert not np.allclose(first, inference)
    assert not np.allclose(first, run_kerax(c, QUERY, VALUE, training=True)[0])
    assert not np.allclose(first, run_kerax(a, QUERY, VALUE, training=True)[0])
    # The returned scores are the weights before dropout, as in Keras.
    _, weights = run_kerax(a, QUERY, VALUE, training=True, return_attention_scores=True)
    np.testing.assert_allclose(weights.sum(-1), 1.0, atol=1e-6)


def test_mha_gradient_tape_and_jitted_dropout():
    layer = kerax.layers.MultiHeadAttention(2, 3, dropout=0.5, seed=1)
    run_kerax(layer, QUERY, VALUE)
    query = kerax.Variable(QUERY)
    with kerax.GradientTape() as tape:
        loss = kerax.ops.sum(layer(query, VALUE, training=True) ** 2)
    grads = tape.gradient(loss, [query, layer.query_dense.kernel])
    assert all(np.any(np.asarray(g) != 0) for g in grads)
    trainable = [v.value for v in layer.trainable_variables]
    state = [v.value for v in layer.non_trainable_variables]
    step = jax.jit(lambda t, n: layer.stateless_call(t, n, QUERY, VALUE, training=True))
    first, state = step(trainable, state)
    second, _ = step(trainable, state)
    assert not np.allclose(first, second)  # the seed state advanced


def test_mha_dropout_statistics():
    # Zero query/key kernels give uniform weights 1/64 over values equal to 1,
    # so each output is the kept fraction of weights scaled by 1 / (1 - rate):
    # mean 1, and not constant.
    layer = kerax.layers.MultiHeadAttention(
        num_heads=1, key_dim=1, dropout=0.25, seed=0, use_bias=False
    )
    query = np.zeros((1, 64, 2), "float32")
    value = np.ones((1, 64, 2), "float32")
    run_kerax(layer, query, value)
    zero = np.zeros((2, 1, 1), "float32")
    first_feature = np.array([1.0, 0.0], "float32").reshape(2, 1, 1)
    layer.set_weights([zero, zero, first_feature, np.ones((1, 1, 2), "float32")])
    np.testing.assert_allclose(run_kerax(layer, query, value)[0], 1.0, atol=ATOL)
    out = run_kerax(layer, query, value, training=True)[0]
    assert abs(out.mean() - 1.0) < 0.05
    assert out.std() > 0.01


def test_mha_errors_name_the_layer():
    with pytest.raises(TypeError, match="MultiHeadAttention.*key_dim"):
        kerax.layers.MultiHeadAttention(num_heads=2)
    with pytest.raises(ValueError, match="MultiHeadAttention.*num_heads"):
        kerax.layers.MultiHeadAttention(num_heads=0, key_dim=2)
    with pytest.raises(ValueError, match="MultiHeadAttention.*attention_axes"):
        kerax.layers.MultiHeadAttention(2, 2, attention_axes="1")
    with pytest.raises(ValueError, match="MultiHeadAttention.*dropout"):
        kerax.layers.MultiHeadAttention(2, 2, dropout=0.1, flash_attention=True)
    with pytest.raises(ValueError, match="sliding_window"):
        kerax.layers.MultiHeadAttention(2, 2, sliding_window=0)
    layer = kerax.layers.MultiHeadAttention(2, 2, name="mha")
    with pytest.raises(ValueError, match="'mha'.*value.*key.*except the last"):
        layer(QUERY, VALUE, KEY[:, :4])
    with pytest.raises(ValueError, match="MultiHeadAttention.*rank >= 3"):
        kerax.layers.MultiHeadAttention(2, 2)(QUERY[0], VALUE[0])
    with pytest.raises(ValueError, match="attention_axes"):
        kerax.layers.MultiHeadAttention(2, 2, attention_axes=3)(QUERY_4D, VALUE_4D)
    with pytest.raises(ValueError, match="'mha'.*does not broadcast"):
        layer(QUERY, VALUE, attention_mask=np.ones((2, 3, 4), bool))
    with pytest.raises(ValueError, match="flash attention"):
        kerax.layers.MultiHeadAttention(2, 2, flash_attention=True)(
            QUERY, VALUE, return_attention_scores=True
        )


# -- GroupQueryAttention --------------------------------------------------------
VALUE_G = RNG.normal(size=(2, 5, 4)).astype("float32")
GQA_CASES = [
    ({"head_dim": 2, "num_query_heads": 4, "num_key_value_heads": 2}, {}),
    ({"head_dim": 3, "num_query_heads": 2, "num_key_value_heads": 1}, {}),
    (
        {"head_dim": 2, "num_query_heads": 4, "num_key_value_heads": 4},
        {"return_attention_scores": True, "value_mask": VALUE_MASK},
    ),
    (
        {"head_dim": 2, "num_query_heads": 4, "num_key_value_heads": 2},
        {"value_mask": VALUE_MASK, "attention_mask": ATTENTION_MASK},
    ),
    (
        {
            "head_dim": 2,
            "num_query_heads": 4,
            "num_key_value_heads": 2,
            "use_gate": True,
            "use_bias": False,
            "sliding_window": 2,
        },
        {"return_attention_scores": True},
    ),
]


@pytest.mark.parametrize("init, call", GQA_CASES)
def test_gqa_matches_keras(init, call):
    args = (QUERY, VALUE_G)
    ours, theirs, out = compare("GroupQueryAttention", init, args, **call)
    spec = ours.compute_output_spec(
        *(KerasTensor(a.shape) for a in args),
        return_attention_scores=call.get("return_attention_scores", False),
    )
    assert [s.shape for s in (spec if isinstance(spec, tuple) else (spec,))] == [
        o.shape for o in out
    ]
    check_config(ours, theirs, args, **call)


@pytest.mark.parametrize("scores", [False, True])
def test_gqa_causal_and_key_match_keras(scores):
    compare(
        "GroupQueryAttention",
        {"head_dim": 2, "num_query_heads": 4, "num_key_value_heads": 2},
        (QUERY, QUERY, QUERY[..., :3]),
        use_causal_mask=True,
        return_attention_scores=scores,
    )


def test_gqa_shares_key_value_heads_in_groups():
    layer = kerax.layers.GroupQueryAttention(2, 4, 2, use_bias=False)
    run_kerax(layer, QUERY, VALUE_G)
    weights = [np.array(w) for w in layer.get_weights()]
    weights[0][:, 1] = weights[0][:, 0]  # query heads 0 and 1 are equal
    weights[0][:, 3] = weights[0][:, 2]
    layer.set_weights(weights)
    _, scores = run_kerax(layer, QUERY, VALUE_G, return_attention_scores=True)
    np.testing.assert_allclose(scores[:, 0], scores[:, 1], atol=ATOL)
    assert not np.allclose(scores[:, 1], scores[:, 2])


def test_gqa_gradients_dropout_and_errors():
    layer = kerax.layers.GroupQueryAttention(2, 4, 2, dropout=0.5, seed=1)
    inference = run_kerax(layer, QUERY, VALUE_G)[0]
    training = run_kerax(layer, QUERY, VALUE_G, training=True)[0]
    assert not np.allclose(inference, training)
    check_gradients(layer, (QUERY, VALUE_G))
    assert kerax.layers.GroupedQueryAttention is kerax.layers.GroupQueryAttention
    assert layer.name.startswith("grouped_query_attention")
    with pytest.raises(ValueError, match="GroupQueryAttention.*divisible"):
        kerax.layers.GroupQueryAttention(2, 3, 2)
    with pytest.raises(TypeError, match="GroupedQueryAttention.*num_key_value"):
        kerax.layers.GroupQueryAttention(2, 4)
    with pytest.raises(ValueError, match="GroupQueryAttention.*last dimension"):
        layer.compute_output_shape((2, 3, 4), (2, 5, 6))
    with pytest.raises(ValueError, match="GroupQueryAttention.*rank 3"):
        kerax.layers.GroupQueryAttention(2, 4, 2)(QUERY_4D, VALUE_4D)
    keras_out = run_keras(keras.layers.GroupQueryAttention(2, 4, 2), QUERY, VALUE_G)
    assert keras_out[0].shape == inference.shape
