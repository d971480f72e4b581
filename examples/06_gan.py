"""A tiny GAN that learns a 2-D ring, trained with two tapes in ``kerax.function``.

Two models, two optimizers, two ``GradientTape``s per step; the whole step is
one compiled function. (A ``Model.train_step`` override that keeps its own
optimizers as attributes is not supported by kerax's ``fit`` yet, so the loop is
written by hand — which is also the clearest way to read a GAN.)
"""

import numpy as np

import kerax as keras
from kerax import layers, ops

LATENT = 4


def ring(n: int, seed: int = 0) -> np.ndarray:
    """Points near the unit circle."""
    rng = np.random.default_rng(seed)
    angle = rng.uniform(0, 2 * np.pi, size=n)
    radius = 1.0 + 0.05 * rng.normal(size=n)
    points = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    return points.astype("float32")


def mlp(inputs: int, outputs: int, name: str) -> keras.Sequential:
    """Two hidden layers of 32 units."""
    return keras.Sequential(
        [
            keras.Input((inputs,)),
            layers.Dense(32, activation="relu"),
            layers.Dense(32, activation="relu"),
            layers.Dense(outputs),
        ],
        name=name,
    )


def main(fast: bool = False) -> float:
    """Train the GAN; return the mean distance of generated points from the ring."""
    keras.utils.set_random_seed(0)
    generator = mlp(LATENT, 2, "generator")
    discriminator = mlp(2, 1, "discriminator")
    d_optimizer = keras.optimizers.Adam(2e-3)
    g_optimizer = keras.optimizers.Adam(2e-3)
    loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)
    seed = keras.random.SeedGenerator(7)

    @keras.function
    def train_step(real):
        batch = real.shape[0]
        noise = keras.random.normal((batch, LATENT), seed=seed)
        points = ops.concatenate([generator(noise), real], axis=0)
        labels = ops.concatenate([ops.zeros((batch, 1)), ops.ones((batch, 1))], 0)
        with keras.GradientTape() as tape:
            d_loss = loss_fn(labels, discriminator(points))
        weights = discriminator.trainable_variables
        d_optimizer.apply_gradients(zip(tape.gradient(d_loss, weights), weights))

        noise = keras.random.normal((batch, LATENT), seed=seed)
        with keras.GradientTape() as tape:
            verdict = discriminator(generator(noise))
            g_loss = loss_fn(ops.ones((batch, 1)), verdict)
        weights = generator.trainable_variables
        g_optimizer.apply_gradients(zip(tape.gradient(g_loss, weights), weights))
        return d_loss, g_loss

    data = ring(512 if fast else 8192)
    batch = 64
    for epoch in range(1 if fast else 20):
        for start in range(0, len(data), batch):
            d_loss, g_loss = train_step(data[start : start + batch])
        if not fast:
            print(
                f"epoch {epoch + 1}: d_loss {float(d_loss):.3f} g_loss {float(g_loss):.3f}"
            )
    noise = np.random.default_rng(1).normal(size=(500, LATENT)).astype("float32")
    samples = generator.predict(noise, verbose=0)
    error = float(np.mean(np.abs(np.linalg.norm(samples, axis=1) - 1.0)))
    print(f"mean distance of generated points from the unit circle: {error:.3f}")
    return error


if __name__ == "__main__":
    main()
