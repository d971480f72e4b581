"""Preprocessing and augmentation layers (``keras.layers``)."""

from kerax.layers.preprocessing.category_encoding import CategoryEncoding
from kerax.layers.preprocessing.discretization import Discretization
from kerax.layers.preprocessing.hashing import Hashing
from kerax.layers.preprocessing.integer_lookup import IntegerLookup
from kerax.layers.preprocessing.normalization import Normalization
from kerax.layers.preprocessing.random_brightness import RandomBrightness
from kerax.layers.preprocessing.random_color import (
    RandomGrayscale,
    RandomHue,
    RandomInvert,
    RandomSaturation,
)
from kerax.layers.preprocessing.random_color_jitter import RandomColorJitter
from kerax.layers.preprocessing.random_contrast import RandomContrast
from kerax.layers.preprocessing.random_crop import RandomCrop
from kerax.layers.preprocessing.random_erasing import RandomErasing
from kerax.layers.preprocessing.random_filters import (
    RandomGaussianBlur,
    RandomSharpness,
)
from kerax.layers.preprocessing.random_flip import RandomFlip
from kerax.layers.preprocessing.random_rotation import RandomRotation
from kerax.layers.preprocessing.random_shear import RandomShear
from kerax.layers.preprocessing.random_translation import RandomTranslation
from kerax.layers.preprocessing.random_zoom import RandomZoom
from kerax.layers.preprocessing.rescaling import Rescaling
from kerax.layers.preprocessing.resizing import CenterCrop, Resizing
from kerax.layers.preprocessing.string_lookup import StringLookup
from kerax.layers.preprocessing.text_vectorization import TextVectorization

__all__ = [
    "CategoryEncoding",
    "CenterCrop",
    "Discretization",
    "Hashing",
    "IntegerLookup",
    "Normalization",
    "RandomBrightness",
    "RandomColorJitter",
    "RandomContrast",
    "RandomCrop",
    "RandomErasing",
    "RandomFlip",
    "RandomGaussianBlur",
    "RandomGrayscale",
    "RandomHue",
    "RandomInvert",
    "RandomRotation",
    "RandomSaturation",
    "RandomSharpness",
    "RandomShear",
    "RandomTranslation",
    "RandomZoom",
    "Rescaling",
    "Resizing",
    "StringLookup",
    "TextVectorization",
]
