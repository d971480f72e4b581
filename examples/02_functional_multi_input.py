"""A Functional model with two inputs and two outputs on synthetic data.

Input ``features`` (16 numbers) and ``category`` (an integer id) feed a shared
trunk; one head regresses a score, the other classifies into 3 classes. Losses
and metrics are given per output name.
"""

import numpy as np

import kerax as keras
from kerax import layers


def make_data(n: int, seed: int = 0) -> tuple[list, list]:
    """Synthetic inputs and targets that depend on both inputs."""
    rng = np.random.default_rng(seed)
    features = rng.normal(size=(n, 16)).astype("float32")
    category = rng.integers(0, 10, size=(n, 1))
    score = features[:, :4].sum(axis=1, keepdims=True) + 0.1 * category
    label = (features[:, 0] > 0).astype("int32") + (category[:, 0] > 6)
    inputs = [features, category]  # in the order of the model's inputs
    return inputs, [score.astype("float32"), label]  # in the order of the outputs


def build_model() -> keras.Model:
    """Two inputs, an embedding for the category, a shared trunk, two heads."""
    features = keras.Input(shape=(16,), name="features")
    category = keras.Input(shape=(1,), dtype="int32", name="category")
    embedded = layers.Flatten()(layers.Embedding(10, 4)(category))
    x = layers.Concatenate()([features, embedded])
    x = layers.Dense(32, activation="relu")(x)
    score = layers.Dense(1, name="score")(x)
    label = layers.Dense(3, activation="softmax", name="label")(x)
    return keras.Model(inputs=[features, category], outputs=[score, label])


def main(fast: bool = False) -> dict:
    """Train both heads and return the evaluation logs."""
    keras.utils.set_random_seed(0)
    inputs, targets = make_data(256 if fast else 2048)
    model = build_model()
    model.compile(
        optimizer=keras.optimizers.Adam(1e-2),
        loss={"score": "mse", "label": "sparse_categorical_crossentropy"},
        loss_weights={"score": 1.0, "label": 0.5},
        metrics={"score": ["mae"], "label": ["accuracy"]},
    )
    model.summary()
    model.fit(inputs, targets, batch_size=64, epochs=2 if fast else 15, verbose=0)
    test_inputs, test_targets = make_data(256, seed=1)
    logs = model.evaluate(test_inputs, test_targets, verbose=0, return_dict=True)
    print({name: round(float(value), 4) for name, value in logs.items()})
    return logs


if __name__ == "__main__":
    main()
