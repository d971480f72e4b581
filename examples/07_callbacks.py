"""Callbacks: EarlyStopping, ModelCheckpoint (weights only), ReduceLROnPlateau,
TensorBoard and a custom callback, on the bundled digits.

Files go to a temporary folder (or ``log_dir``): view the curves with
``tensorboard --logdir <folder>/logs``.
"""

import tempfile
from pathlib import Path

import kerax as keras
from kerax import layers


class LearningRateLogger(keras.callbacks.Callback):
    """A custom callback: record the learning rate at the end of every epoch."""

    def __init__(self) -> None:
        super().__init__()
        self.rates: list[float] = []

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        rate = float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate))
        self.rates.append(rate)
        if logs is not None:
            logs["learning_rate"] = rate


def main(fast: bool = False, log_dir: str | None = None) -> dict:
    """Train with the callbacks; return what they produced."""
    keras.utils.set_random_seed(0)
    folder = Path(log_dir or tempfile.mkdtemp(prefix="kerax_callbacks_"))
    (x, y), _ = keras.datasets.digits.load_data()
    x = x.reshape(-1, 64).astype("float32") / 16.0
    model = keras.Sequential(
        [
            keras.Input((64,)),
            layers.Dense(32, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(1e-2),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    checkpoint = folder / "best.weights.h5"
    rate_logger = LearningRateLogger()
    callbacks = [
        keras.callbacks.EarlyStopping(
            monitor="val_loss", patience=3, restore_best_weights=True
        ),
        keras.callbacks.ModelCheckpoint(
            checkpoint, monitor="val_loss", save_best_only=True, save_weights_only=True
        ),
        keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=1),
        keras.callbacks.TensorBoard(log_dir=folder / "logs"),
        rate_logger,
    ]
    history = model.fit(
        x,
        y,
        epochs=3 if fast else 60,
        batch_size=64,
        validation_split=0.2,
        callbacks=callbacks,
        verbose=0 if fast else 2,
    )
    print(f"stopped after {len(history.epoch)} epochs; rates {rate_logger.rates}")
    model.load_weights(checkpoint)  # the best epoch's weights
    return {
        "epochs": len(history.epoch),
        "rates": rate_logger.rates,
        "checkpoint": checkpoint,
        "logs": folder / "logs",
    }


if __name__ == "__main__":
    main()
