"""Helpers for the aggregator's broker tests: produce, read back, recompute, compare.

The broker and Tocsin's topic names are shared by the whole session, so these
tests never expect the topics to hold only their own records: each test uses
countries of its own and compares the aggregator's answers for those countries
with a recomputation, by ``tocsin.aggregator.rules``, over everything on the topics.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from prometheus_client.parser import text_string_to_metric_families

from tocsin.aggregator.rules import Totals, casualty_totals
from tocsin.contract import topics
from tocsin.contract.codec import decode_event, encode
from tocsin.contract.events import Event
from tocsin.errors import ContractError
from tocsin.kafka.admin import ensure_topics
from tocsin.kafka.records import event_key
from tocsin.settings import KafkaSettings

EVENT_TOPICS = list(topics.EVENT_TOPICS.values())
KEEP = 20  # the aggregator's default statements_kept
TP = tuple[str, int]


class Publisher:
    """A plain producer that publishes events as the ingest service would (key = country).

    It creates Tocsin's topics first when missing (the broker does not auto-create).
    """

    def __init__(self, bootstrap: str, *, prefix: str = "") -> None:
        ensure_topics(KafkaSettings(bootstrap=bootstrap), [prefix + t for t in topics.ALL_TOPICS])
        self._producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
        self._prefix = prefix

    def send(self, events: Iterable[Event]) -> None:
        """Publish ``events`` and wait until all are acknowledged."""
        for event in events:
            self._producer.send(
                self._prefix + topics.event_topic(event.type),
                key=event_key(event),
                value=encode(event),
                headers=[("event-type", event.type.encode())],
            )
        self._producer.flush(timeout=30)

    def close(self) -> None:
        """Close the producer."""
        self._producer.close(timeout=10)


def produce(bootstrap: str, events: Iterable[Event], *, prefix: str = "") -> None:
    """Publish ``events`` with a short-lived producer."""
    publisher = Publisher(bootstrap, prefix=prefix)
    try:
        publisher.send(events)
    finally:
        publisher.close()


def end_offsets(bootstrap: str, names: Sequence[str] = EVENT_TOPICS) -> dict[TP, int]:
    """The current end offset of every partition of ``names``."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        parts = [TopicPartition(t, p) for t in names for p in consumer.partitions_for_topic(t)]
        return {(tp.topic, tp.partition): int(o) for tp, o in consumer.end_offsets(parts).items()}
    finally:
        consumer.close()


def read_all(bootstrap: str, names: Sequence[str] = EVENT_TOPICS) -> list[Any]:
    """Every record now on ``names``, read without a group, in partition order."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        parts = [TopicPartition(t, p) for t in names for p in consumer.partitions_for_topic(t)]
        consumer.assign(parts)
        consumer.seek_to_beginning(*parts)
        ends = consumer.end_offsets(parts)
        records: list[Any] = []
        deadline = time.monotonic() + 60
        while any(consumer.position(tp) < ends[tp] for tp in parts):
            assert time.monotonic() < deadline, "reading the topics took over 60 s"
            for batch in consumer.poll(timeout_ms=1000).values():
                records.extend(batch)
        return records
    finally:
        consumer.close()


def recompute(bootstrap: str, countries: Collection[str]) -> Totals:
    """The totals of ``countries`` by the rules, over every distinct event on the topics."""
    totals = Totals(KEEP)
    seen: set[str] = set()
    for record in read_all(bootstrap):
        try:
            event = decode_event(record.value)
        except ContractError:
            continue
        if (event.country or "ZZ") in countries and event.event_id not in seen:
            seen.add(event.event_id)
            totals.apply(event)
    return totals


def expected_answers(totals: Totals, today: dt.date) -> dict[str, Any]:
    """What the JSON API should answer for ``totals``, in the shape of ``answers()``."""
    return {
        "totals": {
            (r.country, r.outcome): dict(r.groups) | {"all": r.all}
            for r in casualty_totals(totals.casualties)
        },
        "deployments": dict(totals.deployments),
        "curfews": {
            key: (_iso(rec.starts_on), _iso(rec.ends_on), rec.active(today))
            for key, rec in totals.curfews.items()
        },
        "statements": {
            country: (log.count, [s.quote for s in log.recent])
            for country, log in totals.statements.items()
        },
    }


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def answers(urls: Iterable[str], countries: Collection[str]) -> dict[str, Any]:
    """The union of the JSON answers of ``urls`` for ``countries``.

    Fails if two instances answer for the same country: exports must not overlap.
    """
    merged: dict[str, Any] = {"totals": {}, "deployments": {}, "curfews": {}, "statements": {}}
    owner: dict[str, str] = {}

    def claim(country: str, url: str) -> bool:
        if country not in countries:
            return False
        assert owner.setdefault(country, url) == url, f"{country} exported by two instances"
        return True

    for url in urls:
        for row in _get(url, "/v1/totals")["totals"]:
            if claim(row["country"], url):
                merged["totals"][(row["country"], row["outcome"])] = row["groups"] | {
                    "all": row["all"]
                }
        for row in _get(url, "/v1/deployments")["deployments"]:
            if claim(row["country"], url):
                merged["deployments"][(row["country"], row["force"])] = row["size"]
        for row in _get(url, "/v1/curfews")["curfews"]:
            if claim(row["country"], url):
                key = (row["country"], row["kind"], row["location"])
                merged["curfews"][key] = (row["starts_on"], row["ends_on"], row["active"])
        counts = _get(url, "/v1/statements?limit=1")["counts"]
        for country, count in counts.items():
            if claim(country, url):
                recent = _get(url, f"/v1/statements?country={country}&limit={KEEP}")
                quotes = [s["quote"] for s in recent["statements"]]
                merged["statements"][country] = (count, quotes)
    return merged


def settled_answers(
    urls: Sequence[str],
    countries: Collection[str],
    expected: Mapping[str, Any],
    timeout: float = 20,
) -> dict[str, Any]:
    """``answers()`` once they equal ``expected``, or the last ones after ``timeout``.

    Retrying only rides out a late rebalance (partitions briefly exported by nobody);
    a figure counted twice or lost never converges and still fails the comparison.
    """
    deadline = time.monotonic() + timeout
    while True:
        got = answers(urls, countries)
        if got == expected or time.monotonic() > deadline:
            return got
        time.sleep(0.3)


def owners(urls: Iterable[str], countries: Collection[str]) -> dict[str, str]:
    """Which instance exports each of ``countries`` (by its casualty totals)."""
    found: dict[str, str] = {}
    for url in urls:
        for row in _get(url, "/v1/totals")["totals"]:
            if row["country"] in countries:
                assert found.setdefault(row["country"], url) == url
    return found


def _get(url: str, path: str) -> Any:
    response = httpx.get(url + path, timeout=10)
    response.raise_for_status()
    return response.json()


def wait_applied(urls: Sequence[str], ends: Mapping[TP, int], timeout: float = 60) -> None:
    """Wait until every partition in ``ends`` is exported by exactly one of ``urls`` with its
    position at or past its end offset."""
    deadline = time.monotonic() + timeout
    last: dict[TP, list[Any]] = {}
    while time.monotonic() < deadline:
        last = {}
        for url in urls:
            try:
                body = httpx.get(url + "/readyz", timeout=5).json()
            except httpx.HTTPError:
                continue
            for p in body["partitions"]:
                last.setdefault((p["topic"], p["partition"]), []).append(
                    (url, p["exported"], p["position"])
                )
        done = all(
            len(last.get(tp, [])) == 1
            and last[tp][0][1]
            and last[tp][0][2] is not None
            and last[tp][0][2] >= end
            for tp, end in ends.items()
        )
        if done:
            return
        time.sleep(0.2)
    raise AssertionError(f"not caught up within {timeout}s: {last}")


def metric(url: str, name: str, **labels: str) -> float:
    """One sample of a service's /metrics (0 when absent)."""
    text = httpx.get(url + "/metrics", timeout=10).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return float(sample.value)
    return 0.0


def stored_offsets(state_dir: Path) -> dict[TP, int]:
    """The resume offsets an aggregator stored in its state database, by partition."""
    db = sqlite3.connect(state_dir / "state.sqlite")
    try:
        rows = db.execute("SELECT topic, partition, next_offset FROM offsets").fetchall()
    finally:
        db.close()
    return {(topic, int(partition)): int(offset) for topic, partition, offset in rows}
