"""A Sequential MLP on the bundled 8×8 digits: compile, fit, evaluate, predict.

Run: ``python examples/01_sequential_mlp.py``.
"""

import numpy as np

import kerax as keras
from kerax import layers


def main(fast: bool = False) -> float:
    """Train the MLP and return its test accuracy."""
    keras.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
    x_train = x_train.reshape(-1, 64).astype("float32") / 16.0
    x_test = x_test.reshape(-1, 64).astype("float32") / 16.0

    model = keras.Sequential(
        [
            keras.Input(shape=(64,)),
            layers.Dense(64, activation="relu"),
            layers.Dropout(0.2),
            layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(
        optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    model.summary()
    model.fit(
        x_train,
        y_train,
        batch_size=32,
        epochs=3 if fast else 20,
        validation_split=0.1,
        verbose=0 if fast else 2,
    )
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    predicted = np.argmax(model.predict(x_test[:10], verbose=0), axis=-1)
    print(f"test accuracy {accuracy:.3f}; predicted {predicted} vs {y_test[:10]}")
    return float(accuracy)


if __name__ == "__main__":
    main()
