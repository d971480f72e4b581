"""Utilities (``kerax.utils``)."""

from kerax.utils.progbar import Progbar
from kerax.utils.seeding import set_random_seed

__all__ = ["Progbar", "set_random_seed"]
