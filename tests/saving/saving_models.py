"""Model builders shared by the saving tests: one function per architecture,
each building the same model with kerax or with Keras (``lib``), and the
registered subclassed model defined for both libraries."""

from __future__ import annotations

import keras
import numpy as np

import kerax
import kerax.saving


def conv_sequential(lib):
    layers = lib.layers
    model = lib.Sequential(
        [
            lib.Input((6, 6, 3)),
            layers.Conv2D(4, 3, activation="relu"),
            layers.BatchNormalization(),
            layers.MaxPooling2D(),
            layers.Flatten(),
            layers.Dropout(0.3),
            layers.Dense(2),
        ]
    )
    return model, np.random.default_rng(0).random((2, 6, 6, 3), dtype="float32")


def recurrent_sequential(lib):
    layers = lib.layers
    model = lib.Sequential(
        [
            lib.Input((5,), dtype="int32"),
            layers.Embedding(10, 4, mask_zero=True),
            layers.Bidirectional(layers.LSTM(3, return_sequences=True)),
            layers.GRU(2),
            layers.Dense(1),
        ]
    )
    return model, np.random.default_rng(1).integers(0, 10, (2, 5)).astype("int32")


def multi_io_functional(lib):
    """Dict inputs/outputs, a shared layer, a nested model and graph ops."""
    layers = lib.layers
    a = lib.Input((4,), name="a")
    b = lib.Input((3,), name="b")
    shared = layers.Dense(5, name="shared")
    inner_input = lib.Input((5,))
    inner = lib.Model(
        inner_input, layers.Dense(2, name="inner_dense")(inner_input), name="inner"
    )
    ha = shared(layers.Dense(4)(a))
    hb = shared(layers.Dense(4)(b))
    total = lib.ops.sum(layers.Concatenate()([ha, hb]), axis=1, keepdims=True)
    outputs = {
        "first": inner(ha),
        "second": layers.Add()([inner(hb), total]),
        "flat": lib.ops.reshape(lib.ops.cast(total, "float16"), (-1,)),
    }
    model = lib.Model({"a": a, "b": b}, outputs)
    rng = np.random.default_rng(2)
    data = {
        "a": rng.random((3, 4), dtype="float32"),
        "b": rng.random((3, 3), dtype="float32"),
    }
    return model, data


def attention_functional(lib):
    layers = lib.layers
    x = lib.Input((3, 4))
    y = layers.MultiHeadAttention(2, 3)(x, x)
    y = layers.LayerNormalization()(y)
    y = layers.TimeDistributed(layers.Dense(2))(y)
    model = lib.Model(x, layers.SimpleRNN(2)(y))
    return model, np.random.default_rng(3).random((2, 3, 4), dtype="float32")


def _tower_class(lib, register):
    @register(package="SavingTests", name="Tower")
    class Tower(lib.Model):
        """A subclassed model with sublayers in attributes and in a list."""

        def __init__(self, units=3, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.hidden = lib.layers.Dense(units, activation="relu")
            self.blocks = [lib.layers.Dense(units), lib.layers.Dense(units)]
            self.head = lib.layers.Dense(1)

        def call(self, x):
            x = self.hidden(x)
            for block in self.blocks:
                x = block(x)
            return self.head(x)

        def get_config(self):
            return {**super().get_config(), "units": self.units}

    return Tower


KeraxTower = _tower_class(kerax, kerax.saving.register_keras_serializable)
KerasTower = _tower_class(keras, keras.saving.register_keras_serializable)


def tower(lib):
    cls = KeraxTower if lib is kerax else KerasTower
    model = cls(units=3)
    data = np.random.default_rng(4).random((4, 5), dtype="float32")
    model(data)
    return model, data


ARCHITECTURES = {
    "conv_sequential": conv_sequential,
    "recurrent_sequential": recurrent_sequential,
    "multi_io_functional": multi_io_functional,
    "attention_functional": attention_functional,
    "tower": tower,
}


def as_list(outputs):
    """Model outputs as a list of numpy arrays (dict outputs by sorted key)."""
    if isinstance(outputs, dict):
        return [np.asarray(outputs[k], "float32") for k in sorted(outputs)]
    if isinstance(outputs, (list, tuple)):
        return [np.asarray(o, "float32") for o in outputs]
    return [np.asarray(outputs, "float32")]


def randomize(model, seed=0):
    """Give every weight a random positive value (zero-initialized ones included)."""
    rng = np.random.default_rng(seed)
    model.set_weights(
        [
            rng.uniform(0.1, 0.6, size=w.shape).astype(w.dtype)
            for w in model.get_weights()
        ]
    )
