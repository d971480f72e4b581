"""Transfer learning from a saved model.

1. Train a "base" network on digits 0–4 and ``save`` it as a ``.keras`` file.
2. ``load_model`` it (from ``kerax.saving``), freeze its feature layers, put a new head on
   top and train the head on digits 5–9.
3. Unfreeze and fine-tune with a small learning rate (re-``compile`` after
   changing ``trainable``).
"""

import tempfile
from pathlib import Path

import numpy as np

import kerax as keras
from kerax import layers
from kerax.saving import load_model


def split_digits() -> tuple:
    """Digits 0–4 for the base task, 5–9 (relabelled 0–4) for the new task."""
    (x, y), (x_test, y_test) = keras.datasets.digits.load_data()
    x = x.reshape(-1, 64).astype("float32") / 16.0
    x_test = x_test.reshape(-1, 64).astype("float32") / 16.0
    low, low_test = y < 5, y_test < 5
    return (
        (x[low], y[low]),
        (x[~low], y[~low] - 5),
        (x_test[~low_test], y_test[~low_test] - 5),
    )


def main(fast: bool = False, folder: str | None = None) -> float:
    """Return the new task's test accuracy after fine-tuning."""
    keras.utils.set_random_seed(0)
    (x_base, y_base), (x_new, y_new), (x_test, y_test) = split_digits()
    epochs = 2 if fast else 15
    path = Path(folder or tempfile.mkdtemp(prefix="kerax_transfer_")) / "base.keras"

    base = keras.Sequential(
        [
            keras.Input((64,)),
            layers.Dense(64, activation="relu", name="features_1"),
            layers.Dense(32, activation="relu", name="features_2"),
            layers.Dense(5, activation="softmax", name="base_head"),
        ],
        name="base",
    )
    base.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    base.fit(x_base, y_base, epochs=epochs, batch_size=32, verbose=0)
    base.save(path)
    print(f"saved the base model to {path}")

    loaded = load_model(path)
    features = keras.Model(loaded.inputs, loaded.get_layer("features_2").output)
    features.trainable = False
    model = keras.Sequential(
        [keras.Input((64,)), features, layers.Dense(5, activation="softmax")]
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.summary(show_trainable=True)
    model.fit(x_new, y_new, epochs=epochs, batch_size=32, verbose=0)
    _, frozen = model.evaluate(x_test, y_test, verbose=0)

    features.trainable = True
    model.compile(
        keras.optimizers.Adam(1e-4),
        "sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    model.fit(x_new, y_new, epochs=max(1, epochs // 3), batch_size=32, verbose=0)
    _, tuned = model.evaluate(x_test, y_test, verbose=0)
    predictions = np.argmax(model.predict(x_test[:8], verbose=0), axis=-1) + 5
    print(f"frozen features: {frozen:.3f}; fine-tuned: {tuned:.3f}; {predictions}")
    return float(tuned)


if __name__ == "__main__":
    main()
