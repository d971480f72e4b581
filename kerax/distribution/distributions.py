"""Distributions: where variables and batches live on a device mesh."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

import jax
import numpy as np
from jax.experimental import multihost_utils
from jax.sharding import NamedSharding, PartitionSpec

from kerax.distribution.devices import DeviceMesh, TensorLayout, list_devices
from kerax.distribution.layout_map import LayoutMap

_active: list[Distribution | None] = [None]


def _identity(array: jax.Array) -> jax.Array:
    return array


class Distribution:
    """Base class: a device mesh, the name of its data axis and a variable layout.

    Subclasses decide ``get_variable_layout``. The trainer uses
    ``distribute_variables`` and ``distribute_batch``; the compiled step keeps
    the shardings and XLA inserts the collectives.
    """

    def __init__(
        self,
        device_mesh: DeviceMesh,
        batch_dim_name: str | None = None,
        auto_shard_dataset: bool = True,
    ) -> None:
        if not isinstance(device_mesh, DeviceMesh):
            raise TypeError(
                f"{type(self).__name__}: device_mesh must be a DeviceMesh, "
                f"received {type(device_mesh).__name__}."
            )
        batch_dim_name = batch_dim_name or device_mesh.axis_names[0]
        if batch_dim_name not in device_mesh.axis_names:
            raise ValueError(
                f"{type(self).__name__}: batch_dim_name {batch_dim_name!r} is not an "
                f"axis of the mesh {device_mesh.axis_names}."
            )
        self._device_mesh = device_mesh
        self._batch_dim_name = batch_dim_name
        self.auto_shard_dataset = auto_shard_dataset

    @property
    def device_mesh(self) -> DeviceMesh:
        return self._device_mesh

    @property
    def batch_dim_name(self) -> str:
        return self._batch_dim_name

    @property
    def num_processes(self) -> int:
        return jax.process_count()

    @property
    def process_id(self) -> int:
        return jax.process_index()

    # -- layouts ------------------------------------------------------------
    def get_data_layout(self, data_shape: Sequence[int]) -> TensorLayout:
        """The layout of a batch: first axis over the data axis, rest replicated."""
        axes = [self._batch_dim_name] + [None] * (len(data_shape) - 1)
        return TensorLayout(axes, self._device_mesh)

    def get_variable_layout(self, variable: Any) -> TensorLayout:
        """The layout of ``variable`` (by path and shape)."""
        raise NotImplementedError

    def get_tensor_layout(self, path: str) -> TensorLayout | None:
        """The layout of an intermediate tensor at ``path``; None leaves it to XLA."""
        return None

    def batch_sharding(self, ndim: int) -> NamedSharding:
        """The ``NamedSharding`` of an ``ndim``-dimensional batch array."""
        spec = PartitionSpec(self._batch_dim_name) if ndim else PartitionSpec()
        return NamedSharding(self._device_mesh.backend_mesh, spec)

    # -- placement ----------------------------------------------------------
    def replicate(self, tree: Any) -> Any:
        """Copy every array of ``tree`` to all devices of the mesh."""
        sharding = NamedSharding(self._device_mesh.backend_mesh, PartitionSpec())
        return jax.tree_util.tree_map(lambda a: jax.device_put(a, sharding), tree)

    def distribute_variables(self, variables: Sequence[Any]) -> None:
        """Place each Variable's value on the mesh per its layout (in place)."""
        for variable in variables:
            layout = self.get_variable_layout(variable)
            layout.check_shape(variable.shape, f"Variable {variable.path!r}")
            variable._value = jax.device_put(variable._value, layout.backend_layout)

    def distribute_batch(self, batch: Any) -> Any:
        """Shard every array of the pytree ``batch`` along its first axis.

        In a multi-process run each process passes its own part of the global
        batch; the result is the global array.
        """
        size = self._device_mesh.axis_size(self._batch_dim_name)
        local = size // self.num_processes if self.num_processes > 1 else size

        def place(array: Any) -> jax.Array:
            ndim = np.ndim(array)
            sharding = self.batch_sharding(ndim)
            if ndim and np.shape(array)[0] % max(local, 1):
                where = f"the {size} devices"
                if self.num_processes > 1:
                    where = f"this process's {local} devices (of {size})"
                raise ValueError(
                    f"{type(self).__name__}: a batch of {np.shape(array)[0]} samples "
                    f"cannot be split over {where} of mesh axis "
                    f"{self._batch_dim_name!r}; use a batch size divisible by {local}."
                )
            if self.num_processes > 1:
                return jax.make_array_from_process_local_data(sharding, array)
            return jax.device_put(array, sharding)

        return jax.tree_util.tree_map(place, batch)

    def process_local(self, tree: Any) -> Any:
        """This process's part of every global array of ``tree``: the inverse of
        ``distribute_batch`` for batch outputs, the value itself for replicated
        ones. The identity in a single-process run.
        """
        if self.num_processes == 1:
            return tree
        mesh = self._device_mesh.backend_mesh

        def local(array: Any) -> Any:
            if not isinstance(array, jax.Array) or array.is_fully_addressable:
                return array
            if array.is_fully_replicated:
                return array.addressable_data(0)
            sharding = self.batch_sharding(array.ndim)
            if not array.sharding.is_equivalent_to(sharding, array.ndim):
                array = jax.jit(_identity, out_shardings=sharding)(array)
            return multihost_utils.global_array_to_host_local_array(
                array, mesh, sharding.spec
            )

        return jax.tree_util.tree_map(local, tree)

    @contextlib.contextmanager
    def scope(self) -> Iterator[Distribution]:
        """Make this distribution the active one inside a ``with`` block."""
        previous = _active[0]
        set_distribution(self)
        try:
            yield self
        finally:
            _active[0] = previous

    def report(self, model: Any) -> str:
        """A text table: each variable's path, shape and PartitionSpec."""
        from kerax.distribution.reporting import layout_report

        return layout_report(model, self)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} device_mesh={self._device_mesh}>"


def _data_mesh(
    owner: str, device_mesh: DeviceMesh | None, devices: Sequence[Any] | None
) -> DeviceMesh:
    if device_mesh is not None and devices is not None:
        raise ValueError(f"{owner}: pass device_mesh or devices, not both.")
    if device_mesh is not None:
        return device_mesh
    devices = list(devices) if devices is not None else list_devices()
    return DeviceMesh((len(devices),), ["batch"], devices)


def _replicated(variable: Any, mesh: DeviceMesh) -> TensorLayout:
    return TensorLayout([None] * len(variable.shape), mesh)


class DataParallel(Distribution):
    """Replicate variables on every device; split each batch across them.

    Args:
        device_mesh: a mesh whose first axis is the data axis; or
        devices: the devices to use (all by default), as a 1-D mesh ``"batch"``.
        auto_shard_dataset: kept for Keras compatibility (datasets are fed
            per process by kerax's data adapters).
    """

    def __init__(
        self,
        device_mesh: DeviceMesh | None = None,
        devices: Sequence[Any] | None = None,
        auto_shard_dataset: bool = True,
    ) -> None:
        mesh = _data_mesh("DataParallel", device_mesh, devices)
        super().__init__(mesh, mesh.axis_names[0], auto_shard_dataset)

    def get_variable_layout(self, variable: Any) -> TensorLayout:
        return _replicated(variable, self.device_mesh)


class ModelParallel(Distribution):
    """Lay out variables per a ``LayoutMap``; split batches over ``batch_dim_name``.

    Variables whose path matches no key are replicated. An optimizer slot
    (a Variable with ``_reference_variable`` set) takes its variable's layout,
    as in Keras.

    Args:
        layout_map: the path-regex to layout map (its mesh is the mesh used).
        batch_dim_name: the mesh axis for the batch; the first axis by default.
        auto_shard_dataset: kept for Keras compatibility.
        device_mesh: optional; must be the layout map's mesh.
    """

    def __init__(
        self,
        *,
        layout_map: LayoutMap | None = None,
        batch_dim_name: str | None = None,
        auto_shard_dataset: bool = True,
        device_mesh: DeviceMesh | None = None,
    ) -> None:
        if layout_map is None:
            raise ValueError("ModelParallel: you must pass a layout_map argument.")
        if not isinstance(layout_map, LayoutMap):
            raise TypeError(
                "ModelParallel: layout_map must be a LayoutMap, received "
                f"{type(layout_map).__name__}."
            )
        if device_mesh is not None and device_mesh is not layout_map.device_mesh:
            raise ValueError(
                "ModelParallel: device_mesh must be the LayoutMap's device mesh."
            )
        super().__init__(layout_map.device_mesh, batch_dim_name, auto_shard_dataset)
        self._layout_map = layout_map

    @property
    def layout_map(self) -> LayoutMap:
        return self._layout_map

    def get_variable_layout(self, variable: Any) -> TensorLayout:
        reference = getattr(variable, "_reference_variable", None)
        if reference is not None:  # an optimizer slot: laid out like its variable
            return self.get_variable_layout(reference)
        layout = self._layout_map[variable.path]
        return layout if layout is not None else _replicated(variable, self.device_mesh)

    def get_tensor_layout(self, path: str) -> TensorLayout | None:
        return self._layout_map[path]


class FSDP(Distribution):
    """Fully sharded data parallel (beyond Keras): shard every variable over the
    data axis on its largest dimension divisible by the axis size.

    Variables with no such dimension (scalars, small biases) are replicated.
    Optimizer slots have their variables' shapes, so they shard the same way.

    Args:
        device_mesh: a mesh whose first axis is the data axis; or
        devices: the devices to use (all by default), as a 1-D mesh ``"batch"``.
    """

    def __init__(
        self,
        device_mesh: DeviceMesh | None = None,
        devices: Sequence[Any] | None = None,
    ) -> None:
        mesh = _data_mesh("FSDP", device_mesh, devices)
        super().__init__(mesh, mesh.axis_names[0])

    def get_variable_layout(self, variable: Any) -> TensorLayout:
        size = self.device_mesh.axis_size(self.batch_dim_name)
        shape = tuple(variable.shape)
        divisible = [i for i, dim in enumerate(shape) if dim % size == 0 and dim]
        axes: list[str | None] = [None] * len(shape)
        if divisible and size > 1:
            axes[max(divisible, key=lambda i: shape[i])] = self.batch_dim_name
        return TensorLayout(axes, self.device_mesh)


def set_distribution(value: Distribution | None) -> None:
    """Make ``value`` the active distribution (None: single device)."""
    if value is not None and not isinstance(value, Distribution):
        raise TypeError(
            "set_distribution expects a Distribution or None, received "
            f"{type(value).__name__}."
        )
    _active[0] = value


def distribution() -> Distribution | None:
    """The active distribution, or None."""
    return _active[0]


def distribute_tensor(tensor: Any, layout: TensorLayout | NamedSharding) -> Any:
    """Place ``tensor`` per ``layout``; inside a trace, constrain its sharding."""
    sharding = layout.backend_layout if isinstance(layout, TensorLayout) else layout
    if isinstance(tensor, jax.core.Tracer):
        return jax.lax.with_sharding_constraint(tensor, sharding)
    return jax.device_put(tensor, sharding)
