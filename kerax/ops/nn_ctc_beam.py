"""CTC prefix beam search with fixed-size beams (so it runs under ``jit``).

Each beam is a label prefix with two log probabilities: paths ending in a
blank and paths ending in its last label. A step scores every beam staying
as it is and every one-label extension, merges extensions that equal an
existing prefix, and keeps the best ``beam_width``. Prefixes are compared by
a rolling hash together with their length.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp

_HASH_BASE = 1_000_003


def _step(state: tuple, inputs: tuple, blank: int) -> tuple[tuple, None]:
    prefixes, lengths, hashes, p_blank, p_label = state
    log_probs, active = inputs
    width, num_classes = prefixes.shape[0], log_probs.shape[0]
    classes = jnp.arange(num_classes)
    last = jnp.take_along_axis(prefixes, jnp.maximum(lengths - 1, 0)[:, None], 1)[:, 0]
    last = jnp.where(lengths > 0, last, -1)
    total = jnp.logaddexp(p_blank, p_label)

    stay_blank = total + log_probs[blank]
    stay_label = jnp.where(
        lengths > 0, p_label + log_probs[jnp.maximum(last, 0)], -jnp.inf
    )
    extend = jnp.where(
        classes[None, :] == last[:, None], p_blank[:, None], total[:, None]
    )
    extend = jnp.where(classes[None, :] == blank, -jnp.inf, extend + log_probs[None, :])
    extend_hash = hashes[:, None] * jnp.uint32(_HASH_BASE) + (
        classes[None, :] + 1
    ).astype("uint32")

    # An extension equal to an existing (live) prefix adds to that prefix.
    same = (extend_hash[:, :, None] == hashes[None, None, :]) & (
        (lengths[:, None, None] + 1) == lengths[None, None, :]
    )
    same = same & jnp.isfinite(total)[None, None, :]
    merged = jax.nn.logsumexp(
        jnp.where(same, extend[:, :, None], -jnp.inf), axis=(0, 1)
    )
    stay_label = jnp.logaddexp(stay_label, merged)
    extend = jnp.where(jnp.any(same, axis=-1), -jnp.inf, extend)

    scores = jnp.concatenate([jnp.logaddexp(stay_blank, stay_label), extend.ravel()])
    _, chosen = jax.lax.top_k(scores, width)
    is_extension = chosen >= width
    source = jnp.where(is_extension, (chosen - width) // num_classes, chosen)
    label = (chosen - width) % num_classes
    new_lengths = lengths[source] + is_extension
    position = jnp.arange(prefixes.shape[1])[None, :] == lengths[source][:, None]
    new_prefixes = jnp.where(
        is_extension[:, None] & position, label[:, None], prefixes[source]
    )
    new_hashes = jnp.where(is_extension, extend_hash[source, label], hashes[source])
    new_blank = jnp.where(is_extension, -jnp.inf, stay_blank[source])
    new_label = jnp.where(is_extension, extend[source, label], stay_label[source])
    new_state = (new_prefixes, new_lengths, new_hashes, new_blank, new_label)
    keep = lambda new, old: jnp.where(active, new, old)  # noqa: E731
    return jax.tree_util.tree_map(keep, new_state, state), None


def _decode_one(
    log_probs: jax.Array, length: jax.Array, beam_width: int, blank: int
) -> tuple[jax.Array, jax.Array, jax.Array]:
    time = log_probs.shape[0]
    state = (
        jnp.full((beam_width, time), -1, "int32"),
        jnp.zeros((beam_width,), "int32"),
        jnp.zeros((beam_width,), "uint32"),
        jnp.full((beam_width,), -jnp.inf, log_probs.dtype).at[0].set(0.0),
        jnp.full((beam_width,), -jnp.inf, log_probs.dtype),
    )
    active = jnp.arange(time) < length
    state, _ = jax.lax.scan(lambda s, x: _step(s, x, blank), state, (log_probs, active))
    prefixes, lengths, _, p_blank, p_label = state
    return prefixes, lengths, jnp.logaddexp(p_blank, p_label)


def beam_search_decode(
    inputs: jax.Array,
    lengths: jax.Array,
    beam_width: int,
    top_paths: int,
    mask_index: int,
) -> tuple[jax.Array, jax.Array]:
    """Best ``top_paths`` label sequences ``(paths, batch, time)`` and log probs."""
    if top_paths > beam_width:
        raise ValueError(
            f"ctc_decode: `top_paths` ({top_paths}) must not exceed `beam_width` "
            f"({beam_width})."
        )
    return _beam_search(inputs, lengths, beam_width, top_paths, mask_index)


@functools.partial(jax.jit, static_argnames=("beam_width", "top_paths", "mask_index"))
def _beam_search(
    inputs: jax.Array,
    lengths: jax.Array,
    beam_width: int,
    top_paths: int,
    mask_index: int,
) -> tuple[jax.Array, jax.Array]:
    log_probs = jax.nn.log_softmax(inputs, axis=-1)
    prefixes, _, scores = jax.vmap(
        lambda lp, n: _decode_one(lp, n, beam_width, mask_index)
    )(log_probs, lengths)
    order = jnp.argsort(-scores, axis=1, stable=True)[:, :top_paths]
    decoded = jnp.take_along_axis(prefixes, order[:, :, None], axis=1)
    best = jnp.take_along_axis(scores, order, axis=1)
    return jnp.moveaxis(decoded, 1, 0), best
