"""Reshaping layers: reshape, flatten, permute, repeat, crop, pad, upsample."""

from kerax.layers.reshaping.cropping import Cropping1D, Cropping2D, Cropping3D
from kerax.layers.reshaping.flatten import Flatten
from kerax.layers.reshaping.permute import Permute, RepeatVector
from kerax.layers.reshaping.reshape import Reshape
from kerax.layers.reshaping.up_sampling import UpSampling1D, UpSampling2D, UpSampling3D
from kerax.layers.reshaping.zero_padding import (
    ZeroPadding1D,
    ZeroPadding2D,
    ZeroPadding3D,
)

__all__ = [
    "Cropping1D",
    "Cropping2D",
    "Cropping3D",
    "Flatten",
    "Permute",
    "RepeatVector",
    "Reshape",
    "UpSampling1D",
    "UpSampling2D",
    "UpSampling3D",
    "ZeroPadding1D",
    "ZeroPadding2D",
    "ZeroPadding3D",
]
