"""Run with 8 simulated CPU devices: fit under DataParallel equals fit on one device."""

import os

os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=8"
os.environ.setdefault("KERAX_COMPILATION_CACHE", "0")

import numpy as np  # noqa: E402

import kerax  # noqa: E402


def run(distribution):
    kerax.utils.set_random_seed(0)
    model = kerax.Sequential(
        [
            kerax.Input((6,)),
            kerax.layers.Dense(16, activation="relu"),
            kerax.layers.Dense(1),
        ]
    )
    model.compile(kerax.optimizers.Adam(0.01), "mse", metrics=["mae"])
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 6)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    if distribution is not None:
        kerax.distribution.set_distribution(distribution)
    try:
        history = model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
        loss = model.evaluate(x, y, batch_size=16, verbose=0)
    finally:
        kerax.distribution.set_distribution(None)
    return (
        history.history["loss"],
        loss,
        model.get_weights(),
        model.layers[0].kernel.value.sharding,
    )


single_losses, single_eval, single_weights, _ = run(None)
dp_losses, dp_eval, dp_weights, sharding = run(kerax.distribution.DataParallel())
np.testing.assert_allclose(dp_losses, single_losses, rtol=1e-5)
np.testing.assert_allclose(dp_eval, single_eval, rtol=1e-5)
for a, b in zip(dp_weights, single_weights):
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
print("devices", len(sharding.device_set))
print("OK")
