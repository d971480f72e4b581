"""Every loss function against an independent numpy (float64) formula."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
from loss_cases import CASES

from kerax import losses

EPS = 1e-7


def _bce(t, p, from_logits):
    if from_logits:
        p = 1.0 / (1.0 + np.exp(-p))
    p = np.clip(p, EPS, 1 - EPS)
    return -(t * np.log(p) + (1 - t) * np.log(1 - p))


def _probs(p, from_logits, axis):
    if from_logits:
        e = np.exp(p - p.max(axis=axis, keepdims=True))
        return e / e.sum(axis=axis, keepdims=True)
    return np.clip(p / p.sum(axis=axis, keepdims=True), EPS, 1 - EPS)


def _signed(t):
    return 2 * t - 1 if np.all((t == 0) | (t == 1)) else t


def _normalize(x, axis):
    return x / np.maximum(np.sqrt((x**2).sum(axis=axis, keepdims=True)), EPS)


def _ctc(labels, logits):
    """Brute force: sum the probability of every path that collapses to the label."""
    out = []
    for label, logit in zip(labels, logits):
        target = tuple(int(v) for v in label if v != 0)
        probs = np.exp(logit) / np.exp(logit).sum(-1, keepdims=True)
        total = 0.0
        for path in itertools.product(range(logit.shape[1]), repeat=logit.shape[0]):
            merged = [c for i, c in enumerate(path) if i == 0 or c != path[i - 1]]
            if tuple(c for c in merged if c != 0) == target:
                total += np.prod(probs[np.arange(len(path)), path])
        out.append(-np.log(total))
    return np.array(out)


def _circle(labels, emb, gamma=80, margin=0.4, remove_diagonal=True):
    dist = np.maximum(1 - emb @ emb.T, 0)
    out = []
    for i in range(len(labels)):
        pos = [j for j in range(len(labels)) if labels[j] == labels[i]]
        if remove_diagonal:
            pos = [j for j in pos if j != i]
        neg = [j for j in range(len(labels)) if labels[j] != labels[i]]
        s_p = [
            -gamma * max(margin + dist[i, j], 0) * (margin - dist[i, j]) for j in pos
        ]
        s_n = [
            gamma * max(1 + margin - dist[i, j], 0) * (1 - margin - dist[i, j])
            for j in neg
        ]
        lse_p = np.log(np.sum(np.exp(s_p))) if s_p else -np.inf
        lse_n = np.log(np.sum(np.exp(s_n))) if s_n else -np.inf
        out.append(np.logaddexp(0, lse_p + lse_n))
    return np.array(out)


def _sparse_ce(t, p, from_logits=False, ignore_class=None, axis=-1):
    logp = np.log(_probs(p, from_logits, axis))
    picked = np.take_along_axis(
        logp, np.expand_dims(np.where(t == ignore_class, 0, t), axis), axis
    )
    values = -np.squeeze(picked, axis)
    return np.where(t == ignore_class, 0.0, values)


def _smooth(t, ls, classes):
    return t * (1 - ls) + ls / classes


def reference(name, t, p, kw):
    """The per-sample values of loss ``name`` in float64."""
    t, p = np.asarray(t, "float64"), np.asarray(p, "float64")
    a = kw.get("axis", -1)
    ls = kw.get("label_smoothing", 0.0)
    logits = kw.get("from_logits", False)
    if name == "mean_squared_error":
        return ((t - p) ** 2).mean(-1)
    if name == "mean_absolute_error":
        return np.abs(t - p).mean(-1)
    if name == "mean_absolute_percentage_error":
        return 100 * (np.abs(t - p) / np.maximum(np.abs(t), EPS)).mean(-1)
    if name == "mean_squared_logarithmic_error":
        return (
            (np.log1p(np.maximum(p, EPS)) - np.log1p(np.maximum(t, EPS))) ** 2
        ).mean(-1)
    if name == "cosine_similarity":
        return -(_normalize(t, a) * _normalize(p, a)).sum(a)
    if name == "huber":
        d, e = kw.get("delta", 1.0), np.abs(p - t)
        return np.where(e <= d, 0.5 * e**2, d * e - 0.5 * d**2).mean(-1)
    if name == "log_cosh":
        return np.log(np.cosh(p - t)).mean(-1)
    if name == "hinge":
        return np.maximum(1 - _signed(t) * p, 0).mean(-1)
    if name == "squared_hinge":
        return (np.maximum(1 - _signed(t) * p, 0) ** 2).mean(-1)
    if name == "categorical_hinge":
        return np.maximum((p * (1 - t)).max(-1) - (p * t).sum(-1) + 1, 0)
    if name == "kl_divergence":
        tc, pc = np.clip(t, EPS, 1), np.clip(p, EPS, 1)
        return (tc * np.log(tc / pc)).sum(-1)
    if name == "poisson":
        return (p - t * np.log(p + EPS)).mean(-1)
    if name == "binary_crossentropy":
        return _bce(t * (1 - ls) + 0.5 * ls, p, logits).mean(a)
    if name == "binary_focal_crossentropy":
        t = t * (1 - ls) + 0.5 * ls
        q = 1 / (1 + np.exp(-p)) if logits else p
        p_t = t * q + (1 - t) * (1 - q)
        out = (1 - p_t) ** kw.get("gamma", 2.0) * _bce(t, q, False)
        if kw.get("apply_class_balancing"):
            alpha = kw.get("alpha", 0.25)
            out = (t * alpha + (1 - t) * (1 - alpha)) * out
        return out.mean(a)
    if name == "categorical_crossentropy":
        t = _smooth(t, ls, t.shape[a])
        return -(t * np.log(_probs(p, logits, a))).sum(a)
    if name == "categorical_focal_crossentropy":
        t, q = _smooth(t, ls, t.shape[a]), _probs(p, logits, a)
        q = np.clip(q / q.sum(a, keepdims=True), EPS, 1 - EPS)
        focal = kw.get("alpha", 0.25) * (1 - q) ** kw.get("gamma", 2.0)
        return (focal * -t * np.log(q)).sum(a)
    if name == "sparse_categorical_crossentropy":
        return _sparse_ce(t.astype(int), p, logits, kw.get("ignore_class"), a)
    if name == "categorical_generalized_cross_entropy":
        picked = np.take_along_axis(p, t.astype(int)[..., None], -1)[..., 0]
        return (1 - picked ** kw["q"]) / kw["q"]
    if name == "dice":
        ax = kw.get("axis")
        return 1 - 2 * (t * p).sum(ax) / (t.sum(ax) + p.sum(ax) + EPS)
    if name == "tversky":
        ax, alpha, beta = kw.get("axis"), kw.get("alpha", 0.5), kw.get("beta", 0.5)
        tp = (t * p).sum(ax)
        return 1 - tp / (
            tp + alpha * (t * (1 - p)).sum(ax) + beta * ((1 - t) * p).sum(ax) + EPS
        )
    if name == "ctc":
        return _ctc(t.astype(int), p)
    if name == "circle":
        return _circle(t.astype(int), p, **kw)
    raise KeyError(name)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_function_matches_numpy_formula(case, rng):
    y_true, y_pred = case.make(rng)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        got = getattr(losses, case.fn)(y_true, y_pred, **case.function_kwargs)
    want = reference(case.fn, y_true, y_pred, case.function_kwargs)
    np.testing.assert_allclose(np.asarray(got), want, rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize(
    "reduction", ["sum_over_batch_size", "sum", "mean_with_sample_weight"]
)
def test_class_reduction_matches_numpy(reduction, rng):
    y_true, y_pred = rng.normal(size=(2, 4, 3))
    weight = rng.uniform(0, 2, 4)
    per_sample = ((y_true - y_pred) ** 2).mean(-1) * weight
    want = {
        "sum": per_sample.sum(),
        "sum_over_batch_size": per_sample.mean(),
        "mean_with_sample_weight": per_sample.sum() / weight.sum(),
    }[reduction]
    got = losses.MeanSquaredError(reduction=reduction)(y_true, y_pred, weight)
    np.testing.assert_allclose(float(got), want, rtol=1e-5)


def test_ignore_class_mean_counts_only_valid_samples(rng):
    labels = np.array([0, 2, 1, 2])
    logits = rng.normal(size=(4, 3))
    per_sample = _sparse_ce(labels, logits, True, ignore_class=2)
    loss = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=2)
    np.testing.assert_allclose(
        float(loss(labels, logits)), per_sample.sum() / 2, rtol=1e-5
    )
