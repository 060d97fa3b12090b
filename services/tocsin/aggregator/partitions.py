"""Which partitions this instance owns, which of them it exports, and how far each has got.

Why a partition is exported only once rebuilt, and not at all once revoked
---------------------------------------------------------------------------
Every instance of the group keeps its own state database. When a partition
moves to an instance, that instance's stored state for it is either absent or
older than the previous owner's, so it replays the partition from its own
stored offset (or the beginning) to rebuild the figures. Until the replay has
reached the end offset observed at assignment, the figures are incomplete and
exporting them would show a country's totals dropping and climbing back: such a
partition is assigned but not exported. The moment a partition is revoked (or
lost) it stops being exported, before the group hands it to another member.
Kafka revokes on every member before it assigns on any, so at no instant do two
instances export the same partition; and because events are keyed by country
and the range assignor gives partition *n* of every event topic to the same
member, no two instances export the same country.

The price is a gap: during a rebalance, and while a moved partition replays,
its countries are exported by nobody (the series go absent rather than wrong).
``/readyz`` answers 503 meanwhile, with each partition's lag.

The limit: a member cut off from the group coordinator is evicted when its
session times out, without hearing of it. It keeps exporting its frozen
figures until it reaches the coordinator again and learns that its membership
was lost (kafka-python's ``on_partitions_lost``), so meanwhile two instances
may show the same country, the cut-off one with older figures. Hiding exports
when the last successful heartbeat is older than the session timeout would
close that gap; kafka-python exposes no public way to read it, so it is not done.

While the state store cannot be written, the consumer records why
(``store_failed``): the states hold what the store holds, the view carries the
reason, and ``/readyz`` answers 503 with it until a batch is stored again.

Thread-safety: the consumer thread mutates states under ``mutating()``, Kafka's
I/O thread reports revocations and assignments, HTTP threads read ``view()``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from tocsin.aggregator.rules import Totals
from tocsin.aggregator.state import PartitionState, TopicPartition


@dataclass(frozen=True, slots=True)
class PartitionStatus:
    """Progress of one assigned partition."""

    topic: str
    partition: int
    exported: bool
    position: int | None
    """Offset of the next record to apply, None until known."""
    target: int | None
    """End offset observed at assignment: exported once position reaches it."""
    highwater: int | None
    """Latest end offset seen in fetch responses."""

    @property
    def lag(self) -> int | None:
        """Records behind the newest known end offset, None while unknown."""
        ends = [e for e in (self.target, self.highwater) if e is not None]
        if not ends or self.position is None:
            return None
        return max(0, max(ends) - self.position)


@dataclass(frozen=True, slots=True)
class View:
    """A consistent snapshot: merged totals of the exported partitions, and progress."""

    totals: Totals
    last_event_ts: float | None
    partitions: tuple[PartitionStatus, ...]
    store_failure: str | None = None
    """Why the last batch could not be stored (nothing advances meanwhile), else None."""
    broker_problem: str | None = None
    """Why the group cannot be joined (broker away, login refused), else None."""

    @property
    def caught_up(self) -> bool:
        """Partitions are assigned, every one of them is exported, and batches are stored."""
        return (
            self.store_failure is None
            and bool(self.partitions)
            and all(p.exported for p in self.partitions)
        )


class PartitionTable:
    """The assigned partitions, their in-memory states and export flags."""

    def __init__(self, statements_kept: int) -> None:
        self._statements_kept = statements_kept
        self._lock = threading.RLock()
        self._assigned: set[TopicPartition] = set()
        self._states: dict[TopicPartition, PartitionState] = {}
        self._parked: dict[TopicPartition, PartitionState] = {}
        self._targets: dict[TopicPartition, int] = {}
        self._positions: dict[TopicPartition, int] = {}
        self._highwater: dict[TopicPartition, int] = {}
        self._exported: set[TopicPartition] = set()
        self._store_failure: str | None = None
        self._broker_problem: str | None = None

    # --- rebalance (Kafka's I/O thread) ---

    def revoke(self, tps: Iterable[TopicPartition]) -> None:
        """Stop exporting ``tps`` at once; keep their states aside in case they come back."""
        with self._lock:
            for tp in tps:
                self._exported.discard(tp)
                self._assigned.discard(tp)
                state = self._states.pop(tp, None)
                if state is not None:
                    self._parked[tp] = state
                for table in (self._targets, self._positions, self._highwater):
                    table.pop(tp, None)

    def assign(self, tps: Iterable[TopicPartition]) -> None:
        """Record ``tps`` as assigned, not exported until loaded and caught up."""
        with self._lock:
            self._assigned.update(tps)

    # --- loading and progress (consumer thread) ---

    def unloaded(self) -> list[TopicPartition]:
        """Assigned partitions without a state yet, in order."""
        with self._lock:
            return sorted(self._assigned - self._states.keys())

    def take_parked(self, tp: TopicPartition) -> PartitionState | None:
        """The state kept when ``tp`` was revoked, if any (removed from the side)."""
        with self._lock:
            return self._parked.pop(tp, None)

    def forget_parked(self) -> None:
        """Drop states of revoked partitions that did not come back."""
        with self._lock:
            self._parked.clear()

    def adopt(self, state: PartitionState) -> bool:
        """Install ``state`` for its partition if still assigned; False if it is not."""
        with self._lock:
            if state.tp not in self._assigned:
                return False
            self._states[state.tp] = state
            if state.next_offset is not None:
                self._positions[state.tp] = state.next_offset
            self._check(state.tp)
            return True

    def untargeted(self) -> list[TopicPartition]:
        """Loaded partitions whose end offset at assignment is not known yet."""
        with self._lock:
            return sorted(tp for tp in self._states if tp not in self._targets)

    def set_target(self, tp: TopicPartition, end_offset: int) -> None:
        """Record the end offset observed at assignment."""
        with self._lock:
            if tp in self._states:
                self._targets[tp] = end_offset
                self._check(tp)

    def progress(self, tp: TopicPartition, position: int | None, highwater: int | None) -> None:
        """Record how far ``tp`` has got; export it once it reached its target."""
        with self._lock:
            if tp not in self._states:
                return
            if position is not None:
                self._positions[tp] = position
            if highwater is not None:
                self._highwater[tp] = highwater
            self._check(tp)

    def _check(self, tp: TopicPartition) -> None:
        target = self._targets.get(tp)
        position = self._positions.get(tp)
        if target is not None and (target == 0 or (position is not None and position >= target)):
            self._exported.add(tp)

    def state(self, tp: TopicPartition) -> PartitionState | None:
        """The in-memory state of an assigned, loaded partition."""
        with self._lock:
            return self._states.get(tp)

    def states(self) -> list[PartitionState]:
        """States of every assigned, loaded partition."""
        with self._lock:
            return list(self._states.values())

    def store_failed(self, reason: str | None) -> None:
        """Record why batches cannot be stored; None once one was stored again."""
        with self._lock:
            self._store_failure = reason

    def broker_failed(self, reason: str | None) -> None:
        """Record why the group cannot be joined; None once it was joined."""
        with self._lock:
            self._broker_problem = reason

    @contextmanager
    def mutating(self) -> Iterator[None]:
        """Hold readers off while states change, so ``view()`` never sees half a batch."""
        with self._lock:
            yield

    def clear(self) -> None:
        """Forget everything (the consumer left the group)."""
        with self._lock:
            self.revoke(list(self._assigned))
            self._parked.clear()

    # --- reading (any thread) ---

    def view(self) -> View:
        """Merged totals of the exported partitions, and every assigned partition's progress."""
        with self._lock:
            totals = Totals(self._statements_kept)
            stamps = []
            for tp in sorted(self._exported):
                state = self._states[tp]
                totals.merge(state.totals)
                if state.last_event_ts is not None:
                    stamps.append(state.last_event_ts)
            statuses = tuple(
                PartitionStatus(
                    topic=tp[0],
                    partition=tp[1],
                    exported=tp in self._exported,
                    position=self._positions.get(tp),
                    target=self._targets.get(tp),
                    highwater=self._highwater.get(tp),
                )
                for tp in sorted(self._assigned)
            )
            failure = self._store_failure
            broker_problem = self._broker_problem
        return View(
            totals=totals,
            last_event_ts=max(stamps, default=None),
            partitions=statuses,
            store_failure=failure,
            broker_problem=broker_problem,
        )
