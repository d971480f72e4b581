"""Sequence preprocessing (``keras.preprocessing.sequence``)."""

from kerax.utils.sequence_utils import pad_sequences

__all__ = ["pad_sequences"]
