"""Peak memory of one benchmark run.

On Linux, the process's resident-set high-water mark (``VmHWM``) is reset
before the run (``/proc/self/clear_refs``) and read after it; the result is
the peak RSS during the run minus the RSS at its start, in MiB: what the run
added to the process at its highest (XLA:CPU buffers live in host memory, so
this includes activations, compiled code and the compiler's own working set).
Where a JAX device reports ``memory_stats`` (GPU/TPU), the growth of its
``peak_bytes_in_use`` is reported as ``device_peak_mib`` (a lower bound: that
counter cannot be reset, so a run that peaks below an earlier one adds 0).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import jax

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def _status_kib(field: str) -> int | None:
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_rss_peak() -> bool:
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True


def _device_peak_bytes() -> int | None:
    stats = jax.devices()[0].memory_stats()
    if not stats or "peak_bytes_in_use" not in stats:
        return None
    return int(stats["peak_bytes_in_use"])


@contextlib.contextmanager
def peak_memory() -> Iterator[dict]:
    """Measure the run inside the block; fills the yielded dict on exit with
    ``rss_peak_mib`` and ``device_peak_mib`` (None where not measurable)."""
    result: dict = {"rss_peak_mib": None, "device_peak_mib": None}
    resettable = _reset_rss_peak()
    rss_start = _status_kib("VmRSS")
    device_start = _device_peak_bytes()
    yield result
    peak = _status_kib("VmHWM")
    if resettable and peak is not None and rss_start is not None:
        result["rss_peak_mib"] = (peak - rss_start) / 1024
    device_end = _device_peak_bytes()
    if device_start is not None and device_end is not None:
        result["device_peak_mib"] = (device_end - device_start) / 2**20
