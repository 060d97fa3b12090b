"""A consumer-group member with manual offsets: the consumer adapter behind the aggregator.

kafka-python's ``KafkaConsumer`` is wrapped so that callers see plain values
(``Message``, ``(topic, partition)`` tuples) and Tocsin's errors, never the
library's types.

Positions are the caller's business, not Kafka's: auto-commit is off, and a
newly assigned partition starts *paused*. The rebalance listener only pauses it
and tells the handler; the caller then loads its own state, calls
``start_at(tp, offset)`` (which seeks and resumes) and only then does the
partition fetch. So no record is ever read from an offset the caller did not
choose (such as a stale offset committed to Kafka).

kafka-python 3.x runs rebalance listeners on its I/O thread while the caller's
thread waits inside ``poll()`` (or ``close()``); a listener must return quickly
and must not call blocking consumer methods. The handler here is told about
revocations and assignments and does nothing else; all I/O happens after
``poll()`` returns, on the caller's thread.

The range assignor is used on purpose: when every topic has the same partition
count, it gives partition *n* of every subscribed topic to the same member, so
the events of one key (a country) of all types meet on one instance.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from kafka import ConsumerRebalanceListener, KafkaConsumer, TopicPartition
from kafka.coordinator.assignors.range import RangePartitionAssignor
from kafka.errors import KafkaError, RetriableError
from kafka.structs import OffsetAndMetadata

from tocsin.errors import BrokerError, BrokerUnavailableError
from tocsin.kafka.client import client_options
from tocsin.kafka.diagnosis import connect_error
from tocsin.settings import KafkaSettings

log = logging.getLogger(__name__)

TP = tuple[str, int]
"""(topic, partition)."""


@dataclass(frozen=True, slots=True)
class Message:
    """One consumed record."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    timestamp_ms: int | None


class RebalanceHandler(Protocol):
    """Told, on Kafka's I/O thread, which partitions were revoked, lost or assigned."""

    def partitions_revoked(self, tps: frozenset[TP]) -> None:
        """Stop using ``tps`` now: they may already be another member's."""

    def partitions_assigned(self, tps: frozenset[TP]) -> None:
        """``tps`` are now ours, paused until ``GroupConsumer.start_at`` positions them."""


def _translate(exc: KafkaError, doing: str) -> BrokerError:
    if isinstance(exc, RetriableError):
        return BrokerUnavailableError(f"{doing}: {exc}")
    return BrokerError(f"{doing}: {exc}")


def _tp(tp: TopicPartition) -> TP:
    return (tp.topic, tp.partition)


class _Listener(ConsumerRebalanceListener):  # type: ignore[misc]  # kafka-python is untyped
    """Pause what is assigned; report both directions to the handler."""

    def __init__(self, handler: RebalanceHandler) -> None:
        self.handler = handler
        self.consumer: Any = None

    def on_partitions_revoked(self, revoked: Iterable[TopicPartition]) -> None:
        self.handler.partitions_revoked(frozenset(_tp(tp) for tp in revoked))

    def on_partitions_assigned(self, assigned: Iterable[TopicPartition]) -> None:
        assigned = list(assigned)
        if assigned:
            # Nothing is fetched until the caller positions each partition (start_at).
            self.consumer.pause(*assigned)
        self.handler.partitions_assigned(frozenset(_tp(tp) for tp in assigned))


class GroupConsumer:
    """A member of ``group_id`` reading ``topics`` with manual, caller-chosen positions."""

    def __init__(
        self,
        settings: KafkaSettings,
        *,
        group_id: str,
        topics: Sequence[str],
        handler: RebalanceHandler,
        max_poll_records: int,
        session_timeout_s: float,
        instance_id: str | None = None,
        role: str = "aggregator",
    ) -> None:
        self._timeout_s = settings.request_timeout_s
        timeout_ms = int(settings.request_timeout_s * 1000)
        listener = _Listener(handler)
        session_ms = int(session_timeout_s * 1000)
        try:
            consumer = KafkaConsumer(
                **client_options(settings, role),
                group_id=group_id,
                group_instance_id=instance_id,
                enable_auto_commit=False,
                # Only reached when a stored offset is no longer on the broker.
                auto_offset_reset="earliest",
                allow_auto_create_topics=False,
                partition_assignment_strategy=(RangePartitionAssignor,),
                max_poll_records=max_poll_records,
                session_timeout_ms=session_ms,
                heartbeat_interval_ms=max(100, session_ms // 3),
                # A rebalance waits this long for members to rejoin; a batch takes well
                # under a second, so a minute bounds a stall without false evictions.
                max_poll_interval_ms=60_000,
                # kafka-python requires fetch_max_wait_ms < request_timeout_ms.
                fetch_max_wait_ms=min(500, max(1, timeout_ms // 2)),
            )
        except RetriableError as exc:
            raise connect_error(settings, exc) from exc
        except KafkaError as exc:
            raise _translate(exc, f"cannot reach Kafka at {settings.bootstrap}") from exc
        listener.consumer = consumer
        try:
            consumer.subscribe(topics=list(topics), listener=listener)
        except KafkaError as exc:
            consumer.close(autocommit=False)
            raise _translate(exc, "cannot subscribe") from exc
        self._consumer = consumer

    def poll(self, timeout_s: float, max_records: int | None = None) -> dict[TP, list[Message]]:
        """Records of the positioned partitions, by partition (empty after ``timeout_s``)."""
        try:
            batches = self._consumer.poll(timeout_ms=int(timeout_s * 1000), max_records=max_records)
        except KafkaError as exc:
            raise _translate(exc, "cannot poll") from exc
        return {
            _tp(tp): [
                Message(r.topic, r.partition, r.offset, r.key, r.value, r.timestamp)
                for r in records
            ]
            for tp, records in batches.items()
        }

    def start_at(self, tp: TP, offset: int | None) -> None:
        """Fetch ``tp`` from ``offset`` (from its beginning when None) and resume it."""
        partition = TopicPartition(*tp)
        try:
            if offset is None:
                self._consumer.seek_to_beginning(partition)
            else:
                self._consumer.seek(partition, offset)
        except ValueError as exc:  # no longer assigned: a newer rebalance took it
            raise BrokerError(f"cannot position {tp[0]}[{tp[1]}]: {exc}") from exc
        self._consumer.resume(partition)

    def end_offsets(self, tps: Iterable[TP], timeout_s: float | None = None) -> dict[TP, int]:
        """The offset the next record of each partition will get."""
        wanted = [TopicPartition(*tp) for tp in tps]
        if not wanted:
            return {}
        timeout = self._timeout_s if timeout_s is None else timeout_s
        try:
            found = self._consumer.end_offsets(wanted, timeout_ms=int(timeout * 1000))
        except KafkaError as exc:
            raise _translate(exc, "cannot read end offsets") from exc
        return {_tp(tp): int(offset) for tp, offset in found.items()}

    def position(self, tp: TP) -> int | None:
        """The offset of the next record to fetch, None when not known yet (no network wait)."""
        try:
            position = self._consumer.position(TopicPartition(*tp), timeout_ms=0)
        except KafkaError:
            return None
        return None if position is None else int(position)

    def highwater(self, tp: TP) -> int | None:
        """The end offset seen in the latest fetch response, None before the first."""
        try:
            highwater = self._consumer.highwater(TopicPartition(*tp))
        except KafkaError:
            return None
        return None if highwater is None else int(highwater)

    def commit(self, offsets: Mapping[TP, int], *, wait: bool) -> None:
        """Commit ``offsets`` to the group (asynchronously unless ``wait``)."""
        if not offsets:
            return
        payload = {TopicPartition(*tp): OffsetAndMetadata(o, "", -1) for tp, o in offsets.items()}
        try:
            if wait:
                self._consumer.commit(payload, timeout_ms=int(self._timeout_s * 1000))
            else:
                self._consumer.commit_async(payload, callback=_log_commit_failure)
        except KafkaError as exc:
            raise _translate(exc, "cannot commit offsets") from exc

    def close(self) -> None:
        """Leave the group (revoking every partition first) and disconnect."""
        try:
            self._consumer.close(autocommit=False, timeout_ms=int(self._timeout_s * 1000))
        except KafkaError as exc:
            log.warning("consumer did not close cleanly: %s", exc)


def _log_commit_failure(_offsets: object, response: object) -> None:
    if isinstance(response, Exception):
        log.info("offset commit to Kafka failed (lag reporting only): %s", response)
