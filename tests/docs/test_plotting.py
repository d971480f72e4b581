"""plot_model / model_to_dot (pydot + Graphviz) and plot_history (matplotlib)."""

from __future__ import annotations

import shutil
import struct
import sys

import numpy as np
import pytest

import kerax
from kerax import layers
from kerax.utils import plotting

_HAS_GRAPHVIZ = shutil.which("dot") is not None
try:
    import pydot  # noqa: F401
except ImportError:
    _HAS_GRAPHVIZ = False
needs_graphviz = pytest.mark.skipif(
    not _HAS_GRAPHVIZ, reason="plot_model needs pydot and the Graphviz `dot` program"
)
try:
    import matplotlib  # noqa: F401

    _HAS_MATPLOTLIB = True
except ImportError:
    _HAS_MATPLOTLIB = False
needs_matplotlib = pytest.mark.skipif(
    not _HAS_MATPLOTLIB, reason="plot_history needs matplotlib"
)


def _png_size(path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


def _mlp(depth: int) -> kerax.Sequential:
    hidden = [layers.Dense(4, activation="relu") for _ in range(depth)]
    return kerax.Sequential([kerax.Input((3,)), *hidden, layers.Dense(2)])


def _two_branch() -> kerax.Model:
    a = kerax.Input((4,), name="a")
    b = kerax.Input((3,), name="b")
    x = layers.Dense(4, name="trunk")(layers.Concatenate(name="join")([a, b]))
    inner = kerax.Sequential(
        [kerax.Input((4,)), layers.Dense(5, name="inner_1"), layers.Dense(4)],
        name="inner",
    )
    out_1 = layers.Dense(1, name="out_1")(inner(x))
    out_2 = layers.Dense(2, name="out_2")(x)
    return kerax.Model([a, b], [out_1, out_2])


@needs_graphviz
def test_png_grows_with_the_model(tmp_path):
    small, large = tmp_path / "small.png", tmp_path / "large.png"
    plotting.plot_model(_mlp(1), small, show_shapes=True)
    plotting.plot_model(_mlp(5), large, show_shapes=True)
    (small_w, small_h), (_, large_h) = _png_size(small), _png_size(large)
    assert small_w > 0 and small_h > 0
    assert large_h > small_h  # top-to-bottom: more layers, taller picture
    wide = tmp_path / "wide.png"
    plotting.plot_model(_mlp(5), wide, rankdir="LR")
    assert _png_size(wide)[0] > _png_size(wide)[1]


@needs_graphviz
def test_dot_contents_follow_the_options():
    model = _two_branch()
    text = plotting.model_to_dot(
        model,
        show_shapes=True,
        show_dtype=True,
        show_layer_activations=True,
        show_trainable=True,
    ).to_string()
    for expected in ("join (Concatenate)", "(None, 7)", "float32", "Trainable: yes"):
        assert expected in text
    assert "inner_1" not in text  # nested model drawn as one box
    assert (
        text.count("->") == 6
    )  # a, b -> join -> trunk -> inner, out_2; inner -> out_1
    nested = plotting.model_to_dot(model, expand_nested=True).to_string()
    assert "cluster" in nested and "inner_1 (Dense)" in nested
    bare = plotting.model_to_dot(model, show_layer_names=False).to_string()
    assert "join" not in bare and "Concatenate" in bare
    activations = plotting.model_to_dot(_mlp(1), show_layer_activations=True)
    assert "Activation: relu" in activations.to_string()


@needs_graphviz
def test_svg_and_subclassed_models(tmp_path):
    class Tiny(kerax.Model):
        def __init__(self):
            super().__init__()
            self.first = layers.Dense(3)
            self.second = layers.Dense(1)

        def call(self, x):
            return self.second(self.first(x))

    model = Tiny()
    model(np.ones((1, 2), "float32"))
    path = tmp_path / "tiny.svg"
    plotting.plot_model(model, path)
    text = path.read_text()
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    assert "dense (Dense)" in text and "dense_1 (Dense)" in text


@needs_graphviz
def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="rankdir"):
        plotting.plot_model(_mlp(1), tmp_path / "m.png", rankdir="UP")
    with pytest.raises(ValueError, match="to_file"):
        plotting.plot_model(_mlp(1), tmp_path / "m.bmp")


def test_missing_pydot_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "pydot", None)
    with pytest.raises(ImportError, match="pip install pydot"):
        plotting.model_to_dot(_mlp(1))


@needs_graphviz
def test_missing_graphviz_says_what_to_install(monkeypatch):
    monkeypatch.setattr(plotting.shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="Graphviz"):
        plotting.model_to_dot(_mlp(1))


@needs_matplotlib
def test_plot_history_panels(tmp_path):
    model = _mlp(1)
    model.compile("adam", "mse", metrics=["mae"])
    x = np.ones((8, 3), "float32")
    history = model.fit(x, np.ones((8, 2)), epochs=3, validation_split=0.25, verbose=0)
    both, loss_only = tmp_path / "both.png", tmp_path / "loss.png"
    figure = plotting.plot_history(history, both)
    assert len(figure.axes) == 2
    assert [line.get_label() for line in figure.axes[0].lines] == [
        "train",
        "validation",
    ]
    assert list(figure.axes[0].lines[0].get_ydata()) == history.history["loss"]
    plotting.plot_history(history.history, loss_only, metrics=["loss"])
    assert _png_size(both)[0] > _png_size(loss_only)[0] > 0


@needs_matplotlib
def test_plot_history_bad_input(tmp_path):
    with pytest.raises(ValueError, match="History"):
        plotting.plot_history({}, tmp_path / "h.png")
    with pytest.raises(ValueError, match="unknown metrics"):
        plotting.plot_history({"loss": [1.0]}, tmp_path / "h.png", metrics=["auc"])
