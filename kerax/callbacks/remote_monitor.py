"""``RemoteMonitor``: POST each epoch's logs to an HTTP server."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import warnings
from typing import Any

import numpy as np

from kerax.callbacks.callback import Callback
from kerax.registry import register


@register("keras.callbacks")
class RemoteMonitor(Callback):
    """Sends ``{"epoch": i, <log key>: value, ...}`` to ``root + path`` after each epoch.

    The payload is JSON, sent either as the request body
    (``send_as_json=True``) or as the form field ``field``. An unreachable
    server gives a warning, not an error.

    Args:
        root: the server's address, e.g. ``"http://localhost:9000"``.
        path: the path the logs are posted to.
        field: the form field holding the JSON when not ``send_as_json``.
        headers: extra HTTP headers.
        send_as_json: send the JSON as the body (``application/json``).
    """

    def __init__(
        self,
        root: str = "http://localhost:9000",
        path: str = "/publish/epoch/end/",
        field: str = "data",
        headers: dict[str, str] | None = None,
        send_as_json: bool = False,
    ) -> None:
        super().__init__()
        self.root = root
        self.path = path
        self.field = field
        self.headers = headers
        self.send_as_json = send_as_json

    def _request(self, payload: dict[str, Any]) -> urllib.request.Request:
        headers = dict(self.headers or {})
        if self.send_as_json:
            body = json.dumps(payload).encode()
            headers.setdefault("Content-Type", "application/json")
        else:
            body = urllib.parse.urlencode({self.field: json.dumps(payload)}).encode()
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        return urllib.request.Request(
            self.root + self.path, data=body, headers=headers, method="POST"
        )

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        payload: dict[str, Any] = {"epoch": epoch}
        for key, value in (logs or {}).items():
            is_array = isinstance(value, (np.ndarray, np.generic))
            payload[key] = value.item() if is_array else value
        try:
            with urllib.request.urlopen(self._request(payload), timeout=10):
                pass
        except (urllib.error.URLError, OSError):
            warnings.warn(
                f"Could not reach RemoteMonitor root server at {self.root}",
                stacklevel=2,
            )
