"""``kerax.ops.numpy`` against numpy formulas and ``keras.ops`` (values and dtypes)."""

from __future__ import annotations

import jax
import numpy as np
import pytest
from ops_cases import (
    Case,
    bools,
    by_ids,
    f32,
    i32,
    pos,
    run_keras,
    run_numpy,
    seed,
    unit,
)

seed(1)


def same(name: str):
    return getattr(np, name)


UNARY_FLOAT = [
    ("arccos", unit),
    ("arccosh", lambda *s: pos(*s, low=1.1, high=3.0)),
    ("arcsin", unit),
    ("arcsinh", f32),
    ("arctan", f32),
    ("arctanh", unit),
    ("cbrt", f32),
    ("ceil", f32),
    ("cos", f32),
    ("cosh", f32),
    ("deg2rad", f32),
    ("exp", f32),
    ("exp2", f32),
    ("expm1", f32),
    ("floor", f32),
    ("i0", f32),
    ("log", pos),
    ("log10", pos),
    ("log1p", pos),
    ("log2", pos),
    ("rad2deg", f32),
    ("reciprocal", pos),
    ("sin", f32),
    ("sinc", f32),
    ("sinh", f32),
    ("sqrt", pos),
    ("tan", unit),
    ("tanh", f32),
    ("abs", f32),
    ("absolute", f32),
    ("fabs", f32),
    ("negative", f32),
    ("square", f32),
    ("sign", f32),
    ("trunc", f32),
    ("conj", f32),
    ("conjugate", f32),
    ("real", f32),
    ("imag", f32),
    ("angle", f32),
    ("isfinite", f32),
    ("isinf", f32),
    ("isnan", f32),
    ("isneginf", f32),
    ("isposinf", f32),
    ("isreal", f32),
    ("signbit", f32),
    ("logical_not", bools),
    ("copy", f32),
]

UNARY_INT_DTYPES = ["floor", "trunc", "round", "sqrt", "abs", "square", "sign"]

BINARY = [
    "add",
    "subtract",
    "multiply",
    "divide",
    "true_divide",
    "power",
    "maximum",
    "minimum",
    "fmax",
    "fmin",
    "arctan2",
    "hypot",
    "logaddexp",
    "logaddexp2",
    "equal",
    "not_equal",
    "greater",
    "greater_equal",
    "less",
    "less_equal",
    "mod",
    "fmod",
    "floor_divide",
    "heaviside",
    "nextafter",
]

BITWISE = [
    ("bitwise_and", "bitwise_and"),
    ("bitwise_or", "bitwise_or"),
    ("bitwise_xor", "bitwise_xor"),
    ("left_shift", "left_shift"),
    ("right_shift", "right_shift"),
    ("bitwise_left_shift", "left_shift"),
    ("bitwise_right_shift", "right_shift"),
    ("gcd", "gcd"),
    ("lcm", "lcm"),
]

x23, y23, x234, i23 = f32(2, 3), f32(2, 3), f32(2, 3, 4), i32(2, 3)
xnan = np.array([[1.0, np.nan, 3.0], [np.nan, -2.0, 0.5]], "float32")
sq = f32(3, 3)

CASES = (
    [Case(n, (g(2, 3),), ref=same(n)) for n, g in UNARY_FLOAT]
    + [Case(n, (i32(2, 3, low=1),), ref=None, label="int") for n in UNARY_INT_DTYPES]
    + [Case(n, (f32(2, 3), f32(2, 3, low=0.5)), ref=same(n)) for n in BINARY]
    + [Case(n, (f32(2, 3), f32(3)), label="bcast") for n in ("add", "power", "maximum")]
    + [
        Case(n, (i32(2, 3), 2), label="int-scalar")
        for n in ("add", "multiply", "divide", "power", "maximum")
    ]
    + [Case(n, (i32(3, low=1), i32(3, low=1, high=4)), ref=same(r)) for n, r in BITWISE]
    + [
        Case("bitwise_not", (i23,), ref=np.invert),
        Case("bitwise_invert", (i23,), ref=np.invert),
        Case("logical_and", (bools(4), bools(4)), ref=np.logical_and),
        Case("logical_or", (bools(4), bools(4)), ref=np.logical_or),
        Case("logical_xor", (bools(4), bools(4)), ref=np.logical_xor),
        Case("ldexp", (f32(4), i32(4)), ref=np.ldexp),
        Case("divide_no_nan", (x23, np.array([[1, 0, 2], [0, 3, 1]], "float32"))),
        Case("clip", (x23, -0.5, 0.5), ref=np.clip),
        Case("clip", (bools(3), 0, 1), label="bool"),
        Case("isclose", (x23, x23 + 1e-6), ref=np.isclose),
        Case("allclose", (x23, x23 + 1e-3), ref=np.allclose),
        Case("round", (x23 * 10,), {"decimals": 1}, ref=np.round),
        Case("nan_to_num", (xnan,), {"nan": 7.0}, ref=np.nan_to_num),
        Case("add", (bools(3), bools(3)), label="bool"),
        # Keras's dtype rules where they differ from plain jax.numpy promotion.
        Case("arctan2", (f32(3).astype("float16"), 2.5), label="f16-pyfloat"),
        Case("logaddexp", (f32(3).astype("float16"), 2.5), label="f16-pyfloat"),
        Case("arctan2", (f32(3).astype("float16"), 2), label="f16-pyint"),
        Case("matmul", (bools(2, 3), bools(3, 2)), label="bool"),
        Case("dot", (i32(2, 3).astype("int8"), i32(3).astype("int8")), label="int8"),
        Case(
            "einsum",
            ("ij,jk->ik", i32(2, 3).astype("int8"), i32(3, 2).astype("int8")),
            label="int8",
        ),
        Case(
            "average",
            (i32(2, 3),),
            {"axis": 1, "weights": pos(3).astype("float16")},
            label="f16w",
        ),
        Case(
            "trapezoid",
            (f32(2, 3).astype("float16"), np.array([0, 1, 3])),
            label="f16-intx",
        ),
        Case("linspace", (np.float16(0), 1, 3), label="f16"),
        Case("arange", (np.int8(1), 10, 2), label="int8"),
    ]
    # -- reductions and statistics
    + [
        Case(n, (x234,), ref=same(n))
        for n in ("sum", "prod", "mean", "std", "var", "max", "min", "amax", "amin")
    ]
    + [
        Case(n, (x234,), {"axis": ax, "keepdims": kd}, ref=same(n), label=f"{ax}-{kd}")
        for n, ax, kd in (
            ("sum", 1, True),
            ("max", (0, 2), False),
            ("mean", (0, 2), True),
            ("std", 1, False),
        )
    ]
    + [Case(n, (i23,), label="int") for n in ("sum", "mean", "median", "cumsum")]
    + [Case(n, (bools(2, 3),), label="bool") for n in ("sum", "mean", "max", "cumprod")]
    + [
        Case("sum", (i32(4).astype("int8"),), label="int8"),
        Case("cumsum", (i32(4).astype("int8"),), label="int8"),
        Case("all", (x23 > 0,), {"axis": 1}, ref=np.all),
        Case("any", (x23 > 0,), {"axis": 0, "keepdims": True}, ref=np.any),
        Case("argmax", (x234,), {"axis": 1}, ref=np.argmax),
        Case("argmin", (x234,), {"axis": -1, "keepdims": True}, ref=np.argmin),
        Case("argmax", (x23,), ref=np.argmax, label="flat"),
        Case("count_nonzero", (i23,), {"axis": 1}, ref=np.count_nonzero),
        Case("cumsum", (x234,), {"axis": 1}, ref=np.cumsum),
        Case("cumprod", (x23,), {"axis": 0}, ref=np.cumprod),
        Case("cumsum", (x23,), ref=np.cumsum, label="flat"),
        Case("median", (x234,), {"axis": 1}, ref=np.median),
        Case("average", (x23,), {"axis": 1, "weights": pos(3)}, ref=np.average),
        Case("average", (x23,), ref=np.average, label="flat"),
        Case("quantile", (x234, 0.3), {"axis": 2}, ref=np.quantile),
        Case("quantile", (x23, np.array([0.2, 0.8], "float32")), ref=np.quantile),
        Case("percentile", (x23, 40.0), {"axis": 1}, ref=np.percentile, tol=1e-5),
        Case("ptp", (x234,), {"axis": 1}, ref=np.ptp),
        Case("max", (x23,), {"initial": 5.0}, ref=np.max, label="initial"),
        Case("histogram", (f32(20),), {"bins": 4}),
        Case("bincount", (i32(8, low=0),), ref=np.bincount),
        Case("bincount", (i32(6, low=0),), {"weights": pos(6), "minlength": 8}),
        Case("trace", (x234,), {"offset": 1}, ref=np.trace),
    ]
    + [
        Case(n, (xnan,), {"axis": 1}, ref=same(n))
        for n in (
            "nansum",
            "nanprod",
            "nanmean",
            "nanstd",
            "nanvar",
            "nanmax",
            "nanmin",
            "nanmedian",
            "nanargmax",
            "nanargmin",
            "nancumsum",
            "nancumprod",
        )
    ]
    + [
        Case("nanquantile", (xnan, 0.5), {"axis": 1}, ref=np.nanquantile),
        Case("nanpercentile", (xnan, 50.0), {"axis": 1}, ref=np.nanpercentile),
    ]
    # -- shapes
    + [
        Case("reshape", (x234, (4, -1)), ref=np.reshape),
        Case("ravel", (x23,), ref=np.ravel),
        Case("transpose", (x234, (2, 0, 1)), ref=np.transpose),
        Case("transpose", (x234,), ref=np.transpose, label="reverse"),
        Case("moveaxis", (x234, 0, -1), ref=np.moveaxis),
        Case("swapaxes", (x234, 0, 2), ref=np.swapaxes),
        Case("expand_dims", (x23, 1), ref=np.expand_dims),
        Case("expand_dims", (x23, (0, 3)), ref=np.expand_dims, label="tuple"),
        Case("squeeze", (f32(1, 3, 1),), ref=np.squeeze),
        Case("squeeze", (f32(1, 3, 1), 2), ref=np.squeeze, label="axis"),
        Case("broadcast_to", (f32(3), (2, 3)), ref=np.broadcast_to),
        Case("concatenate", ([x23, y23],), {"axis": 1}, ref=np.concatenate),
        Case("append", (x23, y23), {"axis": 0}, ref=np.append),
        Case("append", (x23, f32(4)), ref=np.append, label="flat"),
        Case("stack", ([x23, y23],), {"axis": 1}, ref=np.stack),
        Case("hstack", ([x23, y23],), ref=np.hstack),
        Case("vstack", ([x23, y23],), ref=np.vstack),
        Case("dstack", ([x23, y23],), ref=np.dstack),
        Case("split", (f32(6, 2), 3), ref=np.split),
        Case("split", (f32(6, 2), [1, 4]), ref=np.split, label="indices"),
        Case("array_split", (f32(7, 2), 3), ref=np.array_split),
        Case("hsplit", (f32(2, 4), 2), ref=np.hsplit),
        Case("vsplit", (f32(4, 2), 2), ref=np.vsplit),
        Case("dsplit", (f32(2, 2, 4), 2), ref=np.dsplit),
        Case("tile", (x23, (2, 1)), ref=np.tile),
        Case("repeat", (x23, 2), {"axis": 1}, ref=np.repeat),
        Case("repeat", (x23, np.array([1, 3])), {"axis": 0}, label="array"),
        Case("flip", (x234,), {"axis": 1}, ref=np.flip),
        Case("flip", (x23,), ref=np.flip, label="all"),
        Case("fliplr", (x23,), ref=np.fliplr),
        Case("flipud", (x23,), ref=np.flipud),
        Case("roll", (x234, 2), {"axis": 2}, ref=np.roll),
        Case("roll", (x23, 1), ref=np.roll, label="flat"),
        Case("rot90", (x234,), {"k": 3, "axes": (1, 2)}, ref=np.rot90),
        Case("pad", (x23, ((1, 0), (2, 1))), ref=np.pad),
        Case("pad", (x23, 1), {"constant_values": 3.0}, ref=np.pad, label="value"),
        Case(
            "pad",
            (x23, ((1, 1), (2, 2))),
            {"mode": "reflect"},
            ref=np.pad,
            label="reflect",
        ),
        Case("pad", (x23, 2), {"mode": "symmetric"}, ref=np.pad, label="symmetric"),
        Case("pad", (x23, 2), {"mode": "edge"}, ref=np.pad, label="edge"),
        Case("pad", (x23, 2), {"mode": "wrap"}, ref=np.pad, label="wrap"),
        Case("pad", (x23, 2), {"mode": "mean"}, ref=np.pad, label="mean"),
    ]
    # -- creation
    + [
        Case("arange", (5,), ref=np.arange),
        Case("arange", (1, 10, 3), ref=np.arange, label="step"),
        Case("arange", (0.0, 1.0, 0.25), ref=np.arange, label="float"),
        Case("zeros", ((2, 3),), ref=np.zeros),
        Case("ones", (3,), ref=np.ones),
        Case("ones", ((2,),), {"dtype": "int32"}, label="int"),
        Case("empty", ((2, 2),)),
        Case("full", ((2, 3), 1.5), ref=np.full),
        Case("full", ((2,), 1), label="int-value"),
        Case("zeros_like", (i23,), ref=np.zeros_like),
        Case("ones_like", (x23,), {"dtype": "int32"}),
        Case("empty_like", (x23,)),
        Case("full_like", (i23, 0.5), label="int-like"),
        Case("full_like", (x23, 2.5), ref=np.full_like),
        Case("eye", (3,), ref=np.eye),
        Case("eye", (3, 4, 1), ref=np.eye, label="rect"),
        Case("identity", (3,), ref=np.identity),
        Case("tri", (3, 4, -1), ref=np.tri),
        Case("tril", (x234,), {"k": -1}, ref=np.tril),
        Case("triu", (sq,), {"k": 1}, ref=np.triu),
        Case("tril", (bools(3, 3),), label="bool"),
        Case("linspace", (0.0, 1.0, 5), ref=np.linspace),
        Case(
            "linspace", (0, 2, 4), {"endpoint": False, "retstep": True}, label="retstep"
        ),
        Case("linspace", (np.zeros(2), np.ones(2), 3), {"axis": 1}, label="array"),
        Case("logspace", (0.0, 2.0, 4), ref=np.logspace),
        Case("geomspace", (1.0, 8.0, 4), ref=np.geomspace),
        Case("meshgrid", (f32(3), f32(2)), ref=np.meshgrid),
        Case("meshgrid", (f32(3), f32(2)), {"indexing": "ij"}, label="ij"),
        Case("diag", (f32(3),), {"k": 1}, ref=np.diag),
        Case("diag", (sq,), ref=np.diag, label="extract"),
        Case("diagflat", (f32(2, 2),), ref=np.diagflat),
        Case(
            "diagonal", (x234,), {"offset": 1, "axis1": 1, "axis2": 2}, ref=np.diagonal
        ),
        Case("vander", (f32(4),), {"N": 3}, ref=np.vander),
        Case("array", (x23,), ref=np.array),
        Case("array", ([1, 2],), label="list"),
        Case("bartlett", (6,), ref=np.bartlett),
        Case("blackman", (6,), ref=np.blackman, tol=2e-5),
        Case("hamming", (6,), ref=np.hamming),
        Case("hanning", (6,), ref=np.hanning),
        Case("kaiser", (6, 3.0), ref=np.kaiser),
    ]
    # -- indexing, sorting, searching
    + [
        Case("take", (x234, np.array([2, 0])), {"axis": 1}, ref=np.take),
        Case("take", (x23, np.array([[0, 4], [5, 1]])), ref=np.take, label="flat"),
        Case("take", (x23, np.array([-1, 0])), {"axis": 1}, label="negative"),
        Case("take", (x23, np.array([5, 0])), {"axis": 1}, label="out-of-range"),
        Case(
            "take_along_axis",
            (x23, np.array([[0, 2], [1, 1]])),
            {"axis": 1},
            ref=np.take_along_axis,
        ),
        Case("take_along_axis", (x23, np.array([[-1], [2]])), {"axis": 1}, label="neg"),
        Case("where", (x23 > 0, x23, y23), ref=np.where),
        Case("where", (x23 > 0, 1.0, 0), label="scalars"),
        Case("where", (x23 > 0,), label="indices"),
        Case("where", (x23 > 0, f32(3), -1.0), label="bcast"),
        Case(
            "select",
            ([x23 > 1, x23 < -1], [x23, -x23]),
            {"default": 7.0},
            ref=np.select,
        ),
        Case("nonzero", (i23,), ref=np.nonzero),
        Case("searchsorted", (np.sort(f32(5)), f32(3)), ref=np.searchsorted),
        Case(
            "searchsorted", (np.array([1, 2, 2, 3]), np.array([2])), {"side": "right"}
        ),
        Case(
            "digitize", (f32(6), np.array([-1.0, 0.0, 1.0], "float32")), ref=np.digitize
        ),
        Case("sort", (x234,), {"axis": 1}, ref=np.sort),
        Case("argsort", (x234,), {"axis": 0}, ref=np.argsort),
        Case("argsort", (bools(4),), label="bool"),
        Case("isin", (i23, np.array([1, 2, 3])), ref=np.isin),
        Case(
            "isin", (i23, np.array([1, 2])), {"invert": True}, ref=np.isin, label="inv"
        ),
        Case(
            "unique",
            (np.array([3, 1, 3, 2]),),
            {"return_index": True, "return_inverse": True, "return_counts": True},
            ref=np.unique,
            label="all",
        ),
        Case(
            "unique", (np.array([3, 1, 3]),), {"size": 4, "fill_value": 9}, label="size"
        ),
        Case("unravel_index", (np.array([4, 5]), (2, 3)), ref=np.unravel_index),
        Case("get_item", (x234, (slice(None), 1, None)), ref=lambda x, k: x[k]),
        Case("get_item", (x23, np.array([1, 0])), ref=lambda x, k: x[k], label="array"),
        Case(
            "get_item",
            (x234, (Ellipsis, slice(1, 3))),
            ref=lambda x, k: x[k],
            label="e",
        ),
    ]
    # -- products and differences
    + [
        Case("matmul", (f32(2, 3), f32(3, 4)), ref=np.matmul),
        Case("matmul", (f32(5, 2, 3), f32(3, 4)), ref=np.matmul, label="batch"),
        Case("matmul", (f32(2, 3), f32(3)), ref=np.matmul, label="vector"),
        Case(
            "matmul", (i32(2, 3).astype("int8"), i32(3, 2).astype("int8")), label="int8"
        ),
        Case("dot", (f32(2, 3), f32(3, 4)), ref=np.dot),
        Case("dot", (i32(3), i32(3)), ref=np.dot, label="int"),
        Case("tensordot", (x234, f32(3, 4, 2)), ref=np.tensordot),
        Case(
            "tensordot",
            (x23, f32(3, 2)),
            {"axes": ([1], [0])},
            ref=np.tensordot,
            label="ax",
        ),
        Case("einsum", ("ij,jk->ik", f32(2, 3), f32(3, 4)), ref=np.einsum),
        Case("einsum", ("bij->bji", x234), ref=np.einsum, label="transpose"),
        Case("inner", (x23, y23), ref=np.inner),
        Case("outer", (f32(3), f32(2)), ref=np.outer),
        Case("vdot", (x23, y23), ref=np.vdot),
        Case("kron", (f32(2, 2), f32(2, 3)), ref=np.kron),
        Case("cross", (f32(4, 3), f32(4, 3)), ref=np.cross),
        Case("cross", (f32(3, 4), f32(3, 4)), {"axis": 0}, ref=np.cross, label="axis"),
        Case("correlate", (f32(5), f32(3)), ref=np.correlate),
        Case(
            "correlate", (f32(5), f32(3)), {"mode": "full"}, ref=np.correlate, label="f"
        ),
        Case(
            "correlate", (f32(5), f32(3)), {"mode": "same"}, ref=np.correlate, label="s"
        ),
        Case("corrcoef", (f32(3, 5),), ref=np.corrcoef),
        Case("diff", (x234,), {"n": 2, "axis": 2}, ref=np.diff),
        Case("trapezoid", (x23,), {"dx": 0.5}, ref=np.trapezoid),
        Case("trapezoid", (x23,), {"x": np.sort(f32(3))}, ref=np.trapezoid, label="x"),
        Case("slogdet", (spd_like := f32(3, 3) + 3 * np.eye(3, dtype="float32"),)),
        Case("view", (x23, "int32"), ref=lambda x, d: x.view(d)),
        Case("view", (np.arange(4, dtype="int32"), "int16"), label="resize"),
    ]
)


@pytest.mark.parametrize("case", **by_ids(CASES))
def test_matches_keras(case: Case) -> None:
    run_keras(case)


@pytest.mark.parametrize("case", **by_ids([c for c in CASES if c.ref is not None]))
def test_matches_numpy(case: Case) -> None:
    run_numpy(case)


def test_slogdet_matches_numpy() -> None:
    import kerax.ops as ops

    sign, logdet = ops.slogdet(spd_like)
    expected_sign, expected_logdet = np.linalg.slogdet(spd_like)
    assert float(sign) == expected_sign
    np.testing.assert_allclose(logdet, expected_logdet, rtol=1e-5, atol=1e-6)


def test_histogram_matches_numpy() -> None:
    import kerax.ops as ops

    values = f32(30)
    counts, edges = ops.histogram(values, bins=5)
    expected_counts, expected_edges = np.histogram(values, bins=5)
    np.testing.assert_array_equal(counts, expected_counts)
    np.testing.assert_allclose(edges, expected_edges, rtol=1e-6)


def test_argpartition_partitions() -> None:
    import keras

    import kerax.ops as ops

    values = f32(3, 7)
    out = np.asarray(ops.argpartition(values, 2, axis=1))
    assert out.dtype == np.asarray(keras.ops.argpartition(values, 2, axis=1)).dtype
    parted = np.take_along_axis(values, out, axis=1)
    expected = np.sort(values, axis=1)
    np.testing.assert_array_equal(parted[:, 2], expected[:, 2])
    assert np.all(parted[:, :2] <= parted[:, 2:3])
    assert np.all(parted[:, 3:] >= parted[:, 2:3])
    np.testing.assert_array_equal(np.sort(out, axis=1), np.tile(np.arange(7), (3, 1)))


def test_vectorize_matches_keras() -> None:
    import keras

    import kerax.ops as ops

    def fn(a, b):
        return a * 2 + b

    a, b = f32(3), f32(2, 3)
    with jax.numpy_rank_promotion("allow"):
        expected = keras.ops.vectorize(fn)(a, b)
    np.testing.assert_allclose(ops.vectorize(fn)(a, b), expected, rtol=1e-6)
    matvec = ops.vectorize(lambda m, v: m @ v, signature="(n,m),(m)->(n)")
    matrices, vectors = f32(4, 2, 3), f32(4, 3)
    np.testing.assert_allclose(
        matvec(matrices, vectors),
        np.einsum("bij,bj->bi", matrices, vectors),
        rtol=1e-5,
    )


def test_metadata() -> None:
    import kerax.ops as ops

    assert ops.ndim(x234) == 3
    assert ops.size(x234) == 24
    assert ops.shape(x234) == (2, 3, 4)
