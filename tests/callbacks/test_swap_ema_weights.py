"""SwapEMAWeights: evaluation and prediction run with the moving-average weights."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from callback_fakes import FakeModel, fake_fit

from kerax import callbacks
from kerax.autodiff.variable import Variable


class EMAOptimizer:
    def __init__(self, model_variables):
        self.use_ema = True
        self.learning_rate = 0.1
        self._trainable_variables = model_variables
        self._model_variables_moving_average = [
            Variable(np.full(v.shape, -1.0, "float32")) for v in model_variables
        ]


def _model():
    model = FakeModel()
    model.optimizer = EMAOptimizer(model.trainable_variables)
    return model


def _trace(module, swap_on_epoch):
    """Weights seen during validation and at each epoch's end."""
    model = _model()
    seen = []

    def snapshot(tag):
        return lambda *args, **kwargs: seen.append((tag, model.get_weights()[0][0, 0]))

    probe = module.LambdaCallback(
        on_epoch_end=snapshot("epoch_end"), on_test_batch_end=snapshot("test")
    )
    fake_fit(
        model,
        [module.SwapEMAWeights(swap_on_epoch=swap_on_epoch), probe],
        [{"loss": 1.0, "val_loss": 1.0}] * 3,
        steps=2,
        validate=True,
        callback_list_class=module.CallbackList,
    )
    averages = [np.array(v) for v in model.optimizer._model_variables_moving_average]
    return seen, model.get_weights(), averages


@pytest.mark.parametrize("swap_on_epoch", [False, True])
def test_matches_keras(swap_on_epoch):
    ours = _trace(callbacks, swap_on_epoch)
    theirs = _trace(keras.callbacks, swap_on_epoch)
    assert ours[0] == theirs[0]
    for a, b in zip(ours[1] + ours[2], theirs[1] + theirs[2]):
        np.testing.assert_array_equal(a, b)


def test_swaps_for_evaluation_and_prediction():
    model = _model()
    swap = callbacks.SwapEMAWeights()
    cbs = callbacks.CallbackList([swap], model=model)
    cbs.on_test_begin()
    np.testing.assert_array_equal(model.get_weights()[0], -np.ones((2, 3)))
    cbs.on_test_end()
    np.testing.assert_array_equal(model.get_weights()[0], np.full((2, 3), 0.5))
    cbs.on_predict_begin()
    np.testing.assert_array_equal(model.get_weights()[1], -np.ones(3))
    cbs.on_predict_end()  # the training weights come back after predict too
    np.testing.assert_array_equal(model.get_weights()[1], np.ones(3))


def test_requires_ema_optimizer():
    model = FakeModel()
    cbs = callbacks.CallbackList([callbacks.SwapEMAWeights()], model=model)
    with pytest.raises(ValueError, match="use_ema=True"):
        cbs.on_test_begin()
