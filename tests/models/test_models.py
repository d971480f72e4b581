"""Sequential, Functional and subclassed models: structure, calls, weights."""

import keras
import numpy as np
import pytest

import kerax
from kerax import layers


def _x(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def test_sequential_forms_are_equivalent():
    a = kerax.Sequential([layers.Dense(4, input_shape=(3,)), layers.Dense(2)])
    b = kerax.Sequential()
    b.add(kerax.Input((3,)))
    b.add(layers.Dense(4))
    b.add(layers.Dense(2))
    c = kerax.Sequential([layers.Dense(4), layers.Dense(2)])  # deferred build
    assert a.built and b.built and not c.built
    c(np.ones((1, 3), "float32"))
    for model in (b, c):
        model.set_weights(a.get_weights())
    x = _x(5, 3)
    for model in (b, c):
        np.testing.assert_allclose(model(x), a(x), rtol=1e-6)
    assert [w.path for w in a.weights][0] == "sequential/dense/kernel"
    assert a.output_shape == (None, 2) and len(a.layers) == 2
    assert a.count_params() == 3 * 4 + 4 + 4 * 2 + 2


def test_sequential_pop_and_errors():
    model = kerax.Sequential([layers.Dense(4, input_shape=(3,)), layers.Dense(2)])
    model.pop()
    assert model.output_shape == (None, 4)
    with pytest.raises(ValueError, match="unique names"):
        model.add(layers.Dense(1, name=model.layers[0].name))
    with pytest.raises(ValueError, match="Only instances"):
        model.add("dense")


def test_functional_multi_io_shared_and_nested_match_keras():
    def build(lib):
        a = lib.Input((4,), name="a")
        b = lib.Input((4,), name="b")
        shared = lib.layers.Dense(3, activation="tanh", name="shared")
        inner_in = lib.Input((3,))
        inner = lib.Model(
            inner_in, lib.layers.Dense(2, name="inner_dense")(inner_in), name="inner"
        )
        ha, hb = shared(a), shared(b)
        merged = lib.layers.Concatenate(name="concat")([ha, hb])
        out1 = lib.layers.Dense(1, name="out1")(merged)
        out2 = inner(lib.layers.Add(name="add")([ha, hb]))
        return lib.Model({"a": a, "b": b}, {"out1": out1, "out2": out2})

    ours, theirs = build(kerax), build(keras)
    assert [w.shape for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    theirs.set_weights(ours.get_weights())
    data = {"a": _x(6, 4), "b": _x(6, 4, seed=1)}
    got, want = ours(data), theirs(data)
    for key in ("out1", "out2"):
        np.testing.assert_allclose(got[key], want[key], rtol=1e-5, atol=1e-6)
    assert [layer.name for layer in ours.layers] == [
        layer.name for layer in theirs.layers
    ]
    assert ours.get_layer("shared") is ours.layers[2]
    with pytest.raises(ValueError, match="No such layer"):
        ours.get_layer("nope")


def test_functional_ops_on_symbolic_tensors():
    inputs = kerax.Input((3,))
    x = layers.Dense(3)(inputs)
    out = kerax.ops.relu(x * 2.0 + inputs)
    model = kerax.Model(inputs, out)
    data = _x(4, 3)
    dense = model.layers[1]
    expected = np.maximum(
        (data @ dense.kernel.numpy() + dense.bias.numpy()) * 2 + data, 0
    )
    np.testing.assert_allclose(model(data), expected, rtol=1e-5, atol=1e-6)


def test_subclassed_model_tracks_layers_and_trains():
    class Net(kerax.Model):
        def __init__(self):
            super().__init__()
            self.blocks = [layers.Dense(8, activation="relu") for _ in range(2)]
            self.head = layers.Dense(1)

        def call(self, x, training=False):
            for block in self.blocks:
                x = block(x)
            return self.head(x)

    net = Net()
    net.compile("adam", "mse")
    x, y = _x(32, 3), _x(32, 1, seed=2)
    history = net.fit(x, y, epochs=3, verbose=0)
    assert len(net.trainable_weights) == 6
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_input_shape_errors_name_the_layer():
    model = kerax.Sequential([kerax.Input((4,)), layers.Dense(2)])
    with pytest.raises(
        ValueError, match=r"expected shape=\(None, 4\), found shape=\(2, 5\)"
    ):
        model(np.ones((2, 5), "float32"))
    dense = layers.Dense(2)
    dense(np.ones((1, 3), "float32"))
    with pytest.raises(ValueError, match='layer "dense_1".*expected axis -1'):
        dense(np.ones((1, 4), "float32"))


def test_graph_disconnected_is_reported():
    a = kerax.Input((2,))
    b = kerax.Input((2,))
    out = layers.Add()([a, b])
    with pytest.raises(ValueError, match="Graph disconnected"):
        kerax.Model(a, out)


def test_training_flag_reaches_nested_layers():
    inner = kerax.Sequential([kerax.Input((3,)), layers.Dropout(0.99, seed=1)])
    outer = kerax.Sequential([kerax.Input((3,)), inner])
    x = np.ones((64, 3), "float32")
    np.testing.assert_array_equal(outer(x, training=False), x)
    assert np.mean(np.asarray(outer(x, training=True)) == 0) > 0.9


def test_add_loss_and_losses_property():
    class Penalized(layers.Layer):
        def call(self, x):
            self.add_loss(kerax.ops.sum(x) * 0.0 + 1.5)
            return x

    model = kerax.Sequential(
        [kerax.Input((2,)), Penalized(), layers.Dense(1, kernel_regularizer="l2")]
    )
    model(np.ones((1, 2), "float32"))
    losses = model.losses
    assert len(losses) == 2 and float(losses[0]) == 1.5
    kernel = model.layers[1].kernel.numpy()
    np.testing.assert_allclose(float(losses[1]), 0.01 * np.sum(kernel**2), rtol=1e-6)
    model.compile("sgd", "mse")
    loss = model.evaluate(np.ones((4, 2)), np.zeros((4, 1)), verbose=0)
    prediction = model.predict(np.ones((4, 2)), verbose=0)
    np.testing.assert_allclose(
        loss, np.mean(prediction**2) + 1.5 + float(losses[1]), rtol=1e-5
    )


def test_layer_names_are_unique_and_keras_like():
    assert layers.Dense(1).name == "dense"
    assert layers.Dense(1).name == "dense_1"
    assert layers.BatchNormalization().name == "batch_normalization"
    assert kerax.Sequential().name == "sequential"
    inputs = kerax.Input((1,))
    assert kerax.Model(inputs, layers.Dense(1)(inputs)).name == "functional"


def test_set_weights_validates():
    model = kerax.Sequential([kerax.Input((2,)), layers.Dense(3)])
    with pytest.raises(ValueError, match="expected 2 weights"):
        model.set_weights([np.zeros((2, 3))])
    with pytest.raises(ValueError, match="not compatible"):
        model.set_weights([np.zeros((3, 3)), np.zeros(3)])


def test_dict_inputs_declared_out_of_key_order():
    """Dict inputs match by key whatever order the model's dict was written in."""
    tokens = kerax.Input((4,), dtype="int32", name="tokens")
    extra = kerax.Input((3,), name="extra")
    hidden = kerax.layers.Embedding(10, 2)(tokens)
    hidden = kerax.layers.Flatten()(hidden)
    joined = kerax.layers.Concatenate()([hidden, extra])
    model = kerax.Model(
        {"tokens": tokens, "extra": extra}, kerax.layers.Dense(1)(joined)
    )
    x = {"tokens": np.arange(8).reshape(2, 4) % 10, "extra": np.ones((2, 3), "float32")}
    reordered = {"extra": x["extra"], "tokens": x["tokens"]}
    expected = np.asarray(model(x))
    np.testing.assert_allclose(np.asarray(model(reordered)), expected, rtol=1e-6)
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-6)
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, np.zeros((2, 1)), epochs=1, verbose=0)


@pytest.mark.parametrize("lib", [kerax, keras], ids=["kerax", "keras"])
def test_layer_created_frozen_is_not_trained(lib):
    frozen = lib.layers.Dense(2, trainable=False)
    model = lib.Sequential([lib.Input((3,)), frozen, lib.layers.Dense(1)])
    assert [v.trainable for v in frozen.weights] == [False, False]
    assert len(model.trainable_weights) == 2
    before = frozen.get_weights()[0].copy()
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.ones((8, 3)), np.ones((8, 1)), verbose=0)
    np.testing.assert_array_equal(frozen.get_weights()[0], before)
    frozen.trainable = True
    assert len(model.trainable_weights) == 4
