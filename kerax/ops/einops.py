"""``rearrange``: einops-style axis reordering, merging and splitting."""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp

from kerax.autodiff.recording import op
from kerax.ops._utils import tensor as to_tensor

_ELLIPSIS = "..."


def _parse_side(text: str, pattern: str) -> list[list[str]]:
    """Groups of axis names: ``"b (h w) c"`` -> ``[["b"], ["h", "w"], ["c"]]``."""
    groups: list[list[str]] = []
    current: list[str] | None = None
    for token in text.replace("(", " ( ").replace(")", " ) ").split():
        if token == "(":
            if current is not None:
                raise ValueError(f"rearrange: nested parentheses in {pattern!r}.")
            current = []
        elif token == ")":
            if current is None:
                raise ValueError(f"rearrange: unbalanced ')' in {pattern!r}.")
            groups.append(current)
            current = None
        elif token != _ELLIPSIS and not token.isidentifier() and token != "1":
            raise ValueError(f"rearrange: invalid axis name {token!r} in {pattern!r}.")
        elif current is not None:
            current.append(token)
        else:
            groups.append([token])
    if current is not None:
        raise ValueError(f"rearrange: unbalanced '(' in {pattern!r}.")
    return groups


def _names(groups: list[list[str]]) -> list[str]:
    return [name for group in groups for name in group if name != "1"]


def _expand_ellipsis(groups: list[list[str]], count: int) -> list[list[str]]:
    extra = [f"...{i}" for i in range(count)]
    out = []
    for group in groups:
        if group == [_ELLIPSIS]:
            out.extend([[name] for name in extra])
        elif _ELLIPSIS in group:
            index = group.index(_ELLIPSIS)
            out.append(group[:index] + extra + group[index + 1 :])
        else:
            out.append(group)
    return out


@op
def rearrange(tensor: Any, pattern: str, **axes_lengths: int) -> jax.Array:
    """Rearrange axes by a pattern such as ``"b h w c -> b (h w) c"``.

    Parentheses merge (or, on the left, split) axes; ``...`` stands for any
    remaining axes; ``axes_lengths`` gives sizes needed to split an axis.
    """
    x = to_tensor(tensor)
    if "->" not in pattern:
        raise ValueError(f"rearrange: pattern {pattern!r} must contain '->'.")
    left_text, right_text = pattern.split("->")
    left, right = _parse_side(left_text, pattern), _parse_side(right_text, pattern)
    has_ellipsis = any(_ELLIPSIS in g for g in left)
    fixed = len(left) - (1 if [_ELLIPSIS] in left else 0)
    if has_ellipsis:
        count = x.ndim - fixed
        left, right = _expand_ellipsis(left, count), _expand_ellipsis(right, count)
    if len(left) != x.ndim:
        raise ValueError(
            f"rearrange: pattern {pattern!r} names {len(left)} axes but the input "
            f"has shape {x.shape}."
        )
    if sorted(_names(left)) != sorted(_names(right)) or len(set(_names(left))) != len(
        _names(left)
    ):
        raise ValueError(
            f"rearrange: both sides of {pattern!r} must name the same axes once each."
        )
    sizes = dict(axes_lengths)
    for group, dim in zip(left, x.shape):
        names = [n for n in group if n != "1"]
        unknown = [n for n in names if n not in sizes]
        known = math.prod(sizes[n] for n in names if n in sizes)
        if len(unknown) > 1:
            raise ValueError(
                f"rearrange: cannot infer the sizes of {unknown} in {pattern!r}; "
                "pass them as keyword arguments."
            )
        if unknown:
            sizes[unknown[0]] = dim // known
        if math.prod(sizes[n] for n in names) != dim:
            raise ValueError(
                f"rearrange: axis group {group} does not match dimension {dim}."
            )
    source = _names(left)
    target = _names(right)
    x = jnp.reshape(x, tuple(sizes[n] for n in source))
    x = jnp.transpose(x, [source.index(n) for n in target])
    shape = tuple(math.prod(sizes[n] for n in group if n != "1") for group in right)
    return jnp.reshape(x, shape)
