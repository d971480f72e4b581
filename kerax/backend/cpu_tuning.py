"""Settings that make XLA:CPU training steps fast (measured in BASELINE.md).

- ``compiler_options()``: XLA:CPU's YNNPACK convolution fusions are 2–7× slower
  than its Eigen convolutions on this kind of CPU; keep YNNPACK for dots and
  reductions only (dropping its dots too costs ~23% on LSTMs).
- ``tune_allocator()``: glibc returns freed buffers to the OS after every step
  (thousands of page faults per step); raising its trim and mmap thresholds
  keeps them. Applied once, when the first compiled step is built on the CPU.
Set ``KERAX_CPU_TUNING=0`` to turn both off.
"""

from __future__ import annotations

import ctypes
import os
from typing import Any

import jax

_YNN_OPTION = "xla_cpu_experimental_ynn_fusion_type"
_YNN_VALUE = "LIBRARY_FUSION_TYPE_INDIVIDUAL_DOT,LIBRARY_FUSION_TYPE_REDUCE"
_allocator_tuned = False
_options_supported: bool | None = None


def _enabled() -> bool:
    return os.environ.get("KERAX_CPU_TUNING", "1").lower() not in (
        "0",
        "false",
        "off",
        "no",
    )


def _on_cpu() -> bool:
    return jax.default_backend() == "cpu"


def compiler_options() -> dict[str, Any] | None:
    """Extra XLA options for a training/inference step, or None."""
    global _options_supported
    if not _enabled() or not _on_cpu():
        return None
    if _options_supported is None:
        try:  # an older or newer XLA may not know the option
            jax.jit(lambda x: x + 1, compiler_options={_YNN_OPTION: _YNN_VALUE})(1.0)
            _options_supported = True
        except Exception:
            _options_supported = False
    return {_YNN_OPTION: _YNN_VALUE} if _options_supported else None


def tune_allocator() -> None:
    """Keep freed buffers in the process (glibc only; a no-op elsewhere)."""
    global _allocator_tuned
    if _allocator_tuned or not _enabled() or not _on_cpu():
        return
    _allocator_tuned = True
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    m_trim_threshold, m_mmap_threshold = -1, -3
    libc.mallopt(m_mmap_threshold, 1 << 30)
    libc.mallopt(m_trim_threshold, (1 << 31) - 1)
