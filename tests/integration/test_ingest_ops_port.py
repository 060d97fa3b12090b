"""The real ``tocsin serve ingest`` with a key file and a separate ops port.

One service, started once, against the session's broker: health and metrics answer
on the ops port only, the write routes want a key, a key added to the file is taken
up while the service runs, ``tocsin feed`` sends its key, and no key reaches the log.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import orjson
import pytest

from tests.integration.processes import free_port, ingest_service
from tocsin.ingest.keys import file_line, new_token

pytestmark = pytest.mark.kafka

JSON = {"content-type": "application/json"}


def _article() -> bytes:
    return orjson.dumps({
        "id": f"ops-{uuid.uuid4().hex[:12]}",
        "published_at": "2024-03-08T10:00:00Z",
        "body": "Twelve protesters were injured in Lima on Thursday, police said.",
    })  # fmt: skip


def _post(url: str, key: str | None) -> httpx.Response:
    headers = JSON | ({"authorization": f"Bearer {key}"} if key else {})
    return httpx.post(f"{url}/v1/articles", content=_article(), headers=headers, timeout=30)


def _accepted_within(url: str, key: str, seconds: float) -> bool:
    """Whether a post with ``key`` gets 202 before ``seconds`` pass (the file is re-read)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _post(url, key).status_code == 202:
            return True
        time.sleep(0.2)
    return False


def _feed(url: str, article: Path, *key_args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tocsin", "feed", str(article), "--url", url, "--no-progress",
         *key_args],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_keys_and_the_ops_port_on_the_real_service(kafka_bootstrap: str, tmp_path: Path) -> None:
    """Ops routes on the ops port only; 401 without a key, 202 with one; rotation; feed."""
    first, second = new_token(), new_token()
    keys = tmp_path / "keys.txt"
    keys.write_text(file_line(first, "first client") + "\n")
    ops_port = free_port()
    ops = f"http://127.0.0.1:{ops_port}"
    state = tmp_path / "ingest"
    args = ["--api-keys-file", str(keys), "--ops-port", str(ops_port)]
    with ingest_service(kafka_bootstrap, state, extra_args=args, probe_url=ops) as url:
        main_port = int(url.rsplit(":", 1)[1])
        assert httpx.get(ops + "/healthz", timeout=10).json() == {"status": "ok"}
        for path in ("/healthz", "/readyz", "/metrics"):
            assert httpx.get(url + path, timeout=10).status_code == 404, path
        assert httpx.get(url + "/docs", timeout=10).status_code == 200

        missing = _post(url, None)
        assert missing.status_code == 401
        assert missing.json()["error"]["code"] == "missing_api_key"
        assert _post(url, second).json()["error"]["code"] == "invalid_api_key"
        assert _post(url, first).status_code == 202

        with keys.open("a") as key_file:  # rotation: a second key, no restart
            key_file.write(file_line(second, "second client") + "\n")
        assert _accepted_within(url, second, seconds=30)

        article = tmp_path / "article.json"
        article.write_bytes(_article())
        refused = _feed(url, article)
        assert refused.returncode == 1
        assert "needs an API key" in refused.stdout
        client_key = tmp_path / "feeder.key"
        client_key.write_text(first + "\n")
        fed = _feed(url, article, "--api-key-file", str(client_key))
        assert fed.returncode == 0, fed.stdout + fed.stderr

        metrics = httpx.get(ops + "/metrics", timeout=10).text
        assert 'tocsin_ingest_auth_failures_total{reason="missing"} 2.0' in metrics
        assert 'tocsin_ingest_auth_failures_total{reason="invalid"}' in metrics
        assert first not in metrics
        assert second not in metrics
    # Both listeners closed with the service.
    assert not _listening(main_port)
    assert not _listening(ops_port)
    log = (state / "ingest.log").read_text(errors="replace")
    assert "the write routes need an API key: 1 from" in log
    assert first not in log
    assert second not in log
