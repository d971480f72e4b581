"""``kerax.ops.nn`` against numpy formulas and ``keras.ops``."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from ops_cases import Case, by_ids, f32, i32, pos, run_keras, run_numpy, seed

import kerax.ops as ops

seed(2)


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _sparsemax(x, axis=-1):
    z = np.moveaxis(x, axis, -1)
    ordered = -np.sort(-z, axis=-1)
    ranks = np.arange(1, z.shape[-1] + 1)
    cumulative = np.cumsum(ordered, axis=-1)
    support = (1 + ranks * ordered > cumulative).sum(-1, keepdims=True)
    tau = (np.take_along_axis(cumulative, support - 1, -1) - 1) / support
    return np.moveaxis(np.maximum(z - tau, 0), -1, axis)


ACTIVATIONS = {
    "relu": lambda x: np.maximum(x, 0),
    "relu6": lambda x: np.clip(x, 0, 6),
    "sigmoid": _sigmoid,
    "log_sigmoid": lambda x: np.log(_sigmoid(x)),
    "hard_sigmoid": lambda x: np.clip(x / 6 + 0.5, 0, 1),
    "sparse_sigmoid": lambda x: np.clip((x + 1) / 2, 0, 1),
    "silu": lambda x: x * _sigmoid(x),
    "swish": lambda x: x * _sigmoid(x),
    "hard_silu": lambda x: x * np.clip(x / 6 + 0.5, 0, 1),
    "hard_swish": lambda x: x * np.clip(x / 6 + 0.5, 0, 1),
    "gelu": lambda x: (
        0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))
    ),
    "elu": lambda x: np.where(x > 0, x, np.exp(x) - 1),
    "selu": lambda x: (
        1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * (np.exp(x) - 1))
    ),
    "celu": lambda x: np.maximum(x, 0) + np.minimum(0, np.exp(x) - 1),
    "leaky_relu": lambda x: np.where(x > 0, x, 0.2 * x),
    "softplus": lambda x: np.log1p(np.exp(x)),
    "sparse_plus": lambda x: np.where(
        x <= -1, 0, np.where(x >= 1, x, (x + 1) ** 2 / 4)
    ),
    "squareplus": lambda x: (x + np.sqrt(x**2 + 4)) / 2,
    "softsign": lambda x: x / (1 + np.abs(x)),
    "hard_tanh": lambda x: np.clip(x, -1, 1),
    "hard_shrink": lambda x: np.where(np.abs(x) > 0.5, x, 0),
    "soft_shrink": lambda x: np.where(np.abs(x) > 0.5, x - np.sign(x) * 0.5, 0),
    "tanh_shrink": lambda x: x - np.tanh(x),
    "softmax": _softmax,
    "log_softmax": lambda x: np.log(_softmax(x)),
}

x34 = f32(3, 4, low=-3, high=3)
logits = f32(4, 5)
probs = _softmax(f32(4, 5))
labels = np.eye(5, dtype="float32")[[0, 3, 1, 4]]


def _bce(t, o, from_logits=False):
    if from_logits:
        o = _sigmoid(o)
    o = np.clip(o, 1e-7, 1 - 1e-7)
    return -(t * np.log(o) + (1 - t) * np.log(1 - o))


def _cce(t, o, from_logits=False, axis=-1):
    o = _softmax(o, axis) if from_logits else o / o.sum(axis, keepdims=True)
    return -(t * np.log(np.clip(o, 1e-7, 1 - 1e-7))).sum(axis)


def _scce(t, o, from_logits=False, axis=-1):
    return _cce(np.eye(o.shape[-1], dtype="float32")[t], o, from_logits)


def _attention(
    q,
    k,
    v,
    bias=None,
    mask=None,
    scale=None,
    is_causal=False,
    attn_logits_soft_cap=None,
):
    scale = 1 / np.sqrt(q.shape[-1]) if scale is None else scale
    heads = q.shape[2] // k.shape[2]
    k, v = np.repeat(k, heads, axis=2), np.repeat(v, heads, axis=2)
    s = np.einsum("btnh,bsnh->bnts", q, k) * scale
    if attn_logits_soft_cap is not None:
        s = attn_logits_soft_cap * np.tanh(s / attn_logits_soft_cap)
    if bias is not None:
        s = s + bias
    keep = np.ones(s.shape, bool)
    if mask is not None:
        keep &= mask
    if is_causal:
        keep &= np.tril(np.ones(s.shape[-2:], bool))
    s = np.where(keep, s, -1e30)
    return np.einsum("bnts,bsnh->btnh", _softmax(s), v)


def _conv2d_valid(x, k, stride=1, dilation=1):
    """Reference NHWC convolution (valid padding) with plain loops."""
    kh, kw = (np.array(k.shape[:2]) - 1) * dilation + 1
    oh = (x.shape[1] - kh) // stride + 1
    ow = (x.shape[2] - kw) // stride + 1
    out = np.zeros((x.shape[0], oh, ow, k.shape[-1]), "float32")
    for i, j in itertools.product(range(oh), range(ow)):
        patch = x[
            :,
            i * stride : i * stride + kh : dilation,
            j * stride : j * stride + kw : dilation,
            :,
        ]
        out[:, i, j, :] = np.einsum("bhwc,hwco->bo", patch, k)
    return out


def _pool_valid(x, size, reduce):
    n, h, w, c = x.shape
    blocks = x[:, : h // size * size, : w // size * size].reshape(
        n, h // size, size, w // size, size, c
    )
    return reduce(blocks, axis=(2, 4))


q, k, v = f32(2, 3, 4, 8), f32(2, 5, 2, 8), f32(2, 5, 2, 8)
image = f32(2, 7, 6, 3)
kernel = f32(3, 2, 3, 4)
segments = f32(2, 5, 4)

CASES = (
    [Case(n, (x34,), ref=r) for n, r in ACTIVATIONS.items()]
    + [
        Case("relu", (i32(5),), label="int"),
        Case("gelu", (x34,), {"approximate": False}, label="exact"),
        Case("elu", (x34,), {"alpha": 0.5}, label="alpha"),
        Case("celu", (x34,), {"alpha": 2.0}, label="alpha"),
        Case("leaky_relu", (x34,), {"negative_slope": 0.1}, label="slope"),
        Case("softmax", (x34,), {"axis": 0}, ref=_softmax, label="axis0"),
        Case("softmax", (f32(2, 3, 4),), {"axis": (1, 2)}, label="axes"),
        Case("log_softmax", (x34,), {"axis": 0}, label="axis0"),
        Case("threshold", (x34, 0.5, -1.0), ref=lambda x, t, d: np.where(x > t, x, d)),
        Case("threshold", (x34 > 0, 0, -1), label="bool"),
        Case("hard_tanh", (i32(5).astype("int8"),), label="int8"),
        # Keras 3.15 on JAX wraps negative bounds around for unsigned ints.
        Case(
            "hard_tanh",
            (np.array([0, 1, 7], "uint8"),),
            ref=lambda x: np.minimum(x, 1),
            keras=False,
            label="uint8",
        ),
        Case("glu", (x34,), ref=lambda x: x[:, :2] * _sigmoid(x[:, 2:])),
        # Keras 3.15 on JAX returns values that do not sum to one: numpy only.
        Case("sparsemax", (x34,), ref=_sparsemax, keras=False),
        Case(
            "sparsemax", (x34,), {"axis": 0}, ref=_sparsemax, keras=False, label="ax0"
        ),
        Case("squareplus", (x34, 1.0), label="b"),
        Case("polar", (pos(3), f32(3)), ref=lambda a, t: a * np.exp(1j * t)),
    ]
    # -- convolution and pooling
    + [
        Case("conv", (image, kernel), ref=_conv2d_valid, tol=1e-4),
        Case(
            "conv",
            (image, kernel),
            {"strides": 2},
            ref=lambda x, k, strides: _conv2d_valid(x, k, strides),
            label="s2",
            tol=1e-4,
        ),
        Case(
            "conv",
            (image, kernel),
            {"dilation_rate": 2},
            ref=lambda x, k, dilation_rate: _conv2d_valid(x, k, 1, dilation_rate),
            label="d2",
            tol=1e-4,
        ),
        Case(
            "conv",
            (image, kernel),
            {"padding": "same", "strides": (2, 1)},
            label="same",
            tol=1e-4,
        ),
        Case(
            "conv",
            (f32(2, 8, 3), f32(3, 3, 2)),
            {"padding": "same"},
            label="1d",
            tol=1e-4,
        ),
        Case("conv", (f32(1, 4, 5, 4, 2), f32(2, 2, 2, 2, 3)), label="3d", tol=1e-4),
        Case(
            "conv",
            (f32(2, 3, 7, 6), f32(3, 3, 3, 2)),
            {"data_format": "channels_first"},
            label="cf",
            tol=1e-4,
        ),
        Case("conv", (f32(2, 5, 5, 4), f32(3, 3, 2, 6)), label="groups", tol=1e-4),
        Case("depthwise_conv", (image, f32(3, 3, 3, 2)), {"padding": "same"}, tol=1e-4),
        Case(
            "depthwise_conv",
            (image, f32(2, 2, 3, 1)),
            {"strides": 2},
            label="s2",
            tol=1e-4,
        ),
        Case("separable_conv", (image, f32(3, 3, 3, 2), f32(1, 1, 6, 4)), tol=1e-4),
        Case(
            "max_pool",
            (image, 2),
            ref=lambda x, s: _pool_valid(x, s, np.max),
            keras=False,
        ),
        Case(
            "average_pool",
            (image, 2),
            ref=lambda x, s: _pool_valid(x, s, np.mean),
            keras=False,
        ),
        Case("max_pool", (image, 2, 2), label="strides"),
        Case("average_pool", (image, 2, 2), label="strides"),
        Case(
            "max_pool", (image, (3, 2)), {"strides": 1, "padding": "same"}, label="same"
        ),
        Case(
            "average_pool", (image, 3), {"strides": 2, "padding": "same"}, label="same"
        ),
        Case(
            "average_pool",
            (f32(2, 3, 7, 6), 2, 2),
            {"data_format": "channels_first"},
            label="cf",
        ),
        Case("max_pool", (f32(2, 9, 3), 3), {"strides": 2}, label="1d"),
        Case("adaptive_average_pool", (image, (3, 4))),
        Case("adaptive_max_pool", (image, 4)),
        Case(
            "adaptive_average_pool",
            (f32(2, 3, 7, 6), 2),
            {"data_format": "channels_first"},
            label="cf",
        ),
    ]
    + [
        Case(
            "conv_transpose",
            (f32(1, 5, 4, 2), f32(ks, ks, 3, 2)),
            {"strides": s, "padding": p, "output_padding": op, "dilation_rate": d},
            label=f"k{ks}s{s}{p}{op}d{d}",
            tol=1e-4,
        )
        for ks, s, p, op, d in [
            (3, 1, "valid", None, 1),
            (3, 2, "valid", None, 1),
            (2, 3, "valid", None, 1),
            (3, 2, "same", None, 1),
            (4, 2, "same", None, 1),
            (3, 2, "valid", 1, 1),
            (3, 2, "same", 1, 1),
            (4, 3, "same", 2, 1),
            (3, 1, "same", None, 2),
            (2, 1, "valid", None, 2),
        ]
    ]
    + [
        Case(
            "conv_transpose",
            (f32(2, 6, 3), f32(3, 2, 3)),
            {"strides": 2},
            label="1d",
            tol=1e-4,
        ),
        Case(
            "conv_transpose",
            (f32(1, 2, 4, 5), f32(3, 3, 3, 2)),
            {"strides": 2, "padding": "same", "data_format": "channels_first"},
            label="cf",
            tol=1e-4,
        ),
        Case("unfold", (f32(2, 3, 5, 6), 2), {"stride": 1}),
        Case(
            "unfold",
            (f32(1, 2, 6, 6), (2, 3)),
            {"stride": 2, "padding": 1, "dilation": (1, 2)},
            label="args",
        ),
        Case("fold", (f32(2, 12, 20), (5, 6), 2)),
        Case(
            "fold",
            (f32(1, 12, 8), (6, 6), (2, 3)),
            {"stride": 2, "padding": 1, "dilation": (1, 2)},
            label="args",
        ),
        Case("depth_to_space", (f32(2, 3, 2, 8), 2)),
        Case("space_to_depth", (f32(2, 4, 6, 3), 2)),
        Case("depth_to_space", (f32(2, 8, 3, 2), 2, "channels_first"), label="cf"),
        Case("space_to_depth", (f32(2, 3, 4, 6), 2, "channels_first"), label="cf"),
    ]
    # -- normalization and encodings
    + [
        Case(
            "moments",
            (segments, [0, 1]),
            ref=lambda x, a: (x.mean(tuple(a)), x.var(tuple(a))),
        ),
        Case("moments", (segments, [2]), {"keepdims": True}, label="keepdims"),
        Case(
            "batch_normalization",
            (segments, f32(4), pos(4), -1),
            {"offset": f32(4), "scale": f32(4)},
            ref=lambda x, m, v, a, offset, scale: (
                (x - m) / np.sqrt(v + 1e-3) * scale + offset
            ),
        ),
        Case("batch_normalization", (segments, f32(5), pos(5), 1), label="axis1"),
        Case(
            "layer_normalization",
            (segments,),
            {"gamma": f32(4), "beta": f32(4)},
            ref=lambda x, gamma, beta: (
                (x - x.mean(-1, keepdims=True))
                / np.sqrt(x.var(-1, keepdims=True) + 1e-7)
                * gamma
                + beta
            ),
            tol=1e-4,
        ),
        Case(
            "layer_normalization",
            (segments,),
            {"axis": (1, 2), "epsilon": 1e-3},
            label="axes",
        ),
        Case("layer_normalization", (segments,), {"rms_scaling": True}, label="rms"),
        Case(
            "rms_normalization",
            (segments,),
            {"scale": f32(4)},
            ref=lambda x, scale: (
                x / np.sqrt((x**2).mean(-1, keepdims=True) + 1e-7) * scale
            ),
            tol=1e-4,
        ),
        Case(
            "normalize",
            (x34,),
            ref=lambda x: x / np.linalg.norm(x, axis=-1, keepdims=True),
        ),
        Case("normalize", (x34,), {"order": 1, "axis": 0}, label="l1"),
        Case(
            "one_hot",
            (np.array([0, 2, -1, 5]), 4),
            ref=lambda x, n: (
                np.eye(n)[np.clip(x, 0, n - 1)] * ((x >= 0) & (x < n))[:, None]
            ),
        ),
        Case(
            "one_hot",
            (i32(2, 3, low=0, high=4), 4),
            {"axis": 0, "dtype": "int32"},
            label="axis",
        ),
        Case("multi_hot", (np.array([[0, 2], [1, 1]]), 4)),
        Case("multi_hot", (np.array([0, 3]), 4), label="1d"),
        Case("multi_hot", (np.array([[0, 2], [1, 1]]), 4), {"axis": 0}, label="axis"),
        Case(
            "psnr",
            (pos(3, 4), pos(3, 4), 2.0),
            ref=lambda a, b, m: 20 * np.log10(m) - 10 * np.log10(((a - b) ** 2).mean()),
        ),
    ]
    # -- losses
    + [
        Case("binary_crossentropy", (labels, probs), ref=_bce),
        Case(
            "binary_crossentropy",
            (labels, logits),
            {"from_logits": True},
            ref=_bce,
            label="logits",
            tol=1e-4,
        ),
        Case("categorical_crossentropy", (labels, probs), ref=_cce),
        Case(
            "categorical_crossentropy",
            (labels, logits),
            {"from_logits": True},
            ref=_cce,
            label="logits",
        ),
        Case(
            "categorical_crossentropy", (labels.T, probs.T), {"axis": 0}, label="axis0"
        ),
        Case(
            "sparse_categorical_crossentropy",
            (np.array([0, 3, 1, 4]), probs),
            ref=_scce,
        ),
        Case(
            "sparse_categorical_crossentropy",
            (np.array([0, 3, 1, 4]), logits),
            {"from_logits": True},
            ref=_scce,
            label="logits",
        ),
        Case(
            "sparse_categorical_crossentropy",
            (np.array([[0], [3], [1], [4]]), probs),
            label="trailing1",
        ),
        Case(
            "ctc_loss",
            (
                i32(3, 4, low=1, high=5),
                f32(3, 8, 5),
                np.array([4, 2, 3]),
                np.array([8, 6, 7]),
            ),
            tol=1e-4,
        ),
        Case(
            "ctc_loss",
            (
                i32(2, 3, low=0, high=4),
                f32(2, 6, 5),
                np.array([3, 2]),
                np.array([6, 6]),
                4,
            ),
            label="mask4",
            tol=1e-4,
        ),
        Case("ctc_decode", (f32(2, 6, 4), np.array([6, 4]))),
        Case(
            "ctc_decode",
            (f32(2, 6, 4), np.array([6, 4])),
            {"merge_repeated": False, "mask_index": 3},
            label="nomerge",
        ),
        Case(
            "ctc_decode",
            (f32(2, 6, 4), np.array([6, 4])),
            {"strategy": "beam_search", "beam_width": 5, "top_paths": 2},
            label="beam",
            tol=1e-4,
        ),
        Case(
            "ctc_decode",
            (f32(3, 7, 5), np.array([7, 5, 3])),
            {
                "strategy": "beam_search",
                "beam_width": 8,
                "top_paths": 3,
                "mask_index": 4,
            },
            label="beam-mask",
            tol=1e-4,
        ),
    ]
    # -- attention
    + [
        Case("dot_product_attention", (q, k, v), ref=_attention, tol=1e-5),
        Case(
            "dot_product_attention",
            (q, k, v),
            {"is_causal": True},
            ref=_attention,
            label="causal",
        ),
        Case(
            "dot_product_attention",
            (q, k, v),
            {"bias": f32(2, 1, 3, 5), "scale": 0.5},
            ref=_attention,
            label="bias",
        ),
        Case(
            "dot_product_attention",
            (q, k, v),
            {"mask": f32(3, 5) > -1.0},
            ref=_attention,
            label="mask",
        ),
        Case(
            "dot_product_attention",
            (q, k, v),
            {"attn_logits_soft_cap": 1.0},
            ref=_attention,
            keras=False,
            label="softcap",
        ),
    ]
)


@pytest.mark.parametrize("case", **by_ids([c for c in CASES if c.keras]))
def test_matches_keras(case: Case) -> None:
    run_keras(case)


@pytest.mark.parametrize("case", **by_ids([c for c in CASES if c.ref is not None]))
def test_matches_numpy(case: Case) -> None:
    run_numpy(case)


def test_ctc_decode_greedy_collapses_repeats() -> None:
    # Best path per step: 1 1 0 2 2 1 -> labels 1, 2, 1.
    best = [1, 1, 0, 2, 2, 1]
    scores = np.full((1, 6, 3), -5.0, "float32")
    scores[0, np.arange(6), best] = 1.0
    decoded, neg_sum = ops.ctc_decode(scores, np.array([6]))
    np.testing.assert_array_equal(decoded[0, 0], [1, 2, 1, -1, -1, -1])
    np.testing.assert_allclose(neg_sum, [[-6.0]])


def test_ctc_beam_search_finds_best_label_sequence() -> None:
    # Two alignments of "1" (1 0 and 0 1) beat the single best path "0 0".
    probs = np.array([[[0.45, 0.55], [0.55, 0.45]]], "float32")
    decoded, log_probs = ops.ctc_decode(
        np.log(probs), np.array([2]), strategy="beam_search", beam_width=4, top_paths=2
    )
    np.testing.assert_array_equal(decoded[:, 0, 0], [1, -1])
    expected = [np.log(0.55 * 0.55 + 0.55 * 0.45 + 0.45 * 0.45), np.log(0.45 * 0.55)]
    np.testing.assert_allclose(log_probs[0], expected, rtol=1e-5)


def test_ctc_loss_matches_brute_force() -> None:
    # Sum the probability of every alignment that collapses to the target.
    rng = np.random.default_rng(3)
    out = rng.normal(size=(1, 4, 3)).astype("float32")
    target = np.array([[1, 2]])
    p = _softmax(out[0])
    total = 0.0
    for path in itertools.product(range(3), repeat=4):
        collapsed = [
            c for i, c in enumerate(path) if c != 0 and (i == 0 or c != path[i - 1])
        ]
        if collapsed == [1, 2]:
            total += np.prod(p[np.arange(4), path])
    loss = ops.ctc_loss(target, out, np.array([2]), np.array([4]))
    np.testing.assert_allclose(loss, [-np.log(total)], rtol=1e-4)
