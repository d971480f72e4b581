"""``OptaxOptimizer``: optax transformations behind the kerax Optimizer API."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import kerax
import kerax.optimizers

TARGET = [jnp.array([[1.0, -2.0], [0.5, 3.0]]), jnp.array([0.25, -1.0])]


def _quadratic_grads(values: list) -> list:
    """Gradient of 0.5 * sum((w - target)²)."""
    return [v - t for v, t in zip(values, TARGET)]


def _fresh() -> list[kerax.Variable]:
    return [
        kerax.Variable(jnp.zeros((2, 2)), name="w"),
        kerax.Variable(jnp.zeros(2), name="b"),
    ]


def _optax_reference(transformation: optax.GradientTransformation, steps: int) -> list:
    params = [jnp.zeros((2, 2)), jnp.zeros(2)]
    state = transformation.init(params)
    for _ in range(steps):
        updates, state = transformation.update(_quadratic_grads(params), state, params)
        params = optax.apply_updates(params, updates)
    return params


@pytest.mark.parametrize(
    "transformation",
    [
        optax.adam(0.1),
        optax.chain(optax.clip_by_global_norm(1.0), optax.sgd(0.2, momentum=0.9)),
        optax.adamw(0.1, weight_decay=0.01),
    ],
    ids=["adam", "chain-sgd", "adamw"],
)
def test_trains_quadratic_like_optax(
    transformation: optax.GradientTransformation,
) -> None:
    optimizer = kerax.optimizers.get(transformation)
    assert isinstance(optimizer, kerax.optimizers.OptaxOptimizer)
    variables = _fresh()
    for _ in range(60):
        optimizer.apply(_quadratic_grads([v.value for v in variables]), variables)
    expected = _optax_reference(transformation, 60)
    for variable, want in zip(variables, expected):
        np.testing.assert_allclose(variable.numpy(), want, rtol=1e-6, atol=1e-6)
    loss = sum(float(jnp.sum((v.value - t) ** 2)) for v, t in zip(variables, TARGET))
    assert loss < 0.1  # from 15.3 at the start
    assert int(optimizer.iterations.numpy()) == 60
    state_leaves = jax.tree_util.tree_leaves(transformation.init(expected))
    assert len(optimizer.variables) == 1 + len(state_leaves)  # iteration + state


def test_learning_rate_scales_a_direction_and_is_settable() -> None:
    """With learning_rate, the transformation gives a direction: w -= lr * u."""
    optimizer = kerax.optimizers.OptaxOptimizer(
        optax.scale_by_adam(), learning_rate=0.1
    )
    variables = _fresh()
    reference = optax.chain(optax.scale_by_adam(), optax.scale(-0.1))
    for _ in range(5):
        optimizer.apply(_quadratic_grads([v.value for v in variables]), variables)
    for variable, want in zip(variables, _optax_reference(reference, 5)):
        np.testing.assert_allclose(variable.numpy(), want, rtol=1e-6, atol=1e-7)
    optimizer.learning_rate = 0.0
    before = [v.numpy() for v in variables]
    optimizer.apply(_quadratic_grads([v.value for v in variables]), variables)
    for variable, old in zip(variables, before):
        np.testing.assert_array_equal(variable.numpy(), old)


def test_jitted_stateless_apply_traces_once_and_matches_optax() -> None:
    transformation = optax.adam(0.1)
    optimizer = kerax.optimizers.OptaxOptimizer(transformation)
    variables = _fresh()
    optimizer.build(variables)
    traces = 0

    @jax.jit
    def step(opt_values: list, values: list) -> tuple[list, list]:
        nonlocal traces
        traces += 1
        return optimizer.stateless_apply(opt_values, _quadratic_grads(values), values)

    values = [v.value for v in variables]
    opt_values = [v.value for v in optimizer.variables]
    for _ in range(20):
        values, opt_values = step(opt_values, values)
    assert traces == 1
    for got, want in zip(values, _optax_reference(transformation, 20)):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


def test_none_gradient_leaves_variable_unchanged() -> None:
    optimizer = kerax.optimizers.OptaxOptimizer(optax.sgd(0.1))
    variables = _fresh()
    with pytest.warns(UserWarning, match="Gradients do not exist"):
        optimizer.apply([jnp.ones((2, 2)), None], variables)
    np.testing.assert_allclose(variables[0].numpy(), -0.1 * np.ones((2, 2)))
    np.testing.assert_array_equal(variables[1].numpy(), np.zeros(2))


def test_errors() -> None:
    with pytest.raises(TypeError, match="GradientTransformation"):
        kerax.optimizers.OptaxOptimizer("adam")
    with pytest.raises(ValueError, match="weight_decay"):
        kerax.optimizers.OptaxOptimizer(optax.sgd(0.1), weight_decay=0.1)
    optimizer = kerax.optimizers.OptaxOptimizer(optax.sgd(0.1))
    assert optimizer.learning_rate is None
    with pytest.raises(TypeError, match="cannot be set"):
        optimizer.learning_rate = 0.1
    config = kerax.optimizers.serialize(optimizer)
    with pytest.raises(TypeError, match="cannot be rebuilt"):
        kerax.optimizers.OptaxOptimizer.from_config(config["config"])
