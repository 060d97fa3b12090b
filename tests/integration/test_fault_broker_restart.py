"""The broker stops and restarts during sustained ingest: nothing acknowledged is lost or
counted twice.

A private broker (the session's shared one must stay up for other tests) serves
a real ingest service and a real aggregator. The feeder's own client
(``tocsin.cli.feed_client.IngestClient``, which retries 503 after Retry-After)
posts a few hundred articles with four requests in flight while the test stops
the broker, waits, and starts it again on the same data directory and ports.

The articles are built so their totals are known in advance: each reports a
distinct death toll and one statement in one of six countries, and the
extraction of each is computed here too (it is pure), giving the exact event
ids the service must answer. Statement counts are sums, so a statement lost or
applied twice changes them; casualty figures are maxima.

Articles go in three waves: the first streams while the broker is stopped, the
second is released once it is down (so some answers are surely 503), the third
once it is back (so ingest surely resumes). The client retries every 503 until
the article is accepted.
"""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.aggregator_support import (
    end_offsets,
    expected_answers,
    metric,
    read_all,
    settled_answers,
    wait_applied,
)
from tests.integration.processes import aggregator_service, free_port, ingest_service
from tocsin.aggregator.rules import Totals
from tocsin.cli.feed_client import IngestClient, Result, RetryPolicy
from tocsin.cli.feed_files import Source
from tocsin.contract import topics
from tocsin.contract.article import ArticleIn
from tocsin.contract.codec import decode_event
from tocsin.contract.events import Event
from tocsin.extraction.pipeline import extract
from tocsin.localbroker import QUICK_START_JVM_OPTIONS, LocalBroker

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

ARTICLES = 240
WORKERS = 4
PAUSE_S = 0.05  # between two articles of one worker: a steady stream, not a burst
PUBLISH_TIMEOUT = 2.0  # the service answers 503 after this long without acks
DOWN_S = 3.0  # the broker stays stopped this long before it is started again
CLIENT_DEADLINE_S = 120.0  # the whole feed, outage included; a hang fails here
CITIES = [("Khartoum", "SD"), ("Nairobi", "KE"), ("Kinshasa", "CD"),
          ("Bamako", "ML"), ("Kabul", "AF"), ("Caracas", "VE")]  # fmt: skip
T0 = dt.datetime(2024, 5, 2, 8, 0, tzinfo=dt.UTC)
TODAY = dt.date(2024, 5, 10)


def _articles(token: str) -> list[ArticleIn]:
    articles = []
    for i in range(ARTICLES):
        city, _ = CITIES[i % len(CITIES)]
        body = (
            f"At least {3 + i} people were killed in {city} on Wednesday, medics said. "
            f'"We will restore order, step {i}," the interior minister said in {city}.'
        )
        articles.append(
            ArticleIn(
                id=f"restart-{token}-{i}", body=body, published_at=T0 + dt.timedelta(minutes=i)
            )
        )
    return articles


def _events(article: ArticleIn) -> list[Event]:
    """The events the service extracts from ``article`` (ids do not depend on the clock)."""
    return extract(article.resolve(received_at=T0), extracted_at=T0)


@dataclass
class Feed:
    """The client's side of the run: answers seen and results, filled by the feed thread."""

    statuses: collections.Counter[int] = field(default_factory=collections.Counter)
    requests: int = 0
    accepted: dict[str, list[str]] = field(default_factory=dict)
    """Article id → event ids, from every 202 answer."""
    results: list[Result] = field(default_factory=list)
    error: BaseException | None = None
    waves: list[threading.Event] = field(
        default_factory=lambda: [threading.Event() for _ in range(3)]
    )

    def wave(self, index: int) -> threading.Event:
        """The gate of the wave article ``index`` belongs to."""
        return self.waves[min(2, index * 3 // ARTICLES)]


async def _feed(url: str, articles: list[ArticleIn], feed: Feed) -> None:
    async def on_request(_: httpx.Request) -> None:
        feed.requests += 1

    async def on_response(response: httpx.Response) -> None:
        feed.statuses[response.status_code] += 1
        if response.status_code == 202:
            await response.aread()
            body = response.json()
            feed.accepted[body["article_id"]] = [e["event_id"] for e in body["events"]]

    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(len(articles)):
        queue.put_nowait(i)
    results: dict[int, Result] = {}
    async with httpx.AsyncClient(
        base_url=url,
        timeout=PUBLISH_TIMEOUT + 15,
        event_hooks={"request": [on_request], "response": [on_response]},
    ) as http:
        # Retry-After says 5 s; capped at 1 s so the test does not idle after the restart.
        client = IngestClient(http, RetryPolicy(attempts=80, first_delay_s=0.2, max_delay_s=1.0))

        async def worker() -> None:
            while not queue.empty():
                i = queue.get_nowait()
                await asyncio.to_thread(feed.wave(i).wait)
                results[i] = await client.send_one(Source(f"article {i}", articles[i]))
                await asyncio.sleep(PAUSE_S)

        await asyncio.wait_for(
            asyncio.gather(*(worker() for _ in range(WORKERS))), CLIENT_DEADLINE_S
        )
    feed.results = [results[i] for i in range(len(articles))]


def _run_feed(url: str, articles: list[ArticleIn], feed: Feed) -> None:
    try:
        asyncio.run(_feed(url, articles, feed))
    except BaseException as exc:  # reported by the test, not lost on the thread
        feed.error = exc


@contextmanager
def _private_broker(data_dir: Path) -> Iterator[LocalBroker]:
    broker = LocalBroker(
        data_dir, port=free_port(), controller_port=free_port(), jvm_options=QUICK_START_JVM_OPTIONS
    )
    broker.start(timeout=120)
    try:
        yield broker
    finally:
        broker.stop()


def _wait_for(what: str, condition: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {timeout:.0f}s"
        time.sleep(0.05)


def test_every_accepted_article_counts_once_across_a_broker_restart(tmp_path: Path) -> None:
    """Stopped and restarted mid-stream, the broker loses nothing the service answered 202
    for, and the aggregator counts every event once; the client gets every article in."""
    articles = _articles(uuid.uuid4().hex[:8])
    expected_ids = {a.id: [e.event_id for e in _events(a)] for a in articles}
    expected = Totals(20)
    for article in articles:
        for event in _events(article):
            expected.apply(event)
    countries = {country for _, country in CITIES}

    with _private_broker(tmp_path / "kafka") as broker:
        bootstrap = broker.bootstrap
        with (
            ingest_service(bootstrap, tmp_path / "ingest", publish_timeout=PUBLISH_TIMEOUT) as url,
            aggregator_service(
                bootstrap, tmp_path / "agg", group="restart", today=TODAY.isoformat()
            ) as agg,
        ):
            feed = Feed()
            feeder = threading.Thread(target=_run_feed, args=(url, articles, feed), daemon=True)
            started = time.monotonic()
            feed.waves[0].set()
            feeder.start()
            try:
                _wait_for("a sixth accepted", lambda: len(feed.accepted) >= ARTICLES // 6, 60)
                down_at = time.monotonic()
                broker.stop()
                accepted_when_down = len(feed.accepted)
                feed.waves[1].set()
                time.sleep(DOWN_S)
                broker.start(timeout=120)
                up_at = time.monotonic()
                feed.waves[2].set()
            finally:
                for wave in feed.waves:  # never leave the feeder waiting on a gate
                    wave.set()
                feeder.join(CLIENT_DEADLINE_S + 30)
            assert not feeder.is_alive(), "the feed did not finish"
            assert feed.error is None, repr(feed.error)
            fed_in = time.monotonic() - started

            # The client got every article in, and the service answered each with the
            # events its text yields.
            outcomes = collections.Counter(r.status for r in feed.results)
            assert outcomes["accepted"] + outcomes["duplicate"] == ARTICLES, feed.results
            assert feed.accepted == expected_ids
            assert feed.statuses[503] > 0, "the stream never met the outage"

            # Every event of every accepted article is on the topics (repeats allowed:
            # a 503'd publish may land later and its retry publishes the same ids again).
            ends = end_offsets(bootstrap)
            on_topics = [decode_event(r.value).event_id for r in read_all(bootstrap)]
            distinct = set(on_topics)
            assert distinct == {i for ids in expected_ids.values() for i in ids}
            articles_on_topic = {
                r.key.decode() for r in read_all(bootstrap, [topics.ARTICLES]) if r.key
            }
            assert articles_on_topic == set(expected_ids)

            # The aggregator applied each event once: figures, and its own counters.
            wait_applied([agg.url], ends, timeout=90)
            want = expected_answers(expected, TODAY)
            assert settled_answers([agg.url], countries, want) == want
            applied = sum(
                metric(agg.url, "tocsin_aggregator_events_applied_total", type=t)
                for t in ("casualty", "statement")
            )
            dropped = sum(
                metric(agg.url, "tocsin_aggregator_duplicates_dropped_total", type=t)
                for t in ("casualty", "statement")
            )
            assert (applied, dropped) == (len(distinct), len(on_topics) - len(distinct))

    # What happened, for the record (shown with pytest -rP).
    print(
        f"[broker restart] {ARTICLES} articles in {fed_in:.1f}s; broker down "
        f"{up_at - down_at:.1f}s (stop + {DOWN_S:.0f}s + start) after "
        f"{accepted_when_down} accepted; {feed.requests} requests, answers "
        f"{dict(sorted(feed.statuses.items()))}; {len(on_topics) - len(distinct)} "
        f"repeated events on the topics"
    )
