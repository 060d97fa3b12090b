"""Kafka topic names, in one place, and which message each topic carries."""

from __future__ import annotations

from typing import Final

from tocsin.contract.events import EventType

ARTICLES: Final = "tocsin.articles.v1"
DEADLETTER: Final = "tocsin.deadletter.v1"

EVENT_TOPICS: Final[dict[EventType, str]] = {
    "casualty": "tocsin.events.casualty.v1",
    "deployment": "tocsin.events.deployment.v1",
    "statement": "tocsin.events.statement.v1",
    "curfew": "tocsin.events.curfew.v1",
}

ALL_TOPICS: Final[tuple[str, ...]] = (ARTICLES, *EVENT_TOPICS.values(), DEADLETTER)

UNKNOWN_COUNTRY_KEY: Final = "ZZ"
"""Key for events whose country is unknown (ISO 3166 reserves ZZ for user assignment)."""


def event_topic(event_type: EventType) -> str:
    """The topic that carries events of ``event_type``."""
    return EVENT_TOPICS[event_type]
