"""Identifiers, Keras-format (de)serialization, saved state and bad input."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import keras
import numpy as np
import optax
import pytest
from optimizer_harness import GRADIENTS, kerax_variables

import kerax
import kerax.optimizers
from kerax.optimizers import schedules

NAMES = [
    "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax",
    "Nadam", "Ftrl", "Lion", "Lamb", "Adafactor", "Muon", "ScheduleFreeAdamW",
]  # fmt: skip


@pytest.mark.parametrize("name", NAMES)
def test_serialize_matches_keras_and_round_trips(name: str) -> None:
    ours = getattr(kerax.optimizers, name)(learning_rate=0.05, clipnorm=2.0, name="o")
    theirs = getattr(keras.optimizers, name)(learning_rate=0.05, clipnorm=2.0, name="o")
    serialized = kerax.optimizers.serialize(ours)
    assert serialized == keras.optimizers.serialize(theirs)
    restored = kerax.optimizers.deserialize(serialized)
    assert type(restored) is type(ours)
    assert restored.get_config() == ours.get_config()
    assert type(ours).from_config(ours.get_config()).get_config() == ours.get_config()
    if name != "Lamb":  # Keras 3.15 cannot deserialize its own Lamb
        assert keras.optimizers.deserialize(serialized).get_config() == (
            theirs.get_config()
        )


def test_schedule_learning_rate_round_trips_and_matches_keras() -> None:
    ours = kerax.optimizers.SGD(schedules.CosineDecay(0.1, 100, alpha=0.1), name="s")
    theirs = keras.optimizers.SGD(
        keras.optimizers.schedules.CosineDecay(0.1, 100, alpha=0.1), name="s"
    )
    serialized = kerax.optimizers.serialize(ours)
    assert serialized == keras.optimizers.serialize(theirs)
    restored = kerax.optimizers.deserialize(serialized)
    assert isinstance(restored._learning_rate, schedules.CosineDecay)
    assert restored.get_config() == ours.get_config()
    assert "learning_rate" not in [v.name for v in restored.variables]


@pytest.mark.parametrize(
    ("identifier", "cls"),
    [
        ("adam", "Adam"),
        ("Adam", "Adam"),
        ("sgd", "SGD"),
        ("rmsprop", "RMSprop"),
        ("adamw", "AdamW"),
        ("Nadam", "Nadam"),
        ({"class_name": "Lion", "config": {"learning_rate": 0.3}}, "Lion"),
    ],
)
def test_get_resolves_identifiers(identifier: Any, cls: str) -> None:
    optimizer = kerax.optimizers.get(identifier)
    assert type(optimizer) is getattr(kerax.optimizers, cls)
    if isinstance(identifier, dict):
        assert float(optimizer.learning_rate) == pytest.approx(0.3)


def test_get_passes_instances_none_and_wraps_optax() -> None:
    optimizer = kerax.optimizers.Adam()
    assert kerax.optimizers.get(optimizer) is optimizer
    assert kerax.optimizers.get(None) is None
    wrapped = kerax.optimizers.get(optax.sgd(0.1))
    assert isinstance(wrapped, kerax.optimizers.OptaxOptimizer)


@pytest.mark.parametrize("identifier", ["adamm", 42, {"config": {}}])
def test_get_rejects_unknown(identifier: Any) -> None:
    with pytest.raises((ValueError, TypeError), match="Adam|class_name|interpret"):
        kerax.optimizers.get(identifier)


class HalfStep(kerax.optimizers.Optimizer):
    """A custom optimizer written the Keras way (build + update_step + assign)."""

    def __init__(self, learning_rate: float = 0.1, **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)

    def build(self, variables: list) -> None:
        if self.built:
            return
        super().build(variables)
        self.traces = self.add_optimizer_variables(variables, "trace")

    def update_step(self, gradient: Any, variable: Any, learning_rate: Any) -> None:
        trace = self.traces[self._get_variable_index(variable)]
        self.assign(trace, 0.5 * trace.value + gradient)
        self.assign_sub(variable, learning_rate.value * trace.value)


def test_custom_optimizer_trains_and_round_trips_with_custom_objects() -> None:
    optimizer = HalfStep(name="half")
    variables = kerax_variables()
    before = [v.numpy() for v in variables]
    optimizer.apply([jnp.asarray(g) for g in GRADIENTS[0]], variables)
    for variable, old, grad in zip(variables, before, GRADIENTS[0]):
        np.testing.assert_allclose(variable.numpy(), old - 0.1 * grad, rtol=1e-6)
    assert [v.name for v in optimizer.variables][2:] == ["kernel_trace", "bias_trace"]
    config = kerax.optimizers.serialize(optimizer)
    assert config["registered_name"] == "HalfStep"
    with pytest.raises(ValueError, match="custom_objects"):
        kerax.optimizers.deserialize(config)
    restored = kerax.optimizers.deserialize(config, {"HalfStep": HalfStep})
    assert restored.get_config() == optimizer.get_config()


def test_saved_state_round_trips() -> None:
    optimizer = kerax.optimizers.Adam(0.1)
    variables = kerax_variables()
    optimizer.apply([jnp.asarray(g) for g in GRADIENTS[0]], variables)
    store: dict[str, Any] = {}
    optimizer.save_own_variables(store)
    assert sorted(store, key=int) == [str(i) for i in range(len(optimizer.variables))]
    other = kerax.optimizers.Adam(0.1)
    other.build(kerax_variables())
    other.load_own_variables(store)
    for a, b in zip(optimizer.variables, other.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    other.set_weights([np.zeros(v.shape, v.dtype) for v in other.variables])
    assert int(other.iterations.numpy()) == 0
    with pytest.warns(UserWarning, match="Skipping variable loading"):
        other.load_own_variables({"0": np.array(1)})


@pytest.mark.parametrize(
    ("build", "error", "match"),
    [
        (lambda: kerax.optimizers.Adam(foo=1), ValueError, "not recognized"),
        (
            lambda: kerax.optimizers.Adam(learning_rate="fast"),
            ValueError,
            "learning_rate",
        ),
        (lambda: kerax.optimizers.SGD(momentum=2.0), ValueError, "momentum"),
        (
            lambda: kerax.optimizers.SGD(clipnorm=1.0, clipvalue=1.0),
            ValueError,
            "Only one",
        ),
        (
            lambda: kerax.optimizers.SGD(gradient_accumulation_steps=1),
            ValueError,
            ">= 2",
        ),
        (
            lambda: kerax.optimizers.SGD(use_ema=True, ema_momentum=2.0),
            ValueError,
            "ema_momentum",
        ),
        (
            lambda: kerax.optimizers.SGD(use_ema=True, ema_overwrite_frequency=0),
            ValueError,
            "ema_overwrite_frequency",
        ),
        (lambda: kerax.optimizers.AdamW(weight_decay=None), ValueError, "weight_decay"),
        (lambda: kerax.optimizers.Lion(beta_1=0.0), ValueError, "beta_1"),
        (
            lambda: kerax.optimizers.Ftrl(learning_rate_power=0.5),
            ValueError,
            "negative",
        ),
        (
            lambda: kerax.optimizers.Ftrl(l1_regularization_strength=-1.0),
            ValueError,
            "l1",
        ),
        (
            lambda: kerax.optimizers.Optimizer(0.1).apply(
                [jnp.ones(2)], [kerax.Variable(jnp.ones(2))]
            ),
            NotImplementedError,
            "update_step",
        ),
    ],
)
def test_bad_arguments(build: Any, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        build()


def test_decay_argument_warns() -> None:
    with pytest.warns(UserWarning, match="decay"):
        kerax.optimizers.SGD(decay=0.1)


def test_bad_apply_calls() -> None:
    variables = kerax_variables()
    grads = [jnp.asarray(g) for g in GRADIENTS[0]]
    optimizer = kerax.optimizers.SGD()
    with pytest.raises(ValueError, match="must already be built"):
        optimizer.apply(grads)
    with pytest.raises(ValueError, match="2 gradients for 1 variables"):
        optimizer.apply(grads, variables[:1])
    with pytest.raises(
        ValueError, match=r"'bias' has shape \(2, 1\), expected .*\(2,\)"
    ):
        optimizer.apply([grads[0], jnp.ones((2, 1))], variables)
    with pytest.raises(ValueError, match="No gradients provided"):
        optimizer.apply([None, None], variables)
    with pytest.raises(ValueError, match="Unknown variable"):
        optimizer.apply(grads, kerax_variables())
    with pytest.raises(TypeError, match="kerax Variables"):
        kerax.optimizers.SGD().apply([jnp.ones(2)], [jnp.ones(2)])
    optimizer.apply([], variables)  # no gradients: a no-op, as in Keras
    assert int(optimizer.iterations.numpy()) == 0


def test_learning_rate_setter_and_getter() -> None:
    optimizer = kerax.optimizers.Adam(0.1)
    optimizer.learning_rate = 0.5
    assert float(optimizer.learning_rate) == 0.5
    optimizer.learning_rate = schedules.ExponentialDecay(0.2, 10, 0.5)
    assert "learning_rate" not in [v.name for v in optimizer.variables]
    assert float(optimizer.learning_rate) == pytest.approx(0.2)
    with pytest.raises(TypeError, match="cannot be set to a number"):
        optimizer.learning_rate = 0.1
