"""``Discretization``: buckets continuous values by boundaries."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from kerax.backend.keras_tensor import KerasTensor
from kerax.layers.layer import Layer
from kerax.layers.preprocessing import _quantiles
from kerax.layers.preprocessing._adapt_data import is_array, iterate_batches
from kerax.layers.preprocessing._encoding import (
    OUTPUT_MODES,
    check_output_mode,
    encode,
    encoded_shape,
)
from kerax.registry import register


@register("keras.layers")
class Discretization(Layer):
    """Maps each value to the index of its bin: ``i`` when
    ``bin_boundaries[i - 1] <= x < bin_boundaries[i]``.

    Give the boundaries, or ``num_bins`` and learn quantile boundaries with
    ``adapt`` (approximate, with error about ``epsilon``).

    Args:
        bin_boundaries: sorted boundaries (``n`` of them make ``n + 1``
            bins).
        num_bins: the number of bins to learn with ``adapt``.
        epsilon: the quantile approximation error of ``adapt``.
        output_mode: ``"int"``, ``"one_hot"``, ``"multi_hot"`` or
            ``"count"``.
        sparse: not supported on JAX (must be False).

    Example:
        >>> layer = kerax.layers.Discretization(bin_boundaries=[0.0, 1.0])
        >>> layer(np.array([-0.5, 0.5, 1.5]))
        Array([0, 1, 2], dtype=int32)
    """

    def __init__(
        self,
        bin_boundaries: Any = None,
        num_bins: int | None = None,
        epsilon: float = 0.01,
        output_mode: str = "int",
        sparse: bool = False,
        dtype: Any = None,
        name: str | None = None,
    ) -> None:
        layer = type(self).__name__
        output_mode = check_output_mode(output_mode, layer, OUTPUT_MODES)
        if sparse:
            raise ValueError(f"{layer}: `sparse=True` is not supported on JAX.")
        if num_bins is not None and num_bins < 0:
            raise ValueError(
                f"{layer}: `num_bins` must be >= 0. Received: num_bins={num_bins}"
            )
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError(
                f"{layer}: set only one of `num_bins` and `bin_boundaries`. "
                f"Received: num_bins={num_bins} and bin_boundaries={bin_boundaries}"
            )
        if num_bins is None and bin_boundaries is None:
            raise ValueError(f"{layer}: set either `num_bins` or `bin_boundaries`.")
        super().__init__(name=name, dtype=dtype)
        self.bin_boundaries = (
            None if bin_boundaries is None else [float(b) for b in bin_boundaries]
        )
        self.num_bins = num_bins
        self.epsilon = epsilon
        self.output_mode = output_mode
        self.sparse = sparse
        self.summary = _quantiles.empty_summary()

    @property
    def output_dtype(self) -> str:
        return "int32" if self.output_mode == "int" else self.compute_dtype

    def adapt(self, data: Any, steps: int | None = None) -> None:
        """Learn ``num_bins`` quantile bins from an array or an iterable of
        batches."""
        if self.num_bins is None:
            raise ValueError(
                "Discretization: cannot adapt a layer created with "
                "`bin_boundaries`; create it with `num_bins` instead."
            )
        self.reset_state()
        batches = (
            [data] if is_array(data) else iterate_batches(data, steps, "Discretization")
        )
        for batch in batches:
            self.update_state(batch)
        self.finalize_state()

    def update_state(self, data: Any) -> None:
        """Add a batch to the quantile summary."""
        values = np.asarray(data, "float32")
        self.summary = _quantiles.merge(
            _quantiles.summarize(values, self.epsilon), self.summary, self.epsilon
        )

    def finalize_state(self) -> None:
        """Set ``bin_boundaries`` from the summary."""
        if self.num_bins is not None:
            boundaries = _quantiles.bin_boundaries(self.summary, self.num_bins)
            self.bin_boundaries = boundaries.tolist()

    def reset_state(self) -> None:
        """Forget the data seen by ``adapt``."""
        if self.num_bins is not None:
            self.summary = _quantiles.empty_summary()

    def call(self, inputs: jax.Array) -> jax.Array:
        if self.bin_boundaries is None:
            raise ValueError(
                "Discretization: pass `bin_boundaries` or call `adapt(data)` "
                "before using the layer."
            )
        boundaries = jnp.asarray(self.bin_boundaries, "float32")
        indices = jnp.digitize(jnp.asarray(inputs), boundaries).astype("int32")
        depth = len(self.bin_boundaries) + 1
        return encode(indices, self.output_mode, depth, self.output_dtype)

    def compute_output_spec(self, inputs: Any) -> Any:
        depth = (
            len(self.bin_boundaries) + 1
            if self.bin_boundaries is not None
            else self.num_bins
        )
        shape = encoded_shape(inputs.shape, self.output_mode, depth)
        return KerasTensor(shape, self.output_dtype)

    def load_own_variables(self, store: Any) -> None:
        """Restore a quantile summary saved by Keras (under ``"0"``)."""
        if len(store) == 1:
            self.summary = np.asarray(store["0"])

    def get_config(self) -> dict[str, Any]:
        return {
            "bin_boundaries": self.bin_boundaries,
            "num_bins": self.num_bins,
            "epsilon": self.epsilon,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
            "name": self.name,
            "dtype": self.dtype,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Discretization:
        config = dict(config)
        boundaries = config.get("bin_boundaries")
        if boundaries is not None and config.get("num_bins") is not None:
            config.pop("bin_boundaries")
            layer = cls(**config)
            layer.bin_boundaries = list(boundaries)
            return layer
        return cls(**config)
