"""Losses under GradientTape, jax.grad and jit: recorded, finite, compiled."""

from __future__ import annotations

import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from loss_cases import CASES

import kerax
from kerax import losses


def test_gradient_tape_records_a_loss_object(rng):
    x = jnp.asarray(rng.normal(size=(5, 3)).astype("float32"))
    y = rng.normal(size=(5, 1)).astype("float32")
    w = kerax.Variable(np.ones((3, 1), "float32"))
    with kerax.GradientTape() as tape:
        loss = losses.MeanSquaredError()(y, x @ w)
    grad = tape.gradient(loss, w)
    analytic = 2.0 / 5.0 * x.T @ (x @ np.ones((3, 1)) - y)
    np.testing.assert_allclose(np.asarray(grad), analytic, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(
        float(loss.numpy()), np.mean((x @ np.ones((3, 1)) - y) ** 2), rtol=1e-6
    )


def test_gradient_tape_sees_numpy_matmul_variable(rng):
    x = rng.normal(size=(5, 3)).astype("float32")
    w = kerax.Variable(np.ones((3, 1), "float32"))
    with kerax.GradientTape() as tape:
        loss = losses.MeanSquaredError()(np.zeros((5, 1), "float32"), x @ w)
    assert tape.gradient(loss, w) is not None


def test_gradient_tape_records_functions_and_sample_weights(rng):
    x = jnp.asarray(rng.normal(size=(4, 2)).astype("float32"))
    labels = np.array([0, 1, 1, 0])
    w = kerax.Variable(rng.normal(size=(2, 2)).astype("float32"))
    weight = kerax.Variable(np.array([1.0, 2.0, 0.5, 0.0], "float32"))
    with kerax.GradientTape(persistent=True) as tape:
        per_sample = losses.sparse_categorical_crossentropy(
            labels, x @ w, from_logits=True
        )
        total = losses.SparseCategoricalCrossentropy(from_logits=True)(
            labels, x @ w, sample_weight=weight
        )

    def reference(w_value, weight_value):
        logp = jax.nn.log_softmax(x @ w_value)
        values = -logp[np.arange(4), labels]
        return jnp.sum(values * weight_value) / 4

    grad_w, grad_weight = tape.gradient(total, [w, weight])
    want_w, want_weight = jax.grad(reference, argnums=(0, 1))(w.value, weight.value)
    np.testing.assert_allclose(np.asarray(grad_w), want_w, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(grad_weight), want_weight, rtol=1e-5)
    grad_sum = tape.gradient(per_sample, w)
    want_sum = jax.grad(lambda v: reference(v, jnp.full(4, 4.0)))(w.value)
    np.testing.assert_allclose(np.asarray(grad_sum), want_sum, rtol=1e-5, atol=1e-6)


def test_tape_gradient_inside_kerax_function_matches_eager(rng):
    x = jnp.asarray(rng.normal(size=(6, 3)).astype("float32"))
    y = rng.integers(0, 2, (6, 1)).astype("float32")
    w = kerax.Variable(rng.normal(size=(3, 1)).astype("float32"))
    loss_fn = losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1)

    def step(x, y):
        with kerax.GradientTape() as tape:
            loss = loss_fn(y, x @ w)
        return loss, tape.gradient(loss, w)

    eager_loss, eager_grad = step(x, y)
    compiled_loss, compiled_grad = kerax.function(step)(x, y)
    np.testing.assert_allclose(float(compiled_loss), float(eager_loss), rtol=1e-6)
    np.testing.assert_allclose(
        np.asarray(compiled_grad), np.asarray(eager_grad), rtol=1e-5, atol=1e-7
    )


def _distinct_formulas():
    """One case per loss class and logits/probabilities input."""
    seen, cases = set(), []
    for case in CASES:
        key = (case.cls, case.kwargs.get("from_logits", False))
        if key not in seen:
            seen.add(key)
            cases.append(case)
    return cases


@pytest.mark.parametrize("case", _distinct_formulas(), ids=lambda c: c.id)
def test_gradients_are_finite(case, rng):
    y_true, y_pred = case.make(rng)
    loss = getattr(losses, case.cls)(**case.kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        value, grad = jax.jit(jax.value_and_grad(lambda p: loss(y_true, p)))(y_pred)
    assert np.isfinite(float(value))
    assert np.all(np.isfinite(np.asarray(grad)))
    assert np.any(np.asarray(grad) != 0)


def test_gradients_finite_at_clipping_edges():
    """Probabilities of exactly 0 and 1 and all-masked circle rows stay finite."""
    y_pred = np.array([[0.0, 1.0], [1.0, 0.0]], "float32")
    y_true = np.array([[0.0, 1.0], [0.0, 1.0]], "float32")
    for loss in (
        losses.BinaryCrossentropy(),
        losses.CategoricalCrossentropy(),
        losses.KLDivergence(),
        losses.BinaryFocalCrossentropy(),
        losses.CategoricalFocalCrossentropy(),
    ):
        grad = jax.jit(jax.grad(lambda p, loss=loss: loss(y_true, p)))(y_pred)
        assert np.all(np.isfinite(np.asarray(grad))), loss.name
    labels = np.array([0, 1, 2], "int32")  # no positive pairs at all
    emb = np.eye(3, dtype="float32")
    value, grad = jax.value_and_grad(lambda e: losses.Circle()(labels, e))(emb)
    assert float(value) == 0.0 and np.all(np.isfinite(np.asarray(grad)))


def test_ignore_class_gradient_is_zero_for_ignored_samples(rng):
    labels = np.array([0, -1, 2])
    probs = rng.uniform(0.1, 1.0, (3, 3)).astype("float32")
    loss = losses.SparseCategoricalCrossentropy(ignore_class=-1)
    grad = np.asarray(jax.grad(lambda p: loss(labels, p))(probs))
    assert np.all(np.isfinite(grad))
    assert np.all(grad[1] == 0) and np.any(grad[0] != 0)


def test_losses_compile_under_jit(rng):
    y_true, y_pred = rng.normal(size=(2, 4, 3)).astype("float32")
    loss = losses.Huber(delta=0.5, reduction="sum")
    compiled = jax.jit(lambda t, p: loss(t, p))
    np.testing.assert_allclose(
        float(compiled(y_true, y_pred)), float(loss(y_true, y_pred)), rtol=1e-6
    )
