"""``TensorBoard``: write training logs for TensorBoard (through tensorboardX)."""

from __future__ import annotations

import os
import time
import warnings
from typing import Any

import numpy as np

from kerax import config
from kerax.callbacks.callback import Callback
from kerax.callbacks.reduce_lr_on_plateau import learning_rate_of, optimizers_of
from kerax.registry import register


def _summary_writer_class() -> type:
    try:
        from tensorboardX import SummaryWriter
    except ImportError as error:
        raise ImportError(
            "The TensorBoard callback writes its logs with the `tensorboardX` "
            "package, which is not installed. Install it with "
            "`pip install tensorboardX` (or `pip install kerax[tensorboard]`)."
        ) from error
    return SummaryWriter


def _parse_profile_batch(profile_batch: Any) -> tuple[int, int]:
    """``(start, stop)`` batches from an int, ``"start,stop"`` or a pair."""
    value = profile_batch
    if isinstance(value, str):
        try:
            value = [int(part) for part in value.split(",")]
        except ValueError:
            value = None
    if isinstance(value, int) and not isinstance(value, bool):
        value = (value, value)
    if (
        isinstance(value, (tuple, list))
        and len(value) == 2
        and all(isinstance(v, int) for v in value)
        and 0 <= value[0] <= value[1]
    ):
        return int(value[0]), int(value[1])
    raise ValueError(
        "profile_batch must be a non-negative integer or a pair of positive "
        "integers (start, stop) with start <= stop, the range of batches to "
        f"profile. Received: profile_batch={profile_batch!r}"
    )


def _weight_image(weight: Any) -> np.ndarray | None:
    """A weight as NHWC images (bias: one row; kernel: a matrix; conv: per filter)."""
    image = np.squeeze(np.asarray(weight))
    if image.ndim == 1:
        image = image.reshape(1, image.shape[0], 1, 1)
    elif image.ndim == 2:
        if image.shape[0] > image.shape[1]:
            image = image.T
        image = image.reshape(1, image.shape[0], image.shape[1], 1)
    elif image.ndim == 3:
        if config.image_data_format() == "channels_last":
            image = np.transpose(image, (2, 0, 1))
        image = image.reshape(*image.shape, 1)
    if image.ndim == 4 and image.shape[-1] in (1, 3, 4):
        return image
    return None


def _keras_model_summary(model_json: str) -> Any:
    """The summary TensorBoard's graph dashboard shows as a Keras model."""
    from tensorboardX.proto.summary_pb2 import Summary, SummaryMetadata
    from tensorboardX.proto.tensor_pb2 import TensorProto
    from tensorboardX.proto.tensor_shape_pb2 import TensorShapeProto

    plugin = SummaryMetadata.PluginData(plugin_name="graph_keras_model", content=b"1")
    tensor = TensorProto(
        dtype="DT_STRING",
        string_val=[model_json.encode()],
        tensor_shape=TensorShapeProto(),
    )
    value = Summary.Value(
        tag="keras", metadata=SummaryMetadata(plugin_data=plugin), tensor=tensor
    )
    return Summary(value=[value])


@register("keras.callbacks")
class TensorBoard(Callback):
    """Logs scalars, weight histograms and the model for TensorBoard.

    Writes event files under ``log_dir/train`` and ``log_dir/validation``:
    each epoch's metrics as ``epoch_<name>`` (validation ones without their
    ``val_`` prefix, in ``validation``), the learning rate as
    ``epoch_learning_rate``, every ``update_freq`` batches the batch metrics
    as ``batch_<name>``, after each evaluation ``evaluation_<name>_vs_
    iterations``, and every ``histogram_freq`` epochs each weight's
    histogram (and image with ``write_images``). Needs ``tensorboardX``.
    View with ``tensorboard --logdir=<log_dir>``.

    Args:
        log_dir: the directory to write into.
        histogram_freq: epochs between weight histograms; 0 for none.
        write_graph: write the model's structure (Sequential and Functional
            models), shown in the Graphs dashboard.
        write_images: also write weights as images with the histograms.
        write_steps_per_second: log training steps per second.
        update_freq: ``"epoch"``, ``"batch"`` or a number of batches
            between batch-level scalars.
        profile_batch: a batch (or ``(start, stop)`` range, counted from 1
            over the whole fit) to profile with the JAX profiler; the trace is
            written under ``log_dir/train/plugins/profile`` (TensorBoard's
            Profile tab). 0 for none. While a trace is pending, fit runs one
            step per compiled call (batch callbacks need it).
        embeddings_freq: must be 0 (the embedding projector needs TensorFlow
            checkpoints).
        embeddings_metadata: unused, for signature compatibility.

    Example:
        >>> board = TensorBoard(log_dir="./logs", histogram_freq=1)
    """

    def __init__(
        self,
        log_dir: str | os.PathLike = "logs",
        histogram_freq: int = 0,
        write_graph: bool = True,
        write_images: bool = False,
        write_steps_per_second: bool = False,
        update_freq: str | int = "epoch",
        profile_batch: int | str | tuple[int, int] = 0,
        embeddings_freq: int = 0,
        embeddings_metadata: Any = None,
    ) -> None:
        super().__init__()
        self._writer_class = _summary_writer_class()
        if update_freq == "batch":
            update_freq = 1
        if update_freq != "epoch" and (
            not isinstance(update_freq, int) or update_freq < 1
        ):
            raise ValueError(
                "TensorBoard: update_freq must be 'epoch', 'batch' or a positive "
                f"integer. Received: update_freq={update_freq!r}"
            )
        if embeddings_freq:
            raise ValueError(
                "TensorBoard: embeddings_freq is not supported by kerax (the "
                "embedding projector reads TensorFlow checkpoints). Received: "
                f"embeddings_freq={embeddings_freq}"
            )
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = histogram_freq
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = update_freq
        self.embeddings_freq = embeddings_freq
        self.embeddings_metadata = embeddings_metadata
        self._start_batch, self._stop_batch = _parse_profile_batch(profile_batch)
        self._should_trace = self._stop_batch > 0
        self._is_tracing = False
        self._batch_annotation = None
        self._train_dir = os.path.join(self.log_dir, "train")
        self._val_dir = os.path.join(self.log_dir, "validation")
        self._writers: dict[str, Any] = {}
        self._global_train_batch = 0
        self._batch_start_time = 0.0
        self._epoch_start_time = 0.0
        self._previous_epoch_iterations = 0.0

    def _writer(self, which: str) -> Any:
        if which not in self._writers:
            folder = self._train_dir if which == "train" else self._val_dir
            self._writers[which] = self._writer_class(logdir=folder)
        return self._writers[which]

    def _needs_batch_hooks(self, mode: str) -> bool:
        # A pending or running trace needs per-batch calls (one step per
        # compiled call); once it is written, fit may scan steps again.
        tracing = self._should_trace and self._global_train_batch < self._stop_batch
        return mode == "train" and (
            self.update_freq != "epoch" or tracing or self.write_steps_per_second
        )

    def set_model(self, model: Any) -> None:
        super().set_model(model)
        self._close_writers()
        if self.write_graph:
            self._write_model_structure()

    def _write_model_structure(self) -> None:
        to_json = getattr(self._model, "to_json", None)
        if type(self._model).__name__ not in ("Functional", "Sequential") or (
            to_json is None
        ):
            return
        try:
            model_json = to_json()
        except Exception as error:  # a model that cannot serialize is still trained
            warnings.warn(
                f"Model failed to serialize as JSON. Ignoring... {error}",
                stacklevel=3,
            )
            return
        writer = self._writer("train")
        writer._get_file_writer().add_summary(
            _keras_model_summary(model_json), global_step=0
        )
        writer.flush()

    def _close_writers(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    # -- hooks --------------------------------------------------------------
    def on_train_begin(self, logs: dict | None = None) -> None:
        self._global_train_batch = 0
        self._previous_epoch_iterations = 0.0

    def on_train_end(self, logs: dict | None = None) -> None:
        if self._is_tracing:
            self._stop_trace()
        self._close_writers()

    def on_test_end(self, logs: dict | None = None) -> None:
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is None or not hasattr(optimizer, "iterations"):
            return
        step = int(np.asarray(optimizer.iterations))
        writer = self._writer("val")
        for name, value in (logs or {}).items():
            writer.add_scalar(f"evaluation_{name}_vs_iterations", value, step)
        writer.flush()

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        self._global_train_batch += 1
        if self.write_steps_per_second:
            self._batch_start_time = time.time()
        if not self._should_trace:
            return
        if self._global_train_batch == self._start_batch:
            self._start_trace()
        if self._is_tracing:
            import jax

            self._batch_annotation = jax.profiler.TraceAnnotation(
                f"Profiled batch {batch}"
            )
            self._batch_annotation.__enter__()

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        step = self._global_train_batch
        if self.update_freq != "epoch" and step % self.update_freq == 0:
            writer = self._writer("train")
            if self.write_steps_per_second:
                elapsed = time.time() - self._batch_start_time
                writer.add_scalar("batch_steps_per_second", 1.0 / elapsed, step)
            for name, value in (logs or {}).items():
                writer.add_scalar(f"batch_{name}", float(np.asarray(value)), step)
        if self._is_tracing:
            if self._batch_annotation is not None:
                self._batch_annotation.__exit__(None, None, None)
                self._batch_annotation = None
            if step >= self._stop_batch:
                self._stop_trace()

    def _start_trace(self) -> None:
        import jax

        try:
            jax.profiler.start_trace(self._train_dir)
        except RuntimeError as error:  # another trace runs: leave it alone
            warnings.warn(
                f"TensorBoard: could not start the profiler ({error}); batches "
                f"{self._start_batch}-{self._stop_batch} are not profiled.",
                stacklevel=2,
            )
            self._should_trace = False
            return
        self._is_tracing = True

    def _stop_trace(self) -> None:
        import jax

        jax.profiler.stop_trace()
        self._is_tracing = False

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        if self.write_steps_per_second:
            self._previous_epoch_iterations = float(
                np.asarray(self.model.optimizer.iterations)
            )
            self._epoch_start_time = time.time()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self._log_epoch_metrics(epoch, logs or {})
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)

    def _log_epoch_metrics(self, epoch: int, logs: dict) -> None:
        if not logs:
            return
        train = {k: v for k, v in logs.items() if not k.startswith("val_")}
        val = {k[4:]: v for k, v in logs.items() if k.startswith("val_")}
        optimizer = getattr(self.model, "optimizer", None)
        optimizer = getattr(optimizer, "inner_optimizer", optimizer)
        if hasattr(optimizer, "learning_rate") or hasattr(optimizer, "optimizers"):
            for suffix, opt in optimizers_of(optimizer):
                train[f"learning_rate{suffix}"] = learning_rate_of(opt)
        if self.write_steps_per_second:
            iterations = float(np.asarray(self.model.optimizer.iterations))
            train["steps_per_second"] = (
                iterations - self._previous_epoch_iterations
            ) / (time.time() - self._epoch_start_time)
        for which, values in (("train", train), ("val", val)):
            if not values:
                continue
            writer = self._writer(which)
            for name, value in values.items():
                writer.add_scalar(f"epoch_{name}", float(np.asarray(value)), epoch)
            writer.flush()

    def _log_weights(self, epoch: int) -> None:
        writer = self._writer("train")
        for layer in self.model.layers:
            for weight in layer.weights:
                name = weight.path.replace(":", "_")
                writer.add_histogram(f"{name}/histogram", np.asarray(weight), epoch)
                image = _weight_image(weight) if self.write_images else None
                if image is not None:
                    writer.add_images(f"{name}/image", image, epoch, dataformats="NHWC")
        writer.flush()
