"""Progbar and ProgbarLogger print exactly what Keras prints."""

from __future__ import annotations

import jax.numpy as jnp
import keras
import pytest
from callback_fakes import FakeModel, PlainOptimizer, fake_fit
from keras.src.utils.progbar import Progbar as KerasProgbar

from kerax import callbacks
from kerax.utils.progbar import Progbar, format_metric


def _drive(cls, clock, capsys, target, updates, dynamic=True, **kwargs):
    """Run ``updates`` = [(seconds later, current, values)] and return stdout."""
    clock.now = 1000.0
    bar = cls(target, **kwargs)
    bar._dynamic_display = dynamic
    for delay, current, values in updates:
        clock.now += delay
        bar.update(current, values)
    return capsys.readouterr().out


def _steps(n, delay=0.1, start=1):
    return [
        (delay, i, [("loss", 1.0 / i), ("accuracy", 0.1 * i), ("tiny", -1e-5 * i)])
        for i in range(start, n + 1)
    ]


CASES = [
    (10, _steps(10), {}),
    (10, _steps(10), dict(verbose=2)),
    (10, _steps(10), dict(stateful_metrics=["loss"])),
    (10, _steps(10), dict(stateless_metrics=["accuracy"])),
    (10, _steps(10, delay=0.01), {}),  # throttled by `interval`
    (10, _steps(10, delay=0.01), dict(interval=0)),
    (None, _steps(7), {}),
    (200, _steps(3, delay=40.0), {}),  # ETA in minutes
    (5000, _steps(3, delay=30.0), {}),  # ETA in hours
    (100, _steps(100, delay=2e-5), dict(unit_name="sample", width=30)),
    (3, [(0.5, 1, [("loss", 2.0)]), (0.2, 3, [("loss", 1.0)])], dict(verbose=2)),
    (1000, _steps(4, delay=1.5), {}),
    # Keras's verbose=2 line writes every negative value in scientific notation
    (4, [(0.1, i, [("loss", -0.5 * i)]) for i in range(1, 5)], dict(verbose=2)),
    (4, [(0.1, i, [("loss", -0.5 * i)]) for i in range(1, 5)], {}),
]


@pytest.mark.parametrize("target,updates,kwargs", CASES)
def test_matches_keras(clock, capsys, target, updates, kwargs):
    ours = _drive(Progbar, clock, capsys, target, updates, **kwargs)
    theirs = _drive(KerasProgbar, clock, capsys, target, updates, **kwargs)
    assert ours == theirs
    assert ours


def test_final_line(clock, capsys):
    out = _drive(Progbar, clock, capsys, 4, _steps(4, delay=0.012))
    last = out.split("\r")[-1]
    assert last.startswith(
        "\x1b[1m4/4\x1b[0m \x1b[32m" + "━" * 20 + "\x1b[0m\x1b[37m\x1b[0m "
        "\x1b[1m0s\x1b[0m 12ms/step - loss: 0.2500 - accuracy: 0.4000 - tiny: "
        "-4.0000e-05"
    )
    assert last.endswith("\n")


def test_verbose_2_prints_one_line(clock, capsys):
    out = _drive(Progbar, clock, capsys, 4, _steps(4, delay=0.5), verbose=2)
    assert out == (
        "4/4 - 2s - 500ms/step - loss: 0.2500 - accuracy: 0.4000 - tiny: -4.0000e-05\n"
    )


def test_verbose_0_prints_nothing(clock, capsys):
    assert _drive(Progbar, clock, capsys, 4, _steps(4), verbose=0) == ""


def test_not_a_terminal_prints_only_the_final_line(clock, capsys):
    out = _drive(Progbar, clock, capsys, 10, _steps(10), dynamic=False)
    assert out.count("\n") == 1 and "\r" not in out and "\b" not in out
    assert out.startswith("\x1b[1m10/10\x1b[0m")


def test_add(clock, capsys):
    clock.now = 1000.0
    bar = Progbar(4, verbose=2)
    bar.add(2, [("loss", 1.0)])
    bar.add(2, [("loss", 3.0)])
    assert capsys.readouterr().out.endswith("loss: 3.0000\n")


@pytest.mark.parametrize(
    "value,text",
    [
        (0.5, "0.5000"),
        (12.345678, "12.3457"),
        (1e-3, "1.0000e-03"),
        (0.0, "0.0000e+00"),
        (-2.5, "-2.5000"),
        (-1e-4, "-1.0000e-04"),
    ],
)
def test_format_metric(value, text):
    assert format_metric(value) == text


def test_both_metric_lists_is_an_error():
    with pytest.raises(ValueError, match="stateful_metrics"):
        Progbar(3, stateful_metrics=["a"], stateless_metrics=["b"])


class CountingScalar:
    """A device-scalar stand-in that counts how often it is read."""

    reads = 0

    def __init__(self, value):
        self.value = value

    def __array__(self, dtype=None, copy=None):
        CountingScalar.reads += 1
        return jnp.asarray(self.value).__array__(dtype)


def test_values_are_read_only_when_drawn(clock, capsys):
    CountingScalar.reads = 0
    bar = Progbar(100, interval=10.0, stateless_metrics=())
    bar._dynamic_display = True
    for i in range(1, 51):
        clock.now += 0.01
        bar.update(i, [("loss", CountingScalar(1.0 / i))])
    assert CountingScalar.reads == 1  # only the first update was drawn
    bar.update(100, [("loss", CountingScalar(0.5))])
    assert CountingScalar.reads == 2


def _fit_output(module, clock, capsys, verbose, epochs=2, steps=4):
    def tick(batch, logs):
        clock.now += 0.25

    clock.now = 1000.0
    logger = module.ProgbarLogger()
    fake_fit(
        FakeModel(optimizer=PlainOptimizer()),
        [module.LambdaCallback(on_train_batch_begin=tick), logger],
        [
            {"loss": 0.5 / (e + 1), "val_loss": 0.75, "accuracy": 0.5}
            for e in range(epochs)
        ],
        steps=steps,
        verbose=verbose,
        callback_list_class=module.CallbackList,
        validate=True,
        batch_loss=lambda epoch, step: jnp.float32(1.0 / (step + 1)),
    )
    return capsys.readouterr().out


@pytest.mark.parametrize("verbose,epochs", [(1, 2), (2, 2), (1, 1), (0, 2)])
def test_logger_matches_keras(clock, capsys, monkeypatch, verbose, epochs):
    monkeypatch.setenv("PYCHARM_HOSTED", "1")  # Keras redraws in place here too
    ours = _fit_output(callbacks, clock, capsys, verbose, epochs)
    theirs = _fit_output(keras.callbacks, clock, capsys, verbose, epochs)
    assert ours == theirs
    assert ("Epoch 2/2" in ours) == (verbose > 0 and epochs == 2)


def test_logger_verbose_2_lines(clock, capsys):
    out = _fit_output(callbacks, clock, capsys, verbose=2)
    assert out == (
        "Epoch 1/2\n"
        "4/4 - 1s - 250ms/step - accuracy: 0.5000 - loss: 0.5000 - val_loss: 0.7500\n"
        "Epoch 2/2\n"
        "4/4 - 1s - 250ms/step - accuracy: 0.5000 - loss: 0.2500 - val_loss: 0.7500\n"
    )


def _evaluate_and_predict(module, clock, capsys, verbose):
    clock.now = 1000.0
    logger = module.ProgbarLogger()
    cbs = module.CallbackList([logger], verbose=verbose, epochs=1, steps=2)
    cbs.on_test_begin()
    for step in range(2):
        clock.now += 0.5
        cbs.on_test_batch_end(step, {"loss": jnp.float32(0.5)})
    cbs.on_test_end({"loss": 0.5})
    cbs.on_predict_begin()
    for step in range(2):
        clock.now += 0.5
        cbs.on_predict_batch_end(step, {"outputs": jnp.zeros((2, 3))})
    cbs.on_predict_end()
    return capsys.readouterr().out


@pytest.mark.parametrize("verbose", [1, 2])
def test_logger_evaluate_and_predict(clock, capsys, monkeypatch, verbose):
    monkeypatch.setenv("PYCHARM_HOSTED", "1")
    ours = _evaluate_and_predict(callbacks, clock, capsys, verbose)
    assert ours == _evaluate_and_predict(keras.callbacks, clock, capsys, verbose)
    if verbose == 2:
        assert ours.splitlines() == [
            "2/2 - 1s - 500ms/step - loss: 0.5000",
            "2/2 - 1s - 500ms/step",
        ]


def test_logger_batch_hook_needs():
    logger = callbacks.ProgbarLogger()
    logger.set_params({"verbose": 2, "epochs": 1, "steps": 3})
    assert not logger._needs_batch_hooks("train")
    logger.set_params({"verbose": "auto", "epochs": 1, "steps": 3})
    assert logger._needs_batch_hooks("train") and logger._needs_batch_hooks("test")
    logger.on_train_begin()
    assert not logger._needs_batch_hooks("test")  # fit's validation is silent


def test_note_stays_until_the_first_update_redraws(clock, capsys):
    clock.now = 1000.0
    bar = Progbar(4)
    bar._dynamic_display = True
    bar.note("compiling…")
    clock.now += 2.0
    bar.update(1, [("loss", 0.5)])
    out = capsys.readouterr().out
    note = "\r\x1b[1m0/4\x1b[0m \x1b[37m" + "━" * 20 + "\x1b[0m compiling…"
    assert out.startswith(note)
    width = len("0/4 " + "━" * 20 + " compiling…")
    rest = out[len(note) :]
    assert rest.startswith("\b" * width + "\r\x1b[1m1/4\x1b[0m ")


@pytest.mark.parametrize("verbose,dynamic", [(1, False), (2, True), (0, True)])
def test_note_only_on_a_live_bar(capsys, verbose, dynamic):
    bar = Progbar(4, verbose=verbose)
    bar._dynamic_display = dynamic
    bar.note("compiling…")
    assert capsys.readouterr().out == ""


def _tiny_model():
    import kerax

    model = kerax.Sequential([kerax.Input((3,)), kerax.layers.Dense(2)])
    model.compile("sgd", "mse")
    return model


@pytest.mark.parametrize("verbose", [1, 2])
def test_fit_says_compiling_once_on_a_live_bar(capsys, monkeypatch, verbose):
    import numpy as np

    monkeypatch.setenv("PYCHARM_HOSTED", "1")
    x, y = np.ones((10, 3), "float32"), np.zeros((10, 2), "float32")
    model = _tiny_model()
    model.fit(x, y, batch_size=4, epochs=2, verbose=verbose)
    assert capsys.readouterr().out.count("compiling") == (verbose == 1)
    model.fit(x, y, batch_size=4, epochs=1, verbose=verbose)  # compiled already
    model.evaluate(x, y, batch_size=4, verbose=verbose)
    model.evaluate(x, y, batch_size=4, verbose=verbose)
    model.predict(x, batch_size=4, verbose=verbose)
    # One note each for the first evaluate and predict, none for the rest.
    assert capsys.readouterr().out.count("compiling") == 2 * (verbose == 1)
