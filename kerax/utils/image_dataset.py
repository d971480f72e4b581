"""``image_dataset_from_directory``: a folder of images as batches, no TensorFlow."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from kerax.utils import directory_utils
from kerax.utils.dataset_utils import SampleDataset
from kerax.utils.image_resize import INTERPOLATIONS, crop_or_pad_to_aspect, resize_image
from kerax.utils.image_utils import (
    COLOR_MODES,
    pil_image,
    standardize_data_format,
    to_color_mode,
)

IMAGE_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")


class _ImageLoader:
    """Reads, converts and resizes one image file (picklable for workers)."""

    def __init__(
        self,
        paths,
        labels,
        color_mode,
        image_size,
        interpolation,
        crop,
        pad,
        data_format,
    ):
        self.paths, self.labels = paths, labels
        self.color_mode, self.image_size = color_mode, image_size
        self.interpolation, self.crop, self.pad = interpolation, crop, pad
        self.data_format = data_format

    def __call__(self, index: int) -> Any:
        path = self.paths[index]
        with pil_image().open(path) as image:
            image = to_color_mode(image, self.color_mode)
            array = np.asarray(image, dtype="float32")
        if array.ndim == 2:
            array = array[:, :, None]
        if self.image_size is not None:
            array = crop_or_pad_to_aspect(array, self.image_size, self.crop, self.pad)
            array = resize_image(array, self.image_size, self.interpolation)
        if self.data_format == "channels_first":
            array = array.transpose(2, 0, 1)
        if self.labels is None:
            return array
        return array, self.labels[index]


def _check(color_mode, image_size, interpolation, crop, pad, fmt) -> None:
    if color_mode not in COLOR_MODES:
        raise ValueError(
            f"color_mode must be one of {tuple(COLOR_MODES)}, received {color_mode!r}."
        )
    if image_size is not None and (
        len(image_size) != 2 or not all(int(s) > 0 for s in image_size)
    ):
        raise ValueError(
            f"image_size must be (height, width) or None, received {image_size!r}."
        )
    if interpolation not in INTERPOLATIONS:
        raise ValueError(
            f"interpolation must be one of {INTERPOLATIONS}, received {interpolation!r}."
        )
    if crop and pad:
        raise ValueError(
            "Only one of crop_to_aspect_ratio and pad_to_aspect_ratio can be True."
        )
    if fmt not in ("tf", "grain"):
        raise ValueError(f'format must be "tf" or "grain", received {fmt!r}.')


def image_dataset_from_directory(
    directory: str,
    labels: Any = "inferred",
    label_mode: str | None = "int",
    class_names: list[str] | None = None,
    color_mode: str = "rgb",
    batch_size: int | None = 32,
    image_size: tuple[int, int] | None = (256, 256),
    shuffle: bool = True,
    seed: int | None = None,
    validation_split: float | None = None,
    subset: str | None = None,
    interpolation: str = "bilinear",
    follow_links: bool = False,
    crop_to_aspect_ratio: bool = False,
    pad_to_aspect_ratio: bool = False,
    data_format: str | None = None,
    format: str = "tf",
    verbose: bool = True,
) -> Any:
    """Batches ``(images, labels)`` of float32 images read from a folder.

    With ``labels="inferred"`` the sub-folders of ``directory`` are the classes
    (``class_names`` fixes their order); the files are .bmp, .gif, .jpeg, .jpg
    and .png. Returns a ``SampleDataset`` (a ``kerax.utils.PyDataset`` of numpy
    batches, with ``class_names`` and ``file_paths``) for any ``format``, or a
    pair (training, validation) with ``subset="both"``. Labels are int32
    (``"int"``), one-hot float32 (``"categorical"``) or float32 ``(n, 1)``
    (``"binary"``). ``image_size=None`` keeps the native sizes (all images of a
    batch must then share one). The files are listed and shuffled with
    ``seed`` exactly as in Keras; a shuffled training set is re-shuffled
    (seeded) after every epoch. Images load on worker threads.
    """
    directory_utils.check_arguments(
        labels, label_mode, validation_split, subset, shuffle, seed
    )
    if labels is None or label_mode is None:
        labels = label_mode = None
    if isinstance(image_size, int):
        image_size = (image_size, image_size)
    _check(
        color_mode,
        image_size,
        interpolation,
        crop_to_aspect_ratio,
        pad_to_aspect_ratio,
        format,
    )
    data_format = standardize_data_format(data_format)
    if seed is None:
        seed = np.random.randint(1e6)
    paths, found, names = directory_utils.index_directory(
        directory,
        labels,
        IMAGE_FORMATS,
        class_names=class_names,
        shuffle=shuffle,
        seed=seed,
        follow_links=follow_links,
        verbose=verbose,
    )
    if label_mode == "binary" and len(names or ()) != 2:
        raise ValueError(f'label_mode="binary" needs exactly 2 classes, found {names}.')
    size = None if image_size is None else (int(image_size[0]), int(image_size[1]))

    def build(share: str | None, shuffled: bool) -> SampleDataset:
        chosen, chosen_labels = directory_utils.take_subset(
            paths, found, validation_split, share, verbose
        )
        if not chosen:
            kind = {"training": "training ", "validation": "validation "}.get(share, "")
            raise ValueError(
                f"No {kind}images found in directory {directory!r}. Allowed "
                f"formats: {IMAGE_FORMATS}."
            )
        encoded = None
        if label_mode is not None and chosen_labels is not None:
            encoded = directory_utils.encode_labels(
                chosen_labels, label_mode, len(names)
            )
        loader = _ImageLoader(
            chosen,
            encoded,
            color_mode,
            size,
            interpolation,
            crop_to_aspect_ratio,
            pad_to_aspect_ratio,
            data_format,
        )
        dataset = SampleDataset(
            len(chosen),
            loader,
            batch_size,
            shuffle=shuffled,
            seed=seed,
            workers=min(4, os.cpu_count() or 1),
        )
        dataset.class_names, dataset.file_paths = names, chosen
        return dataset

    if subset == "both":
        return build("training", shuffle), build("validation", False)
    return build(subset, shuffle)
