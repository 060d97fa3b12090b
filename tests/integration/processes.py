"""Run Tocsin's services as real subprocesses for integration tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson


def stop(proc: subprocess.Popen[bytes], timeout: float = 30) -> int:
    """SIGTERM ``proc`` (when still running), wait, SIGKILL after ``timeout``; its exit code."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()


def get_json(url: str) -> Any:
    """GET ``url`` and return its JSON body, failing on an error status."""
    response = httpx.get(url, timeout=10)
    response.raise_for_status()
    return response.json()


def post_article(ingest: str, article: dict[str, Any]) -> None:
    """POST one article to an ingest service and require a 202."""
    response = httpx.post(f"{ingest}/v1/articles", content=orjson.dumps(article), timeout=30,
                          headers={"content-type": "application/json"})  # fmt: skip
    assert response.status_code == 202, response.text


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def ingest_service(
    bootstrap: str,
    state_dir: Path,
    *,
    publish_timeout: float = 10.0,
    wait_ready: bool = True,
    extra_args: Sequence[str] = (),
    probe_url: str | None = None,
    env: dict[str, str] | None = None,
) -> Iterator[str]:
    """Start ``tocsin serve ingest`` on a free port; yield its base URL; stop it with SIGTERM.

    ``extra_args`` go on its command line; ``probe_url`` is the base URL whose health
    is awaited when it is not the service's own (a separate ops listener); ``env`` adds
    environment variables (TOCSIN_KAFKA_* security settings, say).
    """
    port = free_port()
    state_dir.mkdir(parents=True, exist_ok=True)
    log = (state_dir / "ingest.log").open("wb")
    env = os.environ | {"TOCSIN_LOG_LEVEL": "INFO"} | (env or {})
    proc = subprocess.Popen(
        [sys.executable, "-m", "tocsin", "serve", "ingest", "--port", str(port),
         "--bootstrap", bootstrap, "--state-dir", str(state_dir),
         "--publish-timeout", str(publish_timeout), *extra_args],
        stdout=log, stderr=subprocess.STDOUT, env=env,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        probe = (probe_url or url) + ("/readyz" if wait_ready else "/healthz")
        wait_answering(probe, proc, state_dir / "ingest.log")
        yield url
    finally:
        stop(proc)
        log.close()


def wait_answering(
    url: str,
    proc: subprocess.Popen[bytes],
    log: Path,
    timeout: float = 60,
    interval: float = 0.2,
) -> None:
    """Poll ``url`` until it answers 200; fail at once, with the log's tail, if ``proc`` exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"service exited with {proc.returncode}:\n"
                + log.read_text(errors="replace")[-3000:]
            )
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(interval)
    raise RuntimeError(f"{url} not answering 200 within {timeout}s")


@dataclass
class Service:
    """A running service subprocess: its base URL, process, and exit code once stopped."""

    url: str
    proc: subprocess.Popen[bytes]
    log: Path
    returncode: int | None = None


@contextmanager
def aggregator_service(
    bootstrap: str,
    state_dir: Path,
    *,
    group: str,
    today: str | None = None,
    instance_id: str | None = None,
    topic_prefix: str | None = None,
    env: dict[str, str] | None = None,
) -> Iterator[Service]:
    """Start ``tocsin serve aggregator`` on a free port; yield it once /healthz answers.

    On exit it is stopped with SIGTERM (unless the test killed it already) and
    ``Service.returncode`` holds the exit code. The log is appended to
    ``state_dir/aggregator.log``, so restarts on one state directory share it.
    """
    port = free_port()
    state_dir.mkdir(parents=True, exist_ok=True)
    log_path = state_dir / "aggregator.log"
    args = [sys.executable, "-m", "tocsin", "serve", "aggregator", "--port", str(port),
            "--bootstrap", bootstrap, "--state-dir", str(state_dir), "--group", group]  # fmt: skip
    for flag, value in (
        ("--today", today),
        ("--instance-id", instance_id),
        ("--topic-prefix", topic_prefix),
    ):
        if value is not None:
            args += [flag, value]
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            args,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=os.environ | {"TOCSIN_LOG_LEVEL": "INFO"} | (env or {}),
        )
    service = Service(f"http://127.0.0.1:{port}", proc, log_path)
    try:
        wait_answering(service.url + "/healthz", proc, log_path, interval=0.1)
        yield service
    finally:
        service.returncode = stop(proc)
