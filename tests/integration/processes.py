"""Run Tocsin's services as real subprocesses for integration tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def ingest_service(
    bootstrap: str, state_dir: Path, *, publish_timeout: float = 10.0, wait_ready: bool = True
) -> Iterator[str]:
    """Start ``tocsin serve ingest`` on a free port; yield its base URL; stop it with SIGTERM."""
    port = free_port()
    state_dir.mkdir(parents=True, exist_ok=True)
    log = (state_dir / "ingest.log").open("wb")
    env = os.environ | {"TOCSIN_LOG_LEVEL": "INFO"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tocsin", "serve", "ingest", "--port", str(port),
         "--bootstrap", bootstrap, "--state-dir", str(state_dir),
         "--publish-timeout", str(publish_timeout)],
        stdout=log, stderr=subprocess.STDOUT, env=env,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(url + ("/readyz" if wait_ready else "/healthz"), proc, state_dir)
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _wait(url: str, proc: subprocess.Popen[bytes], state_dir: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"service exited with {proc.returncode}:\n"
                + (state_dir / "ingest.log").read_text(errors="replace")[-3000:]
            )
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} not ready within {timeout}s")
