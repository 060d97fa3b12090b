"""Poison messages go to the dead-letter topic with their reason and source; consumption goes on.

This test runs the aggregator under a topic prefix of its own: garbage on the
shared event topics would break every other test that reads them.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from kafka import KafkaProducer

from tests.aggregator.factory import casualty, deployment
from tests.integration.aggregator_support import end_offsets, metric, read_all, wait_applied
from tests.integration.processes import aggregator_service, wait_answering
from tocsin.contract import topics
from tocsin.contract.codec import encode

pytestmark = pytest.mark.kafka


def test_poison_messages_are_dead_lettered_and_consumption_continues(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    """Every kind of poison is dead-lettered with its reason and source; later events count."""
    prefix = f"it-dl-{uuid.uuid4().hex[:8]}."
    source = prefix + topics.EVENT_TOPICS["casualty"]
    deadletter = prefix + topics.DEADLETTER
    with aggregator_service(
        kafka_bootstrap,
        tmp_path / "agg",
        group=f"it-agg-dl-{uuid.uuid4().hex[:8]}",
        topic_prefix=prefix,
    ) as agg:
        # Ready: the aggregator has created its (prefixed) topics.
        wait_answering(agg.url + "/readyz", agg.proc, agg.log, interval=0.1)
        producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
        try:
            sent: dict[str, Any] = {}
            # One key, so every record shares a partition and the good one comes last.
            good = casualty("QA", "killed", "civilians", 7)
            broken = orjson.loads(encode(casualty("QA", "killed", "civilians", 3)))
            broken["count"] = {"low": -5, "high": None, "text": "minus five"}
            for reason, value in (
                ("decode_error", b"\x00\x01 not json {"),
                ("tombstone", None),
                ("not_utf8", b'{"type": "casualty", "x": "\xff\xfe"}'),
                ("control_chars", orjson.dumps({"type": "casualty\u0000\u001b[2J"})),
                (
                    "unknown_type",
                    orjson.dumps({"type": "rumour", "country": "QA", "event_id": "r1"}),
                ),
                ("schema_error", orjson.dumps(broken)),
                ("wrong_topic", encode(deployment("QA", "Guard", 500))),
                ("good", encode(good)),
            ):
                sent[reason] = (
                    value,
                    producer.send(source, key=b"QA", value=value).get(timeout=30),
                )
        finally:
            producer.close(timeout=10)
        names = [prefix + t for t in topics.EVENT_TOPICS.values()]
        wait_applied([agg.url], end_offsets(kafka_bootstrap, names))

        totals = httpx.get(agg.url + "/v1/totals?country=QA", timeout=5).json()["totals"]
        assert totals == [
            {"country": "QA", "outcome": "killed", "groups": {"civilians": 7}, "all": 7}
        ]
        dead = {
            reason: metric(agg.url, "tocsin_aggregator_dead_lettered_total", reason=reason)
            for reason in ("decode_error", "unknown_type", "schema_error", "wrong_topic")
        }
        # Raw bytes, a tombstone, bad UTF-8 and a NUL-laden type all fail to decode as
        # an event; a NUL-laden type string is still an unknown type, not a crash.
        assert dead == {"decode_error": 3, "unknown_type": 2, "schema_error": 1, "wrong_topic": 1}

    letters = read_all(kafka_bootstrap, [deadletter])
    assert len(letters) == len(sent) - 1
    expected_reason = {"tombstone": "decode_error", "not_utf8": "decode_error",
                       "control_chars": "unknown_type"}  # fmt: skip
    by_offset = {meta.offset: (name, value) for name, (value, meta) in sent.items()}
    for letter in letters:
        headers = {k: v.decode() for k, v in letter.headers}
        name, value = by_offset[int(headers["source-offset"])]
        assert headers["reason"] == expected_reason.get(name, name)
        assert (letter.key, letter.value) == (b"QA", value)
        assert headers["source-topic"] == source
        assert headers["source-partition"] == str(sent[name][1].partition)
        assert headers["error"]
    assert agg.returncode == 0
