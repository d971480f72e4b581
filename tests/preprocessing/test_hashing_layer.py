"""Hashing: FarmHash/SipHash test vectors and the bins Keras (TensorFlow)
gives; Keras cannot run this layer without TensorFlow, so the expectations
are published values."""

from __future__ import annotations

import jax
import numpy as np
import pytest

import kerax
from kerax.layers.preprocessing._hash_functions import fingerprint64, siphash24

# FarmHash Fingerprint64 reference values, one per code path (length 0-16,
# 17-32, 33-64, over 64).
FARMHASH = [
    ("", 0x9AE16A3B2F90404F),
    ("a", 0xB3454265B6DF75E3),
    ("abcdefgh", 0xFEE9D22990C82909),
    ("0123456789=012345", 0x46A7416ED4861E3B),
    ("Discard medicine more than two years old.", 0xE8F89AB6DF9BDD25),
    (
        "For every action there is an equal and opposite government program.",
        0x55182F8859ECA4CE,
    ),
    (
        "The fugacity of a constituent in a mixture of gases at a given temperature "
        "is proportional to its mole fraction.  Lewis-Randall Rule",
        0x098EFF6958C5E91A,
    ),
]
WORDS = [["omar"], ["stringer"], ["marlo"], ["wire"], ["skywalker"]]


@pytest.mark.parametrize("text, expected", FARMHASH)
def test_fingerprint64_reference_values(text, expected):
    assert fingerprint64(text.encode()) == expected


def test_siphash_reference_values():
    key = (0x0706050403020100, 0x0F0E0D0C0B0A0908)
    assert siphash24(b"", *key) == 0x726FDB47DD0E0E31
    assert siphash24(bytes(range(15)), *key) == 0xA129CA6149BE45E5


@pytest.mark.parametrize(
    "kwargs, inputs, expected",
    [
        ({}, [["A"], ["B"], ["C"], ["D"], ["E"]], [[1], [0], [1], [1], [2]]),
        (
            {"mask_value": ""},
            [["A"], ["B"], [""], ["C"], ["D"]],
            [[1], [1], [0], [2], [2]],
        ),
        (
            {"salt": [133, 137]},
            [["A"], ["B"], ["C"], ["D"], ["E"]],
            [[1], [2], [1], [0], [2]],
        ),
        ({"salt": 133}, [["A"], ["B"], ["C"], ["D"], ["E"]], [[0], [0], [2], [1], [0]]),
        ({}, ["Hello", "TensorFlow", "2.x"], [0, 2, 2]),
        ({"num_bins": 2}, WORDS, [[0], [0], [1], [0], [0]]),
        ({"mask_value": "omar"}, WORDS, [[0], [1], [2], [1], [1]]),
        ({"num_bins": 2, "salt": [211, 137]}, WORDS, [[1], [0], [1], [0], [1]]),
        ({}, np.array([[0], [1], [2], [3], [4]]), [[1], [0], [1], [0], [2]]),
        ({"salt": [133, 137]}, [[0], [1], [2], [3], [4]], [[1], [1], [2], [0], [1]]),
        ({"num_bins": 1}, WORDS, [[0]] * 5),
        ({}, np.array([b"A", b"B"]), [1, 0]),
    ],
)
def test_bins_match_keras(kwargs, inputs, expected):
    kwargs = {"num_bins": 3, **kwargs}
    out = kerax.layers.Hashing(**kwargs)(inputs)
    np.testing.assert_array_equal(out, expected)


def test_floats_are_truncated_and_output_modes():
    layer = kerax.layers.Hashing(3)
    np.testing.assert_array_equal(layer(np.array([0.2, 1.9, 4.5])), [1, 0, 2])
    one_hot = kerax.layers.Hashing(3, output_mode="one_hot")(np.array([[0], [1]]))
    np.testing.assert_array_equal(one_hot, [[0, 1, 0], [1, 0, 0]])
    counts = kerax.layers.Hashing(3, output_mode="count")(np.array([[0, 2, 4, 4]]))
    np.testing.assert_array_equal(counts, [[0, 2, 2]])
    assert counts.dtype == np.float32


def test_runs_in_jit_through_a_host_callback_and_in_a_model():
    layer = kerax.layers.Hashing(3)
    x = np.array([[0], [1], [2], [3], [4]])
    np.testing.assert_array_equal(jax.jit(layer)(x), [[1], [0], [1], [0], [2]])
    inputs = kerax.Input((1,), dtype="int32")
    outputs = kerax.layers.Embedding(3, 2)(kerax.layers.Hashing(3)(inputs))
    model = kerax.Model(inputs, outputs)
    assert model.predict(x, verbose=0).shape == (5, 1, 2)


def test_config_and_errors():
    layer = kerax.layers.Hashing(5, mask_value="", salt=7, output_mode="multi_hot")
    config = layer.get_config()
    assert config["salt"] == [7, 7] and config["dtype"]["config"]["name"] == "float32"
    clone = kerax.layers.Hashing.from_config(config)
    np.testing.assert_array_equal(clone([["a", "b"]]), layer([["a", "b"]]))
    with pytest.raises(ValueError, match="num_bins"):
        kerax.layers.Hashing(0)
    with pytest.raises(ValueError, match="salt"):
        kerax.layers.Hashing(2, salt="pepper")
    with pytest.raises(ValueError, match="output_mode"):
        kerax.layers.Hashing(2, output_mode="hot")
    with pytest.raises(ValueError, match="dtype"):
        kerax.layers.Hashing(2, dtype="float32")
