"""``text_dataset_from_directory``: a folder of .txt files as batches of strings."""

from __future__ import annotations

from typing import Any

import numpy as np

from kerax.utils import directory_utils
from kerax.utils.dataset_utils import SampleDataset


class _TextLoader:
    """Reads one text file (UTF-8), cut to ``max_length`` characters."""

    def __init__(self, paths, labels, max_length):
        self.paths, self.labels, self.max_length = paths, labels, max_length

    def __call__(self, index: int) -> Any:
        with open(self.paths[index], encoding="utf-8") as file:
            text = file.read()
        if self.max_length is not None:
            text = text[: self.max_length]
        return text if self.labels is None else (text, self.labels[index])


def text_dataset_from_directory(
    directory: str,
    labels: Any = "inferred",
    label_mode: str | None = "int",
    class_names: list[str] | None = None,
    batch_size: int | None = 32,
    max_length: int | None = None,
    shuffle: bool = True,
    seed: int | None = None,
    validation_split: float | None = None,
    subset: str | None = None,
    follow_links: bool = False,
    format: str = "tf",
    verbose: bool = True,
) -> Any:
    """Batches ``(texts, labels)`` read from the .txt files of a folder.

    Texts come as 1-D numpy object arrays of Python strings (decoded as UTF-8,
    cut to ``max_length`` characters); everything else (labels, classes,
    validation split, shuffling, ``subset="both"``) is as in
    ``image_dataset_from_directory``. Use ``.map(fn)`` to turn strings into
    numbers (e.g. with ``TextVectorization``) before ``fit``: JAX holds no
    strings.
    """
    directory_utils.check_arguments(
        labels, label_mode, validation_split, subset, shuffle, seed
    )
    if labels is None or label_mode is None:
        labels = label_mode = None
    if format not in ("tf", "grain"):
        raise ValueError(f'format must be "tf" or "grain", received {format!r}.')
    if max_length is not None and (not isinstance(max_length, int) or max_length < 0):
        raise ValueError(
            f"max_length must be a non-negative int or None, received {max_length!r}."
        )
    if seed is None:
        seed = np.random.randint(1e6)
    paths, found, names = directory_utils.index_directory(
        directory,
        labels,
        (".txt",),
        class_names=class_names,
        shuffle=shuffle,
        seed=seed,
        follow_links=follow_links,
        verbose=verbose,
    )
    if label_mode == "binary" and len(names or ()) != 2:
        raise ValueError(f'label_mode="binary" needs exactly 2 classes, found {names}.')

    def build(share: str | None, shuffled: bool) -> SampleDataset:
        chosen, chosen_labels = directory_utils.take_subset(
            paths, found, validation_split, share, verbose
        )
        if not chosen:
            kind = {"training": "training ", "validation": "validation "}.get(share, "")
            raise ValueError(
                f"No {kind}text files found in directory {directory!r}. Allowed "
                "format: .txt."
            )
        encoded = None
        if label_mode is not None:
            encoded = directory_utils.encode_labels(
                chosen_labels, label_mode, len(names)
            )
        loader = _TextLoader(chosen, encoded, max_length)
        dataset = SampleDataset(
            len(chosen), loader, batch_size, shuffle=shuffled, seed=seed
        )
        dataset.class_names, dataset.file_paths = names, chosen
        return dataset

    if subset == "both":
        return build("training", shuffle), build("validation", False)
    return build(subset, shuffle)
