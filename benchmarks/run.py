"""``make bench``: every implementation on each workload, interleaved, with ratios.

Usage: python -m benchmarks.run [--workload W] [--repeats N] [--epochs N] [--samples N]
Writes benchmarks/results/<date>-<workload>.json and .md. Each implementation
runs in its own process (``--in-process`` for the old shared one), so that
memory, first-epoch times and process-wide settings (kerax tunes glibc's
allocator on the CPU) do not carry over from one to the next. Per implementation:
samples/s over the epochs after the first (median; per wall-clock second and
per CPU-second, see ``benchmarks.runners``), the first epoch's time
(compilation included: the time to first results), and peak memory (see
``benchmarks.memory``: peak RSS growth during the run; device peak where the
device reports it).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402

import kerax  # noqa: E402
from benchmarks import runners  # noqa: E402
from benchmarks.memory import peak_memory  # noqa: E402
from benchmarks.workloads import (  # noqa: E402
    CNN,
    LSTM,
    MLP,
    TRANSFORMER,
    build_cnn,
    build_lstm,
    build_mlp,
    build_transformer,
    make_data,
)

RESULTS = Path(__file__).resolve().parent / "results"


BUILDERS = {
    "mlp": build_mlp,
    "cnn": build_cnn,
    "lstm": build_lstm,
    "transformer": build_transformer,
}
WORKLOADS = {"mlp": MLP, "cnn": CNN, "lstm": LSTM, "transformer": TRANSFORMER}


def implementations(workload, x, y, epochs):
    """``{name: run}`` for the workload; each run returns a result dict."""
    build = BUILDERS[workload.name]

    def fit(lib, **kw):
        return lambda: runners.fit_runner(lib, build, workload, x, y, epochs, **kw)

    def jax_steps(scan_steps):
        return lambda: runners.jax_runner(workload, x, y, epochs, scan_steps)

    runs = {"keras_fit": fit(keras), "kerax_fit": fit(kerax)}
    if workload.name in ("cnn", "lstm"):
        runs["kerax_fit_spe8"] = fit(kerax, steps_per_execution=8)
        runs["jax_jit_step"] = jax_steps(1)
        runs["jax_scan_8"] = jax_steps(8)
    elif workload.name == "mlp":
        runs["kerax_fit_spe32"] = fit(kerax, steps_per_execution=32)
        runs["kerax_function_loop"] = lambda: runners.kerax_function_runner(
            build, workload, x, y, epochs
        )
        runs["jax_jit_step"] = jax_steps(1)
        runs["jax_scan_32"] = jax_steps(32)
    else:  # transformer: kerax_fit scans AUTO_STEPS steps per call by default
        runs["kerax_fit_spe1"] = fit(kerax, steps_per_execution=1)
        runs["kerax_fit_remat"] = lambda: runners.fit_runner(
            kerax, _in_remat_scope(build), workload, x, y, epochs
        )
        runs["jax_jit_step"] = jax_steps(1)
        runs["jax_scan_16"] = jax_steps(16)
    return runs


def _in_remat_scope(build):
    """``build``, with every layer created in ``RematScope("full")``."""

    def built(lib):
        with lib.RematScope("full"):
            return build(lib)

    return built


def _measured(run) -> dict:
    with peak_memory() as memory:
        result = run()
    return {**result, **memory}


def _median_or_none(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def _mib(value) -> str:
    return "n/a" if value is None else f"{value:,.0f}"


def _run_isolated(args, name: str) -> dict:
    """One implementation in a fresh process: no warm caches, allocator
    settings or memory left over from the others."""
    command = [sys.executable, "-m", "benchmarks.run", "--only", name]
    command += ["--workload", args.workload, "--epochs", str(args.epochs)]
    if args.samples:
        command += ["--samples", str(args.samples)]
    out = subprocess.run(command, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"{name} failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


NOTES = (
    "samples/s: per wall-clock second, median over the timed epochs; samples/CPU-s: "
    "per second of CPU time of the process (all threads), steadier on a shared "
    "machine. first epoch s: compilation and setup included. peak RSS +MiB: growth "
    "of the resident set during the run (one fresh process per implementation); "
    "device peak: growth of the device's peak_bytes_in_use where it reports one."
)


def _table(name: str, summary: dict) -> list[str]:
    table = [
        f"| {name} | implementation | samples/s | ÷ Keras | ÷ jax jit step | "
        "samples/CPU-s | ÷ Keras (CPU) | first epoch s | peak RSS +MiB | "
        "device peak +MiB | final loss |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for impl, row in summary.items():
        table.append(
            f"| {name} | {impl} | {row['samples_per_s']:,.0f} | "
            f"{row['ratio_to_keras']:.2f} | {row['ratio_to_jax_jit_step']:.2f} | "
            f"{row['samples_per_cpu_s']:,.1f} | {row['cpu_ratio_to_keras']:.2f} | "
            f"{row['first_epoch_s']:.2f} | {_mib(row['rss_peak_mib'])} | "
            f"{_mib(row['device_peak_mib'])} | {row['final_loss']:.4f} |"
        )
    return table


def main() -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--samples", type=int, default=None)
    parser.add_argument("--workload", choices=sorted(WORKLOADS), default="mlp")
    parser.add_argument(
        "--only", default=None, help="run one implementation here, print JSON"
    )
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="run every implementation in this process (default: one process each)",
    )
    args = parser.parse_args()
    base = WORKLOADS[args.workload]
    workload = replace(base, samples=args.samples or base.samples)
    x, y = make_data(workload)
    if args.only:
        run = implementations(workload, x, y, args.epochs)[args.only]
        print(json.dumps(_measured(run)))
        return {}
    names = list(implementations(workload, x, y, args.epochs))
    runs: dict[str, list[dict]] = {}
    for repeat in range(args.repeats):
        for name in names:
            if args.in_process:
                result = _measured(implementations(workload, x, y, args.epochs)[name])
            else:
                result = _run_isolated(args, name)
            runs.setdefault(name, []).append(result)
            print(
                f"[{repeat}] {workload.name} {name}: {result['samples_per_s']:,.0f} samples/s, "
                f"first epoch {result['first_epoch_s']:.2f}s, loss {result['final_loss']:.4f}, "
                f"peak RSS +{_mib(result['rss_peak_mib'])} MiB",
                flush=True,
            )
    summary = {}
    for name, results in runs.items():
        ratios = [
            r["samples_per_s"] / k["samples_per_s"]
            for r, k in zip(results, runs["keras_fit"])
        ]
        summary[name] = {
            "samples_per_s": statistics.median(r["samples_per_s"] for r in results),
            "ratio_to_keras": statistics.median(ratios),
            "samples_per_cpu_s": statistics.median(
                r["samples_per_cpu_s"] for r in results
            ),
            "cpu_ratio_to_keras": statistics.median(
                r["samples_per_cpu_s"] / k["samples_per_cpu_s"]
                for r, k in zip(results, runs["keras_fit"])
            ),
            "first_epoch_s": statistics.median(r["first_epoch_s"] for r in results),
            "final_loss": results[-1]["final_loss"],
            "rss_peak_mib": _median_or_none(r["rss_peak_mib"] for r in results),
            "device_peak_mib": _median_or_none(r["device_peak_mib"] for r in results),
        }
    fit_rate = summary["kerax_fit"]["samples_per_s"]
    for name in summary:
        summary[name]["ratio_to_kerax_fit"] = summary[name]["samples_per_s"] / fit_rate
    jit_rate = summary.get("jax_jit_step", summary["keras_fit"])["samples_per_s"]
    for name in summary:
        summary[name]["ratio_to_jax_jit_step"] = (
            summary[name]["samples_per_s"] / jit_rate
        )
    table = _table(workload.name, summary)
    print("\n".join(table))
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.date.today().isoformat()
    stamp = f"{stamp}-{workload.name}"
    (RESULTS / f"{stamp}.json").write_text(
        json.dumps(
            {"workload": workload.name, "runs": runs, "summary": summary}, indent=1
        )
    )
    (RESULTS / f"{stamp}.md").write_text("\n".join(table) + f"\n\n{NOTES}\n")
    return summary


if __name__ == "__main__":
    main()
