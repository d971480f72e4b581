"""Test settings: Keras (the oracle) on JAX, strict JAX, a shared compile cache."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false")

import jax  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

_CACHE = os.path.join(os.path.dirname(os.path.dirname(__file__)), ".jax_cache")
jax.config.update("jax_compilation_cache_dir", _CACHE)
jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.5)
jax.config.update("jax_numpy_rank_promotion", "raise")


@pytest.fixture(autouse=True)
def _rank_promotion(request):
    """Strict broadcasting for kerax; Keras (the oracle) itself relies on implicit
    rank promotion, so modules that import keras run with it allowed."""
    module = getattr(request, "module", None)
    uses_keras = module is not None and "keras" in vars(module)
    with jax.numpy_rank_promotion("allow" if uses_keras else "raise"):
        yield


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded numpy generator for test data."""
    return np.random.default_rng(0)


@pytest.fixture(autouse=True)
def _fresh_names():
    """Each test starts with fresh automatic layer names, like a new session."""
    from kerax.utils import naming

    naming.reset()
    yield


def pytest_make_parametrize_id(config, val, argname):
    """Stable test ids for object parameters (reprs with addresses differ between
    pytest-xdist workers, which then refuse to run)."""
    if isinstance(val, (str, int, float, bool, bytes, type(None))):
        return None  # pytest's default
    if isinstance(val, type) or callable(val) and hasattr(val, "__name__"):
        return getattr(val, "__name__", type(val).__name__)
    return type(val).__name__
