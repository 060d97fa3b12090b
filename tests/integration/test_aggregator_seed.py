"""The seed article through a real ingest service into a real aggregator: counted once.

The article is posted twice (the second post is a duplicate at ingest) and its
event records are then delivered again by hand with a plain producer, as a
retried publish would; the totals must not move.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from kafka import KafkaProducer

from tests.conftest import REPO, SEED_ARTICLE
from tests.integration.aggregator_support import (
    answers,
    end_offsets,
    metric,
    read_all,
    recompute,
    wait_applied,
)
from tests.integration.processes import aggregator_service, ingest_service

pytestmark = pytest.mark.kafka

if SEED_ARTICLE.is_file():
    ARTICLE = SEED_ARTICLE
    COUNTRY, TODAY = "KZ", dt.date(2022, 1, 10)
    TOTALS = {
        ("KZ", "killed"): {"security_forces": 18, "militants": 26, "unspecified": 24, "all": 68},
        ("KZ", "arrested"): {"unspecified": 3000, "all": 3000},
        ("KZ", "injured"): {"unspecified": 200, "all": 200},
    }
    DEPLOYMENT, SIZE = ("KZ", "CSTO"), 3600
    ACTIVE = {("KZ", "state_of_emergency"): 1}
else:  # the repository's own sample, with its own figures
    ARTICLE = REPO / "examples" / "sample-article.json"
    COUNTRY, TODAY = "KG", dt.date(2024, 10, 16)
    TOTALS = {
        ("KG", "killed"): {"security_forces": 4, "protesters": 11, "all": 15},
        ("KG", "injured"): {"unspecified": 590, "all": 590},
        ("KG", "arrested"): {"unspecified": 1200, "all": 1200},
    }
    DEPLOYMENT, SIZE = ("KG", "peacekeepers"), 500
    ACTIVE = {("KG", "state_of_emergency"): 1}


def _post(url: str, data: bytes) -> Any:
    response = httpx.post(
        f"{url}/v1/articles", content=data, headers={"content-type": "application/json"}, timeout=30
    )
    assert response.status_code == 202, response.text
    return response.json()


def _redeliver(bootstrap: str, event_ids: set[str]) -> int:
    """Produce the records of ``event_ids`` again, same key, value and headers."""
    records = [r for r in read_all(bootstrap) if orjson.loads(r.value)["event_id"] in event_ids]
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    try:
        for r in records:
            producer.send(r.topic, key=r.key, value=r.value, headers=list(r.headers))
        producer.flush(timeout=30)
    finally:
        producer.close(timeout=10)
    return len(records)


def test_seed_article_posted_twice_and_redelivered_counts_once(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    """Posted twice, redelivered once more: the figures are the article's, not doubled."""
    data = ARTICLE.read_bytes()
    with aggregator_service(
        kafka_bootstrap, tmp_path / "agg", group="it-agg-seed", today=TODAY.isoformat()
    ) as agg:
        with ingest_service(kafka_bootstrap, tmp_path / "ingest") as ingest:
            first = _post(ingest, data)
            second = _post(ingest, data)
        assert second["duplicate"] is True
        ids = {e["event_id"] for e in first["events"]}
        redelivered = _redeliver(kafka_bootstrap, ids)
        assert redelivered >= len(ids)
        wait_applied([agg.url], end_offsets(kafka_bootstrap))

        got = answers([agg.url], {COUNTRY})
        assert {k: v for k, v in got["totals"].items() if k[0] == COUNTRY} == TOTALS
        assert got["deployments"][DEPLOYMENT] == SIZE
        active: dict[tuple[str, str], int] = {}
        for (country, kind, _), (_, _, is_active) in got["curfews"].items():
            active[(country, kind)] = active.get((country, kind), 0) + int(is_active)
        assert {k: v for k, v in active.items() if k in ACTIVE} == ACTIVE
        # Statements are the one sum: equal to the distinct statements on the topic.
        expected = recompute(kafka_bootstrap, {COUNTRY}).statements[COUNTRY].count
        assert got["statements"][COUNTRY][0] == expected
        dropped = sum(
            metric(agg.url, "tocsin_aggregator_duplicates_dropped_total", type=t)
            for t in ("casualty", "deployment", "statement", "curfew")
        )
        assert dropped >= len(ids)
    assert agg.returncode == 0
