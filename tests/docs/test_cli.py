"""The ``kerax`` command line (``python -m kerax``)."""

from __future__ import annotations

import subprocess
import sys

import jax
import numpy as np
import pytest

import kerax
from kerax.__main__ import main


def test_info_lists_versions_and_devices(capsys):
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert f"kerax      {kerax.__version__}" in out
    assert f"jax        {jax.__version__}" in out
    assert out.count("device ") == len(jax.devices())


def test_python_dash_m_kerax_info():
    result = subprocess.run(
        [sys.executable, "-m", "kerax", "info"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "backend" in result.stdout


@pytest.fixture
def saved_model(tmp_path):
    model = kerax.Sequential(
        [kerax.Input((4,)), kerax.layers.Dense(3, name="hidden"), kerax.layers.Dense(2)]
    )
    path = tmp_path / "model.keras"
    model.save(path)
    return model, path


def test_summary_of_a_saved_model(saved_model, capsys):
    model, path = saved_model
    assert main(["summary", str(path)]) == 0
    out = capsys.readouterr().out
    assert "hidden (Dense)" in out and "Total params: 23" in out


def test_predict_writes_the_model_outputs(saved_model, tmp_path, capsys):
    model, path = saved_model
    data = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    np.save(tmp_path / "x.npy", data)
    out_path = tmp_path / "y.npy"
    assert (
        main(["predict", str(path), str(tmp_path / "x.npy"), "-o", str(out_path)]) == 0
    )
    assert "(5, 2)" in capsys.readouterr().out
    np.testing.assert_allclose(
        np.load(out_path), model.predict(data, verbose=0), rtol=1e-6
    )
    assert main(["predict", str(path), str(tmp_path / "x.npy")]) == 0
    assert capsys.readouterr().out.count("[") == 6  # printed 5x2 array


def test_missing_model_file_is_a_clear_error(tmp_path):
    with pytest.raises(SystemExit, match="no such model file"):
        main(["summary", str(tmp_path / "absent.keras")])
    with pytest.raises(SystemExit):
        main([])  # a command is required


def test_convert_rewrites_a_legacy_h5_as_keras(tmp_path):
    import numpy as np

    import kerax
    from kerax.__main__ import main

    model = kerax.Sequential([kerax.Input((3,)), kerax.layers.Dense(2)])
    old = tmp_path / "old.h5"
    new = tmp_path / "new.keras"
    model.save(old)
    assert main(["convert", str(old), str(new)]) == 0
    loaded = kerax.saving.load_model(new)
    x = np.ones((2, 3), "float32")
    np.testing.assert_allclose(
        loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6
    )
