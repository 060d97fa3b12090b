"""Read decoded events from the event topics: the consumer adapter behind ``tocsin tail``.

The subscriber is an observer, not a member of any consumer group: it assigns
itself every partition of the topics it reads and seeks to the beginning or the
end. A group would add nothing here and cost something: tail commits nothing
(a second run should start where the user asks, not where the last one
stopped), a throwaway group id would leave a dead group on the broker per run,
and joining would wait for a rebalance before the first record. Manual
assignment needs no group coordinator at all.

Every record comes out as either a ``ReceivedEvent`` or a ``BadMessage``; a
record that does not decode never stops the iteration. kafka-python errors are
translated into ``tocsin.errors`` here.

Iteration ends after ``max_events`` matching events, after ``idle_timeout_s``
without any record, or when the caller stops; otherwise it follows the topics
for ever, like ``tail -f``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Self

from kafka import KafkaConsumer, TopicPartition
from kafka.errors import KafkaError, RetriableError

from tocsin.contract import topics
from tocsin.contract.codec import decode_event
from tocsin.contract.events import EVENT_TYPES, Event, EventType
from tocsin.errors import BrokerError, BrokerUnavailableError, ContractError
from tocsin.kafka.client import client_options
from tocsin.kafka.diagnosis import connect_error
from tocsin.kafka.topic_info import describe_topics
from tocsin.settings import KafkaSettings

log = logging.getLogger(__name__)

# Pause between metadata checks while a just-created topic gets its leaders.
_METADATA_RETRY_S = 0.2


@dataclass(frozen=True, slots=True)
class ReceivedEvent:
    """An event read from Kafka, with where it was read and the bytes as sent."""

    event: Event
    topic: str
    partition: int
    offset: int
    value: bytes


@dataclass(frozen=True, slots=True)
class BadMessage:
    """A record that could not be read as an event of its topic's type."""

    topic: str
    partition: int
    offset: int
    reason: str


Received = ReceivedEvent | BadMessage


def _translate(exc: KafkaError, doing: str) -> BrokerError:
    """Map a kafka-python error to Tocsin's: retriable ones (timeouts, lost connections,
    stale metadata) mean 'unavailable, try later'; the rest are plain broker errors."""
    if isinstance(exc, RetriableError):
        return BrokerUnavailableError(f"{doing}: {exc}")
    return BrokerError(f"{doing}: {exc}")


class EventSubscriber:
    """Iterate events of the chosen types and countries from Tocsin's event topics.

    ``countries`` holds ISO codes; ``ZZ`` also matches events whose country is
    unknown, as in their partition key. ``topic_names`` maps each event type to
    the topic it is read from (Tocsin's topics by default; tests pass their own).
    Use as a context manager, or call ``close()``.
    """

    def __init__(
        self,
        settings: KafkaSettings,
        *,
        types: Collection[EventType] = EVENT_TYPES,
        countries: Collection[str] | None = None,
        article_ids: Collection[str] | None = None,
        from_beginning: bool = False,
        poll_timeout_s: float = 1.0,
        max_events: int | None = None,
        idle_timeout_s: float | None = None,
        topic_names: Mapping[EventType, str] = topics.EVENT_TOPICS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not types:
            raise ValueError("types must name at least one event type")
        if poll_timeout_s <= 0:
            raise ValueError("poll_timeout_s must be positive")
        if max_events is not None and max_events < 1:
            raise ValueError("max_events must be at least 1")
        if idle_timeout_s is not None and idle_timeout_s <= 0:
            raise ValueError("idle_timeout_s must be positive")
        self._settings = settings
        self._types = frozenset(types)
        # One topic per type; the dict keeps the caller's order and drops repeats.
        self._topic_types = {topic_names[t]: t for t in dict.fromkeys(types)}
        self._countries = None if countries is None else frozenset(c.upper() for c in countries)
        self._article_ids = None if article_ids is None else frozenset(article_ids)
        self._from_beginning = from_beginning
        self._poll_timeout_s = poll_timeout_s
        self._max_events = max_events
        self._idle_timeout_s = idle_timeout_s
        self._clock = clock
        self._consumer: Any = None

    @property
    def topics(self) -> list[str]:
        """The topics this subscriber reads."""
        return list(self._topic_types)

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def open(self) -> None:
        """Connect, assign every partition and fix the start offsets; idempotent.

        Events published after ``open()`` returns are seen even without
        ``from_beginning``: the "latest" offsets are resolved here, not lazily.
        """
        if self._consumer is not None:
            return
        partitions = self._partitions()
        timeout_ms = int(self._settings.request_timeout_s * 1000)
        try:
            consumer = KafkaConsumer(
                **client_options(self._settings, "tail"),
                group_id=None,
                enable_auto_commit=False,
                auto_offset_reset="earliest" if self._from_beginning else "latest",
                allow_auto_create_topics=False,
                # kafka-python requires fetch_max_wait_ms < request_timeout_ms.
                fetch_max_wait_ms=min(500, max(1, timeout_ms // 2)),
            )
        except RetriableError as exc:
            raise connect_error(self._settings, exc) from exc
        except KafkaError as exc:
            raise _translate(exc, f"cannot reach Kafka at {self._settings.bootstrap}") from exc
        try:
            consumer.assign(partitions)
            if self._from_beginning:
                consumer.seek_to_beginning(*partitions)
            else:
                consumer.seek_to_end(*partitions)
            for tp in partitions:
                if consumer.position(tp, timeout_ms=timeout_ms) is None:
                    raise BrokerUnavailableError(
                        f"no offset for {tp.topic}[{tp.partition}] within "
                        f"{self._settings.request_timeout_s:g}s"
                    )
        except KafkaError as exc:
            consumer.close(autocommit=False)
            raise _translate(exc, "cannot position the consumer") from exc
        except BaseException:
            consumer.close(autocommit=False)
            raise
        self._consumer = consumer
        log.debug("assigned %s", ", ".join(f"{tp.topic}[{tp.partition}]" for tp in partitions))

    def _partitions(self) -> list[TopicPartition]:
        """Every partition of the wanted topics, waiting briefly for just-created ones."""
        wanted = self.topics
        deadline = self._clock() + self._settings.request_timeout_s
        while True:
            info = describe_topics(self._settings, wanted)
            not_ready = [t for t in wanted if t not in info or not info[t].ready]
            if not not_ready:
                return [TopicPartition(t, p) for t in wanted for p in range(info[t].partitions)]
            if self._clock() >= deadline:
                missing = ", ".join(not_ready)
                raise BrokerError(
                    f"topic(s) {missing} missing or without a leader on "
                    f"{self._settings.bootstrap}; create them with `tocsin topics create`"
                )
            time.sleep(_METADATA_RETRY_S)

    def close(self) -> None:
        """Leave the broker; nothing is committed, since nothing was joined."""
        consumer, self._consumer = self._consumer, None
        if consumer is not None:
            consumer.close(autocommit=False)

    def __iter__(self) -> Iterator[Received]:
        """Events that pass the filters, and every bad message, as they arrive."""
        self.open()
        seen = 0
        last_record = self._clock()
        poll_s = self._poll_timeout_s
        if self._idle_timeout_s is not None:
            poll_s = min(poll_s, self._idle_timeout_s)
        while True:
            try:
                batches = self._consumer.poll(timeout_ms=int(poll_s * 1000))
            except KafkaError as exc:
                raise _translate(exc, "cannot read events") from exc
            if not batches:
                idle = self._clock() - last_record
                if self._idle_timeout_s is not None and idle >= self._idle_timeout_s:
                    return
                continue
            last_record = self._clock()
            for records in batches.values():
                for record in records:
                    item = self._read(record)
                    if item is None:
                        continue
                    yield item
                    if isinstance(item, ReceivedEvent):
                        seen += 1
                        if self._max_events is not None and seen >= self._max_events:
                            return

    def _read(self, record: Any) -> Received | None:
        """Decode one record; None when it is a good event the filters leave out."""

        def bad(reason: str) -> BadMessage:
            return BadMessage(record.topic, record.partition, record.offset, reason)

        if record.value is None:
            return bad("empty value (tombstone)")
        try:
            event = decode_event(record.value)
        except ContractError as exc:
            return bad(str(exc))
        expected = self._topic_types[record.topic]
        if event.type != expected:
            return bad(f"a {event.type} event on the {expected} topic")
        if not self._wanted(event):
            return None
        return ReceivedEvent(event, record.topic, record.partition, record.offset, record.value)

    def _wanted(self, event: Event) -> bool:
        if event.type not in self._types:
            return False
        if self._article_ids is not None and event.article_id not in self._article_ids:
            return False
        country = event.country or topics.UNKNOWN_COUNTRY_KEY
        return self._countries is None or country in self._countries
