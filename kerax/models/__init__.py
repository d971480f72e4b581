"""Models (``kerax.models``)."""

from kerax.models.cloning import clone_model
from kerax.models.functional import Functional
from kerax.models.model import Model
from kerax.models.sequential import Sequential
from kerax.saving.saving_api import load_model, model_from_json, save_model

__all__ = [
    "Functional",
    "Model",
    "Sequential",
    "clone_model",
    "load_model",
    "model_from_json",
    "save_model",
]
