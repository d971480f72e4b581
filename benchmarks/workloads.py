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
CNN = Workload("cnn", 50000, 128, (32, 32, 3), 10)
LSTM = Workload("lstm", 25000, 64, (200,), 2)


def make_data(workload: Workload, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Synthetic data of the workload's real shapes, with a learnable signal."""
    rng = np.random.default_rng(seed)
    if workload.name == "lstm":
        x = rng.integers(1, 20000, size=(workload.samples, 200)).astype("int32")
        y = (x[:, :10].mean(axis=1) > 10000).astype("float32")
        return x, y
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


def build_cnn(lib):
    """Conv32-Pool-Conv64-Pool-Dense10 on 32×32×3, in kerax or keras."""
    layers = lib.layers
    model = lib.Sequential(
        [
            lib.Input((32, 32, 3)),
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(64, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(lib.optimizers.Adam(1e-3), "sparse_categorical_crossentropy")
    return model


def build_lstm(lib):
    """Embedding 64 -> LSTM 64 -> Dense 1 on length-200 sequences."""
    layers = lib.layers
    model = lib.Sequential(
        [
            lib.Input((200,), dtype="int32"),
            layers.Embedding(20000, 64),
            layers.LSTM(64),
            layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(lib.optimizers.Adam(1e-3), "binary_crossentropy")
    return model
