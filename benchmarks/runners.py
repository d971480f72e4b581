"""One function per implementation; each returns throughput and first-step time.

Throughput is measured twice over the epochs after the first: per wall-clock
second (``samples_per_s``) and per second of CPU time the process used
(``samples_per_cpu_s``, from ``getrusage``: all threads). On a shared machine
the second is the steadier measure of how much work a step costs.
"""

from __future__ import annotations

import resource
import time
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax

from benchmarks.jax_models import MODELS
from benchmarks.workloads import Workload


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _result(samples: int, times, cpu_times, first: float, loss) -> dict:
    return {
        "samples_per_s": samples / float(np.median(times)),
        "samples_per_cpu_s": samples / float(np.median(cpu_times)),
        "first_epoch_s": first,
        "final_loss": float(loss),
    }


def _timed_epochs(run_epoch, samples: int, epochs: int) -> dict:
    start = time.perf_counter()
    loss = run_epoch()
    first = time.perf_counter() - start
    times, cpu_times = [], []
    for _ in range(epochs):
        start, cpu = time.perf_counter(), _cpu_s()
        loss = run_epoch()
        times.append(time.perf_counter() - start)
        cpu_times.append(_cpu_s() - cpu)
    return _result(samples, times, cpu_times, first, loss)


def fit_runner(
    lib: Any, build, workload: Workload, x, y, epochs: int, **compile_kw
) -> dict:
    """One ``model.fit`` call of ``epochs + 1`` epochs (kerax or Keras), timed per epoch
    by a callback; the first epoch (compilation) is reported separately."""
    model = build(lib)
    if compile_kw:
        model.compile(model.optimizer, model.loss, **compile_kw)

    class EpochTimer(lib.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.times: list[float] = []
            self.cpu_times: list[float] = []

        def on_epoch_begin(self, epoch, logs=None):
            self.start, self.cpu = time.perf_counter(), _cpu_s()

        def on_epoch_end(self, epoch, logs=None):
            self.times.append(time.perf_counter() - self.start)
            self.cpu_times.append(_cpu_s() - self.cpu)

    timer = EpochTimer()
    start = time.perf_counter()
    history = model.fit(
        x,
        y,
        batch_size=workload.batch_size,
        epochs=epochs + 1,
        verbose=0,
        callbacks=[timer],
    )
    total = time.perf_counter() - start
    first = total - sum(timer.times[1:])
    return _result(
        len(x), timer.times[1:], timer.cpu_times[1:], first, history.history["loss"][-1]
    )


def kerax_function_runner(build, workload: Workload, x, y, epochs: int) -> dict:
    """A TensorFlow-style ``kerax.function`` custom loop over device batches."""
    import kerax as tf

    model = build(tf)
    optimizer = tf.keras.optimizers.Adam(1e-3)
    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy()

    @tf.function
    def train_step(xb, yb):
        with tf.GradientTape() as tape:
            loss = loss_fn(yb, model(xb, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    xd, yd = jnp.asarray(x), jnp.asarray(y)
    bs = workload.batch_size
    steps = len(x) // bs
    batches = [
        (xd[i * bs : (i + 1) * bs], yd[i * bs : (i + 1) * bs]) for i in range(steps)
    ]

    def epoch() -> float:
        loss = 0.0
        for xb, yb in batches:
            loss = train_step(xb, yb)
        return float(loss)

    return _timed_epochs(epoch, steps * bs, epochs)


def jax_runner(workload: Workload, x, y, epochs: int, scan_steps: int = 1) -> dict:
    """Hand-written JAX + optax: a jitted step (or a scan of steps) on device data."""
    init_params, loss_fn = MODELS[workload.name]
    tx = optax.adam(1e-3)
    params = init_params(jax.random.PRNGKey(0))
    opt_state = tx.init(params)
    xd, yd = jnp.asarray(x), jnp.asarray(y)
    bs = workload.batch_size
    steps = (len(x) // bs) // scan_steps * scan_steps

    def one(carry, index):
        params, opt_state = carry
        xb, yb = xd[index], yd[index]
        loss, grads = jax.value_and_grad(loss_fn)(params, xb, yb)
        updates, opt_state = tx.update(grads, opt_state, params)
        return (optax.apply_updates(params, updates), opt_state), loss

    @jax.jit
    def many(carry, indices):
        if scan_steps == 1:  # no loop: XLA:CPU runs a convolution's kernel
            return one(carry, indices[0])  # gradient slowly in one (jax#12868)
        carry, losses = jax.lax.scan(one, carry, indices)
        return carry, losses[-1]

    state = {"carry": (params, opt_state)}
    rng = np.random.default_rng(0)

    def epoch() -> float:
        order = jnp.asarray(
            rng.permutation(len(x))[: steps * bs].reshape(-1, scan_steps, bs)
        )
        loss = 0.0
        for chunk in order:
            state["carry"], loss = many(state["carry"], chunk)
        return float(loss)

    return _timed_epochs(epoch, steps * bs, epochs)
