"""Shared test data for the loss tests: one case per loss configuration.

Each case names the kerax/Keras class and function, their keyword arguments,
and a generator of ``(y_true, y_pred)`` of batch 4 (3-D cases: batch 4 by 5
timesteps, so that per-timestep weights apply).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

B, T, D = 4, 5, 3


def _float(x: np.ndarray) -> np.ndarray:
    return np.asarray(x, "float32")


def _softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def regression(rng: np.random.Generator, shape=(B, D)) -> tuple:
    return _float(rng.normal(size=shape)), _float(rng.normal(size=shape))


def positive(rng: np.random.Generator, shape=(B, D)) -> tuple:
    return _float(rng.uniform(0.1, 2.0, shape)), _float(rng.uniform(0.1, 2.0, shape))


def percentage(rng: np.random.Generator, shape=(B, D)) -> tuple:
    y_true = rng.uniform(0.5, 2.0, shape) * rng.choice([-1, 1], shape)
    return _float(y_true), _float(rng.normal(size=shape))


def distributions(rng: np.random.Generator, shape=(B, D)) -> tuple:
    return (
        _float(_softmax(rng.normal(size=shape))),
        _float(_softmax(rng.normal(size=shape))),
    )


def signed_labels(rng: np.random.Generator, shape=(B, D)) -> tuple:
    return _float(rng.choice([-1.0, 1.0], shape)), _float(rng.normal(size=shape))


def binary_labels(rng: np.random.Generator, shape=(B, D)) -> tuple:
    return _float(rng.integers(0, 2, shape)), _float(rng.uniform(0.02, 0.98, shape))


def binary_logits(rng: np.random.Generator, shape=(B, D)) -> tuple:
    return _float(rng.integers(0, 2, shape)), _float(rng.normal(scale=3.0, size=shape))


def one_hot(rng: np.random.Generator, shape=(B, D)) -> tuple:
    labels = rng.integers(0, shape[-1], shape[:-1])
    y_true = np.eye(shape[-1])[labels]
    return _float(y_true), _float(_softmax(rng.normal(size=shape)))


def one_hot_logits(rng: np.random.Generator, shape=(B, D)) -> tuple:
    labels = rng.integers(0, shape[-1], shape[:-1])
    return _float(np.eye(shape[-1])[labels]), _float(rng.normal(scale=2, size=shape))


def one_hot_unnormalized(rng: np.random.Generator, shape=(B, D)) -> tuple:
    """Probabilities that do not sum to one and some beyond the clip range."""
    y_true, _ = one_hot(rng, shape)
    y_pred = rng.uniform(0.0, 2.0, shape)
    y_pred[0, 0] = 0.0
    return y_true, _float(y_pred)


def sparse(rng: np.random.Generator, shape=(B, D)) -> tuple:
    labels = rng.integers(0, shape[-1], shape[:-1])
    return labels.astype("int32"), _float(_softmax(rng.normal(size=shape)))


def sparse_logits(rng: np.random.Generator, shape=(B, D)) -> tuple:
    labels = rng.integers(0, shape[-1], shape[:-1])
    return labels.astype("int32"), _float(rng.normal(scale=2, size=shape))


def masks(rng: np.random.Generator, shape=(B, D)) -> tuple:
    return _float(rng.integers(0, 2, shape)), _float(rng.uniform(0, 1, shape))


def ctc_data(rng: np.random.Generator) -> tuple:
    labels = np.array([[1, 2, 0], [2, 2, 1], [1, 0, 0], [2, 1, 2]], "int32")
    return labels, _float(rng.normal(size=(B, 6, 3)))


def circle_data(rng: np.random.Generator) -> tuple:
    labels = np.array([0, 1, 0, 1], "int32")
    emb = rng.normal(size=(B, D))
    return labels, _float(emb / np.linalg.norm(emb, axis=1, keepdims=True))


@dataclass
class Case:
    """One loss configuration to test."""

    cls: str
    fn: str
    data: Callable[..., tuple]
    kwargs: dict[str, Any] = field(default_factory=dict)
    fn_kwargs: dict[str, Any] | None = None  # default: same as kwargs
    per_timestep: bool = True  # accepts 3-D data (per-timestep losses)
    square: bool = False  # reduces another axis than the last: use (B, B) data

    def make(self, rng: np.random.Generator) -> tuple:
        return self.data(rng, shape=(B, B)) if self.square else self.data(rng)

    @property
    def id(self) -> str:
        extra = ",".join(f"{k}={v}" for k, v in self.kwargs.items())
        return f"{self.cls}({extra})" if extra else self.cls

    @property
    def function_kwargs(self) -> dict[str, Any]:
        return dict(self.kwargs if self.fn_kwargs is None else self.fn_kwargs)


CASES = [
    Case("MeanSquaredError", "mean_squared_error", regression),
    Case("MeanAbsoluteError", "mean_absolute_error", regression),
    Case("MeanAbsolutePercentageError", "mean_absolute_percentage_error", percentage),
    Case("MeanSquaredLogarithmicError", "mean_squared_logarithmic_error", positive),
    Case("CosineSimilarity", "cosine_similarity", regression),
    Case(
        "CosineSimilarity",
        "cosine_similarity",
        regression,
        {"axis": 0},
        per_timestep=False,
        square=True,
    ),
    Case("Huber", "huber", regression),
    Case("Huber", "huber", regression, {"delta": 0.5}),
    Case("LogCosh", "log_cosh", regression),
    Case("Hinge", "hinge", signed_labels),
    Case("Hinge", "hinge", binary_logits),
    Case("SquaredHinge", "squared_hinge", signed_labels),
    Case("SquaredHinge", "squared_hinge", binary_logits),
    Case("CategoricalHinge", "categorical_hinge", one_hot_logits),
    Case("KLDivergence", "kl_divergence", distributions),
    Case("Poisson", "poisson", positive),
    Case("BinaryCrossentropy", "binary_crossentropy", binary_labels),
    Case(
        "BinaryCrossentropy",
        "binary_crossentropy",
        binary_logits,
        {"from_logits": True},
    ),
    Case(
        "BinaryCrossentropy",
        "binary_crossentropy",
        binary_labels,
        {"label_smoothing": 0.2},
    ),
    Case(
        "BinaryCrossentropy",
        "binary_crossentropy",
        binary_logits,
        {"from_logits": True, "label_smoothing": 0.1, "axis": 0},
        per_timestep=False,
        square=True,
    ),
    Case("BinaryFocalCrossentropy", "binary_focal_crossentropy", binary_labels),
    Case(
        "BinaryFocalCrossentropy",
        "binary_focal_crossentropy",
        binary_logits,
        {"from_logits": True, "apply_class_balancing": True, "alpha": 0.3},
    ),
    Case(
        "BinaryFocalCrossentropy",
        "binary_focal_crossentropy",
        binary_labels,
        {"gamma": 1.5, "label_smoothing": 0.1},
    ),
    Case("CategoricalCrossentropy", "categorical_crossentropy", one_hot),
    Case(
        "CategoricalCrossentropy",
        "categorical_crossentropy",
        one_hot_unnormalized,
    ),
    Case(
        "CategoricalCrossentropy",
        "categorical_crossentropy",
        one_hot_logits,
        {"from_logits": True},
    ),
    Case(
        "CategoricalCrossentropy",
        "categorical_crossentropy",
        one_hot_logits,
        {"from_logits": True, "label_smoothing": 0.2},
    ),
    Case(
        "CategoricalCrossentropy",
        "categorical_crossentropy",
        one_hot,
        {"label_smoothing": 0.1},
    ),
    Case("CategoricalFocalCrossentropy", "categorical_focal_crossentropy", one_hot),
    Case(
        "CategoricalFocalCrossentropy",
        "categorical_focal_crossentropy",
        one_hot_logits,
        {"from_logits": True, "alpha": 0.5, "gamma": 3.0, "label_smoothing": 0.1},
    ),
    Case(
        "SparseCategoricalCrossentropy",
        "sparse_categorical_crossentropy",
        sparse,
    ),
    Case(
        "SparseCategoricalCrossentropy",
        "sparse_categorical_crossentropy",
        sparse_logits,
        {"from_logits": True},
    ),
    Case(
        "SparseCategoricalCrossentropy",
        "sparse_categorical_crossentropy",
        sparse_logits,
        {"from_logits": True, "ignore_class": 1},
    ),
    Case(
        "CategoricalGeneralizedCrossEntropy",
        "categorical_generalized_cross_entropy",
        sparse,
        {"q": 0.5},
    ),
    Case(
        "CategoricalGeneralizedCrossEntropy",
        "categorical_generalized_cross_entropy",
        sparse,
        {"q": 0.2},
        per_timestep=False,
    ),
    Case("Dice", "dice", masks),
    Case("Dice", "dice", masks, {"axis": -1}),
    Case("Tversky", "tversky", masks, {"alpha": 0.3, "beta": 0.7}),
    Case("Tversky", "tversky", masks, {"axis": (1,)}, per_timestep=False),
    Case("CTC", "ctc", ctc_data, per_timestep=False),
    Case("Circle", "circle", circle_data, per_timestep=False),
    Case(
        "Circle",
        "circle",
        circle_data,
        {"gamma": 4.0, "margin": 0.25, "remove_diagonal": False},
        per_timestep=False,
    ),
]
