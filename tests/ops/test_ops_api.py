"""The public surface of ``kerax.ops``: names, signatures, namespaces, errors."""

from __future__ import annotations

import importlib
import inspect

import jax
import numpy as np
import pytest
from ops_cases import f32, seed

import kerax
import kerax.ops as ops

seed(7)

NAMESPACES = ["numpy", "nn", "image", "linalg", "math", "core"]
# Plain Python helpers: they return metadata or call user functions that a
# tape records themselves, so they are not recorded as one op.
NOT_RECORDED = {
    "convert_to_tensor",
    "convert_to_numpy",
    "is_tensor",
    "shape",
    "dtype",
    "ndim",
    "size",
    "cond",
    "switch",
    "custom_gradient",
    "vectorize",
}


def _keras_functions(module) -> dict:
    functions = {}
    for name in dir(module):
        fn = getattr(module, name)
        if name.startswith("_") or inspect.ismodule(fn) or isinstance(fn, type):
            continue
        if module.__name__.startswith("keras.src.ops.") and (
            getattr(fn, "__module__", "") != module.__name__
        ):
            continue  # names a Keras source module imports from elsewhere
        if callable(fn):
            functions[name] = fn
    return functions


def _keras_namespace(name: str):
    import keras

    if hasattr(keras.ops, name):
        return getattr(keras.ops, name)
    return importlib.import_module(f"keras.src.ops.{name}")


def _parameters(fn) -> list:
    return [
        (p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()
    ]


@pytest.mark.parametrize("namespace", [None, *NAMESPACES])
def test_names_and_signatures_match_keras(namespace) -> None:
    import keras

    keras_module = keras.ops if namespace is None else _keras_namespace(namespace)
    kerax_module = ops if namespace is None else getattr(ops, namespace)
    expected = _keras_functions(keras_module)
    missing = sorted(set(expected) - set(kerax_module.__all__))
    assert not missing, (
        f"kerax.ops{'.' + namespace if namespace else ''} lacks {missing}"
    )
    for name, fn in expected.items():
        assert _parameters(getattr(kerax_module, name)) == _parameters(fn), name


def test_flat_namespace() -> None:
    import keras

    flat = set(_keras_functions(keras.ops))
    assert flat <= set(ops.__all__)
    for namespace in ("numpy", "nn", "linalg", "math", "core"):
        for name in getattr(ops, namespace).__all__:
            assert getattr(ops, name) is getattr(getattr(ops, namespace), name), name


def test_namespaces_are_submodules() -> None:
    for namespace in NAMESPACES:
        module = importlib.import_module(f"kerax.ops.{namespace}")
        assert module is getattr(ops, namespace)
        for name in module.__all__:
            assert callable(getattr(module, name)), (namespace, name)


def test_every_op_is_recorded() -> None:
    for name in ops.__all__:
        fn = getattr(ops, name)
        if inspect.ismodule(fn) or name in NOT_RECORDED:
            continue
        assert hasattr(fn, "__kerax_op__"), f"{name} is not decorated with @op"


def test_symbolic_tensors_build_a_model() -> None:
    inputs = kerax.Input((3, 4))
    hidden = ops.sum(ops.square(inputs[:, 1:]), axis=-1)
    assert ops.shape(hidden) == (None, 2) and ops.dtype(hidden) == "float32"
    values, indices = ops.top_k(inputs, 2)
    assert values.shape == (None, 3, 2) and indices.dtype == "int32"
    outputs = ops.nn.softmax(hidden) + ops.mean(values, axis=(1, 2))[:, None]
    model = kerax.Model(inputs, outputs)
    x = f32(2, 3, 4)
    top = np.sort(x, axis=-1)[..., -2:].mean(axis=(1, 2))[:, None]
    squares = (x[:, 1:] ** 2).sum(-1)
    softmax = np.exp(squares) / np.exp(squares).sum(-1, keepdims=True)
    np.testing.assert_allclose(model(x), softmax + top, rtol=1e-5)


ERRORS = [
    (lambda: ops.pad(f32(2), 1, mode="bogus"), ValueError, "mode"),
    (
        lambda: ops.pad(f32(2), 1, mode="edge", constant_values=1.0),
        ValueError,
        "constant",
    ),
    (lambda: ops.split(f32(5), 2), ValueError, "equal sections"),
    (lambda: ops.squeeze(f32(2, 3), axis=0), ValueError, "squeeze"),
    (lambda: ops.take(f32(3), np.array([0.5])), ValueError, "integer"),
    (lambda: ops.searchsorted(f32(2, 2), f32(2)), ValueError, "1-D"),
    (lambda: ops.searchsorted(f32(2), f32(2), side="middle"), ValueError, "side"),
    (lambda: ops.sign(np.array([True])), TypeError, "bool"),
    (lambda: ops.ldexp(f32(2), f32(2)), TypeError, "integer"),
    (lambda: ops.histogram(f32(2, 2)), ValueError, "1-D"),
    (lambda: ops.meshgrid(f32(2), indexing="ji"), ValueError, "indexing"),
    (lambda: ops.correlate(f32(3), f32(2), mode="other"), ValueError, "mode"),
    (lambda: ops.select([f32(2) > 0], [f32(2), f32(2)]), ValueError, "same length"),
    (lambda: ops.conv(f32(1, 4, 4, 3), f32(2, 2, 2, 1)), ValueError, "multiple"),
    (
        lambda: ops.conv(f32(1, 4, 4, 2), f32(2, 2, 2, 1), padding="full"),
        ValueError,
        "padding",
    ),
    (
        lambda: ops.conv(f32(1, 4, 4, 2), f32(2, 2, 2, 1), strides=(1, 1, 1)),
        ValueError,
        "strides",
    ),
    (lambda: ops.max_pool(f32(4, 4), 2), ValueError, "rank"),
    (
        lambda: ops.depthwise_conv(f32(1, 4, 4, 2), f32(2, 2, 3, 1)),
        ValueError,
        "channels",
    ),
    (
        lambda: ops.average_pool(f32(1, 4, 4, 2), 2, data_format="nhwc"),
        ValueError,
        "data_format",
    ),
    (lambda: ops.binary_crossentropy(f32(2), f32(3)), ValueError, "same shape"),
    (
        lambda: ops.sparse_categorical_crossentropy(np.array([1, 2, 0]), f32(2, 3)),
        ValueError,
        "shape",
    ),
    (
        lambda: ops.ctc_decode(f32(1, 3, 2), np.array([3]), strategy="best"),
        ValueError,
        "strategy",
    ),
    (
        lambda: ops.ctc_decode(
            f32(1, 3, 2),
            np.array([3]),
            strategy="beam_search",
            beam_width=2,
            top_paths=3,
        ),
        ValueError,
        "top_paths",
    ),
    (
        lambda: ops.dot_product_attention(
            f32(1, 2, 3, 4), f32(1, 2, 2, 4), f32(1, 2, 2, 4)
        ),
        ValueError,
        "multiple",
    ),
    (
        lambda: ops.dot_product_attention(f32(2, 3, 4), f32(2, 3, 4), f32(2, 3, 4)),
        ValueError,
        "4-D",
    ),
    (
        lambda: ops.dot_product_attention(
            f32(1, 2, 1, 4), f32(1, 2, 1, 4), f32(1, 2, 1, 4), flash_attention=True
        ),
        ValueError,
        "flash",
    ),
    (lambda: ops.glu(f32(2, 3)), ValueError, "even"),
    (lambda: ops.one_hot(np.array([1]), 3, sparse=True), ValueError, "sparse"),
    (lambda: ops.multi_hot(np.array([1]), 3, bogus=1), TypeError, "bogus"),
    (lambda: ops.layer_normalization(f32(2, 3), bogus=1), TypeError, "bogus"),
    (lambda: ops.depth_to_space(f32(1, 2, 2, 3), 2), ValueError, "divisible"),
    (lambda: ops.fft(f32(4)), ValueError, "tuple"),
    (lambda: ops.fft((f32(4), f32(3))), ValueError, "same shape"),
    (lambda: ops.stft(f32(16), 8, 4, 4), ValueError, "fft_length"),
    (lambda: ops.stft(f32(16), 4, 2, 4, window="kaiser"), ValueError, "window"),
    (lambda: ops.extract_sequences(f32(3), 4, 1), ValueError, "shorter"),
    (lambda: ops.view_as_complex(f32(2, 3)), ValueError, "size 2"),
    (lambda: ops.inv(f32(2, 3)), ValueError, "square"),
    (lambda: ops.qr(f32(2, 2), mode="r"), ValueError, "mode"),
    (lambda: ops.lstsq(f32(2, 2, 2), f32(2, 2)), ValueError, "2-D"),
    (
        lambda: ops.image.resize(f32(4, 4, 1), (2, 2), interpolation="area"),
        ValueError,
        "interpolation",
    ),
    (lambda: ops.image.resize(f32(4, 4), (2, 2)), ValueError, "3-D"),
    (
        lambda: ops.image.crop_images(f32(4, 4, 1), top_cropping=1),
        ValueError,
        "exactly two",
    ),
    (
        lambda: ops.image.pad_images(
            f32(4, 4, 1), 1, 1, target_height=3, target_width=6
        ),
        ValueError,
        "negative",
    ),
    (lambda: ops.image.affine_transform(f32(4, 4, 1), f32(6)), ValueError, "transform"),
    (
        lambda: ops.image.affine_transform(f32(4, 4, 1), f32(8), fill_mode="edge"),
        ValueError,
        "fill_mode",
    ),
    (
        lambda: ops.image.map_coordinates(f32(4, 4), [f32(3)], 1),
        ValueError,
        "coordinate",
    ),
    (
        lambda: ops.image.map_coordinates(f32(4, 4), [f32(3), f32(3)], 3),
        ValueError,
        "order",
    ),
    (lambda: ops.image.rgb_to_hsv(np.ones((2, 2, 3), "int32")), ValueError, "float"),
    (
        lambda: ops.image.ssim(f32(12, 12, 1), f32(12, 12, 1), filter_size=4),
        ValueError,
        "odd",
    ),
    (
        lambda: ops.image.perspective_transform(f32(4, 4, 1), f32(3, 2), f32(3, 2)),
        ValueError,
        "(4, 2)",
    ),
    (lambda: jax.jit(ops.bincount)(np.array([0, 2])), ValueError, "minlength"),
    (
        lambda: jax.jit(lambda ids: ops.segment_sum(f32(2), ids))(np.array([0, 1])),
        ValueError,
        "num_segments",
    ),
    (lambda: ops.rearrange(f32(2, 3), "a b"), ValueError, "->"),
    (lambda: ops.rearrange(f32(2, 3), "a b -> a c"), ValueError, "same axes"),
    (lambda: ops.rearrange(f32(6), "(a b) -> a b"), ValueError, "infer"),
]


@pytest.mark.parametrize("call, error, message", ERRORS, ids=range(len(ERRORS)))
def test_bad_input_errors(call, error, message) -> None:
    with pytest.raises(error, match=message):
        call()


def test_ops_compile_under_jit() -> None:
    x = f32(2, 3)

    @jax.jit
    def step(x):
        hidden = ops.nn.gelu(ops.matmul(x, ops.transpose(x)))
        counts = ops.bincount(ops.argmax(x, axis=1), minlength=3)
        return ops.sum(hidden) + ops.cast(ops.sum(counts), "float32"), ops.hanning(3)

    total, window = step(x)
    expected = np.sum(np.asarray(ops.nn.gelu(x @ x.T))) + 2.0
    np.testing.assert_allclose(total, expected, rtol=1e-5)
    np.testing.assert_allclose(window, np.hanning(3), atol=1e-7)


def test_rearrange() -> None:
    import keras

    x = f32(2, 3, 4, 6)
    for pattern, lengths in [
        ("b h w c -> b (h w) c", {}),
        ("b h w c -> c b h w", {}),
        ("b h w (c1 c2) -> b c1 h w c2", {"c1": 2}),
        ("b (h1 h2) w c -> b h1 h2 (w c)", {"h1": 1}),
    ]:
        expected = keras.ops.rearrange(x, pattern, **lengths)
        np.testing.assert_array_equal(ops.rearrange(x, pattern, **lengths), expected)
    # Beyond Keras (as in einops): ellipsis and unit axes.
    np.testing.assert_array_equal(
        ops.rearrange(x, "b ... c -> c b ..."), np.moveaxis(x, -1, 0)
    )
    np.testing.assert_array_equal(
        ops.rearrange(x, "b h w c -> (b h) 1 w c"), x.reshape(6, 1, 4, 6)
    )
