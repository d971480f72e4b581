"""Clear errors for Keras arguments kerax accepts by name but does not implement."""

from __future__ import annotations

from typing import Any


def reject_lora_and_quantization(
    layer: str, lora_rank: Any, lora_alpha: Any, quantization_config: Any
) -> None:
    """Raise when LoRA or quantization arguments are set (kerax keeps them apart).

    LoRA and quantized kernels are planned as separate layer classes, so the
    plain layers take these arguments only with their ``None`` defaults.
    """
    if lora_rank is not None or lora_alpha is not None:
        raise NotImplementedError(
            f"{layer}: LoRA is not supported by kerax layers yet. Received "
            f"lora_rank={lora_rank!r}, lora_alpha={lora_alpha!r}; pass "
            "lora_rank=None (the default)."
        )
    if quantization_config is not None:
        raise NotImplementedError(
            f"{layer}: quantization is not supported by kerax layers yet. "
            f"Received quantization_config={quantization_config!r}; pass None."
        )
