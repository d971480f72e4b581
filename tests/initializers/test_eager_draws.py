"""Eager random draws and fills: JAX's exact values, without a compile per shape."""

import jax
import numpy as np
import pytest

import kerax
from kerax.initializers import Constant, Ones, Zeros
from kerax.random import random as kerax_random

SHAPES = [(7, 5), (1025,), (3, 1, 2)]
KEY = np.array([42, 7], np.uint32)


def _direct(kind, shape, dtype):
    key = jax.random.wrap_key_data(KEY)
    if kind == "uniform":
        return jax.random.uniform(key, shape, dtype, -0.3, 0.7)
    if kind == "normal":
        return jax.random.normal(key, shape, dtype) * 2.0 + 0.5
    return jax.random.truncated_normal(key, -2.0, 2.0, shape, dtype) * 0.05 + 0.1


def _kerax(kind, shape, dtype):
    if kind == "uniform":
        return kerax_random.uniform(shape, -0.3, 0.7, dtype, seed=KEY)
    if kind == "normal":
        return kerax_random.normal(shape, 0.5, 2.0, dtype, seed=KEY)
    return kerax_random.truncated_normal(shape, 0.1, 0.05, dtype, seed=KEY)


@pytest.mark.parametrize("dtype", ["float32", "bfloat16"])
@pytest.mark.parametrize("kind", ["uniform", "normal", "truncated_normal"])
def test_draws_equal_jax_random_bit_for_bit(kind, dtype):
    for shape in SHAPES:
        ours, theirs = _kerax(kind, shape, dtype), _direct(kind, shape, dtype)
        assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
        np.testing.assert_array_equal(
            np.asarray(ours, "float32"), np.asarray(theirs, "float32")
        )


def _count_compiles(fn):
    events = []

    def listen(event, duration, **kwargs):
        if event == "/jax/core/compile/backend_compile_duration":
            events.append(event)

    jax.monitoring.register_event_duration_secs_listener(listen)
    try:
        fn()
    finally:
        jax.monitoring.unregister_event_duration_listener(listen)
    return len(events)


def test_new_weight_shapes_do_not_compile():
    def build(units):
        return kerax.Sequential(
            [
                kerax.Input((13,)),
                kerax.layers.Dense(units, bias_initializer="ones"),
                kerax.layers.Dense(units + 1, kernel_initializer="he_normal"),
                kerax.layers.Dense(3, kernel_initializer=Constant(0.5)),
            ]
        )

    build(11)  # compiles the size buckets once
    assert _count_compiles(lambda: build(12)) == 0
    # the direct jax.random path would compile for each of these shapes
    assert _count_compiles(lambda: _direct("normal", (9, 14), "float32")) > 0


def test_fills_keep_values_and_dtypes():
    np.testing.assert_array_equal(Zeros()((2, 3), "int32"), np.zeros((2, 3), "int32"))
    ones = Ones()((4,), "bfloat16")
    assert ones.dtype == "bfloat16" and np.all(np.asarray(ones, "float32") == 1)
    np.testing.assert_array_equal(Constant(2.7)((2,), "int32"), [2, 2])
    array = Constant(np.array([1.0, 2.0]))((3, 2), "float32")
    np.testing.assert_array_equal(array, [[1, 2]] * 3)
