"""Checkpoint helpers under a distribution: one file, loaded straight into shards.

Saving fetches one variable at a time to the host (gathering its shards from
every process when needed) and only process 0 writes; loading places each
value per its variable's layout, so every device receives only its own shard.
"""

from __future__ import annotations

from typing import Any

import jax
import numpy as np
from jax.experimental import multihost_utils
from jax.sharding import Sharding, SingleDeviceSharding


def host_value(value: Any) -> np.ndarray:
    """``value`` as one numpy array on this host, whatever its sharding.

    A sharded array that spans other processes is all-gathered
    (``process_allgather``): every process must call this for the same
    variables in the same order.
    """
    if not isinstance(value, jax.Array) or value.is_fully_addressable:
        return np.asarray(value)
    if value.is_fully_replicated:
        return np.asarray(value.addressable_data(0))
    return np.asarray(multihost_utils.process_allgather(value, tiled=True))


def target_sharding(variable: Any) -> Sharding | None:
    """Where a loaded value of ``variable`` belongs, or None for the default device.

    The active distribution's layout for the variable wins; otherwise a variable
    already placed on several devices keeps its current sharding.
    """
    from kerax.distribution.distributions import distribution

    active = distribution()
    if active is not None:
        layout = active.get_variable_layout(variable)
        layout.check_shape(variable.shape, f"Variable {variable.path!r}")
        return layout.backend_layout
    current = getattr(variable, "_value", None)
    sharding = getattr(current, "sharding", None)
    if sharding is None or isinstance(sharding, SingleDeviceSharding):
        return None
    return sharding if len(sharding.device_set) > 1 else None


def place(value: np.ndarray, sharding: Sharding) -> jax.Array:
    """A global array laid out per ``sharding``, built shard by shard from the
    host ``value`` (no device ever holds more than its own shard)."""
    value = np.asarray(value)
    return jax.make_array_from_callback(
        value.shape, sharding, lambda index: value[index]
    )


def is_writer() -> bool:
    """True in the process that writes checkpoint files (process 0)."""
    return jax.process_index() == 0


def wait_for_writer(name: str) -> None:
    """In a multi-process run, wait until every process (and so the writer) got
    here: a file written just before is then complete for all of them."""
    if jax.process_count() > 1:
        multihost_utils.sync_global_devices(name)
