"""``InputSpec``: what a layer accepts, checked before each call."""

from __future__ import annotations

from typing import Any


class InputSpec:
    """Constraints on a layer input: rank, dtype, and sizes of given axes."""

    def __init__(
        self,
        dtype: Any = None,
        shape: Any = None,
        ndim: int | None = None,
        max_ndim: int | None = None,
        min_ndim: int | None = None,
        axes: dict[int, int] | None = None,
        allow_last_axis_squeeze: bool = False,
        name: str | None = None,
        optional: bool = False,
    ) -> None:
        self.dtype = dtype
        self.shape = tuple(shape) if shape is not None else None
        self.ndim = len(self.shape) if self.shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.axes = {int(k): v for k, v in (axes or {}).items()}
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        self.name = name
        self.optional = optional

    def __repr__(self) -> str:
        parts = [
            f"{k}={v}"
            for k, v in (
                ("dtype", self.dtype),
                ("shape", self.shape),
                ("ndim", self.ndim),
                ("max_ndim", self.max_ndim),
                ("min_ndim", self.min_ndim),
                ("axes", self.axes or None),
            )
            if v is not None
        ]
        return f"InputSpec({', '.join(parts)})"


def assert_input_compatibility(specs: Any, inputs: list[Any], layer_name: str) -> None:
    """Raise a ValueError naming the layer when an input breaks its spec."""
    if specs is None:
        return
    if not isinstance(specs, (list, tuple)):
        specs = [specs]
    if len(inputs) != len(specs):
        if len(specs) == 1 and len(inputs) > 1:
            raise ValueError(
                f'Layer "{layer_name}" expects 1 input, but it received '
                f"{len(inputs)} input tensors."
            )
        return
    for index, (x, spec) in enumerate(zip(inputs, specs)):
        if spec is None or x is None:
            continue
        shape = tuple(getattr(x, "shape", ()))
        where = f'Input {index} of layer "{layer_name}" is incompatible with the layer'
        if spec.ndim is not None and not spec.allow_last_axis_squeeze:
            if len(shape) != spec.ndim:
                raise ValueError(
                    f"{where}: expected ndim={spec.ndim}, found ndim={len(shape)}. "
                    f"Full shape received: {shape}"
                )
        if spec.max_ndim is not None and len(shape) > spec.max_ndim:
            raise ValueError(
                f"{where}: expected max_ndim={spec.max_ndim}, found "
                f"ndim={len(shape)}. Full shape received: {shape}"
            )
        if spec.min_ndim is not None and len(shape) < spec.min_ndim:
            raise ValueError(
                f"{where}: expected min_ndim={spec.min_ndim}, found "
                f"ndim={len(shape)}. Full shape received: {shape}"
            )
        for axis, value in spec.axes.items():
            if value is None:
                continue
            try:
                actual = shape[axis]
            except IndexError:
                actual = None
            if actual is not None and actual != value:
                raise ValueError(
                    f"{where}: expected axis {axis} of input shape to have value "
                    f"{value}, but received input with shape {shape}"
                )
        if spec.shape is not None:
            for expected, actual in zip(spec.shape, shape):
                if expected is not None and actual is not None and expected != actual:
                    raise ValueError(
                        f"{where}: expected shape={spec.shape}, found shape={shape}"
                    )
