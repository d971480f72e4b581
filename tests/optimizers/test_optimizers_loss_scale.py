"""``LossScaleOptimizer``: dynamic loss scaling, against Keras 3's stateless path."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest
from optimizer_harness import GRADIENTS, keras_variables, kerax_variables

import kerax.optimizers

# Step 2 has an infinite gradient: skipped, scale halved.
SCALED = [
    [g * 4.0 for g in GRADIENTS[0]],
    [g * 4.0 for g in GRADIENTS[1]],
    [np.full_like(GRADIENTS[2][0], np.inf), GRADIENTS[2][1]],
    [g * 2.0 for g in GRADIENTS[3]],
    [g * 2.0 for g in GRADIENTS[4]],
]


def _make(module: Any) -> Any:
    return module.LossScaleOptimizer(
        module.Adam(learning_rate=0.1, name="adam"),
        initial_scale=4.0,
        dynamic_growth_steps=2,
        name="loss_scale",
    )


def _jitted_states(optimizer: Any, variables: list) -> list[list[np.ndarray]]:
    optimizer.build(variables)
    step = jax.jit(optimizer.stateless_apply)
    values = [v.value for v in variables]
    opt_values = [v.value for v in optimizer.variables]
    states = []
    for grads in SCALED:
        values, opt_values = step(opt_values, [jnp.asarray(g) for g in grads], values)
        states.append([np.asarray(x) for x in values + opt_values])
    return states


def test_matches_keras_and_eager_apply() -> None:
    theirs = _jitted_states(_make(keras.optimizers), keras_variables())
    ours = _jitted_states(_make(kerax.optimizers), kerax_variables())
    optimizer, variables = _make(kerax.optimizers), kerax_variables()
    scales = []
    for i, grads in enumerate(SCALED):
        optimizer.apply([jnp.asarray(g) for g in grads], variables)
        eager = [np.asarray(v.value) for v in variables + optimizer.variables]
        scales.append(float(optimizer.dynamic_scale.numpy()))
        for want, got, now in zip(theirs[i], ours[i], eager, strict=True):
            np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
            np.testing.assert_allclose(now, want, rtol=1e-6, atol=1e-7)
    assert scales == [4.0, 8.0, 4.0, 4.0, 8.0]
    assert int(optimizer.iterations.numpy()) == 4  # the skipped step does not count


def test_paths_config_and_delegation_match_keras() -> None:
    ours, theirs = _make(kerax.optimizers), _make(keras.optimizers)
    ours.build(kerax_variables())
    theirs.build(keras_variables())
    assert [v.path for v in ours.variables] == [v.path for v in theirs.variables]
    assert kerax.optimizers.serialize(ours) == keras.optimizers.serialize(theirs)
    restored = kerax.optimizers.deserialize(kerax.optimizers.serialize(ours))
    assert isinstance(restored.inner_optimizer, kerax.optimizers.Adam)
    assert restored.get_config() == ours.get_config()
    ours.learning_rate = 0.5
    assert float(ours.inner_optimizer.learning_rate) == 0.5
    assert float(ours.scale_loss(jnp.asarray(2.0))) == 8.0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"dynamic": False}, "dynamic=False"),
        ({"clipnorm": 1.0}, "clipnorm"),
        ({"foo": 1}, "does not support arguments"),
    ],
)
def test_bad_arguments(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        kerax.optimizers.LossScaleOptimizer(kerax.optimizers.SGD(), **kwargs)
    with pytest.raises(TypeError, match="inner_optimizer"):
        kerax.optimizers.LossScaleOptimizer("sgd")
