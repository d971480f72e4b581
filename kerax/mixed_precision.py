"""Mixed precision (``kerax.mixed_precision``), as ``keras.mixed_precision``.

``set_global_policy("mixed_bfloat16")`` makes new layers compute in bfloat16
while keeping float32 weights; ``"mixed_float16"`` does the same in float16,
and ``compile`` then wraps the optimizer in a ``LossScaleOptimizer`` (dynamic
loss scaling) unless ``auto_scale_loss=False``.
"""

from __future__ import annotations

from typing import Any

from kerax.dtype_policies import DTypePolicy, dtype_policy, set_dtype_policy

Policy = DTypePolicy
DTypePolicy = DTypePolicy


def set_global_policy(policy: Any) -> None:
    """Set the dtype policy new layers use (a name such as ``"mixed_bfloat16"``)."""
    set_dtype_policy(policy)


def global_policy() -> DTypePolicy:
    """The dtype policy new layers use."""
    return dtype_policy()


__all__ = ["DTypePolicy", "Policy", "global_policy", "set_global_policy"]
