"""``Callback``: the base class of everything that hooks into fit/evaluate/predict."""

from __future__ import annotations

from typing import Any

from kerax.registry import register

_MODES = ("train", "test", "predict")


def batch_hook_names(mode: str) -> tuple[str, ...]:
    """The hook names a trainer calls around each batch in ``mode``."""
    if mode not in _MODES:
        raise ValueError(f"mode must be one of {_MODES}, received mode={mode!r}.")
    names = (f"on_{mode}_batch_begin", f"on_{mode}_batch_end")
    if mode == "train":  # the legacy aliases run from the train hooks
        names += ("on_batch_begin", "on_batch_end")
    return names


@register("keras.callbacks")
class Callback:
    """Base class of callbacks: every hook is a no-op until a subclass overrides it.

    A trainer calls ``set_model`` and ``set_params`` first, then the hooks:
    ``on_train_begin/end``, ``on_epoch_begin/end``, ``on_{train,test,predict}
    _begin/end`` and ``on_{train,test,predict}_batch_begin/end``. Epoch logs
    hold Python floats (validation keys prefixed with ``val_``); batch logs may
    hold device scalars that are still being computed: call ``float()`` on them
    only when the number is really needed.

    Attributes:
        model: the model being trained (``None`` before ``set_model``).
        params: the trainer's parameters, e.g. ``{"verbose", "epochs", "steps"}``.

    Example:
        >>> class CountEpochs(Callback):
        ...     def on_epoch_end(self, epoch, logs=None):
        ...         self.seen = epoch + 1
    """

    def __init__(self) -> None:
        self.params: dict[str, Any] | None = None
        self._model: Any = None

    def set_params(self, params: dict[str, Any]) -> None:
        """Store the trainer's parameters (verbosity, epochs, steps)."""
        self.params = params

    def set_model(self, model: Any) -> None:
        """Store the model the hooks act on."""
        self._model = model

    @property
    def model(self) -> Any:
        """The model, with any state the trainer holds on the device written back."""
        sync = getattr(self._model, "jax_state_sync", None)
        if sync is not None:
            sync()
        return self._model

    def _needs_batch_hooks(self, mode: str) -> bool:
        """Whether this callback does anything per batch in ``mode``.

        The trainer may run several steps per device call when no callback
        needs per-batch hooks. True when a batch hook is overridden, by a
        subclass or by an instance attribute (as ``LambdaCallback`` sets).
        """
        for name in batch_hook_names(mode):
            if name in self.__dict__:
                return True
            if getattr(type(self), name) is not getattr(Callback, name):
                return True
        return False

    # -- batch hooks ------------------------------------------------------
    def on_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Legacy alias, called by the default ``on_train_batch_begin``."""

    def on_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Legacy alias, called by the default ``on_train_batch_end``."""

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Called before training batch ``batch`` (index within the epoch)."""
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Called after training batch ``batch`` with the running metric values."""
        self.on_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Called before an evaluation (or validation) batch."""

    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Called after an evaluation (or validation) batch."""

    def on_predict_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Called before a prediction batch."""

    def on_predict_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Called after a prediction batch; ``logs["outputs"]`` holds the outputs."""

    # -- epoch and run hooks ----------------------------------------------
    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        """Called at the start of training epoch ``epoch`` (0-based)."""

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        """Called at the end of an epoch with its metrics (and ``val_`` ones)."""

    def on_train_begin(self, logs: dict | None = None) -> None:
        """Called once when ``fit`` starts."""

    def on_train_end(self, logs: dict | None = None) -> None:
        """Called once when ``fit`` ends, with the last epoch's logs."""

    def on_test_begin(self, logs: dict | None = None) -> None:
        """Called when ``evaluate`` (or a validation pass) starts."""

    def on_test_end(self, logs: dict | None = None) -> None:
        """Called when ``evaluate`` (or a validation pass) ends, with its metrics."""

    def on_predict_begin(self, logs: dict | None = None) -> None:
        """Called when ``predict`` starts."""

    def on_predict_end(self, logs: dict | None = None) -> None:
        """Called when ``predict`` ends."""
