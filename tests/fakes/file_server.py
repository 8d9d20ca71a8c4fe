"""A real HTTP server on 127.0.0.1 serving in-memory files, for the downloader's tests (nothing leaves the host)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest


@dataclass
class FileServer:
    """Files by URL path (``"/x.zip"``); ``hits`` counts requests per path; ``fail`` makes a path answer 503."""

    files: dict[str, bytes]
    base_url: str = ""
    hits: dict[str, int] = field(default_factory=dict)
    fail: set[str] = field(default_factory=set)
    user_agents: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base_url + path


@contextmanager
def serve_files(files: dict[str, bytes]) -> Iterator[FileServer]:
    """Start a threaded HTTP server on a free port of 127.0.0.1; stop it on exit."""
    state = FileServer(files=dict(files))

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            state.hits[path] = state.hits.get(path, 0) + 1
            state.user_agents.append(self.headers.get("User-Agent", ""))
            if path.startswith("/redirect/"):
                self.send_response(302)
                self.send_header("Location", path[len("/redirect") :])
                self.end_headers()
                return
            if path in state.fail:
                self.send_error(503, "unavailable")
                return
            body = state.files.get(path)
            if body is None:
                self.send_error(404, "not found")
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def data_mirror(files: dict[str, bytes], data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FileServer]:
    """Serve ``files`` as the biorft data mirror (``BIORFT_DATA_MIRROR``), with a fresh ``BIORFT_DATA_DIR``."""
    monkeypatch.setenv("BIORFT_DATA_DIR", str(data_dir))
    monkeypatch.delenv("BIORFT_OFFLINE", raising=False)
    with serve_files(files) as srv:
        monkeypatch.setenv("BIORFT_DATA_MIRROR", srv.base_url)
        yield srv
