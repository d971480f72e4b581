"""``Trainer``: compile, fit, evaluate and predict for ``Model``.

The per-batch logic is stateful Python (``train_step``, ``test_step``,
``predict_step``) exactly as a Keras user overrides it; ``steps.CompiledStep``
turns it into one jitted pure function over every Variable involved.
"""

from __future__ import annotations

import math
import random as python_random
import warnings
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from kerax import ops
from kerax.autodiff.grad import value_and_grad
from kerax.trainers import data_adapter, padding
from kerax.trainers.compile_utils import CompileLoss, CompileMetrics
from kerax.trainers.steps import CompiledStep


def _leaves(tree: Any) -> list[Any]:
    return jax.tree_util.tree_leaves(tree)


class Trainer:
    """Mixin of ``Model`` holding the training API."""

    def __init__(self) -> None:
        self.compiled = False
        self.optimizer: Any = None
        self.loss: Any = None
        self.stop_training = False
        self.history: Any = None
        self.steps_per_execution = 1
        self._auto_steps = False
        self._run_eagerly = False
        self._jit_compile = True
        self._compile_loss: CompileLoss | None = None
        self._compile_metrics: CompileMetrics | None = None
        self._loss_tracker: Any = None
        self._output_loss_trackers: list[Any] = []
        self._steps: dict[str, CompiledStep] = {}
        self._extra_step_variables: dict[str, list[Any]] = {}

    # -- compile ------------------------------------------------------------
    def compile(
        self,
        optimizer: Any = "rmsprop",
        loss: Any = None,
        loss_weights: Any = None,
        metrics: Any = None,
        weighted_metrics: Any = None,
        run_eagerly: bool = False,
        steps_per_execution: int | str = "auto",
        jit_compile: Any = "auto",
        auto_scale_loss: bool = True,
    ) -> None:
        """Configure the model for training."""
        from kerax import metrics as metrics_module
        from kerax import optimizers

        self.optimizer = optimizers.get(optimizer)
        if (
            auto_scale_loss
            and self.dtype_policy.name == "mixed_float16"
            and not isinstance(self.optimizer, optimizers.LossScaleOptimizer)
        ):
            # float16 gradients underflow without loss scaling (as Keras).
            self.optimizer = optimizers.LossScaleOptimizer(self.optimizer)
        self.loss = loss
        self._compile_loss = (
            CompileLoss(loss, loss_weights) if loss is not None else None
        )
        self._compile_metrics = (
            CompileMetrics(metrics, weighted_metrics)
            if metrics is not None or weighted_metrics is not None
            else None
        )
        self._auto_steps = steps_per_execution == "auto"
        if self._auto_steps:
            steps_per_execution = 1
        if (
            isinstance(steps_per_execution, bool)
            or not isinstance(steps_per_execution, int)
            or steps_per_execution < 1
        ):
            raise ValueError(
                "steps_per_execution must be a positive int or 'auto', received "
                f"{steps_per_execution!r}."
            )
        self.steps_per_execution = steps_per_execution
        self._run_eagerly = bool(run_eagerly)
        self._jit_compile = not run_eagerly and jit_compile is not False
        self._loss_tracker = metrics_module.Mean(name="loss")
        self._output_loss_trackers = []
        self._steps = {}
        self.compiled = True
        self.stop_training = False

    @property
    def run_eagerly(self) -> bool:
        return self._run_eagerly

    @run_eagerly.setter
    def run_eagerly(self, value: bool) -> None:
        self._run_eagerly = bool(value)
        self._jit_compile = not value
        self._steps = {}

    def _assert_compiled(self) -> None:
        if not self.compiled:
            raise RuntimeError("You must call `compile()` before using the model.")

    # -- metrics ------------------------------------------------------------
    @property
    def metrics(self) -> list[Any]:
        """Loss tracker, compiled metrics, per-output loss trackers, layer metrics."""
        result: list[Any] = []
        if self.compiled and self._loss_tracker is not None:
            result.append(self._loss_tracker)
        if self._compile_metrics is not None and self._compile_metrics.built:
            result.append(self._compile_metrics)
        result.extend(self._output_loss_trackers)
        for layer in self._flatten_layers(include_self=True):
            for child in layer._children():
                if getattr(child, "_is_metric", False) and not any(
                    child is m for m in result
                ):
                    result.append(child)
        return result

    @property
    def compiled_metrics(self) -> Any:
        """The compiled metrics as one metric-like object (``update_state(y, y_pred,
        sample_weight)``, ``result()``, ``reset_state()``), as in Keras's guides."""
        return _CompiledMetricsView(self)

    @property
    def compiled_loss(self) -> Any:
        """The compiled loss: ``compiled_loss(y, y_pred, sample_weight)``."""
        return lambda y, y_pred, sample_weight=None, regularization_losses=None: (
            self.compute_loss(y=y, y_pred=y_pred, sample_weight=sample_weight)
        )

    @property
    def metrics_names(self) -> list[str]:
        return [m.name for m in self.metrics]

    @property
    def metrics_variables(self) -> list[Any]:
        result: list[Any] = []
        seen: set[int] = set()
        for metric in self.metrics:
            for variable in metric.variables:
                if id(variable) not in seen:
                    seen.add(id(variable))
                    result.append(variable)
        return result

    def reset_metrics(self) -> None:
        for metric in self.metrics:
            metric.reset_state()

    def get_metrics_result(self) -> dict[str, Any]:
        """Current values of all metrics, as a flat dict."""
        logs: dict[str, Any] = {}
        for metric in self.metrics:
            result = metric.result()
            if isinstance(result, dict):
                logs.update(result)
            else:
                logs[metric.name] = result
        return logs

    # -- loss ---------------------------------------------------------------
    def _output_names(self, y_pred: Any) -> list[str]:
        names = getattr(self, "output_names", None) or []
        count = len(_leaves(y_pred))
        if isinstance(y_pred, dict):
            return list(y_pred)
        if len(names) == count:
            return list(names)
        return [f"output_{i}" for i in range(count)] if count > 1 else ["output_0"]

    def _ensure_compile_objects(self, y: Any, y_pred: Any) -> None:
        from kerax import metrics as metrics_module

        names = self._output_names(y_pred)
        if self._compile_loss is not None and not self._compile_loss.built:
            self._compile_loss.build(names)
            if len(names) > 1:
                self._output_loss_trackers = [
                    metrics_module.Mean(name=f"{name}_loss")
                    for name, loss in zip(names, self._compile_loss.losses)
                    if loss is not None
                ]
        if self._compile_metrics is not None and not self._compile_metrics.built:
            losses = (
                self._compile_loss.losses if self._compile_loss else [None] * len(names)
            )
            self._compile_metrics.build(
                names, losses, self._flat_targets(y, y_pred), _leaves(y_pred)
            )

    def _flat_targets(self, y: Any, y_pred: Any) -> list[Any]:
        if y is None:
            return [None] * len(_leaves(y_pred))
        if isinstance(y, dict) and isinstance(y_pred, dict):
            return [y.get(k) for k in y_pred]
        if isinstance(y, dict):
            names = self._output_names(y_pred)
            missing = [n for n in names if n not in y]
            if missing:
                raise ValueError(
                    f"y is a dict with keys {list(y)} but the model outputs are named "
                    f"{names}."
                )
            return [y[n] for n in names]
        flat = _leaves(y)
        count = len(_leaves(y_pred))
        if len(flat) != count:
            raise ValueError(
                f"The model has {count} output(s) but y holds {len(flat)} array(s)."
            )
        return flat

    def _flat_sample_weight(self, sample_weight: Any, count: int) -> list[Any]:
        if sample_weight is None:
            return [None] * count
        flat = _leaves(sample_weight)
        if len(flat) == 1:
            return flat * count
        if len(flat) != count:
            raise ValueError(
                f"sample_weight holds {len(flat)} arrays for a model with {count} outputs."
            )
        return flat

    def compute_loss(
        self,
        x: Any = None,
        y: Any = None,
        y_pred: Any = None,
        sample_weight: Any = None,
        training: bool = True,
    ) -> Any:
        """Compiled loss plus the losses added by layers (``model.losses``)."""
        self._ensure_compile_objects(y, y_pred)
        total = jnp.zeros((), "float32")
        if self._compile_loss is not None:
            flat_pred = _leaves(y_pred)
            flat_true = self._flat_targets(y, y_pred)
            flat_sw = self._flat_sample_weight(sample_weight, len(flat_pred))
            total, per_output = self._compile_loss(flat_true, flat_pred, flat_sw)
            if self._output_loss_trackers:
                batch = padding.batch_count(x) if x is not None else 1
                values = [v for v in per_output if v is not None]
                for tracker, value in zip(self._output_loss_trackers, values):
                    tracker.update_state(value, sample_weight=batch)
        for extra in self.losses:  # kerax ops keep a GradientTape informed
            total = total + ops.cast(extra, "float32")
        return total

    def compute_metrics(
        self, x: Any, y: Any, y_pred: Any, sample_weight: Any = None
    ) -> dict[str, Any]:
        """Update the compiled metrics and return all metric results."""
        self._ensure_compile_objects(y, y_pred)
        if self._compile_metrics is not None:
            flat_pred = _leaves(y_pred)
            self._compile_metrics.update_state(
                self._flat_targets(y, y_pred),
                flat_pred,
                self._flat_sample_weight(sample_weight, len(flat_pred)),
            )
        return self.get_metrics_result()

    # -- the steps ------------------------------------------------------------
    def train_step(self, data: Any) -> dict[str, Any]:
        """One optimization step on a batch; override to customize ``fit``."""
        x, y, sample_weight = data_adapter.unpack_x_y_sample_weight(data)
        trainable = self.trainable_variables

        def forward() -> tuple[Any, Any]:
            y_pred = self(x, training=True)
            loss = self.compute_loss(
                x=x, y=y, y_pred=y_pred, sample_weight=sample_weight
            )
            # Scaled for the gradient (mixed_float16 loss scaling, or the
            # optimizer's loss_scale_factor); the optimizer unscales.
            return self.optimizer.scale_loss(loss), (loss, y_pred)

        (_, (loss, y_pred)), grads = value_and_grad(forward, trainable, has_aux=True)()
        if trainable:
            self.optimizer.apply(grads, trainable)
        batch = padding.batch_count(x)  # the real rows of a padded batch
        self._loss_tracker.update_state(loss, sample_weight=batch)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def test_step(self, data: Any) -> dict[str, Any]:
        """One evaluation step on a batch."""
        x, y, sample_weight = data_adapter.unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        loss = self.compute_loss(
            x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=False
        )
        batch = padding.batch_count(x)  # the real rows of a padded batch
        self._loss_tracker.update_state(loss, sample_weight=batch)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def predict_step(self, data: Any) -> Any:
        """The model's outputs for a batch."""
        x, _, _ = data_adapter.unpack_x_y_sample_weight(data)
        return self(x, training=False)

    def _step_variables(self, kind: str) -> list[Any]:
        variables = list(self.variables)
        if kind == "train" and self.optimizer is not None:
            variables += list(self.optimizer.variables)
        if kind != "predict":
            variables += self.metrics_variables
        variables += self._extra_step_variables.get(kind, [])
        return unique_variables(variables)

    def _step(self, kind: str) -> CompiledStep:
        """The compiled step of ``kind``, rebuilt when the set of variables changed."""
        variables = self._step_variables(kind)
        step = self._steps.get(kind)
        if (
            step is None
            or len(step.variables) != len(variables)
            or any(a is not b for a, b in zip(step.variables, variables))
        ):
            fn = {
                "train": self.train_step,
                "test": self.test_step,
                "predict": self.predict_step,
            }[kind]
            step = CompiledStep(fn, variables, jit=self._jit_compile)
            self._steps[kind] = step
        return step

    def _prepare_state(self, sample: Any, kind: str) -> None:
        """Create every Variable a step needs before it is traced.

        Traces one step on ``sample`` with all writes discarded (nothing is
        compiled, no state changes), so that layers build, compiled losses and
        metrics resolve and lazily created state exists. The default train step
        is probed through ``test_step`` and the optimizer then builds its
        slots; an overridden ``train_step``/``test_step`` is probed itself, and
        every Variable it touches (optimizers or trackers held as attributes,
        as in Keras's GAN example) joins the compiled step's state.
        """
        from kerax.autodiff.state_scope import StateScope

        overridden = kind != "predict" and (
            getattr(type(self), f"{kind}_step") is not getattr(Trainer, f"{kind}_step")
        )
        needs_run = (
            overridden
            or not self.built
            or (kind != "predict" and not self._compile_objects_built())
        )
        if kind == "train" and not overridden and self.optimizer is not None:
            needs_run = needs_run or not self.optimizer.built
        touched: list[Any] = []
        if needs_run:

            def probe(data: Any) -> None:
                with StateScope(track_unknown=True) as scope:
                    if kind == "predict":
                        self.predict_step(data)
                    elif overridden:
                        getattr(self, f"{kind}_step")(data)
                    else:
                        self.test_step(data)
                touched[:] = list(scope.unknown.values())

            jax.eval_shape(probe, sample)
            if overridden:
                self._extra_step_variables[kind] = touched
        if kind == "train" and not overridden and self.optimizer is not None:
            self.optimizer.build(self.trainable_variables)

    def _compile_objects_built(self) -> bool:
        loss_ok = self._compile_loss is None or self._compile_loss.built
        metrics_ok = self._compile_metrics is None or self._compile_metrics.built
        return loss_ok and metrics_ok

    # -- fit ------------------------------------------------------------------
    def fit(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = None,
        epochs: int = 1,
        verbose: Any = "auto",
        callbacks: Any = None,
        validation_split: float = 0.0,
        validation_data: Any = None,
        shuffle: Any = True,
        class_weight: dict | None = None,
        sample_weight: Any = None,
        initial_epoch: int = 0,
        steps_per_epoch: int | None = None,
        validation_steps: int | None = None,
        validation_batch_size: int | None = None,
        validation_freq: int = 1,
    ) -> Any:
        """Train for ``epochs`` epochs; returns a ``History``."""
        from kerax.trainers.loops import run_fit

        self._assert_compiled()
        return run_fit(
            self,
            x=x,
            y=y,
            batch_size=batch_size,
            epochs=epochs,
            verbose=verbose,
            callbacks=callbacks,
            validation_split=validation_split,
            validation_data=validation_data,
            shuffle=shuffle,
            class_weight=class_weight,
            sample_weight=sample_weight,
            initial_epoch=initial_epoch,
            steps_per_epoch=steps_per_epoch,
            validation_steps=validation_steps,
            validation_batch_size=validation_batch_size,
            validation_freq=validation_freq,
        )

    def evaluate(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = None,
        verbose: Any = "auto",
        sample_weight: Any = None,
        steps: int | None = None,
        callbacks: Any = None,
        return_dict: bool = False,
        **kwargs: Any,
    ) -> Any:
        """Loss and metrics on the given data."""
        from kerax.trainers.loops import run_evaluate

        self._assert_compiled()
        return run_evaluate(
            self,
            x=x,
            y=y,
            batch_size=batch_size,
            verbose=verbose,
            sample_weight=sample_weight,
            steps=steps,
            callbacks=callbacks,
            return_dict=return_dict,
        )

    def predict(
        self,
        x: Any,
        batch_size: int | None = None,
        verbose: Any = "auto",
        steps: int | None = None,
        callbacks: Any = None,
    ) -> Any:
        """Model outputs for ``x`` as numpy arrays, computed in batches."""
        from kerax.trainers.loops import run_predict

        return run_predict(
            self,
            x,
            batch_size=batch_size,
            verbose=verbose,
            steps=steps,
            callbacks=callbacks,
        )

    def train_on_batch(
        self,
        x: Any,
        y: Any = None,
        sample_weight: Any = None,
        class_weight: dict | None = None,
        return_dict: bool = False,
    ) -> Any:
        """One training step on one batch; returns the loss and metrics."""
        self._assert_compiled()
        x, y, sample_weight = _as_batch(x, y, sample_weight)
        if class_weight is not None:
            sample_weight = data_adapter.class_weights_to_sample_weights(
                y, class_weight, sample_weight
            )
        data = data_adapter.pack_x_y_sample_weight(x, y, sample_weight)
        self._prepare_state(data, "train")
        logs = self._step("train").run(data_adapter.to_device(data))
        return _format_logs(self, logs, return_dict)

    def test_on_batch(
        self,
        x: Any,
        y: Any = None,
        sample_weight: Any = None,
        return_dict: bool = False,
    ) -> Any:
        """Loss and metrics on one batch (metrics reset first)."""
        self._assert_compiled()
        x, y, sample_weight = _as_batch(x, y, sample_weight)
        data = data_adapter.pack_x_y_sample_weight(x, y, sample_weight)
        self._prepare_state(data, "test")
        self.reset_metrics()
        logs = self._step("test").run(data_adapter.to_device(data))
        return _format_logs(self, logs, return_dict)

    def predict_on_batch(self, x: Any) -> Any:
        """Model outputs for one batch, as numpy arrays."""
        if self.built and not self._run_eagerly:
            from kerax.models.compiled_call import compiled_call

            arrays = data_adapter.to_arrays(x, "x")
            done, outputs = compiled_call(self, (arrays,), {"training": False})
            if done:
                return jax.tree_util.tree_map(np.asarray, outputs)
        x = data_adapter.to_arrays(x, "x")
        data = (x,)
        self._prepare_state(data, "predict")
        out = self._step("predict").run(data_adapter.to_device(data))
        return jax.tree_util.tree_map(np.asarray, out)


def unique_variables(variables: list[Any]) -> list[Any]:
    """``variables`` without repeats (by identity), in first-seen order."""
    seen: set[int] = set()
    result = []
    for variable in variables:
        if id(variable) not in seen:
            seen.add(id(variable))
            result.append(variable)
    return result


def _as_batch(x: Any, y: Any, sample_weight: Any) -> tuple[Any, Any, Any]:
    x = data_adapter.to_arrays(x, "x")
    y = data_adapter.to_arrays(y, "y")
    sample_weight = data_adapter.to_arrays(sample_weight, "sample_weight")
    data_adapter.num_samples(x, y, sample_weight)
    return x, y, sample_weight


def ordered_log_values(model: Any, logs: dict[str, Any]) -> list[float]:
    """Keras's order for list results: loss, per-output losses, then the rest sorted."""
    keys = []
    if "loss" in logs:
        keys.append("loss")
    keys += [t.name for t in model._output_loss_trackers if t.name in logs]
    keys += sorted(k for k in logs if k not in keys)
    return [float(np.asarray(logs[k])) for k in keys]


def _format_logs(model: Any, logs: dict[str, Any], return_dict: bool) -> Any:
    if return_dict:
        return {k: float(np.asarray(v)) for k, v in sorted(logs.items())}
    values = ordered_log_values(model, logs)
    return values[0] if len(values) == 1 else values


def default_batch_size(batch_size: int | None) -> int:
    if batch_size is None:
        return 32
    if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, received {batch_size!r}.")
    return int(batch_size)


def epoch_permutation(n: int, shuffle: Any, seed: int) -> np.ndarray:
    """Sample order for one epoch (``shuffle="batch"`` keeps batches contiguous)."""
    if not shuffle:
        return np.arange(n, dtype=np.int32)
    rng = np.random.default_rng(seed)
    return rng.permutation(n).astype(np.int32)


def draw_shuffle_seed() -> int:
    return python_random.randint(0, 2**31 - 1)


def warn_nan(epoch: int, logs: dict[str, Any]) -> None:
    loss = logs.get("loss")
    if loss is not None and not math.isfinite(loss):
        warnings.warn(
            f"The training loss became {loss} at epoch {epoch + 1}: the weights are "
            "no longer usable. Lower the learning rate, check the inputs for NaN/Inf, "
            "or add kerax.callbacks.TerminateOnNaN() to stop automatically.",
            RuntimeWarning,
            stacklevel=3,
        )


class _CompiledMetricsView:
    """What ``model.compiled_metrics`` returns: the compiled metrics of a model."""

    def __init__(self, model: Any) -> None:
        self._model = model

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        self._model.compute_metrics(None, y_true, y_pred, sample_weight)

    def result(self) -> dict[str, Any]:
        compiled = self._model._compile_metrics
        return compiled.result() if compiled is not None and compiled.built else {}

    def reset_state(self) -> None:
        compiled = self._model._compile_metrics
        if compiled is not None:
            compiled.reset_state()

    @property
    def metrics(self) -> list[Any]:
        compiled = self._model._compile_metrics
        return compiled.metrics if compiled is not None and compiled.built else []
