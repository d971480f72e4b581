"""Fixtures for the callback tests."""

from __future__ import annotations

import time

import pytest


@pytest.fixture
def clock(monkeypatch):
    """Replace ``time.time`` (for kerax and Keras alike) by a settable clock."""

    class Clock:
        now = 1000.0

        def __call__(self) -> float:
            return self.now

    fake = Clock()
    monkeypatch.setattr(time, "time", fake)
    return fake
