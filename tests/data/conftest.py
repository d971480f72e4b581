"""A local HTTP server for download tests (nothing in tests leaves 127.0.0.1)."""

from __future__ import annotations

import http.server
import threading

import pytest


class FileServer:
    """Serves ``files`` (path -> bytes) with HTTP range support.

    ``truncate[path] = n`` announces the full length but closes after ``n``
    bytes (an interrupted download, once); ``ranges = False`` ignores Range
    headers; ``requests`` records ``(path, range header)`` of every GET.
    """

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.truncate: dict[str, int] = {}
        self.ranges = True
        self.requests: list[tuple[str, str | None]] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - the http.server API
                path = self.path.lstrip("/")
                wanted = self.headers.get("Range")
                server.requests.append((path, wanted))
                if path not in server.files:
                    self.send_error(404, "Not Found")
                    return
                body = server.files[path]
                start = 0
                if wanted and server.ranges:
                    start = int(wanted.split("=")[1].split("-")[0])
                    if start >= len(body):
                        self.send_error(416, "Range Not Satisfiable")
                        return
                    self.send_response(206)
                    self.send_header(
                        "Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}"
                    )
                else:
                    self.send_response(200)
                self.send_header("Content-Length", str(len(body) - start))
                self.end_headers()
                cut = server.truncate.pop(path, None)
                self.wfile.write(body[start:cut] if cut is not None else body[start:])
                if cut is not None:
                    self.close_connection = True

        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.02,), daemon=True
        )
        self._thread.start()

    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self._httpd.server_port}/{path}"

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


@pytest.fixture
def server():
    files = FileServer()
    yield files
    files.close()


@pytest.fixture
def kerax_home(tmp_path, monkeypatch):
    """An empty cache root in ``$KERAX_HOME``."""
    home = tmp_path / "kerax_home"
    monkeypatch.setenv("KERAX_HOME", str(home))
    return home
