"""model.summary() prints Keras's text character for character, for every argument."""

import functools

import keras
import numpy as np
import pytest

import kerax


@pytest.fixture(autouse=True)
def _console_80_columns(monkeypatch):
    # Keras sizes the table by the terminal; fix it so runs do not depend on it.
    monkeypatch.setenv("COLUMNS", "80")


def _sequential(lib):
    layers = lib.layers
    return lib.Sequential(
        [
            lib.Input((8,)),
            layers.Dense(16, activation="relu"),
            layers.BatchNormalization(),
            layers.Dropout(0.2),
            layers.Dense(10, name="a_very_long_layer_name_that_has_to_wrap_or_be_cut"),
        ]
    )


def _functional(lib):
    """Two inputs, two outputs, a layer used twice."""
    layers = lib.layers
    a = lib.Input((4,), name="a")
    b = lib.Input((3,), name="b")
    shared = layers.Dense(5)
    x = shared(layers.Concatenate()([a, b]))
    y1 = layers.Dense(1, name="o1")(x)
    y2 = layers.Dense(2, name="o2")(layers.Add()([x, shared(layers.Dense(7)(x))]))
    return lib.Model([a, b], [y1, y2])


def _nested(lib):
    inner = lib.Sequential(
        [lib.Input((5,)), lib.layers.Dense(3), lib.layers.Dense(2, name="frozen")],
        name="inner",
    )
    inner.get_layer("frozen").trainable = False
    small_input = lib.Input((2,))
    functional = lib.Model(
        small_input, lib.layers.Dense(4)(small_input), name="inner_functional"
    )
    a = lib.Input((5,))
    b = lib.Input((2,))
    x = lib.layers.Concatenate()([inner(a), b])
    return lib.Model([a, b], functional(lib.layers.Dense(2)(x)), name="outer")


def _dict_outputs(lib):
    a = lib.Input((4,), name="a")
    x = lib.layers.Dense(3)(a)
    outputs = {"z": lib.layers.Dense(1, name="z")(x), "b": lib.layers.Dense(2)(x)}
    return lib.Model(a, outputs, name="dict_outputs")


def _subclassed(lib):
    class Net(lib.Model):
        def __init__(self):
            super().__init__(name="net")
            self.first = lib.layers.Dense(4, name="dense")
            self.second = lib.layers.Dense(4, name="dense")  # same name on purpose
            self.head = lib.layers.Dense(1, name="head")

        def call(self, x):
            return self.head(self.second(self.first(x)))

    net = Net()
    net(np.ones((2, 3), "float32"))
    return net


BUILDERS = {
    "sequential": _sequential,
    "functional": _functional,
    "nested": _nested,
    "dict_outputs": _dict_outputs,
    "subclassed": _subclassed,
}


@functools.cache
def _models(kind: str):
    kerax.utils.naming.reset()
    ours = BUILDERS[kind](kerax)
    keras.backend.clear_session()
    return ours, BUILDERS[kind](keras)


def _capture(model, **kwargs) -> list[str]:
    calls = []
    model.summary(print_fn=calls.append, **kwargs)
    return calls


def _outcome(model, **kwargs) -> list[str] | type:
    try:
        return _capture(model, **kwargs)
    except ValueError:
        return ValueError


OPTIONS = [
    {},
    {"show_trainable": True},
    {"expand_nested": True},
    {"expand_nested": True, "show_trainable": True, "line_length": 61},
    {"line_length": 50},  # narrow: cells wrap, long words end in "…"
    {"line_length": 33},
    {"line_length": 130},  # wider than the console: lines are cropped
    {"positions": [0.2, 0.5, 0.8, 0.9, 1.0]},  # relative, one to spare
    {"positions": [0.5, 0.7, 0.9, 1.0], "show_trainable": True},
    {"positions": [0.3, 0.6, 0.7, 0.8]},  # ends before the line does
    {"positions": [30, 50, 65, 76]},  # absolute
    {"layer_range": ["dense", "dense"]},  # regexes: first match to last match
    {"layer_range": ["dense_1", "dense$"]},  # bounds in reverse order
    {"layer_range": ["nope", "dense"]},  # no match: both raise ValueError
]


@pytest.mark.parametrize("options", OPTIONS, ids=str)
@pytest.mark.parametrize("kind", list(BUILDERS))
def test_text_equals_keras(kind, options):
    ours, theirs = _models(kind)
    if kind == "subclassed" and "layer_range" in options:
        options = {
            "layer_range": [
                "head"
                if "_1" in options["layer_range"][0]
                else options["layer_range"][0],
                "dense$",
            ]
        }
    expected = _outcome(theirs, **options)
    assert _outcome(ours, **options) == expected
    assert expected is ValueError or len(expected) == 1


@pytest.mark.parametrize("columns", ["60", "200"])
def test_console_width_sets_default_length_and_crops(monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", columns)
    ours, theirs = _models("functional")
    for options in ({}, {"line_length": 150}):
        expected = _capture(theirs, **options)
        assert _capture(ours, **options) == expected
        widest = max(len(line) for line in expected[0].splitlines())
        assert widest <= int(columns)


def _ops(lib):
    """Ops on KerasTensors are rows too, named after Keras's op classes."""
    a = lib.Input((4, 3))
    x = lib.ops.expand_dims(a[:, 0] @ lib.ops.ones((3, 2)), 1)
    y = lib.layers.Dense(2)(-x)
    return lib.Model(a, lib.ops.sum(lib.ops.concatenate([x, y * 2], axis=-1)))


def _lstm_states(lib):
    a = lib.Input((5, 3))
    output, h, c = lib.layers.LSTM(4, return_state=True)(a)
    return lib.Model(a, [output, lib.layers.Dense(1)(h), c])


@pytest.mark.parametrize("build", [_ops, _lstm_states])
def test_ops_and_multi_output_layers_match_keras(build):
    kerax.utils.naming.reset()
    ours = build(kerax)
    keras.backend.clear_session()
    theirs = build(keras)
    for options in ({}, {"show_trainable": True, "line_length": 70}):
        assert _capture(ours, **options) == _capture(theirs, **options)


def test_print_fn_gets_the_whole_text_once_and_print_goes_to_stdout(capsys):
    ours, theirs = _models("sequential")
    calls = _capture(ours)
    assert len(calls) == 1 and calls[0].endswith(" B)\n")
    assert calls[0].startswith('Model: "sequential"\n┏')
    ours.summary()
    printed = capsys.readouterr().out
    theirs.summary()
    assert printed == calls[0] == capsys.readouterr().out


def test_narrow_table_cuts_long_names_with_an_ellipsis():
    text = _capture(_models("sequential")[0], line_length=40)[0]
    assert "│ a_very_long_la… │" in text and "│ (Dense)         │" in text
    assert all(len(line) == 40 for line in text.splitlines()[1:-4])


def test_bad_arguments_raise_clear_errors():
    ours, theirs = _models("functional")
    with pytest.raises(ValueError, match="Insufficient console width"):
        ours.summary(line_length=10)
    with pytest.raises(ValueError, match="Insufficient console width"):
        theirs.summary(line_length=10)
    with pytest.raises(ValueError, match="matches no layer"):
        ours.summary(layer_range=["nope", "o1"])
    with pytest.raises(ValueError, match="length 1"):
        ours.summary(layer_range=["o1"])
    with pytest.raises(ValueError, match="two strings"):
        ours.summary(layer_range=[0, 1])
    # Keras fails with an IndexError here; kerax says what is missing.
    with pytest.raises(ValueError, match="4 columns"):
        ours.summary(positions=[0.3, 0.6, 1.0])


def test_optimizer_params_after_fit_match_keras():
    def run(lib):
        model = lib.Sequential([lib.Input((3,)), lib.layers.Dense(2)])
        model.compile("adam", "mse")
        model.fit(np.ones((4, 3)), np.ones((4, 2)), verbose=0)
        return _capture(model)

    kerax.utils.naming.reset()
    ours = run(kerax)
    keras.backend.clear_session()
    assert ours == run(keras)
    # 8 weights; Adam holds m and v for each plus iterations and learning rate.
    assert " Total params: 26 (104.00 B)\n" in ours[0]
    assert " Optimizer params: 18 (72.00 B)\n" in ours[0]


def test_unbuilt_subclassed_model_matches_keras():
    def build(lib):
        class Net(lib.Model):
            def __init__(self):
                super().__init__(name="net")
                self.hidden = lib.layers.Dense(4)

            def call(self, x):
                return self.hidden(x)

        return Net()

    kerax.utils.naming.reset()
    ours = build(kerax)
    keras.backend.clear_session()
    theirs = build(keras)
    assert "0 (unbuilt)" in _capture(ours)[0]
    assert _capture(ours, show_trainable=True) == _capture(theirs, show_trainable=True)
