"""Recurrent layers without the oracle: numpy formulas, masks, dropout, state,
gradients, errors (strict rank promotion: this module does not import Keras)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import kerax
from kerax.layers.recurrent import time_loop

RNG = np.random.default_rng(0)
X = RNG.normal(size=(3, 5, 4)).astype("float32")
MASK = np.array([[1, 1, 1, 0, 0], [0, 1, 1, 1, 1], [1, 0, 1, 0, 1]], dtype=bool)
L = kerax.layers


def simple_rnn_reference(x, kernel, recurrent, bias, mask=None, h0=None):
    """Keras's SimpleRNN rule in numpy: masked steps keep state and output."""
    batch, steps, _ = x.shape
    h = np.zeros((batch, recurrent.shape[0]), "float32") if h0 is None else h0
    outputs = []
    for t in range(steps):
        new = np.tanh(x[:, t] @ kernel + h @ recurrent + bias)
        keep = np.ones(batch, bool) if mask is None else mask[:, t]
        h = np.where(keep[:, None], new, h)
        outputs.append(h)
    return np.stack(outputs, 1), h


def test_simple_rnn_matches_numpy_with_mask_and_initial_state():
    layer = L.SimpleRNN(3, return_sequences=True, return_state=True)
    h0 = RNG.normal(size=(3, 3)).astype("float32")
    seq, state = layer(X, mask=MASK, initial_state=h0)
    kernel, recurrent, bias = layer.get_weights()
    want_seq, want_state = simple_rnn_reference(X, kernel, recurrent, bias, MASK, h0)
    np.testing.assert_allclose(np.asarray(seq), want_seq, atol=1e-5)
    np.testing.assert_allclose(np.asarray(state), want_state, atol=1e-5)


def test_go_backwards_is_the_reversed_sequence_in_processing_order():
    layer = L.SimpleRNN(3, return_sequences=True, go_backwards=True)
    seq = np.asarray(layer(X))
    kernel, recurrent, bias = layer.get_weights()
    want, _ = simple_rnn_reference(X[:, ::-1], kernel, recurrent, bias)
    np.testing.assert_allclose(seq, want, atol=1e-5)


def test_zero_output_for_mask_zeroes_masked_steps_only():
    layer = L.RNN(L.SimpleRNNCell(3), return_sequences=True, zero_output_for_mask=True)
    seq = np.asarray(layer(X, mask=MASK))
    assert np.all(seq[~MASK] == 0)
    assert np.all(np.abs(seq[MASK]).sum(-1) > 0)


def test_mask_with_feature_axis_masks_a_step_only_when_all_false():
    layer = L.SimpleRNN(3, return_sequences=True)
    layer(X)
    wide = np.repeat(MASK[..., None], 2, axis=-1)
    wide[0, 3, 0] = True  # one True entry keeps the step
    expected_mask = MASK.copy()
    expected_mask[0, 3] = True
    np.testing.assert_allclose(
        np.asarray(layer(X, mask=wide)), np.asarray(layer(X, mask=expected_mask))
    )


def test_lstm_cell_matches_numpy_gate_order():
    cell = L.LSTMCell(3)
    h0, c0 = (RNG.normal(size=(3, 3)).astype("float32") for _ in range(2))
    h, (h2, c) = cell(X[:, 0], [h0, c0])
    kernel, recurrent, bias = cell.get_weights()
    z = X[:, 0] @ kernel + h0 @ recurrent + bias
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    i, f, g, o = np.split(z, 4, axis=-1)
    want_c = sig(f) * c0 + sig(i) * np.tanh(g)
    want_h = sig(o) * np.tanh(want_c)
    np.testing.assert_allclose(np.asarray(c), want_c, atol=1e-5)
    np.testing.assert_allclose(np.asarray(h), want_h, atol=1e-5)
    np.testing.assert_allclose(np.asarray(h2), want_h, atol=1e-5)
    np.testing.assert_array_equal(bias, np.repeat([0, 1, 0, 0], 3).astype("float32"))


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_cell_matches_numpy(reset_after):
    cell = L.GRUCell(3, reset_after=reset_after, bias_initializer="random_normal")
    h0 = RNG.normal(size=(3, 3)).astype("float32")
    out, state = cell(X[:, 0], h0)
    kernel, recurrent, bias = cell.get_weights()
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    input_bias, recurrent_bias = (bias[0], bias[1]) if reset_after else (bias, 0 * bias)
    x_z, x_r, x_h = np.split(X[:, 0] @ kernel + input_bias, 3, axis=-1)
    r_z, r_r, r_h = np.split(h0 @ recurrent + recurrent_bias, 3, axis=-1)
    z, r = sig(x_z + r_z), sig(x_r + r_r)
    if reset_after:
        candidate = np.tanh(x_h + r * r_h)
    else:
        candidate = np.tanh(x_h + (r * h0) @ recurrent[:, 6:])
    want = z * h0 + (1 - z) * candidate
    assert bias.shape == ((2, 9) if reset_after else (9,))
    np.testing.assert_allclose(np.asarray(out), want, atol=1e-5)
    np.testing.assert_allclose(np.asarray(state), want, atol=1e-5)


# -- dropout ----------------------------------------------------------------------
def test_dropout_masks_are_drawn_once_per_sequence_and_only_in_training():
    layer = L.SimpleRNN(
        3, dropout=0.5, recurrent_dropout=0.4, seed=7, return_sequences=True
    )
    np.testing.assert_array_equal(np.asarray(layer(X)), np.asarray(layer(X)))
    kernel, recurrent, bias = layer.get_weights()
    start = layer.cell.seed_generator.state.value
    got = np.asarray(layer(X, training=True))
    # The same draws, in the layer's order: the input mask, then the state mask.
    generator = kerax.random.SeedGenerator(0)
    generator.state.assign(start)
    input_mask = np.asarray(kerax.random.dropout(jnp.ones((3, 4)), 0.5, seed=generator))
    state_mask = np.asarray(kerax.random.dropout(jnp.ones((3, 3)), 0.4, seed=generator))
    h = np.zeros((3, 3), "float32")
    want = []
    for t in range(5):
        h = np.tanh(
            (X[:, t] * input_mask) @ kernel + bias + (h * state_mask) @ recurrent
        )
        want.append(h)
    np.testing.assert_allclose(got, np.stack(want, 1), atol=1e-5)
    assert not np.allclose(got, np.asarray(layer(X, training=True)))


@pytest.mark.parametrize("name, gates", [("LSTM", 4), ("GRU", 3)])
def test_recurrent_dropout_draws_one_mask_per_gate(name, gates):
    layer = getattr(L, name)(3, dropout=0.3, recurrent_dropout=0.3, seed=1)
    layer(X)
    before = np.asarray(layer.cell.seed_generator.state.value)
    layer(X, training=True)
    generator = kerax.random.SeedGenerator(0)
    generator.state.assign(before)
    for _ in range(2 * gates):
        generator.next()
    np.testing.assert_array_equal(
        np.asarray(layer.cell.seed_generator.state.value),
        np.asarray(generator.state.value),
    )
    assert np.all(np.isfinite(np.asarray(layer(X, training=True))))


# -- stateful -------------------------------------------------------------------------
def test_stateful_layer_carries_state_and_resets():
    layer = L.GRU(3, stateful=True)
    first = np.asarray(layer(X))
    second = np.asarray(layer(X))
    assert not np.allclose(first, second)
    layer.reset_states()
    np.testing.assert_allclose(np.asarray(layer(X)), first, atol=1e-6)
    stateless = L.GRU(3, return_state=True)
    stateless(X)
    stateless.set_weights(layer.get_weights())
    _, h = stateless(X)
    np.testing.assert_allclose(np.asarray(layer.states[0].value), np.asarray(h))


def test_stateful_state_is_a_non_trainable_variable_for_stateless_call():
    layer = L.LSTM(3, stateful=True)
    layer(X)
    layer.reset_states()
    assert len(layer.weights) == 3
    assert all(any(s is v for v in layer.non_trainable_variables) for s in layer.states)
    trainable = [v.value for v in layer.trainable_variables]
    non_trainable = [v.value for v in layer.non_trainable_variables]
    step = jax.jit(lambda t, n: layer.stateless_call(t, n, X))
    out, new = step(trainable, non_trainable)
    assert np.all(np.asarray(layer.states[0].value) == 0)  # untouched
    index = [id(v) for v in layer.non_trainable_variables].index(id(layer.states[0]))
    assert np.abs(np.asarray(new[index])).max() > 0
    np.testing.assert_allclose(np.asarray(out), np.asarray(layer(X)), atol=1e-6)


def test_stateful_errors():
    with pytest.raises(ValueError, match="batch size must be static"):
        L.LSTM(3, stateful=True).build((None, 5, 4))
    layer = L.LSTM(3, stateful=True)
    layer(X)
    with pytest.raises(ValueError, match="batch size 3; received .* batch size 2"):
        layer(X[:2])


# -- gradients ------------------------------------------------------------------------
def grads_of(layer, x, **kwargs):
    trainable = [v.value for v in layer.trainable_variables]
    non_trainable = [v.value for v in layer.non_trainable_variables]
    cotangents = None

    def loss(weights, x):
        out, _ = layer.stateless_call(weights, non_trainable, x, **kwargs)
        flat = jax.tree_util.tree_leaves(out)
        return sum(jnp.sum(o * c) for o, c in zip(flat, cotangents))

    out, _ = layer.stateless_call(trainable, non_trainable, x, **kwargs)
    rng = np.random.default_rng(1)
    cotangents = [
        jnp.asarray(rng.normal(size=o.shape), o.dtype)
        for o in jax.tree_util.tree_leaves(out)
    ]
    return jax.jit(jax.grad(loss, argnums=(0, 1)))(trainable, jnp.asarray(x))


LAYERS = {
    "SimpleRNN": lambda: L.SimpleRNN(3, return_sequences=True),
    "LSTM": lambda: L.LSTM(3, return_state=True),
    "GRU": lambda: L.GRU(3, reset_after=False, go_backwards=True),
    "stacked": lambda: L.RNN([L.LSTMCell(3), L.GRUCell(2)], return_sequences=True),
    "Bidirectional": lambda: L.Bidirectional(L.LSTM(3, return_sequences=True)),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_gradients_are_finite_and_non_zero(name):
    layer = LAYERS[name]()
    layer(X)
    weights, inputs = grads_of(layer, X, mask=MASK, training=True)
    assert len(weights) == len(layer.trainable_variables)
    for grad in [*weights, inputs]:
        grad = np.asarray(grad)
        assert np.all(np.isfinite(grad)) and np.any(grad != 0)


def test_rematerialized_loop_gives_the_same_gradients(monkeypatch):
    layer = L.LSTM(3, return_sequences=True, dropout=0.2, seed=3)
    layer(X)
    start = layer.cell.seed_generator.state.value
    plain = grads_of(layer, X, mask=MASK)
    monkeypatch.setattr(time_loop, "REMAT_BYTES", 0)
    layer.cell.seed_generator.state.assign(start)
    remat = grads_of(layer, X, mask=MASK)
    for a, b in zip(jax.tree_util.tree_leaves(plain), jax.tree_util.tree_leaves(remat)):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=1e-6)


def test_gradient_tape_matches_jax_grad():
    layer = L.GRU(3, return_sequences=True)
    layer(X)
    cotangent = jnp.asarray(RNG.normal(size=(3, 5, 3)), "float32")
    with kerax.GradientTape() as tape:
        loss = kerax.ops.sum(layer(X) * cotangent)
    got = tape.gradient(loss, layer.trainable_variables)

    non_trainable = [v.value for v in layer.non_trainable_variables]

    def pure(weights):
        out, _ = layer.stateless_call(weights, non_trainable, X)
        return jnp.sum(out * cotangent)

    want = jax.grad(pure)([v.value for v in layer.trainable_variables])
    for a, b in zip(got, want):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=1e-6)


def test_unroll_matches_scan():
    rolled = L.LSTM(3, return_sequences=True)
    unrolled = L.LSTM(3, return_sequences=True, unroll=True)
    rolled(X)
    unrolled(X)
    unrolled.set_weights(rolled.get_weights())
    np.testing.assert_allclose(
        np.asarray(unrolled(X, mask=MASK)), np.asarray(rolled(X, mask=MASK)), atol=1e-6
    )


# -- shapes, masks, symbolic use ------------------------------------------------------
def test_symbolic_outputs_and_masks():
    inputs = kerax.Input((5, 4))
    seq, h, c = L.LSTM(3, return_sequences=True, return_state=True)(inputs)
    assert (seq.shape, h.shape, c.shape) == ((None, 5, 3), (None, 3), (None, 3))
    layer = L.GRU(3, return_sequences=True, return_state=True)
    assert layer.compute_mask(X, MASK)[0] is MASK
    assert layer.compute_mask(X, MASK)[1:] == [None]
    assert L.GRU(3).compute_mask(X, MASK) is None
    assert L.GRU(3, return_sequences=True).compute_mask(X, [MASK]) is MASK


def test_sequential_model_trains_with_masked_lstm():
    model = kerax.Sequential(
        [
            kerax.Input((6,), dtype="int32"),
            L.Embedding(10, 4, mask_zero=True),
            L.LSTM(3),
            L.Dense(1),
        ]
    )
    model.compile(optimizer="adam", loss="mse")
    ids = RNG.integers(0, 10, size=(8, 6))
    history = model.fit(ids, np.ones((8, 1)), epochs=3, batch_size=8, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < losses[0]


# -- errors ----------------------------------------------------------------------------
def test_non_3d_input_names_the_layer():
    with pytest.raises(ValueError, match='layer "lstm".*expected ndim=3, found ndim=2'):
        L.LSTM(3, name="lstm")(X[:, 0])
    with pytest.raises(ValueError, match=r"'rnn' \(RNN\) expects sequences.*\(3, 4\)"):
        L.RNN(L.GRUCell(3), name="rnn")(X[:, 0])


def test_wrong_initial_state_names_expected_and_received():
    layer = L.LSTM(3, name="lstm")
    with pytest.raises(
        ValueError, match=r"'lstm'.*2 tensors of shapes \[\(3, 3\), \(3, 3\)\]"
    ):
        layer(X, initial_state=[np.zeros((3, 3), "float32")])
    with pytest.raises(
        ValueError, match=r"received 2 tensors of shapes \[\(3, 4\), \(3, 3\)\]"
    ):
        layer(
            X, initial_state=[np.zeros((3, 4), "float32"), np.zeros((3, 3), "float32")]
        )


def test_bad_mask_and_bad_arguments():
    with pytest.raises(ValueError, match=r"mask must have shape \(batch, time\)"):
        L.GRU(3)(X, mask=MASK[:, :4])
    with pytest.raises(ValueError, match="units"):
        L.LSTM(0)
    with pytest.raises(ValueError, match="use_cudnn"):
        L.GRU(3, use_cudnn="sometimes")
    with pytest.raises(ValueError, match="state_size"):
        L.RNN(L.Dense(3))
    with pytest.raises(ValueError, match="non-empty list of cells"):
        L.StackedRNNCells([])


def test_user_cell_returning_wrong_number_of_states():
    class BadCell(L.Layer):
        state_size = [3, 3]

        def call(self, inputs, states):
            return states[0], [states[0]]

    with pytest.raises(ValueError, match="returned 1 state tensors but has 2"):
        L.RNN(BadCell())(X)


def test_user_cell_written_without_layer_base():
    class PlainCell:
        state_size = 4

        def call(self, inputs, states, training=None):
            return inputs, [states[0] + inputs]

    out, state = L.RNN(PlainCell(), return_state=True)(X)
    np.testing.assert_allclose(np.asarray(out), X[:, -1])
    np.testing.assert_allclose(np.asarray(state), X.sum(1), atol=1e-5)


def test_dropout_rates_are_clipped_as_keras():
    cell = L.LSTMCell(2, dropout=1.5, recurrent_dropout=-1)
    assert (cell.dropout, cell.recurrent_dropout) == (1.0, 0.0)


def test_docstring_examples_run():
    package = importlib.import_module("kerax.layers.recurrent")
    attempted = 0
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        result = doctest.testmod(
            module, extraglobs={"jnp": jnp}, optionflags=doctest.ELLIPSIS
        )
        assert result.failed == 0, module.__name__
        attempted += result.attempted
    assert attempted >= 10
