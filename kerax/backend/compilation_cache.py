"""JAX's persistent compilation cache, on by default in a kerax folder.

A second process that trains the same model then skips XLA compilation. The
folder is ``$KERAX_HOME/jax_cache`` (``~/.kerax/jax_cache`` by default). Opt out
with ``KERAX_COMPILATION_CACHE=0``; a cache folder the user already configured
for JAX is left alone.
"""

from __future__ import annotations

import os

import jax


def cache_dir() -> str:
    """The folder kerax uses for compiled programs."""
    home = os.environ.get("KERAX_HOME", os.path.join(os.path.expanduser("~"), ".kerax"))
    return os.path.join(home, "jax_cache")


def enable_default_cache() -> bool:
    """Turn the cache on unless opted out or already set; True when kerax set it."""
    if os.environ.get("KERAX_COMPILATION_CACHE", "1").lower() in (
        "0",
        "false",
        "no",
        "off",
    ):
        return False
    if jax.config.jax_compilation_cache_dir:
        return False
    try:
        os.makedirs(cache_dir(), exist_ok=True)
    except OSError:
        return False  # read-only home: run without a persistent cache
    jax.config.update("jax_compilation_cache_dir", cache_dir())
    # Cache even quick compilations: a training step is small on the CPU.
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.1)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
    return True
