"""Aggregator throughput and freshness, three ways.

    python bench/aggregator_throughput.py [--events 200000] [--batch 2000]
        [--e2e-events 100000] [--posts 200] [--bootstrap HOST:PORT] [--only apply|e2e|latency]

1. apply path, in process, one thread: decode, dedupe and fold one poll batch
   (``tocsin.aggregator.batch.apply_batch``, as the consumer loop does) and store
   it with one SQLite transaction (``StateStore.save``) per batch of ``--batch``
   records; ``--events`` events over 12 partitions, 10 % of them repeats.
2. end to end through Kafka: ``--e2e-events`` events are published to topics
   under a fresh prefix, then ``tocsin serve aggregator`` starts as a real
   process; events/s from its assignment to "caught up" on /readyz (fetch,
   decode, apply, commit: the replay a moved partition goes through).
3. latency: ``tocsin serve ingest`` and ``tocsin serve aggregator`` as real
   processes; each of ``--posts`` articles reports a higher casualty figure and
   the time from POST until /metrics shows it is recorded.

A local Kafka broker is started in a temporary directory unless --bootstrap is given.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from kafka import KafkaProducer
from prometheus_client.parser import text_string_to_metric_families

from tocsin.aggregator.batch import apply_batch
from tocsin.aggregator.partitions import PartitionTable
from tocsin.aggregator.state import PartitionState
from tocsin.aggregator.store import StateStore
from tocsin.contract import topics
from tocsin.contract.codec import encode
from tocsin.contract.events import (
    GROUPS,
    OUTCOMES,
    CasualtyEvent,
    Count,
    CurfewEvent,
    DeploymentEvent,
    Event,
    Evidence,
    StatementEvent,
)
from tocsin.contract.ids import event_id
from tocsin.kafka.admin import ensure_topics
from tocsin.localbroker import LocalBroker
from tocsin.settings import KafkaSettings

PARTITIONS = 3
COUNTRIES = [f"{a}{b}" for a in "ABCDEFGHIJ" for b in "KLMNOPQRST"]  # 100 codes
T0 = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
EVIDENCE = Evidence(text="A sentence.", start=0, end=11)


# --- synthetic events ---------------------------------------------------------------------


def _event(rng: random.Random, i: int) -> Event:
    country = rng.choice(COUNTRIES)
    published = T0 + dt.timedelta(minutes=rng.randrange(60 * 24 * 30))
    article = f"bench-{i // 8}"
    base = {
        "article_id": article,
        "source": "Bench Wire",
        "published_at": published,
        "extracted_at": published,
        "extractor_version": "bench",
        "country": country,
        "location": None,
        "evidence": EVIDENCE,
        "confidence": 0.9,
    }
    roll = rng.random()
    if roll < 0.4:
        low = rng.randrange(5000)
        return CasualtyEvent.model_validate(
            base
            | {
                "event_id": event_id(article, "bench", "casualty", i),
                "outcome": rng.choice(OUTCOMES),
                "group": rng.choice(GROUPS),
                "count": Count(low=low, high=low, text=str(low)),
                "group_text": None,
                "attributed_to": None,
            }
        )
    if roll < 0.55:
        size = rng.choice([None, rng.randrange(50, 9000)])
        return DeploymentEvent.model_validate(
            base
            | {
                "event_id": event_id(article, "bench", "deployment", i),
                "force": rng.choice(["CSTO", "police", "army"]),
                "size": Count(low=size, high=size, text="some"),
                "origin_country": None,
                "status": "announced",
            }
        )
    if roll < 0.7:
        return CurfewEvent.model_validate(
            base
            | {
                "event_id": event_id(article, "bench", "curfew", i),
                "kind": rng.choice(["curfew", "state_of_emergency", "movement_restriction"]),
                "starts_on": None,
                "ends_on": published.date() + dt.timedelta(days=rng.randrange(1, 20)),
            }
        )
    return StatementEvent.model_validate(
        base
        | {
            "event_id": event_id(article, "bench", "statement", i),
            "speaker": rng.choice(["Minister", "Mayor", "Spokesman"]),
            "speaker_role": None,
            "quote": f"We will restore order, number {i}.",
        }
    )


def synthetic_events(n: int, seed: int = 7) -> list[Event]:
    """``n`` events over 100 countries, about 10 % of them repeats of earlier ones."""
    rng = random.Random(seed)
    events: list[Event] = []
    for i in range(n):
        events.append(rng.choice(events) if events and rng.random() < 0.1 else _event(rng, i))
    return events


# --- 1. apply path -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rec:
    """A consumed record as plain values."""

    offset: int
    key: bytes | None
    value: bytes | None
    timestamp_ms: int | None


def bench_apply(n: int, batch: int, work: Path) -> float:
    """Events/s through apply_batch + one SQLite commit per batch; returns the rate."""
    events = synthetic_events(n)
    # Records as the broker would hand them out: by topic-partition, offsets in order.
    offsets: dict[tuple[str, int], int] = {}
    stream: list[tuple[tuple[str, int], Rec]] = []
    for event in events:
        key = (event.country or "ZZ").encode()
        tp = (topics.event_topic(event.type), zlib.crc32(key) % PARTITIONS)
        offset = offsets.get(tp, 0)
        offsets[tp] = offset + 1
        stream.append((tp, Rec(offset, key, encode(event), 1_700_000_000_000)))
    table = PartitionTable(statements_kept=20)
    table.assign(offsets)
    for tp in offsets:
        table.adopt(PartitionState(tp, statements_kept=20, seen_capacity=50_000))
    store = StateStore(work / "apply.sqlite", statements_kept=20, seen_capacity=50_000)
    types = {name: t for t, name in topics.EVENT_TOPICS.items()}
    started = time.perf_counter()
    applied = 0
    for first in range(0, len(stream), batch):
        polled: dict[tuple[str, int], list[Rec]] = {}
        for tp, rec in stream[first : first + batch]:
            polled.setdefault(tp, []).append(rec)
        result = apply_batch(table, polled, types)
        store.save([c for s in result.touched if (c := s.take_changes()) is not None])
        applied += sum(result.applied.values()) + sum(result.duplicates.values())
    elapsed = time.perf_counter() - started
    store.close()
    rate = applied / elapsed
    print(
        f"apply path: {applied} events ({n - len({e.event_id for e in events})} repeats) in "
        f"{elapsed:.2f} s, batches of {batch} with one SQLite commit each -> {rate:,.0f} events/s"
    )
    return rate


# --- processes -----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def _service(args: list[str], log: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    port = _free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tocsin", "serve", *args, "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=os.environ | {"TOCSIN_LOG_LEVEL": "WARNING"} | (env or {}),
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"{args[0]} exited: {log.read_text()[-2000:]}")
            try:
                if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"{args[0]} did not start")
            time.sleep(0.05)
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def _readyz(url: str) -> tuple[int, dict[str, object]]:
    response = httpx.get(url + "/readyz", timeout=5)
    return response.status_code, response.json()


# --- 2. end to end through Kafka -----------------------------------------------------------


def bench_e2e(n: int, bootstrap: str, work: Path) -> float:
    """Events/s of a fresh aggregator replaying ``n`` events from Kafka; returns the rate."""
    prefix = f"bench-{uuid.uuid4().hex[:8]}."
    ensure_topics(KafkaSettings(bootstrap=bootstrap), [prefix + t for t in topics.ALL_TOPICS])
    producer = KafkaProducer(
        bootstrap_servers=bootstrap, acks="all", linger_ms=20, batch_size=256 * 1024
    )
    started = time.perf_counter()
    for event in synthetic_events(n, seed=11):
        producer.send(
            prefix + topics.event_topic(event.type),
            key=(event.country or "ZZ").encode(),
            value=encode(event),
        )
    producer.flush(timeout=120)
    producer.close()
    print(f"published {n} events in {time.perf_counter() - started:.1f} s")
    args = ["aggregator", "--bootstrap", bootstrap, "--state-dir", str(work / "e2e"),
            "--group", f"bench-{uuid.uuid4().hex[:8]}", "--topic-prefix", prefix]  # fmt: skip
    with _service(args, work / "e2e.log") as url:
        assigned_at = None
        while True:
            status, body = _readyz(url)
            now = time.perf_counter()
            if assigned_at is None and body["partitions"]:
                assigned_at = now
            if status == 200:
                break
            time.sleep(0.01)
        assert assigned_at is not None
        elapsed = now - assigned_at
        metrics = httpx.get(url + "/metrics", timeout=10).text
    applied = sum(
        float(line.rsplit(" ", 1)[1])
        for line in metrics.splitlines()
        if line.startswith(
            ("tocsin_aggregator_events_applied_total", "tocsin_aggregator_duplicates_dropped_total")
        )
    )
    rate = applied / elapsed
    print(
        f"end to end (Kafka): {applied:.0f} events from assignment to caught up in "
        f"{elapsed:.2f} s -> {rate:,.0f} events/s"
    )
    return rate


# --- 3. latency: POST to /metrics ----------------------------------------------------------


def _figure(exposition: str, labels: dict[str, str]) -> float:
    """The value of tocsin_aggregator_casualties with ``labels`` (-1 when absent)."""
    for family in text_string_to_metric_families(exposition):
        if family.name == "tocsin_aggregator_casualties":
            for sample in family.samples:
                if sample.labels == labels:
                    return float(sample.value)
    return -1.0


def bench_latency(posts: int, bootstrap: str, work: Path) -> list[float]:
    """Seconds from POST /v1/articles until the figure is on /metrics, per post."""
    base = (int(time.time()) % 10_000_000) * 1000  # higher than any earlier run's figures
    wanted = {"country": "KZ", "outcome": "killed", "group": "protesters"}
    ingest_args = ["ingest", "--bootstrap", bootstrap, "--state-dir", str(work / "ingest")]
    agg_args = ["aggregator", "--bootstrap", bootstrap, "--state-dir", str(work / "lat"),
                "--group", f"bench-{uuid.uuid4().hex[:8]}"]  # fmt: skip
    latencies: list[float] = []
    with (
        _service(ingest_args, work / "ingest.log") as ingest,
        _service(agg_args, work / "lat.log") as agg,
        httpx.Client(timeout=30) as client,
    ):
        while _readyz(agg)[0] != 200:
            time.sleep(0.05)
        for i in range(posts + 10):  # the first 10 warm up
            figure = base + i
            article = {
                "id": f"bench-latency-{uuid.uuid4().hex}",
                "published_at": "2024-05-01T10:00:00Z",
                "body": f"Police said {figure} protesters were killed in Almaty, Kazakhstan.",
            }
            started = time.perf_counter()
            response = client.post(f"{ingest}/v1/articles", json=article)
            if response.status_code != 202:
                raise SystemExit(f"ingest answered {response.status_code}: {response.text}")
            deadline = started + 30
            while _figure(client.get(f"{agg}/metrics").text, wanted) < figure:
                if time.perf_counter() > deadline:
                    raise SystemExit(f"{figure} not on /metrics within 30 s")
                time.sleep(0.002)
            if i >= 10:
                latencies.append(time.perf_counter() - started)
    cuts = statistics.quantiles(latencies, n=100)
    print(
        f"latency POST -> /metrics over {posts} posts: p50 {cuts[49] * 1000:.0f} ms, "
        f"p90 {cuts[89] * 1000:.0f} ms, p99 {cuts[98] * 1000:.0f} ms, "
        f"max {max(latencies) * 1000:.0f} ms"
    )
    return latencies


def main() -> None:
    """Run the chosen parts and print one line of figures for each."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=200_000, help="events for the apply path")
    parser.add_argument("--batch", type=int, default=2000, help="records per batch (one commit)")
    parser.add_argument("--e2e-events", type=int, default=100_000)
    parser.add_argument("--posts", type=int, default=200, help="articles for the latency part")
    parser.add_argument("--bootstrap", help="use this running broker instead of starting one")
    parser.add_argument("--only", choices=["apply", "e2e", "latency"])
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="tocsin-agg-bench-"))
    if args.only in (None, "apply"):
        bench_apply(args.events, args.batch, work)
    if args.only == "apply":
        return
    broker = None
    bootstrap = args.bootstrap
    if bootstrap is None:
        broker = LocalBroker(work / "kafka")
        bootstrap = broker.start(timeout=120)
    try:
        if args.only in (None, "e2e"):
            bench_e2e(args.e2e_events, bootstrap, work)
        if args.only in (None, "latency"):
            bench_latency(args.posts, bootstrap, work)
    finally:
        if broker is not None:
            broker.stop()


if __name__ == "__main__":
    main()
