"""The progress bar redraws one line in Jupyter and a terminal, as Keras's does."""

import io
import itertools
import sys
import types
from contextlib import redirect_stdout

import keras
import pytest
from keras.src.utils import progbar as keras_progbar

from kerax.utils import progbar as kerax_progbar

STEPS = 5


def _clock() -> types.SimpleNamespace:
    """A stand-in ``time`` module whose clock moves 0.37 s per reading."""
    ticks = itertools.count()
    return types.SimpleNamespace(time=lambda: 1000.0 + 0.37 * next(ticks))


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _run(module, monkeypatch, stdout: io.StringIO) -> str:
    monkeypatch.setattr(module, "time", _clock())
    with redirect_stdout(stdout):
        bar = module.Progbar(STEPS)
        for step in range(1, STEPS + 1):
            bar.update(step, [("loss", 1.0 / step), ("accuracy", 0.1 * step)])
    return stdout.getvalue()


def _screen(text: str) -> list[str]:
    """What a terminal shows: ``\\r`` returns to the line start, ``\\b`` steps back."""
    lines, line, column = [], [], 0
    for char in text:
        if char == "\n":
            lines.append("".join(line))
            line, column = [], 0
        elif char == "\r":
            column = 0
        elif char == "\b":
            column = max(column - 1, 0)
        else:
            line[column : column + 1] = [char]
            column += 1
    return lines + (["".join(line)] if line else [])


def test_keras_display_rule():
    # Keras redraws when stdout is a terminal, under ipykernel, or on any POSIX
    # system; kerax leaves out the POSIX clause (see the test below).
    assert keras.utils.Progbar(3)._dynamic_display == ("posix" in sys.modules)


@pytest.mark.parametrize("stdout", [_Terminal, io.StringIO], ids=["tty", "pipe"])
def test_ipykernel_or_terminal_redraws_like_keras(monkeypatch, stdout):
    if stdout is io.StringIO:  # not a terminal: a notebook kernel makes it dynamic
        monkeypatch.setitem(sys.modules, "ipykernel", types.ModuleType("ipykernel"))
    ours = _run(kerax_progbar, monkeypatch, stdout())
    assert ours == _run(keras_progbar, monkeypatch, stdout())
    assert ours.count("\n") == 1 and ours.count("\r") == STEPS
    (line,) = _screen(ours)
    assert (
        line.startswith("\x1b[1m5/5\x1b[0m")
        and "loss: 0.2000 - accuracy: 0.5000" in line
    )


def test_log_file_gets_only_the_final_line(monkeypatch):
    # Not a terminal, not a notebook: no redraw characters pile up in the log;
    # the one line written is the line Keras leaves on the screen.
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)
    ours = _run(kerax_progbar, monkeypatch, io.StringIO())
    assert "\r" not in ours and "\b" not in ours and ours.count("\n") == 1
    assert _screen(ours) == _screen(_run(keras_progbar, monkeypatch, _Terminal()))


NOTEBOOK_CELL = """
import itertools, sys, types
from kerax.utils import progbar
ticks = itertools.count()
progbar.time = types.SimpleNamespace(time=lambda: 1000.0 + 0.37 * next(ticks))
bar = progbar.Progbar({steps})
for step in range(1, {steps} + 1):
    bar.update(step, [("loss", 1.0 / step), ("accuracy", 0.1 * step)])
"""


def test_real_notebook_kernel_output_equals_keras(monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    cell = nbformat.v4.new_code_cell(NOTEBOOK_CELL.format(steps=STEPS))
    notebook = nbformat.v4.new_notebook(cells=[cell])
    nbclient.NotebookClient(notebook, timeout=60, kernel_name="python3").execute()
    outputs = notebook.cells[0].outputs
    assert all(out["output_type"] == "stream" for out in outputs), outputs
    text = "".join(out["text"] for out in outputs if out["name"] == "stdout")
    assert text == _run(keras_progbar, monkeypatch, _Terminal())
    assert text.count("\n") == 1
