"""The legacy ImageDataGenerator: known geometry, equality with Keras's legacy
generator (which uses SciPy) for the same NumPy seeds, and iterators that
feed ``fit``."""

from __future__ import annotations

import os

import numpy as np
import pytest
from keras.src.legacy.preprocessing import image as keras_image

import kerax
from kerax.preprocessing import image

RNG = np.random.default_rng(0)
SQUARE = np.arange(25, dtype="float32").reshape(5, 5, 1)
IMAGES = (RNG.random((10, 6, 8, 3)) * 255).astype("float32")
LABELS = np.array([0, 1] * 5)

AUGMENT = {
    "rotation_range": 30,
    "width_shift_range": 0.2,
    "height_shift_range": [1, 2],
    "shear_range": 10,
    "zoom_range": 0.2,
    "channel_shift_range": 20.0,
    "horizontal_flip": True,
    "vertical_flip": True,
}


def _pair(**kwargs):
    return image.ImageDataGenerator(**kwargs), keras_image.ImageDataGenerator(**kwargs)


def test_transforms_of_known_geometry():
    generator = image.ImageDataGenerator(fill_mode="constant", cval=-1.0)
    x = SQUARE
    flipped = generator.apply_transform(x, {"flip_horizontal": True})
    np.testing.assert_array_equal(flipped, x[:, ::-1])
    np.testing.assert_array_equal(
        generator.apply_transform(x, {"flip_vertical": True}), x[::-1]
    )
    nearest = image.ImageDataGenerator(fill_mode="constant", interpolation_order=0)
    rotated = nearest.apply_transform(x, {"theta": 90})
    np.testing.assert_array_equal(rotated[..., 0], np.rot90(x[..., 0]))
    # Keras's convention: "tx" (from height_shift_range) moves along columns
    shifted = generator.apply_transform(x, {"tx": 1})[..., 0]
    np.testing.assert_allclose(shifted[:, :4], x[:, 1:, 0], atol=1e-5)
    np.testing.assert_array_equal(shifted[:, 4], -1.0)
    zoomed = generator.apply_transform(x, {"zx": 0.5, "zy": 0.5})[..., 0]
    rows, cols = np.meshgrid(np.arange(5.0), np.arange(5.0), indexing="ij")
    np.testing.assert_allclose(zoomed, 5 * (0.5 * rows + 1) + 0.5 * cols + 1, atol=1e-5)
    shifted_channels = generator.apply_transform(x, {"channel_shift_intensity": 3.0})
    np.testing.assert_array_equal(shifted_channels, np.clip(x + 3, 0, 24))


@pytest.mark.parametrize("fill_mode", ["nearest", "constant", "reflect", "wrap"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_random_transforms_match_keras(fill_mode, data_format):
    ours, theirs = _pair(
        **AUGMENT, fill_mode=fill_mode, cval=7.0, data_format=data_format
    )
    x = IMAGES[0] if data_format == "channels_last" else IMAGES[0].transpose(2, 0, 1)
    for seed in (1, 2, 3):
        params = ours.get_random_transform(x.shape, seed=seed)
        assert params == theirs.get_random_transform(x.shape, seed=seed)
        np.testing.assert_allclose(
            ours.apply_transform(x, params),
            theirs.apply_transform(x, params),
            rtol=1e-5,
            atol=1e-3,
        )


def test_brightness_and_module_functions_match_keras():
    pytest.importorskip("PIL")
    ours, theirs = _pair(brightness_range=(0.5, 1.5))
    params = ours.get_random_transform(IMAGES[0].shape, seed=4)
    np.testing.assert_allclose(
        ours.apply_transform(IMAGES[0], params),
        theirs.apply_transform(IMAGES[0], params),
        atol=1e-3,
    )
    x = IMAGES[0].transpose(2, 0, 1)
    for name, args in [
        ("random_rotation", (40,)),
        ("random_shift", (0.2, 0.3)),
        ("random_shear", (20,)),
        ("random_zoom", ((0.7, 1.2),)),
        ("random_channel_shift", (10.0,)),
    ]:
        np.random.seed(5)
        expected = getattr(keras_image, name)(x, *args)
        np.random.seed(5)
        np.testing.assert_allclose(
            getattr(image, name)(x, *args), expected, atol=1e-3, err_msg=name
        )


@pytest.mark.filterwarnings("ignore:This ImageDataGenerator specifies")
def test_fit_statistics_and_standardize_match_keras():
    kwargs = {"featurewise_center": True, "featurewise_std_normalization": True}
    for options in (kwargs, {"zca_whitening": True}, {"samplewise_center": True}):
        ours, theirs = _pair(**options, rescale=1 / 255.0, **{"rotation_range": 10})
        ours.fit(IMAGES, augment=True, rounds=2, seed=3)
        theirs.fit(IMAGES, augment=True, rounds=2, seed=3)
        for name in ("mean", "std", "zca_whitening_matrix"):
            a, b = getattr(ours, name), getattr(theirs, name)
            assert (a is None) == (b is None), name
            if a is not None:
                np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(
            ours.standardize(IMAGES[:2].copy()),
            theirs.standardize(IMAGES[:2].copy()),
            rtol=1e-4,
            atol=1e-4,
        )


def test_flow_batches_match_keras_and_train():
    ours, theirs = _pair(**AUGMENT, rescale=1 / 255.0, validation_split=0.2)
    weights = np.linspace(0.5, 1.5, 10)
    mine = ours.flow(IMAGES, LABELS, batch_size=3, seed=9, sample_weight=weights)
    keras_flow = theirs.flow(
        IMAGES, LABELS, batch_size=3, seed=9, sample_weight=weights
    )
    assert len(mine) == len(keras_flow) == 4
    for index in range(len(mine)):
        for a, b in zip(mine[index], keras_flow[index]):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
    first, second = next(mine), next(keras_flow)
    np.testing.assert_allclose(first[0], second[0], rtol=1e-5, atol=1e-5)
    training = ours.flow(IMAGES, LABELS, batch_size=4, subset="training", seed=1)
    validation = ours.flow(IMAGES, LABELS, batch_size=4, subset="validation")
    assert training.n == 8 and validation.n == 2
    extra = ours.flow((IMAGES, np.arange(10.0)), batch_size=5, shuffle=False)[1]
    assert isinstance(extra, list) and extra[1].tolist() == [5, 6, 7, 8, 9]
    model = kerax.Sequential(
        [
            kerax.Input((6, 8, 3)),
            kerax.layers.GlobalAveragePooling2D(),
            kerax.layers.Dense(2, activation="softmax"),
        ]
    )
    model.compile("sgd", "sparse_categorical_crossentropy")
    history = model.fit(training, validation_data=validation, epochs=2, verbose=0)
    assert len(history.history["val_loss"]) == 2


def test_flow_errors():
    generator = image.ImageDataGenerator()
    with pytest.raises(ValueError, match="same length"):
        generator.flow(IMAGES, LABELS[:3])
    with pytest.raises(ValueError, match="rank 4"):
        generator.flow(IMAGES[0], None)
    with pytest.raises(ValueError, match="subset"):
        generator.flow(IMAGES, LABELS, subset="test")
    with pytest.raises(ValueError, match="different classes"):
        image.ImageDataGenerator(validation_split=0.5).flow(
            IMAGES, np.sort(LABELS), subset="training"
        )
    with pytest.raises(ValueError, match="zoom_range"):
        image.ImageDataGenerator(zoom_range=(1, 2, 3))
    with pytest.raises(ValueError, match="fill_mode"):
        image.ImageDataGenerator(fill_mode="mirror")
    with pytest.raises(ValueError, match="validation_split"):
        image.ImageDataGenerator(validation_split=1.5)
    with pytest.raises(ValueError, match="interpolation_order"):
        image.ImageDataGenerator(interpolation_order=3)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    Image = pytest.importorskip("PIL.Image")
    root = tmp_path_factory.mktemp("images")
    rng = np.random.default_rng(3)
    for label, count in (("cats", 5), ("dogs", 4)):
        os.makedirs(root / label / "sub")
        for i in range(count):
            pixels = rng.integers(0, 255, (10 + i, 12, 3), dtype="uint8")
            where = root / label / ("sub" if i == 0 else "") / f"{i}.png"
            Image.fromarray(pixels).save(where)
    (root / "cats" / "notes.txt").write_text("not an image")
    return str(root)


def test_flow_from_directory_matches_keras_and_trains(folder):
    ours, theirs = _pair(horizontal_flip=True, rotation_range=20, validation_split=0.25)
    kwargs = {"target_size": (8, 8), "batch_size": 3, "seed": 2, "class_mode": "binary"}
    mine = ours.flow_from_directory(folder, **kwargs)
    keras_it = theirs.flow_from_directory(folder, **kwargs)
    assert mine.filenames == keras_it.filenames
    assert mine.class_indices == keras_it.class_indices == {"cats": 0, "dogs": 1}
    np.testing.assert_array_equal(mine.classes, keras_it.classes)
    for index in range(len(mine)):
        for a, b in zip(mine[index], keras_it[index]):
            np.testing.assert_allclose(a, b, atol=1e-3)
    subset = ours.flow_from_directory(folder, subset="validation", **kwargs)
    keras_subset = theirs.flow_from_directory(folder, subset="validation", **kwargs)
    assert subset.filenames == keras_subset.filenames
    grey = ours.flow_from_directory(
        folder, target_size=(4, 5), color_mode="grayscale", class_mode="categorical"
    )
    x, y = grey[0]
    assert x.shape == (9, 4, 5, 1) and y.shape == (9, 2)
    model = kerax.Sequential(
        [kerax.Input((8, 8, 3)), kerax.layers.Flatten(), kerax.layers.Dense(1)]
    )
    model.compile("sgd", "mse")
    model.fit(mine, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="class_mode"):
        ours.flow_from_directory(folder, class_mode="one_hot")
    with pytest.raises(ValueError, match="color mode"):
        ours.flow_from_directory(folder, color_mode="cmyk")


def test_flow_from_dataframe_matches_keras(folder):
    pandas = pytest.importorskip("pandas")
    files = sorted(
        os.path.relpath(os.path.join(root, name), folder)
        for root, _, names in os.walk(folder)
        for name in names
    )
    frame = pandas.DataFrame(
        {
            "filename": files + ["missing.png"],
            "class": [f.split(os.sep)[0] for f in files] + ["cats"],
            "weight": np.arange(len(files) + 1, dtype="float32"),
        }
    )
    ours, theirs = _pair(vertical_flip=True)
    kwargs = {"directory": folder, "target_size": (6, 6), "batch_size": 4, "seed": 1}
    with pytest.warns(UserWarning, match="invalid image filename"):
        mine = ours.flow_from_dataframe(frame, weight_col="weight", **kwargs)
    with pytest.warns(UserWarning):
        keras_it = theirs.flow_from_dataframe(frame, weight_col="weight", **kwargs)
    assert mine.filenames == keras_it.filenames and mine.samples == 9
    for index in range(len(mine)):
        for a, b in zip(mine[index], keras_it[index]):
            np.testing.assert_allclose(a, b, atol=1e-3)
    raw = ours.flow_from_dataframe(
        frame, y_col="weight", class_mode="raw", validate_filenames=False, **kwargs
    )
    assert raw.samples == len(files) + 1
    with pytest.raises(TypeError, match="must be a list"):
        ours.flow_from_dataframe(frame, class_mode="multi_output", **kwargs)
