"""A TensorFlow-style custom training loop: ``GradientTape`` + ``kerax.function``.

``import kerax as tf`` gives the names a TensorFlow user expects. The step is
compiled once by ``tf.function`` (kerax.function) and then runs as one XLA call;
Python code inside it (like ``print``) runs only while tracing.
"""

import numpy as np

import kerax as tf


def make_data(n: int) -> tuple[np.ndarray, np.ndarray]:
    """y = sin(x0) + x1 * x2 with noise."""
    rng = np.random.default_rng(0)
    x = rng.uniform(-2, 2, size=(n, 3)).astype("float32")
    y = np.sin(x[:, :1]) + x[:, 1:2] * x[:, 2:3]
    return x, (y + 0.05 * rng.normal(size=y.shape)).astype("float32")


def main(fast: bool = False) -> list[float]:
    """Train with a hand-written loop; return the mean loss of each epoch."""
    tf.keras.utils.set_random_seed(0)
    x, y = make_data(512 if fast else 4096)
    model = tf.keras.Sequential(
        [
            tf.keras.Input(shape=(3,)),
            tf.keras.layers.Dense(64, activation="relu"),
            tf.keras.layers.Dense(64, activation="relu"),
            tf.keras.layers.Dense(1),
        ]
    )
    optimizer = tf.keras.optimizers.Adam(learning_rate=3e-3)
    loss_fn = tf.keras.losses.MeanSquaredError()
    mean_loss = tf.keras.metrics.Mean()

    @tf.function
    def train_step(x_batch, y_batch):
        print("tracing train_step")  # Python side effects run at trace time only
        with tf.GradientTape() as tape:
            loss = loss_fn(y_batch, model(x_batch, training=True))
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        mean_loss.update_state(loss)
        return loss

    history = []
    batch = 64
    for epoch in range(3 if fast else 30):
        mean_loss.reset_state()
        for start in range(0, len(x), batch):
            train_step(x[start : start + batch], y[start : start + batch])
        history.append(float(mean_loss.result()))
        if not fast or epoch == 0:
            print(f"epoch {epoch + 1}: loss {history[-1]:.4f}")
    return history


if __name__ == "__main__":
    main()
