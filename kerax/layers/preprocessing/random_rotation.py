"""``RandomRotation``: rotates images by a random angle while training."""

from __future__ import annotations

from typing import Any

import jax

from kerax import random
from kerax.layers.preprocessing._geometric import AffineAugmentationLayer
from kerax.layers.preprocessing._image_layer import rotation_matrix
from kerax.registry import register


@register("keras.layers")
class RandomRotation(AffineAugmentationLayer):
    """Rotates each image about its centre by a random angle while training.

    Identity at inference. The angle is drawn uniformly from
    ``[lower * 360, upper * 360]`` degrees (counter-clockwise positive).

    Args:
        factor: a fraction of a full turn ``f`` (the range ``[-f, f]``) or a
            pair ``(lower, upper)``, each in ``[-1, 1]``.
        fill_mode: how points outside the input are filled: ``"reflect"``,
            ``"wrap"``, ``"constant"`` or ``"nearest"``.
        interpolation: ``"bilinear"`` or ``"nearest"``.
        seed: int seed of the layer's random stream.
        fill_value: the value outside the image for ``fill_mode="constant"``.
        data_format: ``"channels_last"`` or ``"channels_first"``.

    Example:
        >>> layer = kerax.layers.RandomRotation(0.25, seed=1)
        >>> layer(np.ones((2, 8, 8, 3)), training=True).shape
        (2, 8, 8, 3)
    """

    def __init__(
        self,
        factor: Any,
        fill_mode: str = "reflect",
        interpolation: str = "bilinear",
        seed: int | None = None,
        fill_value: float = 0.0,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            fill_mode, interpolation, seed, fill_value, data_format, **kwargs
        )
        self.factor = self._parse_factor(factor)

    def get_random_transformation(
        self, images: jax.Array, training: bool = True, seed: Any = None
    ) -> Any:
        if not training:
            return None
        batch, height, width = images.shape[:3]
        angle = random.uniform(
            (batch,),
            minval=self.factor[0] * 360.0,
            maxval=self.factor[1] * 360.0,
            seed=seed if seed is not None else self.generator,
        )
        return {"angle": angle, "transforms": rotation_matrix(angle, height, width)}

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor}
