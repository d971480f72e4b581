"""Rewriting older model files (Keras 2 ``.keras``, legacy ``.h5``) as Keras 3 ones.

``convert`` loads a file with kerax (which reads Keras 2.13-2.15 ``.keras``
archives and Keras 2 / Keras 3 ``.h5`` files) and saves it as a current
``.keras`` archive that Keras 3 and kerax load: architecture, weights,
compile arguments and the optimizer state where it could be carried over.
"""

from __future__ import annotations

import os
from typing import Any


def convert(
    source: str | os.PathLike,
    destination: str | os.PathLike,
    custom_objects: dict[str, Any] | None = None,
    overwrite: bool = False,
) -> Any:
    """Load ``source`` and save it to ``destination`` (a ``.keras`` path).

    Args:
        source: a ``.keras`` (Keras 2.13+ or Keras 3) or ``.h5`` model file.
        destination: where to write; must end in ``.keras``.
        custom_objects: user classes and functions the file names.
        overwrite: replace an existing ``destination`` (else ``FileExistsError``).

    Returns:
        The loaded model.
    """
    from kerax.saving.saving_api import load_model, save_model

    destination = os.fspath(destination)
    if not destination.endswith(".keras"):
        raise ValueError(
            "convert: the output file name must end in .keras. "
            f"Received: destination={destination}"
        )
    if os.path.abspath(os.fspath(source)) == os.path.abspath(destination):
        raise ValueError(f"convert: source and destination are the same file: {source}")
    model = load_model(os.fspath(source), custom_objects=custom_objects)
    save_model(model, destination, overwrite=overwrite)
    return model
