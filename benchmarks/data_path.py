"""The data path: fit on device-resident arrays vs batches streamed from Python.

Usage: python -m benchmarks.data_path — MLP workload, samples/s after the first epoch.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import replace

import kerax
from benchmarks.workloads import MLP, build_mlp, make_data


class Batches(kerax.utils.PyDataset):
    """The same batches as a PyDataset (optionally with worker threads)."""

    def __init__(self, x, y, batch_size, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y, self.batch_size = x, y, batch_size

    def __len__(self):
        return len(self.x) // self.batch_size

    def __getitem__(self, index):
        window = slice(index * self.batch_size, (index + 1) * self.batch_size)
        return self.x[window], self.y[window]


def _rate(model, data, samples, epochs=3, **fit_kw) -> float:
    times = []

    class Timer(kerax.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            times.append(time.perf_counter() - self.start)

    model.fit(data, epochs=epochs + 1, verbose=0, callbacks=[Timer()], **fit_kw)
    return samples / statistics.median(times[1:])


def main() -> None:
    workload = replace(MLP, samples=25600)
    x, y = make_data(workload)
    bs = workload.batch_size
    samples = (len(x) // bs) * bs
    rates = {
        "arrays (on device)": _rate(
            build_mlp(kerax), x[:samples], samples, y=y[:samples], batch_size=bs
        ),
        "PyDataset": _rate(build_mlp(kerax), Batches(x, y, bs), samples),
        "PyDataset, 2 threads": _rate(
            build_mlp(kerax), Batches(x, y, bs, workers=2), samples
        ),
    }
    base = rates["arrays (on device)"]
    print("| source | samples/s | ÷ arrays |")
    print("|---|---|---|")
    for name, rate in rates.items():
        print(f"| {name} | {rate:,.0f} | {rate / base:.2f} |")


if __name__ == "__main__":
    main()
