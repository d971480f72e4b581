"""``RematScope`` and ``remat``: jax.checkpoint applied, same numbers, Keras API."""

import inspect
import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import kerax
from kerax import layers

_CHECKPOINT = re.compile(r"\b(remat\d*|checkpoint)\[")
X = np.random.default_rng(0).normal(size=(4, 6)).astype("float32")


def _checkpoints(fn, *args) -> int:
    """How many jax.checkpoint calls the traced ``fn`` contains (nested too)."""
    return len(_CHECKPOINT.findall(str(jax.make_jaxpr(fn)(*args))))


def _layers(mode=None, **scope_kw):
    """Dense(relu) -> LayerNormalization -> Dense, built in a scope when asked."""

    def make():
        return [
            layers.Dense(8, activation="relu", name="hidden"),
            layers.LayerNormalization(name="norm"),
            layers.Dense(3, name="head"),
        ]

    if mode is None:
        return make()
    with kerax.RematScope(mode=mode, **scope_kw):
        return make()


def _loss_fn(stack):
    x = X
    for layer in stack:
        x = layer(x)  # build
    variables = [v for layer in stack for v in layer.trainable_variables]

    def loss(values, x):
        with kerax.autodiff.state_scope.StateScope(zip(variables, values)):
            for layer in stack:
                x = layer(x)
        return jnp.sum(jnp.square(x))

    return loss, [v.value for v in variables]


def _same_weights(source, target):
    for a, b in zip(source, target):
        b.set_weights(a.get_weights())


def test_signatures_match_keras():
    import keras

    ours = inspect.signature(kerax.RematScope.__init__).parameters
    theirs = inspect.signature(keras.RematScope.__init__).parameters
    assert [(p.name, p.default) for p in ours.values()] == [
        (p.name, p.default) for p in theirs.values()
    ]
    assert list(inspect.signature(kerax.remat).parameters) == ["f"]


def test_bad_mode_is_a_clear_error():
    with pytest.raises(ValueError, match="invalid mode 'everything'.*'full'"):
        kerax.RematScope(mode="everything")


@pytest.mark.parametrize(
    "mode,scope_kw,expected",
    [
        ("full", {}, 3),
        ("list_of_layers", {"layer_names": ["hidden", "head"]}, 2),
        ("larger_than", {"output_size_threshold": 20}, 2),  # 4×8 and 4×8 > 20
        ("activations", {}, 2),  # the two Dense layers' activations
    ],
)
def test_mode_checkpoints_the_chosen_layers_with_equal_gradients(
    mode, scope_kw, expected
):
    plain = _layers()
    remat = _layers(mode, **scope_kw)
    plain_loss, values = _loss_fn(plain)
    remat_loss, _ = _loss_fn(remat)
    _same_weights(plain, remat)
    assert _checkpoints(plain_loss, values, X) == 0
    assert _checkpoints(remat_loss, values, X) == expected
    expected_grads = jax.jit(jax.grad(plain_loss))(values, X)
    grads = jax.jit(jax.grad(remat_loss))(values, X)
    for got, want in zip(grads, expected_grads):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_mode_is_taken_at_construction_and_none_switches_off():
    outside = layers.Dense(2)
    with kerax.RematScope("full"):
        inside = layers.Dense(2)
        with kerax.RematScope(None):
            off = layers.Dense(2)
        outside(X)  # calling inside a scope does not change a layer's mode
    assert kerax.layers.remat.get_current_remat_mode() is None
    assert outside._remat_mode is None and off._remat_mode is None
    assert inside._remat_mode.mode == "full"
    for layer in (outside, inside, off):
        layer(X)
    counts = [_checkpoints(layer, X) for layer in (outside, inside, off)]
    assert counts == [0, 1, 0]


def test_remat_function_and_layer():
    def f(x):
        return jnp.sin(jnp.sin(x)).sum()

    wrapped = kerax.remat(f)
    assert _checkpoints(jax.grad(wrapped), X) == 1
    np.testing.assert_allclose(jax.grad(wrapped)(X), jax.grad(f)(X), rtol=1e-6)
    dense = layers.Dense(3)  # built inside the checkpoint on first use
    np.testing.assert_allclose(kerax.remat(dense)(X), dense(X), rtol=1e-6)
    assert _checkpoints(kerax.remat(dense), X) == 1


class _Penalized(layers.Layer):
    """Adds a loss in call and draws dropout noise (seed state write)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = kerax.random.SeedGenerator(1)

    def call(self, x):
        self.add_loss(jnp.sum(x))
        return kerax.random.dropout(x, 0.5, seed=self.seed_generator)


def test_state_writes_and_losses_leave_the_checkpoint():
    plain = _Penalized()
    with kerax.RematScope("full"):
        remat = _Penalized()
    jitted = kerax.function(lambda x: (remat(x), remat.losses[0]))
    for _ in range(2):  # the seed state advances, in both, the same way
        want = plain(X)
        got, loss = jitted(X)
        np.testing.assert_allclose(got, want)
        np.testing.assert_allclose(loss, plain.losses[0], rtol=1e-6)
    np.testing.assert_array_equal(
        remat.seed_generator.state.numpy(), plain.seed_generator.state.numpy()
    )


def test_fit_with_remat_trains_like_without():
    x = np.random.default_rng(1).normal(size=(8, 5, 6)).astype("float32")

    def train(mode):
        kerax.utils.set_random_seed(3)
        with kerax.RematScope(mode):
            inputs = kerax.Input((5, 6))
            attended = layers.MultiHeadAttention(2, 3)(inputs, inputs)
            h = layers.LayerNormalization()(layers.Add()([inputs, attended]))
            h = layers.GlobalAveragePooling1D()(layers.Dense(8, activation="relu")(h))
            outputs = layers.Dense(1)(layers.BatchNormalization()(h))
            model = kerax.Model(inputs, outputs)
        model.compile("adam", "mse")
        model.fit(x, x[:, 0, :1], batch_size=2, epochs=2, verbose=0, shuffle=False)
        return model.get_weights()

    for got, want in zip(train("full"), train(None)):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
