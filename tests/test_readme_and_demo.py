"""The README's code blocks run, and the demo reaches its accuracy."""

import re
import runpy
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def _blocks() -> list[str]:
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def test_readme_quick_start_runs(capsys):
    code = _blocks()[0].replace("epochs=5", "epochs=2")
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    assert (
        namespace["history"].history["loss"][1]
        < namespace["history"].history["loss"][0]
    )
    assert 'Model: "sequential"' in capsys.readouterr().out


def test_readme_custom_loop_runs():
    namespace: dict = {}
    exec(compile(_blocks()[1], "README.md", "exec"), namespace)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 3)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    first = float(namespace["train_step"](x, y))
    for _ in range(30):
        last = float(namespace["train_step"](x, y))
    assert last < first


def test_demo_reaches_95_percent():
    module = runpy.run_path(str(ROOT / "examples" / "00_demo_digits.py"))
    assert module["main"]() >= 0.95
