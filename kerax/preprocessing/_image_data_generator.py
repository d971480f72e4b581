"""The legacy ``ImageDataGenerator``: random image augmentation in NumPy."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from kerax import config
from kerax.preprocessing import _affine
from kerax.preprocessing._file_iterators import DataFrameIterator, DirectoryIterator
from kerax.preprocessing._iterators import NumpyArrayIterator

_NOT_FIT = (
    "This ImageDataGenerator specifies `{}`, but it hasn't been fit on any "
    "training data. Fit it first by calling `.fit(numpy_data)`."
)


def _zoom_range(zoom_range: Any) -> list[float]:
    if isinstance(zoom_range, (int, float)):
        return [1 - zoom_range, 1 + zoom_range]
    if (
        isinstance(zoom_range, (tuple, list))
        and len(zoom_range) == 2
        and all(isinstance(v, (int, float)) for v in zoom_range)
    ):
        return [zoom_range[0], zoom_range[1]]
    raise ValueError(
        "`zoom_range` should be a float or a tuple or list of two floats. "
        f"Received: {zoom_range}"
    )


def _shift(value: Any, size: int) -> float:
    """A random shift from a ``*_shift_range`` argument (Keras's rules)."""
    if isinstance(value, (int, np.integer)) or np.ndim(value) == 1:
        shift = np.random.choice(value) * np.random.choice([-1, 1])
    else:
        shift = np.random.uniform(-value, value)
    if np.max(value) < 1:
        shift *= size
    return shift


class ImageDataGenerator:
    """Generates batches of images with random augmentation, as Keras's
    legacy ``keras.preprocessing.image.ImageDataGenerator``.

    Augmentation runs in NumPy on the host, one image at a time (the same
    numbers as Keras: NumPy's global RNG, SciPy-equivalent resampling, and
    Keras's conventions, among them that ``height_shift_range`` shifts along
    the columns). The iterators from ``flow``, ``flow_from_directory`` and
    ``flow_from_dataframe`` are ``PyDataset`` objects that ``fit`` reads.
    For augmentation inside the compiled step, prefer the ``Random*`` layers.

    Args:
        featurewise_center: subtract the dataset mean (``fit``) per channel.
        samplewise_center: subtract each image's mean.
        featurewise_std_normalization: divide by the dataset std (``fit``).
        samplewise_std_normalization: divide each image by its std.
        zca_whitening: apply ZCA whitening (``fit``).
        zca_epsilon: epsilon of ZCA whitening.
        rotation_range: degrees of random rotation.
        width_shift_range: a fraction of the width (< 1), pixels (>= 1), or a
            list of allowed values.
        height_shift_range: as ``width_shift_range``.
        brightness_range: ``(low, high)`` brightness factors (Pillow).
        shear_range: shear angle in degrees.
        zoom_range: ``z`` for ``[1 - z, 1 + z]``, or ``(low, high)``.
        channel_shift_range: range of random channel shifts.
        fill_mode: ``"constant"``, ``"nearest"``, ``"reflect"`` or ``"wrap"``.
        cval: the fill value of ``"constant"``.
        horizontal_flip: randomly flip left-right.
        vertical_flip: randomly flip up-down.
        rescale: multiply images by this factor (after the random transforms
            and ``preprocessing_function``, before the normalizations).
        preprocessing_function: a function applied to each image first.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        validation_split: fraction of the data reserved for ``subset="validation"``.
        interpolation_order: 0 (nearest) or 1 (bilinear).
        dtype: dtype of generated batches.
    """

    def __init__(
        self,
        featurewise_center: bool = False,
        samplewise_center: bool = False,
        featurewise_std_normalization: bool = False,
        samplewise_std_normalization: bool = False,
        zca_whitening: bool = False,
        zca_epsilon: float = 1e-6,
        rotation_range: float = 0,
        width_shift_range: Any = 0.0,
        height_shift_range: Any = 0.0,
        brightness_range: Any = None,
        shear_range: float = 0.0,
        zoom_range: Any = 0.0,
        channel_shift_range: float = 0.0,
        fill_mode: str = "nearest",
        cval: float = 0.0,
        horizontal_flip: bool = False,
        vertical_flip: bool = False,
        rescale: float | None = None,
        preprocessing_function: Callable | None = None,
        data_format: str | None = None,
        validation_split: float = 0.0,
        interpolation_order: int = 1,
        dtype: Any = None,
    ) -> None:
        data_format = data_format or config.image_data_format()
        if data_format not in ("channels_last", "channels_first"):
            raise ValueError(
                '`data_format` should be "channels_last" or "channels_first". '
                f"Received: {data_format}"
            )
        if fill_mode not in _affine.FILL_MODES:
            raise ValueError(
                f"Unknown `fill_mode` {fill_mode!r}. Expected one of "
                f"{_affine.FILL_MODES}."
            )
        if interpolation_order not in (0, 1):
            raise ValueError(
                "`interpolation_order` must be 0 (nearest) or 1 (bilinear) in kerax. "
                f"Received: {interpolation_order}"
            )
        if validation_split and not 0 < validation_split < 1:
            raise ValueError(
                "`validation_split` must be strictly between 0 and 1. Received: "
                f"{validation_split}"
            )
        if brightness_range is not None and (
            not isinstance(brightness_range, (tuple, list))
            or len(brightness_range) != 2
        ):
            raise ValueError(
                "`brightness_range` should be a tuple or list of two floats. "
                f"Received: {brightness_range}"
            )
        self.featurewise_center = featurewise_center
        self.samplewise_center = samplewise_center
        self.featurewise_std_normalization = featurewise_std_normalization
        self.samplewise_std_normalization = samplewise_std_normalization
        self.zca_whitening = zca_whitening
        self.zca_epsilon = zca_epsilon
        self.rotation_range = rotation_range
        self.width_shift_range = width_shift_range
        self.height_shift_range = height_shift_range
        self.brightness_range = brightness_range
        self.shear_range = shear_range
        self.zoom_range = _zoom_range(zoom_range)
        self.channel_shift_range = channel_shift_range
        self.fill_mode = fill_mode
        self.cval = cval
        self.horizontal_flip = horizontal_flip
        self.vertical_flip = vertical_flip
        self.rescale = rescale
        self.preprocessing_function = preprocessing_function
        self.dtype = dtype or config.floatx()
        self.interpolation_order = interpolation_order
        self.data_format = data_format
        first = data_format == "channels_first"
        self.channel_axis, self.row_axis, self.col_axis = (
            (1, 2, 3) if first else (3, 1, 2)
        )
        self._validation_split = validation_split
        self.mean: np.ndarray | None = None
        self.std: np.ndarray | None = None
        self.zca_whitening_matrix: np.ndarray | None = None
        self._resolve_normalization()

    def _resolve_normalization(self) -> None:
        """Options that imply others, with Keras's warnings."""
        implied = []
        if self.zca_whitening:
            if not self.featurewise_center:
                self.featurewise_center = True
                implied.append(("zca_whitening", "featurewise_center"))
            if self.featurewise_std_normalization:
                self.featurewise_std_normalization = False
                implied.append(("zca_whitening", "featurewise_std_normalization"))
        if self.featurewise_std_normalization and not self.featurewise_center:
            self.featurewise_center = True
            implied.append(("featurewise_std_normalization", "featurewise_center"))
        if self.samplewise_std_normalization and not self.samplewise_center:
            self.samplewise_center = True
            implied.append(("samplewise_std_normalization", "samplewise_center"))
        for cause, setting in implied:
            warnings.warn(
                f"This ImageDataGenerator specifies `{cause}`, which overrides "
                f"setting of `{setting}`.",
                stacklevel=3,
            )

    # -- iterators --------------------------------------------------------------
    def flow(
        self,
        x: Any,
        y: Any = None,
        batch_size: int = 32,
        shuffle: bool = True,
        sample_weight: Any = None,
        seed: int | None = None,
        save_to_dir: str | None = None,
        save_prefix: str = "",
        save_format: str = "png",
        ignore_class_split: bool = False,
        subset: str | None = None,
    ) -> NumpyArrayIterator:
        """Augmented batches ``(x, y[, sample_weight])`` from arrays."""
        return NumpyArrayIterator(
            x,
            y,
            self,
            batch_size=batch_size,
            shuffle=shuffle,
            sample_weight=sample_weight,
            seed=seed,
            data_format=self.data_format,
            save_to_dir=save_to_dir,
            save_prefix=save_prefix,
            save_format=save_format,
            ignore_class_split=ignore_class_split,
            subset=subset,
            dtype=self.dtype,
        )

    def flow_from_directory(
        self,
        directory: str,
        target_size: Any = (256, 256),
        color_mode: str = "rgb",
        classes: list[str] | None = None,
        class_mode: str | None = "categorical",
        batch_size: int = 32,
        shuffle: bool = True,
        seed: int | None = None,
        save_to_dir: str | None = None,
        save_prefix: str = "",
        save_format: str = "png",
        follow_links: bool = False,
        subset: str | None = None,
        interpolation: str = "nearest",
        keep_aspect_ratio: bool = False,
    ) -> DirectoryIterator:
        """Augmented batches of the images in ``directory/<class>/`` (Pillow)."""
        return DirectoryIterator(
            directory,
            self,
            target_size=target_size,
            color_mode=color_mode,
            keep_aspect_ratio=keep_aspect_ratio,
            classes=classes,
            class_mode=class_mode,
            data_format=self.data_format,
            batch_size=batch_size,
            shuffle=shuffle,
            seed=seed,
            save_to_dir=save_to_dir,
            save_prefix=save_prefix,
            save_format=save_format,
            follow_links=follow_links,
            subset=subset,
            interpolation=interpolation,
            dtype=self.dtype,
        )

    def flow_from_dataframe(
        self,
        dataframe: Any,
        directory: str | None = None,
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
        save_to_dir: str | None = None,
        save_prefix: str = "",
        save_format: str = "png",
        subset: str | None = None,
        interpolation: str = "nearest",
        validate_filenames: bool = True,
        **kwargs: Any,
    ) -> DataFrameIterator:
        """Augmented batches of the image files listed in a pandas DataFrame."""
        for name in ("has_ext", "sort", "drop_duplicates"):
            if name in kwargs:
                warnings.warn(f"`{name}` is deprecated and ignored.", stacklevel=2)
        if class_mode == "other":
            warnings.warn('class_mode="other" is deprecated, use "raw".', stacklevel=2)
            class_mode = "raw"
        return DataFrameIterator(
            dataframe,
            directory,
            self,
            x_col=x_col,
            y_col=y_col,
            weight_col=weight_col,
            target_size=target_size,
            color_mode=color_mode,
            classes=classes,
            class_mode=class_mode,
            data_format=self.data_format,
            batch_size=batch_size,
            shuffle=shuffle,
            seed=seed,
            save_to_dir=save_to_dir,
            save_prefix=save_prefix,
            save_format=save_format,
            subset=subset,
            interpolation=interpolation,
            validate_filenames=validate_filenames,
            dtype=self.dtype,
        )

    # -- transforms -------------------------------------------------------------
    def standardize(self, x: np.ndarray) -> np.ndarray:
        """Apply the normalization options to an image or batch (in place when
        possible)."""
        if self.preprocessing_function:
            x = self.preprocessing_function(x)
        if self.rescale:
            x *= self.rescale
        if self.samplewise_center:
            x -= np.mean(x, keepdims=True)
        if self.samplewise_std_normalization:
            x /= np.std(x, keepdims=True) + 1e-6
        if self.featurewise_center:
            if self.mean is None:
                warnings.warn(_NOT_FIT.format("featurewise_center"), stacklevel=2)
            else:
                x -= self.mean
        if self.featurewise_std_normalization:
            if self.std is None:
                warnings.warn(
                    _NOT_FIT.format("featurewise_std_normalization"), stacklevel=2
                )
            else:
                x /= self.std + 1e-6
        if self.zca_whitening:
            if self.zca_whitening_matrix is None:
                warnings.warn(_NOT_FIT.format("zca_whitening"), stacklevel=2)
            else:
                flat = x.reshape(-1, math.prod(x.shape[-3:]))
                x = np.reshape(flat @ self.zca_whitening_matrix, x.shape)
        return x

    def get_random_transform(self, img_shape: tuple, seed: int | None = None) -> dict:
        """Random parameters for one image (NumPy's global RNG, Keras's order)."""
        if seed is not None:
            np.random.seed(seed)
        rows, cols = img_shape[self.row_axis - 1], img_shape[self.col_axis - 1]
        theta = (
            np.random.uniform(-self.rotation_range, self.rotation_range)
            if self.rotation_range
            else 0
        )
        tx = _shift(self.height_shift_range, rows) if self.height_shift_range else 0
        ty = _shift(self.width_shift_range, cols) if self.width_shift_range else 0
        shear = (
            np.random.uniform(-self.shear_range, self.shear_range)
            if self.shear_range
            else 0
        )
        if self.zoom_range[0] == 1 and self.zoom_range[1] == 1:
            zx, zy = 1, 1
        else:
            zx, zy = np.random.uniform(self.zoom_range[0], self.zoom_range[1], 2)
        flip_horizontal = (np.random.random() < 0.5) * self.horizontal_flip
        flip_vertical = (np.random.random() < 0.5) * self.vertical_flip
        channel_shift = None
        if self.channel_shift_range != 0:
            channel_shift = np.random.uniform(
                -self.channel_shift_range, self.channel_shift_range
            )
        brightness = None
        if self.brightness_range is not None:
            brightness = np.random.uniform(*self.brightness_range)
        return {
            "theta": theta,
            "tx": tx,
            "ty": ty,
            "shear": shear,
            "zx": zx,
            "zy": zy,
            "flip_horizontal": flip_horizontal,
            "flip_vertical": flip_vertical,
            "channel_shift_intensity": channel_shift,
            "brightness": brightness,
        }

    def apply_transform(self, x: np.ndarray, transform_parameters: dict) -> np.ndarray:
        """Apply the parameters of ``get_random_transform`` to one image."""
        row, col, channel = self.row_axis - 1, self.col_axis - 1, self.channel_axis - 1
        params = transform_parameters
        x = _affine.apply_affine_transform(
            x,
            params.get("theta", 0),
            params.get("tx", 0),
            params.get("ty", 0),
            params.get("shear", 0),
            params.get("zx", 1),
            params.get("zy", 1),
            row_axis=row,
            col_axis=col,
            channel_axis=channel,
            fill_mode=self.fill_mode,
            cval=self.cval,
            order=self.interpolation_order,
        )
        if params.get("channel_shift_intensity") is not None:
            x = _affine.apply_channel_shift(
                x, params["channel_shift_intensity"], channel
            )
        if params.get("flip_horizontal", False):
            x = _affine.flip_axis(x, col)
        if params.get("flip_vertical", False):
            x = _affine.flip_axis(x, row)
        if params.get("brightness") is not None:
            x = _affine.apply_brightness_shift(x, params["brightness"], False)
        return x

    def random_transform(self, x: np.ndarray, seed: int | None = None) -> np.ndarray:
        """One randomly augmented copy of the image ``x``."""
        return self.apply_transform(x, self.get_random_transform(x.shape, seed))

    def fit(
        self, x: Any, augment: bool = False, rounds: int = 1, seed: int | None = None
    ) -> None:
        """Compute the statistics that featurewise normalization and ZCA need
        from a rank-4 array of images (optionally augmented ``rounds`` times)."""
        x = np.asarray(x, dtype=self.dtype)
        if x.ndim != 4:
            raise ValueError(
                f"Input to `.fit()` should have rank 4. Got array with shape: {x.shape}"
            )
        if x.shape[self.channel_axis] not in (1, 3, 4):
            warnings.warn(
                f'Expected images in the "{self.data_format}" format (channels on '
                f"axis {self.channel_axis}) with 1, 3 or 4 channels; received shape "
                f"{x.shape}.",
                stacklevel=2,
            )
        if seed is not None:
            np.random.seed(seed)
        x = np.copy(x)
        if self.rescale:
            x *= self.rescale
        if augment:
            augmented = np.zeros((rounds * x.shape[0],) + x.shape[1:], dtype=self.dtype)
            for r in range(rounds):
                for i in range(x.shape[0]):
                    augmented[i + r * x.shape[0]] = self.random_transform(x[i])
            x = augmented
        shape = [1, 1, 1]
        shape[self.channel_axis - 1] = x.shape[self.channel_axis]
        axes = (0, self.row_axis, self.col_axis)
        if self.featurewise_center:
            self.mean = np.reshape(np.mean(x, axis=axes), shape)
            x -= self.mean
        if self.featurewise_std_normalization:
            self.std = np.reshape(np.std(x, axis=axes), shape)
            x /= self.std + 1e-6
        if self.zca_whitening:
            flat = np.reshape(x, (len(x), -1))
            u, s, _ = np.linalg.svd(flat.T, full_matrices=False)
            s_inv = np.sqrt(len(x)) / (s + self.zca_epsilon)
            self.zca_whitening_matrix = (u * s_inv) @ u.T
