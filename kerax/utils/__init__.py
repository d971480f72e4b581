"""Utilities (``kerax.utils``)."""

from kerax.utils.bucketing import BucketedSequences
from kerax.utils.dataset_utils import split_dataset
from kerax.utils.file_utils import get_file
from kerax.utils.image_dataset import image_dataset_from_directory
from kerax.utils.image_utils import array_to_img, img_to_array, load_img, save_img
from kerax.utils.numerical_utils import normalize, to_categorical
from kerax.utils.plotting import model_to_dot, plot_history, plot_model
from kerax.utils.profiling import profile
from kerax.utils.progbar import Progbar
from kerax.utils.py_dataset import PyDataset
from kerax.utils.seeding import set_random_seed
from kerax.utils.sequence_utils import pad_sequences
from kerax.utils.text_dataset import text_dataset_from_directory
from kerax.utils.timeseries_dataset import timeseries_dataset_from_array

Sequence = PyDataset  # Keras's legacy name

__all__ = [
    "BucketedSequences",
    "Progbar",
    "PyDataset",
    "Sequence",
    "array_to_img",
    "get_file",
    "image_dataset_from_directory",
    "img_to_array",
    "load_img",
    "model_to_dot",
    "normalize",
    "pad_sequences",
    "plot_history",
    "plot_model",
    "profile",
    "save_img",
    "set_random_seed",
    "split_dataset",
    "text_dataset_from_directory",
    "timeseries_dataset_from_array",
    "to_categorical",
]
