"""fit, checkpoints and built-in metrics under a mesh (8 simulated CPU devices).

One child process (``sharded_checks.py``) does the work; these tests read its
JSON report.
"""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from kerax import registry

SCRIPT = os.path.join(os.path.dirname(__file__), "sharded_checks.py")
# Not a metric one can compile: the abstract base class.
ABSTRACT = {"Metric"}


@pytest.fixture(scope="module")
def results():
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=8")
    env["JAX_PLATFORMS"] = "cpu"
    done = subprocess.run(
        [sys.executable, SCRIPT], env=env, capture_output=True, text=True, timeout=240
    )
    assert done.returncode == 0, done.stderr[-4000:]
    line = [x for x in done.stdout.splitlines() if x.startswith("RESULTS ")][-1]
    report = json.loads(line[len("RESULTS ") :])
    assert report["device_count"] == 8
    return report


def _builtin_metrics() -> list[str]:
    names = []
    for name in registry.names("keras.metrics"):
        obj = registry.lookup("keras.metrics", name)
        if name in ABSTRACT or not (inspect.isclass(obj) or inspect.isfunction(obj)):
            continue
        names.append(name)
    return names


def test_data_parallel_fit_equals_single_device(results):
    run = results["fit"]
    assert run["devices"] == 8
    np.testing.assert_allclose(run["losses"][1], run["losses"][0], rtol=1e-5)
    np.testing.assert_allclose(run["evaluate"][1], run["evaluate"][0], rtol=1e-5)
    assert run["weight_diff"] < 1e-5
    assert run["losses"][0][-1] < run["losses"][0][0]


@pytest.mark.parametrize("kind", ["keras", "weights"])
def test_model_parallel_checkpoint_loads_into_model_parallel_shards(results, kind):
    run = results["checkpoints"][f"mp_to_mp_{kind}"]
    assert run["misplaced"] == []
    assert run["specs"][
        next(k for k in run["specs"] if k.endswith("hidden/kernel"))
    ] == ("P(None, 'model')")
    assert run["weight_diff"] == 0.0 and run["slot_diff"] == 0.0
    assert run["prediction_diff"] < 1e-6
    # The (8, 16) kernel and its two Adam slots were built shard by shard:
    # 8 devices x 3 arrays, each block (8, 4), never the whole (8, 16).
    assert run["kernel_blocks"] == [[8, 4]] * 24


def test_trained_model_parallel_layout(results):
    specs = results["checkpoints"]["trained_specs"]
    assert specs["mlp/hidden/kernel"] == "P(None, 'model')"
    assert specs["mlp/hidden/bias"] == "P('model',)"


def test_set_weights_keeps_the_layout(results):
    assert results["checkpoints"]["set_weights_misplaced"] == []


def test_model_parallel_checkpoint_loads_into_one_device(results):
    run = results["checkpoints"]["mp_to_plain"]
    assert run["devices"] == [1]
    assert run["prediction_diff"] < 1e-5


def test_single_device_checkpoint_loads_into_shards(results):
    run = results["checkpoints"]["plain_to_mp"]
    assert run["misplaced"] == []
    assert run["specs"]["mlp/out/kernel"] == "P('model', None)"
    assert run["prediction_diff"] < 1e-5


def test_model_parallel_checkpoint_loads_into_fsdp(results):
    run = results["checkpoints"]["mp_to_fsdp"]
    assert run["misplaced"] == []
    assert run["specs"]["mlp/hidden/kernel"] == "P(None, 'batch')"
    assert run["prediction_diff"] < 1e-5


def test_model_checkpoint_under_model_parallel(results):
    run = results["checkpoints"]["callbacks"]
    assert run["checkpoint_misplaced"] == []
    assert run["checkpoint_weight_diff"] == 0.0


def test_backup_and_restore_under_model_parallel(results):
    run = results["checkpoints"]["callbacks"]
    assert run["resume_misplaced"] == []
    assert run["resume_weight_diff"] < 1e-6


@pytest.mark.parametrize("name", _builtin_metrics())
def test_builtin_metric_same_under_data_parallel(results, name):
    """evaluate() with the metric compiled in: 8 devices equal one device."""
    value = results["metrics"].get(name)
    assert value is not None, f"{name} is not covered by sharded_checks.py"
    assert not isinstance(value, str), value
    single, sharded = value
    assert sharded == pytest.approx(single, rel=1e-5, abs=1e-6)
