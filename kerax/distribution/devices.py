"""Devices, device meshes and tensor layouts (Keras names over ``jax.sharding``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec


def list_devices(device_type: str | None = None) -> list[str]:
    """Return the global devices as ``"platform:id"`` strings.

    Args:
        device_type: ``"cpu"``, ``"gpu"`` or ``"tpu"``; by default the devices of
            JAX's default platform (GPU/TPU when present, else CPU).

    Example:
        >>> list_devices("cpu")[0]
        'cpu:0'
    """
    if device_type is not None:
        device_type = device_type.lower()
    devices = jax.devices(device_type)
    return [f"{d.platform}:{d.id}" for d in devices]


def get_device_count(device_type: str | None = None) -> int:
    """The number of global devices of ``device_type`` (default platform if None)."""
    if device_type is not None:
        device_type = device_type.lower()
    return jax.device_count(device_type)


def to_jax_device(device: Any) -> jax.Device:
    """Resolve ``"cpu:3"`` (or a ``jax.Device``) to the ``jax.Device`` object."""
    if isinstance(device, jax.Device):
        return device
    if not isinstance(device, str) or ":" not in device:
        raise ValueError(
            f"A device must be a jax.Device or a string 'platform:id' such as "
            f"'cpu:0', received {device!r}."
        )
    platform, _, index = device.partition(":")
    for candidate in jax.devices(platform.lower()):
        if str(candidate.id) == index:
            return candidate
    raise ValueError(
        f"Unknown device {device!r}. Available: {list_devices(platform.lower())}."
    )


class DeviceMesh:
    """A named grid of devices: the ``shape`` and ``axis_names`` of a mesh.

    Args:
        shape: the number of devices along each mesh axis; the product must equal
            the number of devices.
        axis_names: one name per axis, e.g. ``("batch", "model")``.
        devices: the devices to arrange (strings such as ``"cpu:0"`` or
            ``jax.Device``s); all devices by default.

    Example:
        >>> mesh = DeviceMesh((1,), ["batch"], devices=["cpu:0"])
        >>> mesh.backend_mesh.shape["batch"]
        1
    """

    def __init__(
        self,
        shape: Sequence[int],
        axis_names: Sequence[str],
        devices: Sequence[Any] | None = None,
    ) -> None:
        if not shape or not axis_names:
            raise ValueError(
                "DeviceMesh needs a non-empty shape and axis_names. Received: "
                f"shape={shape}, axis_names={axis_names}."
            )
        shape = tuple(int(s) for s in shape)
        axis_names = list(axis_names)
        if len(shape) != len(axis_names):
            raise ValueError(
                "DeviceMesh: shape and axis_names should have the same size. "
                f"Received: shape={shape}, axis_names={axis_names}."
            )
        if len(set(axis_names)) != len(axis_names):
            raise ValueError(f"DeviceMesh: axis names repeat: {axis_names}.")
        if devices is None:
            devices = list_devices()
        devices = np.asarray(list(devices), dtype=object).reshape(-1)
        if int(np.prod(shape)) != devices.size:
            raise ValueError(
                "DeviceMesh: shape does not match the number of devices. Received: "
                f"shape={shape}; number of devices={devices.size}."
            )
        self._shape = shape
        self._axis_names = axis_names
        self._devices = devices.reshape(shape)
        jax_devices = np.vectorize(to_jax_device, otypes=[object])(self._devices)
        self._backend_mesh = Mesh(jax_devices, tuple(axis_names))

    @property
    def shape(self) -> tuple[int, ...]:
        return self._shape

    @property
    def axis_names(self) -> list[str]:
        return self._axis_names

    @property
    def devices(self) -> np.ndarray:
        return self._devices

    @property
    def backend_mesh(self) -> Mesh:
        """The ``jax.sharding.Mesh`` this mesh stands for."""
        return self._backend_mesh

    def axis_size(self, name: str) -> int:
        """The number of devices along mesh axis ``name``."""
        return self._shape[self._axis_names.index(name)]

    def __repr__(self) -> str:
        return f"<DeviceMesh shape={self._shape}, axis_names={self._axis_names}>"


class TensorLayout:
    """How a tensor is split over a mesh: one mesh axis name (or None) per dim.

    Args:
        axes: per tensor dimension, the mesh axis it is sharded over, or None to
            replicate it.
        device_mesh: the mesh; may be set later (a ``LayoutMap`` sets it).
    """

    def __init__(
        self, axes: Sequence[str | None], device_mesh: DeviceMesh | None = None
    ) -> None:
        self._axes = tuple(axes)
        self._device_mesh = None
        if device_mesh is not None:
            self.device_mesh = device_mesh

    @property
    def axes(self) -> tuple[str | None, ...]:
        return self._axes

    @property
    def device_mesh(self) -> DeviceMesh | None:
        return self._device_mesh

    @device_mesh.setter
    def device_mesh(self, device_mesh: DeviceMesh) -> None:
        if self._device_mesh is not None:
            raise ValueError(
                f"TensorLayout {self._axes} already has a device mesh; create a "
                "new TensorLayout for another mesh."
            )
        valid = set(device_mesh.axis_names)
        used = {axis for axis in self._axes if axis is not None}
        if not used <= valid:
            raise ValueError(
                f"Invalid axis names for TensorLayout. Valid axis names: "
                f"{sorted(valid)}, received {sorted(used)}."
            )
        self._device_mesh = device_mesh

    @property
    def partition_spec(self) -> PartitionSpec:
        return PartitionSpec(*self._axes)

    @property
    def backend_layout(self) -> NamedSharding:
        """The ``jax.sharding.NamedSharding`` for this layout."""
        if self._device_mesh is None:
            raise ValueError(
                f"TensorLayout {self._axes} has no device mesh; pass device_mesh."
            )
        return NamedSharding(self._device_mesh.backend_mesh, self.partition_spec)

    def check_shape(self, shape: Sequence[int], what: str) -> None:
        """Raise a ValueError when this layout cannot split a tensor of ``shape``."""
        if len(self._axes) != len(shape):
            raise ValueError(
                f"{what}: layout {self._axes} has {len(self._axes)} axes but the "
                f"tensor has shape {tuple(shape)} ({len(shape)} dims)."
            )
        for dim, axis in zip(shape, self._axes):
            if axis is None or self._device_mesh is None:
                continue
            size = self._device_mesh.axis_size(axis)
            if dim % size:
                raise ValueError(
                    f"{what}: dimension of size {dim} cannot be split over mesh "
                    f"axis {axis!r} of size {size} (shape {tuple(shape)}, layout "
                    f"{self._axes})."
                )

    def __repr__(self) -> str:
        return f"<TensorLayout axes={self._axes}, device_mesh={self._device_mesh}>"
