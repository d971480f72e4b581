"""A fake model, optimizer and fit loop that drive callbacks as a trainer would.

The same fakes serve kerax callbacks and Keras's (the oracle): both only need
``stop_training``, ``get_weights``/``set_weights``, ``save``/``save_weights``
and ``optimizer.learning_rate``.
"""

from __future__ import annotations

import json
from typing import Any

import jax.numpy as jnp
import numpy as np

from kerax.autodiff.variable import Variable
from kerax.callbacks import CallbackList


class FakeOptimizer:
    """Learning rate, iteration count and one slot per weight, all Variables."""

    def __init__(self, learning_rate: float = 0.1, shapes=((2, 3), (3,))) -> None:
        self.name = "fake_optimizer"
        self.built = True
        self.iterations = Variable(np.int64(0), name="iterations")
        self._learning_rate = Variable(np.float32(learning_rate), name="lr")
        self.slots = [
            Variable(np.zeros(s, "float32"), name=f"m{i}") for i, s in enumerate(shapes)
        ]

    @property
    def learning_rate(self) -> Variable:
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        self._learning_rate.assign(np.float32(value))

    @property
    def variables(self) -> list[Variable]:
        return [self.iterations, self._learning_rate, *self.slots]


class PlainOptimizer:
    """A Keras-style optimizer whose learning rate is a plain float attribute."""

    def __init__(self, learning_rate: float = 0.1) -> None:
        self.learning_rate = learning_rate


class FakeLayer:
    def __init__(self, name: str, shapes) -> None:
        self.weights = []
        for i, shape in enumerate(shapes):
            var = Variable(np.full(shape, 0.5 * (i + 1), "float32"), name=f"w{i}")
            var.path = f"{name}/w{i}"
            self.weights.append(var)


class FakeModel:
    """Weights that change every step, saving that records calls and writes JSON."""

    def __init__(self, optimizer: Any = None, metrics=()) -> None:
        self.layers = [FakeLayer("dense", [(2, 3), (3,)])]
        self.optimizer = optimizer if optimizer is not None else FakeOptimizer()
        self.metrics = list(metrics)
        self.stop_training = False
        self.built = True
        self.saved: list[tuple[str, str]] = []

    @property
    def trainable_variables(self) -> list[Variable]:
        return [w for layer in self.layers for w in layer.weights]

    def get_weights(self) -> list[np.ndarray]:
        return [np.array(w) for w in self.trainable_variables]

    def set_weights(self, weights) -> None:
        for var, value in zip(self.trainable_variables, weights, strict=True):
            var.assign(np.asarray(value))

    def train_step(self) -> None:
        for var in self.trainable_variables:
            var.assign(var.value + 1.0)
        for slot in getattr(self.optimizer, "slots", []):
            slot.assign(slot.value + 0.5)
        if hasattr(self.optimizer, "iterations"):
            self.optimizer.iterations.assign(self.optimizer.iterations.value + 1)

    def _write(self, kind: str, filepath: str) -> None:
        self.saved.append((kind, filepath))
        with open(filepath, "w") as f:
            json.dump([w.tolist() for w in self.get_weights()], f)

    def save(self, filepath: str, overwrite: bool = True) -> None:
        self._write("save", filepath)

    def save_weights(self, filepath: str, overwrite: bool = True) -> None:
        self._write("save_weights", filepath)


class FakeMetric:
    def __init__(self, name: str, direction: str) -> None:
        self.name = name
        self._direction = direction


def fake_fit(
    model: Any,
    callbacks: list,
    epoch_logs: list[dict],
    steps: int = 3,
    batch_loss=None,
    verbose: int = 0,
    callback_list_class: Any = CallbackList,
    validate: bool = False,
) -> Any:
    """Run the hooks of ``fit`` over ``len(epoch_logs)`` epochs of ``steps`` steps.

    ``batch_loss(epoch, step)`` gives each batch's loss (a JAX scalar, as a
    trainer passes it). Starts at ``model._initial_epoch`` when a callback
    (BackupAndRestore) set it. Returns the History.
    """
    epochs = len(epoch_logs)
    cbs = callback_list_class(
        callbacks,
        add_history=True,
        add_progbar=verbose != 0,
        model=model,
        verbose=verbose,
        epochs=epochs,
        steps=steps,
    )
    model.stop_training = False
    cbs.on_train_begin()
    start = getattr(model, "_initial_epoch", 0)
    logs = None
    for epoch in range(start, epochs):
        cbs.on_epoch_begin(epoch)
        for step in range(steps):
            cbs.on_train_batch_begin(step)
            model.train_step()
            loss = batch_loss(epoch, step) if batch_loss else 1.0 / (step + 1)
            cbs.on_train_batch_end(step, {"loss": jnp.asarray(loss, "float32")})
            if model.stop_training:
                break
        logs = dict(epoch_logs[epoch])
        if validate:
            val = {k[4:]: v for k, v in logs.items() if k.startswith("val_")}
            cbs.on_test_begin()
            for step in range(2):
                cbs.on_test_batch_begin(step)
                cbs.on_test_batch_end(step, val)
            cbs.on_test_end(val)
        cbs.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    cbs.on_train_end(logs)
    return model.history
