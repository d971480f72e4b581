"""The same optimizer code compiled: ``stateless_apply`` under ``jax.jit`` and
``apply`` under ``kerax.function`` give the eager numbers, tracing once."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest
from optimizer_harness import GRADIENTS, INITIAL, keras_variables, kerax_variables

import kerax
import kerax.optimizers

CASES: list[tuple[str, dict[str, Any]]] = [
    ("SGD", {"momentum": 0.9, "nesterov": True}),
    (
        "Adam",
        {
            "use_ema": True,
            "ema_overwrite_frequency": 2,
            "gradient_accumulation_steps": 2,
            "clipnorm": 1.0,
            "weight_decay": 0.1,
        },
    ),
    ("Nadam", {"gradient_accumulation_steps": 2}),
    ("Adafactor", {}),
    ("Ftrl", {"l1_regularization_strength": 0.01}),
    ("Muon", {}),
]
IDS = [name for name, _ in CASES]


def _jitted_run(
    optimizer: Any, variables: list[Any], new_rate_at: int | None = None
) -> tuple[list[list[np.ndarray]], int]:
    """Run GRADIENTS through a jitted ``stateless_apply``; states per step, traces."""
    optimizer.build(variables)
    traces = 0

    @jax.jit
    def step(opt_values: list, grads: list, values: list) -> tuple[list, list]:
        nonlocal traces
        traces += 1
        return optimizer.stateless_apply(opt_values, grads, values)

    rate_index = next(
        i for i, v in enumerate(optimizer.variables) if v.name == "learning_rate"
    )
    opt_values = [v.value for v in optimizer.variables]
    values = [v.value for v in variables]
    states = []
    for i, grads in enumerate(GRADIENTS):
        if i == new_rate_at:
            opt_values[rate_index] = jnp.asarray(0.01, "float32")
        values, opt_values = step(opt_values, [jnp.asarray(g) for g in grads], values)
        states.append([np.asarray(x) for x in values + opt_values])
    return states, traces


@pytest.mark.parametrize(("name", "options"), CASES, ids=IDS)
def test_jitted_stateless_apply_matches_eager_and_traces_once(
    name: str, options: dict[str, Any]
) -> None:
    eager = getattr(kerax.optimizers, name)(learning_rate=0.1, **options)
    eager_vars = kerax_variables()
    compiled = getattr(kerax.optimizers, name)(learning_rate=0.1, **options)
    compiled_vars = kerax_variables()
    states, traces = _jitted_run(compiled, compiled_vars, new_rate_at=3)
    for i, grads in enumerate(GRADIENTS):
        if i == 3:
            eager.learning_rate = 0.01
        eager.apply([jnp.asarray(g) for g in grads], eager_vars)
        expected = [np.asarray(v.value) for v in eager_vars + eager.variables]
        for want, got in zip(expected, states[i], strict=True):
            np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
    assert traces == 1
    for variable, initial in zip(compiled_vars, INITIAL):  # stateless: untouched
        np.testing.assert_array_equal(variable.numpy(), initial)
    assert int(compiled._iterations.numpy()) == 0


@pytest.mark.parametrize(("name", "options"), CASES[:3], ids=IDS[:3])
def test_jitted_stateless_apply_matches_jitted_keras(
    name: str, options: dict[str, Any]
) -> None:
    """Compiled against compiled: the same numbers as Keras's own stateless path."""
    ours, _ = _jitted_run(
        getattr(kerax.optimizers, name)(learning_rate=0.1, **options), kerax_variables()
    )
    theirs, _ = _jitted_run(
        getattr(keras.optimizers, name)(learning_rate=0.1, **options), keras_variables()
    )
    for want_step, got_step in zip(theirs, ours):
        for want, got in zip(want_step, got_step, strict=True):
            np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("Adam", {"gradient_accumulation_steps": 2}),
        ("ScheduleFreeAdamW", {}),
        ("Adagrad", {}),
        ("Nadam", {"use_ema": True}),
    ],
)
def test_apply_inside_kerax_function(name: str, options: dict[str, Any]) -> None:
    """Stateful ``apply`` compiled by ``kerax.function``: slots are built on the
    first call (with their initial values), traced once, same numbers as eager."""
    compiled_opt = getattr(kerax.optimizers, name)(0.1, **options)
    eager_opt = getattr(kerax.optimizers, name)(0.1, **options)
    compiled_vars, eager_vars = kerax_variables(), kerax_variables()

    @kerax.function
    def train_step(grads: list) -> None:
        compiled_opt.apply(grads, compiled_vars)

    for grads in GRADIENTS:
        train_step([jnp.asarray(g) for g in grads])
        eager_opt.apply([jnp.asarray(g) for g in grads], eager_vars)
        for got, want in zip(
            compiled_vars + compiled_opt.variables,
            eager_vars + eager_opt.variables,
            strict=True,
        ):
            np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6, atol=1e-7)
    assert train_step.trace_count == 1
    assert int(compiled_opt._iterations.numpy()) == len(GRADIENTS)


def test_stateless_apply_errors() -> None:
    optimizer = kerax.optimizers.SGD()
    with pytest.raises(ValueError, match="must be built"):
        optimizer.stateless_apply([], [], [])
    variables = kerax_variables()
    optimizer.build(variables)
    values = [v.value for v in variables]
    with pytest.raises(ValueError, match="optimizer_variables"):
        optimizer.stateless_apply([], [jnp.ones((3, 2)), jnp.ones(2)], values)
    opt_values = [v.value for v in optimizer.variables]
    with pytest.raises(ValueError, match="trainable_variables"):
        optimizer.stateless_apply(opt_values, [jnp.ones((3, 2))], values[:1])
