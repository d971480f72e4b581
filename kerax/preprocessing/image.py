"""Image preprocessing (``keras.preprocessing.image``): the legacy
``ImageDataGenerator`` with its iterators and transform functions, and the
image file utilities."""

from kerax.preprocessing._affine import (
    apply_affine_transform,
    apply_brightness_shift,
    apply_channel_shift,
    random_brightness,
    random_channel_shift,
    random_rotation,
    random_shear,
    random_shift,
    random_zoom,
)
from kerax.preprocessing._file_iterators import DataFrameIterator, DirectoryIterator
from kerax.preprocessing._image_data_generator import ImageDataGenerator
from kerax.preprocessing._iterators import Iterator, NumpyArrayIterator
from kerax.preprocessing._smart_resize import smart_resize
from kerax.utils.image_utils import array_to_img, img_to_array, load_img, save_img

__all__ = [
    "DataFrameIterator",
    "DirectoryIterator",
    "ImageDataGenerator",
    "Iterator",
    "NumpyArrayIterator",
    "apply_affine_transform",
    "apply_brightness_shift",
    "apply_channel_shift",
    "array_to_img",
    "img_to_array",
    "load_img",
    "random_brightness",
    "random_channel_shift",
    "random_rotation",
    "random_shear",
    "random_shift",
    "random_zoom",
    "save_img",
    "smart_resize",
]
