"""``make bench``: every implementation on each workload, interleaved, with ratios.

Usage: python -m benchmarks.run [--repeats N] [--epochs N] [--samples N]
Writes benchmarks/results/<date>.json and .md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402

import kerax  # noqa: E402
from benchmarks import runners  # noqa: E402
from benchmarks.workloads import (  # noqa: E402
    CNN,
    LSTM,
    MLP,
    build_cnn,
    build_lstm,
    build_mlp,
    make_data,
)

RESULTS = Path(__file__).resolve().parent / "results"


def implementations(workload, x, y, epochs):
    if workload.name != "mlp":
        build = build_cnn if workload.name == "cnn" else build_lstm
        return {
            "keras_fit": lambda: runners.fit_runner(
                keras, build, workload, x, y, epochs
            ),
            "kerax_fit": lambda: runners.fit_runner(
                kerax, build, workload, x, y, epochs
            ),
            "kerax_fit_spe8": lambda: runners.fit_runner(
                kerax, build, workload, x, y, epochs, steps_per_execution=8
            ),
        }
    return {
        "keras_fit": lambda: runners.fit_runner(
            keras, build_mlp, workload, x, y, epochs
        ),
        "kerax_fit": lambda: runners.fit_runner(
            kerax, build_mlp, workload, x, y, epochs
        ),
        "kerax_fit_spe32": lambda: runners.fit_runner(
            kerax, build_mlp, workload, x, y, epochs, steps_per_execution=32
        ),
        "kerax_function_loop": lambda: runners.kerax_function_runner(
            build_mlp, workload, x, y, epochs
        ),
        "jax_jit_step": lambda: runners.jax_runner(
            workload, x, y, epochs, scan_steps=1
        ),
        "jax_scan_32": lambda: runners.jax_runner(
            workload, x, y, epochs, scan_steps=32
        ),
    }


def main() -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--samples", type=int, default=None)
    parser.add_argument("--workload", choices=["mlp", "cnn", "lstm"], default="mlp")
    args = parser.parse_args()
    base = {"mlp": MLP, "cnn": CNN, "lstm": LSTM}[args.workload]
    workload = replace(base, samples=args.samples or base.samples)
    x, y = make_data(workload)
    runs: dict[str, list[dict]] = {}
    for repeat in range(args.repeats):
        for name, run in implementations(workload, x, y, args.epochs).items():
            result = run()
            runs.setdefault(name, []).append(result)
            print(
                f"[{repeat}] {workload.name} {name}: {result['samples_per_s']:,.0f} samples/s, "
                f"first epoch {result['first_epoch_s']:.2f}s, loss {result['final_loss']:.4f}",
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
            "first_epoch_s": statistics.median(r["first_epoch_s"] for r in results),
            "final_loss": results[-1]["final_loss"],
        }
    fit_rate = summary["kerax_fit"]["samples_per_s"]
    for name in summary:
        summary[name]["ratio_to_kerax_fit"] = summary[name]["samples_per_s"] / fit_rate
    jit_rate = summary.get("jax_jit_step", summary["keras_fit"])["samples_per_s"]
    for name in summary:
        summary[name]["ratio_to_jax_jit_step"] = (
            summary[name]["samples_per_s"] / jit_rate
        )
    table = [
        f"| {workload.name} | implementation | samples/s | ÷ Keras | ÷ jax jit step | first epoch s | final loss |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, row in summary.items():
        table.append(
            f"| {workload.name} | {name} | {row['samples_per_s']:,.0f} | {row['ratio_to_keras']:.2f} | "
            f"{row['ratio_to_jax_jit_step']:.2f} | {row['first_epoch_s']:.2f} | {row['final_loss']:.4f} |"
        )
    print("\n".join(table))
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.date.today().isoformat()
    stamp = f"{stamp}-{workload.name}"
    (RESULTS / f"{stamp}.json").write_text(
        json.dumps(
            {"workload": workload.name, "runs": runs, "summary": summary}, indent=1
        )
    )
    (RESULTS / f"{stamp}.md").write_text("\n".join(table) + "\n")
    return summary


if __name__ == "__main__":
    main()
