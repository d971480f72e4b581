"""One of two processes of a data-parallel run over 127.0.0.1 (CPU collectives).

Usage: ``python two_process.py PROCESS_ID PORT [kill]``. Each process feeds its
half of the global batch; both train with ``DataParallel`` over the two
processes' devices and compare with a single-device run of the whole batch;
process 0 prints the result as JSON. With ``kill``, process 1 dies abruptly
right after joining, and process 0 must fail (not hang) once the peer's heartbeat
stops.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys

import jax

jax.config.update("jax_cpu_collectives_implementation", "gloo")
jax.config.update("jax_numpy_rank_promotion", "raise")

# `import kerax` starts the XLA backend today (kerax/backend/tensors.py builds
# an array at import), after which jax.distributed.initialize refuses to run.
# Until that is fixed, load `initialize`'s module on its own, before kerax.
_HERE = os.path.dirname(os.path.abspath(__file__))
_PATH = os.path.join(_HERE, "..", "..", "kerax", "distribution", "multi_process.py")
_spec = importlib.util.spec_from_file_location("_multi_process", _PATH)
_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_module)

process_id, port = int(sys.argv[1]), sys.argv[2]
KILL = sys.argv[3:] == ["kill"]
_module.initialize(
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

import kerax  # noqa: E402
from kerax import distribution as dist  # noqa: E402


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
    if process_id == 0:
        print("RESULTS " + json.dumps(result), flush=True)


main()
