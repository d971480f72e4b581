"""Customizing fit(): overridden train_step/test_step, metrics and losses in call."""

import numpy as np

import kerax
import kerax as tf
from kerax import layers


def _data(n=64):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 4)).astype("float32")
    return x, (x @ np.array([[1.0], [-2.0], [0.5], [3.0]], "float32"))


class TapeModel(kerax.Model):
    """The Keras guide's pattern, TensorFlow style, run compiled by fit."""

    def __init__(self):
        super().__init__()
        self.hidden = layers.Dense(16, activation="relu")
        self.out = layers.Dense(1)
        self.loss_tracker = kerax.metrics.Mean(name="loss")
        self.mae_metric = kerax.metrics.MeanAbsoluteError(name="mae")

    def call(self, x, training=False):
        return self.out(self.hidden(x))

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = tf.reduce_mean(tf.square(y - y_pred))
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        self.loss_tracker.update_state(loss)
        self.mae_metric.update_state(y, y_pred)
        return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}

    def test_step(self, data):
        x, y = data
        y_pred = self(x, training=False)
        self.loss_tracker.update_state(tf.reduce_mean(tf.square(y - y_pred)))
        self.mae_metric.update_state(y, y_pred)
        return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}

    @property
    def metrics(self):
        return [self.loss_tracker, self.mae_metric]


def test_overridden_train_step_runs_compiled_and_learns():
    x, y = _data()
    model = TapeModel()
    model.compile(optimizer=tf.keras.optimizers.Adam(0.02))
    history = model.fit(x, y, batch_size=16, epochs=8, verbose=0)
    assert sorted(history.history) == ["loss", "mae"]
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    step = model._step("train")
    assert step.jit and step.trace_count >= 1
    traces = step.trace_count
    model.fit(x, y, batch_size=16, epochs=2, verbose=0)
    assert model._step("train").trace_count == traces
    result = model.evaluate(x, y, verbose=0, return_dict=True)
    prediction = model.predict(x, verbose=0)
    np.testing.assert_allclose(
        result["loss"], np.mean((y - prediction) ** 2), rtol=1e-4
    )
    np.testing.assert_allclose(
        result["mae"], np.mean(np.abs(y - prediction)), rtol=1e-4
    )


def test_tape_train_step_matches_default_fit():
    x, y = _data()

    def build(cls):
        kerax.utils.set_random_seed(5)
        model = cls(
            [kerax.Input((4,)), layers.Dense(8, activation="tanh"), layers.Dense(1)]
        )
        model.compile(tf.keras.optimizers.SGD(0.05), "mse")
        return model

    class TapeSequential(kerax.Sequential):
        def train_step(self, data):
            x, y = data
            with tf.GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = self.compute_loss(x=x, y=y, y_pred=y_pred)
            grads = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply(grads, self.trainable_variables)
            self._loss_tracker.update_state(loss)
            return self.compute_metrics(x, y, y_pred)

    default = build(kerax.Sequential).fit(
        x, y, batch_size=16, epochs=3, shuffle=False, verbose=0
    )
    custom = build(TapeSequential).fit(
        x, y, batch_size=16, epochs=3, shuffle=False, verbose=0
    )
    np.testing.assert_allclose(
        custom.history["loss"], default.history["loss"], rtol=1e-5
    )


class ActivityTracker(layers.Layer):
    """A layer that updates a metric and adds a loss inside call."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.mean_activation = kerax.metrics.Mean(name="mean_activation")

    def call(self, x):
        self.mean_activation.update_state(tf.reduce_mean(x))
        self.add_loss(0.1 * tf.reduce_mean(tf.square(x)))
        return x


def test_metrics_and_losses_inside_call_work_in_fit_and_function():
    x, y = _data()
    model = kerax.Sequential(
        [kerax.Input((4,)), layers.Dense(3), ActivityTracker(), layers.Dense(1)]
    )
    model.compile("sgd", "mse")
    history = model.fit(x, y, epochs=2, verbose=0)
    assert "mean_activation" in history.history
    hidden = model.layers[1]
    activations = x @ model.layers[0].kernel.numpy() + model.layers[0].bias.numpy()
    hidden.mean_activation.reset_state()
    result = model.evaluate(x, y, verbose=0, return_dict=True)
    np.testing.assert_allclose(
        result["mean_activation"], np.mean(activations), rtol=1e-4
    )
    penalty = 0.1 * np.mean(activations**2)
    mse = np.mean((model.predict(x, verbose=0) - y) ** 2)
    np.testing.assert_allclose(result["loss"], mse + penalty, rtol=1e-4)

    optimizer = tf.keras.optimizers.SGD(0.01)

    @tf.function
    def step(xb, yb):
        with tf.GradientTape() as tape:
            pred = model(xb, training=True)
            loss = tf.reduce_mean(tf.square(yb - pred)) + tf.add_n(model.losses)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    before = float(step(x, y))
    for _ in range(20):
        after = float(step(x, y))
    assert after < before
    # Losses added while tracing stay inside the trace; an eager call sets them.
    assert model.losses == []
    model(x)
    assert len(model.losses) == 1 and np.isfinite(float(model.losses[0]))


def test_compiled_loss_and_compiled_metrics_in_a_custom_step():
    x, y = _data()

    class GuideModel(kerax.Sequential):
        def train_step(self, data):
            x, y = data
            with tf.GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = self.compiled_loss(y, y_pred)
            grads = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
            self.compiled_metrics.update_state(y, y_pred)
            return {**self.compiled_metrics.result(), "loss": loss}

    model = GuideModel([kerax.Input((4,)), layers.Dense(1)])
    model.compile(tf.keras.optimizers.SGD(0.05), "mse", metrics=["mae"])
    history = model.fit(x, y, epochs=4, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert "mae" in history.history


class GAN(kerax.Model):
    """Keras's GAN example pattern: no call(), its own optimizers and trackers."""

    def __init__(self):
        super().__init__()
        self.generator = kerax.Sequential(
            [layers.Dense(8, activation="relu"), layers.Dense(2)]
        )
        self.discriminator = kerax.Sequential(
            [layers.Dense(8, activation="relu"), layers.Dense(1)]
        )
        self.d_loss_tracker = kerax.metrics.Mean(name="d_loss")
        self.g_loss_tracker = kerax.metrics.Mean(name="g_loss")

    def compile(self, d_optimizer, g_optimizer, loss_fn):
        super().compile()
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.loss_fn = loss_fn

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker]

    def train_step(self, real):
        if isinstance(real, tuple):
            real = real[0]
        noise = kerax.random.normal((real.shape[0], 4))
        with tf.GradientTape() as tape:
            fake = self.generator(noise)
            logits_real = self.discriminator(real)
            logits_fake = self.discriminator(fake)
            d_loss = self.loss_fn(
                tf.ones_like(logits_real), logits_real
            ) + self.loss_fn(tf.zeros_like(logits_fake), logits_fake)
        grads = tape.gradient(d_loss, self.discriminator.trainable_variables)
        self.d_optimizer.apply_gradients(
            zip(grads, self.discriminator.trainable_variables)
        )
        with tf.GradientTape() as tape:
            logits = self.discriminator(self.generator(noise))
            g_loss = self.loss_fn(tf.ones_like(logits), logits)
        grads = tape.gradient(g_loss, self.generator.trainable_variables)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_variables))
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        return {
            "d_loss": self.d_loss_tracker.result(),
            "g_loss": self.g_loss_tracker.result(),
        }


def test_keras_gan_pattern_with_its_own_optimizers_fits():
    gan = GAN()
    gan.compile(
        tf.keras.optimizers.Adam(1e-3),
        tf.keras.optimizers.Adam(1e-3),
        tf.keras.losses.BinaryCrossentropy(from_logits=True),
    )
    real = np.random.default_rng(0).normal(loc=3, size=(128, 2)).astype("float32")
    history = gan.fit(real, batch_size=32, epochs=2, verbose=0)
    assert sorted(history.history) == ["d_loss", "g_loss"]
    assert int(gan.g_optimizer.iterations.numpy()) == 8


def test_functional_fit_with_dicts_keyed_by_names():
    zeta = kerax.Input((6,), name="zeta")
    alpha = kerax.Input((1,), name="alpha")
    merged = layers.Concatenate()([zeta, alpha])
    out = layers.Dense(3, activation="softmax", name="label")(merged)
    model = kerax.Model([zeta, alpha], out)
    model.compile("adam", "sparse_categorical_crossentropy")
    rng = np.random.default_rng(0)
    x = {
        "zeta": rng.normal(size=(32, 6)).astype("float32"),
        "alpha": np.ones((32, 1), "float32"),
    }
    y = {"label": rng.integers(0, 3, size=(32,))}
    history = model.fit(x, y, epochs=2, verbose=0)
    np.testing.assert_allclose(
        model.predict(x, verbose=0), model.predict([x["zeta"], x["alpha"]], verbose=0)
    )
    assert len(history.history["loss"]) == 2
