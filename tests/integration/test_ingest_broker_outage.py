"""The ingest service while its broker is down: bounded 503s, then success after restart.

This test runs its own broker (the session's shared one must stay up for others).
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import httpx
import orjson
import pytest

from tests.integration.processes import free_port, ingest_service
from tocsin.localbroker import LocalBroker

pytestmark = pytest.mark.kafka

PUBLISH_TIMEOUT = 3.0
ARTICLE = orjson.dumps(
    {
        "id": f"outage-{uuid.uuid4().hex[:8]}",
        "published_at": "2024-05-02T08:00:00Z",
        "body": "At least 14 people were killed in Khartoum on Wednesday, medics said.",
    }
)


def _post(url: str) -> httpx.Response:
    # The client waits well past the service's bound: a hang would fail here, not pass.
    return httpx.post(
        f"{url}/v1/articles",
        content=ARTICLE,
        headers={"content-type": "application/json"},
        timeout=PUBLISH_TIMEOUT + 15,
    )


def test_broker_down_gives_503_then_the_same_post_succeeds(tmp_path: Path) -> None:
    """With the broker stopped a post gets 503 + Retry-After; after a restart it gets 202."""
    broker = LocalBroker(tmp_path / "kafka", port=free_port(), controller_port=free_port())
    bootstrap = broker.start(timeout=120)
    try:
        with ingest_service(bootstrap, tmp_path / "ingest", publish_timeout=PUBLISH_TIMEOUT) as url:
            warmup = httpx.post(
                f"{url}/v1/articles",
                content=orjson.dumps({"body": "Two soldiers were injured in Goma."}),
                headers={"content-type": "application/json"},
                timeout=30,
            )
            assert warmup.status_code == 202

            broker.stop()
            down = _post(url)
            assert down.status_code == 503
            assert int(down.headers["retry-after"]) >= 1
            assert down.json()["error"]["code"] == "broker_unavailable"

            broker.start(timeout=120)
            deadline = time.monotonic() + 90
            statuses = []
            while time.monotonic() < deadline:
                response = _post(url)
                statuses.append(response.status_code)
                if response.status_code == 202:
                    break
                assert response.status_code == 503, response.text
                time.sleep(int(response.headers["retry-after"]))
            assert statuses[-1] == 202, statuses
            assert response.json()["duplicate"] is False
            assert len(response.json()["events"]) == 1
    finally:
        broker.stop()


def test_service_started_without_a_broker_is_alive_but_not_ready(tmp_path: Path) -> None:
    """With no broker at all the service runs, readyz says why it is not ready, posts get 503."""
    nowhere = f"127.0.0.1:{free_port()}"
    with ingest_service(
        nowhere, tmp_path / "ingest", publish_timeout=PUBLISH_TIMEOUT, wait_ready=False
    ) as url:
        assert httpx.get(f"{url}/healthz", timeout=10).status_code == 200
        ready = httpx.get(f"{url}/readyz", timeout=30)
        assert ready.status_code == 503
        assert ready.json()["ready"] is False
        assert "unreachable" in ready.json()["checks"]["broker"]
        for _ in range(2):  # the second answer comes from the reconnect backoff
            response = _post(url)
            assert response.status_code == 503
            assert response.json()["error"]["code"] == "broker_unavailable"
            assert "retry-after" in response.headers
