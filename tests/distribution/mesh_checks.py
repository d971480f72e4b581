"""Checks run in a child process with 8 simulated CPU devices; prints JSON.

The pytest process has already started JAX with one device, so
``test_mesh.py`` runs this file with
``XLA_FLAGS=--xla_force_host_platform_device_count=8`` and asserts on its output.
The training loop is written here with ``jax.jit`` over ``stateless_call`` and
``stateless_apply`` so that it does not depend on the trainer.
"""

from __future__ import annotations

import json

import jax
import jax.numpy as jnp
import numpy as np

import kerax as keras
from kerax import distribution as dist

jax.config.update("jax_numpy_rank_promotion", "raise")
STEPS = 3


def make_model(weights=None):
    model = keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(16, activation="tanh", name="hidden"),
            keras.layers.Dense(8, name="out"),
        ],
        name="mlp",
    )
    if weights is not None:
        model.set_weights(weights)
    return model


def make_attention_model(weights=None):
    tokens = keras.Input((6,), dtype="int32")
    hidden = keras.layers.Embedding(32, 16, name="embed")(tokens)
    hidden = keras.layers.MultiHeadAttention(4, 4, name="attention")(hidden, hidden)
    model = keras.Model(tokens, keras.layers.Dense(8, name="head")(hidden))
    if weights is not None:
        model.set_weights(weights)
    return model


def train(weights, x, y, distribution=None, make=make_model):
    """STEPS Adam steps on (x, y); returns (losses, model, optimizer)."""
    model = make(weights)
    optimizer = keras.optimizers.Adam(0.05)
    trainable = model.trainable_variables
    non_trainable = model.non_trainable_variables
    optimizer.build(trainable)
    out_shardings = None
    if distribution is not None:
        distribution.distribute_variables(
            trainable + non_trainable + optimizer.variables
        )
        x, y = distribution.distribute_batch((x, y))

        def shardings(variables):
            return [v._value.sharding for v in variables]

        scalar = jax.sharding.NamedSharding(
            distribution.device_mesh.backend_mesh, jax.sharding.PartitionSpec()
        )
        out_shardings = (
            scalar,
            shardings(trainable),
            shardings(non_trainable),
            shardings(optimizer.variables),
        )

    def loss_fn(train_values, other_values, x, y):
        out, other_values = model.stateless_call(train_values, other_values, x)
        return jnp.mean(jnp.square(out - y)), other_values

    def step(train_values, other_values, opt_values, x, y):
        grad_fn = jax.value_and_grad(loss_fn, has_aux=True)
        (loss, other_values), grads = grad_fn(train_values, other_values, x, y)
        train_values, opt_values = optimizer.stateless_apply(
            opt_values, grads, train_values
        )
        return loss, train_values, other_values, opt_values

    step = jax.jit(step, out_shardings=out_shardings)
    values = (
        [v._value for v in trainable],
        [v._value for v in non_trainable],
        [v._value for v in optimizer.variables],
    )
    losses = []
    for _ in range(STEPS):
        loss, *values = step(*values, x, y)
        losses.append(float(loss))
    for variables, arrays in zip(
        (trainable, non_trainable, optimizer.variables), values
    ):
        for variable, array in zip(variables, arrays):
            variable._value = array
    return losses, model, optimizer


METRICS = [
    "MeanSquaredError",
    "BinaryAccuracy",
    "AUC",
    "Precision",
    "Recall",
    "BinaryCrossentropy",
    "KLDivergence",
    "BinaryIoU",
]


def metrics_under_mesh(distribution, rng):
    """Each metric over two sharded batches in jit vs eagerly on one device."""
    y_true = rng.integers(0, 2, size=(2, 16, 4)).astype("float32")
    y_pred = rng.uniform(size=(2, 16, 4)).astype("float32")
    diffs = {}
    for name in METRICS:
        eager = getattr(keras.metrics, name)()
        for i in range(2):
            eager.update_state(y_true[i], y_pred[i])
        sharded = getattr(keras.metrics, name)()
        distribution.distribute_variables(sharded.variables)
        update = jax.jit(sharded.stateless_update_state)
        values = [v._value for v in sharded.variables]
        for i in range(2):
            batch = distribution.distribute_batch((y_true[i], y_pred[i]))
            values = update(values, *batch)
        result = sharded.stateless_result(values)
        diffs[name] = float(np.max(np.abs(np.asarray(result) - eager.result())))
    return diffs


def function_loop(weights, x, y, distribution=None):
    """A kerax.function training loop (GradientTape + apply_gradients)."""
    model = make_model(weights)
    optimizer = keras.optimizers.SGD(0.1)
    optimizer.build(model.trainable_variables)
    if distribution is not None:
        distribution.distribute_variables(model.variables + optimizer.variables)
        x, y = distribution.distribute_batch((x, y))

    @keras.function
    def step(x, y):
        with keras.GradientTape() as tape:
            loss = keras.ops.mean(keras.ops.square(model(x) - y))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    losses = [float(step(x, y)) for _ in range(STEPS)]
    return losses, model, optimizer


def specs(variables):
    return {v.path: str(v._value.sharding.spec) for v in variables}


def compare(reference, result):
    ref_losses, ref_model, _ = reference
    losses, model, optimizer = result
    diff = max(
        float(np.max(np.abs(np.asarray(a) - np.asarray(b))))
        for a, b in zip(ref_model.get_weights(), model.get_weights())
    )
    return {
        "losses": losses,
        "ref_losses": ref_losses,
        "max_weight_diff": diff,
        "specs": specs(model.variables + optimizer.variables),
    }


def main():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 8)).astype("float32")
    y = rng.normal(size=(16, 8)).astype("float32")
    weights = make_model().get_weights()
    reference = train(weights, x, y)
    results = {"devices": dist.list_devices(), "count": dist.get_device_count()}

    data_parallel = dist.DataParallel()
    results["data_parallel"] = compare(reference, train(weights, x, y, data_parallel))
    batch = data_parallel.distribute_batch({"x": x})["x"]
    results["batch_spec"] = str(batch.sharding.spec)
    results["batch_shard_shape"] = list(batch.addressable_shards[0].data.shape)

    mesh = dist.DeviceMesh((2, 4), ["batch", "model"])
    layout_map = dist.LayoutMap(mesh)
    layout_map[".*hidden/kernel"] = (None, "model")
    layout_map[".*hidden/bias"] = ("model",)
    layout_map[".*out/kernel"] = dist.TensorLayout(("model", None))
    layout_map[".*typo_layer/kernel"] = (None, "model")
    model_parallel = dist.ModelParallel(layout_map=layout_map, batch_dim_name="batch")
    result = train(weights, x, y, model_parallel)
    results["model_parallel"] = compare(reference, result)
    kernel = result[1].get_layer("hidden").kernel._value
    results["hidden_kernel_shard_shape"] = list(kernel.addressable_shards[0].data.shape)
    results["model_parallel_report"] = model_parallel.report(result[1])
    mp_batch = model_parallel.distribute_batch(x)
    results["mp_batch_spec"] = str(mp_batch.sharding.spec)
    results["mp_batch_shard_shape"] = list(mp_batch.addressable_shards[0].data.shape)

    fsdp = dist.FSDP()
    result = train(weights, x, y, fsdp)
    results["fsdp"] = compare(reference, result)
    results["fsdp_report"] = dist.report(result[1], fsdp)

    results["fsdp_layouts"] = {
        str(shape): list(fsdp.get_variable_layout(keras.Variable(np.zeros(shape))).axes)
        for shape in [(24, 16), (3, 5), (2,), (), (4, 6, 8)]
    }
    pair = dist.DataParallel(devices=["cpu:6", "cpu:7"])
    pair_batch = pair.distribute_batch(x)
    results["pair_devices"] = sorted(
        f"{d.platform}:{d.id}" for d in pair_batch.sharding.device_set
    )
    results["pair_shard_shape"] = list(pair_batch.addressable_shards[0].data.shape)
    tokens = rng.integers(0, 32, size=(16, 6)).astype("int32")
    targets = rng.normal(size=(16, 6, 8)).astype("float32")
    attention_weights = make_attention_model().get_weights()
    reference = train(attention_weights, tokens, targets, make=make_attention_model)
    auto = dist.ModelParallel(layout_map=dist.auto_layout_map(reference[1], mesh))
    result = train(attention_weights, tokens, targets, auto, make=make_attention_model)
    results["auto"] = compare(reference, result)
    results["auto_report"] = auto.report(result[1])
    odd = []
    for path, shape in [("d/kernel", (16, 6)), ("d/bias", (6,)), ("e/kernel", (6, 8))]:
        odd.append(keras.Variable(np.zeros(shape, "float32")))
        odd[-1].path = path
    results["auto_odd_keys"] = list(dist.auto_layout_map(odd, mesh))
    results["metrics"] = metrics_under_mesh(data_parallel, rng)
    results["function"] = compare(
        function_loop(weights, x, y), function_loop(weights, x, y, model_parallel)
    )
    try:
        data_parallel.distribute_batch(x[:12])
    except ValueError as error:
        results["bad_batch_error"] = str(error)
    print("RESULTS " + json.dumps(results))


if __name__ == "__main__":
    main()
