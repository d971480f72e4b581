"""Weights of a layer: dtype policy, ``add_weight``, and the weight/variable lists.

A mixin of ``Layer`` kept in its own file; it relies on the layer's tracking
(``_trainable_variables``, ``_non_trainable_variables``, ``_layers``,
``_flatten_layers``, ``_children``).
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

from kerax import dtype_policies
from kerax.autodiff.variable import Variable
from kerax.layers.call_context import _name_scopes, state_scope_allow_creation
from kerax.random.seed_generator import SeedGenerator


class LayerWeights:
    """Weight creation and the weight/variable views of a layer."""

    # -- weights ----------------------------------------------------------
    @property
    def dtype_policy(self) -> dtype_policies.DTypePolicy:
        return self._dtype_policy

    @dtype_policy.setter
    def dtype_policy(self, value: Any) -> None:
        self._dtype_policy = dtype_policies.get(value)

    @property
    def dtype(self) -> str:
        """The dtype of the layer's weights."""
        return self._dtype_policy.variable_dtype

    @property
    def compute_dtype(self) -> str:
        return self._dtype_policy.compute_dtype

    @property
    def variable_dtype(self) -> str:
        return self._dtype_policy.variable_dtype

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        value = bool(value)
        self._trainable = value
        for variable in self._trainable_variables:
            variable.trainable = value
        for layer in self._layers:
            layer.trainable = value

    def add_weight(
        self,
        shape: Any = None,
        initializer: Any = None,
        dtype: Any = None,
        trainable: bool = True,
        autocast: bool = True,
        regularizer: Any = None,
        constraint: Any = None,
        aggregation: str = "none",
        overwrite_with_gradient: bool = False,
        name: str | None = None,
    ) -> Variable:
        """Create a weight of this layer and track it."""
        from kerax import constraints, initializers, regularizers

        shape = () if shape is None else tuple(shape)
        for dim in shape:
            if dim is None or int(dim) < 0:
                raise ValueError(
                    f"Layer {self.name!r}: cannot create weight {name!r} with "
                    f"shape {shape}; every size must be a known non-negative int."
                )
        dtype = dtype if dtype is not None else self.variable_dtype
        if initializer is None:
            is_float = jnp.issubdtype(jnp.dtype(dtype), jnp.floating)
            initializer = "glorot_uniform" if is_float else "zeros"
        initializer = initializers.get(initializer)
        path_name = name or "variable"
        with state_scope_allow_creation():
            variable = Variable(
                initializer,
                shape=shape,
                dtype=dtype,
                trainable=trainable,
                autocast=autocast,
                aggregation=aggregation,
                name=path_name,
            )
        scopes = list(_name_scopes())
        if not scopes or scopes[-1] != self.name:
            scopes.append(self.name)
        variable.path = "/".join([*scopes, path_name])
        variable.regularizer = regularizers.get(regularizer)
        variable.constraint = constraints.get(constraint)
        variable.overwrite_with_gradient = overwrite_with_gradient
        self._track_variable(variable)
        if trainable and not getattr(self, "_trainable", True):
            variable.trainable = False  # a frozen layer creates frozen weights
        return variable

    def add_variable(
        self,
        shape: Any,
        initializer: Any,
        dtype: Any = None,
        trainable: bool = True,
        name: str | None = None,
        **kwargs: Any,
    ) -> Variable:
        """Alias of ``add_weight`` (Keras keeps both)."""
        return self.add_weight(
            shape=shape,
            initializer=initializer,
            dtype=dtype,
            trainable=trainable,
            name=name,
            **kwargs,
        )

    def _own_weights(self) -> list[Variable]:
        return self._trainable_variables + self._non_trainable_variables

    @property
    def weights(self) -> list[Variable]:
        """Trainable then non-trainable weights of this layer, then sublayers'."""
        result: list[Variable] = []
        seen: set[int] = set()
        for variable in self._own_weights():
            if id(variable) not in seen:
                seen.add(id(variable))
                result.append(variable)
        for layer in self._layers:
            for variable in layer.weights:
                if id(variable) not in seen:
                    seen.add(id(variable))
                    result.append(variable)
        return result

    @property
    def trainable_weights(self) -> list[Variable]:
        if not self.trainable:
            return []
        return [v for v in self.weights if v.trainable]

    @property
    def non_trainable_weights(self) -> list[Variable]:
        if not self.trainable:
            return self.weights
        return [v for v in self.weights if not v.trainable]

    @property
    def variables(self) -> list[Variable]:
        """All state: weights, then random seed states and metric variables."""
        from kerax.layers.layer import tracking_version

        version = tracking_version()
        cached = self.__dict__.get("_variables_cache")
        if cached is not None and cached[0] == version:
            return list(cached[1])
        result = self._collect_variables()
        object.__setattr__(self, "_variables_cache", (version, result))
        return list(result)

    def _collect_variables(self) -> list[Variable]:
        result = list(self.weights)
        seen = {id(v) for v in result}
        for layer in self._flatten_layers(include_self=True):
            for variable in layer._non_weight_variables():
                if id(variable) not in seen:
                    seen.add(id(variable))
                    result.append(variable)
            for child in layer._children():
                if isinstance(child, SeedGenerator):
                    extra = [child.state]
                elif getattr(child, "_is_metric", False):
                    extra = list(child.variables)
                else:
                    continue
                for variable in extra:
                    if id(variable) not in seen:
                        seen.add(id(variable))
                        result.append(variable)
        return result

    def _non_weight_variables(self) -> list[Variable]:
        """State that is neither a weight nor RNG/metric state (e.g. RNN states)."""
        return []

    @property
    def trainable_variables(self) -> list[Variable]:
        return self.trainable_weights

    @property
    def non_trainable_variables(self) -> list[Variable]:
        trainable = {id(v) for v in self.trainable_variables}
        return [v for v in self.variables if id(v) not in trainable]

    def get_weights(self) -> list[np.ndarray]:
        """Weights as numpy arrays, in ``self.weights`` order."""
        return [np.asarray(v.value) for v in self.weights]

    def set_weights(self, weights: list[Any]) -> None:
        """Set weights from a list of arrays in ``self.weights`` order."""
        own = self.weights
        weights = list(weights)
        if len(weights) != len(own):
            raise ValueError(
                f"Layer {self.name!r} expected {len(own)} weights, but received "
                f"{len(weights)} arrays."
            )
        for variable, value in zip(own, weights):
            value = np.asarray(value)
            if tuple(value.shape) != tuple(variable.shape):
                raise ValueError(
                    f"Layer {self.name!r} weight shape {tuple(variable.shape)} "
                    f"({variable.path}) is not compatible with provided weight "
                    f"shape {tuple(value.shape)}."
                )
        for variable, value in zip(own, weights):
            variable.assign(np.asarray(value))

    def count_params(self) -> int:
        """Number of weight values (the layer must be built)."""
        if not self.built:
            raise ValueError(
                f"You tried to call `count_params` on layer '{self.name}', but the "
                "layer isn't built. You can build it manually via: "
                f"`{self.name}.build(batch_input_shape)`."
            )
        return int(sum(v.size for v in self.weights))
