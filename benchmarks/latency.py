"""Inference speed: ``predict`` on 10,000 samples and ``model(x)`` latency.

Usage: python -m benchmarks.latency — kerax vs Keras 3 (JAX backend), MLP workload.
"""

from __future__ import annotations

import os
import statistics
import time

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import kerax  # noqa: E402
from benchmarks.workloads import build_mlp  # noqa: E402


def _median_seconds(fn, repeats: int) -> float:
    fn()  # warm up (compiles)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(lib) -> dict[str, float]:
    model = build_mlp(lib)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(10000, 784)).astype("float32")
    one, batch = x[:1], x[:32]
    return {
        "predict_10k_s": _median_seconds(
            lambda: model.predict(x, batch_size=128, verbose=0), 5
        ),
        "call_batch1_ms": 1e3 * _median_seconds(lambda: np.asarray(model(one)), 50),
        "call_batch32_ms": 1e3 * _median_seconds(lambda: np.asarray(model(batch)), 50),
        "predict_on_batch1_ms": 1e3
        * _median_seconds(lambda: model.predict_on_batch(one), 50),
    }


def main() -> None:
    results = {"keras": measure(keras), "kerax": measure(kerax)}
    print("| metric | Keras 3 (jax) | kerax | kerax ÷ Keras |")
    print("|---|---|---|---|")
    for key in results["keras"]:
        k, o = results["keras"][key], results["kerax"][key]
        print(f"| {key} | {k:.4f} | {o:.4f} | {o / k:.2f} |")


if __name__ == "__main__":
    main()
