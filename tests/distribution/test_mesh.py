"""DataParallel, ModelParallel and FSDP on 8 simulated CPU devices (child process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

SCRIPT = os.path.join(os.path.dirname(__file__), "mesh_checks.py")


@pytest.fixture(scope="module")
def results():
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=8")
    env["JAX_PLATFORMS"] = "cpu"
    done = subprocess.run(
        [sys.executable, SCRIPT], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-4000:]
    line = [x for x in done.stdout.splitlines() if x.startswith("RESULTS ")][-1]
    return json.loads(line[len("RESULTS ") :])


def test_eight_devices(results):
    assert results["count"] == 8
    assert results["devices"] == [f"cpu:{i}" for i in range(8)]


@pytest.mark.parametrize("name", ["data_parallel", "model_parallel", "fsdp", "auto"])
def test_same_training_as_one_device(results, name):
    run = results[name]
    np.testing.assert_allclose(run["losses"], run["ref_losses"], rtol=1e-5)
    assert run["max_weight_diff"] < 1e-5
    assert run["losses"][-1] < run["losses"][0]


def test_metrics_are_global_under_a_mesh(results):
    assert len(results["metrics"]) == 8
    for name, diff in results["metrics"].items():
        assert diff < 1e-5, name


def test_kerax_function_loop_under_model_parallel(results):
    run = results["function"]
    np.testing.assert_allclose(run["losses"], run["ref_losses"], rtol=1e-5)
    assert run["max_weight_diff"] < 1e-5
    assert run["specs"]["mlp/hidden/kernel"] == "P(None, 'model')"


def test_data_parallel_replicates_variables_and_splits_batch(results):
    specs = results["data_parallel"]["specs"]
    assert specs["mlp/hidden/kernel"] == "P(None, None)"
    assert all("batch" not in spec for spec in specs.values())
    assert results["batch_spec"] == "P('batch',)"
    assert results["batch_shard_shape"] == [2, 8]


def test_model_parallel_shards_as_asked(results):
    specs = results["model_parallel"]["specs"]
    assert specs["mlp/hidden/kernel"] == "P(None, 'model')"
    assert specs["mlp/hidden/bias"] == "P('model',)"
    assert specs["mlp/out/kernel"] == "P('model', None)"
    assert specs["mlp/out/bias"] == "P(None,)"  # no key: replicated
    assert results["hidden_kernel_shard_shape"] == [8, 4]
    # The batch splits over the 2-device "batch" axis only.
    assert results["mp_batch_spec"] == "P('batch',)"
    assert results["mp_batch_shard_shape"] == [8, 8]


def test_fsdp_shards_largest_divisible_dimension(results):
    specs = results["fsdp"]["specs"]
    assert specs["mlp/hidden/kernel"] == "P(None, 'batch')"
    assert specs["mlp/out/kernel"] == "P('batch', None)"
    assert specs["mlp/out/bias"] == "P('batch',)"
    momentum = [k for k in specs if k.endswith("mlp_hidden_kernel_momentum")]
    assert specs[momentum[0]] == "P(None, 'batch')"
    assert specs[[k for k in specs if k.endswith("/iteration")][0]] == "P()"


def test_auto_layout_map(results):
    specs = results["auto"]["specs"]
    assert specs["embed/embeddings"] == "P(None, 'model')"
    assert specs["attention/query/kernel"] == "P(None, 'model', None)"
    assert specs["attention/value/bias"] == "P('model', None)"
    assert specs["attention/attention_output/kernel"] == ("P('model', None, None)")
    assert specs["attention/attention_output/bias"] == "P(None,)"
    assert specs["head/kernel"] == "P(None, 'model')"
    assert specs["head/bias"] == "P('model',)"
    assert "UNMATCHED" not in results["auto_report"]
    # 6 units do not split over 4 devices: that kernel and its bias stay whole.
    assert results["auto_odd_keys"] == ["e/kernel"]


def test_fsdp_layout_rule(results):
    assert results["fsdp_layouts"] == {
        "(24, 16)": ["batch", None],  # largest divisible dimension
        "(3, 5)": [None, None],  # nothing divisible by 8: replicated
        "(2,)": [None],
        "()": [],
        "(4, 6, 8)": [None, None, "batch"],
    }


def test_data_parallel_on_chosen_devices(results):
    assert results["pair_devices"] == ["cpu:6", "cpu:7"]
    assert results["pair_shard_shape"] == [8, 8]


def test_reports(results):
    report = results["model_parallel_report"].splitlines()
    assert report[0].startswith("ModelParallel on <DeviceMesh shape=(2, 4)")
    assert report[1].split() == ["path", "shape", "spec", "per-device", "shard"]
    row = " ".join(report[2].split())
    assert row == "mlp/hidden/kernel (8, 16) P(None, 'model') (8, 4)"
    assert report[-1] == (
        "UNMATCHED LayoutMap key '.*typo_layer/kernel': no variable path matches"
    )
    assert "UNMATCHED" not in "\n".join(report[:-1])
    fsdp = results["fsdp_report"]
    assert "mlp/out/bias       (8,)     P('batch',)       (1,)" in fsdp
    assert "UNMATCHED" not in fsdp


def test_indivisible_batch_error(results):
    message = results["bad_batch_error"]
    assert "12 samples" in message and "divisible by 8" in message
