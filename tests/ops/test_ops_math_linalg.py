"""``kerax.ops.math`` and ``kerax.ops.linalg`` against numpy and ``keras.ops``."""

from __future__ import annotations

import math

import numpy as np
import pytest
from ops_cases import (
    Case,
    assert_close,
    by_ids,
    f32,
    i32,
    pos,
    run_keras,
    run_numpy,
    seed,
    spd,
    unit,
)

import kerax.ops as ops

seed(3)


def _segment(reduce, fill):
    def ref(data, ids, num_segments=None, sorted=False):
        n = ids.max() + 1 if num_segments is None else num_segments
        out = np.full((n,) + data.shape[1:], fill, data.dtype)
        for s in range(n):
            rows = data[ids == s]
            if len(rows):
                out[s] = reduce(rows, axis=0)
        return out

    return ref


def _logsumexp(x, axis=None, keepdims=False):
    m = np.max(x, axis=axis, keepdims=True)
    out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis)


def _frames(x, length, stride):
    n = 1 + (x.shape[-1] - length) // stride
    return np.stack([x[..., i * stride : i * stride + length] for i in range(n)], -2)


def _stft(x, length, stride, fft_length, window="hann", center=True):
    if center:
        pad = [(0, 0)] * (x.ndim - 1) + [(fft_length // 2, fft_length // 2)]
        x = np.pad(x, pad, mode="reflect")
    frames = _frames(x, fft_length, stride)
    if window is not None:
        w = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(length) / length)
        left = (fft_length - length) // 2
        frames = frames * np.pad(w, (left, fft_length - length - left))
    spectrum = np.fft.rfft(frames, n=fft_length)
    return spectrum.real, spectrum.imag


def _same_sign_columns(a, b):
    """Flip columns of ``a`` so that they point the way ``b``'s do."""
    signs = np.sign(np.sum(np.asarray(a) * np.asarray(b), axis=-2, keepdims=True))
    return np.asarray(a) * signs


signal = f32(2, 20)
complex_pair = (f32(2, 8), f32(2, 8))
data, ids = f32(7, 3), np.array([0, 0, 1, 3, 3, 3, 1])
scores = f32(4, 6)
square = spd(3, (2,))
lower = np.tril(f32(3, 3)) + 3 * np.eye(3, dtype="float32")

CASES = [
    Case("erf", (f32(2, 3),), ref=np.vectorize(math.erf)),
    Case("erfc", (f32(2, 3),), ref=np.vectorize(math.erfc)),
    Case("erfinv", (unit(2, 3),)),
    Case("rsqrt", (pos(2, 3),), ref=lambda x: 1 / np.sqrt(x)),
    Case("logsumexp", (f32(2, 3, 4),), ref=_logsumexp),
    Case("logsumexp", (f32(2, 3, 4),), {"axis": 1, "keepdims": True}, ref=_logsumexp),
    Case("logdet", (square,), ref=lambda x: np.linalg.slogdet(x)[1], tol=1e-4),
    Case(
        "cdist",
        (f32(2, 4, 3), f32(2, 5, 3)),
        ref=lambda x, y: np.linalg.norm(x[:, :, None] - y[:, None], axis=-1),
    ),
    # Keras on JAX requires num_segments; kerax infers it from concrete ids.
    Case("segment_sum", (data, ids), ref=_segment(np.sum, 0), keras=False),
    Case("segment_sum", (data, ids, 5), ref=_segment(np.sum, 0), label="n"),
    Case("segment_max", (data, ids, 4), ref=_segment(np.max, -np.inf)),
    Case("segment_min", (data, ids, 4), ref=_segment(np.min, np.inf)),
    Case("segment_prod", (data, ids, 4), ref=_segment(np.prod, 1)),
    Case(
        "segment_sum",
        (data, np.sort(ids)),
        {"sorted": True, "num_segments": 4},
        label="sorted",
    ),
    Case("segment_max", (i32(7, 2), ids, 4), label="int"),
    Case("top_k", (scores, 3)),
    Case("top_k", (i32(6), 2), label="int"),
    Case("in_top_k", (np.array([0, 5, 2, 1]), scores, 2)),
    Case(
        "in_top_k",
        (
            np.array([2, 5, 3]),
            np.array(
                [
                    [0.1, 0.4, 0.6, 0.9, 0.5],
                    [0.1, 0.7, 0.9, 0.8, 0.3],
                    [0.1, 0.6, 0.9, 0.9, 0.5],
                ],
                "float32",
            ),
            3,
        ),
        label="ties",
    ),
    Case(
        "fft",
        (complex_pair,),
        ref=lambda z: (
            np.fft.fft(z[0] + 1j * z[1]).real,
            np.fft.fft(z[0] + 1j * z[1]).imag,
        ),
        tol=1e-4,
    ),
    Case("fft2", ((f32(2, 4, 4), f32(2, 4, 4)),), tol=1e-4),
    Case("ifft2", ((f32(2, 4, 4), f32(2, 4, 4)),), tol=1e-4),
    Case(
        "rfft",
        (signal,),
        ref=lambda x: (np.fft.rfft(x).real, np.fft.rfft(x).imag),
        tol=1e-4,
    ),
    Case("rfft", (signal, 8), label="n", tol=1e-4),
    Case(
        "irfft",
        ((f32(2, 5), f32(2, 5)),),
        ref=lambda z: np.fft.irfft(z[0] + 1j * z[1]),
        tol=1e-4,
    ),
    Case("irfft", ((f32(2, 5), f32(2, 5)), 9), label="n", tol=1e-4),
    Case("extract_sequences", (signal, 6, 4), ref=_frames),
    Case("stft", (signal, 8, 4, 8), ref=_stft, tol=1e-4),
    Case(
        "stft",
        (signal, 6, 3, 8),
        {"window": "hamming", "center": False},
        label="hamming",
        tol=1e-4,
    ),
    Case(
        "stft", (signal, 6, 2, 8), {"window": None}, ref=_stft, label="none", tol=1e-4
    ),
    Case("stft", (f32(12), 4, 2, 4), {"window": pos(4)}, label="array", tol=1e-4),
    Case("istft", (_stft(signal, 8, 4, 8), 8, 4, 8), tol=1e-4),
    Case(
        "istft",
        (_stft(signal, 6, 3, 8), 6, 3, 8),
        {"window": "hamming", "length": 20},
        label="hamming",
        tol=1e-4,
    ),
    Case("view_as_complex", (f32(3, 2),), ref=lambda x: x[:, 0] + 1j * x[:, 1]),
    Case("view_as_real", (f32(3) + 1j * f32(3),)),
    # -- linalg
    Case("cholesky", (square,), ref=np.linalg.cholesky, tol=1e-4),
    Case("cholesky", (square,), {"upper": True}, label="upper", tol=1e-4),
    # Keras 3.15 on JAX fails on batches of matrices: Keras checks one matrix.
    Case(
        "cholesky_inverse",
        (np.linalg.cholesky(square),),
        ref=lambda f: np.linalg.inv(f @ np.swapaxes(f, -1, -2)),
        keras=False,
        tol=1e-4,
    ),
    Case("cholesky_inverse", (np.linalg.cholesky(square[0]),), label="one", tol=1e-4),
    Case(
        "cholesky_inverse",
        (np.linalg.cholesky(square[1]).T,),
        {"upper": True},
        label="upper",
        tol=1e-4,
    ),
    Case("det", (square,), ref=np.linalg.det, tol=1e-4),
    Case("inv", (square,), ref=np.linalg.inv, tol=1e-4),
    Case("solve", (square, f32(2, 3, 2)), ref=np.linalg.solve, tol=1e-4),
    Case(
        "solve_triangular",
        (lower, f32(3, 2)),
        {"lower": True},
        ref=lambda a, b, lower: np.linalg.solve(a, b),
        tol=1e-4,
    ),
    Case("solve_triangular", (lower.T, f32(3, 2)), label="upper", tol=1e-4),
    Case(
        "lstsq",
        (f32(5, 3), f32(5, 2)),
        ref=lambda a, b: np.linalg.lstsq(a, b, rcond=None)[0],
        tol=1e-4,
    ),
    Case("lu_factor", (square[0],), tol=1e-4),
    Case("norm", (f32(3, 4),), ref=np.linalg.norm),
    Case(
        "norm",
        (f32(3, 4),),
        {"axis": 1, "ord": 1, "keepdims": True},
        ref=np.linalg.norm,
        label="l1",
    ),
    Case(
        "norm",
        (f32(3, 4),),
        {"ord": "fro", "axis": (0, 1)},
        ref=np.linalg.norm,
        label="fro",
    ),
    Case(
        "norm", (f32(3, 4),), {"ord": "nuc"}, ref=np.linalg.norm, label="nuc", tol=1e-4
    ),
    Case(
        "norm",
        (f32(3, 4),),
        {"ord": np.inf, "axis": 0},
        ref=np.linalg.norm,
        label="inf",
    ),
    Case("norm", (i32(3, 4),), label="int"),
    Case("pinv", (f32(4, 3),), ref=np.linalg.pinv, tol=1e-4),
    Case("matrix_rank", (f32(4, 2) @ f32(2, 4),), ref=np.linalg.matrix_rank),
    Case("eigh", (square,), compare=lambda a, e: assert_close(a[0], e[0], 1e-4, True)),
    Case(
        "svd",
        (f32(4, 3),),
        {"compute_uv": False},
        ref=lambda x, compute_uv: np.linalg.svd(x, compute_uv=False),
        tol=1e-4,
    ),
]


@pytest.mark.parametrize("case", **by_ids([c for c in CASES if c.keras]))
def test_matches_keras(case: Case) -> None:
    run_keras(case)


@pytest.mark.parametrize("case", **by_ids([c for c in CASES if c.ref is not None]))
def test_matches_numpy(case: Case) -> None:
    run_numpy(case)


@pytest.mark.parametrize("window", ["hann", "hamming", None])
@pytest.mark.parametrize("center", [True, False])
def test_istft_inverts_stft(window, center) -> None:
    # Keras 3.15 on JAX scales the window=None inverse by fft_length / stride;
    # kerax normalizes by the summed squared window, so it reconstructs exactly.
    x = f32(2, 24)
    spectrum = ops.stft(x, 6, 2, 8, window=window, center=center)
    restored = ops.istft(spectrum, 6, 2, 8, length=24, window=window, center=center)
    if center:
        np.testing.assert_allclose(restored, x, atol=1e-4)
    else:  # edge samples get no (or zero) window weight without padding
        np.testing.assert_allclose(restored[:, 4:18], x[:, 4:18], atol=1e-4)


def test_decompositions_reconstruct() -> None:
    a = f32(4, 3)
    u, s, vh = ops.svd(a, full_matrices=False)
    np.testing.assert_allclose(np.asarray(u) * np.asarray(s)[None] @ vh, a, atol=1e-5)
    q, r = ops.qr(a)
    np.testing.assert_allclose(np.asarray(q) @ np.asarray(r), a, atol=1e-5)
    assert ops.qr(a, mode="complete")[0].shape == (4, 4)
    expected_q = np.linalg.qr(a)[0]
    np.testing.assert_allclose(_same_sign_columns(q, expected_q), expected_q, atol=1e-5)
    values, vectors = ops.eig(square[0])
    np.testing.assert_allclose(
        square[0] @ np.asarray(vectors),
        np.asarray(vectors) * np.asarray(values)[None],
        atol=1e-3,
    )
    values, vectors = ops.eigh(square[0])
    np.testing.assert_allclose(values, np.linalg.eigvalsh(square[0]), rtol=1e-5)
    np.testing.assert_allclose(
        square[0] @ np.asarray(vectors),
        np.asarray(vectors) * np.asarray(values)[None],
        atol=1e-3,
    )


def test_lu_factor_reconstructs() -> None:
    a = f32(3, 3) + 2 * np.eye(3, dtype="float32")
    lu, pivots = ops.lu_factor(a)
    lu = np.asarray(lu)
    lower_part = np.tril(lu, -1) + np.eye(3)
    upper_part = np.triu(lu)
    permuted = a.copy()
    for i, p in enumerate(np.asarray(pivots)):
        permuted[[i, p]] = permuted[[p, i]]
    np.testing.assert_allclose(lower_part @ upper_part, permuted, atol=1e-5)


def test_jvp_matches_keras() -> None:
    import keras

    def fn(x):
        return x**3

    primals, tangents = (f32(3),), (f32(3),)
    out, tangent_out = ops.jvp(fn, primals, tangents)
    expected = keras.ops.jvp(fn, primals, tangents)
    np.testing.assert_allclose(out, expected[0], rtol=1e-6)
    np.testing.assert_allclose(
        tangent_out, 3 * primals[0] ** 2 * tangents[0], rtol=1e-5
    )
    _, _, aux = ops.jvp(lambda x: (x * 2, x + 1), primals, tangents, has_aux=True)
    np.testing.assert_allclose(aux, primals[0] + 1)
