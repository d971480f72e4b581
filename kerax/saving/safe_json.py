"""JSON from an untrusted file: strict UTF-8, bounded size and nesting depth."""

from __future__ import annotations

import json
from typing import Any

MAX_JSON_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 128


def _depth(value: Any) -> int:
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            deepest = max(deepest, depth)
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            deepest = max(deepest, depth)
            stack.extend((v, depth + 1) for v in item)
    return deepest


def loads(data: bytes | str, what: str) -> Any:
    """Parse ``data`` (the file ``what``), or raise a ``ValueError`` saying why not."""
    if isinstance(data, str):
        try:
            data = data.encode("utf-8")
        except UnicodeEncodeError as error:  # h5py keeps bad bytes as surrogates
            raise ValueError(f"{what} is not valid UTF-8 text: {error}.") from error
    if len(data) > MAX_JSON_BYTES:
        raise ValueError(
            f"{what} is {len(data)} bytes long; refusing JSON larger than "
            f"{MAX_JSON_BYTES} bytes."
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"{what} is not valid UTF-8 text: {error}.") from error
    try:
        value = json.loads(text)
    except RecursionError as error:
        raise ValueError(
            f"{what} is nested too deeply (more than {MAX_DEPTH} levels)."
        ) from error
    except json.JSONDecodeError as error:
        raise ValueError(f"{what} is not valid JSON: {error}.") from error
    if _depth(value) > MAX_DEPTH:
        raise ValueError(f"{what} is nested too deeply (more than {MAX_DEPTH} levels).")
    return value
