"""``OptaxOptimizer``: any optax ``GradientTransformation`` as a kerax optimizer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import optax

from kerax.autodiff.variable import Variable
from kerax.backend.tensors import convert_to_tensor
from kerax.optimizers.optimizer import Optimizer


class OptaxOptimizer(Optimizer):
    """Wrap an optax ``GradientTransformation`` in the kerax ``Optimizer`` API.

    The transformation's state pytree lives in optimizer Variables (one per
    leaf), so it is saved, restored and compiled like any optimizer state. The
    base options (clipping, accumulation, EMA, loss scaling) apply around it.

    Variables whose gradient is None get a zero gradient in the optax update
    (optax needs the whole tree) and are left unchanged.

    Args:
        transformation: the optax transformation. Without ``learning_rate`` its
            updates are added to the variables as they come (``optax.adam(1e-3)``
            already includes the step size and sign).
        learning_rate: if given (float, schedule or callable), the
            transformation is taken to give a direction (``optax.scale_by_adam()``)
            and variables move by ``-learning_rate * update``; a float rate is a
            Variable that callbacks may change.
        **kwargs: the base ``Optimizer`` arguments.

    Example:
        >>> import optax
        >>> optimizer = OptaxOptimizer(optax.scale_by_adam(), learning_rate=1e-3)
    """

    def __init__(
        self,
        transformation: optax.GradientTransformation,
        learning_rate: Any = None,
        **kwargs: Any,
    ) -> None:
        if not isinstance(transformation, optax.GradientTransformation):
            raise TypeError(
                "OptaxOptimizer expects an optax GradientTransformation (e.g. "
                f"optax.adam(1e-3)), received {transformation!r}."
            )
        if learning_rate is None and kwargs.get("weight_decay") is not None:
            raise ValueError(
                "OptaxOptimizer: `weight_decay` needs a `learning_rate`; without "
                "one, add optax.add_decayed_weights to the transformation instead."
            )
        self.transformation = transformation
        super().__init__(learning_rate=learning_rate, **kwargs)

    def _set_learning_rate(self, learning_rate: Any) -> None:
        if learning_rate is None:
            self._learning_rate = None
        else:
            super()._set_learning_rate(learning_rate)

    def build(self, variables: Sequence[Variable]) -> None:
        if self.built:
            return
        super().build(variables)
        state = self.transformation.init([v.value for v in variables])
        leaves, self._state_treedef = jax.tree_util.tree_flatten(state)
        self._state_variables = []
        for i, leaf in enumerate(leaves):
            leaf = jnp.array(leaf, copy=True)  # never alias a parameter buffer
            self._state_variables.append(
                self.add_variable(leaf.shape, leaf, leaf.dtype, name=f"optax_state_{i}")
            )

    def _backend_update_step(
        self, grads: Sequence[Any], variables: Sequence[Any], learning_rate: Any
    ) -> None:
        everything = self._trainable_variables
        indices = [self._get_variable_index(v) for v in variables]
        full_grads = [jnp.zeros(v.shape, v.dtype) for v in everything]
        for grad, index in zip(grads, indices):
            full_grads[index] = grad
        state = jax.tree_util.tree_unflatten(
            self._state_treedef, [s.value for s in self._state_variables]
        )
        params = [v.value for v in everything]
        updates, state = self.transformation.update(full_grads, state, params)
        for holder, leaf in zip(
            self._state_variables, jax.tree_util.tree_leaves(state)
        ):
            holder.assign(leaf)
        for index, variable in zip(indices, variables):
            update = updates[index]
            if learning_rate is not None:
                update = -convert_to_tensor(learning_rate, variable.dtype) * update
            variable.assign((variable.value + update).astype(variable.dtype))

    @classmethod
    def from_config(
        cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None
    ) -> OptaxOptimizer:
        raise TypeError(
            "An OptaxOptimizer cannot be rebuilt from its config: the optax "
            "transformation is code, not configuration. Create it again with "
            "OptaxOptimizer(transformation) (or pass the transformation to "
            "`compile`)."
        )
