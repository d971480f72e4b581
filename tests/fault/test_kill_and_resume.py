"""SIGKILL at random moments, restart until done: the same weights as an unbroken run.

A zygote process (``kill_worker.py``) imports kerax once and forks each
training run, so a trial costs a fork and a run, not an interpreter start.
Every run is a real process killed by a real ``SIGKILL``: at a random delay
(anywhere: compiling, mid-step, mid-backup), after a random batch, or at an
injected point of a backup or checkpoint write (part-way through the bytes,
after the fsync before the rename, right after the rename). After each kill
the backup folder holds only readable backups (and temporary files the next
run deletes) and the checkpoint file, if any, loads. Each chain of restarts
ends with the variables, metrics included, of the uninterrupted run, bit for
bit, and the same last logs; with ReduceLROnPlateau, whose wait and cooldown
(backed up with the rest) decide the learning rate.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time

import numpy as np
import pytest

import kerax
from kerax.callbacks import backup_and_restore

WORKER = os.path.join(os.path.dirname(__file__), "kill_worker.py")
EPOCHS = 4
KILLS_PER_CONFIG = 8
CONFIGS = {
    "every_3_batches": {"save_freq": 3, "double_checkpoint": False, "plateau": True},
    "every_epoch_double": {
        "save_freq": "epoch",
        "double_checkpoint": True,
        "plateau": True,
    },
    "every_2_batches_checkpoint": {
        "save_freq": 2,
        "double_checkpoint": True,
        "checkpoint": "model.keras",
    },
}
SAVE_KILLS = ("partial", "before_rename", "after_rename")


class Zygote:
    """The forking worker: ``run(spec)`` returns ``{"killed", "code"}``."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, WORKER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def run(self, spec: dict) -> dict:
        self.process.stdin.write(json.dumps(spec) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, "the zygote died"
        return json.loads(line)

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def zygote():
    worker = Zygote()
    yield worker
    worker.close()


def _read_npz(path):
    with np.load(path, allow_pickle=False) as data:
        return {key: data[key] for key in data.files}


def _check_backup_folder(folder):
    """Only complete backups (and a killed write's temp file) are ever on disk."""
    if not os.path.isdir(folder):
        return
    for name in os.listdir(folder):
        if name.startswith(".kerax-") and name.endswith(".tmp"):
            continue  # deleted by the next run's on_train_begin
        assert name in ("latest.npz", "latest.npz.bkp"), name
        arrays = backup_and_restore._read(os.path.join(folder, name))
        assert int(arrays["count"]) > 0


def _check_checkpoint(path):
    if path and os.path.exists(path):
        model = kerax.saving.load_model(path)
        assert len(model.get_weights()) == 8


def _kill_point(rng, config, duration):
    kinds = ["timed", *SAVE_KILLS]
    if config["save_freq"] != "epoch":
        kinds.append("batch")  # batch hooks already run: the program is the same
    kind = kinds[rng.integers(len(kinds))]
    if kind == "timed":
        return {"kill_after": float(rng.uniform(0.0, duration))}
    if kind == "batch":
        return {"kill_at": {"kind": "batch", "nth": int(rng.integers(1, 10))}}
    target = (
        "checkpoint" if config.get("checkpoint") and rng.random() < 0.4 else "backup"
    )
    return {
        "kill_at": {
            "kind": kind,
            "target": target,
            "nth": int(rng.integers(1, 4)),
            "fraction": float(rng.uniform(0.0, 1.0)),
        }
    }


def _spec(tmp, name, config, run_name, cache, **extra):
    folder = os.path.join(tmp, f"{name}-{run_name}")
    checkpoint = config.get("checkpoint")
    return {
        "save_freq": config["save_freq"],
        "double_checkpoint": config["double_checkpoint"],
        "epochs": EPOCHS,
        "backup_dir": os.path.join(folder, "backup"),
        "checkpoint": os.path.join(folder, checkpoint) if checkpoint else None,
        "plateau": config.get("plateau", False),
        "out": os.path.join(folder, "final.npz"),
        "log": os.path.join(tmp, "worker.log"),
        "cache": cache,
        **extra,
    }


def _log(tmp):
    path = os.path.join(tmp, "worker.log")
    return open(path).read()[-3000:] if os.path.exists(path) else ""


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_sigkill_and_resume_is_bit_identical(zygote, tmp_path_factory, name):
    config = CONFIGS[name]
    tmp = str(tmp_path_factory.mktemp("kill"))
    cache = str(tmp_path_factory.getbasetemp() / "jax_cache")
    reference = _spec(tmp, name, config, "reference", cache, writes_cache=True)
    assert zygote.run(reference) == {"killed": False, "code": 0}, _log(tmp)
    expected = _read_npz(reference["out"])
    assert not os.path.exists(reference["backup_dir"])  # deleted at the end
    start = time.monotonic()  # a second run: repeatable, and timed warm
    assert zygote.run(reference) == {"killed": False, "code": 0}, _log(tmp)
    duration = time.monotonic() - start
    for key, value in _read_npz(reference["out"]).items():
        np.testing.assert_array_equal(value, expected[key], err_msg=key)

    rng = np.random.default_rng(sorted(CONFIGS).index(name))
    kills, kinds, chain, finished = 0, set(), 0, 0
    spec = _spec(tmp, name, config, f"chain{chain}", cache)
    while kills < KILLS_PER_CONFIG or not finished:
        point = _kill_point(rng, config, duration) if kills < KILLS_PER_CONFIG else {}
        answer = zygote.run({**spec, **point})
        if answer["killed"]:
            kills += 1
            kinds.add(point.get("kill_at", {}).get("kind", "timed"))
            _check_backup_folder(spec["backup_dir"])
            _check_checkpoint(spec["checkpoint"])
            continue
        assert answer["code"] == 0, _log(tmp)
        got = _read_npz(spec["out"])
        assert sorted(got) == sorted(expected)
        for key in expected:  # bit for bit: weights, slots, seeds, metrics, logs
            np.testing.assert_array_equal(got[key], expected[key], err_msg=key)
        assert not os.path.exists(spec["backup_dir"])
        _check_checkpoint(spec["checkpoint"])
        finished += 1
        chain += 1
        shutil.rmtree(os.path.dirname(spec["out"]))
        spec = _spec(tmp, name, config, f"chain{chain}", cache)
    assert kills >= KILLS_PER_CONFIG
    assert kinds & set(SAVE_KILLS), kinds  # some kills landed inside a write
