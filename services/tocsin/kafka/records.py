"""What Tocsin writes to Kafka for one article: pure functions, no client involved.

Keys keep related records ordered: the raw article is keyed by article id, and
every event by its country (``ZZ`` when unknown), so all events about one
country land on one partition in publication order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tocsin.contract import topics
from tocsin.contract.article import Article
from tocsin.contract.codec import CONTENT_TYPE, encode
from tocsin.contract.events import SCHEMA_VERSION, Event

Headers = list[tuple[str, bytes]]


@dataclass(frozen=True, slots=True)
class Record:
    """One Kafka record to send."""

    topic: str
    key: bytes
    value: bytes
    headers: Headers


def _headers(kind: str) -> Headers:
    return [
        ("event-type", kind.encode()),
        ("schema-version", str(SCHEMA_VERSION).encode()),
        ("content-type", CONTENT_TYPE.encode()),
    ]


def event_key(event: Event) -> bytes:
    """The partition key of an event: its country code."""
    return (event.country or topics.UNKNOWN_COUNTRY_KEY).encode()


def article_records(article: Article, events: Sequence[Event]) -> list[Record]:
    """The raw article record followed by one record per event."""
    records = [Record(topics.ARTICLES, article.id.encode(), encode(article), _headers("article"))]
    records.extend(
        Record(topics.event_topic(e.type), event_key(e), encode(e), _headers(e.type))
        for e in events
    )
    return records
