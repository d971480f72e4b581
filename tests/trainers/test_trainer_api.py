"""compile/fit/evaluate/predict behaviour and errors."""

import warnings

import numpy as np
import pytest

import kerax
from kerax import layers


def _data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 6)).astype("float32")
    y = rng.integers(0, 3, size=(n,))
    return x, y


def _model(**compile_kw):
    kerax.utils.set_random_seed(0)
    model = kerax.Sequential(
        [
            kerax.Input((6,)),
            layers.Dense(8, activation="relu"),
            layers.Dense(3, activation="softmax"),
        ]
    )
    kw = dict(
        optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    kw.update(compile_kw)
    model.compile(**kw)
    return model


def test_fit_returns_history_with_params_and_no_recompile():
    x, y = _data()
    model = _model()
    history = model.fit(x, y, batch_size=8, epochs=3, verbose=0)
    assert history is model.history
    assert history.params == {"verbose": 0, "epochs": 3, "steps": 5}
    assert sorted(history.history) == ["accuracy", "loss"]
    step = model._step("train")
    traces = step.trace_count
    model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    assert step.trace_count == traces  # same shapes: no new trace


def test_steps_per_execution_gives_the_same_run():
    x, y = _data(n=48)
    a = _model()
    b = _model(steps_per_execution=4)
    ha = a.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0).history
    hb = b.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0).history
    np.testing.assert_allclose(ha["loss"], hb["loss"], rtol=1e-5)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(wa, wb, rtol=1e-5, atol=1e-6)


def test_on_batch_methods_and_evaluate_forms():
    x, y = _data()
    model = _model()
    loss, acc = model.train_on_batch(x[:8], y[:8])
    assert np.isfinite(loss) and 0 <= acc <= 1
    logs = model.test_on_batch(x[:8], y[:8], return_dict=True)
    assert sorted(logs) == ["accuracy", "loss"]
    assert model.predict_on_batch(x[:5]).shape == (5, 3)
    result = model.evaluate(x, y, batch_size=7, verbose=0, return_dict=True)
    probabilities = model.predict(x, batch_size=7, verbose=0)
    assert probabilities.shape == (40, 3)
    expected = -np.mean(np.log(probabilities[np.arange(40), y]))
    np.testing.assert_allclose(result["loss"], expected, rtol=1e-5)
    np.testing.assert_allclose(
        result["accuracy"], np.mean(probabilities.argmax(1) == y), rtol=1e-6
    )


def test_validation_data_class_weight_and_sample_weight():
    x, y = _data()
    model = _model()
    history = model.fit(
        x,
        y,
        epochs=2,
        verbose=0,
        validation_data=(x[:10], y[:10]),
        class_weight={0: 1.0, 1: 2.0, 2: 0.5},
    )
    assert "val_loss" in history.history and "val_accuracy" in history.history
    weighted = _model()
    unweighted = _model()
    sw = np.where(y == 1, 2.0, np.where(y == 0, 1.0, 0.5)).astype("float32")
    h1 = weighted.fit(
        x, y, epochs=1, shuffle=False, verbose=0, sample_weight=sw
    ).history
    h2 = unweighted.fit(
        x, y, epochs=1, shuffle=False, verbose=0, class_weight={0: 1.0, 1: 2.0, 2: 0.5}
    ).history
    np.testing.assert_allclose(h1["loss"], h2["loss"], rtol=1e-6)


def test_training_affects_dropout_and_batchnorm_only_in_fit():
    kerax.utils.set_random_seed(1)
    model = kerax.Sequential(
        [kerax.Input((4,)), layers.BatchNormalization(), layers.Dropout(0.5)]
    )
    model.compile("sgd", "mse")
    x = np.random.default_rng(0).normal(size=(32, 4)).astype("float32") + 3
    before = model.layers[0].moving_mean.numpy().copy()
    model.predict(x, verbose=0)
    model.evaluate(x, x, verbose=0)
    np.testing.assert_array_equal(model.layers[0].moving_mean.numpy(), before)
    model.fit(x, x, epochs=1, verbose=0)
    assert np.all(model.layers[0].moving_mean.numpy() > before)
    out = model.predict(x, verbose=0)
    assert np.all(out != 0)  # no dropout at inference


def test_stop_training_from_a_callback():
    class StopAfterTwo(kerax.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                self.model.stop_training = True

    x, y = _data()
    history = _model().fit(x, y, epochs=10, verbose=0, callbacks=[StopAfterTwo()])
    assert len(history.history["loss"]) == 2


def test_learning_rate_changes_without_recompiling():
    x, y = _data()
    model = _model(optimizer=kerax.optimizers.SGD(0.1))
    model.fit(x, y, epochs=1, verbose=0)
    traces = model._step("train").trace_count
    scheduler = kerax.callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.5)
    model.fit(x, y, epochs=3, verbose=0, callbacks=[scheduler])
    assert model._step("train").trace_count == traces
    np.testing.assert_allclose(
        float(model.optimizer.learning_rate), 0.1 * 0.5**3, rtol=1e-6
    )


def test_errors_are_clear():
    x, y = _data()
    model = kerax.Sequential([kerax.Input((6,)), layers.Dense(3)])
    with pytest.raises(RuntimeError, match="compile"):
        model.fit(x, y, verbose=0)
    model.compile("adam", "sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match="Data cardinality is ambiguous"):
        model.fit(x, y[:30], verbose=0)
    with pytest.raises(ValueError, match=r"must be integers in \[0, 3\)"):
        model.fit(x, y + 5, verbose=0)
    with pytest.raises(ValueError, match="adamz"):
        model.compile("adamz", "mse")
    with pytest.raises(ValueError, match="msee"):
        model.compile("adam", "msee")
        model.fit(x, y, verbose=0)
    with pytest.raises(ValueError, match="acuracy"):
        model.compile("adam", "mse", metrics=["acuracy"])
        model.fit(x, np.zeros((40, 3)), verbose=0)
    with pytest.raises(ValueError, match="validation_split"):
        model.compile("adam", "mse")
        model.fit(x, np.zeros((40, 3)), validation_split=1.5, verbose=0)


def test_nan_loss_is_reported(monkeypatch):
    # NaN inputs are refused up front (tests/fault); let one through on purpose.
    monkeypatch.setattr("kerax.trainers.validation._CHECK_FINITE", False)
    x, y = _data()
    x[0, 0] = np.nan
    model = _model()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(x, y, epochs=1, verbose=0)
    assert any("became nan" in str(w.message) for w in caught)
    history = model.fit(
        x, y, epochs=3, verbose=0, callbacks=[kerax.callbacks.TerminateOnNaN()]
    )
    assert len(history.history["loss"]) == 1


def test_verbose_modes_print_keras_style(capsys):
    x, y = _data()
    model = _model()
    model.fit(x, y, epochs=2, verbose=2)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out
    assert "2/2 - " in out and " - accuracy: " in out and " - loss: " in out
    model.fit(x, y, epochs=1, verbose=0)
    assert capsys.readouterr().out == ""


def test_auto_steps_per_execution_rules():
    from kerax.trainers.auto_steps import AUTO_STEPS, steps_per_call

    dense = _model()
    assert dense.steps_per_execution == 1 and steps_per_call(dense, hooks=False) == AUTO_STEPS
    assert steps_per_call(dense, hooks=True) == 1  # per-batch callbacks see every batch
    explicit = _model(steps_per_execution=1)
    assert steps_per_call(explicit, hooks=False) == 1
    conv = kerax.Sequential([kerax.Input((8, 8, 1)), layers.Conv2D(2, 3), layers.Flatten()])
    conv.compile("sgd", "mse")
    assert steps_per_call(conv, hooks=False) == 1  # scanned convolutions are slower on CPU
    with pytest.raises(ValueError, match="steps_per_execution"):
        _model(steps_per_execution=0)


def test_ctrl_c_stops_after_a_step_and_keeps_the_model_usable():
    import os
    import signal

    events = []

    class InterruptAtBatchTwo(kerax.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 2:
                os.kill(os.getpid(), signal.SIGINT)

        def on_train_end(self, logs=None):
            events.append("train_end")

    x, y = _data(n=64)
    model = _model()
    with pytest.raises(KeyboardInterrupt, match="interrupted"):
        model.fit(x, y, batch_size=8, epochs=5, verbose=0, callbacks=[InterruptAtBatchTwo()])
    assert events == ["train_end"]
    assert int(model.optimizer.iterations.numpy()) == 3  # stopped after the third step
    assert np.all(np.isfinite(model.predict(x, verbose=0)))
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_vector_metrics_are_logged_as_arrays():
    """F1Score(average=None) logs one value per class, as Keras does."""
    rng = np.random.default_rng(0)
    x = rng.random((40, 4), dtype="float32")
    y = np.eye(3, dtype="float32")[rng.integers(0, 3, 40)]
    model = kerax.Sequential([kerax.Input((4,)), kerax.layers.Dense(3, "softmax")])
    model.compile("sgd", "categorical_crossentropy", metrics=[kerax.metrics.F1Score()])
    history = model.fit(x, y, epochs=1, batch_size=40, verbose=0)
    assert history.history["f1_score"][0].shape == (3,)
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    expected = kerax.metrics.F1Score()
    expected.update_state(y, model.predict(x, verbose=0))
    np.testing.assert_allclose(logs["f1_score"], expected.result(), rtol=1e-6)
