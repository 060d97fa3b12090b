"""The state one topic-partition contributes: its totals, recent event ids and resume offset.

A ``PartitionState`` is what the store saves and loads as one unit, in the same
transaction as its offset. It remembers which figures changed since the last
save, so a save writes only those rows. No I/O here.

Deduplication is per partition: an event's topic is fixed by its type and its
partition by its key (the country), so every copy of an event id lands on the
same topic-partition, and a window of that partition's recent ids catches the
repeats (a re-posted article, a retried publish). The window is bounded; a
repeat older than the window is applied again, which changes no figure except
the statement count (see ``rules``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from tocsin.aggregator.rules import CurfewRecord, EntryKey, StatementLog, Totals
from tocsin.contract.events import Event

TopicPartition = tuple[str, int]
"""(topic, partition); kept free of kafka-python's type so this module stays pure."""

EntryValue = int | None | CurfewRecord | StatementLog


@dataclass(slots=True)
class Changes:
    """What to write for one partition: new resume offset, changed figures, id window moves."""

    tp: TopicPartition
    next_offset: int
    last_event_ts: float | None
    entries: list[tuple[EntryKey, EntryValue]] = field(default_factory=list)
    seen_added: list[tuple[str, int]] = field(default_factory=list)
    seen_removed: list[str] = field(default_factory=list)


class PartitionState:
    """Totals of one topic-partition, the ids applied lately, and where to resume."""

    def __init__(
        self,
        tp: TopicPartition,
        *,
        statements_kept: int,
        seen_capacity: int,
        next_offset: int | None = None,
        totals: Totals | None = None,
        seen: Iterable[tuple[str, int]] = (),
        last_event_ts: float | None = None,
    ) -> None:
        if seen_capacity < 1:
            raise ValueError("seen_capacity must be at least 1")
        self.tp = tp
        self.totals = totals if totals is not None else Totals(statements_kept)
        self.next_offset = next_offset
        """Offset of the next record to apply; None when nothing was ever applied."""
        self.last_event_ts = last_event_ts
        """Kafka timestamp (seconds) of the last event applied."""
        self._capacity = seen_capacity
        # Insertion-ordered: the first key is the oldest id, evicted first.
        self._seen: dict[str, int] = dict(seen)
        self._dirty: set[EntryKey] = set()
        self._seen_added: dict[str, int] = {}
        self._seen_removed: list[str] = []
        self._moved = False
        self._evict()

    def __contains__(self, event_id: object) -> bool:
        return event_id in self._seen

    @property
    def seen_count(self) -> int:
        """How many recent ids the window holds."""
        return len(self._seen)

    def apply(self, event: Event, *, offset: int, timestamp: float | None) -> bool:
        """Apply the event read at ``offset``; False (and nothing applied) for a repeat."""
        self._advance(offset)
        if event.event_id in self._seen:
            return False
        changed = self.totals.apply(event)
        if changed is not None:
            self._dirty.add(changed)
        self._seen[event.event_id] = offset
        self._seen_added[event.event_id] = offset
        self._evict()
        if timestamp is not None:
            self.last_event_ts = timestamp
        return True

    def skip(self, offset: int) -> None:
        """Move past a record that is not applied (it went to the dead-letter topic)."""
        self._advance(offset)

    def _advance(self, offset: int) -> None:
        if self.next_offset is not None and offset < self.next_offset:
            raise ValueError(
                f"{self.tp[0]}[{self.tp[1]}]: offset {offset} is before the resume offset "
                f"{self.next_offset}; records must be applied once, in order"
            )
        self.next_offset = offset + 1
        self._moved = True

    def _evict(self) -> None:
        while len(self._seen) > self._capacity:
            oldest = next(iter(self._seen))
            del self._seen[oldest]
            if self._seen_added.pop(oldest, None) is None:
                self._seen_removed.append(oldest)

    def take_changes(self) -> Changes | None:
        """What changed since the last call (None when nothing did); resets the tracking."""
        if not self._moved or self.next_offset is None:
            return None
        changes = Changes(
            tp=self.tp,
            next_offset=self.next_offset,
            last_event_ts=self.last_event_ts,
            entries=[(key, self.totals.value(key)) for key in sorted(self._dirty, key=repr)],
            seen_added=list(self._seen_added.items()),
            seen_removed=self._seen_removed,
        )
        self._dirty = set()
        self._seen_added = {}
        self._seen_removed = []
        self._moved = False
        return changes
