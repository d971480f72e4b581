"""RemoteMonitor posts each epoch's logs to an HTTP server."""

from __future__ import annotations

import json
import socket
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

import numpy as np
import pytest
from callback_fakes import FakeModel, fake_fit

from kerax import callbacks


@pytest.fixture
def server():
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.path, self.headers["Content-Type"], body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", received
    httpd.shutdown()
    httpd.server_close()


LOGS = [{"loss": 0.5, "acc": np.float32(0.25)}, {"loss": 0.25, "acc": 0.5}]


def test_posts_form_field(server):
    root, received = server
    monitor = callbacks.RemoteMonitor(root=root, path="/epoch/", field="payload")
    fake_fit(FakeModel(), [monitor], LOGS, steps=1)
    assert [r[0] for r in received] == ["/epoch/", "/epoch/"]
    form = urllib.parse.parse_qs(received[0][2].decode())
    assert json.loads(form["payload"][0]) == {"epoch": 0, "acc": 0.25, "loss": 0.5}


def test_posts_json_with_headers(server):
    root, received = server
    monitor = callbacks.RemoteMonitor(root=root, send_as_json=True)
    fake_fit(FakeModel(), [monitor], LOGS, steps=1)
    path, content_type, body = received[1]
    assert path == "/publish/epoch/end/" and content_type == "application/json"
    assert json.loads(body) == {"epoch": 1, "acc": 0.5, "loss": 0.25}


def test_unreachable_server_warns():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monitor = callbacks.RemoteMonitor(root=f"http://127.0.0.1:{port}")
    with pytest.warns(UserWarning, match="Could not reach RemoteMonitor"):
        fake_fit(FakeModel(), [monitor], LOGS[:1], steps=1)
