"""TerminateOnNaN stops training at the first NaN or infinite batch loss."""

from __future__ import annotations

import math

import pytest
from callback_fakes import FakeModel, fake_fit

from kerax import callbacks


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_stops_at_the_bad_batch(bad, capsys):
    seen = []
    spy = callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: seen.append(batch)
    )
    history = fake_fit(
        FakeModel(),
        [callbacks.TerminateOnNaN(), spy],
        [{"loss": 1.0}] * 3,
        steps=4,
        batch_loss=lambda epoch, step: bad if (epoch, step) == (1, 2) else 1.0,
    )
    assert seen == [0, 1, 2, 3, 0, 1, 2]
    assert history.epoch == [0, 1]
    assert "Batch 2: Invalid loss, terminating training" in capsys.readouterr().out


def test_finite_losses_do_not_stop():
    model = FakeModel()
    history = fake_fit(model, [callbacks.TerminateOnNaN()], [{"loss": 1.0}] * 3)
    assert history.epoch == [0, 1, 2] and not model.stop_training


def test_raise_error():
    with pytest.raises(RuntimeError, match="NaN or Inf loss encountered at batch 1"):
        fake_fit(
            FakeModel(),
            [callbacks.TerminateOnNaN(raise_error=True)],
            [{"loss": 1.0}],
            batch_loss=lambda epoch, step: math.nan if step == 1 else 1.0,
        )


def test_needs_train_batch_hooks_only():
    nan = callbacks.TerminateOnNaN()
    assert nan._needs_batch_hooks("train")
    assert not nan._needs_batch_hooks("test")
