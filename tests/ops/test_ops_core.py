"""Core ops: conversion, casting, control flow, slicing and scattering."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from ops_cases import Case, by_ids, f32, i32, run_keras, seed

import kerax
import kerax.ops as ops

seed(5)

x23 = f32(2, 3)

CASES = [
    Case("cast", (x23, "int32")),
    Case("cast", (i32(4), "float16"), label="f16"),
    Case("cast", (x23 > 0, "float32"), label="bool"),
    Case("saturate_cast", (np.array([-1.5, 300.7, 3e10, 12.0], "float32"), "uint8")),
    Case(
        "saturate_cast", (np.array([-3e10, 2e9, 7.9], "float32"), "int32"), label="i32"
    ),
    Case("saturate_cast", (np.array([-5, 300, 7], "int32"), "int8"), label="int"),
    Case(
        "saturate_cast", (np.array([1e5, -1e6, 2.0], "float32"), "float16"), label="f16"
    ),
    Case("stop_gradient", (x23,)),
    Case("slice", (f32(4, 5), (1, 2), (2, 3))),
    Case("slice_update", (f32(4, 5), (1, 2), f32(2, 3))),
    Case("scatter", (np.array([[0, 1], [2, 2], [0, 1]]), f32(3), (3, 4))),
    Case("scatter", (np.array([[1], [3]]), f32(2, 3), (4, 3)), label="rows"),
    Case("scatter_update", (f32(4, 3), np.array([[1, 2], [3, 0]]), f32(2))),
    Case("scatter_update", (f32(4, 3), np.array([[1], [2]]), f32(2, 3)), label="rows"),
]
CASES += [
    Case(
        "scatter_update",
        (f32(4), np.array([[0], [0], [2]]), f32(3)),
        {"reduction": reduction},
        label=reduction,
    )
    for reduction in ("add", "max", "min", "mul")
]


@pytest.mark.parametrize("case", **by_ids(CASES))
def test_matches_keras(case: Case) -> None:
    run_keras(case)


def test_convert_to_tensor() -> None:
    variable = kerax.Variable([1.0, 2.0])
    out = ops.convert_to_tensor(variable)
    assert isinstance(out, jax.Array)
    np.testing.assert_array_equal(out, [1.0, 2.0])
    assert isinstance(ops.convert_to_tensor(kerax.Tensor(jnp.ones(2))), jax.Array)
    assert ops.convert_to_tensor(1.5).dtype == jnp.float32
    assert ops.convert_to_tensor(3).dtype == jnp.int32
    assert ops.convert_to_tensor(np.ones(2)).dtype == jnp.float32
    assert ops.convert_to_tensor([1, 2], dtype="float16").dtype == jnp.float16
    with pytest.raises(ValueError, match="sparse"):
        ops.convert_to_tensor([1.0], sparse=True)
    with pytest.raises(ValueError, match="ragged"):
        ops.convert_to_tensor([1.0], ragged=True)


def test_metadata_matches_keras() -> None:
    import keras

    variable = kerax.Variable(np.ones((2, 3), "float32"))
    assert ops.shape(variable) == keras.ops.shape(np.ones((2, 3))) == (2, 3)
    assert ops.dtype(variable) == "float32"
    for value in (x23, i32(3), x23 > 0):
        assert ops.dtype(value) == keras.ops.dtype(value)
    assert ops.is_tensor(jnp.ones(2)) and not ops.is_tensor(np.ones(2))
    out = ops.convert_to_numpy(variable)
    assert isinstance(out, np.ndarray) and out.shape == (2, 3)


def test_symbolic_metadata() -> None:
    from kerax.backend.keras_tensor import KerasTensor

    symbolic = KerasTensor((None, 3), "float16")
    assert ops.shape(symbolic) == (None, 3)
    assert ops.dtype(symbolic) == "float16"
    assert ops.ndim(symbolic) == 2
    assert ops.convert_to_tensor(symbolic) is symbolic


def test_cond_and_switch() -> None:
    double, halve = (lambda: x23 * 2), (lambda: x23 / 2)
    np.testing.assert_allclose(ops.cond(True, double, halve), x23 * 2)
    np.testing.assert_allclose(ops.cond(jnp.array(False), double, halve), x23 / 2)
    compiled = jax.jit(lambda p: ops.cond(p, double, halve))
    np.testing.assert_allclose(compiled(False), x23 / 2)
    branches = [lambda v: v + 1, lambda v: v - 1, lambda v: v * 10]
    assert float(ops.switch(1, branches, 2.0)) == 1.0
    assert float(ops.switch(7, branches, 2.0)) == 20.0  # clamped to the last
    assert float(ops.switch(-2, branches, 2.0)) == 3.0  # clamped to the first
    assert float(jax.jit(lambda i: ops.switch(i, branches, 2.0))(2)) == 20.0


def test_loops_match_keras() -> None:
    import keras

    def step(carry, x):
        return carry + x, carry * x

    xs = f32(5, 2)
    carry, ys = ops.scan(step, jnp.zeros(2), xs)
    k_carry, k_ys = keras.ops.scan(step, jnp.zeros(2), xs)
    np.testing.assert_allclose(carry, k_carry, rtol=1e-6)
    np.testing.assert_allclose(ys, k_ys, rtol=1e-6)
    _, reversed_ys = ops.scan(step, jnp.zeros(2), xs, reverse=True)
    np.testing.assert_allclose(
        reversed_ys, keras.ops.scan(step, jnp.zeros(2), xs, reverse=True)[1], rtol=1e-6
    )
    np.testing.assert_allclose(
        ops.associative_scan(jnp.add, xs, axis=0), np.cumsum(xs, axis=0), rtol=1e-5
    )
    np.testing.assert_allclose(
        ops.associative_scan(jnp.add, xs, reverse=True),
        np.cumsum(xs[::-1], axis=0)[::-1],
        rtol=1e-5,
    )
    assert int(ops.fori_loop(0, 5, lambda i, v: v + i, 0)) == 10
    assert int(ops.while_loop(lambda i: i < 10, lambda i: i + 1, 0)) == 10
    out = ops.while_loop(lambda a, b: a < 10, lambda a, b: (a + 1, b + 2), (0, 1))
    assert isinstance(out, tuple) and [int(v) for v in out] == [10, 21]
    limited = ops.while_loop(
        lambda a, b: a < 10, lambda a, b: (a + 1, b + 1), [0, 1], maximum_iterations=3
    )
    expected = keras.ops.while_loop(
        lambda a, b: a < 10, lambda a, b: (a + 1, b + 1), [0, 1], maximum_iterations=3
    )
    assert [int(v) for v in limited] == [int(v) for v in expected] == [3, 4]
    np.testing.assert_allclose(ops.map(lambda r: r.sum(), xs), xs.sum(1), rtol=1e-6)
    np.testing.assert_allclose(
        ops.vectorized_map(lambda r: r * r, xs), xs * xs, rtol=1e-6
    )
    pair = ops.vectorized_map(lambda e: e[0] + e[1], (xs, xs))
    np.testing.assert_allclose(pair, 2 * xs, rtol=1e-6)


def test_unstack_and_get_item() -> None:
    x = f32(2, 3, 4)
    parts = ops.unstack(x, axis=1)
    assert len(parts) == 3
    np.testing.assert_array_equal(parts[2], x[:, 2])
    with pytest.raises(ValueError, match="num"):
        ops.unstack(x, num=2, axis=1)
    np.testing.assert_array_equal(
        ops.get_item(x, (0, slice(1, None), None)), x[0, 1:, None]
    )
    np.testing.assert_array_equal(ops.numpy.get_item(x, 1), x[1])


def test_custom_gradient() -> None:
    @ops.custom_gradient
    def log1pexp(x):
        e = ops.exp(x)

        def grad(*args, upstream=None):
            if upstream is None:
                (upstream,) = args
            return ops.multiply(upstream, 1.0 - 1.0 / ops.add(1, e))

        return ops.log(1 + e), grad

    x = np.array([0.0, 3.0], "float32")
    np.testing.assert_allclose(log1pexp(x), np.log1p(np.exp(x)), rtol=1e-6)
    expected = 1.0 - 1.0 / (1.0 + np.exp(x))
    grads = jax.grad(lambda v: log1pexp(v).sum())(jnp.asarray(x))
    np.testing.assert_allclose(grads, expected, rtol=1e-6)

    @ops.custom_gradient
    def product(a, b):
        return a * b, lambda g: (g * 10.0, g * 20.0)

    ga, gb = jax.grad(lambda a, b: product(a, b), argnums=(0, 1))(2.0, 3.0)
    assert (float(ga), float(gb)) == (10.0, 20.0)
    variable = kerax.Variable(x)
    with kerax.GradientTape() as tape:
        y = ops.sum(log1pexp(variable))
    np.testing.assert_allclose(tape.gradient(y, variable), expected, rtol=1e-6)


def test_stop_gradient_blocks_the_tape() -> None:
    variable = kerax.Variable([1.0, 2.0])
    with kerax.GradientTape() as tape:
        y = ops.sum(variable * ops.stop_gradient(variable))
    np.testing.assert_allclose(tape.gradient(y, variable), [1.0, 2.0])


def test_cond_records_the_taken_branch() -> None:
    variable = kerax.Variable(3.0)
    with kerax.GradientTape() as tape:
        y = ops.cond(variable > 0, lambda: variable * variable, lambda: -variable)
    assert float(tape.gradient(y, variable)) == 6.0


def test_errors() -> None:
    with pytest.raises(ValueError, match="reduction"):
        ops.scatter_update(np.zeros(3), [[0]], [1.0], reduction="sum")
    with pytest.raises(ValueError, match="branches"):
        ops.switch(0, [], 1.0)
