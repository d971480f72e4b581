"""GRU and GRUCell against Keras: both reset_after layouts, flags, masks."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from test_rnn_oracle import MASK, RNG, X, call, clone_matches, compare, leaves

import kerax


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"reset_after": False},
        {"reset_after": False, "return_sequences": True, "go_backwards": True},
        {"return_state": True, "use_bias": False, "activation": "sigmoid"},
        {"bias_initializer": "random_normal", "return_sequences": True},
    ],
)
def test_gru_matches_keras(kwargs):
    ours, _, output = compare(lambda lib: lib.layers.GRU(3, **kwargs))
    clone_matches(ours, output)
    bias = [w for w in ours.weights if w.name == "bias"]
    if ours.use_bias:
        assert bias[0].shape == ((2, 9) if ours.reset_after else (9,))


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_mask_and_initial_state_match_keras(reset_after):
    h0 = RNG.normal(size=(3, 3)).astype("float32")
    compare(
        lambda lib: lib.layers.GRU(
            3, reset_after=reset_after, return_sequences=True, return_state=True
        ),
        mask=MASK,
        initial_state=[h0],
    )


def test_stateful_gru_matches_keras_over_two_calls():
    compare(lambda lib: lib.layers.GRU(3, stateful=True, return_state=True), calls=2)


def test_gru_cell_call_matches_keras():
    ours, theirs = kerax.layers.GRUCell(3), keras.layers.GRUCell(3)
    h0 = RNG.normal(size=(3, 3)).astype("float32")
    call(theirs, X[:, 0], h0)
    call(ours, X[:, 0], h0)
    ours.set_weights(theirs.get_weights())
    for a, b in zip(
        leaves(call(ours, X[:, 0], [h0])), leaves(call(theirs, X[:, 0], [h0]))
    ):
        np.testing.assert_allclose(a, b, atol=1e-6)
    assert set(ours.get_config()) == set(theirs.get_config())
