"""Table-driven op tests: input builders, the ``Case`` record and comparisons."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import jax
import numpy as np

_rng = np.random.default_rng(1234)


def seed(value: int) -> None:
    """Restart the input generator: a test module's inputs then do not depend
    on which modules were imported before it."""
    global _rng
    _rng = np.random.default_rng(value)


def f32(*shape: int, low: float = -2.0, high: float = 2.0) -> np.ndarray:
    """Uniform float32 values (kept away from zero to avoid kinks)."""
    values = _rng.uniform(low, high, size=shape).astype("float32")
    if low < 0 < high:
        values = np.where(np.abs(values) < 0.05, values + 0.1, values)
    return values.astype("float32")


def pos(*shape: int, low: float = 0.5, high: float = 2.0) -> np.ndarray:
    """Positive float32 values."""
    return f32(*shape, low=low, high=high)


def unit(*shape: int) -> np.ndarray:
    """float32 values in (-0.9, 0.9)."""
    return f32(*shape, low=-0.9, high=0.9)


def i32(*shape: int, low: int = -5, high: int = 6) -> np.ndarray:
    """int32 values in ``[low, high)``."""
    return _rng.integers(low, high, size=shape).astype("int32")


def bools(*shape: int) -> np.ndarray:
    return _rng.random(shape) > 0.5


def spd(n: int, batch: tuple = ()) -> np.ndarray:
    """Symmetric positive definite float32 matrices."""
    a = _rng.normal(size=batch + (n, n)).astype("float32")
    return (a @ np.swapaxes(a, -1, -2) + n * np.eye(n, dtype="float32")).astype(
        "float32"
    )


@dataclasses.dataclass
class Case:
    """One call of an op: ``name(*args, **kwargs)``.

    ``ref`` is a numpy formula giving the expected value; ``keras`` says whether
    to compare with ``keras.ops`` (values and dtypes); ``compare`` replaces the
    element-wise comparison when outputs are equal only up to a convention.
    """

    name: str
    args: tuple = ()
    kwargs: dict = dataclasses.field(default_factory=dict)
    ref: Callable[..., Any] | None = None
    keras: bool = True
    tol: float = 1e-5
    compare: Callable[[Any, Any], None] | None = None
    label: str = ""

    @property
    def id(self) -> str:
        return self.name + (f"-{self.label}" if self.label else "")


def leaves(tree: Any) -> list[Any]:
    return jax.tree_util.tree_leaves(tree)


def assert_close(actual: Any, expected: Any, tol: float, check_dtype: bool) -> None:
    """Same structure, shapes, (optionally) dtypes and values within ``tol``."""
    actual_leaves, expected_leaves = leaves(actual), leaves(expected)
    assert len(actual_leaves) == len(expected_leaves), (actual, expected)
    for a, e in zip(actual_leaves, expected_leaves):
        a, e = np.asarray(a), np.asarray(e)
        assert a.shape == e.shape, (a.shape, e.shape)
        if check_dtype:
            assert a.dtype == e.dtype, (a.dtype, e.dtype)
        if a.dtype == bool or e.dtype == bool:
            np.testing.assert_array_equal(a, e)
        else:
            np.testing.assert_allclose(
                a.astype(np.complex128) if np.iscomplexobj(a) else a.astype("float64"),
                e.astype(np.complex128) if np.iscomplexobj(e) else e.astype("float64"),
                rtol=tol,
                atol=tol,
                equal_nan=True,
            )


# Keras runs these composite ops eagerly one primitive at a time, compiling
# each: the oracle call is compiled as one program instead (same values).
COMPILE_ORACLE = {
    "adaptive_average_pool",
    "adaptive_max_pool",
    "affine_transform",
    "conv_transpose",
    "ctc_decode",
    "ctc_loss",
    "dot_product_attention",
    "elastic_transform",
    "extract_patches",
    "fft2",
    "fold",
    "gelu",
    "histogram",
    "hsv_to_rgb",
    "ifft2",
    "istft",
    "layer_normalization",
    "logsumexp",
    "lu_factor",
    "map_coordinates",
    "perspective_transform",
    "resize",
    "rgb_to_hsv",
    "rms_normalization",
    "scale_and_translate",
    "separable_conv",
    "sobel_edges",
    "ssim",
    "stft",
    "unfold",
}


def _is_array_arg(value: Any) -> bool:
    if isinstance(value, (tuple, list)) and value:
        return all(isinstance(v, np.ndarray) for v in value)
    return isinstance(value, np.ndarray)


def call_oracle(fn: Callable[..., Any], case: Case) -> Any:
    """``fn(*case.args, **case.kwargs)``, compiled when ``case`` is a composite op."""
    if case.name not in COMPILE_ORACLE:
        return fn(*case.args, **case.kwargs)
    positions = [i for i, a in enumerate(case.args) if _is_array_arg(a)]

    def call(*values: Any) -> Any:
        args = list(case.args)
        for i, value in zip(positions, values):
            args[i] = value
        return fn(*args, **case.kwargs)

    return jax.jit(call)(*[case.args[i] for i in positions])


def run_keras(case: Case) -> None:
    """kerax and Keras agree on ``case`` (values and dtypes)."""
    import keras

    import kerax.ops as kops

    actual = getattr(kops, case.name)(*case.args, **case.kwargs)
    with jax.numpy_rank_promotion("allow"):  # Keras relies on implicit promotion
        expected = call_oracle(getattr(keras.ops, case.name), case)
    if case.compare is not None:
        case.compare(actual, expected)
    else:
        assert_close(actual, expected, case.tol, check_dtype=True)


def run_numpy(case: Case) -> None:
    """kerax agrees with the numpy formula of ``case``.

    A float array first argument is passed as a ``kerax.Variable``: ops must
    accept Variables wherever they accept arrays.
    """
    import kerax
    import kerax.ops as kops

    args = list(case.args)
    if isinstance(args[0], np.ndarray) and args[0].dtype == np.float32:
        args[0] = kerax.Variable(args[0], trainable=False)
    actual = getattr(kops, case.name)(*args, **case.kwargs)
    expected = case.ref(*case.args, **case.kwargs)
    if case.compare is not None:
        case.compare(actual, expected)
    else:
        assert_close(actual, expected, case.tol, check_dtype=False)


def by_ids(cases: list[Case]) -> dict[str, Any]:
    """``pytest.mark.parametrize`` keyword arguments for a case table."""
    return {"argvalues": cases, "ids": [c.id for c in cases]}
