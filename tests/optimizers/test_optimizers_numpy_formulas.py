"""Each algorithm against an independent float64 numpy version of its formula."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax.numpy as jnp
import numpy as np
import pytest
from optimizer_harness import GRADIENTS, INITIAL

import kerax
import kerax.optimizers

LR, EPS = 0.1, 1e-7


def _sgd(w, g, t, s):  # momentum 0.9, Nesterov
    s["v"] = 0.9 * s.get("v", 0.0) - LR * g
    return w + 0.9 * s["v"] - LR * g


def _adam(w, g, t, s):  # AMSGrad
    s["m"] = 0.9 * s.get("m", 0.0) + 0.1 * g
    s["v"] = 0.999 * s.get("v", 0.0) + 0.001 * g**2
    s["vhat"] = np.maximum(s.get("vhat", 0.0), s["v"])
    alpha = LR * np.sqrt(1 - 0.999**t) / (1 - 0.9**t)
    return w - alpha * s["m"] / (np.sqrt(s["vhat"]) + EPS)


def _rmsprop(w, g, t, s):  # centered, momentum 0.5
    s["v"] = 0.9 * s.get("v", 0.0) + 0.1 * g**2
    s["mg"] = 0.9 * s.get("mg", 0.0) + 0.1 * g
    step = LR * g / np.sqrt(s["v"] - s["mg"] ** 2 + EPS)
    s["mom"] = 0.5 * s.get("mom", 0.0) + step
    return w - s["mom"]


def _adagrad(w, g, t, s):
    s["acc"] = s.get("acc", 0.1) + g**2
    return w - LR * g / np.sqrt(s["acc"] + EPS)


def _adadelta(w, g, t, s):
    s["eg"] = 0.95 * s.get("eg", 0.0) + 0.05 * g**2
    delta = -np.sqrt(s.get("edx", 0.0) + EPS) / np.sqrt(s["eg"] + EPS) * g
    s["edx"] = 0.95 * s.get("edx", 0.0) + 0.05 * delta**2
    return w + LR * delta


def _adamax(w, g, t, s):
    s["m"] = 0.9 * s.get("m", 0.0) + 0.1 * g
    s["u"] = np.maximum(0.999 * s.get("u", 0.0), np.abs(g))
    return w - LR / (1 - 0.9**t) * s["m"] / (s["u"] + EPS)


def _nadam(w, g, t, s):
    mu = lambda k: 0.9 * (1 - 0.5 * 0.96**k)  # noqa: E731
    s["prod"] = s.get("prod", 1.0) * mu(t)
    s["m"] = 0.9 * s.get("m", 0.0) + 0.1 * g
    s["v"] = 0.999 * s.get("v", 0.0) + 0.001 * g**2
    m_hat = mu(t + 1) * s["m"] / (1 - s["prod"] * mu(t + 1)) + (1 - mu(t)) * g / (
        1 - s["prod"]
    )
    v_hat = s["v"] / (1 - 0.999**t)
    return w - LR * m_hat / (np.sqrt(v_hat) + EPS)


def _ftrl(w, g, t, s):  # l1 = 0.05, l2 = 0.02, power -0.5
    n = s.get("n", 0.1)
    s["n"] = n + g**2
    sigma = (np.sqrt(s["n"]) - np.sqrt(n)) / LR
    s["z"] = s.get("z", 0.0) + g - sigma * w
    quadratic = np.sqrt(s["n"]) / LR + 2 * 0.02
    shrunk = np.sign(s["z"]) * 0.05 - s["z"]
    return np.where(np.abs(s["z"]) > 0.05, shrunk / quadratic, 0.0)


def _lion(w, g, t, s):
    m = s.get("m", 0.0)
    s["m"] = 0.99 * m + 0.01 * g
    return w - LR * np.sign(0.9 * m + 0.1 * g)


def _lamb(w, g, t, s):
    s["m"] = 0.9 * s.get("m", 0.0) + 0.1 * g
    s["v"] = 0.999 * s.get("v", 0.0) + 0.001 * g**2
    u = (s["m"] / (1 - 0.9**t)) / (np.sqrt(s["v"] / (1 - 0.999**t)) + EPS)
    return w - LR * np.linalg.norm(w) / np.linalg.norm(u) * u


def _adafactor(w, g, t, s):  # a matrix: factored second moment
    rms = lambda x: np.sqrt(np.mean(x**2))  # noqa: E731
    alpha = max(1e-3, rms(w)) * min(LR, 1 / np.sqrt(t))
    g2 = g**2 + 1e-30
    beta = 1 - t**-0.8
    s["r"] = beta * s.get("r", 0.0) + (1 - beta) * g2.mean(axis=1)
    s["c"] = beta * s.get("c", 0.0) + (1 - beta) * g2.mean(axis=0)
    v = np.outer(s["r"] / s["r"].mean(), s["c"])
    u = g / np.sqrt(v)
    return w - alpha * u / max(1.0, rms(u))


def _muon(w, g, t, s):  # a 3x2 matrix: decoupled decay, then orthogonalized step
    w = w - w * 0.004 * LR
    s["m"] = 0.95 * s.get("m", 0.0) + g
    x = (g + 0.95 * s["m"]).T  # tall: iterate on the wide transpose
    x = x / (np.linalg.norm(x) + 1e-7)
    for _ in range(5):
        gram = x @ x.T
        x = 3.4445 * x + (-4.7750 * gram + 2.0315 * gram @ gram) @ x
    return w - LR * x.T * np.sqrt(3) * 0.2


def _schedule_free(w, g, t, s):  # z takes Adam-like steps, x averages z
    z, x = s.get("z", w), s.get("x", w)
    s["v"] = 0.999 * s.get("v", 0.0) + 0.001 * g**2
    s["z"] = z - LR * g / (np.sqrt(s["v"] / (1 - 0.999**t)) + 1e-8)
    s["x"] = (1 - 1 / t) * x + s["z"] / t
    return 0.1 * s["z"] + 0.9 * s["x"]


REFERENCES: list[tuple[str, dict[str, Any], Callable[..., Any], int]] = [
    ("SGD", {"momentum": 0.9, "nesterov": True}, _sgd, 1),
    ("Adam", {"amsgrad": True}, _adam, 1),
    ("RMSprop", {"centered": True, "momentum": 0.5}, _rmsprop, 1),
    ("Adagrad", {}, _adagrad, 1),
    ("Adadelta", {}, _adadelta, 1),
    ("Adamax", {}, _adamax, 1),
    ("Nadam", {}, _nadam, 1),
    (
        "Ftrl",
        {"l1_regularization_strength": 0.05, "l2_regularization_strength": 0.02},
        _ftrl,
        1,
    ),
    ("Lion", {}, _lion, 1),
    ("Lamb", {}, _lamb, 1),
    ("ScheduleFreeAdamW", {}, _schedule_free, 1),
    ("Adafactor", {}, _adafactor, 0),
    ("Muon", {}, _muon, 0),
]


@pytest.mark.parametrize(
    ("name", "options", "reference", "which"),
    REFERENCES,
    ids=[r[0] for r in REFERENCES],
)
def test_matches_numpy_formula(
    name: str, options: dict[str, Any], reference: Callable[..., Any], which: int
) -> None:
    """``which`` picks the vector (1) or, for matrix rules, the matrix (0)."""
    optimizer = getattr(kerax.optimizers, name)(learning_rate=LR, **options)
    variable = kerax.Variable(INITIAL[which], name="w")
    w, state = INITIAL[which].astype("float64"), {}
    for t, grads in enumerate(GRADIENTS, start=1):
        optimizer.apply([jnp.asarray(grads[which])], [variable])
        w = reference(w, grads[which].astype("float64"), t, state)
        np.testing.assert_allclose(variable.numpy(), w, rtol=2e-5, atol=2e-6)
