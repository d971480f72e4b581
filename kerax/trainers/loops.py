"""The epoch loops behind fit, evaluate and predict (in-memory arrays).

Arrays go to the device once; each epoch draws a permutation on the host,
sends it once, and every compiled call gathers its batches on the device and
runs ``steps_per_execution`` steps in one ``lax.scan``.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from kerax.trainers import data_adapter
from kerax.trainers.trainer import (
    default_batch_size,
    draw_shuffle_seed,
    epoch_permutation,
    ordered_log_values,
    warn_nan,
)


def _resolve_verbose(verbose: Any) -> int:
    if verbose == "auto":
        return 1
    if verbose not in (0, 1, 2, True, False):
        raise ValueError(f"verbose must be 0, 1, 2 or 'auto', received {verbose!r}.")
    return int(verbose)


def _check_sparse_labels(model: Any, y: Any) -> None:
    """Out-of-range sparse labels give silently wrong losses: refuse them up front."""
    compile_loss = model._compile_loss
    if compile_loss is None or not compile_loss.built:
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


class _ArrayEpochs:
    """Batches of in-memory arrays, gathered on the device by index."""

    def __init__(self, data: Any, batch_size: int, steps: int | None = None) -> None:
        self.data = data_adapter.to_device(data)
        self.n = data_adapter.num_samples(*data_adapter.unpack_x_y_sample_weight(data))
        self.batch_size = batch_size
        full, rest = divmod(self.n, batch_size)
        self.full_steps = full
        self.rest = rest
        self.steps = full + (1 if rest else 0)
        if steps is not None:
            self.steps = min(int(steps), self.steps)
            self.full_steps = min(self.full_steps, self.steps)
            if self.full_steps == self.steps:
                self.rest = 0

    def first_batch(self) -> Any:
        size = min(self.batch_size, self.n)
        return jax.tree_util.tree_map(lambda a: a[:size], self.data)

    def chunks(self, order: np.ndarray, per_call: int) -> Any:
        """Yield (first step, number of steps, device indices [k, batch])."""
        step = 0
        full = self.full_steps
        bs = self.batch_size
        full_index = order[: full * bs].reshape(full, bs) if full else None
        while step < full:
            k = min(per_call, full - step)
            yield step, k, jnp.asarray(full_index[step : step + k])
            step += k
        if self.rest and step < self.steps:
            tail = order[full * bs :][None, :]
            yield step, 1, jnp.asarray(tail)


def _prepare_arrays(x: Any, y: Any, sample_weight: Any) -> tuple[Any, Any, Any]:
    x = data_adapter.to_arrays(x, "x")
    y = data_adapter.to_arrays(y, "y")
    sample_weight = data_adapter.to_arrays(sample_weight, "sample_weight")
    if x is None:
        raise ValueError("fit/evaluate needs input data `x`.")
    data_adapter.num_samples(x, y, sample_weight)
    return x, y, sample_weight


def _validation_tuple(validation_data: Any) -> Any:
    if isinstance(validation_data, (list, tuple)) and len(validation_data) in (2, 3):
        vx, vy, vsw = data_adapter.unpack_x_y_sample_weight(tuple(validation_data))
        return _prepare_arrays(vx, vy, vsw)
    raise ValueError(
        "validation_data must be a tuple (x_val, y_val) or (x_val, y_val, "
        f"val_sample_weight), received {type(validation_data).__name__}."
    )


def run_fit(model: Any, **kw: Any) -> Any:
    from kerax.callbacks import CallbackList

    verbose = _resolve_verbose(kw["verbose"])
    batch_size = default_batch_size(kw["batch_size"])
    epochs = int(kw["epochs"])
    x, y, sample_weight = _prepare_arrays(kw["x"], kw["y"], kw["sample_weight"])
    if kw["class_weight"] is not None:
        sample_weight = data_adapter.class_weights_to_sample_weights(
            y, kw["class_weight"], sample_weight
        )
    val = None
    if kw["validation_data"] is not None:
        val = _validation_tuple(kw["validation_data"])
    elif kw["validation_split"]:
        (x, y, sample_weight), val = data_adapter.split_validation(
            (x, y, sample_weight), float(kw["validation_split"])
        )
    data = data_adapter.pack_x_y_sample_weight(x, y, sample_weight)
    epochs_data = _ArrayEpochs(data, batch_size, kw["steps_per_epoch"])
    model._prepare_state(epochs_data.first_batch(), "train")
    _check_sparse_labels(model, y)
    if val is not None:
        _check_sparse_labels(model, val[1])
    train = model._step("train")

    callbacks = CallbackList(
        kw["callbacks"],
        add_history=True,
        add_progbar=verbose != 0,
        model=model,
        verbose=verbose,
        epochs=epochs,
        steps=epochs_data.steps,
    )
    per_call = model.steps_per_execution
    batch_hooks = callbacks._needs_batch_hooks("train")
    model.stop_training = False
    callbacks.on_train_begin()
    initial_epoch = int(
        getattr(callbacks, "_initial_epoch", None) or kw["initial_epoch"]
    )
    for cb in callbacks.callbacks:
        restored = getattr(cb, "_initial_epoch", None)
        if restored is not None:
            initial_epoch = max(initial_epoch, int(restored))
    epoch_logs: dict[str, Any] = {}
    for epoch in range(initial_epoch, epochs):
        model.reset_metrics()
        callbacks.on_epoch_begin(epoch)
        order = epoch_permutation(epochs_data.n, kw["shuffle"], draw_shuffle_seed())
        logs: dict[str, Any] = {}
        for first, count, index in epochs_data.chunks(order, per_call):
            if batch_hooks:
                callbacks.on_train_batch_begin(first)
            logs = train.run_indexed(epochs_data.data, index)
            if batch_hooks:
                callbacks.on_train_batch_end(first + count - 1, logs)
            if model.stop_training:
                break
        epoch_logs = {k: float(np.asarray(v)) for k, v in logs.items()}
        warn_nan(epoch, epoch_logs)
        if val is not None and (epoch + 1) % int(kw["validation_freq"]) == 0:
            val_logs = run_evaluate(
                model,
                x=val[0],
                y=val[1],
                sample_weight=val[2],
                batch_size=kw["validation_batch_size"] or batch_size,
                verbose=0,
                steps=kw["validation_steps"],
                callbacks=None,
                return_dict=True,
                _internal=True,
            )
            epoch_logs.update({f"val_{k}": v for k, v in val_logs.items()})
        callbacks.on_epoch_end(epoch, epoch_logs)
        if model.stop_training:
            break
    if hasattr(model.optimizer, "finalize_variable_values"):
        model.optimizer.finalize_variable_values(model.trainable_variables)
    callbacks.on_train_end(epoch_logs)
    history = next(cb for cb in callbacks.callbacks if type(cb).__name__ == "History")
    model.history = history
    return history


def run_evaluate(model: Any, _internal: bool = False, **kw: Any) -> Any:
    from kerax.callbacks import CallbackList

    verbose = _resolve_verbose(kw["verbose"])
    batch_size = default_batch_size(kw["batch_size"])
    x, y, sample_weight = _prepare_arrays(kw["x"], kw["y"], kw["sample_weight"])
    data = data_adapter.pack_x_y_sample_weight(x, y, sample_weight)
    epochs_data = _ArrayEpochs(data, batch_size, kw["steps"])
    model._prepare_state(epochs_data.first_batch(), "test")
    if not _internal:
        _check_sparse_labels(model, y)
    test = model._step("test")
    callbacks = None
    if not _internal or kw["callbacks"]:
        callbacks = CallbackList(
            kw["callbacks"],
            add_progbar=verbose != 0,
            model=model,
            verbose=verbose,
            epochs=1,
            steps=epochs_data.steps,
        )
    batch_hooks = callbacks is not None and callbacks._needs_batch_hooks("test")
    per_call = model.steps_per_execution
    model.reset_metrics()
    if callbacks is not None:
        callbacks.on_test_begin()
    logs: dict[str, Any] = {}
    order = np.arange(epochs_data.n, dtype=np.int32)
    for first, count, index in epochs_data.chunks(order, per_call):
        if batch_hooks:
            callbacks.on_test_batch_begin(first)
        logs = test.run_indexed(epochs_data.data, index)
        if batch_hooks:
            callbacks.on_test_batch_end(first + count - 1, logs)
    result = {k: float(np.asarray(v)) for k, v in logs.items()}
    if callbacks is not None:
        callbacks.on_test_end(result)
    if kw["return_dict"]:
        return dict(sorted(result.items()))
    values = ordered_log_values(model, result)
    return values[0] if len(values) == 1 else values


def _slice(tree: Any, start: int, stop: int) -> Any:
    return jax.tree_util.tree_map(lambda a: a[start:stop], tree)


def run_predict(
    model: Any, x: Any, batch_size: Any, verbose: Any, steps: Any, callbacks: Any
) -> Any:
    from kerax.callbacks import CallbackList

    verbose = _resolve_verbose(verbose)
    batch_size = default_batch_size(batch_size)
    x = data_adapter.to_arrays(x, "x")
    if x is None:
        raise ValueError("predict needs input data `x`.")
    n = data_adapter.num_samples(x, None, None)
    x = data_adapter.to_device(x)
    total_steps = -(-n // batch_size)
    if steps is not None:
        total_steps = min(total_steps, int(steps))
    first = jax.tree_util.tree_map(lambda a: a[: min(batch_size, n)], x)
    model._prepare_state((first,), "predict")
    predict = model._step("predict")
    cbs = CallbackList(
        callbacks,
        add_progbar=verbose != 0,
        model=model,
        verbose=verbose,
        epochs=1,
        steps=total_steps,
    )
    cbs.on_predict_begin()
    outputs = []
    size = min(batch_size, n)
    for step in range(total_steps):
        start = step * batch_size
        stop = min(start + batch_size, n)
        batch = _slice(x, start, stop)
        if stop - start < size:
            batch = data_adapter.pad_batch(batch, size)
        cbs.on_predict_batch_begin(step)
        out = predict.run((batch,))
        out = _slice(out, 0, stop - start)
        outputs.append(out)
        cbs.on_predict_batch_end(step, {"outputs": out})
    cbs.on_predict_end()
    result = jax.tree_util.tree_map(
        lambda *parts: np.concatenate([np.asarray(p) for p in parts]), *outputs
    )
    return result
