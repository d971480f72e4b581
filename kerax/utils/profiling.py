"""``profile``: record a JAX profiler trace of a block of code for TensorBoard."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import jax


@contextlib.contextmanager
def profile(
    log_dir: str | os.PathLike, create_perfetto_link: bool = False
) -> Iterator[str]:
    """Trace everything JAX runs inside the block with the JAX profiler.

    The trace lands in ``log_dir/plugins/profile/<timestamp>/`` (an
    ``.xplane.pb`` file), where TensorBoard's Profile tab finds it
    (``tensorboard --logdir=<log_dir>``). JAX dispatches work asynchronously:
    block on the results (``jax.block_until_ready`` or ``.numpy()``) inside the
    block so that the work is finished before the trace stops.

    Args:
        log_dir: the directory to write the trace under.
        create_perfetto_link: also serve the trace to the Perfetto UI and
            print a link (the block's exit waits until it is opened).

    Yields:
        ``log_dir`` as a string.

    Example:
        >>> with kerax.utils.profile("logs"):
        ...     model.fit(x, y, epochs=1)
    """
    if not isinstance(log_dir, (str, os.PathLike)):
        raise TypeError(
            "profile: log_dir must be a path (a string or os.PathLike). "
            f"Received: log_dir={log_dir!r}"
        )
    log_dir = os.fspath(log_dir)
    try:
        jax.profiler.start_trace(log_dir, create_perfetto_link=create_perfetto_link)
    except RuntimeError as error:
        raise RuntimeError(
            "profile: a JAX profiler trace is already running (one trace at a "
            "time: nested `kerax.utils.profile` blocks, a TensorBoard callback "
            "with profile_batch, or jax.profiler.start_trace). Stop it first."
        ) from error
    try:
        yield log_dir
    finally:
        jax.profiler.stop_trace()
