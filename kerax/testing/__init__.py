"""Helpers for testing layers and models (``kerax.testing``)."""
