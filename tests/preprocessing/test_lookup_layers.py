"""StringLookup and IntegerLookup. Keras needs TensorFlow for them, so the
expectations are Keras's documented outputs and hand-made tables."""

from __future__ import annotations

import jax
import numpy as np
import pytest

import kerax
from kerax.layers import IntegerLookup, StringLookup

VOCAB = ["a", "b", "c", "d"]
DATA = [["a", "c", "d"], ["d", "z", "b"]]
TOKENS = [["a", "c", "d", "d"], ["d", "z", "b", "z"]]
INT_VOCAB = [12, 36, 1138, 42]
INT_DATA = np.array([[12, 1138, 42], [42, 1000, 36]])


@pytest.mark.parametrize(
    "kwargs, data, expected",
    [
        ({}, DATA, [[1, 3, 4], [4, 0, 2]]),
        (
            {"num_oov_indices": 2},
            [["a", "c", "d"], ["m", "z", "b"]],
            [[2, 4, 5], [0, 1, 3]],
        ),
        ({"mask_token": ""}, [["a", "", ""], ["d", "z", "b"]], [[2, 0, 0], [5, 1, 3]]),
        (
            {"output_mode": "one_hot"},
            ["a", "b", "z"],
            [[0, 1, 0, 0, 0], [0, 0, 1, 0, 0], [1, 0, 0, 0, 0]],
        ),
        ({"output_mode": "multi_hot"}, TOKENS, [[0, 1, 0, 1, 1], [1, 0, 1, 0, 1]]),
        ({"output_mode": "count"}, TOKENS, [[0, 1, 0, 1, 2], [2, 0, 1, 0, 1]]),
        (
            {"output_mode": "multi_hot", "mask_token": ""},
            [["a", "", ""], ["d", "z", "b"]],
            [[0, 1, 0, 0, 0], [1, 0, 1, 0, 1]],
        ),
        (
            {"output_mode": "count", "pad_to_max_tokens": True, "max_tokens": 7},
            [["a", "a"]],
            [[0, 2, 0, 0, 0, 0, 0]],
        ),
    ],
)
def test_string_lookup_documented_outputs(kwargs, data, expected):
    out = StringLookup(vocabulary=VOCAB, **kwargs)(data)
    np.testing.assert_array_equal(out, expected)


def test_string_lookup_adapt_tf_idf_and_invert():
    layer = StringLookup()
    layer.adapt(DATA)
    assert layer.get_vocabulary() == ["[UNK]", "d", "z", "c", "b", "a"]
    np.testing.assert_array_equal(layer(DATA), [[5, 3, 1], [1, 2, 4]])
    tf_idf = StringLookup(output_mode="tf_idf")
    tf_idf.set_vocabulary(VOCAB, idf_weights=[0.25, 0.75, 0.6, 0.4])
    np.testing.assert_allclose(
        tf_idf(TOKENS), [[0, 0.25, 0, 0.6, 0.8], [1.0, 0, 0.75, 0, 0.4]], rtol=1e-6
    )
    tf_idf.set_vocabulary(["[UNK]", *VOCAB], idf_weights=[0.9, 0.25, 0.75, 0.6, 0.4])
    np.testing.assert_allclose(
        tf_idf(TOKENS), [[0, 0.25, 0, 0.6, 0.8], [1.8, 0, 0.75, 0, 0.4]], rtol=1e-6
    )
    inverse = StringLookup(vocabulary=VOCAB, invert=True)
    restored = inverse(StringLookup(vocabulary=VOCAB)(DATA))
    np.testing.assert_array_equal(restored, [["a", "c", "d"], ["d", "[UNK]", "b"]])
    adapted = StringLookup(output_mode="tf_idf")
    documents = [["x", "y", "x"], ["x", "z", ""]]
    adapted.adapt(documents)
    idf = np.log(1 + 2 / (1 + np.array([2.0, 1.0, 1.0, 1.0])))  # x, z, y, ""
    assert adapted.get_vocabulary() == ["[UNK]", "x", "z", "y", ""]
    np.testing.assert_allclose(adapted.idf_weights, [idf.mean(), *idf], rtol=1e-6)


def test_string_lookup_max_tokens_bytes_and_file(tmp_path):
    layer = StringLookup(max_tokens=3)
    layer.adapt(np.array([b"x", b"y", b"y", b"z", b"z", b"z"]))
    assert layer.get_vocabulary() == ["[UNK]", "z", "y"]
    assert layer.get_vocabulary(include_special_tokens=False) == ["z", "y"]
    assert layer.vocabulary_size() == 3
    path = tmp_path / "vocab.txt"
    path.write_text("a\nb\nc\n")
    np.testing.assert_array_equal(
        StringLookup(vocabulary=str(path))(["c", "q"]), [3, 0]
    )
    layer.save_assets(str(tmp_path))
    fresh = StringLookup(max_tokens=3)
    fresh.load_assets(str(tmp_path))
    assert fresh.get_vocabulary() == layer.get_vocabulary()


@pytest.mark.parametrize(
    "kwargs, data, expected",
    [
        ({}, INT_DATA, [[1, 3, 4], [4, 0, 2]]),
        (
            {"num_oov_indices": 2},
            [[12, 1138, 42], [37, 1000, 36]],
            [[2, 4, 5], [1, 0, 3]],
        ),
        ({"mask_token": 0}, [[12, 0, 42]], [[2, 0, 5]]),
        ({"output_mode": "multi_hot"}, [[12, 1138, 1138, 42]], [[0, 1, 0, 1, 1]]),
        ({"invert": True}, [[1, 3, 4], [4, 0, 2]], [[12, 1138, 42], [42, -1, 36]]),
    ],
)
def test_integer_lookup_host_and_jit(kwargs, data, expected):
    layer = IntegerLookup(vocabulary=INT_VOCAB, **kwargs)
    np.testing.assert_array_equal(layer(data), expected)
    np.testing.assert_array_equal(jax.jit(layer)(np.asarray(data)), expected)


def test_integer_lookup_adapt_farmhash_and_errors():
    layer = IntegerLookup()
    layer.adapt(np.array([[12, 1138, 42], [42, 1138, 1138]]))
    assert layer.get_vocabulary() == [-1, 1138, 42, 12]
    hashed = IntegerLookup(
        vocabulary=INT_VOCAB, num_oov_indices=2, oov_method="farmhash"
    )
    expected = [[2, 0, 1]]  # FarmHash("7") % 2 = 0, FarmHash("8") % 2 = 1
    np.testing.assert_array_equal(hashed([[12, 7, 8]]), expected)
    np.testing.assert_array_equal(jax.jit(hashed)(np.array([[12, 7, 8]])), expected)
    with pytest.raises(ValueError, match="OOV values"):
        IntegerLookup(vocabulary=INT_VOCAB, num_oov_indices=0)([[12, 7]])
    with pytest.raises(ValueError, match="repeated"):
        IntegerLookup(vocabulary=[1, 1])
    with pytest.raises(ValueError, match="mask"):
        IntegerLookup(vocabulary=[0, 1], mask_token=0)
    with pytest.raises(ValueError, match="max_tokens"):
        IntegerLookup(vocabulary=[1, 2, 3], max_tokens=3)
    with pytest.raises(ValueError, match="Cannot adapt"):
        IntegerLookup(vocabulary=[1]).adapt([[1]])
    with pytest.raises(ValueError, match="salt"):
        IntegerLookup(salt=3)
    with pytest.raises(ValueError, match="invert"):
        IntegerLookup(invert=True, output_mode="count")
    with pytest.raises(TypeError, match="integer"):
        IntegerLookup(vocabulary=[1])(np.array([1.5]))
    with pytest.raises(RuntimeError, match="vocabulary"):
        StringLookup(output_mode="multi_hot")(["a"])


def test_integer_lookup_in_a_trained_model_and_configs():
    lookup = IntegerLookup(vocabulary=INT_VOCAB)
    inputs = kerax.Input((3,), dtype="int32")
    x = kerax.layers.Embedding(lookup.vocabulary_size(), 2)(lookup(inputs))
    model = kerax.Model(inputs, kerax.layers.Dense(1)(kerax.layers.Flatten()(x)))
    model.compile("sgd", "mse")
    model.fit(INT_DATA, np.ones((2, 1)), epochs=2, verbose=0)
    assert model.predict(INT_DATA, verbose=0).shape == (2, 1)
    config = lookup.get_config()
    assert config["vocabulary"] == INT_VOCAB and config["vocabulary_size"] == 5
    clone = IntegerLookup.from_config(config)
    np.testing.assert_array_equal(clone(INT_DATA), lookup(INT_DATA))
    string_config = StringLookup(vocabulary=VOCAB, mask_token="").get_config()
    assert "vocabulary_dtype" not in string_config
    assert string_config["encoding"] == "utf-8"
    assert StringLookup.from_config(string_config).get_vocabulary()[:2] == ["", "[UNK]"]
