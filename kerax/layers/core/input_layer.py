"""``Input`` and ``InputLayer``: where a Functional graph starts."""

from __future__ import annotations

from typing import Any

from kerax.backend.dtypes import standardize_dtype
from kerax.backend.keras_tensor import KerasTensor
from kerax.layers.layer import Layer
from kerax.layers.node import Node
from kerax.registry import register


@register("keras.layers")
class InputLayer(Layer):
    """Holds the symbolic input of a model (created by ``Input``)."""

    def __init__(
        self,
        shape: Any = None,
        batch_size: int | None = None,
        dtype: Any = None,
        sparse: bool | None = None,
        batch_shape: Any = None,
        input_tensor: Any = None,
        optional: bool = False,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.pop("ragged", None)
        if "input_shape" in kwargs and shape is None:
            shape = kwargs.pop("input_shape")
        if "batch_input_shape" in kwargs and batch_shape is None:
            batch_shape = kwargs.pop("batch_input_shape")
        super().__init__(name=name, **kwargs)
        if shape is not None and batch_shape is not None:
            raise ValueError("Pass `shape` or `batch_shape` to InputLayer, not both.")
        if input_tensor is not None:
            batch_shape = input_tensor.shape
        if shape is not None:
            if isinstance(shape, int):
                shape = (shape,)
            try:
                batch_shape = (batch_size, *tuple(shape))
            except TypeError as error:
                raise ValueError(
                    f"Input shape must be a tuple of ints or None, received {shape!r}."
                ) from error
        if batch_shape is None:
            raise ValueError("InputLayer needs `shape` or `batch_shape`.")
        for dim in batch_shape:
            if dim is not None and (not isinstance(dim, int) or dim < 0):
                raise ValueError(
                    f"Input shape sizes must be non-negative ints or None, received "
                    f"{tuple(batch_shape)}."
                )
        self._batch_shape = tuple(batch_shape)
        self._input_dtype = standardize_dtype(dtype)
        self.sparse = bool(sparse)
        self.optional = optional
        self.built = True
        tensor = KerasTensor(self._batch_shape, self._input_dtype, name=self.name)
        Node(self, (), {}, tensor)
        self.output_tensor = tensor

    @property
    def batch_shape(self) -> tuple:
        return self._batch_shape

    @property
    def dtype(self) -> str:  # type: ignore[override]
        return self._input_dtype

    def call(self, inputs: Any = None) -> Any:
        return inputs

    def get_config(self) -> dict[str, Any]:
        return {
            "batch_shape": list(self._batch_shape),
            "dtype": self._input_dtype,
            "sparse": self.sparse,
            "optional": self.optional,
            "name": self.name,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> InputLayer:
        config = dict(config)
        if "batch_input_shape" in config:
            config["batch_shape"] = config.pop("batch_input_shape")
        config.pop("ragged", None)
        return cls(**config)


@register("keras.layers")
def Input(  # noqa: N802 - Keras's name
    shape: Any = None,
    batch_size: int | None = None,
    dtype: Any = None,
    sparse: bool | None = None,
    batch_shape: Any = None,
    name: str | None = None,
    tensor: Any = None,
    optional: bool = False,
) -> KerasTensor:
    """A symbolic input of the given shape (batch size excluded)."""
    layer = InputLayer(
        shape=shape,
        batch_size=batch_size,
        dtype=dtype,
        sparse=sparse,
        batch_shape=batch_shape,
        name=name,
        input_tensor=tensor,
        optional=optional,
    )
    return layer.output_tensor
