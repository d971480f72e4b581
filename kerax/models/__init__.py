"""Models (``kerax.models``)."""

from kerax.models.functional import Functional
from kerax.models.model import Model
from kerax.models.sequential import Sequential

__all__ = ["Functional", "Model", "Sequential"]
