"""Fixtures for the ingest API tests: the real app around in-memory publishers.

The publishers here are small real implementations of the ``RecordPublisher``
protocol (one records, one refuses with the broker's error); the Kafka-backed
publisher is tested against the real broker in tests/integration.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client import CollectorRegistry

from tocsin.errors import BrokerUnavailableError
from tocsin.ingest.app import create_app
from tocsin.ingest.index import ArticleIndex
from tocsin.ingest.keys import KeyRing
from tocsin.ingest.metrics import IngestMetrics
from tocsin.ingest.ops import ReadyCheck
from tocsin.ingest.service import IngestService
from tocsin.kafka.records import Record
from tocsin.settings import IngestSettings


class RecordingPublisher:
    """Keeps every record it is asked to publish; can be switched to fail."""

    def __init__(self) -> None:
        self.records: list[Record] = []
        self.down = False

    async def publish(self, records: Sequence[Record]) -> None:
        """Record the records, or fail like an unreachable broker."""
        if self.down:
            raise BrokerUnavailableError("broker did not acknowledge within 10s")
        self.records.extend(records)


async def _ready() -> tuple[bool, dict[str, Any]]:
    return True, {"broker": "in-memory"}


class SyncClient:
    """Synchronous calls into an ASGI app through httpx's ASGI transport (no server)."""

    def __init__(self, app: Any) -> None:
        self._transport = httpx.ASGITransport(app=app)

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send one request and return the response."""

        async def call() -> httpx.Response:
            async with httpx.AsyncClient(
                transport=self._transport, base_url="http://ingest.test"
            ) as client:
                return await client.request(method, url, **kwargs)

        return asyncio.run(call())

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        """GET ``url``."""
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        """POST to ``url``."""
        return self.request("POST", url, **kwargs)


class Api:
    """The app under test with handles on its publisher, index and metrics."""

    def __init__(
        self,
        tmp_path: Path,
        *,
        ready_check: ReadyCheck = _ready,
        keys: KeyRing | None = None,
        ops_routes: bool = True,
        **overrides: Any,
    ) -> None:
        self.settings = IngestSettings(state_dir=tmp_path, **overrides)
        self.publisher = RecordingPublisher()
        self.index = ArticleIndex(tmp_path / "articles.sqlite", self.settings.index_capacity)
        self.metrics = IngestMetrics(CollectorRegistry())
        service = IngestService(
            publisher=self.publisher,
            index=self.index,
            metrics=self.metrics,
            clock=lambda: dt.datetime(2024, 3, 8, 12, 0, tzinfo=dt.UTC),
            max_events=self.settings.max_events_per_article,
        )
        self.app = create_app(
            service=service,
            settings=self.settings,
            metrics=self.metrics,
            ready_check=ready_check,
            keys=keys,
            ops_routes=ops_routes,
        )
        self.client = SyncClient(self.app)

    def metric(self, name: str, **labels: str) -> float:
        """Current value of one sample of the app's registry (0 when absent)."""
        value = self.metrics.registry.get_sample_value(name, labels)
        return value if value is not None else 0.0


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    """A fresh ingest app with a recording publisher and its own index."""
    instance = Api(tmp_path, max_article_bytes=4096, max_batch_articles=5)
    yield instance
    instance.index.close()
