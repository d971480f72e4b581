"""fit, checkpoints and metrics under a mesh: run with 8 simulated CPU devices.

``test_sharded.py`` runs this file in a child process (the pytest process has
already started JAX with one device) and asserts on the JSON it prints.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile

import jax
import numpy as np

import kerax as keras
from kerax import distribution as dist
from kerax import registry

jax.config.update("jax_numpy_rank_promotion", "raise")
RNG = np.random.default_rng(0)
X = RNG.normal(size=(32, 8)).astype("float32")
Y = RNG.normal(size=(32, 8)).astype("float32")


def make_model():
    model = keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(16, activation="tanh", name="hidden"),
            keras.layers.Dense(8, name="out"),
        ],
        name="mlp",
    )
    model.compile(keras.optimizers.Adam(0.01), "mse")
    return model


def model_parallel():
    mesh = dist.DeviceMesh((2, 4), ["batch", "model"])
    layout_map = dist.LayoutMap(mesh)
    layout_map[".*hidden/kernel"] = (None, "model")
    layout_map[".*hidden/bias"] = ("model",)
    layout_map[".*out/kernel"] = ("model", None)
    return dist.ModelParallel(layout_map=layout_map, batch_dim_name="batch")


def saved_variables(model):
    """What a checkpoint holds: the model's weights and its optimizer's state."""
    return list(model.weights) + list(getattr(model.optimizer, "variables", []))


def specs(model):
    return {
        v.path: str(getattr(v._value.sharding, "spec", "one device"))
        for v in saved_variables(model)
    }


def misplaced(distribution, model):
    """Paths of saved variables not laid out as ``distribution`` asks."""
    return [
        v.path
        for v in saved_variables(model)
        if not v._value.sharding.is_equivalent_to(
            distribution.get_variable_layout(v).backend_layout, len(v.shape)
        )
    ]


class ShardRecorder:
    """Records the shape of every block ``make_array_from_callback`` asks for."""

    def __init__(self):
        self.blocks: dict[tuple, list] = {}
        self._original = jax.make_array_from_callback

    def __enter__(self):
        def recording(shape, sharding, callback, *args, **kwargs):
            def inner(index):
                block = callback(index)
                self.blocks.setdefault(tuple(shape), []).append(block.shape)
                return block

            return self._original(shape, sharding, inner, *args, **kwargs)

        jax.make_array_from_callback = recording
        return self

    def __exit__(self, *exc):
        jax.make_array_from_callback = self._original


def max_diff(a, b):
    return max(float(np.max(np.abs(np.asarray(p) - q))) for p, q in zip(a, b))


def checkpoint_checks(folder):
    out = {}
    mp = model_parallel()
    with mp.scope():
        keras.utils.set_random_seed(0)
        trained = make_model()
        trained.fit(X, Y, batch_size=8, epochs=1, shuffle=False, verbose=0)
        out["trained_specs"] = specs(trained)
        trained.set_weights([w + 0 for w in trained.get_weights()])
        out["set_weights_misplaced"] = misplaced(mp, trained)
        reference = trained.predict(X, batch_size=8, verbose=0)
        trained.save(os.path.join(folder, "mp.keras"))
        trained.save_weights(os.path.join(folder, "mp.weights.h5"))
    weights = trained.get_weights()
    slots = [np.asarray(v) for v in trained.optimizer.variables]

    for kind in ("keras", "weights"):
        with mp.scope():
            with ShardRecorder() as recorder:
                if kind == "keras":
                    loaded = keras.saving.load_model(os.path.join(folder, "mp.keras"))
                else:
                    loaded = make_model()
                    loaded.optimizer.build(loaded.trainable_variables)
                    loaded.load_weights(os.path.join(folder, "mp.weights.h5"))
            loaded_specs = specs(loaded)  # right after loading, before any step
            prediction = loaded.predict(X, batch_size=8, verbose=0)
        out[f"mp_to_mp_{kind}"] = {
            "specs": loaded_specs,
            "misplaced": misplaced(mp, loaded),
            "kernel_blocks": [list(s) for s in recorder.blocks.get((8, 16), [])],
            "prediction_diff": float(np.max(np.abs(prediction - reference))),
            "weight_diff": max_diff(loaded.get_weights(), weights),
            "slot_diff": max_diff(loaded.optimizer.variables, slots),
        }

    plain = make_model()  # no distribution: one device
    plain.load_weights(os.path.join(folder, "mp.weights.h5"))
    out["mp_to_plain"] = {
        "devices": sorted({len(v._value.sharding.device_set) for v in plain.variables}),
        "prediction_diff": float(
            np.max(np.abs(plain.predict(X, batch_size=8, verbose=0) - reference))
        ),
    }
    plain.save_weights(os.path.join(folder, "plain.weights.h5"))
    with mp.scope():
        back = make_model()
        back.load_weights(os.path.join(folder, "plain.weights.h5"))
        out["plain_to_mp"] = {
            "specs": specs(back),
            "misplaced": misplaced(mp, back),
            "prediction_diff": float(
                np.max(np.abs(back.predict(X, batch_size=8, verbose=0) - reference))
            ),
        }

    fsdp = dist.FSDP()
    with fsdp.scope():
        fully = make_model()
        fully.load_weights(os.path.join(folder, "mp.weights.h5"))
        out["mp_to_fsdp"] = {
            "specs": specs(fully),
            "misplaced": misplaced(fsdp, fully),
            "prediction_diff": float(
                np.max(np.abs(fully.predict(X, batch_size=8, verbose=0) - reference))
            ),
        }
    out["callbacks"] = callback_checks(folder, mp)
    return out


def fit_with(mp, epochs, callbacks, initial=None):
    with mp.scope():
        keras.utils.set_random_seed(0)
        model = make_model()
        if initial is not None:
            model.set_weights(initial)
        model.fit(X, Y, batch_size=8, epochs=epochs, verbose=0, callbacks=callbacks)
    return model


def callback_checks(folder, mp):
    """ModelCheckpoint and BackupAndRestore while fitting under ModelParallel."""
    out = {}
    best = os.path.join(folder, "ckpt.keras")
    uninterrupted = fit_with(mp, 2, [keras.callbacks.ModelCheckpoint(best)])
    with mp.scope():
        restored = keras.saving.load_model(best)
        out["checkpoint_specs"] = specs(restored)
        out["checkpoint_misplaced"] = misplaced(mp, restored)
    out["checkpoint_weight_diff"] = max_diff(
        restored.get_weights(), uninterrupted.get_weights()
    )
    backup_dir = os.path.join(folder, "backup")

    class StopAfterFirstEpoch(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 0:
                raise RuntimeError("interrupted")

    backup = keras.callbacks.BackupAndRestore(backup_dir, delete_checkpoint=False)
    try:
        fit_with(mp, 2, [backup, StopAfterFirstEpoch()])
    except RuntimeError:
        pass
    resumed = fit_with(mp, 2, [keras.callbacks.BackupAndRestore(backup_dir)])
    out["resume_weight_diff"] = max_diff(
        resumed.get_weights(), uninterrupted.get_weights()
    )
    out["resume_specs"] = specs(resumed)
    out["resume_misplaced"] = misplaced(mp, resumed)
    return out


# ------------------------------------------------------------ fit, evaluate
def fit_run(distribution):
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((6,)), keras.layers.Dense(16, "relu"), keras.layers.Dense(1)]
    )
    model.compile(keras.optimizers.Adam(0.01), "mse", metrics=["mae"])
    x, y = FIT_X, FIT_X.sum(axis=1, keepdims=True)
    with contextlib.ExitStack() as stack:
        if distribution is not None:
            stack.enter_context(distribution.scope())
        history = model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
        loss = model.evaluate(x, y, batch_size=16, verbose=0)
    devices = len(model.layers[0].kernel.value.sharding.device_set)
    return history.history["loss"], loss, model.get_weights(), devices


def fit_checks():
    """fit/evaluate under DataParallel on 8 devices against one device."""
    single = fit_run(None)
    sharded = fit_run(dist.DataParallel())
    return {
        "losses": [single[0], sharded[0]],
        "evaluate": [single[1], sharded[1]],
        "weight_diff": max_diff(sharded[2], single[2]),
        "devices": sharded[3],
    }


FIT_X = np.random.default_rng(1).normal(size=(64, 6)).astype("float32")


# ---------------------------------------------------------------- metrics
N, C = 64, 6


def _one_hot(labels):
    return np.eye(C, dtype="float32")[labels]


LABELS = RNG.integers(0, C, size=(N,))
FAMILIES = {
    # activation, y_true, loss
    "binary": ("sigmoid", RNG.integers(0, 2, size=(N, C)).astype("float32"), "mse"),
    "categorical": ("softmax", _one_hot(LABELS), "categorical_crossentropy"),
    "sparse": (
        "softmax",
        LABELS[:, None].astype("int32"),
        "sparse_categorical_crossentropy",
    ),
    "regression": (
        "softplus",
        RNG.uniform(0.1, 2.0, size=(N, C)).astype("float32"),
        "mse",
    ),
}
CLASSES = {
    "binary": {
        "AUC": {},
        "Accuracy": {},
        "BinaryAccuracy": {},
        "BinaryCrossentropy": {},
        "BinaryIoU": {},
        "F1Score": {"average": "macro"},  # per-class arrays: see test_sharded.py
        "FBetaScore": {"beta": 2.0, "average": "micro"},
        "FalseNegatives": {},
        "FalsePositives": {},
        "TrueNegatives": {},
        "TruePositives": {},
        "Precision": {},
        "Recall": {},
        "PrecisionAtRecall": {"recall": 0.5},
        "RecallAtPrecision": {"precision": 0.5},
        "SensitivityAtSpecificity": {"specificity": 0.5},
        "SpecificityAtSensitivity": {"sensitivity": 0.5},
        "Hinge": {},
        "SquaredHinge": {},
    },
    "categorical": {
        "CategoricalAccuracy": {},
        "CategoricalCrossentropy": {},
        "CategoricalHinge": {},
        "TopKCategoricalAccuracy": {},
        "OneHotIoU": {"num_classes": C, "target_class_ids": [0, 2]},
        "OneHotMeanIoU": {"num_classes": C},
        "KLDivergence": {},
        "CosineSimilarity": {},
    },
    "sparse": {
        "SparseCategoricalAccuracy": {},
        "SparseCategoricalCrossentropy": {},
        "SparseTopKCategoricalAccuracy": {},
        "IoU": {"num_classes": C, "target_class_ids": [0, 2], "sparse_y_pred": False},
        "MeanIoU": {"num_classes": C, "sparse_y_pred": False},
    },
    "regression": {
        "MeanAbsoluteError": {},
        "MeanAbsolutePercentageError": {},
        "MeanSquaredError": {},
        "MeanSquaredLogarithmicError": {},
        "RootMeanSquaredError": {},
        "LogCoshError": {},
        "R2Score": {},
        "PearsonCorrelation": {},
        "ConcordanceCorrelation": {},
        "Poisson": {},
        "MeanMetricWrapper": {"fn": "mean_squared_error"},
    },
}
FUNCTIONS = {
    "binary": ["binary_accuracy", "binary_crossentropy", "binary_focal_crossentropy",
               "hinge", "squared_hinge"],
    "categorical": ["categorical_accuracy", "categorical_crossentropy",
                    "categorical_focal_crossentropy", "categorical_hinge",
                    "kl_divergence", "top_k_categorical_accuracy"],
    "sparse": ["sparse_categorical_accuracy", "sparse_categorical_crossentropy",
               "sparse_top_k_categorical_accuracy"],
    "regression": ["mean_absolute_error", "mean_absolute_percentage_error",
                   "mean_squared_error", "mean_squared_logarithmic_error", "huber",
                   "log_cosh", "poisson", "pearson_correlation",
                   "concordance_correlation"],
}  # fmt: skip


def make_metric(name, family):
    """The metric ``name`` (a class, or a function wrapped under its own name)."""
    found = registry.lookup("keras.metrics", name)
    if name in FUNCTIONS[family]:
        return keras.metrics.MeanMetricWrapper(found, name=name)
    kwargs = dict(CLASSES[family][name])
    if "fn" in kwargs:
        kwargs["fn"] = registry.lookup("keras.metrics", kwargs["fn"])
    return found(name=name, **kwargs)


def evaluate(family, names, distribution):
    activation, y_true, loss = FAMILIES[family]
    model = keras.Sequential([keras.Input((C,)), keras.layers.Activation(activation)])
    metrics = [make_metric(name, family) for name in names]
    model.compile("sgd", loss, metrics=metrics)
    with contextlib.ExitStack() as stack:
        if distribution is not None:
            stack.enter_context(distribution.scope())
        logs = model.evaluate(
            RNG_X[family],
            y_true,
            sample_weight=SAMPLE_WEIGHT,
            batch_size=16,
            verbose=0,
            return_dict=True,
        )
    return {name: logs[name] for name in names}


def compare_family(family, distribution):
    """{metric: [one device, under the mesh]}; a failure is reported per metric."""
    names = list(CLASSES[family]) + FUNCTIONS[family]
    try:
        single = evaluate(family, names, None)
        sharded = evaluate(family, names, distribution)
        return {name: [single[name], sharded[name]] for name in names}
    except Exception:  # find the culprits one by one
        results = {}
        for name in names:
            try:
                pair = [evaluate(family, [name], d)[name] for d in (None, distribution)]
                results[name] = pair
            except Exception as error:
                results[name] = f"{type(error).__name__}: {str(error)[:400]}"
        return results


RNG_X = {family: RNG.normal(size=(N, C)).astype("float32") for family in FAMILIES}
SAMPLE_WEIGHT = RNG.uniform(0.5, 1.5, size=(N,)).astype("float32")


def reduction_checks(distribution):
    """Mean and Sum take values, not (y_true, y_pred): updated in a jitted step."""
    out = {}
    values = RNG.normal(size=(4, 16, C)).astype("float32")
    weights = RNG.uniform(0.5, 1.5, size=(4, 16, C)).astype("float32")
    for name in ("Mean", "Sum"):
        eager = getattr(keras.metrics, name)()
        for v, w in zip(values, weights):
            eager.update_state(v, sample_weight=w)
        sharded = getattr(keras.metrics, name)()
        distribution.distribute_variables(sharded.variables)
        update = jax.jit(sharded.stateless_update_state)
        state = [v._value for v in sharded.variables]
        for v, w in zip(values, weights):
            v, w = distribution.distribute_batch((v, w))
            state = update(state, v, sample_weight=w)
        out[name] = [float(eager.result()), float(sharded.stateless_result(state))]
    return out


def metric_checks():
    results = {}
    data_parallel = dist.DataParallel()
    for family in FAMILIES:
        results.update(compare_family(family, data_parallel))
    results.update(reduction_checks(data_parallel))
    return results


def main():
    parts = sys.argv[1:] or ["fit", "checkpoints", "metrics"]
    results = {"device_count": dist.get_device_count()}
    if "fit" in parts:
        results["fit"] = fit_checks()
    if "checkpoints" in parts:
        with tempfile.TemporaryDirectory() as folder:
            results["checkpoints"] = checkpoint_checks(folder)
    if "metrics" in parts:
        results["metrics"] = metric_checks()
    print("RESULTS " + json.dumps(results))


if __name__ == "__main__":
    main()
