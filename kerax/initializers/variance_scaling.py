"""``VarianceScaling`` and its named forms: Glorot, He and LeCun."""

from __future__ import annotations

import math
from typing import Any

import jax

from kerax import random
from kerax.initializers.random_initializers import RandomInitializer, seed_key
from kerax.registry import register

# Standard deviation of a unit normal truncated to [-2, 2].
_TRUNCATED_STDDEV = 0.87962566103423978


def compute_fans(
    shape: Any,
    input_axes: Any = None,
    output_axes: Any = None,
) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight shape.

    With both ``input_axes`` and ``output_axes`` given, each fan is the product
    of those dimensions. Otherwise: a scalar has fans 1, a vector ``(n,)`` has
    ``n`` for both, a matrix ``(in, out)`` its two sizes, and a convolution
    kernel ``(*spatial, in, out)`` multiplies both by the receptive field size
    ``prod(spatial)``.
    """
    shape = tuple(int(d) for d in shape)
    if input_axes is not None and output_axes is not None:
        return math.prod(shape[a] for a in input_axes), math.prod(
            shape[a] for a in output_axes
        )
    if not shape:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field


_MODES = ("fan_in", "fan_out", "fan_avg")
_DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")


@register("keras.initializers")
class VarianceScaling(RandomInitializer):
    """Samples with variance ``scale / n``, ``n`` a fan of the weight shape.

    ``mode`` picks ``n``: ``fan_in``, ``fan_out`` or their mean (``fan_avg``).
    ``distribution`` is ``"truncated_normal"`` (``"normal"`` is an alias; the
    stddev is corrected for the truncation at two standard deviations),
    ``"untruncated_normal"`` or ``"uniform"`` (on ``[-limit, limit]`` with
    ``limit = sqrt(3 * scale / n)``).

    Args:
        scale: positive scaling factor.
        mode: ``"fan_in"``, ``"fan_out"`` or ``"fan_avg"``.
        distribution: see above.
        seed: see ``RandomInitializer``.
        input_axes: axes whose sizes multiply into fan_in (with ``output_axes``).
        output_axes: axes whose sizes multiply into fan_out (with ``input_axes``).
    """

    def __init__(
        self,
        scale: float = 1.0,
        mode: str = "fan_in",
        distribution: str = "truncated_normal",
        seed: Any = None,
        input_axes: Any = None,
        output_axes: Any = None,
    ) -> None:
        if scale <= 0.0:
            raise ValueError(
                f"VarianceScaling: `scale` must be positive, received scale={scale}."
            )
        if mode not in _MODES:
            raise ValueError(
                f"VarianceScaling: `mode` must be one of {list(_MODES)}, "
                f"received mode={mode!r}."
            )
        distribution = str(distribution).lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in _DISTRIBUTIONS:
            raise ValueError(
                "VarianceScaling: `distribution` must be one of "
                f"{list(_DISTRIBUTIONS)} (or 'normal'), "
                f"received distribution={distribution!r}."
            )
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.input_axes = input_axes
        self.output_axes = output_axes
        super().__init__(seed=seed)

    def __call__(self, shape: Any, dtype: Any = None) -> jax.Array:
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        fan = {"fan_in": fan_in, "fan_out": fan_out}.get(
            self.mode, (fan_in + fan_out) / 2.0
        )
        variance = self.scale / max(1.0, fan)
        key = seed_key(self.seed)
        if self.distribution == "truncated_normal":
            stddev = math.sqrt(variance) / _TRUNCATED_STDDEV
            return random.truncated_normal(shape, 0.0, stddev, dtype=dtype, seed=key)
        if self.distribution == "untruncated_normal":
            stddev = math.sqrt(variance)
            return random.normal(shape, 0.0, stddev, dtype=dtype, seed=key)
        limit = math.sqrt(3.0 * variance)
        return random.uniform(shape, -limit, limit, dtype=dtype, seed=key)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            "input_axes": self.input_axes,
            "output_axes": self.output_axes,
        }


class _NamedVarianceScaling(VarianceScaling):
    """A VarianceScaling whose scale, mode and distribution are fixed."""

    SCALE = 1.0
    MODE = "fan_in"
    DISTRIBUTION = "truncated_normal"

    def __init__(
        self, seed: Any = None, input_axes: Any = None, output_axes: Any = None
    ) -> None:
        super().__init__(
            scale=self.SCALE,
            mode=self.MODE,
            distribution=self.DISTRIBUTION,
            seed=seed,
            input_axes=input_axes,
            output_axes=output_axes,
        )

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        return {
            "seed": config["seed"],
            "input_axes": self.input_axes,
            "output_axes": self.output_axes,
        }


@register("keras.initializers")
class GlorotUniform(_NamedVarianceScaling):
    """Uniform on ``[-limit, limit]``, ``limit = sqrt(6 / (fan_in + fan_out))``."""

    MODE = "fan_avg"
    DISTRIBUTION = "uniform"


@register("keras.initializers")
class GlorotNormal(_NamedVarianceScaling):
    """Truncated normal with ``stddev = sqrt(2 / (fan_in + fan_out))``."""

    MODE = "fan_avg"


@register("keras.initializers")
class HeUniform(_NamedVarianceScaling):
    """Uniform on ``[-limit, limit]``, ``limit = sqrt(6 / fan_in)``."""

    SCALE = 2.0
    DISTRIBUTION = "uniform"


@register("keras.initializers")
class HeNormal(_NamedVarianceScaling):
    """Truncated normal with ``stddev = sqrt(2 / fan_in)``."""

    SCALE = 2.0


@register("keras.initializers")
class LecunUniform(_NamedVarianceScaling):
    """Uniform on ``[-limit, limit]``, ``limit = sqrt(3 / fan_in)``."""

    DISTRIBUTION = "uniform"


@register("keras.initializers")
class LecunNormal(_NamedVarianceScaling):
    """Truncated normal with ``stddev = sqrt(1 / fan_in)``."""
