"""Data preprocessing utilities (``keras.preprocessing``).

``image`` holds the legacy ``ImageDataGenerator``; the dataset builders are
the same functions as in ``kerax.utils``.
"""

from kerax.preprocessing import image, sequence
from kerax.utils.image_dataset import image_dataset_from_directory
from kerax.utils.text_dataset import text_dataset_from_directory
from kerax.utils.timeseries_dataset import timeseries_dataset_from_array

__all__ = [
    "image",
    "image_dataset_from_directory",
    "sequence",
    "text_dataset_from_directory",
    "timeseries_dataset_from_array",
]
