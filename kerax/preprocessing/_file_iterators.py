"""Iterators over image files: ``DirectoryIterator`` (one folder per class)
and ``DataFrameIterator`` (file names and labels in a pandas DataFrame)."""

from __future__ import annotations

import collections
import os
import warnings
from typing import Any

import numpy as np

from kerax import config
from kerax.preprocessing._iterators import Iterator, check_subset, save_batch
from kerax.utils import image_utils

_CHANNELS = {"rgb": 3, "rgba": 4, "grayscale": 1}


def _list_files(directory: str, formats: tuple, follow_links: bool) -> list[str]:
    """Image files under ``directory`` (recursively), in sorted order."""
    found = []
    walk = sorted(os.walk(directory, followlinks=follow_links), key=lambda w: w[0])
    for root, _, files in walk:
        for name in sorted(files):
            if name.lower().endswith(formats):
                found.append(os.path.join(root, name))
    return found


class _FileBatches(Iterator):
    """Shared loading of image files into augmented batches."""

    def _set_processing(
        self,
        image_data_generator: Any,
        target_size: Any,
        color_mode: str,
        data_format: str | None,
        save_to_dir: str | None,
        save_prefix: str,
        save_format: str,
        subset: str | None,
        interpolation: str,
        keep_aspect_ratio: bool,
    ) -> None:
        if color_mode not in _CHANNELS:
            raise ValueError(
                f'Invalid color mode: {color_mode!r}; expected "rgb", "rgba", or '
                '"grayscale".'
            )
        self.image_data_generator = image_data_generator
        self.target_size = tuple(target_size)
        self.keep_aspect_ratio = keep_aspect_ratio
        self.color_mode = color_mode
        self.data_format = config.standardize_data_format(data_format)
        channels = (_CHANNELS[color_mode],)
        if self.data_format == "channels_last":
            self.image_shape = self.target_size + channels
        else:
            self.image_shape = channels + self.target_size
        self.save_to_dir = save_to_dir
        self.save_prefix = save_prefix
        self.save_format = save_format
        self.interpolation = interpolation
        self.subset = subset
        check_subset(subset)
        split = None
        if subset is not None:
            validation = image_data_generator._validation_split
            split = (0, validation) if subset == "validation" else (validation, 1)
        self.split = split

    def _load(self, path: str) -> np.ndarray:
        image = image_utils.load_img(
            path,
            color_mode=self.color_mode,
            target_size=self.target_size,
            interpolation=self.interpolation,
            keep_aspect_ratio=self.keep_aspect_ratio,
        )
        array = image_utils.img_to_array(image, data_format=self.data_format)
        image.close()
        return array

    def _get_batches_of_transformed_samples(self, index_array: np.ndarray) -> Any:
        batch_x = np.zeros((len(index_array),) + self.image_shape, dtype=self.dtype)
        generator = self.image_data_generator
        for i, j in enumerate(index_array):
            x = self._load(self.filepaths[j])
            if generator:
                params = generator.get_random_transform(x.shape)
                x = generator.standardize(generator.apply_transform(x, params))
            batch_x[i] = x
        if self.save_to_dir:
            save_batch(
                batch_x,
                index_array,
                self.data_format,
                self.save_to_dir,
                self.save_prefix,
                self.save_format,
                int(1e7),
            )
        mode = self.class_mode
        if mode == "input":
            batch_y: Any = batch_x.copy()
        elif mode in ("binary", "sparse"):
            batch_y = np.asarray([self.classes[k] for k in index_array], self.dtype)
        elif mode == "categorical":
            batch_y = np.zeros((len(batch_x), len(self.class_indices)), self.dtype)
            for i, k in enumerate(index_array):
                batch_y[i, self.classes[k]] = 1.0
        elif mode == "multi_output":
            batch_y = [output[index_array] for output in self.labels]
        elif mode == "raw":
            batch_y = self.labels[index_array]
        else:
            return batch_x
        if self.sample_weight is None:
            return batch_x, batch_y
        return batch_x, batch_y, self.sample_weight[index_array]

    @property
    def filepaths(self) -> list[str]:
        """Paths of the image files, in sample order."""
        return self._filepaths


class DirectoryIterator(_FileBatches):
    """Augmented batches of images read from ``directory/<class>/<file>``.

    Classes are the subfolder names (sorted) unless ``classes`` lists them;
    files of each class are found recursively, in sorted order; with
    ``subset``, the first ``validation_split`` fraction of each class is the
    validation subset. Arguments are ``ImageDataGenerator.flow_from_directory``'s.
    """

    allowed_class_modes = {"categorical", "binary", "sparse", "input", None}

    def __init__(
        self,
        directory: str,
        image_data_generator: Any,
        target_size: Any = (256, 256),
        color_mode: str = "rgb",
        classes: list[str] | None = None,
        class_mode: str | None = "categorical",
        batch_size: int = 32,
        shuffle: bool = True,
        seed: int | None = None,
        data_format: str | None = None,
        save_to_dir: str | None = None,
        save_prefix: str = "",
        save_format: str = "png",
        follow_links: bool = False,
        subset: str | None = None,
        interpolation: str = "nearest",
        keep_aspect_ratio: bool = False,
        dtype: Any = None,
    ) -> None:
        self._set_processing(
            image_data_generator,
            target_size,
            color_mode,
            data_format,
            save_to_dir,
            save_prefix,
            save_format,
            subset,
            interpolation,
            keep_aspect_ratio,
        )
        if class_mode not in self.allowed_class_modes:
            raise ValueError(
                f"Invalid class_mode: {class_mode!r}; expected one of: "
                f"{self.allowed_class_modes}"
            )
        if not os.path.isdir(directory):
            raise ValueError(f"flow_from_directory: {directory!r} is not a directory.")
        self.directory = directory
        self.class_mode = class_mode
        self.dtype = dtype or config.floatx()
        if not classes:
            classes = sorted(
                d
                for d in os.listdir(directory)
                if os.path.isdir(os.path.join(directory, d))
            )
        self.num_classes = len(classes)
        self.class_indices = {name: i for i, name in enumerate(classes)}
        self.filenames: list[str] = []
        labels: list[int] = []
        for name in classes:
            folder = os.path.join(directory, name)
            files = _list_files(folder, self.white_list_formats, follow_links)
            if self.split:
                start, stop = (int(s * len(files)) for s in self.split)
                files = files[start:stop]
            self.filenames += [
                os.path.join(name, os.path.relpath(f, folder)) for f in files
            ]
            labels += [self.class_indices[name]] * len(files)
        self.classes = np.asarray(labels, dtype="int32")
        self.samples = len(self.filenames)
        print(f"Found {self.samples} images belonging to {self.num_classes} classes.")
        self._filepaths = [os.path.join(directory, f) for f in self.filenames]
        super().__init__(self.samples, batch_size, shuffle, seed)

    @property
    def labels(self) -> np.ndarray:
        return self.classes

    @property
    def sample_weight(self) -> None:
        return None


class DataFrameIterator(_FileBatches):
    """Augmented batches of images listed in a pandas DataFrame.

    ``x_col`` holds file names (relative to ``directory``), ``y_col`` the
    labels (``class_mode``: ``"categorical"``, ``"binary"``, ``"sparse"``,
    ``"raw"``, ``"multi_output"``, ``"input"`` or None), ``weight_col``
    optional sample weights. Arguments are
    ``ImageDataGenerator.flow_from_dataframe``'s.
    """

    allowed_class_modes = {
        "binary",
        "categorical",
        "input",
        "multi_output",
        "raw",
        "sparse",
        None,
    }

    def __init__(
        self,
        dataframe: Any,
        directory: str | None = None,
        image_data_generator: Any = None,
        x_col: str = "filename",
        y_col: Any = "class",
        weight_col: str | None = None,
        target_size: Any = (256, 256),
        color_mode: str = "rgb",
        classes: list[str] | None = None,
        class_mode: str | None = "categorical",
        batch_size: int = 32,
        shuffle: bool = True,
        seed: int | None = None,
        data_format: str = "channels_last",
        save_to_dir: str | None = None,
        save_prefix: str = "",
        save_format: str = "png",
        subset: str | None = None,
        interpolation: str = "nearest",
        keep_aspect_ratio: bool = False,
        dtype: Any = "float32",
        validate_filenames: bool = True,
    ) -> None:
        self._set_processing(
            image_data_generator,
            target_size,
            color_mode,
            data_format,
            save_to_dir,
            save_prefix,
            save_format,
            subset,
            interpolation,
            keep_aspect_ratio,
        )
        df = dataframe.copy()
        self.directory = directory or ""
        self.class_mode = class_mode
        self.dtype = dtype
        self._check_params(df, x_col, y_col, weight_col, classes)
        if validate_filenames:
            df = self._filter_valid_filepaths(df, x_col)
        with_classes = class_mode not in ("input", "multi_output", "raw", None)
        if with_classes:
            df, classes = self._filter_classes(df, y_col, classes)
            self.class_indices = {name: i for i, name in enumerate(classes)}
        if self.split:
            start, stop = (int(s * len(df)) for s in self.split)
            df = df.iloc[start:stop, :]
        if with_classes:
            self.classes = self.get_classes(df, y_col)
        self.filenames = df[x_col].tolist()
        self._sample_weight = df[weight_col].values if weight_col else None
        if class_mode == "multi_output":
            self._targets = [np.array(df[col].tolist()) for col in y_col]
        if class_mode == "raw":
            self._targets = df[y_col].values
        self.samples = len(self.filenames)
        checked = "validated" if validate_filenames else "non-validated"
        message = f"Found {self.samples} {checked} image filenames"
        print(
            f"{message} belonging to {len(classes)} classes."
            if with_classes
            else f"{message}."
        )
        self._filepaths = [os.path.join(self.directory, f) for f in self.filenames]
        super().__init__(self.samples, batch_size, shuffle, seed)

    def _check_params(
        self, df: Any, x_col: str, y_col: Any, weight_col: str | None, classes: Any
    ) -> None:
        mode = self.class_mode
        if mode not in self.allowed_class_modes:
            raise ValueError(
                f"Invalid class_mode: {mode!r}; expected one of: "
                f"{self.allowed_class_modes}"
            )
        if mode == "multi_output" and not isinstance(y_col, list):
            raise TypeError(
                f'If class_mode="multi_output", y_col must be a list. Received '
                f"{type(y_col).__name__}."
            )
        if not all(df[x_col].apply(lambda v: isinstance(v, str))):
            raise TypeError(f"All values in column x_col={x_col} must be strings.")
        if mode in ("binary", "sparse") and not all(
            df[y_col].apply(lambda v: isinstance(v, str))
        ):
            raise TypeError(
                f'If class_mode="{mode}", y_col="{y_col}" column values must be strings.'
            )
        if mode == "binary":
            count = len(set(classes)) if classes else df[y_col].nunique()
            if count != 2:
                raise ValueError(
                    f'If class_mode="binary" there must be 2 classes. Found {count}.'
                )
        if mode == "categorical" and not all(
            df[y_col].apply(lambda v: isinstance(v, (str, list, tuple)))
        ):
            raise TypeError(
                f'If class_mode="categorical", y_col="{y_col}" column values must be '
                "type string, list or tuple."
            )
        if classes and mode in ("input", "multi_output", "raw", None):
            warnings.warn(
                f'`classes` will be ignored given the class_mode="{mode}"', stacklevel=3
            )
        if weight_col and not issubclass(df[weight_col].dtype.type, np.number):
            raise TypeError(f"Column weight_col={weight_col} must be numeric.")

    def get_classes(self, df: Any, y_col: str) -> list:
        """Class indices of every row (lists for multi-label rows)."""
        labels = []
        for label in df[y_col]:
            if isinstance(label, (list, tuple)):
                labels.append([self.class_indices[name] for name in label])
            else:
                labels.append(self.class_indices[label])
        return labels

    @staticmethod
    def _filter_classes(df: Any, y_col: str, classes: Any) -> tuple[Any, list]:
        df = df.copy()

        def keep(labels: Any) -> Any:
            if isinstance(labels, (list, tuple)):
                return [name for name in labels if name in classes] or None
            if isinstance(labels, str):
                return labels if labels in classes else None
            raise TypeError(
                f"Expect string, list or tuple but found {type(labels)} in {y_col} "
                "column"
            )

        if classes:
            classes = list(collections.OrderedDict.fromkeys(classes))
            df[y_col] = df[y_col].apply(keep)
        else:
            found: set = set()
            for value in df[y_col]:
                found.update(value if isinstance(value, (list, tuple)) else [value])
            classes = sorted(found)
        return df.dropna(subset=[y_col]), classes

    def _filter_valid_filepaths(self, df: Any, x_col: str) -> Any:
        paths = df[x_col].map(lambda name: os.path.join(self.directory, name))
        valid = paths.apply(
            lambda p: p.lower().endswith(self.white_list_formats) and os.path.isfile(p)
        )
        invalid = int((~valid).sum())
        if invalid:
            warnings.warn(
                f'Found {invalid} invalid image filename(s) in x_col="{x_col}". These '
                "filename(s) will be ignored.",
                stacklevel=3,
            )
        return df[valid]

    @property
    def labels(self) -> Any:
        if self.class_mode in ("multi_output", "raw"):
            return self._targets
        return self.classes

    @property
    def sample_weight(self) -> Any:
        return self._sample_weight
