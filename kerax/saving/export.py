"""``model.export``: an inference artifact that runs without the model's code."""

from __future__ import annotations

from typing import Any


def export_model(model: Any, filepath: Any, format: str = "jax", **kwargs: Any) -> None:  # noqa: A002
    """Export the inference function of ``model`` (not available yet)."""
    raise NotImplementedError(
        "model.export() is not implemented in kerax yet. Save the model with "
        "model.save('model.keras') and load it with kerax.models.load_model."
    )


def load_exported(filepath: Any) -> Any:
    """Load an artifact written by ``export_model`` (not available yet)."""
    raise NotImplementedError(
        "kerax.saving.load_exported() is not implemented yet: kerax cannot "
        "export models yet."
    )
