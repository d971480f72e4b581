"""GradientTape semantics, checked against jax.grad and finite differences."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import kerax
import kerax.ops as ops


def test_scalar_gradient_matches_readme():
    x = kerax.Variable(3.0)
    with kerax.GradientTape() as tape:
        y = x**2
    assert tape.gradient(y, x).numpy() == 6.0


def test_ops_and_layers_match_jax_grad():
    rng = np.random.default_rng(0)
    w0 = rng.normal(size=(4, 3)).astype("float32")
    x = rng.normal(size=(5, 4)).astype("float32")
    w = kerax.Variable(w0)
    with kerax.GradientTape() as tape:
        loss = ops.mean(ops.tanh(ops.matmul(x, w)) ** 2)
    got = tape.gradient(loss, w)
    want = jax.grad(lambda a: jnp.mean(jnp.tanh(x @ a) ** 2))(w0)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)


def test_finite_differences_through_a_dense_layer():
    layer = kerax.layers.Dense(2, activation="sigmoid")
    x = np.random.default_rng(1).normal(size=(3, 4)).astype("float32")
    layer(x)
    with kerax.GradientTape() as tape:
        loss = ops.sum(layer(x) ** 2)
    grad = np.asarray(tape.gradient(loss, layer.kernel), "float64")
    kernel = layer.kernel.numpy().astype("float64")
    eps = 1e-3
    for index in [(0, 0), (2, 1), (3, 0)]:
        bumped = kernel.copy()
        bumped[index] += eps
        plus = np.sum((1 / (1 + np.exp(-(x @ bumped + layer.bias.numpy())))) ** 2)
        bumped[index] -= 2 * eps
        minus = np.sum((1 / (1 + np.exp(-(x @ bumped + layer.bias.numpy())))) ** 2)
        assert abs((plus - minus) / (2 * eps) - grad[index]) < 1e-3


def test_persistent_non_persistent_and_structures():
    a = kerax.Variable(2.0)
    b = kerax.Variable(5.0)
    with kerax.GradientTape(persistent=True) as tape:
        y = a * b + a
    grads = tape.gradient(y, {"a": a, "pair": [b, a]})
    assert float(grads["a"]) == 6.0 and float(grads["pair"][0]) == 2.0
    assert float(tape.gradient(y, b)) == 2.0
    with kerax.GradientTape() as once:
        z = a * a
    once.gradient(z, a)
    with pytest.raises(RuntimeError, match="non-persistent"):
        once.gradient(z, a)


def test_unconnected_sources_and_zero_option():
    a = kerax.Variable(1.0)
    b = kerax.Variable(1.0)
    with kerax.GradientTape(persistent=True) as tape:
        y = a * 3.0
    assert tape.gradient(y, [a, b])[1] is None
    assert float(tape.gradient(y, b, unconnected_gradients="zero")) == 0.0


def test_watch_constants_and_watch_accessed_variables():
    x = kerax.constant([1.0, 2.0])
    v = kerax.Variable(4.0)
    with kerax.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(x)
        y = ops.sum(x * x) * v
    grads = tape.gradient(y, [x, v])
    np.testing.assert_allclose(grads[0], [8.0, 16.0])
    assert grads[1] is None
    assert tape.watched_variables() == []


def test_list_and_non_scalar_targets_are_summed():
    x = kerax.Variable([1.0, 2.0])
    with kerax.GradientTape() as tape:
        y1 = x * 2.0
        y2 = x * x
    np.testing.assert_allclose(tape.gradient([y1, y2], x), [4.0, 6.0])


def test_output_gradients():
    x = kerax.Variable([1.0, 2.0])
    with kerax.GradientTape() as tape:
        y = x * x
    np.testing.assert_allclose(
        tape.gradient(y, x, output_gradients=[1.0, 0.5]), [2.0, 2.0]
    )


def test_stop_recording():
    x = kerax.Variable(3.0)
    with kerax.GradientTape() as tape:
        y = x * x
        with tape.stop_recording():
            z = x * 100.0
        total = y + z
    assert float(tape.gradient(total, x)) == 6.0


def test_second_derivative_with_nested_tapes():
    x = kerax.Variable(2.0)
    with kerax.GradientTape() as outer:
        with kerax.GradientTape() as inner:
            y = x**3
        dy = inner.gradient(y, x)
    assert float(dy) == 12.0
    assert float(outer.gradient(dy, x)) == 12.0  # 6x


def test_second_derivative_through_a_captured_constant():
    x = kerax.Variable(3.0)
    w = kerax.Variable(2.0)
    with kerax.GradientTape() as outer:
        with kerax.GradientTape() as inner:
            z = w * x * x
        dz_dx = inner.gradient(z, x)  # 2 w x
    assert float(outer.gradient(dz_dx, w)) == 6.0  # 2 x


def test_jacobian_and_batch_jacobian():
    x = kerax.constant(np.arange(6, dtype="float32").reshape(2, 3))
    with kerax.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
    jac = tape.jacobian(y, x)
    assert jac.shape == (2, 3, 2, 3)
    np.testing.assert_allclose(jac[1, 2, 1, 2], 10.0)
    bj = tape.batch_jacobian(y, x)
    assert bj.shape == (2, 3, 3)
    np.testing.assert_allclose(np.diagonal(bj, axis1=1, axis2=2), 2 * np.asarray(x))


def test_errors_name_the_problem():
    x = kerax.Variable(1.0)
    with kerax.GradientTape() as tape:
        y = jnp.asarray(2.0)  # not computed from anything the tape saw
    with pytest.raises(ValueError, match="not computed under this tape"):
        tape.gradient(y, x)
    ints = kerax.Variable(np.arange(3))
    with kerax.GradientTape() as tape:
        y = x * 2.0
    with pytest.raises(ValueError, match="not differentiable"):
        tape.gradient(y, ints)


def test_dropout_and_batchnorm_train_mode_gradients_match_jax():
    model = kerax.Sequential(
        [kerax.Input((4,)), kerax.layers.Dense(3), kerax.layers.Dropout(0.5, seed=3)]
    )
    x = np.ones((8, 4), "float32")
    with kerax.GradientTape() as tape:
        out = model(x, training=True)
        loss = ops.sum(out)
    grads = tape.gradient(loss, model.trainable_variables)
    kept = np.asarray(out) != 0  # the mask the tape saw
    expected_bias = kept.sum(axis=0) * 2.0
    np.testing.assert_allclose(grads[1], expected_bias, rtol=1e-6)
