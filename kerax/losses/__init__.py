"""Losses: Keras 3's loss classes and functions, and their lookup by name."""

from kerax.losses.binary import (
    BinaryCrossentropy,
    BinaryFocalCrossentropy,
    binary_crossentropy,
    binary_focal_crossentropy,
)
from kerax.losses.categorical import (
    CategoricalCrossentropy,
    CategoricalFocalCrossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
)
from kerax.losses.hinge import (
    CategoricalHinge,
    Hinge,
    SquaredHinge,
    categorical_hinge,
    hinge,
    squared_hinge,
)
from kerax.losses.loss import Loss, LossFunctionWrapper
from kerax.losses.probabilistic import KLDivergence, Poisson, kl_divergence, poisson
from kerax.losses.regression import (
    CosineSimilarity,
    Huber,
    LogCosh,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    cosine_similarity,
    huber,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
)
from kerax.losses.segmentation import Dice, Tversky, dice, tversky
from kerax.losses.sequence import CTC, ctc
from kerax.losses.serialization import deserialize, get, serialize
from kerax.losses.similarity import Circle, circle
from kerax.losses.sparse import (
    CategoricalGeneralizedCrossEntropy,
    SparseCategoricalCrossentropy,
    categorical_generalized_cross_entropy,
    sparse_categorical_crossentropy,
)

# Short aliases that Keras resolves by name (``get("mse")``).
bce = BCE = binary_crossentropy
kld = KLD = kl_divergence
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
mse = MSE = mean_squared_error
msle = MSLE = mean_squared_logarithmic_error

__all__ = [
    "BCE",
    "CTC",
    "KLD",
    "MAE",
    "MAPE",
    "MSE",
    "MSLE",
    "BinaryCrossentropy",
    "BinaryFocalCrossentropy",
    "CategoricalCrossentropy",
    "CategoricalFocalCrossentropy",
    "CategoricalGeneralizedCrossEntropy",
    "CategoricalHinge",
    "Circle",
    "CosineSimilarity",
    "Dice",
    "Hinge",
    "Huber",
    "KLDivergence",
    "LogCosh",
    "Loss",
    "LossFunctionWrapper",
    "MeanAbsoluteError",
    "MeanAbsolutePercentageError",
    "MeanSquaredError",
    "MeanSquaredLogarithmicError",
    "Poisson",
    "SparseCategoricalCrossentropy",
    "SquaredHinge",
    "Tversky",
    "bce",
    "binary_crossentropy",
    "binary_focal_crossentropy",
    "categorical_crossentropy",
    "categorical_focal_crossentropy",
    "categorical_generalized_cross_entropy",
    "categorical_hinge",
    "circle",
    "cosine_similarity",
    "ctc",
    "deserialize",
    "dice",
    "get",
    "hinge",
    "huber",
    "kl_divergence",
    "kld",
    "log_cosh",
    "mae",
    "mape",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_error",
    "mean_squared_logarithmic_error",
    "mse",
    "msle",
    "poisson",
    "serialize",
    "sparse_categorical_crossentropy",
    "squared_hinge",
    "tversky",
]
