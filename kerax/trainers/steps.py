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
from kerax.trainers import padding


def _gather(
    tree: Any, index: jax.Array, distribution: Any, masked: bool
) -> tuple[Any, jax.Array | None]:
    """The batch at ``index`` and, when ``masked``, its row mask (-1: padding)."""
    if masked:
        batch, mask = padding.gather_rows(tree, index)
    else:
        batch, mask = jax.tree_util.tree_map(lambda a: a[index], tree), None
    if distribution is None:
        return batch, mask
    # Under a distribution the gathered batch is split over the data axis.
    batch = jax.tree_util.tree_map(
        lambda a: jax.lax.with_sharding_constraint(
            a, distribution.batch_sharding(a.ndim)
        ),
        batch,
    )
    return batch, mask


def _zeros_like_shapes(tree: Any) -> Any:
    return jax.tree_util.tree_map(lambda s: jnp.zeros(s.shape, s.dtype), tree)


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
        self.padding_ok: bool | None = None  # decided once, by the loops
        self.has_run = False
        self._cache: dict[Any, Any] = {}
        self._cursor: Any = None
        self._cursor_host = -1
        self._counts: dict[int, jax.Array] = {}
        from kerax.distribution import distribution

        self.distribution = distribution()
        if self.distribution is not None:
            # Weights, optimizer slots and metrics go to the mesh per the layout;
            # XLA then partitions the step and inserts the collectives.
            self.distribution.distribute_variables(self.variables)

    def _pure(
        self, state: list[Any], data: Any, mask: jax.Array | None = None
    ) -> tuple[list[Any], Any]:
        self.trace_count += 1
        with (
            state_scope.StateScope(
                zip(self.variables, state), track_unknown=True, allow_creation=False
            ) as scope,
            padding.masked(mask),
        ):
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
        """One step on an explicit batch (a ``padding.PaddedBatch``: masked)."""
        valid = None
        if isinstance(data, padding.PaddedBatch):
            data, valid = data.data, self._device_int(data.valid)
        if self.distribution is not None:
            data = self.distribution.distribute_batch(data)
        if valid is None:
            fn = self._compiled("batch", lambda: self._pure)
            out = self._apply(fn, data)
        else:
            out = self._apply(
                self._compiled("padded", self._padded_step), (data, valid)
            )
        if self.distribution is not None:  # multi-process: this process's rows
            out = self.distribution.process_local(out)
        return out

    def _padded_step(self) -> Callable:
        def masked(state: list[Any], payload: tuple) -> tuple[list[Any], Any]:
            batch, valid = payload
            rows = jnp.arange(padding.leading_size(batch)) < valid
            return self._pure(state, batch, rows)

        return masked

    def run_indexed(
        self,
        arrays: Any,
        order: jax.Array,
        start: int,
        count: int,
        loop: bool = False,
        masked: bool = False,
    ) -> Any:
        """``count`` steps on ``arrays[order[start + i]]``.

        ``order`` holds one row of sample indices per step and lives on the
        device for the whole epoch; the position in it is a device-side cursor
        carried from call to call, so a step sends nothing to the device. With
        ``loop``, the steps run in a device loop whose trip count is an
        argument: one compilation serves every ``count``. With ``masked``,
        ``-1`` entries of ``order`` are padding, masked out of losses and
        metrics (``padding.py``).
        """
        if start != self._cursor_host:
            self._cursor = self._device_int(start, keep=False)  # donated
        if not loop and count != 1:
            raise ValueError(f"run_indexed: count={count} needs loop=True.")

        def build() -> Callable:
            def many(
                state: list[Any],
                cursor: jax.Array,
                trips: jax.Array,
                payload: tuple[Any, jax.Array],
            ) -> tuple[list[Any], jax.Array, Any]:
                data, rows = payload

                def one(current: list[Any], position: jax.Array) -> tuple[Any, Any]:
                    row = jax.lax.dynamic_index_in_dim(rows, position, keepdims=False)
                    batch, mask = _gather(data, row, self.distribution, masked)
                    return self._pure(current, batch, mask)

                if not loop:
                    state, out = one(state, cursor)
                    return state, cursor + 1, out
                # The loop carries the last step's logs: zeros to start with.
                shapes = jax.eval_shape(lambda s, p: one(s, p)[1], state, cursor)
                self.trace_count -= 1  # a shape probe, not a compilation

                def body(_: Any, carry: tuple) -> tuple:
                    current, position, _ = carry
                    current, out = one(current, position)
                    return current, position + 1, out

                init = (state, cursor, _zeros_like_shapes(shapes))
                return jax.lax.fori_loop(0, trips, body, init)

            return many

        fn = self._compiled(
            ("indexed", tuple(order.shape), loop, masked), build, donate=(0, 1)
        )
        state = [v._value for v in self.variables]
        new_state, self._cursor, out = fn(
            state, self._cursor, self._device_int(count), (arrays, order)
        )
        self.has_run = True
        self._cursor_host = start + count
        for variable, value in zip(self.variables, new_state):
            variable._value = value
        return out

    def _device_int(self, value: int, keep: bool = True) -> jax.Array:
        """``value`` as a device int32 scalar; with ``keep``, sent only once."""
        cached = self._counts.get(value) if keep else None
        if cached is None:
            cached = jnp.asarray(value, jnp.int32)
            if self.distribution is not None:
                cached = self.distribution.replicate(cached)
            if keep and len(self._counts) < 64:
                self._counts[value] = cached
        return cached

    def _apply(self, fn: Callable, payload: Any) -> Any:
        state = [v._value for v in self.variables]
        new_state, out = fn(state, payload)
        self.has_run = True
        for variable, value in zip(self.variables, new_state):
            variable._value = value
        return out
