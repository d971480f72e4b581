"""The benchmark models hand-written in JAX: ``(init_params(key), loss(params, x, y))``.

Same architectures, initializers and losses as the Keras/kerax builders in
``benchmarks.workloads`` (layer normalization epsilon 1e-3 as Keras's default;
convolutions "valid"; the LSTM's gates in Keras's order i, f, c, o with a
sigmoid recurrent activation and the forget gate's bias initialized to one).
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np

from benchmarks.workloads import (
    D_MODEL,
    EMBED_DIM,
    ENCODER_LAYERS,
    FF_DIM,
    HEADS,
    LSTM_UNITS,
    LSTM_VOCAB,
    VOCAB,
)


def _glorot(key, shape, fan_in: int, fan_out: int):
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return jax.random.uniform(key, shape, jnp.float32, -limit, limit)


def _embedding(key, vocab: int, dim: int):
    return jax.random.uniform(key, (vocab, dim), jnp.float32, -0.05, 0.05)


def _sparse_cross_entropy(logits, labels):
    log_probs = jax.nn.log_softmax(logits)
    return -jnp.mean(jnp.take_along_axis(log_probs, labels[:, None], axis=1))


def mlp_params(key) -> dict:
    k1, k2 = jax.random.split(key)
    return {
        "w1": _glorot(k1, (784, 128), 784, 128),
        "b1": jnp.zeros(128),
        "w2": _glorot(k2, (128, 10), 128, 10),
        "b2": jnp.zeros(10),
    }


def mlp_loss(params, xb, yb):
    h = jax.nn.relu(xb @ params["w1"] + params["b1"])
    return _sparse_cross_entropy(h @ params["w2"] + params["b2"], yb)


def transformer_params(key, classes: int = 4) -> dict:
    keys = iter(jax.random.split(key, 2 + 6 * ENCODER_LAYERS))
    depth = D_MODEL // HEADS
    blocks = []
    for _ in range(ENCODER_LAYERS):
        block = {
            name: _glorot(next(keys), (D_MODEL, HEADS, depth), D_MODEL, D_MODEL)
            for name in ("wq", "wk", "wv")
        }
        block.update({f"b{n}": jnp.zeros((HEADS, depth)) for n in "qkv"})
        block["wo"] = _glorot(next(keys), (HEADS, depth, D_MODEL), D_MODEL, D_MODEL)
        block["bo"] = jnp.zeros(D_MODEL)
        block["w1"] = _glorot(next(keys), (D_MODEL, FF_DIM), D_MODEL, FF_DIM)
        block["b1"] = jnp.zeros(FF_DIM)
        block["w2"] = _glorot(next(keys), (FF_DIM, D_MODEL), FF_DIM, D_MODEL)
        block["b2"] = jnp.zeros(D_MODEL)
        for norm in ("ln1", "ln2"):
            block[f"{norm}_g"] = jnp.ones(D_MODEL)
            block[f"{norm}_b"] = jnp.zeros(D_MODEL)
        blocks.append(block)
    return {
        "embedding": _embedding(next(keys), VOCAB, D_MODEL),
        "blocks": blocks,
        "w_out": _glorot(next(keys), (D_MODEL, classes), D_MODEL, classes),
        "b_out": jnp.zeros(classes),
    }


def _layer_norm(x, gamma, beta):
    mean = jnp.mean(x, axis=-1, keepdims=True)
    var = jnp.mean(jnp.square(x - mean), axis=-1, keepdims=True)
    return (x - mean) * jax.lax.rsqrt(var + 1e-3) * gamma + beta


def _encoder_block(x, p):
    q = jnp.einsum("btd,dhk->bthk", x, p["wq"]) + p["bq"]
    k = jnp.einsum("btd,dhk->bthk", x, p["wk"]) + p["bk"]
    v = jnp.einsum("btd,dhk->bthk", x, p["wv"]) + p["bv"]
    scores = jnp.einsum("bqhk,bshk->bhqs", q / np.sqrt(q.shape[-1]), k)
    attended = jnp.einsum("bhqs,bshk->bqhk", jax.nn.softmax(scores, axis=-1), v)
    out = jnp.einsum("bthk,hkd->btd", attended, p["wo"]) + p["bo"]
    x = _layer_norm(x + out, p["ln1_g"], p["ln1_b"])
    hidden = jax.nn.relu(x @ p["w1"] + p["b1"])
    return _layer_norm(x + hidden @ p["w2"] + p["b2"], p["ln2_g"], p["ln2_b"])


def transformer_loss(params, xb, yb):
    x = params["embedding"][xb]
    for block in params["blocks"]:
        x = _encoder_block(x, block)
    logits = jnp.mean(x, axis=1) @ params["w_out"] + params["b_out"]
    return _sparse_cross_entropy(logits, yb)


def cnn_params(key, classes: int = 10) -> dict:
    k1, k2, k3 = jax.random.split(key, 3)
    return {
        "conv1": _glorot(k1, (3, 3, 3, 32), 3 * 3 * 3, 3 * 3 * 32),
        "conv1_b": jnp.zeros(32),
        "conv2": _glorot(k2, (3, 3, 32, 64), 3 * 3 * 32, 3 * 3 * 64),
        "conv2_b": jnp.zeros(64),
        "w_out": _glorot(k3, (6 * 6 * 64, classes), 6 * 6 * 64, classes),
        "b_out": jnp.zeros(classes),
    }


def _conv_relu_pool(x, kernel, bias):
    y = jax.lax.conv_general_dilated(
        x, kernel, (1, 1), "VALID", dimension_numbers=("NHWC", "HWIO", "NHWC")
    )
    y = jax.nn.relu(y + bias)
    # 2×2 "valid" max pooling as a max over reshaped blocks: on XLA:CPU the
    # gradient of ``lax.reduce_window`` (a scatter) costs several times more.
    batch, height, width, channels = y.shape
    blocks = y[:, : height // 2 * 2, : width // 2 * 2]
    blocks = blocks.reshape(batch, height // 2, 2, width // 2, 2, channels)
    return jnp.max(blocks, axis=(2, 4))


def cnn_loss(params, xb, yb):
    x = _conv_relu_pool(xb, params["conv1"], params["conv1_b"])
    x = _conv_relu_pool(x, params["conv2"], params["conv2_b"])
    logits = x.reshape(x.shape[0], -1) @ params["w_out"] + params["b_out"]
    return _sparse_cross_entropy(logits, yb)


def lstm_params(key) -> dict:
    k1, k2, k3, k4 = jax.random.split(key, 4)
    units = LSTM_UNITS
    forget_bias = jnp.zeros(4 * units).at[units : 2 * units].set(1.0)
    return {
        "embedding": _embedding(k1, LSTM_VOCAB, EMBED_DIM),
        "kernel": _glorot(k2, (EMBED_DIM, 4 * units), EMBED_DIM, 4 * units),
        "recurrent": jax.nn.initializers.orthogonal()(k3, (units, 4 * units)),
        "bias": forget_bias,
        "w_out": _glorot(k4, (units, 1), units, 1),
        "b_out": jnp.zeros(1),
    }


def _lstm_last(x, kernel, recurrent, bias):
    """The last hidden state of an LSTM over ``x`` (batch, time, features)."""
    inputs = jnp.einsum("btd,dg->tbg", x, kernel) + bias
    zeros = jnp.zeros((x.shape[0], recurrent.shape[0]), x.dtype)

    def step(carry, z):
        h, c = carry
        i, f, g, o = jnp.split(z + h @ recurrent, 4, axis=-1)
        c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
        return (jax.nn.sigmoid(o) * jnp.tanh(c), c), None

    (h, _), _ = jax.lax.scan(step, (zeros, zeros), inputs)
    return h


def lstm_loss(params, xb, yb):
    x = params["embedding"][xb]
    h = _lstm_last(x, params["kernel"], params["recurrent"], params["bias"])
    logits = (h @ params["w_out"] + params["b_out"])[:, 0]
    # Binary cross-entropy of sigmoid(logits), written stably.
    return jnp.mean(jax.nn.softplus(logits) - yb * logits)


MODELS: dict[str, tuple[Callable, Callable]] = {
    "mlp": (mlp_params, mlp_loss),
    "cnn": (cnn_params, cnn_loss),
    "lstm": (lstm_params, lstm_loss),
    "transformer": (transformer_params, transformer_loss),
}
