"""Random initializers: statistics from Keras's formulas, seeding, Keras values."""

from __future__ import annotations

import math
import random

import jax
import numpy as np
import pytest

from kerax import initializers
from kerax.initializers.variance_scaling import compute_fans
from kerax.random import SeedGenerator

SEEDED = [
    "RandomNormal",
    "RandomUniform",
    "TruncatedNormal",
    "VarianceScaling",
    "GlorotNormal",
    "GlorotUniform",
    "HeNormal",
    "HeUniform",
    "LecunNormal",
    "LecunUniform",
    "Orthogonal",
]
BIG = (100, 200)  # 20,000 samples: statistics within 3%


@pytest.mark.parametrize(
    ("shape", "fans"),
    [
        ((), (1, 1)),
        ((7,), (7, 7)),
        ((3, 5), (3, 5)),
        ((3, 4, 5), (12, 15)),
        ((2, 3, 4, 5), (24, 30)),
        ((2, 2, 2, 3, 4), (24, 32)),
    ],
)
def test_compute_fans(shape, fans):
    assert compute_fans(shape) == fans


def test_compute_fans_with_explicit_axes():
    assert compute_fans((2, 3, 4, 5), input_axes=[0, 1], output_axes=[2, 3]) == (6, 20)
    # only one of the two given: the default rule applies
    assert compute_fans((2, 3, 4, 5), input_axes=[0]) == (24, 30)


def test_random_normal_statistics():
    values = np.asarray(initializers.RandomNormal(1.0, 2.0, seed=1)(BIG))
    assert values.shape == BIG and values.dtype == np.float32
    assert abs(values.mean() - 1.0) < 0.05
    assert abs(values.std() - 2.0) < 0.06


def test_random_uniform_statistics():
    values = np.asarray(initializers.RandomUniform(-1.0, 3.0, seed=1)(BIG))
    assert values.min() >= -1.0 and values.max() < 3.0
    assert values.min() < -0.99 and values.max() > 2.99
    assert abs(values.mean() - 1.0) < 0.03
    assert abs(values.std() - 4 / math.sqrt(12)) < 0.03


def test_truncated_normal_statistics():
    values = np.asarray(initializers.TruncatedNormal(0.5, 0.1, seed=1)(BIG))
    assert np.abs(values - 0.5).max() <= 0.2 + 1e-6
    assert abs(values.mean() - 0.5) < 0.003
    assert abs(values.std() - 0.1 * 0.87962566) < 0.003


@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "fan_avg"])
@pytest.mark.parametrize(
    "distribution", ["truncated_normal", "untruncated_normal", "uniform"]
)
def test_variance_scaling_statistics(mode, distribution):
    shape = (5, 5, 40, 20)  # receptive field 25: fan_in 1000, fan_out 500
    fan = {"fan_in": 1000, "fan_out": 500, "fan_avg": 750}[mode]
    scale = 3.0
    init = initializers.VarianceScaling(scale, mode, distribution, seed=2)
    values = np.asarray(init(shape))
    stddev = math.sqrt(scale / fan)
    assert abs(values.mean()) < 0.03 * stddev
    assert abs(values.std() - stddev) < 0.03 * stddev
    if distribution == "uniform":
        limit = math.sqrt(3 * scale / fan)
        assert np.abs(values).max() <= limit and np.abs(values).max() > 0.99 * limit
    elif distribution == "truncated_normal":
        assert np.abs(values).max() <= 2 * stddev / 0.87962566 * (1 + 1e-6)
    else:
        assert np.abs(values).max() > 3 * stddev


@pytest.mark.parametrize(
    ("name", "variance", "uniform"),
    [
        ("GlorotNormal", 2 / (40 + 50), False),
        ("GlorotUniform", 2 / (40 + 50), True),
        ("HeNormal", 2 / 40, False),
        ("HeUniform", 2 / 40, True),
        ("LecunNormal", 1 / 40, False),
        ("LecunUniform", 1 / 40, True),
    ],
)
def test_named_variance_scaling(name, variance, uniform):
    values = np.asarray(getattr(initializers, name)(seed=3)((40, 50)))
    assert abs(values.std() - math.sqrt(variance)) < 0.05 * math.sqrt(variance)
    if uniform:
        assert np.abs(values).max() <= math.sqrt(3 * variance)


def test_variance_scaling_normal_means_truncated():
    init = initializers.VarianceScaling(distribution="normal", seed=1)
    assert init.distribution == "truncated_normal"
    expected = initializers.VarianceScaling(distribution="truncated_normal", seed=1)
    np.testing.assert_array_equal(init((4, 3)), expected((4, 3)))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scale": 0.0}, "scale"),
        ({"mode": "fan_sum"}, "mode"),
        ({"distribution": "cauchy"}, "distribution"),
        ({"seed": "one"}, "seed"),
        ({"seed": 1.5}, "seed"),
    ],
)
def test_variance_scaling_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        initializers.VarianceScaling(**kwargs)


@pytest.mark.parametrize("name", SEEDED)
def test_seeded_values_equal_keras(name):
    import keras

    for shape in [(4, 6), (3, 3, 2, 5)] if name != "Orthogonal" else [(6, 3), (2, 5)]:
        ours = getattr(initializers, name)(seed=42)(shape)
        with jax.numpy_rank_promotion("allow"):  # Keras's Orthogonal broadcasts
            theirs = getattr(keras.initializers, name)(seed=42)(shape)
        np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), atol=1e-6)


@pytest.mark.parametrize("name", SEEDED)
def test_seeding_rules(name):
    cls = getattr(initializers, name)
    fixed = cls(seed=7)
    np.testing.assert_array_equal(fixed((4, 3)), fixed((4, 3)))
    np.testing.assert_array_equal(fixed((4, 3)), cls(seed=7)((4, 3)))
    assert not np.array_equal(fixed((4, 3)), cls(seed=8)((4, 3)))
    unseeded = cls()
    assert isinstance(unseeded.seed, int)
    np.testing.assert_array_equal(unseeded((4, 3)), unseeded((4, 3)))
    assert not np.array_equal(unseeded((4, 3)), cls()((4, 3)))
    assert unseeded.get_config()["seed"] is None


def test_default_seed_follows_python_random():
    random.seed(123)
    first = initializers.GlorotUniform()((4, 3))
    random.seed(123)
    np.testing.assert_array_equal(first, initializers.GlorotUniform()((4, 3)))


def test_seed_generator_gives_new_values_each_call():
    init = initializers.RandomNormal(seed=SeedGenerator(5))
    assert not np.array_equal(init((4,)), init((4,)))


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32"])
def test_dtype(dtype):
    for name in ("RandomNormal", "RandomUniform", "GlorotNormal", "Orthogonal"):
        values = getattr(initializers, name)(seed=1)((3, 4), dtype=dtype)
        assert values.dtype == dtype


@pytest.mark.parametrize("shape", [(6, 3), (3, 6), (2, 3, 4)])
def test_orthogonal_is_orthogonal(shape):
    values = np.asarray(initializers.Orthogonal(gain=2.0, seed=4)(shape))
    assert values.shape == shape
    matrix = values.reshape(-1, shape[-1])
    gram = (
        matrix.T @ matrix if matrix.shape[0] >= matrix.shape[1] else matrix @ matrix.T
    )
    np.testing.assert_allclose(gram, 4.0 * np.eye(len(gram)), atol=1e-5)


def test_orthogonal_needs_rank_two():
    with pytest.raises(ValueError, match="rank >= 2"):
        initializers.Orthogonal(seed=1)((5,))


def test_values_are_concrete_inside_a_trace():
    seen = []

    @jax.jit
    def traced(x):
        with jax.ensure_compile_time_eval():
            value = initializers.GlorotUniform(seed=1)((2, 2))
            seen.append(isinstance(value, jax.core.Tracer))
        return x + value

    traced(np.zeros((2, 2), "float32"))
    assert seen == [False]
