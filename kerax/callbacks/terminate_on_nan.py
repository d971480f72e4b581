"""``TerminateOnNaN``: stop training at the first NaN or infinite loss."""

from __future__ import annotations

import math

import numpy as np

from kerax.callbacks.callback import Callback
from kerax.registry import register


@register("keras.callbacks")
class TerminateOnNaN(Callback):
    """Checks the loss after every training batch; a NaN or inf stops training.

    It reads the loss every batch, so the trainer runs and waits for one
    step at a time while it is present.

    Args:
        raise_error: raise a ``RuntimeError`` instead of setting
            ``model.stop_training``.
    """

    def __init__(self, raise_error: bool = False) -> None:
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch: int, logs: dict | None = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is None:
            return
        loss = float(np.asarray(loss))
        if math.isfinite(loss):
            return
        if self.raise_error:
            raise RuntimeError(
                f"NaN or Inf loss encountered at batch {batch}. "
                f"Loss value: {loss}. Terminating training immediately."
            )
        print(f"Batch {batch}: Invalid loss, terminating training", flush=True)
        self.model.stop_training = True
