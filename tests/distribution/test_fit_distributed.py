"""fit/evaluate under a distribution (8 simulated CPU devices, in a child process)."""

import os
import subprocess
import sys
from pathlib import Path


def test_data_parallel_fit_equals_single_device():
    script = Path(__file__).with_name("fit_checks.py")
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=8")
    result = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "devices 8" in result.stdout and "OK" in result.stdout
