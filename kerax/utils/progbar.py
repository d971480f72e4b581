"""``Progbar``: the Keras progress bar (``12/100 ━━━━━━━━━━ 1s 12ms/step - loss: 0.52``)."""

from __future__ import annotations

import math
import os
import re
import sys
import time
from collections.abc import Iterable
from typing import Any

import numpy as np

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_BOLD, _GREEN, _GREY, _RESET = "\x1b[1m", "\x1b[32m", "\x1b[37m", "\x1b[0m"


def _write(message: str) -> None:
    """Write to stdout now; terminals without the bar glyph get ``=`` instead."""
    try:
        sys.stdout.write(message)
    except UnicodeEncodeError:
        encoding = sys.stdout.encoding or "utf-8"
        message = message.replace("━", "=").replace("…", "...")
        sys.stdout.write(message.encode(encoding, "ignore").decode(encoding))
    sys.stdout.flush()


def format_metric(value: float, signed: bool = False) -> str:
    """Four decimals, or scientific notation when the magnitude is ≤ 1e-3.

    With ``signed`` (Keras's ``verbose=2`` lines) the test is on the value
    itself, so every negative value is written in scientific notation.
    """
    large = value > 1e-3 if signed else abs(value) > 1e-3
    return f"{value:.4f}" if large else f"{value:.4e}"


def format_time_per_unit(seconds: float, unit_name: str) -> str:
    """`` 3s/step``, `` 12ms/step`` or `` 40us/step``."""
    if seconds >= 1 or seconds == 0:
        return f" {seconds:.0f}s/{unit_name}"
    if seconds >= 1e-3:
        return f" {seconds * 1e3:.0f}ms/{unit_name}"
    return f" {seconds * 1e6:.0f}us/{unit_name}"


def _format_eta(seconds: float) -> str:
    if seconds > 3600:
        hours, rest = divmod(int(seconds), 3600)
        return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"
    if seconds > 60:
        return f"{int(seconds) // 60}:{int(seconds) % 60:02d}"
    return f"{int(seconds)}s"


class Progbar:
    """A progress bar printed as Keras prints it.

    ``verbose=1`` redraws one live line (at most every ``interval`` seconds,
    and always when finishing); ``verbose=2`` prints one line when the target
    is reached; ``verbose=0`` prints nothing. When stdout is not a terminal
    (a log file, a pipe), ``verbose=1`` prints only the finished line instead
    of redrawing.

    Metrics are averaged over the steps seen unless they are named in
    ``stateful_metrics``; with ``stateless_metrics`` it is the other way
    round: only those are averaged. Values are turned into numbers only when
    a line is drawn, so device scalars are not waited for on every step.

    Args:
        target: the total number of steps, or None when unknown.
        width: the bar's width in characters.
        verbose: 0, 1 or 2.
        interval: the minimum number of seconds between redraws.
        stateful_metrics: names of metrics shown as given, not averaged.
        stateless_metrics: names of the only metrics that are averaged.
        unit_name: what a step is called (``"step"``, ``"sample"``).

    Example:
        >>> bar = Progbar(3, verbose=0)
        >>> for step in range(3):
        ...     bar.update(step + 1, [("loss", 0.5)])
    """

    def __init__(
        self,
        target: int | None,
        width: int = 20,
        verbose: int = 1,
        interval: float = 0.05,
        stateful_metrics: Iterable[str] | None = None,
        stateless_metrics: Iterable[str] | None = None,
        unit_name: str = "step",
    ) -> None:
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError(
                "Progbar: pass either `stateful_metrics` (names not averaged) or "
                "`stateless_metrics` (the only names averaged), not both."
            )
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stateful_metrics = (
            None if stateless_metrics is not None else set(stateful_metrics or ())
        )
        self.stateless_metrics = (
            None if stateless_metrics is None else set(stateless_metrics)
        )
        self._dynamic_display = (
            (hasattr(sys.stdout, "isatty") and sys.stdout.isatty())
            or "ipykernel" in sys.modules
            or "PYCHARM_HOSTED" in os.environ
        )
        self._seen_so_far = 0
        self._values: dict[str, list[Any]] = {}  # name -> [sum, count]
        self._start = time.time()
        self._last_update = 0.0
        self._time_after_first_step: float | None = None
        self._prev_total_width = 0

    def _is_averaged(self, name: str) -> bool:
        if self.stateful_metrics is not None:
            return name not in self.stateful_metrics
        return name in self.stateless_metrics

    def _record(self, values: Iterable[tuple[str, Any]], current: int, final: bool):
        for name, value in values:
            if not self._is_averaged(name) or final:
                self._values[name] = [value, 1]
                continue
            steps = max(current - self._seen_so_far, 1)
            if name in self._values:
                self._values[name][0] += value * steps
                self._values[name][1] += steps
            else:
                self._values[name] = [value * steps, steps]

    def _metrics_text(self, signed: bool = False) -> str:
        text = ""
        for name, (total, count) in self._values.items():
            if not isinstance(total, float):
                total = np.mean(np.asarray(total))
            text += f" - {name}: {format_metric(total / max(1, count), signed)}"
        return text

    def update(
        self,
        current: int,
        values: Iterable[tuple[str, Any]] | None = None,
        finalize: bool | None = None,
    ) -> None:
        """Move the bar to step ``current``, recording ``(name, value)`` pairs.

        Args:
            current: the index of the current step (1-based count of steps).
            values: ``(name, value)`` pairs to show.
            finalize: whether this is the last update; by default, whether
                ``current`` reached the target.
        """
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        self._record(values or [], current, finalize)
        self._seen_so_far = current
        now = time.time()
        per_unit = self._step_duration(current, now)
        if self.verbose == 1:
            if now - self._last_update < self.interval and not finalize:
                return
            if self._dynamic_display or finalize:
                self._draw_live(current, finalize, now, per_unit)
        elif self.verbose == 2 and finalize and self.target:
            digits = int(math.log10(self.target)) + 1
            line = (
                f"{int(current):{digits}d}/{self.target} - {now - self._start:.0f}s -"
            )
            line += format_time_per_unit(per_unit, self.unit_name)
            _write(line + self._metrics_text(signed=True) + "\n")
        self._last_update = now

    def _bar(self, current: int) -> str:
        if not self.target:
            return f"{int(current):7d}/Unknown"
        digits = int(math.log10(self.target)) + 1
        bar = f"{_BOLD}{int(current):{digits}d}/{self.target}{_RESET} "
        done = int(self.width * float(current) / self.target)
        if done > 0:
            bar += f"{_GREEN}{'━' * done}{_RESET}"
        return bar + f"{_GREY}{'━' * (self.width - done)}{_RESET}"

    def _draw_live(self, current: int, finalize: bool, now: float, per_unit: float):
        if self.target and not finalize:
            clock = _format_eta(per_unit * (self.target - current))
        else:
            clock = f"{now - self._start:.0f}s"
        line = f"{self._bar(current)} {_BOLD}{clock}{_RESET}"
        line += format_time_per_unit(per_unit, self.unit_name) + self._metrics_text()
        self._draw_line(line, finalize)

    def _draw_line(self, line: str, finalize: bool) -> None:
        width = len(_ANSI.sub("", line))
        if self._dynamic_display:  # go back over the previous line and blank it
            padding = " " * max(self._prev_total_width - width, 0)
            line = "\b" * self._prev_total_width + "\r" + line + padding
        _write(line + "\n" if finalize else line)
        self._prev_total_width = width

    def note(self, text: str) -> None:
        """Show ``text`` after the bar until the next redraw (a live bar only).

        The trainer says ``compiling…`` this way while the first step compiles.
        """
        if self.verbose == 1 and self._dynamic_display:
            self._draw_line(f"{self._bar(self._seen_so_far)} {text}", False)

    def add(self, n: int, values: Iterable[tuple[str, Any]] | None = None) -> None:
        """Advance the bar by ``n`` steps."""
        self.update(self._seen_so_far + n, values)

    def _step_duration(self, current: int, now: float) -> float:
        """Seconds per step, not counting the first step (compilation) when possible."""
        if not current:
            return 0.0
        if self._time_after_first_step is not None and current > 1:
            per_unit = (now - self._time_after_first_step) / (current - 1)
        else:
            per_unit = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return per_unit
