"""A zygote that forks training runs to be killed with SIGKILL (see test_kill_and_resume).

``python kill_worker.py`` imports kerax once (no JAX backend is
started, so forking is safe), then reads one JSON trial per line on stdin.
For each it forks a child that trains a tiny model with BackupAndRestore and
answers one JSON line: ``{"killed": bool, "code": int}``. A child dies by a
real ``SIGKILL``: sent by the zygote after ``kill_after`` seconds, or sent to
itself at an injected point (``kill_at``): after a given training batch,
part-way through writing a backup or checkpoint, between the fsync and the
rename, or right after the rename.
"""

from __future__ import annotations

import io
import json
import os
import signal
import sys
import time

os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false")
os.environ["KERAX_COMPILATION_CACHE"] = "0"

import jax  # noqa: E402
import numpy as np  # noqa: E402

import kerax  # noqa: E402
from kerax.callbacks import backup_and_restore  # noqa: E402
from kerax.saving import archive  # noqa: E402


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _model(seed: int) -> kerax.Model:
    kerax.utils.set_random_seed(seed)
    model = kerax.Sequential(
        [
            kerax.Input((4,)),
            kerax.layers.Dense(8, activation="relu"),
            kerax.layers.Dropout(0.3),
            kerax.layers.BatchNormalization(),
            kerax.layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.normal(size=(44, 4)).astype("float32"), np.arange(44) % 3


def _inject(spec: dict, callbacks: list) -> None:
    """Arrange the child's own SIGKILL at ``spec["kill_at"]``, if any."""
    kill = spec.get("kill_at")
    if kill is None:
        return
    kind, target, nth = kill["kind"], kill.get("target", "backup"), kill["nth"]
    count = [0]

    def hit() -> bool:
        count[0] += 1
        return count[0] == nth

    if kind == "batch":

        def on_batch_end(batch: int, logs: dict) -> None:
            if hit():
                _die()

        callbacks.append(
            kerax.callbacks.LambdaCallback(on_train_batch_end=on_batch_end)
        )
        return
    real_write, real_replace = archive.atomic_write, os.replace
    suffix = "latest.npz" if target == "backup" else spec["checkpoint"]

    def write(path: str, writer) -> None:
        def partial(stream) -> None:
            buffer = io.BytesIO()
            writer(buffer)
            data = buffer.getvalue()
            stream.write(data[: int(len(data) * kill["fraction"])])
            stream.flush()
            _die()

        dies = kind == "partial" and path.endswith(suffix) and hit()
        real_write(path, partial if dies else writer)

    def replace(src: str, dst: str) -> None:
        matches = str(dst).endswith(suffix) and ".kerax-" in os.path.basename(src)
        if matches and kind == "before_rename" and hit():
            _die()
        real_replace(src, dst)
        if matches and kind == "after_rename" and hit():
            _die()

    archive.atomic_write = write
    backup_and_restore.atomic_write = write
    os.replace = replace


def train(spec: dict) -> None:
    """One (possibly resumed) run of ``spec``; the final state goes to ``spec["out"]``."""
    model = _model(spec.get("seed", 1))
    callbacks = [
        kerax.callbacks.BackupAndRestore(
            spec["backup_dir"],
            save_freq=spec["save_freq"],
            double_checkpoint=spec["double_checkpoint"],
        )
    ]
    if spec.get("plateau"):  # its wait and cooldown decide the learning rate
        callbacks.append(
            kerax.callbacks.ReduceLROnPlateau(
                monitor="loss", factor=0.5, patience=2, min_delta=10.0, cooldown=1
            )
        )
    if spec.get("checkpoint"):
        callbacks.append(kerax.callbacks.ModelCheckpoint(spec["checkpoint"]))
    _inject(spec, callbacks)
    x, y = _data()
    history = model.fit(
        x, y, batch_size=8, epochs=spec["epochs"], verbose=0, callbacks=callbacks
    )
    state = [v.numpy() for v in backup_and_restore.training_variables(model)]
    last = {k: np.asarray(v[-1]) for k, v in history.history.items()}
    arrays = {f"state/{i:03d}": a for i, a in enumerate(state)}
    arrays.update({f"log/{k}": v for k, v in last.items()})
    archive.atomic_write(spec["out"], lambda stream: np.savez(stream, **arrays))


def _child(spec: dict) -> None:
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    log = os.open(spec["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    os.dup2(log, 2)
    code = 0
    try:
        jax.config.update("jax_compilation_cache_dir", spec["cache"])
        # Only unkilled reference runs write the cache (JAX's writes are not
        # atomic); runs that may be killed read it.
        writes = spec.get("writes_cache", False)
        jax.config.update(
            "jax_persistent_cache_min_compile_time_secs", 0 if writes else 1e9
        )
        train(spec)
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 1
    sys.stderr.flush()
    os._exit(code)


def _run(spec: dict) -> dict:
    pid = os.fork()
    if pid == 0:
        _child(spec)
    deadline = time.monotonic() + spec.get("kill_after", 1e9)
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() >= deadline:
            os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
            break
        time.sleep(0.002)
    if os.WIFSIGNALED(status):
        return {"killed": os.WTERMSIG(status) == signal.SIGKILL, "code": -1}
    return {"killed": False, "code": os.WEXITSTATUS(status)}


def main() -> None:
    for line in sys.stdin:
        answer = _run(json.loads(line))
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
