"""model.summary() prints Keras's table, character for character."""

import io
from contextlib import redirect_stdout

import keras
import numpy as np
import pytest

import kerax


def _text(model) -> str:
    lines = []
    model.summary(print_fn=lambda line, **kw: lines.append(line))
    return "\n".join(lines)


def _keras_text(model) -> str:
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        model.summary()
    return "\n".join(
        line.rstrip() for line in buffer.getvalue().strip("\n").splitlines()
    )


def _build_sequential(lib):
    layers = lib.layers
    return lib.Sequential(
        [
            lib.Input((8,)),
            layers.Dense(16, activation="relu"),
            layers.BatchNormalization(),
            layers.Dropout(0.2),
            layers.Dense(
                10, activation="softmax", name="a_very_long_layer_name_that_wraps"
            ),
        ]
    )


def _build_functional(lib):
    layers = lib.layers
    a = lib.Input((4,), name="a")
    b = lib.Input((3,), name="b")
    x = layers.Concatenate()([a, b])
    shared = layers.Dense(5)
    x = shared(x)
    y1 = layers.Dense(1, name="o1")(x)
    y2 = layers.Dense(2, name="o2")(layers.Add()([x, x]))
    return lib.Model([a, b], [y1, y2])


@pytest.mark.parametrize("build", [_build_sequential, _build_functional])
@pytest.mark.parametrize("show_trainable", [False, True])
def test_summary_text_equals_keras(build, show_trainable):
    kerax.utils.naming.reset()
    ours = build(kerax)
    keras.backend.clear_session()
    theirs = build(keras)
    lines = []
    ours.summary(
        print_fn=lambda line, **kw: lines.append(line), show_trainable=show_trainable
    )
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        theirs.summary(show_trainable=show_trainable)
    expected = [line.rstrip() for line in buffer.getvalue().strip("\n").splitlines()]
    assert [line.rstrip() for line in lines] == expected


def test_summary_after_fit_counts_optimizer_params():
    model = kerax.Sequential([kerax.Input((3,)), kerax.layers.Dense(2)])
    model.compile("adam", "mse")
    model.fit(np.ones((4, 3)), np.ones((4, 2)), verbose=0)
    text = _text(model)
    # 8 weights; Adam holds m and v for each plus iterations and learning rate.
    assert " Total params: 26 (104.00 B)" in text
    assert " Optimizer params: 18 (72.00 B)" in text


def test_unbuilt_subclassed_model_shows_question_marks():
    class Net(kerax.Model):
        def __init__(self):
            super().__init__()
            self.hidden = kerax.layers.Dense(4)
            self.out = kerax.layers.Dense(1)

        def call(self, x):
            return self.out(self.hidden(x))

    net = Net()
    assert "0 (unbuilt)" in _text(net)
    net(np.ones((2, 3), "float32"))
    text = _text(net)
    assert "(2, 4)" in text and "Total params: 21" in text


def test_summary_prints_to_stdout():
    model = kerax.Sequential([kerax.Input((2,)), kerax.layers.Dense(1)])
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        model.summary()
    assert buffer.getvalue().startswith('Model: "sequential"')


def test_expand_nested_matches_keras():
    def build(lib):
        inner = lib.Sequential(
            [lib.Input((5,)), lib.layers.Dense(3), lib.layers.Dense(2)], name="inner"
        )
        inputs = lib.Input((5,))
        return lib.Model(inputs, lib.layers.Dense(2)(inner(inputs)), name="outer")

    kerax.utils.naming.reset()
    ours = build(kerax)
    keras.backend.clear_session()
    theirs = build(keras)
    lines = []
    ours.summary(print_fn=lambda line, **kw: lines.append(line), expand_nested=True)
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        theirs.summary(expand_nested=True)
    expected = [line.rstrip() for line in buffer.getvalue().strip("\n").splitlines()]
    assert [line.rstrip() for line in lines] == expected
