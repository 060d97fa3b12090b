"""Accepting one article: dedupe, extract, publish, remember. No HTTP in here.

The answer for an article is given only after the broker acknowledged every
record of it; the index learns about it only then, so a failed publish leaves
nothing behind that would turn the client's retry into a false duplicate.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from tocsin.contract.article import Article, ArticleIn
from tocsin.errors import BrokerUnavailableError, PublishError, TocsinError
from tocsin.extraction.pipeline import extract
from tocsin.ingest.index import ArticleIndex, KnownArticle
from tocsin.ingest.metrics import IngestMetrics
from tocsin.kafka.records import Record, article_records

log = logging.getLogger(__name__)
# Extraction is CPU work on the event loop's thread. Above this size an article is
# extracted on a worker thread instead, so that one long article (a megabyte takes
# seconds) does not stall every other request; below it the hand-off would cost more
# than it saves. The GIL still serialises the work: this is about latency, not speed.
OFF_LOOP_BYTES = 64 * 1024


class RecordPublisher(Protocol):
    """Sends records and returns once all are acknowledged (see tocsin.kafka.publisher)."""

    async def publish(self, records: Sequence[Record]) -> None:
        """Publish ``records``; raise BrokerUnavailableError or PublishError on failure."""


class ArticleConflictError(TocsinError):
    """The id is known with other content and the client did not ask for a new revision."""

    def __init__(self, article_id: str, revision: int) -> None:
        super().__init__(
            f"article {article_id!r} was already accepted with different content "
            f"(revision {revision}); to replace it, send it again with "
            f'"revision": {revision + 1}'
        )
        self.article_id = article_id
        self.revision = revision


class TooManyEventsError(TocsinError):
    """The article yields more events than one article may publish."""

    def __init__(self, article_id: str, found: int, limit: int) -> None:
        super().__init__(
            f"article {article_id!r} yields {found} events; one article may yield at most "
            f"{limit} (TOCSIN_INGEST_MAX_EVENTS_PER_ARTICLE). Nothing was published: split "
            "the text into separate articles"
        )
        self.found = found
        self.limit = limit


@dataclass(frozen=True, slots=True)
class Accepted:
    """The outcome of an accepted (or already known) article."""

    article_id: str
    revision: int
    duplicate: bool
    events: list[tuple[str, str]]  # (event_id, type)


class IngestService:
    """Accepts articles; one instance per process, shared by all requests."""

    def __init__(
        self,
        *,
        publisher: RecordPublisher,
        index: ArticleIndex,
        metrics: IngestMetrics,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        max_events: int = 1000,
    ) -> None:
        self._max_events = max_events
        self._publisher = publisher
        self._index = index
        self._metrics = metrics
        self._clock = clock
        # Concurrent posts of one article wait for the first instead of publishing twice.
        self._inflight: dict[str, asyncio.Future[Accepted]] = {}

    async def accept(self, incoming: ArticleIn) -> Accepted:
        """Accept one validated article; raise a TocsinError when it cannot be accepted."""
        received_at = self._clock()
        article = incoming.resolve(received_at=received_at)
        while (pending := self._inflight.get(article.id)) is not None:
            # If the first attempt fails, this one tries for itself.
            with contextlib.suppress(TocsinError):
                await asyncio.shield(pending)
        known = self._index.get(article.id)
        if known is not None:
            if known.content_hash == article.content_hash:
                self._metrics.articles.labels("duplicate").inc()
                return Accepted(article.id, known.revision, True, known.events)
            if incoming.revision is None or incoming.revision <= known.revision:
                self._metrics.articles.labels("conflict").inc()
                raise ArticleConflictError(article.id, known.revision)
            # A higher revision replaces the article: published like a new one.
        return await self._publish_new(article, received_at)

    async def _publish_new(self, article: Article, received_at: dt.datetime) -> Accepted:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Accepted] = loop.create_future()
        self._inflight[article.id] = future
        try:
            result = await self._extract_and_publish(article, received_at)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: waiters may not exist
            raise
        else:
            future.set_result(result)
            return result
        finally:
            del self._inflight[article.id]

    async def _extract_and_publish(self, article: Article, received_at: dt.datetime) -> Accepted:
        started = time.perf_counter()
        if len(article.body) > OFF_LOOP_BYTES:
            events = await asyncio.to_thread(extract, article, extracted_at=received_at)
        else:
            events = extract(article, extracted_at=received_at)
        self._metrics.extraction_seconds.observe(time.perf_counter() - started)
        if len(events) > self._max_events:
            self._metrics.articles.labels("rejected").inc()
            raise TooManyEventsError(article.id, len(events), self._max_events)
        records = article_records(article, events)
        started = time.perf_counter()
        try:
            await self._publisher.publish(records)
        except BrokerUnavailableError as exc:
            log.warning("article %s not accepted, broker unavailable: %s", article.id, exc)
            self._metrics.publish_errors.labels("unavailable").inc()
            self._metrics.articles.labels("unavailable").inc()
            raise
        except PublishError as exc:
            log.warning("article %s refused by the broker: %s", article.id, exc)
            self._metrics.publish_errors.labels("refused").inc()
            self._metrics.articles.labels("rejected").inc()
            raise
        self._metrics.publish_seconds.observe(time.perf_counter() - started)
        ids: list[tuple[str, str]] = [(e.event_id, e.type) for e in events]
        self._index.put(KnownArticle(article.id, article.content_hash, article.revision, ids))
        self._metrics.articles.labels("accepted").inc()
        for e in events:
            self._metrics.events.labels(e.type).inc()
        return Accepted(article.id, article.revision, False, ids)
