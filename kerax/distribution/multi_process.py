"""``initialize``: start JAX's multi-process runtime the way Keras configures it."""

from __future__ import annotations

import os
from typing import Any

import jax


def _from_env(value: Any, name: str, cast: Any) -> Any:
    if value is not None:
        return value
    raw = os.environ.get(name)
    if raw in (None, ""):
        return None
    try:
        return cast(raw)
    except ValueError:
        raise ValueError(
            f"Environment variable {name} must be an integer, received {raw!r}."
        ) from None


def initialize(
    job_addresses: str | None = None,
    num_processes: int | None = None,
    process_id: int | None = None,
    **kwargs: Any,
) -> None:
    """Connect this process to the others of a multi-process run.

    Wraps ``jax.distributed.initialize``. Arguments left as None are read from
    ``KERAS_DISTRIBUTION_JOB_ADDRESSES`` (comma-separated ``host:port`` of all
    jobs; the first is the coordinator), ``KERAS_DISTRIBUTION_NUM_PROCESSES``
    and ``KERAS_DISTRIBUTION_PROCESS_ID``; when all are unset JAX detects the
    cluster itself (SLURM, Cloud TPU, ...). Extra keyword arguments (e.g.
    ``initialization_timeout``, ``heartbeat_timeout_seconds``) go to JAX.

    Call it first, before any other JAX work in the process.
    """
    job_addresses = _from_env(job_addresses, "KERAS_DISTRIBUTION_JOB_ADDRESSES", str)
    num_processes = _from_env(num_processes, "KERAS_DISTRIBUTION_NUM_PROCESSES", int)
    process_id = _from_env(process_id, "KERAS_DISTRIBUTION_PROCESS_ID", int)
    coordinator = None
    if job_addresses:
        coordinator = job_addresses.split(",")[0].strip()
    jax.distributed.initialize(
        coordinator_address=coordinator,
        num_processes=num_processes,
        process_id=process_id,
        **kwargs,
    )
