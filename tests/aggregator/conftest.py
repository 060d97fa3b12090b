"""Fixtures for the aggregator API tests: the real app over an in-memory partition table.

The table is filled by applying events to partition states, as the consumer
loop does; no Kafka client is involved (the loop itself is tested against the
real broker in tests/integration).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence

import httpx
import pytest
from prometheus_client import CollectorRegistry

from tocsin.aggregator.app import create_app
from tocsin.aggregator.metrics import AggregatorMetrics
from tocsin.aggregator.partitions import PartitionTable
from tocsin.aggregator.state import PartitionState, TopicPartition
from tocsin.contract.events import Event

TODAY = dt.date(2022, 1, 10)


class Api:
    """The app under test, with handles on its partition table and registry."""

    def __init__(self) -> None:
        self.table = PartitionTable(statements_kept=3)
        self.failure: str | None = None
        self.metrics = AggregatorMetrics(CollectorRegistry(), self.table.view, lambda: TODAY)
        self.app = create_app(
            view=self.table.view,
            metrics=self.metrics,
            today=lambda: TODAY,
            failure=lambda: self.failure,
        )
        self._transport = httpx.ASGITransport(app=self.app)

    def load(
        self, tp: TopicPartition, events: Sequence[Event], *, end: int | None = None
    ) -> PartitionState:
        """Assign ``tp`` with ``events`` applied; exported when ``end`` is not past them."""
        state = PartitionState(tp, statements_kept=3, seen_capacity=1000)
        for offset, event in enumerate(events):
            state.apply(event, offset=offset, timestamp=1_700_000_000.0 + offset)
        self.table.assign([tp])
        self.table.adopt(state)
        self.table.set_target(tp, len(events) if end is None else end)
        return state

    def get(self, url: str) -> httpx.Response:
        """GET ``url`` through the ASGI transport (no server)."""

        async def call() -> httpx.Response:
            async with httpx.AsyncClient(
                transport=self._transport, base_url="http://aggregator.test"
            ) as client:
                return await client.get(url)

        return asyncio.run(call())

    def sample(self, name: str, **labels: str) -> float | None:
        """One sample of the app's registry, None when absent."""
        value = self.metrics.registry.get_sample_value(name, labels)
        return None if value is None else float(value)


@pytest.fixture
def api() -> Api:
    """A fresh app with an empty partition table."""
    return Api()
