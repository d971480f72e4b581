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
from kerax.autodiff.recording import unwrap_tensors
from kerax.backend import cpu_tuning


def _gather(tree: Any, index: jax.Array, distribution: Any = None) -> Any:
    batch = jax.tree_util.tree_map(lambda a: a[index], tree)
    if distribution is None:
        return batch
    # Under a distribution the gathered batch is split over the data axis.
    return jax.tree_util.tree_map(
        lambda a: jax.lax.with_sharding_constraint(
            a, distribution.batch_sharding(a.ndim)
        ),
        batch,
    )


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
        self._cursor: Any = None
        self._cursor_host = -1
        from kerax.distribution import distribution

        self.distribution = distribution()
        if self.distribution is not None:
            # Weights, optimizer slots and metrics go to the mesh per the layout;
            # XLA then partitions the step and inserts the collectives.
            self.distribution.distribute_variables(self.variables)

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
        out = unwrap_tensors(out)  # tape tensors a custom step may return
        return scope.new_values(self.variables), out

    def _compiled(
        self, kind: Any, builder: Callable[[], Callable], donate: tuple = (0,)
    ) -> Callable:
        fn = self._cache.get(kind)
        if fn is None:
            fn = builder()
            if self.jit:
                cpu_tuning.tune_allocator()
                fn = jax.jit(
                    fn,
                    donate_argnums=donate,
                    compiler_options=cpu_tuning.compiler_options(),
                )
            self._cache[kind] = fn
        return fn

    def run(self, data: Any) -> Any:
        """One step on an explicit batch."""
        if self.distribution is not None:
            data = self.distribution.distribute_batch(data)
        fn = self._compiled("batch", lambda: self._pure)
        return self._apply(fn, data)

    def run_indexed(self, arrays: Any, order: jax.Array, start: int, count: int) -> Any:
        """``count`` steps on ``arrays[order[start + i]]`` (scanned when > 1).

        ``order`` holds one row of sample indices per step and lives on the
        device for the whole epoch; the position in it is a device-side cursor
        carried from call to call, so a step sends nothing to the device.
        """
        if start != self._cursor_host:
            self._cursor = jnp.asarray(start, jnp.int32)
            if self.distribution is not None:
                self._cursor = self.distribution.replicate(self._cursor)

        def build() -> Callable:
            def many(
                state: list[Any], cursor: jax.Array, payload: tuple[Any, jax.Array]
            ) -> tuple[list[Any], jax.Array, Any]:
                data, rows = payload

                def one(carry: tuple[list[Any], jax.Array]) -> tuple[tuple, Any]:
                    current, position = carry
                    row = jax.lax.dynamic_index_in_dim(rows, position, keepdims=False)
                    batch = _gather(data, row, self.distribution)
                    new_state, out = self._pure(current, batch)
                    return (new_state, position + 1), out

                if count == 1:
                    (state, cursor), out = one((state, cursor))
                    return state, cursor, out
                (state, cursor), outs = jax.lax.scan(
                    lambda carry, _: one(carry), (state, cursor), None, length=count
                )
                return state, cursor, jax.tree_util.tree_map(lambda o: o[-1], outs)

            return many

        fn = self._compiled(
            ("indexed", tuple(order.shape), count), build, donate=(0, 1)
        )
        state = [v._value for v in self.variables]
        new_state, self._cursor, out = fn(state, self._cursor, (arrays, order))
        self._cursor_host = start + count
        for variable, value in zip(self.variables, new_state):
            variable._value = value
        return out

    def _apply(self, fn: Callable, payload: Any) -> Any:
        state = [v._value for v in self.variables]
        new_state, out = fn(state, payload)
        for variable, value in zip(self.variables, new_state):
            variable._value = value
        return out
