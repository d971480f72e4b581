"""load_img, img_to_array, array_to_img, save_img and the NumPy resize, vs Keras."""

from __future__ import annotations

import builtins
import io

import keras
import numpy as np
import pytest
from PIL import Image

from kerax.utils import image_utils
from kerax.utils.image_resize import crop_or_pad_to_aspect, resize_image
from kerax.utils.image_utils import array_to_img, img_to_array, load_img, save_img

RNG = np.random.default_rng(0)
PIXELS = RNG.integers(0, 256, (9, 14, 3), dtype=np.uint8)


@pytest.fixture(scope="module")
def image_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("img") / "photo.png"
    Image.fromarray(PIXELS, "RGB").save(path)
    return path


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"color_mode": "grayscale"},
        {"color_mode": "rgba", "target_size": (5, 7)},
        {"target_size": (6, 4), "interpolation": "bilinear"},
        {"target_size": (4, 4), "interpolation": "lanczos", "keep_aspect_ratio": True},
        {"target_size": (9, 14), "interpolation": "box"},
    ],
)
def test_load_img_matches_keras(image_path, kwargs):
    ours = load_img(image_path, **kwargs)
    theirs = keras.utils.load_img(image_path, **kwargs)
    assert ours.mode == theirs.mode and ours.size == theirs.size
    np.testing.assert_array_equal(np.asarray(ours), np.asarray(theirs))


def test_load_img_from_bytes_and_str(image_path):
    data = io.BytesIO(image_path.read_bytes())
    np.testing.assert_array_equal(np.asarray(load_img(data)), PIXELS)
    np.testing.assert_array_equal(np.asarray(load_img(str(image_path))), PIXELS)
    with pytest.raises(TypeError, match="path must be a path or an io.BytesIO"):
        load_img(3)
    with pytest.raises(ValueError, match='color_mode must be "grayscale"'):
        load_img(image_path, color_mode="cmyk")
    with pytest.raises(ValueError, match="interpolation must be one of"):
        load_img(image_path, target_size=(2, 2), interpolation="cubic")


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("mode", ["RGB", "L", "RGBA"])
def test_array_conversions_match_keras(data_format, mode):
    image = Image.fromarray(PIXELS, "RGB").convert(mode)
    ours = img_to_array(image, data_format=data_format)
    theirs = keras.utils.img_to_array(image, data_format=data_format)
    assert ours.dtype == theirs.dtype == np.float32 and ours.shape == theirs.shape
    np.testing.assert_array_equal(ours, theirs)
    for scale in (True, False):
        back = array_to_img(ours, data_format=data_format, scale=scale)
        expected = keras.utils.array_to_img(
            theirs, data_format=data_format, scale=scale
        )
        assert back.mode == expected.mode
        np.testing.assert_array_equal(np.asarray(back), np.asarray(expected))


def test_array_to_img_wide_range_grayscale_and_errors():
    wide = np.arange(12, dtype="float32").reshape(3, 4, 1) * 100
    assert array_to_img(wide, scale=False).mode == "I"
    with pytest.raises(ValueError, match="rank 3"):
        array_to_img(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="1, 3 or 4 channels"):
        array_to_img(np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match="data_format must be"):
        img_to_array(Image.fromarray(PIXELS), data_format="nhwc")


def test_save_img_round_trip_and_jpeg_rgba(tmp_path):
    save_img(tmp_path / "a.png", PIXELS.astype("float32"), scale=False)
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "a.png")), PIXELS)
    rgba = np.concatenate([PIXELS, np.full((9, 14, 1), 255, np.uint8)], axis=-1)
    with pytest.warns(UserWarning, match="JPEG format does not support RGBA"):
        save_img(str(tmp_path / "b.jpg"), rgba)
    assert Image.open(tmp_path / "b.jpg").mode == "RGB"
    buffer = io.BytesIO()
    save_img(buffer, PIXELS, file_format="png")
    assert Image.open(io.BytesIO(buffer.getvalue())).size == (14, 9)


def test_missing_pillow_says_how_to_install(monkeypatch):
    real_import = builtins.__import__

    def no_pil(name, *args, **kwargs):
        if name == "PIL" or name.startswith("PIL."):
            raise ImportError("No module named 'PIL'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pil)
    with pytest.raises(ImportError, match="pip install pillow"):
        image_utils.load_img("x.png")


@pytest.mark.parametrize(
    "method", ["bilinear", "nearest", "bicubic", "lanczos3", "lanczos5"]
)
@pytest.mark.parametrize("size, aspect", [((4, 6), "crop"), ((13, 5), "pad")])
def test_numpy_resize_matches_keras_ops(method, size, aspect):
    image = PIXELS.astype("float32")
    crop, pad = aspect == "crop", aspect == "pad"
    ours = resize_image(crop_or_pad_to_aspect(image, size, crop, pad), size, method)
    theirs = keras.ops.image.resize(
        image,
        size,
        interpolation=method,
        crop_to_aspect_ratio=crop,
        pad_to_aspect_ratio=pad,
    )
    np.testing.assert_allclose(ours, np.asarray(theirs), atol=2e-3)


def test_resize_rejects_unknown_interpolation():
    with pytest.raises(ValueError, match="interpolation must be one of"):
        resize_image(np.zeros((2, 2, 1)), (3, 3), "area")
