"""The epoch loops behind fit, evaluate and predict.

Two kinds of source feed them (``sources.py``): in-memory arrays, kept on the
device and gathered by index inside the compiled step (several steps per call
via ``lax.scan``), and adapters (generators, ``PyDataset``, …) whose batches
are prefetched to the device on a background thread.
"""

from __future__ import annotations

import warnings
from typing import Any

import jax
import numpy as np

from kerax.trainers.auto_steps import steps_per_call
from kerax.trainers.data_adapter import unpack_x_y_sample_weight
from kerax.trainers.interrupts import deferred_interrupts
from kerax.trainers.padding import should_pad
from kerax.trainers.sources import make_source
from kerax.trainers.trainer import default_batch_size, ordered_log_values, warn_nan
from kerax.trainers.validation import check_finite


def _host_log(value: Any) -> Any:
    """A logged value on the host: a float, or an array for vector metrics."""
    array = np.asarray(value)
    return float(array) if array.ndim == 0 else array


def _resolve_verbose(verbose: Any) -> int:
    if verbose == "auto":
        return 1
    if verbose not in (0, 1, 2, True, False):
        raise ValueError(f"verbose must be 0, 1, 2 or 'auto', received {verbose!r}.")
    return int(verbose)


def _check_sparse_labels(model: Any, y: Any) -> None:
    """Out-of-range sparse labels give silently wrong losses: refuse them up front."""
    compile_loss = model._compile_loss
    if y is None or compile_loss is None or not compile_loss.built:
        return
    flat_y = jax.tree_util.tree_leaves(y)
    outputs = jax.tree_util.tree_leaves(model.outputs) if model.outputs else []
    for index, (loss, labels) in enumerate(zip(compile_loss.losses, flat_y)):
        name = str(getattr(loss, "name", "") or "")
        if "sparse_categorical" not in name:
            continue
        labels = np.asarray(labels)
        ignore = getattr(loss, "ignore_class", None)
        valid = labels if ignore is None else labels[labels != ignore]
        if valid.size == 0:
            continue
        classes = outputs[index].shape[-1] if index < len(outputs) else None
        low, high = float(valid.min()), float(valid.max())
        if low < 0 or (classes is not None and high >= classes):
            raise ValueError(
                f"Labels for {name} must be integers in [0, {classes}) for an output "
                f"with {classes} classes; received labels from {low:g} to {high:g}."
            )


def _run_steps(
    step: Any,
    source: Any,
    kind: str,
    callbacks: Any,
    per_call: int,
    shuffle: Any,
    model: Any,
) -> dict:
    """One pass over ``source``; returns the last logs."""
    hooks = callbacks is not None and callbacks._needs_batch_hooks(kind)
    begin = getattr(callbacks, f"on_{kind}_batch_begin", None)
    end = getattr(callbacks, f"on_{kind}_batch_end", None)
    logs: dict[str, Any] = {}
    per_call = steps_per_call(model, hooks)
    pad = should_pad(model, kind, step, source)  # one compiled shape per epoch
    for first, count, payload in source.epoch(per_call, shuffle, pad):
        if hooks:
            begin(first)
        logs = step.run_indexed(*payload) if source.indexed else step.run(payload)
        if hooks:
            end(first + count - 1, logs)
        if kind == "train" and model.stop_training:
            break
    return logs


def run_fit(model: Any, **kw: Any) -> Any:
    from kerax.callbacks import CallbackList

    verbose = _resolve_verbose(kw["verbose"])
    batch_size = default_batch_size(kw["batch_size"])
    epochs = int(kw["epochs"])
    check_finite(kw["x"], kw["y"], kw["sample_weight"], "fit")
    if isinstance(kw["validation_data"], (list, tuple)):
        check_finite(
            *unpack_x_y_sample_weight(kw["validation_data"]), "fit validation_data"
        )
    source, val_source = make_source(
        kw["x"],
        kw["y"],
        kw["sample_weight"],
        batch_size,
        steps=kw["steps_per_epoch"],
        class_weight=kw["class_weight"],
        validation_split=kw["validation_split"],
        validation_data=kw["validation_data"],
        validation_batch_size=kw["validation_batch_size"] or batch_size,
        validation_steps=kw["validation_steps"],
        shuffle=kw["shuffle"],
    )
    model._prepare_state(source.first_batch(), "train")
    _check_sparse_labels(model, source.labels())
    if val_source is not None:
        model._prepare_state(val_source.first_batch(), "test")
        _check_sparse_labels(model, val_source.labels())
    train = model._step("train")
    callbacks = CallbackList(
        kw["callbacks"],
        add_history=True,
        add_progbar=verbose != 0,
        model=model,
        verbose=verbose,
        epochs=epochs,
        steps=source.steps,
    )
    model.stop_training = False
    resumable = hasattr(source, "start_at_epoch")
    model._shuffle_seed = source.shuffle_seed() if resumable else None
    callbacks.on_train_begin()
    initial_epoch, initial_step, seed = _resume_point(callbacks, kw["initial_epoch"])
    if not resumable and initial_step:
        warnings.warn(
            f"The backup was taken after step {initial_step} of epoch "
            f"{initial_epoch + 1}; with this data source (not in-memory arrays) "
            "training resumes at the start of that epoch, from the backed-up "
            "weights.",
            stacklevel=3,
        )
        initial_step = 0
    epoch_logs: dict[str, Any] = {}
    if resumable and (initial_epoch or initial_step or seed is not None):
        source.start_at_epoch(initial_epoch, initial_step, seed)
        model._shuffle_seed = source.shuffle_seed()
    with deferred_interrupts(model) as interrupt:
        for epoch in range(initial_epoch, epochs):
            if not (epoch == initial_epoch and initial_step):
                model.reset_metrics()  # a resumed epoch keeps its restored metrics
            callbacks.on_epoch_begin(epoch)
            logs = _run_steps(
                train,
                source,
                "train",
                callbacks,
                model.steps_per_execution,
                kw["shuffle"],
                model,
            )
            source.on_epoch_end()
            if interrupt.raised:
                break
            if not logs and epoch == initial_epoch and initial_step:
                logs = model.get_metrics_result()  # resumed after the last step
            if not logs:
                warnings.warn(
                    "Your input ran out of data; interrupting training. Make sure the "
                    "source can produce `steps_per_epoch * epochs` batches (a generator "
                    "cannot restart: pass steps_per_epoch, or a PyDataset).",
                    stacklevel=3,
                )
                break
            epoch_logs = {k: _host_log(v) for k, v in logs.items()}
            warn_nan(epoch, epoch_logs)
            if val_source is not None and (epoch + 1) % int(kw["validation_freq"]) == 0:
                val_logs = _evaluate_source(model, val_source, callbacks=None)
                epoch_logs.update({f"val_{k}": v for k, v in val_logs.items()})
            callbacks.on_epoch_end(epoch, epoch_logs)
            if model.stop_training:
                break
    if hasattr(model.optimizer, "finalize_variable_values"):
        model.optimizer.finalize_variable_values(model.trainable_variables)
    callbacks.on_train_end(epoch_logs)
    source.close()
    if val_source is not None:
        val_source.close()
    history = next(cb for cb in callbacks.callbacks if type(cb).__name__ == "History")
    model.history = history
    if interrupt.raised:
        raise KeyboardInterrupt(
            "Training interrupted; it stopped after a completed step and the model "
            "holds that step's weights (model.history has the finished epochs)."
        )
    return history


def _resume_point(callbacks: Any, initial_epoch: int) -> tuple[int, int, Any]:
    """(epoch, step in it, shuffle seed) to start from: a restoring callback's
    (BackupAndRestore) when it is later than ``initial_epoch``."""
    point = (int(initial_epoch), 0)
    seed = None
    for cb in callbacks.callbacks:
        track = getattr(cb, "_track_callbacks", None)
        if track is not None:  # BackupAndRestore also backs up the others' state
            track(callbacks.callbacks)
        epoch = getattr(cb, "_initial_epoch", None)
        if epoch is None:
            continue
        restored = (int(epoch), int(getattr(cb, "_initial_step", 0) or 0))
        if restored > point:
            point = restored
        seed = getattr(cb, "_initial_shuffle_seed", None) if seed is None else seed
    return point[0], point[1], seed


def _evaluate_source(model: Any, source: Any, callbacks: Any) -> dict[str, float]:
    test = model._step("test")
    model.reset_metrics()
    logs = _run_steps(
        test, source, "test", callbacks, model.steps_per_execution, False, model
    )
    source.on_epoch_end()
    return {k: _host_log(v) for k, v in logs.items()}


def run_evaluate(model: Any, **kw: Any) -> Any:
    from kerax.callbacks import CallbackList

    verbose = _resolve_verbose(kw["verbose"])
    batch_size = default_batch_size(kw["batch_size"])
    check_finite(kw["x"], kw["y"], kw["sample_weight"], "evaluate")
    source, _ = make_source(
        kw["x"], kw["y"], kw["sample_weight"], batch_size, steps=kw["steps"]
    )
    model._prepare_state(source.first_batch(), "test")
    _check_sparse_labels(model, source.labels())
    callbacks = CallbackList(
        kw["callbacks"],
        add_progbar=verbose != 0,
        model=model,
        verbose=verbose,
        epochs=1,
        steps=source.steps,
    )
    callbacks.on_test_begin()
    result = _evaluate_source(model, source, callbacks)
    callbacks.on_test_end(result)
    source.close()
    if kw["return_dict"]:
        return dict(sorted(result.items()))
    values = ordered_log_values(model, result)
    return values[0] if len(values) == 1 else values


def run_predict(
    model: Any, x: Any, batch_size: Any, verbose: Any, steps: Any, callbacks: Any
) -> Any:
    from kerax.callbacks import CallbackList

    verbose = _resolve_verbose(verbose)
    batch_size = default_batch_size(batch_size)
    check_finite(x, None, None, "predict")
    source, _ = make_source(x, None, None, batch_size, steps=steps, for_predict=True)
    model._prepare_state(source.first_batch(), "predict")
    predict = model._step("predict")
    cbs = CallbackList(
        callbacks,
        add_progbar=verbose != 0,
        model=model,
        verbose=verbose,
        epochs=1,
        steps=source.steps,
    )
    cbs.on_predict_begin()
    outputs = []
    for step, (batch, size) in enumerate(source.padded_batches()):
        cbs.on_predict_batch_begin(step)
        out = predict.run(batch)
        out = jax.tree_util.tree_map(
            lambda o, n=size: o if o.shape[0] == n else o[:n], out
        )
        outputs.append(out)
        cbs.on_predict_batch_end(step, {"outputs": out})
    source.on_epoch_end()
    cbs.on_predict_end()
    source.close()
    if not outputs:
        raise ValueError("predict received no data (the input is empty).")
    return jax.tree_util.tree_map(
        lambda *parts: np.concatenate([np.asarray(p) for p in parts]), *outputs
    )
