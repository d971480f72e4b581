"""``LayoutMap``: variable-path regexes to tensor layouts, as Keras's."""

from __future__ import annotations

import collections.abc
import re
from collections.abc import Iterator
from typing import Any

from kerax.distribution.devices import DeviceMesh, TensorLayout


class LayoutMap(collections.abc.MutableMapping):
    """A dict from variable-path patterns to ``TensorLayout``s.

    Keys are regular expressions that must match a variable's whole ``path``
    (``re.fullmatch``, as Keras 3 does): ``"mlp/dense/kernel"`` or
    ``".*dense.*kernel"``. A key equal to the path wins; otherwise at most one
    key may match (several matches are an error, as in Keras). Values may be ``TensorLayout``s or tuples of mesh
    axis names, which become layouts on ``device_mesh``.

    Args:
        device_mesh: the mesh every layout in the map lives on.

    Example:
        >>> mesh = DeviceMesh((1, 1), ["batch", "model"], devices=["cpu:0"])
        >>> layout_map = LayoutMap(mesh)
        >>> layout_map[".*dense.*kernel"] = (None, "model")
        >>> layout_map["seq/dense/kernel"].axes
        (None, 'model')
    """

    def __init__(self, device_mesh: DeviceMesh) -> None:
        if not isinstance(device_mesh, DeviceMesh):
            raise TypeError(
                f"LayoutMap needs a DeviceMesh, received {type(device_mesh).__name__}."
            )
        self._device_mesh = device_mesh
        self._layout_map: dict[str, TensorLayout] = {}

    @property
    def device_mesh(self) -> DeviceMesh:
        return self._device_mesh

    def matching_keys(self, path: str) -> list[str]:
        """The keys that select ``path``: the exact key alone, else regex matches."""
        if path in self._layout_map:
            return [path]
        return [key for key in self._layout_map if re.fullmatch(key, path)]

    def __getitem__(self, path: str) -> TensorLayout | None:
        """The layout for ``path``, or None when no key matches it."""
        keys = self.matching_keys(path)
        if len(keys) > 1:
            raise ValueError(
                f"Path {path!r} matches several LayoutMap keys: {keys}. Make each "
                "variable path match at most one key."
            )
        return self._layout_map[keys[0]] if keys else None

    def __setitem__(self, key: str, layout: Any) -> None:
        if key in self._layout_map:
            raise ValueError(
                f"LayoutMap already has key {key!r} (layout "
                f"{self._layout_map[key].axes}); pop it first to replace it."
            )
        if isinstance(layout, (tuple, list)):
            layout = TensorLayout(layout)
        if not isinstance(layout, TensorLayout):
            raise ValueError(
                f"LayoutMap[{key!r}] must be a TensorLayout or a tuple of mesh axis "
                f"names, received {type(layout).__name__}: {layout!r}."
            )
        try:
            re.compile(key)
        except re.error as error:
            raise ValueError(
                f"LayoutMap key {key!r} is not a valid regex: {error}"
            ) from None
        if layout.device_mesh is None:
            layout.device_mesh = self._device_mesh
        elif layout.device_mesh is not self._device_mesh:
            raise ValueError(
                f"LayoutMap[{key!r}]: the layout's device mesh differs from the "
                "LayoutMap's."
            )
        self._layout_map[key] = layout

    def __delitem__(self, key: str) -> None:
        del self._layout_map[key]

    def __len__(self) -> int:
        return len(self._layout_map)

    def __iter__(self) -> Iterator[str]:
        return iter(self._layout_map)

    def __repr__(self) -> str:
        items = {key: layout.axes for key, layout in self._layout_map.items()}
        return f"<LayoutMap {items} on {self._device_mesh}>"
