"""Listing a folder of class sub-folders: files, labels and the validation split.

Shared by ``image_dataset_from_directory`` and ``text_dataset_from_directory``.
File order, the seeded shuffle and the split follow Keras, so the same folder
and seed give the same training and validation files as in Keras.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

LABEL_MODES = ("int", "categorical", "binary", None)


def check_arguments(
    labels: Any,
    label_mode: Any,
    validation_split: float | None,
    subset: str | None,
    shuffle: bool,
    seed: int | None,
) -> None:
    """Validate the arguments common to the directory loaders."""
    if not (labels in ("inferred", None) or isinstance(labels, (list, tuple))):
        raise ValueError(
            '`labels` must be "inferred", None, or a list/tuple of integer labels '
            f"(one per file, in alphanumeric order of the paths); received {labels!r}."
        )
    if label_mode not in LABEL_MODES:
        raise ValueError(
            f"`label_mode` must be one of {LABEL_MODES}, received {label_mode!r}."
        )
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(
            f"`validation_split` must be between 0 and 1, received {validation_split}."
        )
    if (validation_split or subset) and not (validation_split and subset):
        raise ValueError(
            "`validation_split` and `subset` go together: pass both or neither."
        )
    if subset not in ("training", "validation", "both", None):
        raise ValueError(
            '`subset` must be "training", "validation", "both" or None, received '
            f"{subset!r}."
        )
    if validation_split and shuffle and seed is None:
        raise ValueError(
            "With `validation_split` and shuffling, pass a `seed` so that the "
            "training and validation subsets do not overlap."
        )


def _files_under(folder: str, formats: tuple[str, ...], follow_links: bool) -> list:
    found = []
    for root, _, names in sorted(os.walk(folder, followlinks=follow_links)):
        found += [
            os.path.join(root, name)
            for name in sorted(names)
            if name.lower().endswith(formats)
        ]
    return found


def index_directory(
    directory: str,
    labels: Any,
    formats: tuple[str, ...],
    class_names: list[str] | None = None,
    shuffle: bool = True,
    seed: int | None = None,
    follow_links: bool = False,
    verbose: bool = True,
) -> tuple[list[str], np.ndarray | None, list[str] | None]:
    """``(file_paths, labels, class_names)`` of the matching files under ``directory``.

    With ``labels="inferred"`` each sub-folder is a class (alphanumeric order
    unless ``class_names`` fixes it); otherwise every file under ``directory``
    is listed and ``labels`` are given (or None).
    """
    if not os.path.isdir(directory):
        raise ValueError(f"The directory {directory!r} does not exist.")
    if labels == "inferred":
        subdirs = sorted(
            name
            for name in os.listdir(directory)
            if os.path.isdir(os.path.join(directory, name)) and not name.startswith(".")
        )
        if class_names is not None:
            if not set(class_names) <= set(subdirs):
                raise ValueError(
                    f"`class_names` must name sub-folders of {directory!r}: expected "
                    f"names among {subdirs}, received {list(class_names)}."
                )
            subdirs = list(class_names)
    else:
        if class_names is not None:
            raise ValueError(
                "`class_names` only applies to labels='inferred' (with given "
                "labels, the classes are the sorted distinct labels)."
            )
        subdirs = [""]
    paths: list[str] = []
    found_labels: list[int] = []
    for index, name in enumerate(subdirs):
        files = _files_under(os.path.join(directory, name), formats, follow_links)
        paths += files
        found_labels += [index] * len(files)
    if labels == "inferred":
        label_array: np.ndarray | None = np.asarray(found_labels, dtype="int32")
        names: list[str] | None = list(subdirs)
    elif labels is None:
        label_array, names = None, None
    else:
        if len(labels) != len(paths):
            raise ValueError(
                f"`labels` has {len(labels)} entries but {len(paths)} files were "
                f"found in {directory!r}; pass one label per file."
            )
        label_array = np.asarray(labels)
        names = [str(label) for label in sorted(set(labels))]
    if verbose:
        if names is None:
            print(f"Found {len(paths)} files.")
        else:
            print(f"Found {len(paths)} files belonging to {len(names)} classes.")
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(paths)
        if label_array is not None:
            np.random.RandomState(seed).shuffle(label_array)
    return paths, label_array, names


def take_subset(
    paths: list[str],
    labels: np.ndarray | None,
    validation_split: float | None,
    subset: str | None,
    verbose: bool = True,
) -> tuple[list[str], np.ndarray | None]:
    """The training (leading) or validation (trailing) share of the files."""
    if not validation_split:
        return paths, labels
    count = int(validation_split * len(paths))
    if subset == "training":
        if verbose:
            print(f"Using {len(paths) - count} files for training.")
        keep = slice(0, len(paths) - count)
    else:
        if verbose:
            print(f"Using {count} files for validation.")
        keep = slice(len(paths) - count, len(paths))
    return paths[keep], None if labels is None else labels[keep]


def encode_labels(labels: np.ndarray, label_mode: str, num_classes: int) -> np.ndarray:
    """Integer labels as ``int32`` (int), one-hot ``float32`` (categorical) or
    ``float32`` column (binary)."""
    labels = np.asarray(labels)
    if label_mode == "binary":
        return labels.astype("float32")[:, None]
    if label_mode == "categorical":
        return np.eye(num_classes, dtype="float32")[labels.astype("int64")]
    return labels.astype("int32")
