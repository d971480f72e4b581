"""Every numbered example runs with its small settings and produces sane results."""

from __future__ import annotations

import inspect
import math
import runpy
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NUMBERED = sorted(p.name for p in EXAMPLES.glob("[0-9][0-9]_*.py"))


def _run(name: str, tmp_path: Path, monkeypatch) -> object:
    monkeypatch.chdir(tmp_path)
    main = runpy.run_path(str(EXAMPLES / name), run_name="example")["main"]
    kwargs = {"fast": True}
    for folder_argument in ("log_dir", "folder"):
        if folder_argument in inspect.signature(main).parameters:
            kwargs[folder_argument] = str(tmp_path)
    return main(**kwargs)


def test_every_example_is_covered():
    assert len(NUMBERED) >= 9
    tested = {name for name, _ in CHECKS.items()} | {"00_demo_digits.py"}
    assert set(NUMBERED) == tested


def _accuracy_above(threshold: float):
    def check(result, tmp_path):
        assert threshold < result <= 1.0

    return check


def _functional(result, tmp_path):
    assert {"loss", "score_loss", "label_loss", "label_accuracy"} <= set(result)
    assert result["score_loss"] < 10.0


def _custom_loop(result, tmp_path):
    assert len(result) == 3
    assert result[-1] < result[0]


def _gan(result, tmp_path):
    assert math.isfinite(result) and result >= 0.0


def _callbacks(result, tmp_path):
    assert result["epochs"] == 3
    assert len(result["rates"]) == 3
    assert Path(result["checkpoint"]).stat().st_size > 0
    assert any(Path(result["logs"]).rglob("*tfevents*"))


CHECKS = {
    "01_sequential_mlp.py": _accuracy_above(0.5),
    "02_functional_multi_input.py": _functional,
    "03_cnn_with_augmentation.py": _accuracy_above(0.05),
    "04_text_lstm.py": _accuracy_above(0.55),
    "05_custom_loop_gradient_tape.py": _custom_loop,
    "06_gan.py": _gan,
    "07_callbacks.py": _callbacks,
    "08_transfer_saved_model.py": _accuracy_above(0.25),
}


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_example_runs(name, tmp_path, monkeypatch, capsys):
    result = _run(name, tmp_path, monkeypatch)
    CHECKS[name](result, tmp_path)
    assert capsys.readouterr().out.strip()  # each example reports something
