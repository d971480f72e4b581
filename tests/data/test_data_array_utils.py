"""to_categorical, normalize and pad_sequences against Keras and numpy formulas."""

from __future__ import annotations

import doctest

import jax.numpy as jnp
import keras
import numpy as np
import pytest

from kerax.utils import numerical_utils, sequence_utils
from kerax.utils.numerical_utils import normalize, to_categorical
from kerax.utils.sequence_utils import pad_sequences


@pytest.mark.parametrize(
    "labels, num_classes",
    [
        ([0, 1, 2, 3], None),
        ([0, 1, 2, 3], 6),
        (np.array([[1], [0], [2]]), None),
        (np.array([[0, 1], [2, 1]]), 4),
        (np.array([1.0, 0.0]), 3),
    ],
)
def test_to_categorical_matches_keras(labels, num_classes):
    ours = to_categorical(labels, num_classes)
    theirs = keras.utils.to_categorical(labels, num_classes)
    assert ours.dtype == theirs.dtype == np.float64
    np.testing.assert_array_equal(ours, theirs)


def test_to_categorical_jax_input_stays_jax():
    ours = to_categorical(jnp.asarray([[2], [0]]), 3)
    assert not isinstance(ours, np.ndarray) and ours.dtype == jnp.float32
    np.testing.assert_array_equal(np.asarray(ours), [[0, 0, 1], [1, 0, 0]])


def test_to_categorical_bad_labels():
    with pytest.raises(ValueError, match=r"labels must be in \[0, 2\)"):
        to_categorical([0, 2], 2)
    with pytest.raises(ValueError, match="integer class labels"):
        to_categorical([0.5, 1.0])


@pytest.mark.parametrize("order", [1, 2, np.inf])
@pytest.mark.parametrize("axis", [-1, 1])
def test_normalize_matches_keras(order, axis):
    x = np.random.default_rng(0).normal(size=(4, 5))
    x[1] = 0.0
    ours = normalize(x, axis=axis, order=order)
    np.testing.assert_allclose(ours, keras.utils.normalize(x, axis=axis, order=order))
    norms = np.linalg.norm(x, ord=order, axis=1, keepdims=True)
    np.testing.assert_allclose(ours, x / np.where(norms == 0, 1, norms))


def test_normalize_other_axes_and_jax_input():
    x = np.random.default_rng(1).normal(size=(3, 4, 2)).astype("float32")
    expected = x / np.linalg.norm(x, axis=0, keepdims=True)
    np.testing.assert_allclose(normalize(x, axis=0), expected, rtol=1e-6)
    jax_out = normalize(jnp.asarray(x), axis=0)
    assert not isinstance(jax_out, np.ndarray)
    np.testing.assert_allclose(np.asarray(jax_out), expected, rtol=1e-5)


SEQUENCES = [[1, 2, 3, 4], [5, 6], [], [7]]


@pytest.mark.parametrize("maxlen", [None, 2, 3, 6])
@pytest.mark.parametrize("padding", ["pre", "post"])
@pytest.mark.parametrize("truncating", ["pre", "post"])
def test_pad_sequences_matches_keras(maxlen, padding, truncating):
    kw = dict(maxlen=maxlen, padding=padding, truncating=truncating, value=-1)
    ours = pad_sequences(SEQUENCES, **kw)
    theirs = keras.utils.pad_sequences(SEQUENCES, **kw)
    assert ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize(
    "sequences, kw",
    [
        ([np.ones((3, 2)), np.zeros((1, 2))], dict(dtype="float32", value=0.5)),
        ([["a", "b"], ["c"]], dict(dtype=object, value="<pad>")),
        ([["ab", "c"], ["d"]], dict(dtype="<U2", value="")),
        ([[1.5, 2.5], [3.5]], dict(dtype="float64", maxlen=1)),
        ([np.arange(3), np.arange(5)], dict(dtype="int64", padding="post")),
    ],
)
def test_pad_sequences_dtypes_and_step_shapes_match_keras(sequences, kw):
    ours = pad_sequences(sequences, **kw)
    theirs = keras.utils.pad_sequences(sequences, **kw)
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    np.testing.assert_array_equal(ours, theirs)


def test_pad_sequences_errors():
    with pytest.raises(ValueError, match='padding must be "pre" or "post"'):
        pad_sequences([[1]], padding="middle")
    with pytest.raises(ValueError, match='truncating must be "pre" or "post"'):
        pad_sequences([[1]], truncating="both")
    with pytest.raises(ValueError, match="entry at position 1 is 3"):
        pad_sequences([[1], 3])
    with pytest.raises(ValueError, match="use dtype=object"):
        pad_sequences([["a"]], value="x")
    with pytest.raises(ValueError, match=r"position 1 have shape \(3,\)"):
        pad_sequences([np.ones((2, 2)), np.ones((2, 3))], dtype="float32")
    with pytest.raises(ValueError, match="must be a list of sequences"):
        pad_sequences(5)


def test_docstring_examples():
    for module in (numerical_utils, sequence_utils):
        result = doctest.testmod(module, extraglobs={"np": np})
        assert result.attempted > 0 and result.failed == 0
