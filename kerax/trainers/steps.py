"""The compiled steps of fit/evaluate/predict: the training loop's only jit site.

A step is stateful Python (``model.train_step(data)``) lifted into a pure
function ``(state, data) -> (state, logs)`` by running it inside one state scope
over every Variable it may touch: model, optimizer and metric variables. Users
who override ``train_step`` get the same compilation for free.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

from kerax.autodiff import state_scope
from kerax.backend import cpu_tuning


def _gather(tree: Any, index: jax.Array) -> Any:
    return jax.tree_util.tree_map(lambda a: jnp.take(a, index, axis=0), tree)


class CompiledStep:
    """``fn(data)`` (stateful) compiled as ``(state, data) -> (state, out)``.

    Args:
        fn: the stateful step, e.g. ``model.train_step``.
        variables: every Variable ``fn`` may read or write.
        jit: compile with ``jax.jit`` (False runs the same code eagerly).
    """

    def __init__(
        self, fn: Callable[[Any], Any], variables: list[Any], jit: bool = True
    ):
        self.fn = fn
        self.variables = list(variables)
        self.jit = jit
        self.trace_count = 0
        self._cache: dict[Any, Any] = {}

    def _pure(self, state: list[Any], data: Any) -> tuple[list[Any], Any]:
        self.trace_count += 1
        with state_scope.StateScope(
            zip(self.variables, state), track_unknown=True, allow_creation=False
        ) as scope:
            out = self.fn(data)
        if scope.unknown:
            names = ", ".join(v.path for v in scope.unknown.values())
            raise RuntimeError(
                f"The step touched variables that are not part of the model, its "
                f"optimizer or its metrics: {names}. Track them on the model (as "
                "layer weights or metrics) so that training can carry their state."
            )
        return scope.new_values(self.variables), out

    def _compiled(self, kind: str, builder: Callable[[], Callable]) -> Callable:
        fn = self._cache.get(kind)
        if fn is None:
            fn = builder()
            if self.jit:
                cpu_tuning.tune_allocator()
                fn = jax.jit(
                    fn, donate_argnums=(0,), compiler_options=cpu_tuning.compiler_options()
                )
            self._cache[kind] = fn
        return fn

    def run(self, data: Any) -> Any:
        """One step on an explicit batch."""
        fn = self._compiled("batch", lambda: self._pure)
        return self._apply(fn, data)

    def run_indexed(self, arrays: Any, indices: jax.Array) -> Any:
        """Steps on ``arrays[indices[i]]`` for each row ``i`` (scanned when > 1 row)."""
        steps = int(indices.shape[0])

        def build() -> Callable:
            def many(
                state: list[Any], payload: tuple[Any, jax.Array]
            ) -> tuple[list[Any], Any]:
                data, index = payload
                if steps == 1:
                    return self._pure(state, _gather(data, index[0]))

                def body(carry: list[Any], row: jax.Array) -> tuple[list[Any], Any]:
                    new_state, out = self._pure(carry, _gather(data, row))
                    return new_state, out

                state, outs = jax.lax.scan(body, state, index)
                return state, jax.tree_util.tree_map(lambda o: o[-1], outs)

            return many

        fn = self._compiled(("indexed", tuple(indices.shape)), build)
        return self._apply(fn, (arrays, indices))

    def _apply(self, fn: Callable, payload: Any) -> Any:
        state = [v._value for v in self.variables]
        new_state, out = fn(state, payload)
        for variable, value in zip(self.variables, new_state):
            variable._value = value
        return out
