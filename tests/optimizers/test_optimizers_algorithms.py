"""Every algorithm and its main options: 5 steps, same numbers as Keras 3."""

from __future__ import annotations

import inspect
from typing import Any

import keras
import pytest
from optimizer_harness import run_side_by_side

import kerax.optimizers

CASES: list[tuple[str, dict[str, Any]]] = [
    ("SGD", {}),
    ("SGD", {"momentum": 0.9}),
    ("SGD", {"momentum": 0.9, "nesterov": True}),
    ("Adam", {}),
    ("Adam", {"amsgrad": True, "beta_1": 0.8, "epsilon": 1e-3}),
    ("AdamW", {}),
    ("AdamW", {"weight_decay": 0.1, "amsgrad": True}),
    ("RMSprop", {}),
    ("RMSprop", {"momentum": 0.5}),
    ("RMSprop", {"centered": True, "rho": 0.8}),
    ("RMSprop", {"centered": True, "momentum": 0.3}),
    ("Adagrad", {}),
    ("Adagrad", {"initial_accumulator_value": 0.5, "epsilon": 1e-4}),
    ("Adadelta", {}),
    ("Adadelta", {"rho": 0.5}),
    ("Adamax", {}),
    ("Nadam", {}),
    ("Nadam", {"beta_1": 0.8, "beta_2": 0.9}),
    ("Ftrl", {}),
    (
        "Ftrl",
        {
            "l1_regularization_strength": 0.01,
            "l2_regularization_strength": 0.02,
            "l2_shrinkage_regularization_strength": 0.03,
            "beta": 0.1,
            "learning_rate_power": -0.3,
        },
    ),
    ("Lion", {}),
    ("Lion", {"beta_1": 0.5, "beta_2": 0.7}),
    ("Lamb", {}),
    ("Adafactor", {}),
    ("Adafactor", {"relative_step": False, "clip_threshold": 0.5}),
    ("ScheduleFreeAdamW", {}),
    ("ScheduleFreeAdamW", {"warmup_steps": 3, "beta_1": 0.8, "weight_decay": 0.1}),
    ("Muon", {}),
    ("Muon", {"nesterov": False, "rms_rate": None, "exclude_layers": ["kernel"]}),
    ("Muon", {"ns_steps": 3, "adam_lr_ratio": 0.5, "weight_decay": 0.01}),
]


@pytest.mark.parametrize(
    ("name", "options"), CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)]
)
def test_matches_keras(name: str, options: dict[str, Any]) -> None:
    run_side_by_side(
        lambda: getattr(keras.optimizers, name)(learning_rate=0.1, **options),
        lambda: getattr(kerax.optimizers, name)(learning_rate=0.1, **options),
    )


@pytest.mark.parametrize("name", sorted({name for name, _ in CASES}))
def test_signature_and_defaults_match_keras(name: str) -> None:
    """Argument names, order and defaults (epsilons, learning rates) equal Keras's."""
    ours = inspect.signature(getattr(kerax.optimizers, name)).parameters
    theirs = inspect.signature(getattr(keras.optimizers, name)).parameters
    assert [(p.name, p.default) for p in ours.values()] == [
        (p.name, p.default) for p in theirs.values()
    ]
    config = getattr(kerax.optimizers, name)().get_config()
    expected = getattr(keras.optimizers, name)().get_config()
    config.pop("name"), expected.pop("name")
    assert config == expected
