"""Package-level promises: what importing kerax does, global settings."""

import subprocess
import sys

import numpy as np
import pytest


def test_import_kerax_pulls_in_no_other_framework():
    code = (
        "import sys, kerax; "
        "bad = [m for m in ('keras', 'tensorflow', 'torch') if m in sys.modules]; "
        "print(','.join(bad))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == ""


def test_keras_alias_and_namespaces():
    import kerax

    assert kerax.keras is kerax
    assert kerax.keras.layers.Dense is kerax.layers.Dense
    assert kerax.config.backend() == "jax"


def test_float64_really_computes_in_float64():
    code = (
        "import numpy as np, kerax; kerax.config.set_floatx('float64'); "
        "m = kerax.Sequential([kerax.Input((3,)), kerax.layers.Dense(2)]); "
        "y = m(np.ones((1, 3))); "
        "m.compile('sgd', 'mse'); h = m.fit(np.ones((8, 3)), np.ones((8, 2)), verbose=0); "
        "print(m.weights[0].dtype, y.dtype, m.predict(np.ones((1, 3)), verbose=0).dtype)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["float64", "float64", "float64"]


def test_config_validation():
    import kerax

    with pytest.raises(ValueError, match="float128"):
        kerax.config.set_floatx("float128")
    with pytest.raises(ValueError, match="channels_middle"):
        kerax.config.set_image_data_format("channels_middle")
    assert kerax.config.epsilon() == pytest.approx(1e-7)


def test_set_random_seed_makes_runs_repeatable():
    import kerax

    def run():
        kerax.utils.set_random_seed(123)
        model = kerax.Sequential(
            [
                kerax.Input((4,)),
                kerax.layers.Dense(3),
                kerax.layers.Dropout(0.3),
                kerax.layers.Dense(1),
            ]
        )
        model.compile("adam", "mse")
        x = np.random.default_rng(0).normal(size=(32, 4)).astype("float32")
        model.fit(x, x[:, :1], epochs=2, verbose=0)
        return model.get_weights()

    for a, b in zip(run(), run()):
        np.testing.assert_array_equal(a, b)


def test_enable_deterministic_repeats_a_run_bit_for_bit():
    code = (
        "import numpy as np, kerax; kerax.config.enable_deterministic();\n"
        "import os; assert 'xla_gpu_deterministic_ops' in os.environ['XLA_FLAGS']\n"
        "def run():\n"
        "    kerax.utils.set_random_seed(7)\n"
        "    m = kerax.Sequential([kerax.Input((4,)), kerax.layers.Dense(8), kerax.layers.Dropout(0.5), kerax.layers.Dense(1)])\n"
        "    m.compile('adam', 'mse')\n"
        "    x = np.random.default_rng(0).normal(size=(64, 4)).astype('float32')\n"
        "    m.fit(x, x[:, :1], epochs=2, verbose=0)\n"
        "    return m.get_weights()\n"
        "a, b = run(), run()\n"
        "assert all(np.array_equal(p, q) for p, q in zip(a, b)) and kerax.config.is_deterministic()\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "ok"
