"""Layer asset files (such as ``vocabulary.txt``) in a ``.keras`` archive.

As in Keras, each object's ``save_assets``/``load_assets`` gets a folder:
``assets/<path>/`` of the archive, ``<path>`` being the object's path in the
weights file (``assets/layers/string_lookup/vocabulary.txt``; the model
itself gets ``assets/``). Saving gives every object a folder in a private
temp dir and collects the files written there. Loading writes the archive's
asset files (already size-checked by ``archive.read_archive``) into a private
temp dir after checking that each path stays inside it and each file is
UTF-8 text, then hands every object its folder, or None if it has none.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any

from kerax.saving.archive import ASSETS


class _TempFolder:
    """A private temp folder, removed on ``close`` (or leaving a ``with``)."""

    def __init__(self) -> None:
        self.root = tempfile.mkdtemp(prefix="kerax-assets-")

    def _folder(self, path: str) -> str:
        return os.path.join(self.root, *path.split("/")) if path else self.root

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()


class AssetsWriter(_TempFolder):
    """Folders for ``save_assets`` and the archive entries they end up as."""

    def make(self, path: str) -> str:
        """The (new, empty) folder for the object at ``path``."""
        folder = self._folder(path)
        os.makedirs(folder, exist_ok=True)
        return folder

    def entries(self) -> dict[str, bytes]:
        """``assets/<path>/<file>`` -> bytes for every regular file written."""
        found: dict[str, bytes] = {}
        for folder, subfolders, files in os.walk(self.root):
            subfolders.sort()
            for file in sorted(files):
                full = os.path.join(folder, file)
                if os.path.islink(full) or not os.path.isfile(full):
                    continue
                relative = os.path.relpath(full, self.root).replace(os.sep, "/")
                with open(full, "rb") as stream:
                    found[ASSETS + relative] = stream.read()
        return found


class AssetsReader(_TempFolder):
    """The asset files of an untrusted archive, laid out for ``load_assets``."""

    def __init__(self, entries: dict[str, bytes], source: str) -> None:
        super().__init__()
        try:
            for name, data in entries.items():
                if name.startswith(ASSETS):
                    self._extract(name, data, source)
        except BaseException:
            self.close()
            raise

    def _extract(self, name: str, data: bytes, source: str) -> None:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ValueError(
                f"Refusing the asset {name!r} of {source}: asset files must be "
                f"UTF-8 text ({error})."
            ) from error
        root = os.path.realpath(self.root)
        target = os.path.realpath(self._folder(name[len(ASSETS) :]))
        if not target.startswith(root + os.sep):
            raise ValueError(
                f"Refusing the asset {name!r} of {source}: its path leaves the "
                "assets folder."
            )
        try:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "xb") as stream:
                stream.write(data)
        except OSError as error:  # a file where a folder must be, or the reverse
            raise ValueError(
                f"Refusing the asset {name!r} of {source}: it clashes with another "
                f"asset path ({error})."
            ) from error

    def get(self, path: str) -> str | None:
        """The folder of the object at ``path``, or None if the archive has none."""
        folder = self._folder(path)
        return folder if os.path.isdir(folder) else None
