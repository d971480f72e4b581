"""Cross-entropies and CTC (``keras.ops.nn``): per-example values, no reduction."""

from __future__ import annotations

import functools
from typing import Any

import jax
import jax.numpy as jnp
import optax

from kerax import config
from kerax.autodiff.recording import op
from kerax.ops._utils import canonical_axis, float_tensor, tensor
from kerax.ops.nn_ctc_beam import beam_search_decode


def _same_shape(target: jax.Array, output: jax.Array, name: str) -> None:
    if target.shape != output.shape:
        raise ValueError(
            f"{name}: `target` and `output` must have the same shape, received "
            f"target.shape={target.shape} and output.shape={output.shape}."
        )


@op
def binary_crossentropy(
    target: Any, output: Any, from_logits: bool = False
) -> jax.Array:
    """Element-wise binary cross-entropy between labels and probabilities (or logits)."""
    target, output = float_tensor(target), float_tensor(output)
    _same_shape(target, output, "binary_crossentropy")
    if from_logits:
        return -(
            target * jax.nn.log_sigmoid(output)
            + (1.0 - target) * jax.nn.log_sigmoid(-output)
        )
    epsilon = config.epsilon()
    output = jnp.clip(output, epsilon, 1.0 - epsilon)
    return -(target * jnp.log(output) + (1.0 - target) * jnp.log(1.0 - output))


@op
def categorical_crossentropy(
    target: Any, output: Any, from_logits: bool = False, axis: int = -1
) -> jax.Array:
    """Cross-entropy between one-hot (or soft) labels and class scores along ``axis``.

    Probabilities are renormalized to sum to one and clipped to
    ``[epsilon, 1 - epsilon]``.
    """
    target, output = float_tensor(target), float_tensor(output)
    _same_shape(target, output, "categorical_crossentropy")
    if output.ndim < 1:
        raise ValueError("categorical_crossentropy expects inputs of rank >= 1.")
    axis = canonical_axis(axis, output.ndim)
    if from_logits:
        log_probs = jax.nn.log_softmax(output, axis=axis)
    else:
        output = output / jnp.sum(output, axis=axis, keepdims=True)
        epsilon = config.epsilon()
        log_probs = jnp.log(jnp.clip(output, epsilon, 1.0 - epsilon))
    return -jnp.sum(target * log_probs, axis=axis)


@op
def sparse_categorical_crossentropy(
    target: Any, output: Any, from_logits: bool = False, axis: int = -1
) -> jax.Array:
    """Cross-entropy between integer labels and class scores along ``axis``.

    ``target`` has the shape of ``output`` without the class axis (a trailing
    axis of size 1 is also accepted); labels out of range contribute 0.
    """
    target, output = tensor(target), float_tensor(output)
    if target.ndim == output.ndim and target.shape[-1] == 1:
        target = jnp.squeeze(target, -1)
    axis = canonical_axis(axis, output.ndim)
    class_shape = output.shape[:axis] + output.shape[axis + 1 :]
    if target.shape != class_shape:
        raise ValueError(
            "sparse_categorical_crossentropy: `target` must have the shape of "
            f"`output` without its class axis; received target.shape={target.shape} "
            f"and output.shape={output.shape}."
        )
    encoded = jax.nn.one_hot(target, output.shape[axis], axis=axis, dtype=output.dtype)
    return categorical_crossentropy.__kerax_op__(encoded, output, from_logits, axis)


@op
def ctc_loss(
    target: Any,
    output: Any,
    target_length: Any,
    output_length: Any,
    mask_index: int = 0,
) -> jax.Array:
    """Connectionist Temporal Classification loss per example.

    ``target``: int labels ``(batch, max_label_length)``; ``output``: logits
    ``(batch, max_time, num_classes)``; lengths: ``(batch,)``; ``mask_index``:
    the blank class.
    """
    target, output = tensor(target), float_tensor(output)
    target_length, output_length = tensor(target_length), tensor(output_length)
    if output.ndim != 3 or target.ndim != 2:
        raise ValueError(
            "ctc_loss expects `output` of shape (batch, time, classes) and `target` "
            f"of shape (batch, labels), received {output.shape} and {target.shape}."
        )
    return _ctc_loss(target, output, target_length, output_length, mask_index)


@functools.partial(jax.jit, static_argnames="mask_index")
def _ctc_loss(
    target: jax.Array,
    output: jax.Array,
    target_length: jax.Array,
    output_length: jax.Array,
    mask_index: int,
) -> jax.Array:
    time_steps = jnp.arange(output.shape[1])[None, :]
    label_steps = jnp.arange(target.shape[1])[None, :]
    logit_paddings = (time_steps >= output_length[:, None]).astype(output.dtype)
    label_paddings = (label_steps >= target_length[:, None]).astype(output.dtype)
    return optax.ctc_loss(
        output,
        logit_paddings,
        target.astype("int32"),
        label_paddings,
        blank_id=mask_index,
    )


@functools.partial(jax.jit, static_argnames=("merge_repeated", "mask_index"))
def _greedy_decode(
    inputs: jax.Array, lengths: jax.Array, merge_repeated: bool, mask_index: int
) -> tuple[jax.Array, jax.Array]:
    best = jnp.argmax(inputs, axis=-1).astype("int32")
    scores = jnp.max(inputs, axis=-1)
    padded = jnp.arange(inputs.shape[1])[None, :] >= lengths[:, None]
    best = jnp.where(padded, mask_index, best)
    scores = jnp.where(padded, 0.0, scores)
    if merge_repeated:
        repeat = jnp.pad(best[:, 1:] == best[:, :-1], ((0, 0), (1, 0)))
        best = jnp.where(repeat, mask_index, best)
    blank = best == mask_index
    order = jnp.argsort(blank, axis=1, stable=True)
    decoded = jnp.take_along_axis(jnp.where(blank, -1, best), order, axis=1)
    return decoded[None], -jnp.sum(scores, axis=1, keepdims=True)


@op
def ctc_decode(
    inputs: Any,
    sequence_lengths: Any,
    strategy: str = "greedy",
    beam_width: int = 100,
    top_paths: int = 1,
    merge_repeated: bool = True,
    mask_index: int = 0,
) -> tuple[jax.Array, jax.Array]:
    """Decode CTC logits ``(batch, time, classes)`` into label sequences.

    Returns ``(decoded, scores)``: ``decoded`` is ``(paths, batch, time)`` padded
    with -1. Greedy: one path, score = minus the sum of the best logits.
    Beam search: ``top_paths`` paths and their log probabilities.
    """
    inputs = float_tensor(inputs)
    lengths = tensor(sequence_lengths).astype("int32")
    if inputs.ndim != 3:
        raise ValueError(
            f"ctc_decode expects inputs of shape (batch, time, classes), received "
            f"{inputs.shape}."
        )
    if strategy == "greedy":
        return _greedy_decode(inputs, lengths, merge_repeated, mask_index)
    if strategy == "beam_search":
        return beam_search_decode(inputs, lengths, beam_width, top_paths, mask_index)
    raise ValueError(
        f"ctc_decode: unknown strategy {strategy!r}. Expected 'greedy' or 'beam_search'."
    )
