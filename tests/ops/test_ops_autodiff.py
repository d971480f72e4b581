"""Ops under autodiff: gradient checks, GradientTape recording, Variable inputs."""

from __future__ import annotations

import dataclasses
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import test_ops_image as image_cases
from ops_cases import f32, pos, seed, spd

import kerax
import kerax.ops as ops

seed(6)


@dataclasses.dataclass
class Grad:
    """Differentiate ``name(*args, **kwargs)`` with respect to ``args[i]``, i in wrt."""

    name: str
    args: tuple
    kwargs: dict = dataclasses.field(default_factory=dict)
    wrt: tuple = (0,)
    pick: Any = None  # selects the differentiable part of a structured output
    eps: float = 1e-2  # finite-difference step (smaller near kinks)

    def fn(self) -> Any:
        op = getattr(ops, self.name) if hasattr(ops, self.name) else None
        op = op or getattr(ops.image, self.name)

        def call(*diff_args: Any) -> Any:
            args = list(self.args)
            for i, value in zip(self.wrt, diff_args):
                args[i] = value
            out = op(*args, **self.kwargs)
            return out if self.pick is None else self.pick(out)

        return call

    @property
    def id(self) -> str:
        return self.name + str(sorted(self.kwargs.items()))


x23, y23, x234 = f32(2, 3), f32(2, 3), f32(2, 3, 4)
image = f32(1, 5, 5, 2)
# Values 0.1 apart: no near-ties for max-like ops, no value near a clip bound.
spaced = (np.random.default_rng(0).permutation(50) / 10.0 - 2.45).astype("float32")
ranked = spaced[:24].reshape(2, 3, 4)
probs = np.array([[0.2, 0.7, 0.1], [0.5, 0.25, 0.25]], "float32")
onehot = np.eye(3, dtype="float32")[[1, 0]]
square = spd(3)
first = lambda out: out[0]  # noqa: E731
real_part = lambda out: out[0] + 2.0 * out[1]  # noqa: E731

GRADS = [
    Grad("add", (x23, y23), wrt=(0, 1)),
    Grad("multiply", (x23, f32(3)), wrt=(0, 1)),
    Grad("divide", (x23, pos(2, 3)), wrt=(0, 1)),
    Grad("power", (pos(2, 3), f32(2, 3)), wrt=(0, 1)),
    Grad("maximum", (spaced[:6].reshape(2, 3), spaced[6:12].reshape(2, 3)), wrt=(0, 1)),
    Grad("logaddexp", (x23, y23), wrt=(0, 1)),
    Grad("exp", (x23,)),
    Grad("log", (pos(2, 3),)),
    Grad("sqrt", (pos(2, 3),)),
    Grad("tanh", (x23,)),
    Grad("sum", (x234,), {"axis": 1}),
    Grad("mean", (x234,), {"axis": (0, 2)}),
    Grad("prod", (pos(2, 3),), {"axis": 0}),
    Grad("std", (x234,), {"axis": -1}),
    Grad("max", (ranked,), {"axis": 2}),
    Grad("logsumexp", (x234,), {"axis": 1}),
    Grad("cumsum", (x23,), {"axis": 1}),
    Grad("cumprod", (pos(2, 3),), {"axis": 1}),
    Grad("median", (ranked,), {"axis": 1}),
    Grad("quantile", (ranked, 0.3), {"axis": 2}),
    Grad("average", (x23,), {"axis": 1, "weights": pos(3)}),
    Grad("sort", (ranked,)),
    Grad("matmul", (f32(2, 3), f32(3, 4)), wrt=(0, 1)),
    Grad("dot", (f32(2, 3), f32(3, 4)), wrt=(0, 1)),
    Grad("einsum", ("ij,jk->ik", f32(2, 3), f32(3, 2)), wrt=(1, 2)),
    Grad("tensordot", (x234, f32(3, 4, 2)), wrt=(0, 1)),
    Grad("kron", (f32(2, 2), f32(2, 3)), wrt=(0, 1)),
    Grad("cross", (f32(2, 3), f32(2, 3)), wrt=(0, 1)),
    Grad("transpose", (x234, (2, 0, 1))),
    Grad("reshape", (x234, (4, 6))),
    Grad("concatenate", ([x23, y23],), {"axis": 1}),
    Grad("stack", ([x23, y23],)),
    Grad("split", (f32(4, 2), 2), pick=first),
    Grad("take", (x234, np.array([2, 0])), {"axis": 1}),
    Grad("take_along_axis", (x23, np.array([[0, 2], [1, 1]])), {"axis": 1}),
    Grad("where", (x23 > 0, x23, y23), wrt=(1, 2)),
    Grad("clip", (spaced[:6].reshape(2, 3), -0.5, 0.5)),
    Grad("pad", (x23, ((1, 0), (2, 1))), {"mode": "reflect"}),
    Grad("roll", (x234, 2), {"axis": 2}),
    Grad("repeat", (x23, 2), {"axis": 1}),
    Grad("trace", (x234,)),
    Grad("diff", (x234,), {"n": 2}),
    Grad("trapezoid", (x23,)),
    Grad("get_item", (x234, (slice(None), 1))),
    Grad("slice", (f32(4, 5), (1, 2), (2, 3))),
    Grad("slice_update", (f32(4, 5), (1, 2), f32(2, 3)), wrt=(0, 2)),
    Grad("scatter", (np.array([[0, 1], [2, 2]]), f32(2), (3, 4)), wrt=(1,)),
    Grad("scatter_update", (f32(4, 3), np.array([[1, 2]]), f32(1)), wrt=(0, 2)),
    # -- nn
    Grad("relu", (x23,)),
    Grad("sigmoid", (x23,)),
    Grad("softmax", (x234,), {"axis": 1}),
    Grad("log_softmax", (x234,)),
    Grad("gelu", (x23,)),
    Grad("elu", (x23,)),
    Grad("silu", (x23,)),
    Grad(
        "sparsemax",
        (np.array([[2.0, 1.3, -0.4, 0.1], [0.2, -0.3, 0.5, 0.4]], "float32"),),
    ),
    Grad("glu", (x234,), {"axis": 2}),
    Grad("conv", (image, f32(3, 3, 2, 3)), {"padding": "same"}, wrt=(0, 1)),
    Grad(
        "conv",
        (f32(1, 6, 2), f32(3, 2, 2)),
        {"strides": 2, "dilation_rate": 1},
        wrt=(0, 1),
    ),
    Grad("depthwise_conv", (image, f32(2, 2, 2, 2)), wrt=(0, 1)),
    Grad("separable_conv", (image, f32(2, 2, 2, 1), f32(1, 1, 2, 3)), wrt=(0, 1, 2)),
    Grad(
        "conv_transpose",
        (image, f32(3, 3, 4, 2)),
        {"strides": 2, "padding": "same"},
        wrt=(0, 1),
    ),
    Grad("max_pool", (spaced.reshape(1, 5, 5, 2), 2, 1)),
    Grad("average_pool", (image, 3, 2), {"padding": "same"}),
    Grad("adaptive_average_pool", (image, 2)),
    Grad("unfold", (f32(1, 2, 4, 4), 2)),
    Grad("fold", (f32(1, 8, 9), (4, 4), 2)),
    Grad(
        "batch_normalization",
        (x234, f32(4), pos(4), -1, f32(4), f32(4)),
        wrt=(0, 1, 2, 4, 5),
    ),
    Grad("layer_normalization", (x234, f32(4), f32(4)), wrt=(0, 1, 2)),
    Grad("rms_normalization", (x234, f32(4)), wrt=(0, 1)),
    Grad("moments", (x234, [0, 1]), pick=lambda out: out[0] + out[1]),
    Grad("normalize", (x234,)),
    Grad("binary_crossentropy", (onehot, probs), wrt=(1,)),
    Grad("binary_crossentropy", (onehot, x23), {"from_logits": True}, wrt=(1,)),
    Grad("categorical_crossentropy", (onehot, probs), wrt=(1,)),
    Grad("categorical_crossentropy", (onehot, x23), {"from_logits": True}, wrt=(1,)),
    Grad(
        "sparse_categorical_crossentropy",
        (np.array([1, 0]), x23),
        {"from_logits": True},
        wrt=(1,),
    ),
    Grad(
        "ctc_loss",
        (np.array([[1, 2]]), f32(1, 5, 3), np.array([2]), np.array([5])),
        wrt=(1,),
    ),
    Grad(
        "dot_product_attention",
        (f32(1, 3, 2, 4), f32(1, 4, 2, 4), f32(1, 4, 2, 4)),
        {"is_causal": True},
        wrt=(0, 1, 2),
    ),
    # -- math and linalg
    Grad("erf", (x23,)),
    Grad("cdist", (f32(3, 2), f32(4, 2)), wrt=(0, 1)),
    Grad("segment_sum", (f32(5, 2), np.array([0, 1, 1, 2, 0]), 3)),
    Grad("segment_max", (spaced[:10].reshape(5, 2), np.array([0, 1, 1, 2, 0]), 3)),
    Grad("top_k", (ranked, 2), pick=first),
    Grad("fft", ((f32(2, 4), f32(2, 4)),), pick=real_part),
    Grad("rfft", (f32(2, 6),), pick=real_part),
    Grad("irfft", ((f32(2, 4), f32(2, 4)),)),
    Grad("stft", (f32(12), 4, 2, 4), pick=real_part),
    Grad("logdet", (square,)),
    Grad("det", (square,)),
    Grad("inv", (square,)),
    Grad("cholesky", (square,)),
    Grad("solve", (square, f32(3, 2)), wrt=(0, 1)),
    Grad("solve_triangular", (np.tril(square), f32(3, 2)), {"lower": True}, wrt=(1,)),
    Grad("lstsq", (f32(4, 3), f32(4, 2)), wrt=(0, 1)),
    Grad("norm", (x23,)),
    Grad("norm", (x23,), {"ord": "fro", "axis": (0, 1)}),
    Grad("svd", (f32(3, 2),), {"compute_uv": False}),
    Grad("eigh", (square,), pick=first),
    Grad("qr", (f32(3, 3),), pick=lambda out: out[0] @ out[1]),
    # -- image
    Grad("resize", (image, (3, 4))),
    Grad(
        "affine_transform",
        (image, np.array([0.9, -0.2, 0.7, 0.2, 0.9, -0.3, 0, 0], "float32")),
    ),
    Grad("map_coordinates", (image[0, :, :, 0], f32(2, 3, low=0.3, high=3.7), 1)),
    Grad("gaussian_blur", (image,)),
    Grad("rgb_to_grayscale", (f32(1, 3, 3, 3),)),
    Grad("extract_patches", (image, 2, 1)),
    Grad(
        "ssim",
        (f32(1, 8, 8, 1, low=0, high=1), f32(1, 8, 8, 1, low=0, high=1)),
        {"filter_size": 3},
        wrt=(0, 1),
    ),
]


def check_gradients(fn: Any, args: tuple, eps: float = 1e-2, tol: float = 3e-2) -> None:
    """Reverse-mode gradients agree with central finite differences.

    Like ``jax.test_util.check_grads(order=1, modes=["rev"])`` along one random
    direction, but compiled as a single program (fast on the CPU).
    """
    rng = np.random.default_rng(0)
    out_shape = jax.eval_shape(fn, *args)
    cotangents = jax.tree_util.tree_map(
        lambda s: jnp.asarray(rng.normal(size=s.shape), s.dtype), out_shape
    )
    directions = jax.tree_util.tree_map(
        lambda a: jnp.asarray(rng.normal(size=a.shape), a.dtype), args
    )

    def scalar(*values):
        outs = jax.tree_util.tree_leaves(fn(*values))
        return sum(
            jnp.sum(o * c) for o, c in zip(outs, jax.tree_util.tree_leaves(cotangents))
        )

    def shifted(sign):
        return jax.tree_util.tree_map(lambda a, d: a + sign * eps * d, args, directions)

    @jax.jit
    def evaluate(values):
        grads = jax.grad(scalar, argnums=tuple(range(len(values))))(*values)
        return grads, scalar(*shifted(1.0)), scalar(*shifted(-1.0))

    grads, plus, minus = evaluate(args)
    analytic = sum(
        jnp.sum(g * d)
        for g, d in zip(
            jax.tree_util.tree_leaves(grads), jax.tree_util.tree_leaves(directions)
        )
    )
    numeric = (plus - minus) / (2 * eps)
    np.testing.assert_allclose(analytic, numeric, rtol=tol, atol=tol)


@pytest.mark.parametrize("case", GRADS, ids=[g.id for g in GRADS])
def test_gradients_match_finite_differences(case: Grad) -> None:
    args = tuple(jax.tree_util.tree_map(jnp.asarray, case.args[i]) for i in case.wrt)
    check_gradients(case.fn(), args, eps=case.eps)


def test_check_gradients_can_fail() -> None:
    @jax.custom_jvp
    def wrong(x):
        return jnp.sin(x)

    wrong.defjvp(lambda primals, tangents: (jnp.sin(primals[0]), 2.0 * tangents[0]))
    with pytest.raises(AssertionError):
        check_gradients(wrong, (jnp.asarray(x23),))


# The recording is the same ``op`` wrapper for every op: a sample per namespace.
TAPED = [
    g
    for g in GRADS
    if g.name
    in {"exp", "sum", "reshape", "get_item", "softmax", "conv", "resize", "logdet"}
    and g.pick is None
    and g.wrt == (0,)
]


@pytest.mark.parametrize("case", TAPED, ids=[g.id for g in TAPED])
def test_tape_records_the_op(case: Grad) -> None:
    weights = jnp.asarray(np.random.default_rng(0).normal(size=(64,)), "float32")
    fn = case.fn()

    def loss_of(out):
        flat = jnp.ravel(jnp.asarray(out))
        return jnp.sum(flat * jnp.resize(weights, flat.shape))

    variable = kerax.Variable(case.args[0])
    with kerax.GradientTape() as tape:
        out = fn(variable)
        flat = ops.reshape(out, (-1,))
        loss = ops.sum(flat * jnp.resize(weights, flat.shape))
    taped = tape.gradient(loss, variable)
    expected = jax.grad(lambda v: loss_of(fn(v)))(jnp.asarray(case.args[0]))
    np.testing.assert_allclose(taped, expected, rtol=1e-5, atol=1e-6)


def test_gradient_tape_example() -> None:
    x = kerax.Variable([1.0, 2.0])
    with kerax.GradientTape() as tape:
        y = ops.sum(ops.square(x))
    np.testing.assert_allclose(tape.gradient(y, x), [2.0, 4.0])


def test_tape_through_nested_ops_and_namespaces() -> None:
    w = kerax.Variable(f32(3, 2))
    x = f32(4, 3)
    with kerax.GradientTape(persistent=True) as tape:
        logits = ops.nn.relu(ops.numpy.matmul(x, w))
        loss = ops.mean(ops.math.logsumexp(logits, axis=1))
        norm = ops.linalg.norm(logits)
    grad = tape.gradient(loss, w)

    def pure(w_value):
        return jnp.mean(jax.nn.logsumexp(jax.nn.relu(x @ w_value), axis=1))

    np.testing.assert_allclose(grad, jax.grad(pure)(jnp.asarray(w.value)), rtol=1e-5)
    assert tape.gradient(norm, w).shape == (3, 2)


def test_tape_inside_kerax_function() -> None:
    w = kerax.Variable([1.0, -2.0, 3.0])

    @kerax.function
    def grad_step():
        with kerax.GradientTape() as tape:
            loss = ops.sum(
                ops.nn.softplus(w) * ops.cond(True, lambda: 2.0, lambda: 1.0)
            )
        return tape.gradient(loss, w)

    expected = 2.0 / (1.0 + np.exp(-np.array([1.0, -2.0, 3.0])))
    np.testing.assert_allclose(grad_step(), expected, rtol=1e-6)
    np.testing.assert_allclose(grad_step(), expected, rtol=1e-6)


def test_image_ops_accept_variables() -> None:
    for case in image_cases.CASES[:12]:
        variable = kerax.Variable(case.args[0], trainable=False)
        plain = getattr(ops.image, case.name)(*case.args, **case.kwargs)
        wrapped = getattr(ops.image, case.name)(variable, *case.args[1:], **case.kwargs)
        np.testing.assert_array_equal(np.asarray(wrapped), np.asarray(plain))


def test_tape_tensors_flow_between_ops() -> None:
    x = kerax.Variable(f32(2, 3))
    with kerax.GradientTape() as tape:
        hidden = ops.tanh(x)
        assert isinstance(hidden, kerax.Tensor)
        y = ops.sum(ops.where(hidden > 0, hidden, 0.0))
    expected = np.where(np.tanh(x.numpy()) > 0, 1 - np.tanh(x.numpy()) ** 2, 0.0)
    np.testing.assert_allclose(tape.gradient(y, x), expected, rtol=1e-5)
