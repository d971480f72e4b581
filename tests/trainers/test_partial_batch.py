"""The last partial batch is padded and masked: one compile, unchanged numbers."""

import keras
import numpy as np
import pytest
from jax import monitoring

import kerax
from kerax.trainers import loops, padding

N, BATCH = 44, 16  # 2 full batches and one of 12


def _data(n=N, features=6, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features)).astype("float32")
    return rng, x


def _unpadded(monkeypatch):
    monkeypatch.setattr(loops, "should_pad", lambda *args: False)


def _mlp(lib, outputs=3, activation=None, **dense):
    return lib.Sequential(
        [
            lib.Input((6,)),
            lib.layers.Dense(8, activation="tanh", **dense),
            lib.layers.Dense(outputs, activation=activation),
        ]
    )


def _twins(build, monkeypatch, x, y, fit_kw=None, eval_kw=None):
    """Fit and evaluate padded and unpadded copies; return both results."""
    results = []
    weights = None
    for pad in (True, False):
        if not pad:
            _unpadded(monkeypatch)
        model = build()
        if weights is None:
            weights = model.get_weights()
        model.set_weights(weights)
        kw = dict(batch_size=BATCH, epochs=2, shuffle=False, verbose=0)
        history = model.fit(x, y, **kw, **(fit_kw or {})).history
        logs = model.evaluate(
            x, y, batch_size=BATCH, verbose=0, return_dict=True, **(eval_kw or {})
        )
        results.append((model, history, logs))
    monkeypatch.undo()
    return results


def _assert_same(results, atol=1e-6):
    (padded, h_pad, e_pad), (plain, h_plain, e_plain) = results
    assert sorted(h_pad) == sorted(h_plain)
    for key in h_plain:
        np.testing.assert_allclose(h_pad[key], h_plain[key], rtol=1e-5, atol=atol)
    assert sorted(e_pad) == sorted(e_plain)
    for key in e_plain:
        np.testing.assert_allclose(e_pad[key], e_plain[key], rtol=1e-5, atol=atol)
    for a, b in zip(padded.get_weights(), plain.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=atol)


@pytest.fixture
def compiles():
    """The backend compilations that happen while the test runs."""
    events = []

    def listener(name, duration, **kwargs):
        if name == "/jax/core/compile/backend_compile_duration":
            events.append(name)

    monitoring.register_event_duration_secs_listener(listener)
    yield events
    monitoring.unregister_event_duration_listener(listener)


@pytest.mark.parametrize("steps_per_execution", [1, 2, "auto"])
def test_fit_and_evaluate_compile_their_step_once(
    monkeypatch, compiles, steps_per_execution
):
    rng, x = _data(n=5 * BATCH + 3)  # 6 steps: chunks of 2, and of 16 (one)
    y = rng.integers(0, 3, size=(len(x),))
    events = compiles
    counts = []
    for pad in (True, True, False):  # the first run compiles the small helpers
        if not pad:
            _unpadded(monkeypatch)
        model = _mlp(kerax)
        model.compile(
            "sgd",
            kerax.losses.SparseCategoricalCrossentropy(from_logits=True),
            metrics=["accuracy"],
            steps_per_execution=steps_per_execution,
        )
        events.clear()
        model.fit(x, y, batch_size=BATCH, epochs=2, verbose=0, validation_split=0.2)
        model.evaluate(x, y, batch_size=BATCH, verbose=0)
        train, test = model._step("train"), model._step("test")
        counts.append((len(events), train.trace_count, test.trace_count))
        if pad:
            assert len(train._cache) == 1 and train.trace_count == 1
            assert train.padding_ok and test.padding_ok
    monkeypatch.undo()
    _, (padded, *traces), (plain, *plain_traces) = counts
    # Unpadded, the partial batch of fit, validation and evaluate each compile
    # a second step; padded, nothing but the first steps compile.
    assert traces[0] < plain_traces[0] and traces[1] < plain_traces[1]
    assert padded <= plain - 2


def test_classification_metrics_ignore_padded_rows(monkeypatch):
    rng, x = _data()
    y = rng.integers(0, 2, size=(N, 1)).astype("float32")
    sw = rng.uniform(0.5, 2.0, size=(N,)).astype("float32")

    def build():
        model = _mlp(kerax, outputs=1, activation="sigmoid", kernel_regularizer="l2")
        model.compile(
            kerax.optimizers.Adam(0.01),
            "binary_crossentropy",
            metrics=[
                "accuracy",
                kerax.metrics.AUC(name="auc"),
                kerax.metrics.TruePositives(name="tp"),
                kerax.metrics.BinaryIoU(name="iou"),
                kerax.metrics.F1Score(average="micro", threshold=0.5, name="f1"),
            ],
            weighted_metrics=[kerax.metrics.MeanSquaredError(name="mse")],
        )
        return model

    results = _twins(build, monkeypatch, x, y, dict(sample_weight=sw))
    assert results[0][0]._step("train").padding_ok
    _assert_same(results)
    # TruePositives sums over samples: a padded row would add to it.
    logs = results[0][2]
    assert logs["tp"] <= float(np.sum(y))


@pytest.mark.parametrize(
    "reduction, weighted",
    [
        ("sum_over_batch_size", True),
        ("sum", False),
        ("mean_with_sample_weight", True),
        ("mean_with_sample_weight", False),
    ],
)
def test_loss_reductions_divide_by_the_real_rows(monkeypatch, reduction, weighted):
    rng, x = _data()
    y = rng.normal(size=(N, 3)).astype("float32")
    sw = rng.uniform(0.5, 2.0, size=(N,)).astype("float32")

    def build():
        model = _mlp(kerax)
        model.compile(
            kerax.optimizers.SGD(0.05),
            kerax.losses.MeanSquaredError(reduction=reduction),
            metrics=[kerax.metrics.RootMeanSquaredError(name="rmse")],
        )
        return model

    fit_kw = dict(sample_weight=sw) if weighted else None
    _assert_same(_twins(build, monkeypatch, x, y, fit_kw), atol=1e-5)


def test_sequence_loss_with_masked_classes_and_timestep_weights(monkeypatch):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(N, 5, 4)).astype("float32")
    y = rng.integers(0, 4, size=(N, 5))
    sw = rng.uniform(0.5, 2.0, size=(N, 5)).astype("float32")

    def build():
        model = kerax.Sequential(
            [kerax.Input((5, 4)), kerax.layers.Dense(6, activation="relu")]
            + [kerax.layers.Dropout(0.3, seed=1), kerax.layers.Dense(4)]
        )
        model.compile(
            kerax.optimizers.Adam(0.01),
            kerax.losses.SparseCategoricalCrossentropy(
                from_logits=True, ignore_class=0
            ),
            weighted_metrics=["accuracy"],
        )
        return model

    results = _twins(build, monkeypatch, x, y, dict(sample_weight=sw))
    assert results[0][0]._step("train").padding_ok
    _assert_same(results)


def test_multi_output_loss_weights_and_class_weight(monkeypatch):
    rng, x = _data()
    ya = rng.normal(size=(N, 1)).astype("float32")
    yb = rng.integers(0, 3, size=(N,))

    def build():
        inputs = kerax.Input((6,))
        hidden = kerax.layers.Dense(8, activation="relu")(inputs)
        a = kerax.layers.Dense(1, name="a")(hidden)
        b = kerax.layers.Dense(3, activation="softmax", name="b")(hidden)
        model = kerax.Model(inputs, {"a": a, "b": b})
        model.compile(
            kerax.optimizers.SGD(0.05),
            loss={"a": "mse", "b": "sparse_categorical_crossentropy"},
            loss_weights={"a": 0.5, "b": 2.0},
            metrics={"a": ["mae"], "b": ["accuracy"]},
        )
        return model

    _assert_same(_twins(build, monkeypatch, x, {"a": ya, "b": yb}))

    def build_single():
        model = _mlp(kerax, activation="softmax")
        model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
        return model

    class_weight = {0: 1.0, 1: 3.0, 2: 0.5}
    fit_kw = dict(class_weight=class_weight)
    _assert_same(_twins(build_single, monkeypatch, x, yb, fit_kw))


def test_predict_returns_the_real_rows_only():
    _, x = _data()
    model = _mlp(kerax)
    out = model.predict(x, batch_size=BATCH, verbose=0)
    assert out.shape == (N, 3)
    np.testing.assert_allclose(out, model.predict_on_batch(x), rtol=1e-5, atol=1e-6)
    assert model._step("predict").trace_count == 1


class _CustomStep(kerax.Sequential):
    def train_step(self, data):
        return super().train_step(data)


@pytest.mark.parametrize(
    "case, kind, reason",
    [
        ("batch_norm", "train", "batch statistics"),
        ("activity", "train", "add losses"),
        ("activity", "test", "add losses"),
        ("custom_step", "train", "train_step is overridden"),
        ("r2", "test", "counts samples"),
        ("iou", "test", "rejects row weights"),
    ],
)
def test_fallbacks_are_detected(case, kind, reason):
    rng, x = _data()
    y = rng.normal(size=(N, 3)).astype("float32")
    layers = [kerax.Input((6,)), kerax.layers.Dense(3)]
    if case == "iou":  # one label per position: the weights must be per entry
        y = rng.integers(0, 2, size=(N, 3))
        layers += [kerax.layers.Reshape((3, 1)), kerax.layers.Dense(2)]
    if case == "batch_norm":
        layers.append(kerax.layers.BatchNormalization())
    if case == "activity":
        layers[1] = kerax.layers.Dense(3, activity_regularizer="l2")
    model = (_CustomStep if case == "custom_step" else kerax.Sequential)(layers)
    metrics = [kerax.metrics.R2Score(num_regressors=2)] if case == "r2" else None
    loss = "mse"
    if case == "iou":
        metrics = [kerax.metrics.MeanIoU(num_classes=2, sparse_y_pred=False)]
        loss = "sparse_categorical_crossentropy"
    model.compile("sgd", loss, metrics=metrics)
    model.fit(x, y, batch_size=BATCH, verbose=0)
    model.evaluate(x, y, batch_size=BATCH, verbose=0)
    blockers = padding.padding_blockers(model, kind, (x[:BATCH], y[:BATCH]))
    assert any(reason in b for b in blockers), blockers
    assert model._step(kind).padding_ok is False


def test_batch_norm_pads_in_evaluation_only(monkeypatch):
    rng, x = _data()
    y = rng.normal(size=(N, 3)).astype("float32")

    def build():
        model = kerax.Sequential(
            [
                kerax.Input((6,)),
                kerax.layers.Dense(3),
                kerax.layers.BatchNormalization(),
            ]
        )
        model.compile("sgd", "mse", metrics=["mae"])
        return model

    results = _twins(build, monkeypatch, x, y)
    model = results[0][0]
    assert model._step("train").padding_ok is False
    assert model._step("test").padding_ok is True
    _assert_same(results)


def test_padded_fit_matches_keras():
    rng, x = _data()
    y = rng.integers(0, 3, size=(N,))
    sw = rng.uniform(0.5, 1.5, size=(N,)).astype("float32")

    def build(lib):
        model = _mlp(lib, activation="softmax", kernel_regularizer="l2")
        model.compile(
            lib.optimizers.Adam(0.01),
            "sparse_categorical_crossentropy",
            metrics=["accuracy", lib.metrics.SparseTopKCategoricalAccuracy(k=2)],
            weighted_metrics=["sparse_categorical_crossentropy"],
        )
        return model

    ours, theirs = build(kerax), build(keras)
    theirs.set_weights(ours.get_weights())
    kw = dict(batch_size=BATCH, epochs=3, shuffle=False, verbose=0, sample_weight=sw)
    h_ours, h_theirs = ours.fit(x, y, **kw).history, theirs.fit(x, y, **kw).history
    assert ours._step("train").padding_ok and ours._step("train").trace_count == 1
    assert sorted(h_ours) == sorted(h_theirs)
    for key in h_theirs:
        np.testing.assert_allclose(h_ours[key], h_theirs[key], rtol=1e-4, atol=1e-6)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    e_ours = ours.evaluate(x, y, batch_size=BATCH, verbose=0, return_dict=True)
    e_theirs = theirs.evaluate(x, y, batch_size=BATCH, verbose=0, return_dict=True)
    for key in e_theirs:
        np.testing.assert_allclose(e_ours[key], e_theirs[key], rtol=1e-4, atol=1e-6)


class _Batches(kerax.utils.PyDataset):
    def __init__(self, x, y):
        super().__init__()
        self.x, self.y = x, y

    def __len__(self):
        return -(-len(self.x) // BATCH)

    def __getitem__(self, index):
        rows = slice(index * BATCH, (index + 1) * BATCH)
        return self.x[rows], self.y[rows]


def test_adapter_batches_are_padded_too(monkeypatch):
    rng, x = _data()
    y = rng.integers(0, 3, size=(N,))
    results = []
    for pad in (True, False):
        if not pad:
            _unpadded(monkeypatch)
        model = _mlp(kerax, activation="softmax")
        model.set_weights([np.full(w.shape, 0.1, w.dtype) for w in model.get_weights()])
        model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
        history = model.fit(_Batches(x, y), epochs=2, shuffle=False, verbose=0)
        logs = model.evaluate(_Batches(x, y), verbose=0, return_dict=True)
        out = model.predict(_Batches(x, y), verbose=0)
        assert out.shape == (N, 3)
        traces = [model._step(kind).trace_count for kind in ("train", "test")]
        results.append((history.history, logs, model.get_weights(), traces))
    monkeypatch.undo()
    (h_pad, e_pad, w_pad, t_pad), (h_plain, e_plain, w_plain, t_plain) = results
    assert t_pad == [1, 1] and t_plain == [2, 2]
    for key in h_plain:
        np.testing.assert_allclose(h_pad[key], h_plain[key], rtol=1e-6)
    for key in e_plain:
        np.testing.assert_allclose(e_pad[key], e_plain[key], rtol=1e-6)
    for a, b in zip(w_pad, w_plain):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_custom_layer_with_batch_statistics_trains_unpadded():
    """A user's layer may mix rows: training falls back to an unpadded last batch."""

    class CenterOnBatch(kerax.layers.Layer):
        def call(self, x, training=False):
            return x - kerax.ops.mean(x, axis=0, keepdims=True) if training else x

    rng = np.random.default_rng(0)
    x = rng.normal(size=(6, 3)).astype("float32")
    y = rng.normal(size=(6, 1)).astype("float32")
    weights = []
    for split in (False, True):  # batches 4 + 2 (partial) in one fit, or in two
        kerax.utils.set_random_seed(0)
        model = kerax.Sequential(
            [kerax.Input((3,)), CenterOnBatch(), kerax.layers.Dense(1)]
        )
        model.compile(optimizer="sgd", loss="mse")
        if split:
            model.fit(x[:4], y[:4], batch_size=4, verbose=0, shuffle=False)
            model.fit(x[4:], y[4:], batch_size=2, verbose=0, shuffle=False)
        else:
            model.fit(x, y, batch_size=4, verbose=0, shuffle=False)
        weights.append(model.get_weights()[0])
    np.testing.assert_allclose(weights[0], weights[1], rtol=1e-6)
