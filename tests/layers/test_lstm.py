"""LSTM and LSTMCell against Keras: flags, masks, states, regularizers."""

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
        {"return_sequences": True, "return_state": True, "go_backwards": True},
        {"unit_forget_bias": False, "use_bias": False, "activation": "relu"},
        {"recurrent_activation": "hard_sigmoid", "bias_initializer": "ones"},
        {"unroll": True, "return_sequences": True},
    ],
)
def test_lstm_matches_keras(kwargs):
    ours, _, output = compare(lambda lib: lib.layers.LSTM(3, **kwargs))
    clone_matches(ours, output)


def test_lstm_mask_and_initial_state_match_keras():
    h0, c0 = (RNG.normal(size=(3, 3)).astype("float32") for _ in range(2))
    compare(
        lambda lib: lib.layers.LSTM(3, return_sequences=True, return_state=True),
        mask=MASK,
        initial_state=[h0, c0],
    )


def test_stateful_lstm_matches_keras_over_two_calls():
    compare(lambda lib: lib.layers.LSTM(3, stateful=True), calls=2)


def test_long_sequence_matches_keras():
    # 120 steps: identical update rules, so float32 rounding stays within 1e-5.
    x = RNG.normal(size=(2, 120, 4)).astype("float32")
    compare(lambda lib: lib.layers.LSTM(3, return_sequences=True), inputs=x)


def test_lstm_cell_in_rnn_and_cell_call_match_keras():
    compare(lambda lib: lib.layers.RNN(lib.layers.LSTMCell(3), return_state=True))
    ours, theirs = kerax.layers.LSTMCell(3), keras.layers.LSTMCell(3)
    states = [RNG.normal(size=(3, 3)).astype("float32") for _ in range(2)]
    call(theirs, X[:, 0], states)
    call(ours, X[:, 0], states)
    ours.set_weights(theirs.get_weights())
    for a, b in zip(
        leaves(call(ours, X[:, 0], states)), leaves(call(theirs, X[:, 0], states))
    ):
        np.testing.assert_allclose(a, b, atol=1e-6)
    assert set(ours.get_config()) == set(theirs.get_config())


def test_weight_penalties_match_keras():
    def make(lib):
        return lib.layers.LSTM(
            3,
            kernel_regularizer="l2",
            recurrent_regularizer=lib.regularizers.L1(0.1),
            bias_regularizer="l1",
            activity_regularizer="l2",
            kernel_constraint="non_neg",
        )

    ours, theirs, _ = compare(make)
    np.testing.assert_allclose(
        sorted(float(v) for v in ours.losses),
        sorted(float(v) for v in theirs.losses),
        rtol=1e-5,
    )


def test_layer_exposes_cell_arguments():
    layer = kerax.layers.LSTM(3, dropout=0.25, unit_forget_bias=False)
    assert (layer.units, layer.dropout, layer.unit_forget_bias) == (3, 0.25, False)
    assert layer.cell.name == "lstm_cell"
