"""The Metric base: state, reset, call, config round trips, identifiers, errors."""

from __future__ import annotations

import inspect

import jax.numpy as jnp
import keras
import numpy as np
import pytest
from metric_cases import CASES, case_id, make

import kerax
import kerax.metrics as km
from kerax.registry import lookup


class BinaryTruePositives(km.Metric):
    """A user metric written the Keras way."""

    def __init__(self, name="binary_true_positives", **kwargs):
        super().__init__(name=name, **kwargs)
        self.true_positives = self.add_variable((), "zeros", name="true_positives")
        self.seen = self.add_variable((), "ones", name="seen")

    def update_state(self, y_true, y_pred, sample_weight=None):
        values = (jnp.asarray(y_true) == 1) & (jnp.asarray(y_pred) == 1)
        self.true_positives.assign(self.true_positives.value + jnp.sum(values))
        self.seen.assign(self.seen.value + 1)

    def result(self):
        return self.true_positives.value


def test_custom_metric_state_call_and_reset():
    metric = BinaryTruePositives()
    assert metric._is_metric
    assert [v.name for v in metric.variables] == ["true_positives", "seen"]
    assert all(not v.trainable for v in metric.variables)
    assert metric.variables[0].path == "binary_true_positives/true_positives"
    assert float(metric([1, 1, 0], [1, 0, 0])) == 1.0
    assert float(metric([1, 1], [1, 1])) == 3.0
    metric.reset_state()
    assert [float(v.value) for v in metric.variables] == [0.0, 1.0]  # initial values


def test_default_names_are_unique_snake_case():
    assert km.AUC().name == "auc"
    assert km.AUC().name == "auc_1"
    assert km.MeanIoU(2).name == "mean_io_u"
    assert km.Precision(name="p").name == "p"


def test_dtype_and_policy():
    assert km.Mean().dtype == "float32"
    assert km.Mean(dtype="float16").total.dtype == "float16"
    assert km.Mean(dtype=kerax.dtype_policies.DTypePolicy("mixed_bfloat16")).dtype == (
        "bfloat16"
    )
    assert km.MeanIoU(3).total_cm.dtype == "int32"


def test_held_metrics_are_tracked():
    class Pair(km.Metric):
        def __init__(self):
            super().__init__()
            self.first = km.Mean()
            self.rest = [km.Sum()]

        def update_state(self, values):
            self.first.update_state(values)
            self.rest[0].update_state(values)

        def result(self):
            return self.first.result() + self.rest[0].result()

    metric = Pair()
    assert [v.name for v in metric.variables] == ["total", "count", "total"]
    metric.update_state([1.0, 3.0])
    assert float(metric.result()) == 6.0
    metric.reset_state()
    assert float(metric.result()) == 0.0


def test_layer_holding_a_metric_lists_its_variables():
    class WithMetric(kerax.Layer):
        def __init__(self):
            super().__init__()
            self.tracker = km.Mean()

        def call(self, x):
            return x

    layer = WithMetric()
    assert all(any(v is w for w in layer.variables) for v in layer.tracker.variables)


def test_missing_super_init_is_a_clear_error():
    class Broken(km.Metric):
        def __init__(self):
            self.v = self.add_variable((), "zeros")

    with pytest.raises(RuntimeError, match="super"):
        Broken()


def test_base_methods_must_be_implemented():
    metric = km.Metric()
    with pytest.raises(NotImplementedError):
        metric.update_state(1.0)
    with pytest.raises(NotImplementedError):
        metric.result()


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_config_round_trip_and_keras_interchange(case):
    name, kwargs, kind = case
    metric = getattr(km, name)(**kwargs)
    config = metric.get_config()
    clone = type(metric).from_config(config)
    assert clone.get_config() == config
    assert [v.shape for v in clone.variables] == [v.shape for v in metric.variables]
    theirs = getattr(keras.metrics, name)(**kwargs)
    assert getattr(metric, "_direction", None) == getattr(theirs, "_direction", None)
    expected = theirs.get_config()
    expected["name"] = metric.name
    if "label_weights" in expected and expected["label_weights"] is not None:
        expected["label_weights"] = np.asarray(expected["label_weights"]).tolist()
    if name == "CosineSimilarity":
        expected["axis"] = -1  # kerax keeps `axis` (Keras 3 drops it)
    assert config == expected
    # Each side loads the other's config.
    type(metric).from_config(expected)
    type(theirs).from_config(config)


def test_serialize_matches_keras_format():
    metric = km.AUC(num_thresholds=10, name="auc")
    assert km.serialize(metric) == {
        "module": "keras.metrics",
        "class_name": "AUC",
        "config": metric.get_config(),
        "registered_name": None,
    }
    theirs = keras.metrics.serialize(keras.metrics.AUC(num_thresholds=10, name="auc"))
    assert km.serialize(metric) == theirs
    assert km.serialize(km.hinge) == keras.metrics.serialize(keras.metrics.hinge)
    clone = km.deserialize(km.serialize(metric))
    assert isinstance(clone, km.AUC) and clone.num_thresholds == 10
    assert km.deserialize(km.serialize(km.hinge)) is km.hinge
    assert isinstance(km.deserialize(theirs), km.AUC)


def test_mean_metric_wrapper_config_round_trip():
    metric = km.MeanMetricWrapper(km.binary_accuracy, threshold=0.3)
    config = km.serialize(metric)
    theirs = keras.metrics.MeanMetricWrapper(
        keras.metrics.binary_accuracy, name=metric.name, threshold=0.3
    )
    assert config == keras.metrics.serialize(theirs)
    clone = km.deserialize(config)
    assert clone._fn is km.binary_accuracy and clone._fn_kwargs == {"threshold": 0.3}
    y_true, y_pred, _ = make("binary")
    np.testing.assert_allclose(clone(y_true, y_pred), theirs(y_true, y_pred), atol=1e-6)


def test_custom_objects_in_deserialize():
    config = km.serialize(BinaryTruePositives(name="btp"))
    assert config["registered_name"] == "BinaryTruePositives"
    with pytest.raises(ValueError, match="custom_objects"):
        km.deserialize(config)
    clone = km.deserialize(config, {"BinaryTruePositives": BinaryTruePositives})
    assert isinstance(clone, BinaryTruePositives) and clone.name == "btp"


@pytest.mark.parametrize(
    "identifier,cls",
    [
        ("binary_accuracy", km.BinaryAccuracy),
        ("categorical_accuracy", km.CategoricalAccuracy),
        ("AUC", km.AUC),
        ("auc", km.AUC),
        ("precision", km.Precision),
        ("recall", km.Recall),
        ("mae", km.MeanAbsoluteError),
        ("MSE", km.MeanSquaredError),
        ("bce", km.BinaryCrossentropy),
        ("mean_squared_logarithmic_error", km.MeanSquaredLogarithmicError),
        ("accuracy", km.Accuracy),
        ("R2Score", km.R2Score),
        ({"class_name": "AUC", "config": {"num_thresholds": 7}}, km.AUC),
    ],
)
def test_get_resolves_like_keras(identifier, cls):
    metric = km.get(identifier)
    assert type(metric) is cls
    assert type(keras.metrics.get(identifier)).__name__ == cls.__name__


def test_get_passes_through_and_rejects():
    metric = km.Mean()
    assert km.get(metric) is metric
    assert km.get(km.hinge) is km.hinge
    assert km.get(None) is None
    with pytest.raises(ValueError, match="Valid names are .*'auc'"):
        km.get("no_such_metric")
    with pytest.raises(ValueError, match="Could not interpret"):
        km.get(42)


def test_every_public_name_is_registered():
    for name in km.__all__:
        if name in ("get", "serialize", "deserialize"):
            continue
        assert lookup("keras.metrics", name) is getattr(km, name), name


@pytest.mark.parametrize(
    "factory,match",
    [
        (lambda: km.AUC(num_thresholds=1), "num_thresholds"),
        (lambda: km.AUC(curve="XY"), "curve"),
        (lambda: km.AUC(summation_method="trapezoid"), "summation_method"),
        (lambda: km.AUC(num_labels=3), "num_labels"),
        (lambda: km.Precision(thresholds=[0.5, 1.5]), r"\[0, 1\]"),
        (lambda: km.Recall(top_k=0), "top_k"),
        (lambda: km.TruePositives(thresholds=-0.1), r"\[0, 1\]"),
        (lambda: km.SensitivityAtSpecificity(1.5), "specificity"),
        (lambda: km.PrecisionAtRecall(0.5, num_thresholds=0), "num_thresholds"),
        (lambda: km.F1Score(average="median"), "average"),
        (lambda: km.FBetaScore(beta=2), "beta"),
        (lambda: km.FBetaScore(beta=-1.0), "beta"),
        (lambda: km.F1Score(threshold=1.5), "threshold"),
        (lambda: km.R2Score(class_aggregation="max"), "class_aggregation"),
        (lambda: km.R2Score(num_regressors=-1), "num_regressors"),
        (lambda: km.IoU(3, target_class_ids=[3]), "target_class_ids"),
        (lambda: km.MeanIoU(0), "num_classes"),
        (lambda: km.TopKCategoricalAccuracy(k=0), "k"),
        (lambda: km.Mean(name=3), "name"),
    ],
)
def test_bad_arguments_are_clear_errors(factory, match):
    with pytest.raises((ValueError, TypeError), match=match):
        factory()


def test_bad_input_shapes_are_clear_errors():
    with pytest.raises(ValueError, match="2D inputs"):
        km.R2Score().update_state(np.zeros(3), np.zeros(3))
    with pytest.raises(ValueError, match="2D inputs"):
        km.F1Score().update_state(np.zeros(3), np.zeros(3))
    with pytest.raises(ValueError, match="rank 2"):
        km.AUC(multi_label=True).update_state(np.zeros(3), np.zeros(3))
    with pytest.raises(ValueError, match="class_id"):
        km.Precision(class_id=1).update_state(np.zeros(3), np.zeros(3))


def test_iou_warns_that_float_weights_are_truncated():
    metric = km.MeanIoU(2)
    with pytest.warns(UserWarning, match="truncated"):
        metric.update_state([0, 1], [0, 1], sample_weight=np.array([0.5, 1.5]))
    # int32 state: 0.5 -> 0 and 1.5 -> 1, so only class 1 is seen.
    np.testing.assert_array_equal(metric.total_cm.value, [[0, 0], [0, 1]])


@pytest.mark.parametrize("name", sorted(km.__all__))
def test_signature_matches_keras(name):
    ours = inspect.signature(getattr(km, name))
    theirs = inspect.signature(getattr(keras.metrics, name))
    assert [(p.name, p.kind) for p in ours.parameters.values()] == [
        (p.name, p.kind) for p in theirs.parameters.values()
    ]
    for p in theirs.parameters.values():
        assert ours.parameters[p.name].default == p.default, p.name


def test_numpy_thresholds_are_accepted():
    thresholds = np.array([0.2, 0.7], "float32")
    metric = km.Precision(thresholds=thresholds)
    theirs = keras.metrics.Precision(
        thresholds=thresholds.tolist()
    )  # Keras: lists only
    y_true, y_pred, _ = make("binary")
    metric.update_state(y_true, y_pred)
    theirs.update_state(y_true, y_pred)
    np.testing.assert_allclose(metric.result(), theirs.result(), atol=1e-6)


@pytest.mark.parametrize(
    "fn", ["mean_squared_error", "hinge", "binary_accuracy", "pearson_correlation"]
)
def test_wrapper_direction_matches_keras(fn):
    ours = km.MeanMetricWrapper(getattr(km, fn))
    theirs = keras.metrics.MeanMetricWrapper(getattr(keras.metrics, fn))
    assert getattr(ours, "_direction", None) == getattr(theirs, "_direction", None)
