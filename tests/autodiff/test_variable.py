"""Variable: values, assignment rules, operators, scopes."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import kerax
from kerax.autodiff.state_scope import StateScope, run_stateless


def test_value_dtype_and_numpy():
    v = kerax.Variable(3.0, name="x")
    assert v.dtype == "float32" and v.shape == () and v.trainable
    assert v.numpy() == 3.0 and v.name == "x" and v.path == "x"
    ints = kerax.Variable(np.arange(4))
    assert ints.dtype == "int32"
    assert kerax.Variable(np.ones(2, "float64")).dtype == "float32"


def test_initializer_callable_and_name():
    v = kerax.Variable("ones", shape=(2, 3), dtype="float32")
    np.testing.assert_array_equal(v.numpy(), np.ones((2, 3)))
    with pytest.raises(ValueError, match="shape"):
        kerax.Variable("ones")
    with pytest.raises(ValueError, match="'/'"):
        kerax.Variable(1.0, name="a/b")


def test_assign_family_and_errors():
    v = kerax.Variable(np.zeros((2,), "float32"))
    v.assign([1.0, 2.0])
    v.assign_add(np.ones(2))
    v.assign_sub(jnp.asarray([0.5, 0.5]))
    np.testing.assert_allclose(v.numpy(), [1.5, 2.5])
    with pytest.raises(ValueError, match="shape"):
        v.assign(np.zeros((3,)))
    i = kerax.Variable(np.zeros(2, "int32"))
    with pytest.raises(ValueError, match="dtype"):
        i.assign(np.array([0.5, 1.5], "float32"))


def test_assign_keeps_a_private_copy_of_the_callers_array():
    source = jnp.ones(3)
    v = kerax.Variable(source)
    v.assign(source * 2)
    assert v.value is not source


def test_operators_and_array_protocol():
    v = kerax.Variable(np.array([1.0, 2.0, 3.0], "float32"))
    np.testing.assert_allclose(np.asarray(v + 1), [2, 3, 4])
    np.testing.assert_allclose(np.asarray(2 * v), [2, 4, 6])
    np.testing.assert_allclose(np.asarray(v**2), [1, 4, 9])
    np.testing.assert_allclose(np.asarray(1 / v), [1, 0.5, 1 / 3], rtol=1e-6)
    np.testing.assert_array_equal(np.asarray(v > 1.5), [False, True, True])
    np.testing.assert_array_equal(np.asarray(v == 2.0), [False, True, False])
    assert float(v[1]) == 2.0 and len(v) == 3
    np.testing.assert_allclose(np.asarray(v), [1, 2, 3])
    m = kerax.Variable(np.eye(2, dtype="float32"))
    np.testing.assert_allclose(np.asarray(m @ m), np.eye(2))
    assert hash(v) != hash(m)  # hashable by identity


def test_state_scope_reads_and_writes_do_not_touch_the_variable():
    v = kerax.Variable(1.0)
    with StateScope([(v, jnp.asarray(5.0))]) as scope:
        assert float(v.value) == 5.0
        v.assign(7.0)
        assert float(v.value) == 7.0
    assert float(v.value) == 1.0
    assert float(scope.new_values([v])[0]) == 7.0


def test_run_stateless_inside_jit():
    v = kerax.Variable(1.0)

    def body():
        v.assign_add(2.0)
        return v.value * 10

    def step(value):
        out, new = run_stateless(body, [v], [value])
        return out, new[0]

    out, new = jax.jit(step)(jnp.asarray(3.0))
    assert float(out) == 50.0 and float(new) == 5.0 and float(v.value) == 1.0


def test_assigning_a_tracer_outside_a_scope_is_an_error():
    v = kerax.Variable(1.0)
    with pytest.raises(RuntimeError, match="traced value"):
        jax.jit(lambda x: v.assign(x))(jnp.asarray(2.0))


def test_jax_arrays_get_numpy_method():
    assert jnp.ones(2).numpy().tolist() == [1.0, 1.0]
