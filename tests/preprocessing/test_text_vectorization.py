"""TextVectorization without TensorFlow: Keras's documented outputs and
hand-made expectations (Keras itself needs TensorFlow for this layer)."""

from __future__ import annotations

import numpy as np
import pytest

import kerax
from kerax.layers import TextVectorization


def test_documented_int_outputs():
    layer = TextVectorization(max_tokens=5000, output_sequence_length=4)
    layer.adapt(["foo bar", "bar baz", "baz bada boom"])
    np.testing.assert_array_equal(
        layer([["foo qux bar"], ["qux baz"]]), [[4, 1, 3, 0], [1, 2, 0, 0]]
    )
    given = TextVectorization(
        output_sequence_length=4, vocabulary=["earth", "wind", "and", "fire"]
    )
    assert given.get_vocabulary() == ["", "[UNK]", "earth", "wind", "and", "fire"]
    np.testing.assert_array_equal(given(["Earth, wind & FIRE!!"]), [[2, 3, 5, 0]])


def test_standardize_split_and_ngrams():
    layer = TextVectorization()
    layer.adapt(np.array(["The cat sat.", "the dog"]))
    assert layer.get_vocabulary() == ["", "[UNK]", "the", "sat", "dog", "cat"]
    np.testing.assert_array_equal(
        layer(["The CAT ran!", "dog"]), [[2, 5, 1], [4, 0, 0]]
    )
    # only ASCII is lowercased, as tf.strings.lower
    lower = TextVectorization(standardize="lower", split=None)
    lower.adapt(["ÉA b", "éa B", "c"])
    assert lower.get_vocabulary() == ["", "[UNK]", "éa b", "Éa b", "c"]
    chars = TextVectorization(split="character", standardize=None, output_mode="count")
    chars.adapt(["abca"])
    assert chars.get_vocabulary() == ["[UNK]", "a", "c", "b"]
    np.testing.assert_array_equal(chars(["aab"]), [[0, 2, 0, 1]])
    bigrams = TextVectorization(output_mode="multi_hot", ngrams=2)
    bigrams.adapt(["a b c", "a b"])
    assert bigrams.get_vocabulary() == ["[UNK]", "b", "a b", "a", "c", "b c"]
    np.testing.assert_array_equal(
        bigrams(["a b c", "c a"]), [[0, 1, 1, 1, 1, 1], [1, 0, 0, 1, 1, 0]]
    )
    custom = TextVectorization(
        standardize=lambda texts: np.char.upper(texts),
        split=lambda texts: [t.split("-") for t in texts],
        vocabulary=["A", "B"],
    )
    np.testing.assert_array_equal(custom(["a-b-x"]), [[2, 3, 1]])
    widths = TextVectorization(ngrams=(2,), split="whitespace", vocabulary=["a b"])
    np.testing.assert_array_equal(widths(["a b a", "a"]), [[2, 1], [0, 0]])


def test_tf_idf_and_padding_to_max_tokens():
    layer = TextVectorization(
        output_mode="tf_idf", max_tokens=6, pad_to_max_tokens=True
    )
    layer.adapt(["a b c", "a b", "a"])
    assert layer.get_vocabulary() == ["[UNK]", "a", "b", "c"]
    idf = np.log(1 + 3 / (1 + np.array([3.0, 2.0, 1.0])))
    out = np.asarray(layer(["a b c a", "zz"]))
    expected = np.zeros((2, 6), "float32")
    expected[0, 1:4] = [2 * idf[0], idf[1], idf[2]]
    expected[1, 0] = idf.mean()
    np.testing.assert_allclose(out, expected, rtol=1e-6)


def test_adapt_on_batches_truncation_and_config():
    def batches():
        yield np.array(["one two", "two three"]), np.zeros(2)
        yield np.array(["three three"]), np.zeros(1)

    layer = TextVectorization(max_tokens=4, output_sequence_length=2)
    layer.adapt(batches())
    assert layer.get_vocabulary() == ["", "[UNK]", "three", "two"]
    np.testing.assert_array_equal(layer(["two three one"]), [[3, 2]])
    assert layer.vocabulary_size() == 4
    config = layer.get_config()
    assert config["vocabulary"] is None and config["vocabulary_size"] == 4
    clone = TextVectorization.from_config(
        {**config, "vocabulary": layer.get_vocabulary()}
    )
    np.testing.assert_array_equal(clone(["two three one"]), [[3, 2]])
    assert TextVectorization.from_config({**config, "ngrams": [1, 2]})._ngrams == (1, 2)


def test_feeds_a_model_trained_with_fit():
    texts = np.array(["good movie", "bad movie", "good good", "bad film"])
    labels = np.array([[1.0], [0.0], [1.0], [0.0]], "float32")
    vectorize = TextVectorization(output_mode="multi_hot")
    vectorize.adapt(texts)
    features = np.asarray(vectorize(texts))
    model = kerax.Sequential(
        [kerax.Input((vectorize.vocabulary_size(),)), kerax.layers.Dense(1)]
    )
    model.compile("sgd", "mse")
    history = model.fit(features, labels, epochs=3, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_errors():
    with pytest.raises(ValueError, match="standardize"):
        TextVectorization(standardize="upper")
    with pytest.raises(ValueError, match="split"):
        TextVectorization(split="comma")
    with pytest.raises(ValueError, match="ngrams"):
        TextVectorization(ngrams="2")
    with pytest.raises(ValueError, match="output_sequence_length"):
        TextVectorization(output_mode="count", output_sequence_length=3)
    with pytest.raises(ValueError, match="ragged"):
        TextVectorization(ragged=True)
    with pytest.raises(TypeError, match="strings"):
        TextVectorization(vocabulary=["a"])(np.array([1, 2]))
    with pytest.raises(ValueError, match="last dimension"):
        TextVectorization(vocabulary=["a"])([["a", "b"]])
    with pytest.raises(TypeError, match="string"):
        TextVectorization()(kerax.Input((1,)))
