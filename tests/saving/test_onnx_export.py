"""``model.export(path, format="onnx")``, checked by running the file in onnxruntime."""

import sys

import numpy as np
import onnx
import onnxruntime
import pytest

import kerax
from kerax import layers


def _session(path):
    return onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])


def _x(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def _image_model():
    return kerax.Sequential(
        [
            kerax.Input((12, 12, 3)),
            layers.Conv2D(4, 3, activation="relu"),
            layers.BatchNormalization(),
            layers.MaxPooling2D(),
            layers.Dropout(0.5),
            layers.Flatten(),
            layers.Dense(3, activation="softmax"),
        ]
    )


def _attention_model():
    inputs = kerax.Input((6, 8))
    hidden = layers.MultiHeadAttention(2, 4)(inputs, inputs)
    hidden = layers.LayerNormalization()(layers.Add()([hidden, inputs]))
    return kerax.Model(inputs, layers.GlobalAveragePooling1D()(hidden))


def _recurrent_model():
    return kerax.Sequential(
        [kerax.Input((5, 3)), layers.Bidirectional(layers.GRU(4)), layers.Dense(2)]
    )


@pytest.mark.parametrize(
    "build, shape",
    [
        (_image_model, (12, 12, 3)),
        (_attention_model, (6, 8)),
        (_recurrent_model, (5, 3)),
    ],
    ids=["cnn", "attention", "bidirectional_gru"],
)
def test_onnx_file_predicts_like_the_model_at_any_batch_size(tmp_path, build, shape):
    model = build()
    path = tmp_path / "model.onnx"
    model.export(path, format="onnx")
    session = _session(path)
    (entry,) = session.get_inputs()
    assert entry.shape[0] == "batch"
    for batch in (1, 5):
        x = _x(batch, *shape, seed=batch)
        (out,) = session.run(None, {entry.name: x})
        np.testing.assert_allclose(out, model.predict(x, verbose=0), atol=1e-5)


def test_named_dict_inputs_and_several_outputs(tmp_path):
    tokens = kerax.Input((7,), dtype="int32", name="tokens")
    extra = kerax.Input((3,), name="extra")
    hidden = layers.LSTM(4)(layers.Embedding(20, 5)(tokens))
    hidden = layers.Concatenate()([hidden, extra])
    model = kerax.Model(
        {"tokens": tokens, "extra": extra},
        [layers.Dense(1, name="score")(hidden), layers.Dense(2, name="logits")(hidden)],
    )
    path = tmp_path / "model.onnx"
    model.export(path, format="onnx", opset_version=18)
    stored = onnx.load(str(path))
    assert {o.version for o in stored.opset_import if o.domain in ("", "ai.onnx")} == {
        18
    }
    session = _session(path)
    assert sorted(i.name for i in session.get_inputs()) == ["extra", "tokens"]
    assert [o.name for o in session.get_outputs()] == ["score", "logits"]
    x = {
        "tokens": np.random.default_rng(1).integers(0, 20, (4, 7)).astype("int32"),
        "extra": _x(4, 3),
    }
    outputs = session.run(None, x)
    for got, expected in zip(outputs, model.predict(x, verbose=0)):
        np.testing.assert_allclose(got, expected, atol=1e-5)


def test_bad_arguments_and_missing_converter(tmp_path, monkeypatch):
    model = kerax.Sequential([kerax.Input((3,)), layers.Dense(2)])
    with pytest.raises(ValueError, match="opset_version"):
        model.export(tmp_path / "m.onnx", format="onnx", opset_version=3)
    with pytest.raises(TypeError, match="unexpected arguments"):
        model.export(tmp_path / "m.onnx", format="onnx", jax2tf_kwargs={})
    with pytest.raises(ValueError, match="format='onnx'"):
        model.export(tmp_path / "m", format="openvino")
    monkeypatch.setitem(sys.modules, "jax2onnx", None)
    with pytest.raises(ImportError, match="kerax\\[onnx\\]"):
        model.export(tmp_path / "m.onnx", format="onnx")
    assert not list(tmp_path.iterdir())
