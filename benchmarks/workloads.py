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
TRANSFORMER = Workload("transformer", 10240, 32, (128,), 4)

# The transformer encoder's sizes (shared with the hand-written JAX model).
VOCAB = 1000
D_MODEL = 256
HEADS = 4
FF_DIM = 512
ENCODER_LAYERS = 4

# The LSTM model's sizes (shared with the hand-written JAX model).
LSTM_VOCAB = 20000
EMBED_DIM = 64
LSTM_UNITS = 64


def make_data(workload: Workload, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Synthetic data of the workload's real shapes, with a learnable signal."""
    rng = np.random.default_rng(seed)
    if workload.name == "lstm":
        shape = (workload.samples, *workload.input_shape)
        x = rng.integers(1, LSTM_VOCAB, size=shape).astype("int32")
        y = (x[:, :10].mean(axis=1) > LSTM_VOCAB // 2).astype("float32")
        return x, y
    if workload.name == "transformer":
        length = workload.input_shape[0]
        x = rng.integers(0, VOCAB, size=(workload.samples, length)).astype("int32")
        y = (x[:, :8].mean(axis=1) * workload.classes // VOCAB).astype("int32")
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
            lib.Input(LSTM.input_shape, dtype="int32"),
            layers.Embedding(LSTM_VOCAB, EMBED_DIM),
            layers.LSTM(LSTM_UNITS),
            layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(lib.optimizers.Adam(1e-3), "binary_crossentropy")
    return model


def build_transformer(lib):
    """A 4-block post-norm encoder (MultiHeadAttention + Dense FFN, residual Add,
    LayerNormalization) over token embeddings, averaged, then Dense 4 (softmax)."""
    layers = lib.layers
    inputs = lib.Input(TRANSFORMER.input_shape, dtype="int32")
    x = layers.Embedding(VOCAB, D_MODEL)(inputs)
    for _ in range(ENCODER_LAYERS):
        attended = layers.MultiHeadAttention(HEADS, D_MODEL // HEADS)(x, x)
        x = layers.LayerNormalization()(layers.Add()([x, attended]))
        hidden = layers.Dense(FF_DIM, activation="relu")(x)
        x = layers.LayerNormalization()(
            layers.Add()([x, layers.Dense(D_MODEL)(hidden)])
        )
    x = layers.GlobalAveragePooling1D()(x)
    outputs = layers.Dense(TRANSFORMER.classes, activation="softmax")(x)
    model = lib.Model(inputs, outputs)
    model.compile(lib.optimizers.Adam(1e-3), "sparse_categorical_crossentropy")
    return model
