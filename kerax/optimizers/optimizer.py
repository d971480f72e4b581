"""``Optimizer``: the Keras-facing base class of every kerax optimizer.

An algorithm writes two methods: ``build(variables)``, which creates its slots
with ``add_variable_from_reference`` (after ``super().build``), and
``update_step(gradient, variable, learning_rate)``, the per-variable rule. The
base does the rest as Keras does: gradient unscaling, clipping, weight decay,
gradient accumulation, the moving average of the weights (EMA), constraints
and the step counter.

All state is ``Variable``s (``iterations``, the learning rate, the slots), and
the rule is plain stateful Python (``slot.assign(...)``) with no branching on
array values, so the same code runs eagerly and compiled inside a state scope:
``stateless_apply`` is its pure form.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from kerax import config as kerax_config
from kerax.autodiff.state_scope import run_stateless
from kerax.autodiff.variable import Variable
from kerax.backend.tensors import convert_to_tensor
from kerax.optimizers import clipping, learning_rates
from kerax.registry import register
from kerax.utils import naming


@register("keras.optimizers")
class Optimizer:
    """Base class of optimizers, with Keras 3's arguments and behaviour.

    Args:
        learning_rate: a float, a ``LearningRateSchedule``, or a callable of no
            argument or of the step returning the rate.
        weight_decay: if set, decoupled weight decay
            (``w -= w * weight_decay * learning_rate``) before each update.
        clipnorm: clip each gradient to this L2 norm.
        clipvalue: clip each gradient element to ``[-clipvalue, clipvalue]``.
        global_clipnorm: clip all gradients together to this global norm.
        use_ema: keep an exponential moving average of the trained variables.
        ema_momentum: the average's momentum.
        ema_overwrite_frequency: every this many steps, overwrite the variables
            with their average (None: only at ``finalize_variable_values``).
        loss_scale_factor: gradients are divided by it (see ``scale_loss``).
        gradient_accumulation_steps: update every this many steps with the
            mean gradient of those steps (an integer >= 2).
        name: the optimizer's name; its variables' paths start with it.

    Subclasses implement ``build`` and ``update_step``; see ``SGD``.
    """

    def __init__(
        self,
        learning_rate: Any,
        weight_decay: float | None = None,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        use_ema: bool = False,
        ema_momentum: float = 0.99,
        ema_overwrite_frequency: int | None = None,
        loss_scale_factor: float | None = None,
        gradient_accumulation_steps: int | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        if kwargs.pop("decay", None) is not None:
            warnings.warn(
                "Argument `decay` is no longer supported and will be ignored.",
                stacklevel=2,
            )
        if kwargs:
            raise ValueError(f"Argument(s) not recognized: {kwargs}")
        if gradient_accumulation_steps and not gradient_accumulation_steps >= 2:
            raise ValueError(
                "`gradient_accumulation_steps` must be an integer >= 2. Received: "
                f"gradient_accumulation_steps={gradient_accumulation_steps}"
            )
        if use_ema:
            if not 0 <= ema_momentum <= 1:
                raise ValueError(
                    "`ema_momentum` must be in the range [0, 1]. Received: "
                    f"ema_momentum={ema_momentum}"
                )
            if ema_overwrite_frequency is not None and (
                not isinstance(ema_overwrite_frequency, int)
                or ema_overwrite_frequency < 1
            ):
                raise ValueError(
                    "`ema_overwrite_frequency` must be an integer >= 1 or None. "
                    f"Received: ema_overwrite_frequency={ema_overwrite_frequency}"
                )
        clips = [clipnorm, clipvalue, global_clipnorm]
        if sum(c is not None for c in clips) > 1:
            raise ValueError(
                "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be "
                f"set. Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                f"global_clipnorm={global_clipnorm}"
            )
        self.name = name or naming.uniquify(naming.to_snake_case(type(self).__name__))
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.use_ema = use_ema
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.built = False
        self._variables: list[Variable] = []
        self._trainable_variables: list[Variable] = []
        self._trainable_variables_indices: dict[int, int] = {}
        self._exclude_ids: set[int] = set()
        self._exclude_pattern: re.Pattern[str] | None = None
        self._iterations = self.add_variable((), "zeros", "int32", name="iteration")
        self._learning_rate: Any = None
        self._set_learning_rate(learning_rate)

    # -- learning rate and step ------------------------------------------
    def _set_learning_rate(self, learning_rate: Any) -> None:
        if callable(learning_rate):
            self._learning_rate = learning_rate
        elif learning_rates.is_number(learning_rate):
            self._learning_rate = self.add_variable(
                (), float(learning_rate), kerax_config.floatx(), name="learning_rate"
            )
        else:
            raise ValueError(
                "Argument `learning_rate` should be float, or an instance of "
                "LearningRateSchedule, or a callable (that takes in the current "
                "iteration value and returns the corresponding learning rate "
                f"value). Received instead: learning_rate={learning_rate!r}"
            )

    @property
    def learning_rate(self) -> Any:
        """The current learning rate (the rate Variable, or the schedule's value)."""
        return learning_rates.evaluate(self._learning_rate, self._iterations)

    @learning_rate.setter
    def learning_rate(self, learning_rate: Any) -> None:
        previous = self._learning_rate
        if callable(learning_rate):
            self._learning_rate = learning_rate
            if isinstance(previous, Variable):
                self._variables.remove(previous)
        elif isinstance(previous, Variable):
            previous.assign(convert_to_tensor(learning_rate, previous.dtype))
        else:
            raise TypeError(
                f"Optimizer {self.name!r} was created without a float "
                "`learning_rate` (it has a schedule, a callable or none), so its "
                "learning rate cannot be set to a number. Create the optimizer "
                "with a float `learning_rate` to change it during training."
            )

    @property
    def iterations(self) -> Any:
        """Optimizer steps taken (with accumulation: real steps // accumulation)."""
        if self.gradient_accumulation_steps:
            return self._iterations.value // self.gradient_accumulation_steps
        return self._iterations

    def _iteration(self) -> jax.Array:
        """``iterations`` as an array, for use inside update rules."""
        return convert_to_tensor(self.iterations)

    @property
    def variables(self) -> list[Variable]:
        """All optimizer state, in Keras's order (iteration, learning rate, slots)."""
        return list(self._variables)

    # -- variables --------------------------------------------------------
    def add_variable(
        self,
        shape: Sequence[int],
        initializer: Any = "zeros",
        dtype: Any = None,
        aggregation: str = "none",
        name: str | None = None,
    ) -> Variable:
        """Create a non-trainable optimizer Variable and track it."""
        variable = Variable(
            initializer=initializer,
            shape=tuple(shape),
            dtype=dtype,
            trainable=False,
            aggregation=aggregation,
            name=name,
        )
        variable.path = f"{self.name}/{variable.name}"
        self._variables.append(variable)
        return variable

    def add_variable_from_reference(
        self,
        reference_variable: Any,
        name: str | None = None,
        initializer: Any = "zeros",
    ) -> Variable:
        """Create a slot shaped and typed like ``reference_variable``.

        Its name is the reference's path with ``/`` replaced by ``_``, then
        ``_{name}`` (``dense_kernel_momentum``).
        """
        reference = getattr(reference_variable, "path", None) or str(
            reference_variable.name
        ).replace(":", "_")
        slot = self.add_variable(
            shape=reference_variable.shape,
            initializer=initializer,
            dtype=reference_variable.dtype,
            name=f"{reference.replace('/', '_')}_{name or 'var'}",
        )
        slot._reference_variable = (
            reference_variable  # a distribution lays it out alike
        )
        return slot

    def add_optimizer_variables(
        self,
        trainable_variables: Sequence[Any],
        name: str | Sequence[str],
        initializer: Any = "zeros",
    ) -> Any:
        """Create one slot per trainable variable for each of ``name``.

        With several names, slots are created variable by variable (Keras's
        order) and a tuple of lists, one per name, is returned.
        """
        names = [name] if isinstance(name, str) else list(name)
        if isinstance(initializer, (list, tuple)):
            initializers = list(initializer)
        else:
            initializers = [initializer] * len(names)
        if len(names) != len(initializers):
            raise ValueError(
                "The number of provided names must match the number of provided "
                f"initializers. Received name={name!r}, initializer={initializer!r}"
            )
        slots: tuple[list[Variable], ...] = tuple([] for _ in names)
        for variable in trainable_variables:
            for out, slot_name, init in zip(slots, names, initializers):
                out.append(self.add_variable_from_reference(variable, slot_name, init))
        return slots[0] if isinstance(name, str) else slots

    def build(self, variables: Sequence[Any]) -> None:
        """Create the optimizer's state for ``variables`` (the trainable ones)."""
        variables = list(variables)
        for variable in variables:
            if not isinstance(variable, Variable):
                raise TypeError(
                    f"Optimizer {self.name!r} can only update kerax Variables; "
                    f"received {type(variable).__name__}: {variable!r}"
                )
        if self.use_ema:
            self._model_variables_moving_average = self.add_optimizer_variables(
                variables, "average"
            )
        if self.gradient_accumulation_steps:
            self._accumulated_gradients = self.add_optimizer_variables(
                variables, "gradient_accumulator"
            )
        self._trainable_variables_indices = {id(v): i for i, v in enumerate(variables)}
        self._trainable_variables = variables
        self.built = True

    def _get_variable_index(self, variable: Any) -> int:
        return self._trainable_variables_indices[id(variable)]

    def assign(self, variable: Variable, value: Any) -> None:
        """``variable.assign(value)`` (kept for optimizers written for Keras)."""
        variable.assign(value)

    def assign_add(self, variable: Variable, value: Any) -> None:
        """``variable.assign_add(value)``."""
        variable.assign_add(value)

    def assign_sub(self, variable: Variable, value: Any) -> None:
        """``variable.assign_sub(value)``."""
        variable.assign_sub(value)

    # -- applying gradients ---------------------------------------------------
    def update_step(
        self, gradient: jax.Array, variable: Variable, learning_rate: Any
    ) -> None:
        """The algorithm's rule: update ``variable`` (and its slots) in place."""
        raise NotImplementedError(
            f"Optimizer {type(self).__name__!r} must implement `update_step`."
        )

    def apply_gradients(self, grads_and_vars: Iterable[tuple[Any, Any]]) -> Variable:
        """Apply ``(gradient, variable)`` pairs; returns ``iterations``."""
        grads, variables = zip(*grads_and_vars)
        self.apply(grads, variables)
        return self._iterations

    def apply(
        self, grads: Sequence[Any], trainable_variables: Sequence[Any] | None = None
    ) -> None:
        """Update variables with their gradients (None gradients are skipped).

        ``trainable_variables`` builds the optimizer on first use; without it
        ``grads`` must match the variables the optimizer was built with.
        """
        grads = list(grads)
        if not grads:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError(
                    "When passing `grads` without `variables`, the optimizer must "
                    "already be built on a list of variables. Call "
                    "`optimizer.build(trainable_variables)` first."
                )
            variables = self._trainable_variables
        else:
            variables = list(trainable_variables)
        if len(grads) != len(variables):
            raise ValueError(
                f"Optimizer {self.name!r} received {len(grads)} gradients for "
                f"{len(variables)} variables; pass exactly one gradient (or None) "
                "per variable."
            )
        if not self.built:
            self.build(variables)
        self._check_variables_are_known(variables)
        grads, variables = self._filter_empty_gradients(grads, variables)
        if self.loss_scale_factor is not None:
            grads = [g / self.loss_scale_factor for g in grads]
        self._apply_with_accumulation(grads, variables)
        for variable in variables:
            if variable.constraint is not None:
                variable.assign(variable.constraint(variable.value))
        self._iterations.assign_add(1)

    def stateless_apply(
        self,
        optimizer_variables: Sequence[Any],
        grads: Sequence[Any],
        trainable_variables: Sequence[Any],
    ) -> tuple[list[Any], list[Any]]:
        """Pure ``apply``: returns (new trainable values, new optimizer values).

        ``optimizer_variables`` and ``trainable_variables`` are arrays matching
        ``self.variables`` and the variables the optimizer was built with; no
        Variable changes, so this runs inside ``jax.jit``.
        """
        if not self.built:
            raise ValueError(
                f"To call `stateless_apply`, {type(self).__name__} must be built "
                "(i.e. its variables must have been created). You can build it "
                "via `optimizer.build(trainable_variables)`."
            )
        if len(optimizer_variables) != len(self.variables):
            raise ValueError(
                "Argument `optimizer_variables` must be a list of tensors "
                f"corresponding 1:1 to {type(self).__name__}().variables. Received "
                f"{len(optimizer_variables)} values, expected {len(self.variables)}."
            )
        if len(trainable_variables) != len(self._trainable_variables):
            raise ValueError(
                "Argument `trainable_variables` must be a list of tensors "
                "corresponding 1:1 to the variables the optimizer was built with. "
                f"Received {len(trainable_variables)} values, expected "
                f"{len(self._trainable_variables)}."
            )
        owned = self._trainable_variables + self.variables
        values = list(trainable_variables) + list(optimizer_variables)
        _, new_values = run_stateless(self.apply, owned, values, grads)
        count = len(self._trainable_variables)
        return new_values[:count], new_values[count:]

    def scale_loss(self, loss: Any) -> Any:
        """Multiply ``loss`` by ``loss_scale_factor`` (when set)."""
        if self.loss_scale_factor is not None:
            return loss * self.loss_scale_factor
        return loss

    def _check_variables_are_known(self, variables: Sequence[Any]) -> None:
        for variable in variables:
            if id(variable) not in self._trainable_variables_indices:
                raise ValueError(
                    f"Unknown variable: {variable}. This optimizer can only be "
                    "called for the variables it was originally built with. When "
                    "working with a new set of variables, you should recreate a "
                    "new optimizer instance."
                )

    def _filter_empty_gradients(
        self, grads: Sequence[Any], variables: Sequence[Any]
    ) -> tuple[list[jax.Array], list[Any]]:
        kept_grads, kept_variables, missing = [], [], []
        for grad, variable in zip(grads, variables):
            if grad is None:
                missing.append(variable.path)
                continue
            grad = convert_to_tensor(grad)
            if tuple(grad.shape) != tuple(variable.shape):
                raise ValueError(
                    f"Optimizer {self.name!r}: the gradient for variable "
                    f"{variable.path!r} has shape {tuple(grad.shape)}, expected "
                    f"the variable's shape {tuple(variable.shape)}."
                )
            kept_grads.append(grad)
            kept_variables.append(variable)
        if not kept_grads:
            raise ValueError("No gradients provided for any variable.")
        if missing:
            warnings.warn(
                f"Gradients do not exist for variables {missing} when minimizing "
                "the loss. If using `model.compile()`, did you forget to provide "
                "a `loss` argument?",
                stacklevel=3,
            )
        return kept_grads, kept_variables

    def _apply_with_accumulation(self, grads: list[Any], variables: list[Any]) -> None:
        """Update now, or (with accumulation) only every N-th call, then the EMA."""
        steps = self.gradient_accumulation_steps
        if not steps:
            self._update(grads, variables)
        else:
            is_update = (self._iterations.value + 1) % steps == 0
            accumulators = [
                self._accumulated_gradients[self._get_variable_index(v)]
                for v in variables
            ]
            old_variables = [v.value for v in variables]
            old_state = [v.value for v in self.variables]
            new_sums = [
                jnp.where(is_update, jnp.zeros_like(a.value), g + a.value)
                for g, a in zip(grads, accumulators)
            ]
            grads = [
                jnp.where(is_update, (g + a.value) / steps, g)
                for g, a in zip(grads, accumulators)
            ]
            self._update(grads, variables)
            for variable, old in zip(
                variables + self.variables, old_variables + old_state
            ):
                variable.assign(jnp.where(is_update, variable.value, old))
            for accumulator, new_sum in zip(accumulators, new_sums):
                accumulator.assign(new_sum)
        if self.use_ema:
            self._update_moving_average()

    def _update(self, grads: list[Any], variables: list[Any]) -> None:
        grads = self._clip_gradients(grads)
        self._apply_weight_decay(variables)
        self._backend_update_step(grads, variables, self.learning_rate)

    def _backend_update_step(
        self, grads: Sequence[Any], variables: Sequence[Any], learning_rate: Any
    ) -> None:
        """Run ``update_step`` per variable (override for whole-step state)."""
        for grad, variable in zip(grads, variables):
            self.update_step(grad, variable, learning_rate)

    def _clip_gradients(self, grads: list[Any]) -> list[Any]:
        if self.clipnorm and self.clipnorm > 0:
            return [clipping.clip_by_norm(g, self.clipnorm) for g in grads]
        if self.global_clipnorm and self.global_clipnorm > 0:
            return clipping.clip_by_global_norm(grads, self.global_clipnorm)
        if self.clipvalue and self.clipvalue > 0:
            return [clipping.clip_by_value(g, self.clipvalue) for g in grads]
        return grads

    # -- weight decay -----------------------------------------------------------
    def exclude_from_weight_decay(
        self,
        var_list: Sequence[Any] | None = None,
        var_names: Sequence[str] | None = None,
    ) -> None:
        """Exempt variables from weight decay, by identity or by name substring.

        Args:
            var_list: Variables to exempt.
            var_names: strings; a variable whose name contains any is exempt.
        """
        self._exclude_ids = {id(v) for v in var_list or ()}
        self._exclude_pattern = (
            re.compile("|".join(set(var_names))) if var_names else None
        )

    def _use_weight_decay(self, variable: Any) -> bool:
        if id(variable) in self._exclude_ids:
            return False
        pattern = self._exclude_pattern
        return pattern is None or pattern.search(variable.name) is None

    def _apply_weight_decay(self, variables: Sequence[Any]) -> None:
        if self.weight_decay is None:
            return
        for variable in variables:
            if self._use_weight_decay(variable):
                self._decay_variable(variable, self.weight_decay)

    def _decay_variable(self, variable: Variable, weight_decay: float) -> None:
        """``variable -= variable * weight_decay * learning_rate``."""
        lr = convert_to_tensor(self.learning_rate, variable.dtype)
        wd = jnp.asarray(weight_decay, variable.dtype)
        variable.assign(variable.value - variable.value * wd * lr)

    # -- moving average (EMA) -------------------------------------------------------
    def _update_moving_average(self) -> None:
        not_first = self._iteration() != 0
        averages = self._model_variables_moving_average
        for variable, average in zip(self._trainable_variables, averages):
            momentum = not_first.astype(variable.dtype) * self.ema_momentum
            average.assign(momentum * average.value + (1 - momentum) * variable.value)
        if self.ema_overwrite_frequency is not None:
            overwrite = (self._iteration() + 1) % self.ema_overwrite_frequency == 0
            for variable, average in zip(self._trainable_variables, averages):
                variable.assign(jnp.where(overwrite, average.value, variable.value))

    def finalize_variable_values(self, var_list: Sequence[Any]) -> None:
        """At the end of training, give ``var_list`` their moving averages (EMA)."""
        if not self.use_ema:
            return
        averages = self._model_variables_moving_average
        if len(var_list) != len(averages):
            raise ValueError(
                f"The length of model variables ({len(var_list)}) to override does "
                "not match the length of model variables stored in the optimizer "
                f"({len(averages)}). Please check if the optimizer was called on "
                "your model."
            )
        for variable, average in zip(var_list, averages):
            variable.assign(average.value)

    # -- weights and config ------------------------------------------------------
    def set_weights(self, weights: Sequence[Any]) -> None:
        """Assign values to ``self.variables`` in order."""
        if not self.built:
            raise ValueError(
                "You are calling `set_weights()` on an optimizer that has not yet "
                "been built. Please call `optimizer.build(trainable_variables)` "
                "to create the optimizer weights before calling `set_weights()`."
            )
        for variable, weight in zip(self.variables, weights):
            variable.assign(weight)

    def save_own_variables(self, store: dict[str, Any]) -> None:
        """Write the state into ``store`` as ``"0"``, ``"1"``, ... (Keras files)."""
        for i, variable in enumerate(self.variables):
            store[str(i)] = variable.numpy()

    def load_own_variables(self, store: Any) -> None:
        """Read the state written by ``save_own_variables``."""
        if len(store.keys()) != len(self.variables):
            warnings.warn(
                f"Skipping variable loading for optimizer '{self.name}', because it "
                f"has {len(self.variables)} variables whereas the saved optimizer "
                f"has {len(store.keys())} variables.",
                stacklevel=2,
            )
            return
        for i, variable in enumerate(self.variables):
            variable.assign(np.asarray(store[str(i)]))

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, as Keras writes them."""
        return {
            "name": self.name,
            "learning_rate": learning_rates.serialize(self._learning_rate),
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
            "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "loss_scale_factor": self.loss_scale_factor,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }

    @classmethod
    def from_config(
        cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None
    ) -> Optimizer:
        """Create an optimizer (without state) from ``get_config()``'s output."""
        config = dict(config)
        if "learning_rate" in config:
            config["learning_rate"] = learning_rates.deserialize(
                config["learning_rate"], custom_objects
            )
        return cls(**config)
