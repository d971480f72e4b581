"""Normalization layers: batch, layer, group, unit, RMS and spectral."""

from kerax.layers.normalization.batch_normalization import BatchNormalization
from kerax.layers.normalization.group_normalization import GroupNormalization
from kerax.layers.normalization.layer_normalization import LayerNormalization
from kerax.layers.normalization.rms_normalization import RMSNormalization
from kerax.layers.normalization.spectral_normalization import SpectralNormalization
from kerax.layers.normalization.unit_normalization import UnitNormalization

__all__ = [
    "BatchNormalization",
    "GroupNormalization",
    "LayerNormalization",
    "RMSNormalization",
    "SpectralNormalization",
    "UnitNormalization",
]
