"""The distribution API on the one device of the test process (no child process)."""

from __future__ import annotations

import doctest

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest
from jax.sharding import PartitionSpec

import kerax
from kerax import distribution as dist


@pytest.fixture
def mesh():
    return dist.DeviceMesh((1, 1), ["batch", "model"], devices=["cpu:0"])


@pytest.fixture(autouse=True)
def _no_distribution():
    dist.set_distribution(None)
    yield
    dist.set_distribution(None)


def test_devices_match_keras():
    assert dist.list_devices() == keras.distribution.list_devices()
    assert dist.list_devices("CPU") == ["cpu:0"]
    assert dist.get_device_count() == keras.distribution.get_device_count() == 1


def test_device_mesh(mesh):
    assert mesh.shape == (1, 1)
    assert mesh.axis_names == ["batch", "model"]
    assert mesh.devices.tolist() == [["cpu:0"]]
    assert dict(mesh.backend_mesh.shape) == {"batch": 1, "model": 1}
    assert mesh.axis_size("model") == 1


@pytest.mark.parametrize(
    "shape, names, devices, message",
    [
        ((2,), ["batch"], None, "does not match the number of devices"),
        ((1, 1), ["batch"], None, "same size"),
        ((1, 1), ["a", "a"], None, "repeat"),
        ((1,), ["batch"], ["gpu0"], "'platform:id'"),
        ((1,), ["batch"], ["cpu:9"], "Unknown device 'cpu:9'"),
    ],
)
def test_device_mesh_errors(shape, names, devices, message):
    with pytest.raises(ValueError, match=message):
        dist.DeviceMesh(shape, names, devices)


def test_tensor_layout(mesh):
    layout = dist.TensorLayout(("batch", None), mesh)
    assert layout.axes == ("batch", None)
    assert layout.backend_layout.spec == PartitionSpec("batch", None)
    with pytest.raises(ValueError, match=r"Valid axis names.*received \['zz'\]"):
        dist.TensorLayout(("zz", None), mesh)
    with pytest.raises(ValueError, match="no device mesh"):
        _ = dist.TensorLayout((None,)).backend_layout
    with pytest.raises(ValueError, match="already has a device mesh"):
        layout.device_mesh = mesh


PATHS = ["mlp/dense/kernel", "mlp/dense/bias", "mlp/dense_1/kernel", "conv/bias", "x"]


def _lookup(layout_map, path):
    try:
        layout = layout_map[path]
    except ValueError:
        return "error"
    return None if layout is None else tuple(layout.axes)


@pytest.mark.parametrize(
    "keys",
    [
        {"dense/kernel": (None, "model"), "bias": ("model",)},
        {".*kernel": ("model", None), "dense.*": (None, "model")},
        {"mlp/dense/kernel": ("batch", None), "dense": (None, "model")},
        {"^conv": ("model",), r"dense_\d+/kernel": (None, "batch")},
        {".*dense.*": (None, "model"), ".*kernel": ("model", None)},
        {"conv/bias": ("model",), r".*dense_\d+/kernel": (None, "batch")},
    ],
)
def test_layout_map_lookup_matches_keras(mesh, keys):
    ours = dist.LayoutMap(mesh)
    theirs = keras.distribution.LayoutMap(
        keras.distribution.DeviceMesh((1, 1), ["batch", "model"], ["cpu:0"])
    )
    for key, axes in keys.items():
        ours[key] = axes
        theirs[key] = axes
    for path in PATHS:
        assert _lookup(ours, path) == _lookup(theirs, path), path


def test_layout_map_mapping_and_errors(mesh):
    layout_map = dist.LayoutMap(mesh)
    layout_map[".*dense.*kernel"] = dist.TensorLayout((None, "model"))
    layout_map[".*kernel"] = ["model", None]
    assert list(layout_map) == [".*dense.*kernel", ".*kernel"] and len(layout_map) == 2
    assert layout_map[".*dense.*kernel"].device_mesh is mesh
    with pytest.raises(ValueError, match="matches several LayoutMap keys"):
        layout_map["dense/kernel"]
    assert layout_map["conv/kernel"].axes == ("model", None)
    del layout_map[".*kernel"]
    assert layout_map["conv/kernel"] is None
    with pytest.raises(ValueError, match="already has key"):
        layout_map[".*dense.*kernel"] = (None, None)
    with pytest.raises(ValueError, match="TensorLayout or a tuple.*int"):
        layout_map["y"] = 3
    with pytest.raises(ValueError, match="not a valid regex"):
        layout_map["(("] = (None,)
    with pytest.raises(ValueError, match="Valid axis names"):
        layout_map["z"] = ("nope",)
    with pytest.raises(TypeError, match="needs a DeviceMesh"):
        dist.LayoutMap("mesh")


def test_data_parallel_defaults_match_keras():
    ours, theirs = dist.DataParallel(), keras.distribution.DataParallel()
    assert ours.batch_dim_name == theirs.batch_dim_name == "batch"
    assert ours.device_mesh.shape == tuple(theirs.device_mesh.shape)
    assert ours.device_mesh.axis_names == list(theirs.device_mesh.axis_names)
    assert ours.get_data_layout((4, 3)).axes == tuple(
        theirs.get_data_layout((4, 3)).axes
    )
    variable = kerax.Variable(np.zeros((3, 2), "float32"))
    assert ours.get_variable_layout(variable).axes == (None, None)
    assert dist.DataParallel(devices=["cpu:0"]).device_mesh.shape == (1,)
    with pytest.raises(ValueError, match="not both"):
        dist.DataParallel(device_mesh=ours.device_mesh, devices=["cpu:0"])


def test_model_parallel_arguments(mesh):
    layout_map = dist.LayoutMap(mesh)
    layout_map[".*kernel"] = (None, "model")
    parallel = dist.ModelParallel(layout_map=layout_map)
    assert parallel.batch_dim_name == "batch" and parallel.device_mesh is mesh
    assert dist.ModelParallel(layout_map=layout_map, batch_dim_name="model")
    assert parallel.get_tensor_layout("a/kernel").axes == (None, "model")
    with pytest.raises(ValueError, match="must pass a layout_map"):
        dist.ModelParallel()
    with pytest.raises(TypeError, match="must be a LayoutMap"):
        dist.ModelParallel(layout_map={".*kernel": (None, "model")})
    with pytest.raises(ValueError, match="batch_dim_name 'zz' is not an axis"):
        dist.ModelParallel(layout_map=layout_map, batch_dim_name="zz")
    other = dist.DeviceMesh((1,), ["batch"], ["cpu:0"])
    with pytest.raises(ValueError, match="LayoutMap's device mesh"):
        dist.ModelParallel(layout_map=layout_map, device_mesh=other)


def test_set_distribution_and_scope():
    assert dist.distribution() is None
    outer, inner = dist.DataParallel(), dist.FSDP()
    dist.set_distribution(outer)
    with inner.scope() as active:
        assert active is inner and dist.distribution() is inner
    assert dist.distribution() is outer
    with pytest.raises(RuntimeError), inner.scope():
        raise RuntimeError("boom")
    assert dist.distribution() is outer
    with pytest.raises(TypeError, match="Distribution or None, received str"):
        dist.set_distribution("data_parallel")


def test_distribute_variables_and_batch(mesh):
    layout_map = dist.LayoutMap(mesh)
    layout_map["w"] = ("batch", "model")
    layout_map["bad"] = ("model",)
    parallel = dist.ModelParallel(layout_map=layout_map)
    w = kerax.Variable(np.ones((2, 3), "float32"), name="w")
    b = kerax.Variable(np.ones((3,), "float32"), name="b")
    parallel.distribute_variables([w, b])
    assert w._value.sharding.spec == PartitionSpec("batch", "model")
    assert b._value.sharding.spec == PartitionSpec(None)
    np.testing.assert_array_equal(w.numpy(), np.ones((2, 3)))
    bad = kerax.Variable(np.ones((2, 3), "float32"), name="bad")
    with pytest.raises(ValueError, match=r"Variable 'bad'.*1 axes.*\(2, 3\)"):
        parallel.distribute_variables([bad])
    batch = parallel.distribute_batch({"x": np.ones((4, 2)), "n": 3, "none": None})
    assert batch["x"].sharding.spec == PartitionSpec("batch")
    assert batch["n"].sharding.spec == PartitionSpec() and batch["none"] is None
    assert parallel.batch_sharding(3).spec == PartitionSpec("batch")


def test_model_parallel_slot_follows_its_variable(mesh):
    layout_map = dist.LayoutMap(mesh)
    layout_map[".*kernel"] = (None, "model")
    parallel = dist.ModelParallel(layout_map=layout_map)
    kernel = kerax.Variable(np.ones((2, 3), "float32"), name="kernel")
    slot = kerax.Variable(np.zeros((2, 3), "float32"), name="m")
    assert parallel.get_variable_layout(slot).axes == (None, None)
    slot._reference_variable = kernel
    assert parallel.get_variable_layout(slot).axes == (None, "model")


def test_auto_layout_map_rules(mesh):
    inputs = kerax.Input((5, 4))
    hidden = kerax.layers.Conv1D(8, 3, name="conv")(inputs)
    hidden = kerax.layers.Dense(6, name="dense")(hidden)
    outputs = kerax.layers.LayerNormalization(name="norm")(hidden)
    layout_map = dist.auto_layout_map(kerax.Model(inputs, outputs), mesh)
    assert {key: layout_map[key].axes for key in layout_map} == {
        "dense/kernel": (None, "model"),
        "dense/bias": ("model",),
    }
    with pytest.raises(ValueError, match="model_dim_name 'tp' is not an axis"):
        dist.auto_layout_map([], mesh, model_dim_name="tp")


def test_docstring_examples():
    from kerax.distribution import devices, layout_map

    for module in (devices, layout_map):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0


def test_distribute_tensor(mesh):
    layout = dist.TensorLayout(("batch", None), mesh)
    x = dist.distribute_tensor(jnp.ones((2, 2)), layout)
    assert x.sharding.spec == PartitionSpec("batch", None)
    y = jax.jit(lambda t: dist.distribute_tensor(t * 2, layout))(x)
    np.testing.assert_array_equal(y, 2 * np.ones((2, 2)))


def test_report_needs_a_distribution():
    model = kerax.Sequential([kerax.Input((2,)), kerax.layers.Dense(3, name="d")])
    with pytest.raises(ValueError, match="no distribution is active"):
        dist.report(model)
    with dist.DataParallel().scope():
        text = dist.report(model)
    assert text.splitlines()[2].split()[:2] == ["sequential/d/kernel", "(2,"]


@pytest.fixture
def captured(monkeypatch):
    calls = []
    monkeypatch.setattr(jax.distributed, "initialize", lambda **kw: calls.append(kw))
    for name in ("JOB_ADDRESSES", "NUM_PROCESSES", "PROCESS_ID"):
        monkeypatch.delenv(f"KERAS_DISTRIBUTION_{name}", raising=False)
    return calls


def test_initialize_from_arguments(captured):
    dist.initialize("10.0.0.1:1234,10.0.0.2:1234", 2, 1, initialization_timeout=5)
    assert captured == [
        {
            "coordinator_address": "10.0.0.1:1234",
            "num_processes": 2,
            "process_id": 1,
            "initialization_timeout": 5,
        }
    ]


def test_initialize_from_environment(captured, monkeypatch):
    monkeypatch.setenv("KERAS_DISTRIBUTION_JOB_ADDRESSES", "host0:99, host1:99")
    monkeypatch.setenv("KERAS_DISTRIBUTION_NUM_PROCESSES", "2")
    monkeypatch.setenv("KERAS_DISTRIBUTION_PROCESS_ID", "0")
    dist.initialize(process_id=1)
    assert captured[-1] == {
        "coordinator_address": "host0:99",
        "num_processes": 2,
        "process_id": 1,
    }
    monkeypatch.setenv("KERAS_DISTRIBUTION_NUM_PROCESSES", "two")
    with pytest.raises(ValueError, match="NUM_PROCESSES must be an integer"):
        dist.initialize()


def test_initialize_detects_cluster_when_nothing_is_set(captured):
    dist.initialize()
    assert captured == [
        {"coordinator_address": None, "num_processes": None, "process_id": None}
    ]


def test_loading_under_a_layout_of_the_wrong_rank_names_the_variable(mesh, tmp_path):
    model = kerax.Sequential([kerax.Input((4,)), kerax.layers.Dense(2, name="d")])
    path = str(tmp_path / "m.weights.h5")
    model.save_weights(path)
    layout_map = dist.LayoutMap(mesh)
    layout_map[".*d/kernel"] = ("model",)  # one axis for a 2-D kernel
    with dist.ModelParallel(layout_map=layout_map).scope():
        with pytest.raises(ValueError, match=r"d/kernel.*1 axes.*\(4, 2\)"):
            model.load_weights(path)


def test_loading_under_a_distribution_places_values_on_its_mesh(mesh, tmp_path):
    model = kerax.Sequential([kerax.Input((4,)), kerax.layers.Dense(2, name="d")])
    path = str(tmp_path / "m.weights.h5")
    model.save_weights(path)
    layout_map = dist.LayoutMap(mesh)
    layout_map[".*d/kernel"] = (None, "model")
    fresh = kerax.Sequential([kerax.Input((4,)), kerax.layers.Dense(2, name="d")])
    with dist.ModelParallel(layout_map=layout_map).scope():
        fresh.load_weights(path)
    kernel = fresh.layers[0].kernel.value
    assert kernel.sharding.spec == PartitionSpec(None, "model")
    np.testing.assert_array_equal(np.asarray(kernel), model.get_weights()[0])
