"""``kerax.utils.profile``: a JAX profiler trace where TensorBoard looks for it."""

import glob

import jax
import jax.numpy as jnp
import pytest

import kerax


def _traces(log_dir) -> list[str]:
    return glob.glob(str(log_dir / "plugins/profile/*/*.xplane.pb"))


def test_profile_writes_a_trace_for_tensorboard(tmp_path):
    assert not _traces(tmp_path)
    with kerax.utils.profile(tmp_path) as where:
        jax.block_until_ready(jax.jit(jnp.sin)(jnp.ones(8)))
    assert where == str(tmp_path)
    assert len(_traces(tmp_path)) == 1


def test_profile_stops_the_trace_when_the_block_raises(tmp_path):
    with pytest.raises(KeyError):
        with kerax.utils.profile(tmp_path / "a"):
            raise KeyError("fails inside the block")
    with kerax.utils.profile(tmp_path / "b"):  # a new trace can start
        pass
    assert _traces(tmp_path / "a") and _traces(tmp_path / "b")


def test_nested_profile_is_a_clear_error(tmp_path):
    with kerax.utils.profile(tmp_path):
        with pytest.raises(RuntimeError, match="already running"):
            with kerax.utils.profile(tmp_path / "inner"):
                pass


def test_bad_log_dir_is_a_clear_error():
    with pytest.raises(TypeError, match="log_dir must be a path"):
        with kerax.utils.profile(3):
            pass
