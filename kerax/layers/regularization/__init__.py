"""Regularization layers (``Dropout`` itself lives in the core family)."""

from kerax.layers.regularization.activity_regularization import (
    ActivityRegularization,
)
from kerax.layers.regularization.noise import (
    AlphaDropout,
    GaussianDropout,
    GaussianNoise,
)
from kerax.layers.regularization.spatial_dropout import (
    SpatialDropout1D,
    SpatialDropout2D,
    SpatialDropout3D,
)

__all__ = [
    "ActivityRegularization",
    "AlphaDropout",
    "GaussianDropout",
    "GaussianNoise",
    "SpatialDropout1D",
    "SpatialDropout2D",
    "SpatialDropout3D",
]
