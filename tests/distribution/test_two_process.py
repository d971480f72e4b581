"""Two real processes on 127.0.0.1 (jax.distributed, Gloo CPU collectives)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest

HERE = os.path.dirname(__file__)
SCRIPT = os.path.join(HERE, "two_process.py")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _launch(*extra: str) -> list[subprocess.Popen]:
    env = dict(os.environ, JAX_PLATFORMS="cpu")
    env.pop("XLA_FLAGS", None)
    port = str(_free_port())
    return [
        subprocess.Popen(
            [sys.executable, SCRIPT, str(pid), port, *extra],
            cwd=HERE,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for pid in (0, 1)
    ]


def _finish(processes, timeout):
    outputs = []
    try:
        for process in processes:
            outputs.append(process.communicate(timeout=timeout))
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.communicate()
    return outputs


def test_data_parallel_over_two_processes_equals_one_process():
    processes = _launch()
    outputs = _finish(processes, timeout=90)
    for process, (_, err) in zip(processes, outputs):
        assert process.returncode == 0, err[-3000:]
    line = [x for x in outputs[0][0].splitlines() if x.startswith("RESULTS ")]
    assert line, outputs[0]
    result = json.loads(line[-1][len("RESULTS ") :])
    assert result["process_count"] == 2 and len(result["devices"]) == 2
    assert result["kernel_spec"] == "P(None, None)"
    assert result["losses"] == pytest.approx(result["ref_losses"], rel=1e-5)
    assert result["max_weight_diff"] < 1e-5


def test_dead_peer_fails_the_other_process_instead_of_hanging():
    processes = _launch("kill")
    outputs = _finish(processes, timeout=60)  # a hang would raise TimeoutExpired
    assert processes[1].returncode == 3
    assert processes[0].returncode != 0
    message = outputs[0][1]
    assert "stopped sending heartbeats" in message or "another task died" in message
