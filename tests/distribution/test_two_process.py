"""Two real processes on 127.0.0.1 (jax.distributed, Gloo CPU collectives)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time

import pytest

HERE = os.path.dirname(__file__)
SCRIPT = os.path.join(HERE, "two_process.py")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _launch(*extra: str) -> list[subprocess.Popen]:
    env = dict(os.environ, JAX_PLATFORMS="cpu")
    env["XLA_FLAGS"] = "--xla_force_host_platform_device_count=2"  # per process
    port = str(_free_port())
    processes = []
    for pid in (0, 1):
        out, err = tempfile.TemporaryFile("w+"), tempfile.TemporaryFile("w+")
        process = subprocess.Popen(
            [sys.executable, SCRIPT, str(pid), port, *extra],
            cwd=HERE,
            env=env,
            stdout=out,
            stderr=err,
            text=True,
        )
        process.files = (out, err)
        processes.append(process)
    return processes


def _finish(processes, timeout, stop_on_failure=False):
    """Wait for both; with ``stop_on_failure``, a process that failed stops the
    run soon (its peer would wait in a collective until ``timeout``)."""
    deadline = time.monotonic() + timeout
    failed_at = None
    timed_out = False
    try:
        while any(p.poll() is None for p in processes):
            now = time.monotonic()
            if failed_at is None and any(p.poll() not in (None, 0) for p in processes):
                failed_at = now
            if stop_on_failure and failed_at and now > failed_at + 5:
                break
            if now > deadline:
                timed_out = True
                break
            time.sleep(0.2)
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    outputs = []
    for process in processes:
        for stream in process.files:
            stream.seek(0)
        outputs.append(tuple(stream.read() for stream in process.files))
        for stream in process.files:
            stream.close()
    if timed_out:
        raise AssertionError(f"still running after {timeout} s: {outputs}")
    return outputs


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """Both processes' JSON reports (one run serves every test below)."""
    folder = tmp_path_factory.mktemp("two_process")
    processes = _launch(str(folder))
    outputs = _finish(processes, timeout=150, stop_on_failure=True)
    reports = []
    for process, (out, err) in zip(processes, outputs):
        assert process.returncode == 0, err[-3000:]
        line = [x for x in out.splitlines() if x.startswith("RESULTS ")]
        assert line, out
        reports.append(json.loads(line[-1][len("RESULTS ") :]))
    return reports


def test_data_parallel_over_two_processes_equals_one_process(results):
    result = results[0]
    assert result["process_count"] == 2 and len(result["devices"]) == 4
    assert result["kernel_spec"] == "P(None, None)"
    assert result["losses"] == pytest.approx(result["ref_losses"], rel=1e-5)
    assert result["max_weight_diff"] < 1e-5


@pytest.mark.parametrize("process", [0, 1])
def test_fit_evaluate_predict_over_two_processes(results, process):
    """Each process fits on its own rows (per-process batch 8, global 16): the
    same as one process on all rows."""
    run = results[process]["fit"]
    assert run["kernel_devices"] == 4
    for key in ("loss", "mae"):
        assert run["history"][key] == pytest.approx(run["ref_history"][key], rel=1e-5)
        assert run["evaluate"][key] == pytest.approx(run["ref_evaluate"][key], rel=1e-5)
    assert run["weight_diff"] < 1e-6
    assert run["predict_shape"] == [32, 8]  # this process's rows only
    assert run["predict_diff"] < 1e-5


@pytest.mark.parametrize("process", [0, 1])
def test_unequal_parts_are_refused_on_every_process(results, process):
    message = results[process]["fit"]["unequal_error"]
    assert message is not None
    assert "same number of samples" in message and "[16, 8]" in message


def test_checkpoints_are_written_once_and_load_everywhere(results):
    assert results[0]["writes"] == ["dp.keras", "dp.keras", "fsdp.weights.h5"]
    assert results[1]["writes"] == []
    for result in results:
        assert result["fit"]["checkpoint_diff"] == 0.0
        assert result["fit"]["backup_diff"] == 0.0  # BackupAndRestore (replicated)
        assert result["fit"]["backup_deleted"]  # removed once, no process failed


@pytest.mark.parametrize("process", [0, 1])
def test_sharded_checkpoint_over_two_processes(results, process):
    run = results[process]["fsdp"]
    assert run["kernel_spec"] == "P(None, 'batch')"
    assert run["kernel_addressable"] is False  # its shards live in both processes
    assert run["loaded_spec"] == "P(None, 'batch')"
    assert run["plain_diff"] == 0.0
    assert run["shard_diff"] == 0.0


def test_dead_peer_fails_the_other_process_instead_of_hanging():
    processes = _launch("kill")
    outputs = _finish(processes, timeout=60)  # a hang raises AssertionError
    assert processes[1].returncode == 3
    assert processes[0].returncode != 0
    message = outputs[0][1]
    assert "stopped sending heartbeats" in message or "another task died" in message
