"""deploy/docker/healthcheck.py, the image's HEALTHCHECK, against real local HTTP servers."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.deploy.conftest import DEPLOY

SCRIPT = DEPLOY / "docker" / "healthcheck.py"


def _unused_port() -> int:
    """A port that nothing listens on right now (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def _server(status: int) -> Iterator[int]:
    """An HTTP server on 127.0.0.1 answering every GET /healthz with ``status``; yields its port."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(status if self.path == "/healthz" else 404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _check(
    ingest_port: int, aggregator_port: int, ops_port: int | None = None
) -> subprocess.CompletedProcess[str]:
    env = {"TOCSIN_INGEST_PORT": str(ingest_port), "TOCSIN_AGGREGATOR_PORT": str(aggregator_port)}
    if ops_port is not None:
        env["TOCSIN_INGEST_OPS_PORT"] = str(ops_port)
    return subprocess.run(
        [sys.executable, str(SCRIPT)],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_healthy_ingest() -> None:
    """A 200 from /healthz on the ingest port is healthy."""
    with _server(200) as port:
        result = _check(port, _unused_port())
    assert result.returncode == 0, result.stderr


def test_healthy_aggregator_when_ingest_port_is_closed() -> None:
    """In the aggregator's container the ingest port refuses, and the aggregator port decides."""
    with _server(200) as port:
        result = _check(_unused_port(), port)
    assert result.returncode == 0, result.stderr


def test_failed_service_is_unhealthy() -> None:
    """A 503 from /healthz (the aggregator's failed consumer loop) is unhealthy."""
    with _server(503) as port:
        result = _check(_unused_port(), port)
    assert result.returncode == 1
    assert "answered 503" in result.stderr


def test_nothing_listening_is_unhealthy() -> None:
    """With neither port open, the check fails and says which ports it tried."""
    ingest, aggregator = _unused_port(), _unused_port()
    result = _check(ingest, aggregator)
    assert result.returncode == 1
    assert f"port {ingest} or {aggregator}" in result.stderr


def test_ingest_with_an_ops_port_is_asked_there() -> None:
    """With TOCSIN_INGEST_OPS_PORT set, /healthz is asked on that port, not the main one."""
    with _server(404) as main_port, _server(200) as ops_port:
        healthy = _check(main_port, _unused_port(), ops_port=ops_port)
        assert healthy.returncode == 0, healthy.stderr
        # Without the variable, the main port's 404 decides: unhealthy.
        assert _check(main_port, _unused_port()).returncode == 1
