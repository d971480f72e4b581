"""Load ``PyDataset`` batches ahead of the step, on threads or processes.

Both loaders yield ``dataset[i]`` for the given indices *in order*, keeping at
most ``max_queue_size`` batches in flight. Errors raised by ``__getitem__`` are
re-raised in the consumer. Worker processes are spawned (forking a process that
runs JAX can deadlock), so the dataset travels to them pickled: once at the
start and again after every epoch in which it may have changed.
"""

from __future__ import annotations

import collections
import multiprocessing
import pickle
import queue
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any


class ThreadLoader:
    """Ordered, bounded parallel ``dataset[i]`` on a pool of threads."""

    def __init__(self, dataset: Any, workers: int, max_queue_size: int) -> None:
        self._dataset = dataset
        self._limit = max(max_queue_size, workers)
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="kerax-pydataset")

    def sync(self) -> None:
        """Threads share the dataset: nothing to send."""

    def map(self, indices: Iterable[int]) -> Iterator[Any]:
        pending: collections.deque[Future] = collections.deque()
        source = iter(indices)
        try:
            for index in source:
                pending.append(self._pool.submit(self._dataset.__getitem__, index))
                if len(pending) >= self._limit:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


# The worker loop runs as source code under ``exec`` (the process target is
# the builtin ``exec``, pickled by name): a spawned worker then imports only
# what unpickling the dataset needs, not kerax and JAX.
_WORKER_SOURCE = """
import pickle, traceback
dataset = None
while True:
    message = tasks.get()
    if message is None:
        break
    kind, token, payload = message
    if kind == "dataset":
        dataset = pickle.loads(payload)
        continue
    try:
        results.put((token, payload, True, dataset[payload]))
    except BaseException as error:
        try:
            pickle.dumps(error)
        except Exception:
            error = RuntimeError(traceback.format_exc())
        results.put((token, payload, False, error))
"""


class ProcessLoader:
    """Ordered, bounded parallel ``dataset[i]`` on spawned worker processes."""

    def __init__(self, dataset: Any, workers: int, max_queue_size: int) -> None:
        self._dataset = dataset
        self._limit = max(max_queue_size, workers)
        context = multiprocessing.get_context("spawn")
        self._results = context.Queue()
        self._tasks = [context.Queue() for _ in range(workers)]
        self._processes = [
            context.Process(
                target=exec,
                args=(_WORKER_SOURCE, {"tasks": tasks, "results": self._results}),
                daemon=True,
                name=f"kerax-pydataset-{i}",
            )
            for i, tasks in enumerate(self._tasks)
        ]
        self._token = 0
        self.sync()
        for process in self._processes:
            process.start()

    def sync(self) -> None:
        """Send the current state of the dataset to every worker."""
        try:
            payload = pickle.dumps(self._dataset)
        except Exception as error:
            raise ValueError(
                f"use_multiprocessing=True needs a picklable PyDataset, defined at "
                f"the top level of an importable module; pickling "
                f"{type(self._dataset).__name__} failed: {error}. Use threads "
                "(use_multiprocessing=False) instead."
            ) from error
        for tasks in self._tasks:
            tasks.put(("dataset", None, payload))

    def _receive(self, token: int) -> tuple[int, Any]:
        while True:
            try:
                got, index, ok, value = self._results.get(timeout=1.0)
            except queue.Empty:
                dead = [p for p in self._processes if not p.is_alive()]
                if dead:
                    raise RuntimeError(
                        f"A PyDataset worker process exited unexpectedly (exit code "
                        f"{dead[0].exitcode}; its traceback, if any, is printed "
                        "above). Workers are spawned: a script must start training "
                        "under `if __name__ == '__main__':` and the dataset class "
                        "must be importable."
                    ) from None
                continue
            if got != token:
                continue  # left over from an abandoned epoch
            if not ok:
                raise value
            return index, value

    def map(self, indices: Iterable[int]) -> Iterator[Any]:
        self._token += 1
        token = self._token
        ready: dict[int, Any] = {}
        order: collections.deque[int] = collections.deque()
        source = iter(indices)
        turn = 0
        while True:
            while len(order) < self._limit:
                index = next(source, None)
                if index is None:
                    break
                self._tasks[turn % len(self._tasks)].put(("get", token, index))
                turn += 1
                order.append(index)
            if not order:
                return
            while order[0] not in ready:
                index, value = self._receive(token)
                ready[index] = value
            yield ready.pop(order.popleft())

    def close(self) -> None:
        for tasks in self._tasks:
            tasks.put(None)
        for process in self._processes:
            process.join(timeout=2.0)
            if process.is_alive():
                process.terminate()
