"""``ProgbarLogger``: prints ``Epoch i/n`` and a progress bar per epoch."""

from __future__ import annotations

from typing import Any

from kerax.callbacks.callback import Callback
from kerax.registry import register
from kerax.utils.progbar import Progbar


@register("keras.callbacks")
class ProgbarLogger(Callback):
    """Prints training progress to stdout, as ``fit(verbose=...)`` asks.

    ``verbose=1`` draws a live bar, ``verbose=2`` one line per epoch, 0
    nothing. Inside ``fit`` the validation pass is silent; in ``evaluate``
    and ``predict`` the bar follows the batches. ``fit`` adds one itself.
    While the first step compiles, a live bar (a terminal) reads
    ``compiling…`` until that step ends.
    """

    def __init__(self) -> None:
        super().__init__()
        self.seen = 0
        self.progbar: Progbar | None = None
        self.target: int | None = None
        self.verbose: int = 1
        self.epochs = 1
        self._called_in_fit = False

    def set_params(self, params: dict[str, Any]) -> None:
        verbose = params["verbose"]
        self.verbose = 1 if verbose == "auto" else verbose
        self.epochs = params["epochs"]
        self.target = params["steps"]

    def _needs_batch_hooks(self, mode: str) -> bool:
        """Only the live bar (``verbose=1``) follows batches; fit validates silently."""
        if mode == "test" and self._called_in_fit:
            return False
        return self.verbose == 1

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._called_in_fit = True

    def on_test_begin(self, logs: dict | None = None) -> None:
        if not self._called_in_fit:
            self._start_progbar()

    def on_predict_begin(self, logs: dict | None = None) -> None:
        self._start_progbar()

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._start_progbar()
        if self.verbose and self.epochs > 1:
            print(f"Epoch {epoch + 1}/{self.epochs}", flush=True)

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        self._note_compiling("train", batch)

    def on_test_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        if not self._called_in_fit:
            self._note_compiling("test", batch)

    def on_predict_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        self._note_compiling("predict", batch)

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self._update(batch, logs)

    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if not self._called_in_fit:
            self._update(batch, logs)

    def on_predict_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self._update(batch, None)  # the outputs are not metrics

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self._finish(logs)

    def on_test_end(self, logs: dict | None = None) -> None:
        if not self._called_in_fit:
            self._finish(logs)

    def on_predict_end(self, logs: dict | None = None) -> None:
        self._finish(logs)

    def _start_progbar(self) -> None:
        self.seen = 0
        self.progbar = Progbar(
            target=self.target,
            verbose=self.verbose,
            unit_name="step",
            stateless_metrics=(),
        )

    def _note_compiling(self, kind: str, batch: int) -> None:
        """Say ``compiling…`` before the first call of a step not compiled yet."""
        if batch or self.verbose != 1:
            return
        steps = getattr(self._model, "_steps", None)  # not `model`: no state sync
        step = steps.get(kind) if isinstance(steps, dict) else None
        if step is None or step.has_run or not step.jit:
            return
        if self.progbar is None:
            self._start_progbar()
        self.progbar.note("compiling…")

    def _update(self, batch: int, logs: dict | None) -> None:
        if self.progbar is None:
            self._start_progbar()
        self.seen = batch + 1
        if self.verbose == 1:
            self.progbar.update(self.seen, list((logs or {}).items()), finalize=False)

    def _finish(self, logs: dict | None) -> None:
        if self.progbar is None:
            self._start_progbar()
        if self.target is None:  # the first epoch of an unsized dataset
            self.target = self.seen
            self.progbar.target = self.target
        self.progbar.update(self.target, list((logs or {}).items()), finalize=True)
