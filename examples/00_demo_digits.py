"""Train a small MLP on the bundled 8×8 digits and report test accuracy.

Run with ``make demo``. Everything is offline: the dataset ships with kerax.
"""

import numpy as np

import kerax as keras
from kerax import layers


def main() -> float:
    keras.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
    x_train = x_train.reshape(-1, 64).astype("float32") / 16.0
    x_test = x_test.reshape(-1, 64).astype("float32") / 16.0

    model = keras.Sequential(
        [
            layers.Dense(64, activation="relu", input_shape=(64,)),
            layers.Dropout(0.2),
            layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=1e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    model.summary()
    model.fit(
        x_train, y_train, batch_size=32, epochs=30, validation_split=0.1, verbose=2
    )
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    predictions = np.argmax(model.predict(x_test, verbose=0), axis=-1)
    print(f"test loss {loss:.4f} - test accuracy {accuracy:.4f}")
    print(
        f"first predictions {predictions[:10].tolist()} vs labels {y_test[:10].tolist()}"
    )
    return accuracy


if __name__ == "__main__":
    main()
