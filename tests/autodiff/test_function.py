"""kerax.function: compiled custom loops that read and write Variables."""

import jax
import numpy as np
import pytest

import kerax
import kerax as tf  # the TensorFlow-style spelling the docs promise


def _batches(n=64, batch=16, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 5)).astype("float32")
    y = (x @ rng.normal(size=(5, 1))).astype("float32")
    return x, y, [(x[i : i + batch], y[i : i + batch]) for i in range(0, n, batch)]


def _model():
    kerax.utils.set_random_seed(7)
    return tf.keras.Sequential(
        [tf.keras.layers.Dense(16, activation="relu"), tf.keras.layers.Dense(1)]
    )


def _train_custom(compiled: bool, epochs: int = 3):
    x, y, batches = _batches()
    model = _model()
    optimizer = tf.keras.optimizers.Adam(0.01)

    def train_step(xb, yb):
        with tf.GradientTape() as tape:
            predictions = model(xb, training=True)
            loss = tf.reduce_mean(tf.keras.losses.mse(yb, predictions))
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        return loss

    step = tf.function(train_step) if compiled else train_step
    losses = []
    for _ in range(epochs):
        for xb, yb in batches:
            losses.append(float(step(xb, yb)))
    return losses, model, step


def test_readme_custom_loop_compiled_matches_eager():
    eager, model_a, _ = _train_custom(False)
    compiled, model_b, step = _train_custom(True)
    np.testing.assert_allclose(compiled, eager, rtol=1e-5, atol=1e-6)
    for a, b in zip(model_a.get_weights(), model_b.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert step.trace_count == 1  # one signature, one trace
    assert compiled[-1] < compiled[0]


def test_custom_loop_matches_fit():
    custom, _, _ = _train_custom(True, epochs=2)
    x, y, _ = _batches()
    model = _model()
    model.compile(tf.keras.optimizers.Adam(0.01), "mse")
    history = model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    per_epoch = np.asarray(custom).reshape(2, -1).mean(axis=1)
    np.testing.assert_allclose(history.history["loss"], per_epoch, rtol=1e-5)


def test_retrace_on_new_shape_and_python_argument():
    v = kerax.Variable(0.0)

    @kerax.function
    def bump(x, scale):
        v.assign_add(tf.reduce_sum(x) * scale)
        return v.value

    bump(np.ones(2, "float32"), 1.0)
    bump(np.ones(2, "float32"), 1.0)
    assert bump.trace_count == 1
    bump(np.ones(3, "float32"), 1.0)
    assert bump.trace_count == 2
    assert float(bump(np.ones(3, "float32"), 2.0)) == 2 + 2 + 3 + 6
    assert bump.trace_count == 3


def test_variables_created_on_first_call_and_rng_state():
    layer = tf.keras.layers.Dropout(0.5, seed=1)
    dense = tf.keras.layers.Dense(3)

    @kerax.function
    def f(x):
        return layer(dense(x), training=True)

    x = np.ones((4, 2), "float32")
    first = np.asarray(f(x))
    second = np.asarray(f(x))
    assert dense.built
    assert not np.array_equal(first == 0, second == 0)  # RNG state advanced


def test_creating_variables_after_first_trace_is_an_error():
    made = []

    @kerax.function
    def f(x):
        if len(made) >= 1:
            made.append(kerax.Variable(1.0))
        else:
            made.append(None)
        return x * 2

    with pytest.raises(RuntimeError, match="created inside a compiled function"):
        f(np.ones(2, "float32"))
        f(np.ones(2, "float32"))


def test_batchnorm_statistics_update_inside_function():
    bn = tf.keras.layers.BatchNormalization()

    @kerax.function
    def f(x):
        return bn(x, training=True)

    x = np.random.default_rng(0).normal(size=(16, 3)).astype("float32") + 5
    f(x)
    f(x)
    assert np.all(bn.moving_mean.numpy() > 0.05)


def test_gan_style_two_optimizers():
    kerax.utils.set_random_seed(3)
    generator = tf.keras.Sequential(
        [tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(2)]
    )
    discriminator = tf.keras.Sequential(
        [tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(1)]
    )
    g_opt = tf.keras.optimizers.Adam(1e-2)
    d_opt = tf.keras.optimizers.Adam(1e-2)
    bce = tf.keras.losses.BinaryCrossentropy(from_logits=True)
    real = np.random.default_rng(0).normal(loc=3.0, size=(32, 2)).astype("float32")

    @tf.function
    def step(noise):
        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
            fake = generator(noise, training=True)
            real_logits = discriminator(real, training=True)
            fake_logits = discriminator(fake, training=True)
            d_loss = bce(tf.ones_like(real_logits), real_logits) + bce(
                tf.zeros_like(fake_logits), fake_logits
            )
            g_loss = bce(tf.ones_like(fake_logits), fake_logits)
        g_opt.apply_gradients(
            zip(
                g_tape.gradient(g_loss, generator.trainable_variables),
                generator.trainable_variables,
            )
        )
        d_opt.apply_gradients(
            zip(
                d_tape.gradient(d_loss, discriminator.trainable_variables),
                discriminator.trainable_variables,
            )
        )
        return g_loss, d_loss

    rng = np.random.default_rng(1)
    start = np.asarray(generator(rng.normal(size=(256, 4)).astype("float32"))).mean()
    for _ in range(150):
        step(rng.normal(size=(32, 4)).astype("float32"))
    end = np.asarray(generator(rng.normal(size=(256, 4)).astype("float32"))).mean()
    assert abs(end - 3.0) < abs(start - 3.0)


def test_value_and_grad_of_variables():
    w = kerax.Variable(np.array([1.0, 2.0], "float32"))
    b = kerax.Variable(0.5)
    value, grads = kerax.value_and_grad(
        lambda: tf.reduce_sum(w * w) + b, {"w": w, "b": b}
    )()
    assert float(value) == 5.5
    np.testing.assert_allclose(grads["w"], [2.0, 4.0])
    assert float(grads["b"]) == 1.0
    jitted = jax.jit(lambda: kerax.grad(lambda: tf.reduce_sum(w * w), [w])()[0])
    np.testing.assert_allclose(jitted(), [2.0, 4.0])
