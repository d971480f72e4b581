"""Learning rate schedules: Keras's values at many steps, documented formulas,
jit-safety and config round trips."""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest

from kerax.optimizers import schedules

STEPS = np.arange(0, 400, 3, dtype="int32")

CASES: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
    ("ExponentialDecay", (0.1, 50, 0.9), {}),
    ("ExponentialDecay", (0.1, 50, 0.9), {"staircase": True}),
    ("InverseTimeDecay", (0.2, 30, 0.5), {}),
    ("InverseTimeDecay", (0.2, 30, 0.5), {"staircase": True}),
    ("PolynomialDecay", (0.1, 200), {}),
    (
        "PolynomialDecay",
        (0.1, 70),
        {"end_learning_rate": 0.01, "power": 0.5, "cycle": True},
    ),
    ("PiecewiseConstantDecay", ([50, 120, 300], [1.0, 0.5, 0.1, 0.01]), {}),
    ("PiecewiseConstantDecay", ([10.0], [0.3, 0.2]), {}),
    ("CosineDecay", (0.1, 300), {}),
    ("CosineDecay", (0.1, 300), {"alpha": 0.1}),
    (
        "CosineDecay",
        (0.0, 200),
        {"warmup_target": 0.5, "warmup_steps": 50, "alpha": 0.2},
    ),
    ("CosineDecayRestarts", (0.1, 40), {}),
    ("CosineDecayRestarts", (0.1, 40), {"t_mul": 1.0, "m_mul": 0.5, "alpha": 0.1}),
    ("CosineDecayRestarts", (0.1, 25), {"t_mul": 1.5, "m_mul": 0.8}),
]
IDS = [f"{name}-{i}" for i, (name, _, _) in enumerate(CASES)]


def _pair(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, Any]:
    return (
        getattr(keras.optimizers.schedules, name)(*args, **kwargs),
        getattr(schedules, name)(*args, **kwargs),
    )


@pytest.mark.parametrize(("name", "args", "kwargs"), CASES, ids=IDS)
def test_matches_keras_at_many_steps(name: str, args: tuple, kwargs: dict) -> None:
    """Eager against eager, and compiled against compiled (XLA may fold the
    same expression differently once compiled, for both libraries alike).

    ``atol`` is 2 ulp of the 0.1-sized rates: Keras runs some branches through
    ``lax.cond`` (compiled even when eager), which can move a value near a
    cosine trough by one ulp of the rate's scale.
    """
    theirs, ours = _pair(name, args, kwargs)
    steps = jnp.asarray(STEPS)
    for transform in (jax.vmap, lambda f: jax.jit(jax.vmap(f))):
        expected = transform(theirs)(steps)
        actual = transform(ours)(steps)
        np.testing.assert_allclose(actual, expected, rtol=1e-6, atol=2e-8)
    for step in (0, 7, 123):  # eager, one step at a time
        assert float(ours(step)) == pytest.approx(
            float(theirs(step)), rel=1e-6, abs=2e-8
        )


def _cosine(step: float, decay_steps: float, alpha: float) -> float:
    step = min(step, decay_steps)
    return (1 - alpha) * 0.5 * (1 + math.cos(math.pi * step / decay_steps)) + alpha


FORMULAS: list[tuple[Any, Any]] = [
    (schedules.ExponentialDecay(0.1, 50, 0.9), lambda s: 0.1 * 0.9 ** (s / 50)),
    (
        schedules.ExponentialDecay(0.1, 50, 0.9, staircase=True),
        lambda s: 0.1 * 0.9 ** (s // 50),
    ),
    (schedules.InverseTimeDecay(0.2, 30, 0.5), lambda s: 0.2 / (1 + 0.5 * s / 30)),
    (
        schedules.PolynomialDecay(0.1, 200, 0.01, power=2.0),
        lambda s: (0.1 - 0.01) * (1 - min(s, 200) / 200) ** 2 + 0.01,
    ),
    (
        schedules.PiecewiseConstantDecay([50, 120], [1.0, 0.5, 0.1]),
        lambda s: 1.0 if s <= 50 else 0.5 if s <= 120 else 0.1,
    ),
    (schedules.CosineDecay(0.1, 300, alpha=0.1), lambda s: 0.1 * _cosine(s, 300, 0.1)),
    (
        schedules.CosineDecay(0.0, 200, warmup_target=0.5, warmup_steps=50),
        lambda s: 0.5 * s / 50 if s < 50 else 0.5 * _cosine(s - 50, 200, 0.0),
    ),
    (
        schedules.CosineDecayRestarts(0.1, 40, t_mul=1.0, m_mul=0.5),
        lambda s: 0.1 * 0.5 ** (s // 40) * _cosine(s % 40, 40, 0.0),
    ),
    (
        schedules.CosineDecayRestarts(0.1, 40, t_mul=2.0),
        lambda s: (
            0.1 * _cosine(s, 40, 0.0) if s < 40 else 0.1 * _cosine(s - 40, 80, 0.0)
        ),
    ),
]


@pytest.mark.parametrize(("schedule", "formula"), FORMULAS)
def test_documented_formula(schedule: Any, formula: Any) -> None:
    steps = np.arange(0, 110, 1, dtype="int32")
    actual = np.asarray(jax.vmap(schedule)(jnp.asarray(steps)))
    expected = np.array([formula(float(s)) for s in steps])
    np.testing.assert_allclose(actual, expected, rtol=2e-5, atol=1e-7)


@pytest.mark.parametrize(("name", "args", "kwargs"), CASES, ids=IDS)
def test_config_round_trip_and_keras_format(
    name: str, args: tuple, kwargs: dict
) -> None:
    theirs, ours = _pair(name, args, kwargs)
    assert ours.get_config() == theirs.get_config()
    serialized = schedules.serialize(ours)
    assert serialized == keras.optimizers.schedules.serialize(theirs)
    restored = schedules.deserialize(serialized)
    assert type(restored) is type(ours)
    assert restored.get_config() == ours.get_config()
    from_keras = schedules.deserialize(keras.optimizers.schedules.serialize(theirs))
    assert float(from_keras(17)) == pytest.approx(float(theirs(17)), rel=1e-6)


def test_custom_schedule_round_trip_through_custom_objects() -> None:
    class Halving(schedules.LearningRateSchedule):
        def __init__(self, initial: float) -> None:
            self.initial = initial

        def __call__(self, step: Any) -> jax.Array:
            return self.initial * 0.5 ** (jnp.asarray(step) // 10)

        def get_config(self) -> dict[str, Any]:
            return {"initial": self.initial}

    config = schedules.serialize(Halving(0.8))
    assert config["registered_name"] == "Halving"
    with pytest.raises(ValueError, match="Unknown learning rate schedule"):
        schedules.deserialize(config)
    restored = schedules.deserialize(config, custom_objects={"Halving": Halving})
    assert float(restored(25)) == pytest.approx(0.2)


@pytest.mark.parametrize(
    ("build", "match"),
    [
        (lambda: schedules.ExponentialDecay(0.1, 0, 0.9), "decay_steps"),
        (lambda: schedules.InverseTimeDecay(0.1, -1, 0.9), "decay_steps"),
        (lambda: schedules.PolynomialDecay(0.1, 0), "decay_steps"),
        (lambda: schedules.CosineDecay(0.1, 0), "decay_steps"),
        (lambda: schedules.CosineDecayRestarts(0.1, 0), "first_decay_steps"),
        (lambda: schedules.PiecewiseConstantDecay([1, 2], [0.1, 0.2]), "length"),
        (lambda: schedules.deserialize({"class_name": "Nope"}), "Unknown"),
        (lambda: schedules.deserialize("ExponentialDecay"), "class_name"),
        (lambda: schedules.LearningRateSchedule()(0), "__call__"),
    ],
)
def test_bad_input(build: Any, match: str) -> None:
    with pytest.raises((ValueError, TypeError, NotImplementedError), match=match):
        build()
