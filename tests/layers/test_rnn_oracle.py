"""Recurrent layers against Keras (the oracle): shared checks, RNN and SimpleRNN.

``compare`` builds the same layer in kerax and Keras, copies Keras's weights
into kerax (``get_weights``/``set_weights``) and checks outputs, weight paths,
shapes and config keys. The LSTM, GRU, Bidirectional and ConvLSTM test modules
import it; the last tests here show that the checks can fail.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest

import kerax

ATOL = 1e-5
RNG = np.random.default_rng(0)
X = RNG.normal(size=(3, 5, 4)).astype("float32")
MASK = np.array(
    [[1, 1, 1, 0, 0], [0, 1, 1, 1, 1], [1, 0, 1, 0, 1]], dtype=bool
)  # right-padded, left-padded, holes


def leaves(tree: Any) -> list[np.ndarray]:
    return [np.asarray(x) for x in jax.tree_util.tree_leaves(tree)]


def without_names(config: Any) -> Any:
    """A config as JSON data, without layer names (Keras numbers names differently)."""
    if isinstance(config, dict):
        return {k: without_names(v) for k, v in config.items() if k != "name"}
    if isinstance(config, (list, tuple)):
        return [without_names(v) for v in config]
    return config


def unnumbered(path: str) -> str:
    """A weight path without the ``_<n>`` suffixes of automatic layer names."""
    return "/".join(re.sub(r"_\d+$", "", part) for part in path.split("/"))


def normalized(config: dict[str, Any]) -> Any:
    return without_names(json.loads(json.dumps(config, default=str)))


def call(layer: Any, *args: Any, **kwargs: Any) -> Any:
    """Call a layer: kerax with strict rank promotion, Keras (which relies on
    implicit rank promotion) with it allowed."""
    strict = isinstance(layer, kerax.layers.Layer)
    with jax.numpy_rank_promotion("raise" if strict else "allow"):
        return layer(*args, **kwargs)


def build(layer: Any, inputs: Any, **call_kwargs: Any) -> None:
    """Build ``layer`` with a symbolic call (traced, not compiled: fast)."""
    lib = kerax if isinstance(layer, kerax.layers.Layer) else keras
    call(layer, lib.KerasTensor(inputs.shape, "float32"), **call_kwargs)


def compare(
    make: Callable[[Any], Any],
    inputs: Any = X,
    atol: float = ATOL,
    calls: int = 1,
    **call_kwargs: Any,
) -> tuple[Any, Any, list[np.ndarray]]:
    """Build ``make(kerax)`` and ``make(keras)``, give kerax Keras's weights, compare.

    Checks weight paths and shapes, every output (``calls`` consecutive calls,
    for stateful layers), ``compute_output_shape`` and the config (same keys
    and values, names aside). Returns ``(kerax_layer, keras_layer, outputs)``.
    """
    ours, theirs = make(kerax), make(keras)
    build(ours, inputs, **call_kwargs)
    build(theirs, inputs, **call_kwargs)
    assert [w.path.split("/")[0] for w in ours.weights] == [ours.name] * len(
        ours.weights
    )
    assert [(unnumbered(w.path), tuple(w.shape)) for w in ours.weights] == [
        (unnumbered(w.path), tuple(w.shape)) for w in theirs.weights
    ]
    ours.set_weights(theirs.get_weights())
    outputs = []
    for _ in range(calls):
        expected = leaves(call(theirs, inputs, **call_kwargs))
        got = leaves(call(ours, inputs, **call_kwargs))
        assert len(got) == len(expected)
        for a, b in zip(got, expected):
            assert a.shape == b.shape and a.dtype == b.dtype
            np.testing.assert_allclose(a, b, atol=atol, rtol=atol)
        outputs.append(got)
    shape = ours.compute_output_shape(tuple(inputs.shape))
    assert jax.tree_util.tree_leaves(shape) == jax.tree_util.tree_leaves(
        [list(x.shape) for x in outputs[0]]
    )
    assert normalized(ours.get_config()) == normalized(theirs.get_config())
    return ours, theirs, outputs[-1]


def clone_matches(layer: Any, output: Any, inputs: Any = X, **call_kwargs: Any) -> None:
    """``from_config(get_config())`` (through JSON) reproduces ``output``."""
    config = json.loads(json.dumps(layer.get_config()))
    clone = type(layer).from_config(config)
    build(clone, inputs, **call_kwargs)
    assert [w.path.split("/", 1)[1] for w in clone.weights] == [
        w.path.split("/", 1)[1] for w in layer.weights
    ]
    clone.set_weights(layer.get_weights())
    for a, b in zip(leaves(call(clone, inputs, **call_kwargs)), leaves(output)):
        np.testing.assert_allclose(a, b, atol=ATOL)


# -- SimpleRNN ------------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"return_sequences": True, "return_state": True, "go_backwards": True},
        {"activation": "relu", "use_bias": False, "unroll": True},
        {"return_sequences": True, "bias_initializer": "ones"},
    ],
)
def test_simple_rnn_matches_keras(kwargs):
    ours, _, output = compare(lambda lib: lib.layers.SimpleRNN(3, **kwargs))
    clone_matches(ours, output)


def test_simple_rnn_mask_and_initial_state_match_keras():
    h0 = RNG.normal(size=(3, 3)).astype("float32")
    compare(
        lambda lib: lib.layers.SimpleRNN(3, return_sequences=True),
        mask=MASK,
        initial_state=[h0],
    )


# -- generic RNN with a user cell (Keras's cell protocol) -----------------------
def minimal_cell_class(lib: Any) -> type:
    """The same user cell written against ``lib`` (kerax or Keras)."""

    class MinimalRNNCell(lib.layers.Layer):
        def __init__(self, units: int, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.units = units
            self.state_size = units

        def build(self, input_shape: Any) -> None:
            self.kernel = self.add_weight(
                shape=(input_shape[-1], self.units), name="kernel"
            )
            self.recurrent_kernel = self.add_weight(
                shape=(self.units, self.units), name="recurrent_kernel"
            )

        def call(self, inputs: Any, states: Any) -> Any:
            prev = states[0]
            out = lib.ops.matmul(inputs, self.kernel) + lib.ops.matmul(
                prev, self.recurrent_kernel
            )
            out = lib.ops.tanh(out)
            return out, [out]

        def get_config(self) -> dict[str, Any]:
            return {**super().get_config(), "units": self.units}

    return MinimalRNNCell


@pytest.mark.parametrize(
    "kwargs, call_kwargs",
    [
        ({}, {}),
        ({"return_sequences": True, "return_state": True}, {"mask": MASK}),
        ({"go_backwards": True, "return_sequences": True}, {}),
    ],
)
def test_rnn_with_user_cell_matches_keras(kwargs, call_kwargs):
    compare(
        lambda lib: lib.layers.RNN(minimal_cell_class(lib)(3), **kwargs), **call_kwargs
    )


def test_rnn_user_cell_config_round_trip():
    cls = minimal_cell_class(kerax)
    layer = kerax.layers.RNN(cls(3), return_sequences=True)
    output = layer(X)
    config = json.loads(json.dumps(layer.get_config()))
    clone = kerax.layers.RNN.from_config(config, custom_objects={cls.__name__: cls})
    assert isinstance(clone.cell, cls)
    build(clone, X)
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(np.asarray(clone(X)), np.asarray(output), atol=ATOL)


@pytest.mark.parametrize("return_state", [False, True])
def test_stacked_cells_match_keras(return_state):
    def make(lib):
        cells = [
            lib.layers.LSTMCell(4),
            lib.layers.GRUCell(3),
            lib.layers.SimpleRNNCell(2),
        ]
        return lib.layers.RNN(cells, return_state=return_state, return_sequences=True)

    ours, _, outputs = compare(make, mask=MASK)
    assert len(outputs) == (5 if return_state else 1)
    clone_matches(ours, outputs, mask=MASK)


def test_stacked_cells_as_explicit_layer_match_keras():
    def make(lib):
        stack = lib.layers.StackedRNNCells(
            [lib.layers.GRUCell(3), lib.layers.LSTMCell(2)]
        )
        return lib.layers.RNN(stack, go_backwards=True)

    compare(make)


# -- masks, states, stateful ------------------------------------------------------
@pytest.mark.parametrize("zero_output_for_mask", [False, True])
@pytest.mark.parametrize("go_backwards", [False, True])
def test_rnn_mask_rules_match_keras(zero_output_for_mask, go_backwards):
    compare(
        lambda lib: lib.layers.RNN(
            lib.layers.LSTMCell(3),
            return_sequences=True,
            return_state=True,
            go_backwards=go_backwards,
            zero_output_for_mask=zero_output_for_mask,
        ),
        mask=MASK,
    )


def test_stateful_rnn_matches_keras_over_two_calls():
    ours, _, _ = compare(
        lambda lib: lib.layers.RNN(
            lib.layers.GRUCell(3), stateful=True, return_state=True
        ),
        calls=2,
    )
    assert [v.path for v in ours.states] == [f"{ours.name}/rnn_state"]
    assert not any(v is ours.states[0] for v in ours.weights)


def test_functional_model_with_embedding_mask_matches_keras():
    ids = RNG.integers(1, 20, size=(4, 6))
    ids[0, 3:] = 0
    ids[2, :2] = 0

    def model(lib):
        inputs = lib.Input((6,), dtype="int32")
        x = lib.layers.Embedding(20, 5, mask_zero=True)(inputs)
        x = lib.layers.LSTM(3, return_sequences=True)(x)
        x = lib.layers.SimpleRNN(2, go_backwards=True)(x)
        return lib.Model(inputs, x)

    ours, theirs = model(kerax), model(keras)
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(
        np.asarray(call(ours, ids)), np.asarray(call(theirs, ids)), atol=ATOL
    )


def test_keras_files_round_trip_in_both_directions(tmp_path):
    def model(lib):
        inputs = lib.Input((5, 4))
        x = lib.layers.Bidirectional(lib.layers.LSTM(3, return_sequences=True))(inputs)
        x = lib.layers.RNN([lib.layers.SimpleRNNCell(3), lib.layers.GRUCell(2)])(x)
        return lib.Model(inputs, x)

    ours = model(kerax)
    expected = np.asarray(call(ours, X))
    ours.save(tmp_path / "ours.keras")
    theirs = keras.saving.load_model(tmp_path / "ours.keras")
    np.testing.assert_allclose(np.asarray(call(theirs, X)), expected, atol=ATOL)
    theirs.save(tmp_path / "theirs.keras")
    again = kerax.saving.load_model(tmp_path / "theirs.keras")
    np.testing.assert_allclose(np.asarray(call(again, X)), expected, atol=ATOL)


# -- the checks themselves must be able to fail -------------------------------------
def test_compare_catches_wrong_numbers(monkeypatch):
    from kerax.layers.recurrent import simple_rnn

    original = simple_rnn.SimpleRNNCell._make_step

    def shifted(self, input_shape, training):
        step = original(self, input_shape, training)
        return lambda x, states: step(x + 1e-3, states)

    monkeypatch.setattr(simple_rnn.SimpleRNNCell, "_make_step", shifted)
    with pytest.raises(AssertionError):
        compare(lambda lib: lib.layers.SimpleRNN(3))


def test_compare_catches_wrong_config(monkeypatch):
    original = kerax.layers.SimpleRNN.get_config
    monkeypatch.setattr(
        kerax.layers.SimpleRNN,
        "get_config",
        lambda self: {**original(self), "seed": None},
    )
    with pytest.raises(AssertionError):
        compare(lambda lib: lib.layers.SimpleRNN(3))


def test_compare_catches_wrong_weight_order(monkeypatch):
    from kerax.layers.recurrent import cell_base

    original = cell_base.DenseRecurrentCell._add_kernels

    def swapped(self, input_shape):
        original(self, input_shape)
        self._trainable_variables[:2] = self._trainable_variables[1::-1]

    monkeypatch.setattr(cell_base.DenseRecurrentCell, "_add_kernels", swapped)
    with pytest.raises(AssertionError):
        compare(lambda lib: lib.layers.SimpleRNN(3))


def test_leaves_helper_flattens_nested_outputs():
    assert [x.shape for x in leaves((jnp.ones(2), [jnp.ones(3), jnp.ones(1)]))] == [
        (2,),
        (3,),
        (1,),
    ]
