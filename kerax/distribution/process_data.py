"""In-memory data of one process in a multi-process run (Keras's multi-host rule).

Every process passes ``fit``/``evaluate``/``predict`` its own samples;
``batch_size`` is the per-process batch, and the global batch of step ``k`` is
the concatenation, in process order, of every process's batch ``k``
(``jax.make_array_from_process_local_data`` in ``distribute_batch``). All
processes must hold the same number of samples, so that they run the same
number of steps.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jax
import numpy as np
from jax.experimental import multihost_utils

from kerax.trainers.sources import ArraySource


class ProcessLocalSource(ArraySource):
    """This process's arrays, fed one local batch per step (not gathered on the
    device by index: the global batch spans the processes)."""

    indexed = False

    def __init__(self, data: Any, batch_size: int, steps: int | None = None) -> None:
        super().__init__(data, batch_size, steps)
        # Unequal parts would run different numbers of steps and hang in the
        # collectives: compare them once, up front.
        counts = multihost_utils.process_allgather(np.asarray(self.n, np.int64))
        if len(set(np.ravel(counts).tolist())) > 1:
            raise ValueError(
                "In a multi-process run every process must feed the same number of "
                f"samples; the processes hold {np.ravel(counts).tolist()} (process "
                f"{jax.process_index()} holds {self.n})."
            )

    def _place(self, rows: Any) -> np.ndarray:
        return np.asarray(rows)  # the epoch's order stays on the host

    def epoch(
        self, per_call: int, shuffle: Any, pad: bool = False
    ) -> Iterator[tuple[int, int, Any]]:
        """(step, 1, local batch) for each step of the epoch.

        The order (and its shuffling, seeded alike on every process) is the
        in-memory source's; a partial last batch is fed as it is.
        """
        for step, _, payload in super().epoch(1, shuffle):
            rows, start = payload[1], payload[2]
            index = rows[start]
            yield step, 1, jax.tree_util.tree_map(lambda a, i=index: a[i], self.data)
