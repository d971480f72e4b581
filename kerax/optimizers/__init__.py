"""Optimizers (``kerax.optimizers``): Keras 3's algorithms and numbers, on JAX."""

from kerax.optimizers import schedules
from kerax.optimizers.adadelta import Adadelta
from kerax.optimizers.adafactor import Adafactor
from kerax.optimizers.adagrad import Adagrad
from kerax.optimizers.adam import Adam
from kerax.optimizers.adamax import Adamax
from kerax.optimizers.adamw import AdamW
from kerax.optimizers.ftrl import Ftrl
from kerax.optimizers.lamb import Lamb
from kerax.optimizers.lion import Lion
from kerax.optimizers.loss_scale_optimizer import LossScaleOptimizer
from kerax.optimizers.muon import Muon
from kerax.optimizers.nadam import Nadam
from kerax.optimizers.optax_optimizer import OptaxOptimizer
from kerax.optimizers.optimizer import Optimizer
from kerax.optimizers.rmsprop import RMSprop
from kerax.optimizers.schedule_free_adamw import ScheduleFreeAdamW
from kerax.optimizers.serialization import deserialize, get, serialize
from kerax.optimizers.sgd import SGD

__all__ = [
    "SGD",
    "Adadelta",
    "Adafactor",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "Ftrl",
    "Lamb",
    "Lion",
    "LossScaleOptimizer",
    "Muon",
    "Nadam",
    "OptaxOptimizer",
    "Optimizer",
    "RMSprop",
    "ScheduleFreeAdamW",
    "deserialize",
    "get",
    "schedules",
    "serialize",
]
