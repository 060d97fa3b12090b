"""The aggregator's consumer loop: poll, apply, dead-letter, commit, on one thread.

Exactly once, across crashes and restarts
-----------------------------------------
Each poll batch is applied to the in-memory states, its dead letters are sent
and acknowledged, and then one SQLite transaction stores the changed figures,
the recent-ids windows and the next offset of every partition the batch touched
(``store``). On assignment each partition is positioned at its stored offset
(its beginning when none), never at the offset committed to Kafka, so processing
resumes just after the last batch whose effects are stored: a crash between
applying and storing loses the in-memory effects and the same records are
applied again, once. Repeats that upstream published twice carry the same event
id and are dropped by the per-partition id window. Offsets are also committed to
Kafka after the SQLite commit, for lag tooling only.

Dead letters are at least once: a crash after a dead letter's ack and before the
SQLite commit sends it again on restart. Its ``source-topic``, ``source-partition``
and ``source-offset`` headers identify the original, for readers that dedupe.

Any broker or store failure in a cycle rolls every partition back to its stored
state and position and the loop carries on; a broker failure that persists
makes it leave the group and join again after a pause.

When the state store cannot be written (disk full, I/O error, read-only file)
nothing advances: the batch's transaction is rolled back whole, the in-memory
states are reloaded from the store at once (so the figures served are the
stored ones again), no offset is committed to Kafka, and the table records the
reason, so ``/readyz`` answers 503 with it. The loop keeps its partitions and
retries the same records after a pause that doubles up to ``_STORE_RETRY_MAX_S``;
the first batch stored again clears the reason, so the service recovers by
itself once space comes back. Staying in the group rather than leaving it is
deliberate: another member could take the partitions over, but rejoining would
hand them straight back to this one under the range assignor, and the churn
would stall the healthy members too. Dead letters already acknowledged for the
failed batch are not sent again on each retry.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass

from tocsin.aggregator.batch import BatchResult, ConsumedRecord, apply_batch
from tocsin.aggregator.deadletters import Rejection, dead_letter_headers
from tocsin.aggregator.metrics import AggregatorMetrics
from tocsin.aggregator.partitions import PartitionTable
from tocsin.aggregator.state import TopicPartition
from tocsin.aggregator.store import StateStore, StoreError
from tocsin.contract.events import EventType
from tocsin.errors import BrokerError
from tocsin.kafka.admin import ensure_topics
from tocsin.kafka.blocking_producer import BlockingProducer, RawRecord
from tocsin.kafka.group_consumer import GroupConsumer, Message
from tocsin.kafka.topic_info import describe_topics
from tocsin.settings import AggregatorSettings, KafkaSettings

log = logging.getLogger(__name__)

_RETRY_S = 1.0  # pause after a failed cycle before trying again
_KAFKA_COMMIT_EVERY_S = 1.0  # offsets in Kafka are for lag tools; no need to send each batch
_STORE_RETRY_MAX_S = 10.0  # longest pause between two attempts to store a failed batch
_BROKER_FAILURES_BEFORE_REJOIN = 3


@dataclass(frozen=True, slots=True)
class Topics:
    """The topics the aggregator reads (by event type) and writes dead letters to."""

    events: Mapping[EventType, str]
    deadletter: str

    @property
    def all(self) -> list[str]:
        """Every topic the aggregator needs."""
        return [*self.events.values(), self.deadletter]


class ConsumerLoop:
    """Consumes the event topics as one member of the group, until told to stop."""

    def __init__(
        self,
        *,
        kafka: KafkaSettings,
        settings: AggregatorSettings,
        topics: Topics,
        store: StateStore,
        table: PartitionTable,
        metrics: AggregatorMetrics,
    ) -> None:
        self._kafka = kafka
        self._settings = settings
        self._topics = topics
        self._types = {name: t for t, name in topics.events.items()}
        self._store = store
        self._table = table
        self._metrics = metrics
        self._deadletters = BlockingProducer(
            kafka, timeout_s=settings.deadletter_timeout_s, role="aggregator-deadletter"
        )
        self._unsaved = False
        self._save_failed = False
        # Kept across rejoins: the reason stays on /readyz until the store works again.
        self._store_failures = 0
        # Records whose dead letters were acknowledged but whose offsets are not stored yet.
        self._lettered: set[tuple[TopicPartition, int]] = set()
        self._last_kafka_commit = 0.0
        self.failure: str | None = None
        """Why the loop stopped for good (a bug), or None while it runs."""

    # --- RebalanceHandler: called on Kafka's I/O thread, must not block ---

    def partitions_revoked(self, tps: frozenset[TopicPartition]) -> None:
        """Stop exporting ``tps`` at once."""
        if tps:
            log.info("revoked %s", _names(tps))
        self._table.revoke(tps)

    def partitions_assigned(self, tps: frozenset[TopicPartition]) -> None:
        """Note ``tps``; they are loaded and positioned after the current poll."""
        if tps:
            log.info("assigned %s", _names(tps))
        self._table.assign(tps)

    # --- the loop ---

    def run(self, stop: threading.Event) -> None:
        """Consume until ``stop`` is set; then store, commit, leave the group and return."""
        try:
            self._run(stop)
        except Exception as exc:  # a bug: say so on /healthz rather than die silently
            self.failure = f"{type(exc).__name__}: {exc}"
            log.exception("the consumer loop stopped")
        finally:
            self._deadletters.close()

    def _run(self, stop: threading.Event) -> None:
        if not self._ensure_topics(stop):
            return
        while not stop.is_set():
            try:
                consumer = self._join()
            except BrokerError as exc:
                log.warning("cannot join group %s, retrying: %s", self._settings.group_id, exc)
                self._table.broker_failed(f"cannot join group {self._settings.group_id}: {exc}")
                stop.wait(_RETRY_S)
                continue
            self._table.broker_failed(None)
            try:
                self._consume(consumer, stop)
            except (BrokerError, StoreError) as exc:
                log.warning("leaving the group after a persistent failure: %s", exc)
            else:
                return  # stopped
            finally:
                self._leave(consumer)
            stop.wait(_RETRY_S)

    def _ensure_topics(self, stop: threading.Event) -> bool:
        """Create missing topics (retrying while the broker is away); False if stopped first."""
        while not stop.is_set():
            try:
                ensure_topics(self._kafka, self._topics.all)
                counts = {
                    name: info.partitions
                    for name, info in describe_topics(
                        self._kafka, self._topics.events.values()
                    ).items()
                }
            except BrokerError as exc:
                log.warning("topics not ensured yet, retrying: %s", exc)
                self._table.broker_failed(f"cannot create or describe the topics: {exc}")
                stop.wait(_RETRY_S)
                continue
            if len(set(counts.values())) > 1:
                log.warning(
                    "event topics have different partition counts %s: a country's events of "
                    "different types may then be exported by different instances",
                    counts,
                )
            return True
        return False

    def _join(self) -> GroupConsumer:
        consumer = GroupConsumer(
            self._kafka,
            group_id=self._settings.group_id,
            topics=list(self._topics.events.values()),
            handler=self,
            max_poll_records=self._settings.max_poll_records,
            session_timeout_s=self._settings.session_timeout_s,
            instance_id=self._settings.instance_id,
        )
        log.info("consuming as a member of group %s", self._settings.group_id)
        return consumer

    def _leave(self, consumer: GroupConsumer) -> None:
        """Commit stored offsets to Kafka, leave the group, forget every partition."""
        offsets = {s.tp: s.next_offset for s in self._table.states() if s.next_offset is not None}
        if not self._unsaved:
            try:
                consumer.commit(offsets, wait=True)
            except BrokerError as exc:
                log.info("final offset commit to Kafka failed (lag reporting only): %s", exc)
        consumer.close()
        # Unsaved effects, if any, are dropped with the states: a new member reloads them.
        self._table.clear()
        self._unsaved = False
        log.info("left group %s", self._settings.group_id)

    def _consume(self, consumer: GroupConsumer, stop: threading.Event) -> None:
        broker_failures = 0
        while not stop.is_set():
            try:
                batch = consumer.poll(self._settings.poll_timeout_s)
                self._start_new(consumer)
                if batch:
                    self._apply(consumer, batch)
                self._observe(consumer)
            except BrokerError as exc:
                broker_failures += 1
                if broker_failures > _BROKER_FAILURES_BEFORE_REJOIN:
                    raise
                log.warning("cycle failed (%d in a row), rolling back: %s", broker_failures, exc)
                self._rollback(consumer)
                stop.wait(_RETRY_S)
            except StoreError as exc:
                self._store_failures += 1
                self._stall(consumer, exc)
                stop.wait(store_retry_delay(self._store_failures))
            else:
                broker_failures = 0
                # A failed save is over only once a batch is stored; a failed load once a
                # cycle went through.
                if self._store_failures and not self._save_failed:
                    log.warning("state store works again after %d failures", self._store_failures)
                    self._store_failures = 0
                    self._table.store_failed(None)

    def _stall(self, consumer: GroupConsumer, exc: StoreError) -> None:
        """Say why nothing advances, and go back to the stored states and offsets."""
        self._table.store_failed(str(exc))
        if self._store_failures == 1:
            log.error("cannot store the state; holding every offset until it can: %s", exc)
        else:
            log.warning("state store still failing (%d attempts): %s", self._store_failures, exc)
        # Straight away, not after the pause: the figures served must be the stored ones.
        # If even reading fails, this raises and the loop leaves the group (states dropped).
        self._rollback(consumer)

    def _start_new(self, consumer: GroupConsumer) -> None:
        """Load newly assigned partitions, position them, learn their end offsets."""
        unloaded = self._table.unloaded()
        if unloaded:
            stored = self._store.offsets(unloaded)
            for tp in unloaded:
                parked = self._table.take_parked(tp)
                # A parked state equals the stored one (every batch is stored before the
                # next poll), unless a failure intervened: then trust the store.
                state = (
                    parked
                    if parked is not None and parked.next_offset == stored.get(tp)
                    else self._store.load(tp)
                )
                if self._table.adopt(state):
                    consumer.start_at(tp, state.next_offset)
            self._table.forget_parked()
        untargeted = self._table.untargeted()
        if untargeted:
            ends = consumer.end_offsets(untargeted)
            for tp, end in ends.items():
                loaded = self._table.state(tp)
                resume = None if loaded is None else loaded.next_offset
                if resume is not None and resume > end:
                    log.warning(
                        "%s[%d]: stored offset %d is past the end %d; was the topic recreated? "
                        "Delete the state database to rebuild.",
                        *tp, resume, end,
                    )  # fmt: skip
                self._table.set_target(tp, end)

    def _apply(
        self, consumer: GroupConsumer, batch: Mapping[TopicPartition, list[Message]]
    ) -> None:
        """Apply one poll batch, dead-letter what cannot be applied, then store it all."""
        started = time.perf_counter()
        self._unsaved = True
        result = apply_batch(self._table, batch, self._types)
        letters = [
            self._dead_letter(tp, r, why)
            for tp, r, why in result.rejected
            if (tp, r.offset) not in self._lettered
        ]
        # The offset may pass a bad record only once its dead letter is acknowledged.
        self._deadletters.send_all(letters)
        self._lettered.update((tp, r.offset) for tp, r, _ in result.rejected)
        changes = [c for s in result.touched if (c := s.take_changes()) is not None]
        try:
            self._store.save(changes)
        except StoreError:
            self._save_failed = True
            raise
        self._save_failed = False
        self._lettered.clear()
        self._unsaved = False
        self._count(result)
        self._commit_to_kafka(consumer)
        self._metrics.apply_seconds.observe(time.perf_counter() - started)

    def _dead_letter(
        self, tp: TopicPartition, record: ConsumedRecord, rejection: Rejection
    ) -> RawRecord:
        topic, partition = tp
        log.warning(
            "dead-lettering %s[%d]@%d: %s", topic, partition, record.offset, rejection.detail
        )
        headers = dead_letter_headers(
            rejection, topic=topic, partition=partition, offset=record.offset
        )
        return RawRecord(self._topics.deadletter, record.key, record.value, headers)

    def _count(self, result: BatchResult) -> None:
        for event_type, n in result.applied.items():
            self._metrics.events_applied.labels(event_type).inc(n)
        for event_type, n in result.duplicates.items():
            self._metrics.duplicates_dropped.labels(event_type).inc(n)
        for _, _, rejection in result.rejected:
            self._metrics.dead_lettered.labels(rejection.reason).inc()

    def _commit_to_kafka(self, consumer: GroupConsumer) -> None:
        now = time.monotonic()
        if now - self._last_kafka_commit < _KAFKA_COMMIT_EVERY_S:
            return
        self._last_kafka_commit = now
        offsets = {s.tp: s.next_offset for s in self._table.states() if s.next_offset is not None}
        try:
            consumer.commit(offsets, wait=False)
        except BrokerError as exc:  # lag reporting only: never worth failing a batch for
            log.info("offset commit to Kafka failed: %s", exc)

    def _observe(self, consumer: GroupConsumer) -> None:
        """Record positions and end offsets; exports partitions that caught up."""
        for state in self._table.states():
            position = consumer.position(state.tp)
            if position is None or (state.next_offset is not None and state.next_offset > position):
                position = state.next_offset
            self._table.progress(state.tp, position, consumer.highwater(state.tp))

    def _rollback(self, consumer: GroupConsumer) -> None:
        """Reload every partition's stored state and resume from its stored offset."""
        if not self._unsaved:
            return
        with self._table.mutating():
            for state in self._table.states():
                fresh = self._store.load(state.tp)
                if self._table.adopt(fresh):
                    consumer.start_at(fresh.tp, fresh.next_offset)
        self._unsaved = False


def store_retry_delay(failures: int) -> float:
    """Seconds to wait after the ``failures``-th store failure in a row: 1, 2, 4, … up to 10."""
    doublings = min(max(failures, 1) - 1, 16)  # bounded: the count may grow for days
    return min(_RETRY_S * 2.0**doublings, _STORE_RETRY_MAX_S)


def _names(tps: frozenset[TopicPartition]) -> str:
    return ", ".join(f"{t}[{p}]" for t, p in sorted(tps))
