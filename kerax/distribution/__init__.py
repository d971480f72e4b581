"""kerax.distribution: Keras's distribution API on ``jax.sharding``.

Data parallel, model parallel (``LayoutMap``), fully sharded data parallel
(``FSDP``) and multi-process runs (``initialize``).
"""

from kerax.distribution.auto_layout import auto_layout_map
from kerax.distribution.devices import (
    DeviceMesh,
    TensorLayout,
    get_device_count,
    list_devices,
)
from kerax.distribution.distributions import (
    FSDP,
    DataParallel,
    Distribution,
    ModelParallel,
    distribute_tensor,
    distribution,
    set_distribution,
)
from kerax.distribution.layout_map import LayoutMap
from kerax.distribution.multi_process import initialize
from kerax.distribution.reporting import layout_report as report

__all__ = [
    "FSDP",
    "DataParallel",
    "DeviceMesh",
    "Distribution",
    "LayoutMap",
    "ModelParallel",
    "TensorLayout",
    "auto_layout_map",
    "distribute_tensor",
    "distribution",
    "get_device_count",
    "initialize",
    "list_devices",
    "report",
    "set_distribution",
]
