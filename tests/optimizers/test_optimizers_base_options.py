"""The base Optimizer's options against Keras 3: clipping, weight decay, EMA,
gradient accumulation, loss scaling, schedules, constraints, None gradients."""

from __future__ import annotations

import warnings
from typing import Any

import jax.numpy as jnp
import keras
import numpy as np
import pytest
from optimizer_harness import (
    GRADIENTS,
    INITIAL,
    assert_same_state,
    kerax_variables,
    run_side_by_side,
    snapshot,
)

import kerax
import kerax.optimizers

OPTION_CASES: list[tuple[str, dict[str, Any]]] = [
    ("Adam", {"clipnorm": 0.5}),
    ("SGD", {"momentum": 0.9, "clipvalue": 0.3}),
    ("RMSprop", {"global_clipnorm": 0.7}),
    ("SGD", {"weight_decay": 0.05}),
    ("Adam", {"weight_decay": 0.05, "clipnorm": 1.0}),
    ("Adam", {"use_ema": True}),
    ("SGD", {"use_ema": True, "ema_momentum": 0.5, "ema_overwrite_frequency": 2}),
    ("Adam", {"gradient_accumulation_steps": 2}),
    ("SGD", {"momentum": 0.9, "gradient_accumulation_steps": 3}),
    ("Nadam", {"gradient_accumulation_steps": 2}),
    (
        "Adam",
        {
            "gradient_accumulation_steps": 2,
            "use_ema": True,
            "ema_overwrite_frequency": 2,
            "weight_decay": 0.1,
            "global_clipnorm": 0.5,
        },
    ),
    ("Adam", {"loss_scale_factor": 4.0}),
    ("Lion", {"loss_scale_factor": 8.0, "gradient_accumulation_steps": 2}),
]


@pytest.mark.parametrize(
    ("name", "options"),
    OPTION_CASES,
    ids=[f"{n}-{'-'.join(o)}" for n, o in OPTION_CASES],
)
def test_option_matches_keras(name: str, options: dict[str, Any]) -> None:
    run_side_by_side(
        lambda: getattr(keras.optimizers, name)(learning_rate=0.1, **options),
        lambda: getattr(kerax.optimizers, name)(learning_rate=0.1, **options),
    )


def test_loss_scale_divides_gradients() -> None:
    """With loss_scale_factor=s, gradients s*g give the steps of g."""
    scaled = kerax.optimizers.SGD(0.1, loss_scale_factor=4.0)
    plain = kerax.optimizers.SGD(0.1)
    a, b = kerax_variables(), kerax_variables()
    for grads in GRADIENTS:
        scaled.apply([4.0 * jnp.asarray(g) for g in grads], a)
        plain.apply([jnp.asarray(g) for g in grads], b)
    for x, y in zip(a, b):
        np.testing.assert_allclose(x.numpy(), y.numpy(), rtol=1e-6)
    assert float(scaled.scale_loss(jnp.asarray(2.0))) == 8.0


@pytest.mark.parametrize("by", ["names", "list"])
def test_exclude_from_weight_decay_matches_keras(by: str) -> None:
    def prepare(keras_vars: list, kerax_vars: list, keras_opt: Any, ours: Any) -> None:
        if by == "names":
            keras_opt.exclude_from_weight_decay(var_names=["bias"])
            ours.exclude_from_weight_decay(var_names=["bias"])
        else:
            keras_opt.exclude_from_weight_decay(var_list=keras_vars[:1])
            ours.exclude_from_weight_decay(var_list=kerax_vars[:1])

    run_side_by_side(
        lambda: keras.optimizers.AdamW(learning_rate=0.1, weight_decay=0.2),
        lambda: kerax.optimizers.AdamW(learning_rate=0.1, weight_decay=0.2),
        prepare=prepare,
    )


def test_weight_decay_formula() -> None:
    """SGD with zero gradient and weight decay: w <- w * (1 - wd * lr) per step."""
    optimizer = kerax.optimizers.SGD(0.1, weight_decay=0.5)
    variables = kerax_variables()
    zeros = [jnp.zeros(v.shape) for v in variables]
    for _ in range(3):
        optimizer.apply(zeros, variables)
    for variable, initial in zip(variables, INITIAL):
        np.testing.assert_allclose(variable.numpy(), initial * 0.95**3, rtol=1e-6)


def test_finalize_variable_values_matches_keras() -> None:
    keras_opt, ours, keras_vars, kerax_vars = run_side_by_side(
        lambda: keras.optimizers.Adam(learning_rate=0.1, use_ema=True),
        lambda: kerax.optimizers.Adam(learning_rate=0.1, use_ema=True),
    )
    keras_opt.finalize_variable_values(keras_vars)
    ours.finalize_variable_values(kerax_vars)
    assert_same_state(snapshot(keras_vars, keras_opt), snapshot(kerax_vars, ours))
    averages = [v for v in ours.variables if v.name.endswith("_average")]
    for variable, average in zip(kerax_vars, averages):
        np.testing.assert_array_equal(variable.numpy(), average.numpy())


def _schedules() -> list[tuple[Any, Any]]:
    keras_s, ours_s = keras.optimizers.schedules, kerax.optimizers.schedules
    return [
        (keras_s.ExponentialDecay(0.1, 2, 0.5), ours_s.ExponentialDecay(0.1, 2, 0.5)),
        (
            keras_s.CosineDecay(0.0, 4, warmup_target=0.2, warmup_steps=2),
            ours_s.CosineDecay(0.0, 4, warmup_target=0.2, warmup_steps=2),
        ),
        (
            keras_s.PiecewiseConstantDecay([1, 3], [0.1, 0.05, 0.01]),
            ours_s.PiecewiseConstantDecay([1, 3], [0.1, 0.05, 0.01]),
        ),
    ]


@pytest.mark.parametrize("index", range(3))
@pytest.mark.parametrize("name", ["SGD", "Adam"])
def test_schedule_learning_rate_matches_keras(name: str, index: int) -> None:
    keras_schedule, our_schedule = _schedules()[index]
    run_side_by_side(
        lambda: getattr(keras.optimizers, name)(learning_rate=keras_schedule),
        lambda: getattr(kerax.optimizers, name)(learning_rate=our_schedule),
    )


def test_schedule_with_accumulation_uses_real_steps() -> None:
    """Schedules see every call (real steps), as Keras documents."""
    run_side_by_side(
        lambda: keras.optimizers.SGD(
            keras.optimizers.schedules.ExponentialDecay(0.1, 1, 0.5),
            gradient_accumulation_steps=2,
        ),
        lambda: kerax.optimizers.SGD(
            kerax.optimizers.schedules.ExponentialDecay(0.1, 1, 0.5),
            gradient_accumulation_steps=2,
        ),
    )


def test_callable_learning_rate_without_arguments_matches_keras() -> None:
    run_side_by_side(
        lambda: keras.optimizers.Adam(learning_rate=lambda: 0.05),
        lambda: kerax.optimizers.Adam(learning_rate=lambda: 0.05),
    )


def test_callable_learning_rate_of_step() -> None:
    """A one-argument callable receives the step (0, 1, 2, ...)."""
    seen = []
    optimizer = kerax.optimizers.SGD(
        learning_rate=lambda step: seen.append(int(step)) or 0.1
    )
    variables = kerax_variables()
    for grads in GRADIENTS[:3]:
        optimizer.apply([jnp.asarray(g) for g in grads], variables)
    assert seen == [0, 1, 2]


def test_learning_rate_changed_between_steps_matches_keras() -> None:
    rates = [0.1, 0.01, 0.5, 0.5, 0.001]

    def change(step: int, keras_opt: Any, ours: Any) -> None:
        keras_opt.learning_rate = rates[step]
        ours.learning_rate = rates[step]
        assert float(ours.learning_rate) == pytest.approx(rates[step])

    run_side_by_side(
        lambda: keras.optimizers.RMSprop(learning_rate=0.1),
        lambda: kerax.optimizers.RMSprop(learning_rate=0.1),
        between_steps=change,
    )


def test_none_gradients_are_skipped_like_keras() -> None:
    gradients = [[g[0], None] for g in GRADIENTS]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, ours, _, kerax_vars = run_side_by_side(
            lambda: keras.optimizers.Adam(learning_rate=0.1),
            lambda: kerax.optimizers.Adam(learning_rate=0.1),
            gradients=gradients,
        )
    np.testing.assert_array_equal(kerax_vars[1].numpy(), INITIAL[1])
    with pytest.warns(UserWarning, match="Gradients do not exist"):
        ours.apply([jnp.asarray(GRADIENTS[0][0]), None], kerax_vars)


def test_constraints_apply_after_update_like_keras() -> None:
    def prepare(keras_vars: list, kerax_vars: list, *_: Any) -> None:
        for variable in keras_vars + kerax_vars:
            variable.constraint = lambda w: jnp.clip(jnp.asarray(w), -0.5, 0.5)

    _, _, _, kerax_vars = run_side_by_side(
        lambda: keras.optimizers.SGD(learning_rate=0.1, momentum=0.5),
        lambda: kerax.optimizers.SGD(learning_rate=0.1, momentum=0.5),
        prepare=prepare,
    )
    assert np.abs(kerax_vars[0].numpy()).max() <= 0.5


def test_variables_order_names_and_paths_match_keras() -> None:
    def build(module: Any, variables: list) -> list[tuple[str, tuple, str]]:
        optimizer = module.Adam(
            use_ema=True, gradient_accumulation_steps=2, amsgrad=True, name="opt"
        )
        optimizer.build(variables)
        return [(v.path, tuple(v.shape), str(v.dtype)) for v in optimizer.variables]

    keras_vars = [keras.Variable(v.numpy(), name=v.name) for v in kerax_variables()]
    assert build(kerax.optimizers, kerax_variables()) == build(
        keras.optimizers, keras_vars
    )


def test_tape_gradients_and_gradient_tape_loop() -> None:
    """A TensorFlow-style loop: GradientTape gradients (tape Tensors) go straight
    into ``apply_gradients``, and ``iterations`` counts the steps."""
    w = kerax.Variable(jnp.array([1.0, -2.0]), name="w")
    optimizer = kerax.optimizers.SGD(learning_rate=0.25)
    for _ in range(3):
        with kerax.GradientTape() as tape:
            loss = w * w  # d/dw = 2w: each step halves w
        (grad,) = tape.gradient(loss, [w])
        assert optimizer.apply_gradients([(grad, w)]) is optimizer.iterations
    np.testing.assert_allclose(w.numpy(), np.array([1.0, -2.0]) / 8, rtol=1e-6)
    assert int(optimizer.iterations.numpy()) == 3
