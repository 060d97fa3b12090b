"""The ingest service against the real broker: records, keys, headers, schemas, idempotency."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import orjson
import pytest

from tests.conftest import REPO, SEED_ARTICLE
from tests.integration.aggregator_support import end_offsets, read_all
from tests.integration.processes import ingest_service
from tocsin.contract import topics

pytestmark = pytest.mark.kafka

SAMPLE = SEED_ARTICLE if SEED_ARTICLE.is_file() else REPO / "examples" / "sample-article.json"
EVENT_TOPICS = list(topics.EVENT_TOPICS.values())


@pytest.fixture(scope="module")
def ingest_url(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A running ingest service (subprocess) publishing to the session's broker."""
    with ingest_service(kafka_bootstrap, tmp_path_factory.mktemp("ingest")) as url:
        yield url


def _article(**changes: Any) -> bytes:
    article = orjson.loads(SAMPLE.read_bytes())
    article["id"] = f"it-{uuid.uuid4().hex[:12]}"
    article.update(changes)
    return orjson.dumps(article)


def _post(url: str, data: bytes) -> httpx.Response:
    return httpx.post(
        f"{url}/v1/articles", content=data, headers={"content-type": "application/json"}, timeout=30
    )


def _schema(topic: str) -> dict[str, Any]:
    loaded: dict[str, Any] = orjson.loads((REPO / "schemas" / f"{topic}.schema.json").read_bytes())
    return loaded


def test_posted_article_events_arrive_on_their_topics(
    ingest_url: str, kafka_bootstrap: str
) -> None:
    """Each event id of the 202 answer is on its topic with key, headers and a valid payload."""
    data = _article()
    response = _post(ingest_url, data)
    assert response.status_code == 202
    answer = response.json()
    article_id = answer["article_id"]
    expected = {e["event_id"]: e["type"] for e in answer["events"]}
    assert len(expected) >= 10

    found: dict[str, str] = {}
    for record in read_all(kafka_bootstrap, EVENT_TOPICS):
        event = orjson.loads(record.value)
        if event["article_id"] != article_id:
            continue
        jsonschema.validate(event, _schema(record.topic))
        assert record.topic == topics.EVENT_TOPICS[event["type"]]
        assert record.key == (event["country"] or "ZZ").encode()
        headers = dict(record.headers)
        assert headers["event-type"] == event["type"].encode()
        assert headers["schema-version"] == b"1"
        assert headers["content-type"] == b"application/json"
        found[event["event_id"]] = event["type"]
    assert found == expected

    raw = [r for r in read_all(kafka_bootstrap, [topics.ARTICLES]) if r.key == article_id.encode()]
    assert len(raw) == 1
    jsonschema.validate(orjson.loads(raw[0].value), _schema(topics.ARTICLES))
    assert orjson.loads(raw[0].value)["body"] == orjson.loads(data)["body"]


def test_repost_publishes_nothing_new(ingest_url: str, kafka_bootstrap: str) -> None:
    """Posting the same article again answers duplicate=true, same ids, and no new records."""
    data = _article()
    first = _post(ingest_url, data).json()
    before = end_offsets(kafka_bootstrap, [*EVENT_TOPICS, topics.ARTICLES])
    second = _post(ingest_url, data)
    assert second.status_code == 202
    assert second.json()["duplicate"] is True
    assert second.json()["events"] == first["events"]
    assert end_offsets(kafka_bootstrap, [*EVENT_TOPICS, topics.ARTICLES]) == before


def test_readiness_and_metrics_of_the_running_service(ingest_url: str) -> None:
    """readyz sees the broker and every topic; metrics count accepted articles."""
    ready = httpx.get(f"{ingest_url}/readyz", timeout=10).json()
    assert ready == {"ready": True, "checks": {"broker": "reachable", "missing_topics": []}}
    _post(ingest_url, _article())
    metrics = httpx.get(f"{ingest_url}/metrics", timeout=10).text
    accepted = [
        line for line in metrics.splitlines()
        if line.startswith('tocsin_ingest_articles_total{outcome="accepted"}')
    ]  # fmt: skip
    assert accepted
    assert float(accepted[0].split()[-1]) >= 1


@pytest.mark.skipif(shutil.which("kcat") is None, reason="Debian's kcat is not installed")
def test_kcat_reads_the_same_events(ingest_url: str, kafka_bootstrap: str, tmp_path: Path) -> None:
    """An independent client (kcat) reads the posted events with the same keys and ids."""
    answer = _post(ingest_url, _article()).json()
    wanted = {e["event_id"] for e in answer["events"] if e["type"] == "casualty"}
    out = subprocess.run(
        ["kcat", "-C", "-b", kafka_bootstrap, "-t", topics.EVENT_TOPICS["casualty"], "-e",
         "-q", "-f", "%k\t%s\n"],
        check=True, capture_output=True, timeout=60,
    ).stdout  # fmt: skip
    seen = {}
    for line in out.decode().splitlines():
        key, _, value = line.partition("\t")
        event = orjson.loads(value)
        if event["event_id"] in wanted:
            seen[event["event_id"]] = key
            assert key == (event["country"] or "ZZ")
    assert set(seen) == wanted
