"""The base of image preprocessing and augmentation layers.

Subclasses see images as a ``channels_last`` float batch ``(N, H, W, C)``;
the base turns single images into a batch of one and ``channels_first``
inputs into ``channels_last`` (and back), so each layer is written once.

A layer draws its random parameters in ``get_random_transformation`` (from
its ``SeedGenerator``, a Variable, so the draw works inside a compiled step)
and applies them in ``transform_images``. Inputs may be an array or a dict
with ``"images"`` and optionally ``"labels"`` and ``"segmentation_masks"``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

from kerax import config
from kerax.autodiff import state_scope
from kerax.layers.layer import Layer
from kerax.random.seed_generator import SeedGenerator

_DICT_KEYS = ("images", "labels", "segmentation_masks")


def check_choice(value: Any, choices: tuple, name: str, layer: str) -> Any:
    """``value`` unchanged, or a ValueError listing the valid choices."""
    if value not in choices:
        raise ValueError(
            f"{layer}: unknown `{name}` {value!r}. Expected one of {choices}."
        )
    return value


def check_seed(seed: Any, layer: str) -> Any:
    """``seed`` unchanged, or a ValueError unless it is None or an int."""
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
        raise ValueError(f"{layer}: `seed` must be an int, received {seed!r}.")
    return seed


def check_value_range(value_range: Any, layer: str) -> Any:
    """``value_range`` unchanged, or a ValueError unless it is two numbers."""
    if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
        raise ValueError(
            f"{layer}: `value_range` must be a list or tuple of two numbers "
            f"[low, high]. Received: value_range={value_range!r}."
        )
    return value_range


class BaseImagePreprocessingLayer(Layer):
    """Image layers: ``data_format``, ``factor`` parsing and dict inputs.

    Args:
        factor: for layers that take one, a number ``f`` (the range
            ``[-f, f]`` clipped to the layer's bounds) or a pair
            ``(lower, upper)``.
        data_format: ``"channels_last"`` or ``"channels_first"``; the global
            image data format by default.
    """

    _USE_BASE_FACTOR = True
    _FACTOR_BOUNDS: tuple = (-1, 1)
    _CAST_TO_COMPUTE_DTYPE = True
    _IDENTITY_AT_INFERENCE = True

    def __init__(
        self, factor: Any = None, data_format: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.data_format = config.standardize_data_format(data_format)
        if self._USE_BASE_FACTOR:
            self.factor = self._parse_factor(factor or 0.0)
        elif factor is not None:
            raise ValueError(
                f"Layer {type(self).__name__} does not take a `factor` argument. "
                f"Received: factor={factor}"
            )

    def _parse_factor(self, factor: Any) -> tuple:
        low, high = self._FACTOR_BOUNDS
        message = (
            f"{type(self).__name__}: `factor` must be a number or a pair of "
            f"numbers in the range [{low}, {high}]. Received: factor={factor!r}"
        )
        if isinstance(factor, (tuple, list)):
            if len(factor) != 2 or factor[0] > high or factor[1] < low:
                raise ValueError(message)
            lower, upper = sorted(factor)
            return lower, upper
        if isinstance(factor, bool) or not isinstance(factor, (int, float)):
            raise ValueError(message)
        if not low <= factor <= high:
            raise ValueError(message)
        factor = abs(factor)
        return max(-factor, low), factor

    def _make_generator(self, seed: Any) -> None:
        self.seed = check_seed(seed, type(self).__name__)
        self.generator = SeedGenerator(seed)

    # -- what subclasses write ----------------------------------------------
    def get_random_transformation(
        self, images: jax.Array, training: bool = True, seed: Any = None
    ) -> Any:
        """Random parameters for a ``(N, H, W, C)`` batch; None when fixed."""
        return None

    def transform_images(
        self, images: jax.Array, transformation: Any, training: bool = True
    ) -> jax.Array:
        """Apply ``transformation`` to a ``(N, H, W, C)`` float batch."""
        return images

    def transform_labels(
        self, labels: Any, transformation: Any, training: bool = True
    ) -> Any:
        """Labels are unchanged by default."""
        return labels

    def transform_segmentation_masks(
        self, masks: jax.Array, transformation: Any, training: bool = True
    ) -> jax.Array:
        """Masks are unchanged by default; geometric layers move them."""
        return masks

    # -- framework ------------------------------------------------------------
    def call(self, data: Any, training: Any = True) -> Any:
        if isinstance(training, jax.Array):
            on = self._apply(data, True)
            off = self._apply(data, False)
            return jax.tree_util.tree_map(
                lambda a, b: jnp.where(training, a, b), on, off
            )
        training = bool(training)
        eager = not state_scope.in_scope() and not any(
            isinstance(x, jax.core.Tracer) for x in jax.tree_util.tree_leaves(data)
        )
        if eager and (training or not self._IDENTITY_AT_INFERENCE):
            return self._compiled_apply(data, training)
        return self._apply(data, training)

    def _compiled_apply(self, data: Any, training: bool) -> Any:
        """An eager call as one compiled function of (seed state, data): one
        dispatch instead of dozens of small ones."""
        variables = self.variables
        cache = self.__dict__.setdefault("_compiled", {})
        if training not in cache:

            def pure(values: list, inputs: Any) -> Any:
                return state_scope.run_stateless(
                    self._apply, variables, values, inputs, training
                )

            cache[training] = jax.jit(pure)
        out, new_values = cache[training]([v.value for v in variables], data)
        for variable, value in zip(variables, new_values):
            variable.assign(value)
        return out

    def _apply(self, data: Any, training: bool) -> Any:
        if not isinstance(data, dict):
            images, restore = self._to_batch(data, "images")
            transformation = self.get_random_transformation(images, training)
            return restore(self.transform_images(images, transformation, training))
        unknown = set(data) - set(_DICT_KEYS)
        if unknown:
            raise ValueError(
                f"{type(self).__name__}: dict inputs may hold the keys "
                f"{_DICT_KEYS}; received unsupported keys {sorted(unknown)} "
                "(bounding boxes are not supported by kerax image layers)."
            )
        images, restore = self._to_batch(data["images"], "images")
        transformation = self.get_random_transformation(images, training)
        out = dict(data)
        out["images"] = restore(self.transform_images(images, transformation, training))
        if "labels" in data:
            out["labels"] = self.transform_labels(
                data["labels"], transformation, training
            )
        if "segmentation_masks" in data:
            masks, restore_masks = self._to_batch(
                data["segmentation_masks"], "segmentation_masks"
            )
            out["segmentation_masks"] = restore_masks(
                self.transform_segmentation_masks(masks, transformation, training)
            )
        return out

    def _to_batch(self, x: Any, name: str) -> tuple[jax.Array, Callable]:
        x = jnp.asarray(x)
        if x.ndim not in (3, 4):
            raise ValueError(
                f"{type(self).__name__}: expected {name} of rank 3 (one image) "
                f"or 4 (a batch of images). Received: {name}.shape={x.shape}"
            )
        unbatched = x.ndim == 3
        x = x[None] if unbatched else x
        if self.data_format == "channels_first":
            x = jnp.transpose(x, (0, 2, 3, 1))
        if self._CAST_TO_COMPUTE_DTYPE or jnp.issubdtype(x.dtype, jnp.floating):
            x = x.astype(self.compute_dtype)

        def restore(y: jax.Array) -> jax.Array:
            if self.data_format == "channels_first":
                y = jnp.transpose(y, (0, 3, 1, 2))
            return y[0] if unbatched else y

        return x, restore

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format}


def rotation_matrix(angle: jax.Array, height: int, width: int) -> jax.Array:
    """Per-image ``(N, 8)`` transforms rotating by ``angle`` degrees about the
    image centre; each maps an output pixel to the input pixel it reads."""
    radians = angle * (math.pi / 180.0)
    cos, sin = jnp.cos(radians), jnp.sin(radians)
    cx, cy = 0.5 * (width - 1), 0.5 * (height - 1)
    zeros = jnp.zeros_like(angle)
    a2 = cx - cx * cos + cy * sin
    b2 = cy - cx * sin - cy * cos
    return jnp.stack([cos, -sin, a2, sin, cos, b2, zeros, zeros], axis=1)
