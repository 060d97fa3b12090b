"""Apply one poll batch to the partitions' in-memory states: decode, dedupe, fold. No I/O.

The consumer loop sends the rejected records to the dead-letter topic and
stores the touched states afterwards; the benchmark drives this same function.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from tocsin.aggregator.deadletters import Rejection, read_event
from tocsin.aggregator.partitions import PartitionTable
from tocsin.aggregator.state import PartitionState, TopicPartition
from tocsin.contract.events import EventType


class ConsumedRecord(Protocol):
    """What the batch needs of a consumed record (``tocsin.kafka.group_consumer.Message``)."""

    @property
    def offset(self) -> int:
        """Offset in its partition."""

    @property
    def key(self) -> bytes | None:
        """The record's key, as sent."""

    @property
    def value(self) -> bytes | None:
        """The record's bytes."""

    @property
    def timestamp_ms(self) -> int | None:
        """Kafka timestamp in milliseconds."""


@dataclass(slots=True)
class BatchResult:
    """What applying a batch did."""

    touched: list[PartitionState] = field(default_factory=list)
    rejected: list[tuple[TopicPartition, ConsumedRecord, Rejection]] = field(default_factory=list)
    applied: Counter[str] = field(default_factory=Counter)
    duplicates: Counter[str] = field(default_factory=Counter)


def apply_batch(
    table: PartitionTable,
    batch: Mapping[TopicPartition, Sequence[ConsumedRecord]],
    types: Mapping[str, EventType],
) -> BatchResult:
    """Apply ``batch`` (records by partition, in offset order) to the states in ``table``.

    ``types`` maps each topic to the event type it carries. Records of
    partitions without a state (revoked meanwhile) are left alone, and so are
    records before a state's resume offset (fetched before a rollback's seek).
    """
    # Decoding is most of the work: done before taking the lock readers wait on.
    decoded = {
        tp: [(record, read_event(record.value, types[tp[0]])) for record in records]
        for tp, records in batch.items()
    }
    result = BatchResult()
    with table.mutating():
        for tp, items in decoded.items():
            state = table.state(tp)
            if state is None:
                continue
            result.touched.append(state)
            for record, read in items:
                if state.next_offset is not None and record.offset < state.next_offset:
                    continue
                if isinstance(read, Rejection):
                    state.skip(record.offset)
                    result.rejected.append((tp, record, read))
                    continue
                stamp = None if record.timestamp_ms is None else record.timestamp_ms / 1000
                if state.apply(read, offset=record.offset, timestamp=stamp):
                    result.applied[read.type] += 1
                else:
                    result.duplicates[read.type] += 1
    return result
