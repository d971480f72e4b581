"""One of two processes of a data-parallel run over 127.0.0.1 (CPU collectives).

Usage: ``python two_process.py PROCESS_ID PORT [kill | FOLDER]``. Each process
feeds its half of the global batch; both train with ``DataParallel`` over the
two processes' devices and compare with a single-device run of the whole batch
(a hand-written loop, then ``fit``/``evaluate``/``predict`` with a
``ModelCheckpoint`` into FOLDER, then a sharded ``FSDP`` checkpoint); each
process prints its results as JSON. With ``kill``, process 1 dies abruptly right
after joining, and process 0 must fail (not hang) once the peer's heartbeat
stops.
"""

from __future__ import annotations

import json
import os
import sys

import jax

jax.config.update("jax_cpu_collectives_implementation", "gloo")
jax.config.update("jax_numpy_rank_promotion", "raise")

import kerax  # noqa: E402  (importing kerax starts no XLA backend)
from kerax import distribution as dist  # noqa: E402

process_id, port = int(sys.argv[1]), sys.argv[2]
KILL = sys.argv[3:] == ["kill"]
FOLDER = sys.argv[3] if sys.argv[3:] and not KILL else None
dist.initialize(
    f"127.0.0.1:{port}",
    2,
    process_id,
    initialization_timeout=30,
    heartbeat_timeout_seconds=5,
)
if KILL and process_id == 1:
    os._exit(3)  # dies after joining: process 0 carries on into the run

import numpy as np  # noqa: E402
from mesh_checks import make_model, train  # noqa: E402

from kerax.saving import archive  # noqa: E402

WRITES = []
_atomic_write = archive.atomic_write


def counting_write(path, write):
    WRITES.append(os.path.basename(path))
    _atomic_write(path, write)


archive.atomic_write = counting_write  # which process writes checkpoint files


def max_diff(a, b):
    return max(float(np.max(np.abs(np.asarray(p) - q))) for p, q in zip(a, b))


def local_rows(array):
    """This process's rows: 8 of each global batch of 16 (4 batches of 64 rows)."""
    parts = array.reshape(4, 2, 8, *array.shape[1:])[:, process_id]
    return parts.reshape(32, *array.shape[1:])


def build():
    kerax.utils.set_random_seed(0)
    model = make_model()
    model.compile(kerax.optimizers.Adam(0.01), "mse", metrics=["mae"])
    return model


def fit_checks(folder):
    """fit/evaluate/predict under DataParallel, each process on its own rows,
    against one process on all rows."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(64, 8)).astype("float32")
    y = rng.normal(size=(64, 8)).astype("float32")
    reference = build()
    kwargs = dict(epochs=2, shuffle=False, verbose=0)
    ref_history = reference.fit(x, y, batch_size=16, **kwargs).history
    ref_eval = reference.evaluate(x, y, batch_size=16, verbose=0, return_dict=True)
    ref_pred = local_rows(reference.predict(x, batch_size=16, verbose=0))
    checkpoint = os.path.join(folder, "dp.keras")
    with dist.DataParallel().scope():
        model = build()
        backup_dir = os.path.join(folder, "backup")
        callbacks = [
            kerax.callbacks.ModelCheckpoint(checkpoint),
            kerax.callbacks.BackupAndRestore(backup_dir, delete_checkpoint=False),
        ]
        history = model.fit(
            local_rows(x), local_rows(y), batch_size=8, callbacks=callbacks, **kwargs
        ).history
        restored = build()  # resumes after the last epoch: restores, trains nothing
        restored.fit(
            local_rows(x),
            local_rows(y),
            batch_size=8,
            callbacks=[kerax.callbacks.BackupAndRestore(backup_dir)],
            **kwargs,
        )
        backup_deleted = not os.path.exists(backup_dir)  # by process 0, once
        evaluation = model.evaluate(
            local_rows(x), local_rows(y), batch_size=8, verbose=0, return_dict=True
        )
        prediction = model.predict(local_rows(x), batch_size=8, verbose=0)
        try:  # process 1 holds fewer samples: refused on both, no hang
            rows = 16 if process_id == 0 else 8
            model.evaluate(x[:rows], y[:rows], batch_size=8, verbose=0)
            unequal = None
        except ValueError as error:
            unequal = str(error)
    loaded = kerax.saving.load_model(checkpoint)
    return {
        "unequal_error": unequal,
        "history": history,
        "ref_history": ref_history,
        "evaluate": evaluation,
        "ref_evaluate": ref_eval,
        "predict_shape": list(prediction.shape),
        "predict_diff": float(np.max(np.abs(prediction - ref_pred))),
        "weight_diff": max_diff(model.get_weights(), reference.get_weights()),
        "checkpoint_diff": max_diff(loaded.get_weights(), model.get_weights()),
        "backup_diff": max_diff(restored.get_weights(), model.get_weights()),
        "backup_deleted": backup_deleted,
        "kernel_devices": len(model.layers[0].kernel._value.sharding.device_set),
    }


def sharded_checkpoint(folder):
    """An FSDP model (kernels split across the processes) saved to one file and
    loaded back into its shards."""
    fsdp = dist.FSDP()
    model = build()
    model.optimizer.build(model.trainable_variables)
    weights = model.get_weights()
    fsdp.distribute_variables(model.weights + model.optimizer.variables)
    kernel = model.layers[0].kernel._value
    path = os.path.join(folder, "fsdp.weights.h5")
    model.save_weights(path)
    plain = build()
    plain.load_weights(path)
    with fsdp.scope():
        sharded = build()
        sharded.load_weights(path)
    loaded = sharded.layers[0].kernel._value
    shard_diff = max(
        float(np.max(np.abs(np.asarray(shard.data) - weights[0][shard.index])))
        for shard in loaded.addressable_shards
    )
    return {
        "kernel_spec": str(kernel.sharding.spec),
        "kernel_addressable": kernel.is_fully_addressable,
        "loaded_spec": str(loaded.sharding.spec),
        "plain_diff": max_diff(plain.get_weights(), weights),
        "shard_diff": shard_diff,
    }


def main():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 8)).astype("float32")
    y = rng.normal(size=(16, 8)).astype("float32")
    kerax.utils.set_random_seed(0)  # every process starts from the same weights
    weights = make_model().get_weights()
    ref_losses, ref_model, _ = train(weights, x, y)
    parallel = dist.DataParallel()
    half = slice(8 * process_id, 8 * process_id + 8)
    losses, model, _ = train(weights, x[half], y[half], parallel)
    kernel = model.get_layer("hidden").kernel._value
    diff = max(
        float(np.max(np.abs(np.asarray(a) - b)))
        for a, b in zip(model.get_weights(), ref_model.get_weights())
    )
    result = {
        "process_count": jax.process_count(),
        "devices": dist.list_devices(),
        "losses": losses,
        "ref_losses": ref_losses,
        "max_weight_diff": diff,
        "kernel_spec": str(kernel.sharding.spec),
    }
    if FOLDER is not None:
        result["fit"] = fit_checks(FOLDER)
        result["fsdp"] = sharded_checkpoint(FOLDER)
    result["writes"] = WRITES
    print("RESULTS " + json.dumps(result), flush=True)


main()
