"""The installed ``kerax`` console script (``[project.scripts]`` in pyproject.toml).

The commands run at the same time as separate processes (each imports JAX), then
each test checks one of them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import kerax

SCRIPT = Path(sys.executable).parent / ("kerax.exe" if os.name == "nt" else "kerax")
KERAS2 = Path(__file__).parent / "saving" / "fixtures" / "keras2"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("console_script")
    kerax.utils.naming.reset()
    model = kerax.Sequential(
        [kerax.Input((4,)), kerax.layers.Dense(3, name="hidden"), kerax.layers.Dense(2)]
    )
    model.save(path / "model.keras")
    rng = np.random.default_rng(0)
    np.save(path / "x.npy", rng.normal(size=(5, 4)).astype("float32"))
    return path


@pytest.fixture(scope="module")
def runs(workdir) -> dict[str, subprocess.CompletedProcess]:
    assert SCRIPT.is_file(), (
        f"no console script at {SCRIPT}: install kerax with `pip install -e .[test]`"
    )
    commands = {
        "info": ["info"],
        "summary": ["summary", "model.keras", "--show-trainable"],
        "predict": ["predict", "model.keras", "x.npy", "-o", "y.npy"],
        "convert": ["convert", str(KERAS2 / "mlp.h5"), "converted.keras"],
        "missing_model": ["summary", "absent.keras"],
        "missing_data": ["predict", "model.keras", "absent.npy"],
        "unknown_command": ["frobnicate", "model.keras"],
    }
    env = {**os.environ, "COLUMNS": "80"}
    processes = {
        name: subprocess.Popen(
            [str(SCRIPT), *arguments],
            cwd=workdir,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        for name, arguments in commands.items()
    }
    results = {}
    for name, process in processes.items():
        stdout, stderr = process.communicate(timeout=240)
        results[name] = subprocess.CompletedProcess(
            process.args, process.returncode, stdout, stderr
        )
    return results


def _ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def test_info_prints_versions_and_devices(runs):
    out = _ok(runs["info"])
    assert out.startswith(f"kerax      {kerax.__version__}\n")
    assert "\njax        " in out and "\nbackend    cpu\n" in out
    assert "device     0: cpu" in out


def test_summary_prints_the_models_table(runs, workdir, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    model = kerax.saving.load_model(workdir / "model.keras")
    expected = []
    model.summary(print_fn=expected.append, show_trainable=True)
    assert _ok(runs["summary"]) == expected[0]
    assert "│ hidden (Dense)" in expected[0] and "Trainable" in expected[0]


def test_predict_writes_the_outputs(runs, workdir):
    out = _ok(runs["predict"])
    assert out == "saved predictions of shape (5, 2) to y.npy\n"
    model = kerax.saving.load_model(workdir / "model.keras")
    expected = model.predict(np.load(workdir / "x.npy"), verbose=0)
    np.testing.assert_allclose(np.load(workdir / "y.npy"), expected, rtol=1e-6)


def test_convert_writes_a_keras_file_that_predicts_the_same(runs, workdir):
    out = _ok(runs["convert"])
    assert out.startswith("wrote converted.keras (")
    data = np.load(KERAS2 / "mlp_io.npz")
    converted = kerax.saving.load_model(workdir / "converted.keras")
    np.testing.assert_allclose(
        converted.predict(data["x0"], verbose=0), data["y0"], rtol=1e-5, atol=1e-6
    )


def test_missing_model_file_is_a_one_line_error(runs, workdir):
    result = runs["missing_model"]
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == "kerax: no such model file: absent.keras\n"


def test_missing_data_file_is_a_one_line_error(runs):
    result = runs["missing_data"]
    assert result.returncode != 0
    assert result.stderr == "kerax: no such data file: absent.npy\n"


def test_unknown_command_prints_usage_and_exits_2(runs):
    result = runs["unknown_command"]
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("usage: kerax ")
    assert "{info,summary,predict,convert}" in result.stderr
    assert "invalid choice: 'frobnicate'" in result.stderr
