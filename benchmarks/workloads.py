"""Workload definitions shared by every implementation: shapes, data, models."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Workload:
    name: str
    samples: int
    batch_size: int
    input_shape: tuple
    classes: int


MLP = Workload("mlp", 60000, 128, (784,), 10)


def make_data(workload: Workload, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Synthetic data of the workload's real shapes, with a learnable signal."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(workload.samples, *workload.input_shape)).astype("float32")
    w = rng.normal(size=(int(np.prod(workload.input_shape)), workload.classes))
    y = np.argmax(x.reshape(workload.samples, -1) @ w, axis=1).astype("int32")
    return x, y


def build_mlp(lib):
    """Dense 128 relu -> Dense 10 (softmax), in kerax or keras."""
    layers = lib.layers
    model = lib.Sequential(
        [
            lib.Input((784,)),
            layers.Dense(128, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(lib.optimizers.Adam(1e-3), "sparse_categorical_crossentropy")
    return model
