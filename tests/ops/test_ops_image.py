"""``kerax.ops.image`` against numpy/scipy formulas and ``keras.ops.image``."""

from __future__ import annotations

import colorsys

import jax
import numpy as np
import pytest
import scipy.ndimage
import scipy.signal
from ops_cases import Case, assert_close, by_ids, call_oracle, f32, seed

import kerax.ops as ops

seed(4)

images = f32(2, 6, 5, 3, low=0.0, high=1.0)
first = np.moveaxis(images, -1, 1)
# Keras on JAX needs one transform row per image.
shift1 = np.array([1, 0, 1.5, 0, 1, -0.5, 0, 0], "float32")
rotate1 = np.array([0.9, -0.3, 1.0, 0.3, 0.9, -0.5, 0, 0], "float32")
shift, rotate = np.stack([shift1, shift1]), np.stack([rotate1, rotate1])


def _hsv(x):
    return np.apply_along_axis(lambda p: colorsys.rgb_to_hsv(*p), -1, x)


def _rgb(x):
    return np.apply_along_axis(lambda p: colorsys.hsv_to_rgb(*p), -1, x)


def _gaussian_blur(x, kernel_size=(3, 3), sigma=(1.0, 1.0)):
    def taps(n, s):
        t = np.arange(n) - (n - 1) / 2
        w = np.exp(-0.5 * (t / s) ** 2)
        return w / w.sum()

    kernel = np.outer(taps(kernel_size[0], sigma[0]), taps(kernel_size[1], sigma[1]))
    out = np.empty_like(x)
    for b in range(x.shape[0]):
        for c in range(x.shape[-1]):
            out[b, :, :, c] = scipy.signal.correlate2d(x[b, :, :, c], kernel, "same")
    return out


def _sobel(x):
    vertical = np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], "float32")
    out = np.empty(x.shape + (2,), "float32")
    for b in range(x.shape[0]):
        for c in range(x.shape[-1]):
            for i, k in enumerate((vertical, vertical.T)):
                out[b, :, :, c, i] = scipy.signal.correlate2d(x[b, :, :, c], k, "same")
    return out


CASES = [
    Case("resize", (images, (4, 7))),
    Case("resize", (images, (3, 3)), {"interpolation": "nearest"}, label="nearest"),
    Case("resize", (images, (9, 8)), {"interpolation": "bicubic"}, label="bicubic"),
    Case("resize", (images, (4, 4)), {"interpolation": "lanczos3"}, label="lanczos3"),
    Case("resize", (images, (4, 4)), {"interpolation": "lanczos5"}, label="lanczos5"),
    Case("resize", (images, (3, 2)), {"antialias": True}, label="antialias"),
    Case("resize", (images, (4, 4)), {"crop_to_aspect_ratio": True}, label="crop"),
    Case(
        "resize",
        (images, (4, 4)),
        {"pad_to_aspect_ratio": True, "fill_value": 0.5},
        label="pad",
    ),
    Case("resize", (first, (4, 3)), {"data_format": "channels_first"}, label="cf"),
    Case("resize", (images[0], (3, 3)), label="unbatched"),
    Case("resize", ((images * 255).astype("uint8"), (3, 4)), label="uint8"),
    Case(
        "crop_images",
        (images,),
        {
            "top_cropping": 1,
            "bottom_cropping": 2,
            "left_cropping": 1,
            "target_width": 3,
        },
        ref=lambda x, **_: x[:, 1:4, 1:4],
    ),
    Case(
        "crop_images",
        (first,),
        {
            "bottom_cropping": 1,
            "target_height": 4,
            "left_cropping": 2,
            "right_cropping": 0,
            "data_format": "channels_first",
        },
        label="cf",
    ),
    Case(
        "pad_images",
        (images,),
        {"top_padding": 1, "target_height": 8, "left_padding": 0, "right_padding": 2},
        ref=lambda x, **_: np.pad(x, ((0, 0), (1, 1), (0, 2), (0, 0))),
    ),
    Case(
        "pad_images",
        (images[0],),
        {"bottom_padding": 2, "target_height": 9, "left_padding": 1, "target_width": 7},
        label="unbatched",
    ),
    Case(
        "rgb_to_grayscale",
        (images,),
        ref=lambda x: (x @ np.array([0.2989, 0.5870, 0.1140]))[..., None],
    ),
    Case("rgb_to_grayscale", (first,), {"data_format": "channels_first"}, label="cf"),
    Case("rgb_to_grayscale", ((images * 255).astype("int32"),), label="int"),
    Case("rgb_to_hsv", (images,), ref=_hsv),
    Case("hsv_to_rgb", (images,), ref=_rgb),
    Case("rgb_to_hsv", (first,), {"data_format": "channels_first"}, label="cf"),
    Case("extract_patches", (images, 2)),
    Case(
        "extract_patches", (images, (3, 2), (1, 2)), {"padding": "same"}, label="same"
    ),
    Case("extract_patches", (images, 2, 1), {"dilation_rate": 2}, label="dilation"),
    Case("extract_patches", (first, 2), {"data_format": "channels_first"}, label="cf"),
    Case("extract_patches", (f32(1, 4, 5, 4, 2), (2, 2, 2)), label="3d-size"),
    Case("extract_patches_3d", (f32(4, 5, 4, 2), 2, 1)),
    Case(
        "extract_patches_3d",
        (f32(1, 4, 5, 4, 2), (2, 3, 2)),
        {"padding": "same"},
        label="same",
    ),
    Case("affine_transform", (images, shift)),
    Case("affine_transform", (images, np.stack([shift1, rotate1])), label="batch"),
    Case(
        "affine_transform",
        (images, rotate),
        {"interpolation": "nearest"},
        label="nearest",
    ),
    Case(
        "affine_transform",
        (images, rotate),
        {"fill_mode": "nearest"},
        label="fill-nearest",
    ),
    Case("affine_transform", (images, rotate), {"fill_mode": "wrap"}, label="wrap"),
    Case(
        "affine_transform", (images, rotate), {"fill_mode": "reflect"}, label="reflect"
    ),
    Case("affine_transform", (images, rotate), {"fill_mode": "mirror"}, label="mirror"),
    Case("affine_transform", (images, shift), {"fill_value": 0.7}, label="fill-value"),
    Case(
        "affine_transform",
        (first, rotate),
        {"data_format": "channels_first"},
        label="cf",
    ),
    Case(
        "map_coordinates",
        (images[0, :, :, 0], f32(2, 4, 3, low=-1.0, high=6.0), 1),
    ),
    Case(
        "map_coordinates",
        (images[0, :, :, 0], f32(2, 4, 3, low=0.0, high=4.0), 1),
        ref=lambda x, c, o: scipy.ndimage.map_coordinates(x, c, order=o),
        label="inside",
    ),
    Case(
        "map_coordinates",
        (images[0, :, :, 0], f32(2, 5, low=-1.0, high=6.0), 0),
        {"fill_mode": "nearest"},
        label="nearest",
    ),
    Case(
        "map_coordinates",
        (images[0], f32(3, 7, low=-1.0, high=6.0), 1),
        {"fill_mode": "reflect"},
        label="reflect",
    ),
    Case(
        "map_coordinates",
        (images[0, :, :, 0], f32(2, 6, low=-3.0, high=8.0), 1),
        {"fill_mode": "wrap"},
        label="wrap",
    ),
    Case(
        "map_coordinates",
        (images[0, :, :, 0], f32(2, 6, low=-3.0, high=8.0), 1),
        {"fill_mode": "mirror", "fill_value": 2.0},
        label="mirror",
    ),
    Case(
        "perspective_transform",
        (
            images[0],
            np.array([[0, 0], [0, 6], [5, 0], [5, 6]]),
            np.array([[0.5, 0], [0, 5], [5, 1], [4, 6]]),
        ),
    ),
    Case(
        "perspective_transform",
        (
            images,
            np.array(
                [[[0, 0], [0, 6], [5, 0], [5, 6]], [[1, 0], [0, 6], [5, 0], [5, 5]]]
            ),
            np.array(
                [[[0, 1], [0, 6], [5, 0], [5, 6]], [[0, 0], [0, 6], [5, 0], [5, 6]]]
            ),
        ),
        {"interpolation": "nearest", "fill_value": 0.5},
        label="batch",
    ),
    Case(
        "scale_and_translate",
        (
            images,
            (2, 8, 4, 3),
            np.array([1.3, 0.8], "float32"),
            np.array([0.5, -1.0], "float32"),
            (1, 2),
            "linear",
        ),
    ),
    Case(
        "scale_and_translate",
        (
            images,
            (2, 3, 3, 3),
            np.array([0.5, 0.6], "float32"),
            np.zeros(2, "float32"),
            (1, 2),
            "cubic",
        ),
        {"antialias": False},
        label="cubic",
    ),
    Case("sobel_edges", (images,), ref=_sobel),
    Case("sobel_edges", (first,), {"data_format": "channels_first"}, label="cf"),
    Case("ssim", (f32(2, 16, 16, 3, low=0, high=1), f32(2, 16, 16, 3, low=0, high=1))),
    Case(
        "ssim",
        (f32(16, 16, 2, low=0, high=2), f32(16, 16, 2, low=0, high=2)),
        {"max_val": 2.0, "filter_size": 7, "filter_sigma": 1.0},
        label="args",
    ),
    # Keras 3.15 on JAX applies only the middle row of its Gaussian kernel.
    Case("gaussian_blur", (images,), ref=_gaussian_blur, keras=False),
    Case(
        "gaussian_blur",
        (images,),
        {"kernel_size": (5, 3), "sigma": (2.0, 0.5)},
        ref=_gaussian_blur,
        keras=False,
        label="args",
    ),
]


def _call(module, case):
    return getattr(module.image, case.name)(*case.args, **case.kwargs)


@pytest.mark.parametrize("case", **by_ids([c for c in CASES if c.keras]))
def test_matches_keras(case: Case) -> None:
    import keras

    actual = _call(ops, case)
    with jax.numpy_rank_promotion("allow"):
        expected = call_oracle(getattr(keras.ops.image, case.name), case)
    assert_close(actual, expected, 2e-5, check_dtype=True)


@pytest.mark.parametrize("case", **by_ids([c for c in CASES if c.ref is not None]))
def test_matches_numpy(case: Case) -> None:
    expected = case.ref(*case.args, **case.kwargs)
    assert_close(_call(ops, case), expected, 1e-5, check_dtype=False)


def test_hsv_round_trip() -> None:
    np.testing.assert_allclose(
        ops.image.hsv_to_rgb(ops.image.rgb_to_hsv(images)), images, atol=1e-6
    )


def test_one_transform_applies_to_every_image() -> None:
    np.testing.assert_allclose(
        ops.image.affine_transform(images, rotate1),
        ops.image.affine_transform(images, rotate),
    )


def test_identity_transforms_keep_the_image() -> None:
    identity = np.array([1, 0, 0, 0, 1, 0, 0, 0], "float32")
    np.testing.assert_allclose(ops.image.affine_transform(images, identity), images)
    corners = [[0, 0], [0, 5], [4, 0], [4, 5]]
    np.testing.assert_allclose(
        ops.image.perspective_transform(images, corners, corners), images, atol=1e-5
    )


def test_elastic_transform() -> None:
    out = ops.image.elastic_transform(images, seed=1)
    assert out.shape == images.shape and out.dtype == images.dtype
    np.testing.assert_allclose(out, ops.image.elastic_transform(images, seed=1))
    assert not np.allclose(out, images)
    unchanged = ops.image.elastic_transform(images, alpha=0.0, seed=1)
    np.testing.assert_allclose(unchanged, images, atol=1e-6)
    first_out = ops.image.elastic_transform(first, seed=1, data_format="channels_first")
    np.testing.assert_allclose(
        first_out, np.moveaxis(np.asarray(out), -1, 1), atol=1e-6
    )


def test_ssim_of_identical_images_is_one() -> None:
    np.testing.assert_allclose(ops.image.ssim(images, images, filter_size=3), [1, 1])
