"""Bidirectional against Keras: merge modes, masks, states, backward layers."""

from __future__ import annotations

import json

import numpy as np
import pytest
from test_rnn_oracle import MASK, RNG, X, build, compare, leaves

import kerax

L = kerax.layers


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
def test_merge_modes_match_keras(merge_mode):
    compare(
        lambda lib: lib.layers.Bidirectional(
            lib.layers.LSTM(3, return_sequences=True), merge_mode=merge_mode
        ),
        mask=MASK,
    )


@pytest.mark.parametrize("merge_mode", ["concat", None])
def test_return_state_and_initial_state_match_keras(merge_mode):
    states = [RNG.normal(size=(3, 3)).astype("float32") for _ in range(4)]
    _, _, outputs = compare(
        lambda lib: lib.layers.Bidirectional(
            lib.layers.LSTM(3, return_state=True), merge_mode=merge_mode
        ),
        initial_state=states,
    )
    assert len(outputs) == (6 if merge_mode is None else 5)


def test_custom_backward_layer_matches_keras():
    compare(
        lambda lib: lib.layers.Bidirectional(
            lib.layers.GRU(3, return_sequences=True),
            backward_layer=lib.layers.SimpleRNN(
                3, go_backwards=True, return_sequences=True
            ),
            merge_mode="sum",
        )
    )


def test_stateful_bidirectional_matches_keras_and_resets():
    ours, _, _ = compare(
        lambda lib: lib.layers.Bidirectional(lib.layers.GRU(3, stateful=True)),
        calls=2,
    )
    assert len(ours.states) == 2
    ours.reset_states()
    assert all(np.all(np.asarray(s.value) == 0) for s in ours.states)


def test_layers_are_fresh_copies_with_keras_names():
    inner = L.LSTM(3, name="encoder")
    layer = L.Bidirectional(inner)
    assert layer.forward_layer is not inner
    assert layer.forward_layer.name == "forward_encoder"
    assert layer.backward_layer.name == "backward_encoder"
    assert layer.backward_layer.go_backwards
    build(layer, X)
    assert [w.path for w in layer.weights][:1] == [
        f"{layer.name}/forward_encoder/lstm_cell/kernel"
    ]
    assert not inner.built


def test_config_round_trip_reproduces_outputs():
    layer = L.Bidirectional(
        L.LSTM(3, return_sequences=True),
        backward_layer=L.GRU(3, go_backwards=True, return_sequences=True),
        merge_mode="ave",
    )
    output = layer(X, mask=MASK)
    clone = L.Bidirectional.from_config(json.loads(json.dumps(layer.get_config())))
    build(clone, X)
    assert [w.path.split("/", 1)[1] for w in clone.weights] == [
        w.path.split("/", 1)[1] for w in layer.weights
    ]
    clone.set_weights(layer.get_weights())
    for a, b in zip(leaves(clone(X, mask=MASK)), leaves(output)):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_initial_weights_are_split_between_directions():
    source = L.Bidirectional(L.SimpleRNN(2))
    build(source, X)
    weights = [RNG.normal(size=w.shape).astype("float32") for w in source.weights]
    layer = L.Bidirectional(L.SimpleRNN(2), weights=weights)
    build(layer, X)
    for got, want in zip(layer.get_weights(), weights):
        np.testing.assert_array_equal(got, want)


def test_compute_mask_and_shapes():
    layer = L.Bidirectional(L.GRU(3, return_sequences=True), merge_mode=None)
    assert layer.compute_mask(X, MASK) == [MASK, MASK]
    assert layer.compute_output_shape((3, 5, 4)) == ((3, 5, 3), (3, 5, 3))
    layer = L.Bidirectional(L.GRU(3, return_state=True))
    assert layer.compute_mask(X, MASK) == [None, None, None]
    assert layer.compute_output_shape((3, 5, 4)) == ((3, 6), (3, 3), (3, 3))


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="invalid merge_mode 'max'.*'concat'"):
        L.Bidirectional(L.LSTM(3), merge_mode="max")
    with pytest.raises(ValueError, match="different `go_backwards`"):
        L.Bidirectional(L.LSTM(3), backward_layer=L.LSTM(3))
    with pytest.raises(ValueError, match="same `return_sequences`"):
        L.Bidirectional(
            L.LSTM(3),
            backward_layer=L.LSTM(3, go_backwards=True, return_sequences=True),
        )
    with pytest.raises(ValueError, match="kerax Layer instance"):
        L.Bidirectional("lstm")
    with pytest.raises(AttributeError, match="not stateful"):
        L.Bidirectional(L.LSTM(3)).reset_states()
