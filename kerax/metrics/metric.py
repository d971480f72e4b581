"""``Metric``: the base of every metric, a set of accumulator Variables.

A metric keeps its running statistics in non-trainable Variables. ``update_state``
folds a batch into them with array math and ``assign``; ``result`` reads them.
Because all state goes through Variables, the same Python runs eagerly or inside
``jax.jit`` through a state scope (the ``stateless_*`` methods).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp

from kerax import config, dtype_policies
from kerax.autodiff.state_scope import run_stateless
from kerax.autodiff.variable import Variable
from kerax.registry import register
from kerax.utils import naming


@register("keras.metrics")
class Metric:
    """Base class of metrics: state Variables, ``update_state`` and ``result``.

    Subclasses create their state in ``__init__`` (or lazily, on the first
    ``update_state``) with ``add_variable``, fold a batch into it in
    ``update_state`` with ``variable.assign(...)`` and compute the value in
    ``result``. Write state updates as array math on ``variable.value``, with no
    Python branch on array values, so that they also run compiled.

    Args:
        dtype: the dtype the metric computes in (a dtype name or a dtype
            policy); by default ``kerax.config.floatx()``.
        name: name of the metric; by default the snake-cased class name, made
            unique (``auc``, ``auc_1``, ...).

    Example:
        >>> from kerax.metrics import Mean
        >>> m = Mean()
        >>> m.update_state([1.0, 2.0, 3.0])
        >>> float(m.result())
        2.0
    """

    _is_metric = True

    def __init__(self, dtype: Any = None, name: str | None = None) -> None:
        if name is not None and not isinstance(name, str):
            raise TypeError(
                f"{type(self).__name__}: `name` must be a string, received {name!r}."
            )
        self._variables: list[Variable] = []
        self._initial_values: list[jax.Array] = []
        self._metrics: list[Metric] = []
        self.name = name or naming.uniquify(naming.to_snake_case(type(self).__name__))
        self._dtype_policy = dtype_policies.get(dtype or config.floatx())
        self._dtype = self._dtype_policy.compute_dtype

    # -- state ----------------------------------------------------------
    def __setattr__(self, key: str, value: Any) -> None:
        if key != "_metrics" and "_metrics" in self.__dict__:
            items = value if isinstance(value, (list, tuple)) else (value,)
            for item in items:
                if isinstance(item, Metric) and not any(
                    m is item for m in self._metrics
                ):
                    self._metrics.append(item)
        super().__setattr__(key, value)

    def add_variable(
        self,
        shape: Sequence[int],
        initializer: Any,
        dtype: Any = None,
        aggregation: str = "sum",
        name: str | None = None,
    ) -> Variable:
        """Create a non-trainable state Variable owned by this metric."""
        if "_variables" not in self.__dict__:
            raise RuntimeError(
                f"{type(self).__name__} must call `super().__init__()` in its "
                "`__init__` before creating variables."
            )
        variable = Variable(
            initializer=initializer,
            shape=tuple(shape),
            dtype=dtype,
            trainable=False,
            aggregation=aggregation,
            synchronization="on_read",
            name=name,
        )
        variable.path = f"{self.name.replace('/', '>')}/{variable.name}"
        self._variables.append(variable)
        # A private copy: compiled steps donate (delete) the buffers variables hold.
        with jax.ensure_compile_time_eval():  # concrete even while tracing
            self._initial_values.append(jnp.array(variable.value, copy=True))
        return variable

    def add_weight(
        self,
        shape: Sequence[int] = (),
        initializer: Any = None,
        dtype: Any = None,
        name: str | None = None,
    ) -> Variable:
        """Alias of ``add_variable``."""
        return self.add_variable(
            shape=shape, initializer=initializer, dtype=dtype, name=name
        )

    @property
    def variables(self) -> list[Variable]:
        """State Variables, in creation order, then those of held metrics."""
        result = list(self._variables)
        for metric in self._metrics:
            result.extend(metric.variables)
        return result

    @property
    def dtype(self) -> str:
        """The dtype the metric computes in."""
        return self._dtype

    # -- the protocol -----------------------------------------------------
    def update_state(self, *args: Any, **kwargs: Any) -> None:
        """Fold a batch into the state."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement `update_state`."
        )

    def result(self) -> Any:
        """Compute the metric value from the state."""
        raise NotImplementedError(f"{type(self).__name__} must implement `result`.")

    def reset_state(self) -> None:
        """Put every state Variable back to its initial value."""
        for variable, initial in zip(self._variables, self._initial_values):
            variable.assign(initial)
        for metric in self._metrics:
            metric.reset_state()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Update the state with one batch and return the new result."""
        self.update_state(*args, **kwargs)
        return self.result()

    # -- pure twins -------------------------------------------------------
    def _checked(self, metric_variables: Sequence[Any]) -> list[Variable]:
        variables = self.variables
        if len(metric_variables) != len(variables):
            raise ValueError(
                f"{type(self).__name__}: `metric_variables` must hold one value "
                f"per variable of `metric.variables` ({len(variables)}), "
                f"received {len(metric_variables)} values."
            )
        return variables

    def stateless_update_state(
        self, metric_variables: Sequence[Any], *args: Any, **kwargs: Any
    ) -> list[Any]:
        """Return the state values after ``update_state`` ran on them.

        The metric's Variables are left untouched, so this runs inside
        ``jax.jit``.
        """
        variables = self._checked(metric_variables)
        _, new_values = run_stateless(
            lambda: self.update_state(*args, **kwargs), variables, metric_variables
        )
        return new_values

    def stateless_result(self, metric_variables: Sequence[Any]) -> Any:
        """Return ``result()`` computed from the given state values."""
        variables = self._checked(metric_variables)
        out, _ = run_stateless(self.result, variables, metric_variables)
        return out

    def stateless_reset_state(self) -> list[Any]:
        """Return the state values ``reset_state`` would set."""
        variables = self.variables
        _, new_values = run_stateless(
            self.reset_state, variables, [v.value for v in variables]
        )
        return new_values

    # -- config -----------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        """The constructor arguments that rebuild this metric."""
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Metric:
        """Build a metric from ``get_config()``'s output."""
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"
