"""image/text_dataset_from_directory on small generated folders.

The oracle is Keras's own pure-Python path (``format="grain"``, Pillow and
``keras.ops``), read without shuffling so that both orders are comparable;
with shuffling, the file order (Keras's seeded listing) is compared.
"""

from __future__ import annotations

import os

import keras
import numpy as np
import pytest
from keras.src.utils import dataset_utils as keras_dataset_utils
from PIL import Image

from kerax.utils import directory_utils
from kerax.utils.image_dataset import image_dataset_from_directory
from kerax.utils.text_dataset import text_dataset_from_directory

pytest.importorskip("grain")

SIZES = [(6, 9), (10, 4), (7, 7), (12, 10), (5, 8)]


@pytest.fixture(scope="module")
def image_folder(tmp_path_factory):
    """3 classes; RGB, grayscale and RGBA files of several sizes and formats."""
    root = tmp_path_factory.mktemp("images")
    rng = np.random.default_rng(0)
    for c, name in enumerate(["cats", "dogs", "eels"]):
        (root / name / "nested").mkdir(parents=True)
        for i, (h, w) in enumerate(SIZES[: 3 + c % 2]):
            mode, channels = [("RGB", 3), ("L", 1), ("RGBA", 4)][i % 3]
            pixels = rng.integers(0, 256, (h, w, channels), dtype=np.uint8)
            image = Image.fromarray(pixels[..., 0] if channels == 1 else pixels, mode)
            folder = root / name / ("nested" if i == 2 else "")
            image.save(folder / f"img{i}.{['png', 'bmp', 'png'][i % 3]}")
        (root / name / "notes.txt").write_text("not an image")
    (root / ".hidden").mkdir()
    return str(root)


@pytest.fixture(scope="module")
def text_folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("texts")
    for c, name in enumerate(["neg", "pos"]):
        (root / name).mkdir()
        for i in range(3 + c):
            (root / name / f"t{i}.txt").write_text(
                f"{name} review {i} ünïcode " * (i + 1)
            )
        (root / name / "skip.md").write_text("ignored")
    return str(root)


def _keras_batches(dataset):
    return [tuple(np.asarray(part) for part in batch) for batch in dataset]


def _ours(dataset):
    return [dataset[i] for i in range(len(dataset))]


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(label_mode="int", image_size=(8, 6)),
        dict(label_mode="categorical", color_mode="grayscale", image_size=(5, 5)),
        dict(
            label_mode="int",
            color_mode="rgba",
            image_size=(9, 4),
            crop_to_aspect_ratio=True,
        ),
        dict(
            label_mode="int",
            image_size=(6, 6),
            pad_to_aspect_ratio=True,
            interpolation="nearest",
        ),
        dict(
            label_mode="int",
            image_size=(7, 5),
            interpolation="bicubic",
            data_format="channels_first",
        ),
    ],
)
def test_images_match_keras(image_folder, kwargs):
    common = dict(batch_size=4, shuffle=False, verbose=False, **kwargs)
    ours = image_dataset_from_directory(image_folder, **common)
    theirs = keras.utils.image_dataset_from_directory(
        image_folder, format="grain", **common
    )
    assert ours.class_names == theirs.class_names == ["cats", "dogs", "eels"]
    assert ours.file_paths == theirs.file_paths
    got, want = _ours(ours), _keras_batches(theirs)
    assert len(got) == len(want) == 3
    for (x, y), (kx, ky) in zip(got, want):
        assert x.dtype == np.float32 and x.shape == kx.shape
        np.testing.assert_allclose(x, kx, atol=2e-3)
        assert y.dtype == ky.dtype
        np.testing.assert_array_equal(y, ky)


def test_binary_labels_given_labels_and_no_labels(image_folder, tmp_path):
    two = tmp_path / "two"
    for name in ("a", "b"):
        (two / name).mkdir(parents=True)
        Image.new("RGB", (3, 3), (10, 20, 30)).save(two / name / "x.png")
    x, y = image_dataset_from_directory(
        str(two), label_mode="binary", image_size=3, verbose=False
    )[0]
    assert y.dtype == np.float32 and y.shape == (2, 1) and sorted(y[:, 0]) == [0.0, 1.0]
    with pytest.raises(ValueError, match='label_mode="binary" needs exactly 2 classes'):
        image_dataset_from_directory(image_folder, label_mode="binary", verbose=False)

    paths = image_dataset_from_directory(
        image_folder, labels=None, shuffle=False, verbose=False
    ).file_paths
    given = list(range(len(paths)))
    dataset = image_dataset_from_directory(
        image_folder,
        labels=given,
        shuffle=False,
        image_size=(4, 4),
        batch_size=None,
        verbose=False,
    )
    assert dataset.class_names == [str(i) for i in given]
    assert [int(dataset[i][1]) for i in range(len(dataset))] == given
    unlabeled = image_dataset_from_directory(
        image_folder, labels=None, image_size=(4, 4), verbose=False
    )
    assert unlabeled.class_names is None and unlabeled[0].shape == (10, 4, 4, 3)


def test_listing_matches_keras_index_directory(image_folder):
    for shuffle, seed, class_names in [
        (False, None, None),
        (True, 7, None),
        (True, 3, ["eels", "cats"]),
    ]:
        ours = directory_utils.index_directory(
            image_folder,
            "inferred",
            (".png", ".bmp"),
            class_names,
            shuffle,
            seed,
            verbose=False,
        )
        theirs = keras_dataset_utils.index_directory(
            image_folder,
            "inferred",
            (".png", ".bmp"),
            class_names,
            shuffle,
            seed,
            verbose=False,
        )
        assert ours[0] == theirs[0] and ours[2] == theirs[2]
        np.testing.assert_array_equal(ours[1], theirs[1])


def test_validation_split_subsets_match_keras(image_folder):
    common = dict(validation_split=0.3, seed=11, image_size=(4, 4), verbose=False)
    train, val = image_dataset_from_directory(image_folder, subset="both", **common)
    only_val = image_dataset_from_directory(image_folder, subset="validation", **common)
    k_train, k_val = keras.utils.image_dataset_from_directory(
        image_folder, subset="both", format="grain", **common
    )
    assert train.file_paths == k_train.file_paths and val.file_paths == k_val.file_paths
    assert only_val.file_paths == val.file_paths
    assert not set(train.file_paths) & set(val.file_paths)
    assert len(train.file_paths) + len(val.file_paths) == 10


def test_shuffled_training_set_reshuffles_each_epoch_with_its_seed(image_folder):
    def epochs(seed):
        dataset = image_dataset_from_directory(
            image_folder, image_size=(4, 4), batch_size=10, seed=seed, verbose=False
        )
        first = dataset[0][0].copy()
        dataset.on_epoch_end()
        return first, dataset[0][0]

    first, second = epochs(5)
    again, _ = epochs(5)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, second)
    np.testing.assert_allclose(np.sort(first.ravel()), np.sort(second.ravel()))


def test_native_sizes_need_image_size(image_folder, tmp_path):
    with pytest.raises(ValueError, match="pass image_size to resize them"):
        image_dataset_from_directory(
            image_folder, image_size=None, shuffle=False, verbose=False
        )[0]
    same = tmp_path / "same" / "only"
    same.mkdir(parents=True)
    for i in range(2):
        Image.new("RGB", (5, 3), (i, 0, 0)).save(same / f"{i}.png")
    x, _ = image_dataset_from_directory(
        str(same.parent), image_size=None, verbose=False
    )[0]
    assert x.shape == (2, 3, 5, 3)


def test_images_train_a_model(image_folder):
    import kerax

    dataset = image_dataset_from_directory(
        image_folder, image_size=(4, 4), batch_size=4, seed=1, verbose=False
    )
    model = kerax.Sequential(
        [kerax.Input((4, 4, 3)), kerax.layers.Flatten(), kerax.layers.Dense(3)]
    )
    model.compile("sgd", kerax.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit(dataset, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2


def test_argument_errors(image_folder, tmp_path):
    def call(**kwargs):
        return image_dataset_from_directory(image_folder, verbose=False, **kwargs)

    with pytest.raises(ValueError, match="pass a `seed`"):
        call(validation_split=0.2, subset="training")
    with pytest.raises(ValueError, match="go together"):
        call(validation_split=0.2, seed=1)
    with pytest.raises(ValueError, match="`subset` must be"):
        call(validation_split=0.2, subset="test", seed=1)
    with pytest.raises(ValueError, match="between 0 and 1"):
        call(validation_split=1.5, subset="training", seed=1)
    with pytest.raises(ValueError, match="`label_mode` must be one of"):
        call(label_mode="sparse")
    with pytest.raises(ValueError, match="color_mode must be one of"):
        call(color_mode="cmyk")
    with pytest.raises(ValueError, match="interpolation must be one of"):
        call(interpolation="area")
    with pytest.raises(ValueError, match="Only one of crop_to_aspect_ratio"):
        call(crop_to_aspect_ratio=True, pad_to_aspect_ratio=True)
    with pytest.raises(ValueError, match="class_names` must name sub-folders"):
        call(class_names=["cats", "owls"])
    with pytest.raises(ValueError, match="has 2 entries but 10 files"):
        call(labels=[0, 1])
    with pytest.raises(ValueError, match="does not exist"):
        image_dataset_from_directory(str(tmp_path / "missing"))
    (tmp_path / "empty" / "a").mkdir(parents=True)
    with pytest.raises(ValueError, match="No images found"):
        image_dataset_from_directory(str(tmp_path / "empty"), verbose=False)


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(label_mode="int"),
        dict(label_mode="categorical", max_length=9),
        dict(label_mode="binary"),
    ],
)
def test_texts_match_keras(text_folder, kwargs):
    common = dict(batch_size=3, shuffle=False, verbose=False, **kwargs)
    ours = text_dataset_from_directory(text_folder, **common)
    theirs = keras.utils.text_dataset_from_directory(
        text_folder, format="grain", **common
    )
    assert ours.class_names == theirs.class_names == ["neg", "pos"]
    for (x, y), (kx, ky) in zip(_ours(ours), list(theirs)):
        assert x.dtype == object and list(x) == list(kx)
        np.testing.assert_array_equal(y, np.asarray(ky))
        assert y.dtype == np.asarray(ky).dtype


def test_text_subsets_map_and_errors(text_folder, tmp_path):
    train, val = text_dataset_from_directory(
        text_folder, validation_split=0.4, subset="both", seed=2, verbose=False
    )
    assert len(train.file_paths) == 5 and len(val.file_paths) == 2
    lengths = train.map(lambda x, y: (np.array([len(t) for t in x]), y))
    x, y = lengths[0]
    assert x.dtype.kind == "i" and x.shape == y.shape == (5,)
    unlabeled = text_dataset_from_directory(
        text_folder, labels=None, batch_size=None, verbose=False
    )
    assert isinstance(unlabeled[0], str)
    with pytest.raises(ValueError, match="max_length must be"):
        text_dataset_from_directory(text_folder, max_length=-1)
    (tmp_path / "a").mkdir()
    with pytest.raises(ValueError, match="No text files found"):
        text_dataset_from_directory(str(tmp_path), verbose=False)


def test_verbose_messages(image_folder, capsys):
    image_dataset_from_directory(
        image_folder, validation_split=0.3, subset="training", seed=1
    )
    out = capsys.readouterr().out
    assert "Found 10 files belonging to 3 classes." in out
    assert "Using 7 files for training." in out
    assert os.path.isdir(image_folder)
