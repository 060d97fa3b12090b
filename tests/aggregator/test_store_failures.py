"""A state store that cannot be written: nothing advances, nothing is corrupted, and it heals.

The store is a real SQLite database whose size is capped with
``PRAGMA max_page_count``, so a save that needs a new page fails with
SQLITE_FULL, exactly as on a full disk. The consumer loop runs against a
stand-in for the Kafka group member (records in memory), so these tests need no
broker; the real broker and a real file size limit are in
tests/integration/test_fault_state_dir.py.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, cast

import pytest
from prometheus_client import CollectorRegistry

from tests.aggregator.conftest import TODAY
from tests.aggregator.factory import casualty, statement
from tests.sqlite_caps import CappableDb
from tocsin.aggregator import consumer as consumer_module
from tocsin.aggregator.app import readiness_body
from tocsin.aggregator.consumer import ConsumerLoop, Topics, store_retry_delay
from tocsin.aggregator.metrics import AggregatorMetrics
from tocsin.aggregator.partitions import PartitionTable
from tocsin.aggregator.rules import Totals
from tocsin.aggregator.state import Changes, PartitionState, TopicPartition
from tocsin.aggregator.store import StateStore, StoreError
from tocsin.contract.codec import encode
from tocsin.contract.events import Event
from tocsin.errors import StateDirError
from tocsin.kafka.blocking_producer import RawRecord
from tocsin.kafka.group_consumer import GroupConsumer, Message
from tocsin.settings import AggregatorSettings, KafkaSettings
from tocsin.state_db import describe

CAS = ("tocsin.events.casualty.v1", 0)
STA = ("tocsin.events.statement.v1", 0)
KEEP = 20
WAIT_S = 20.0  # generous bound on a state the loop reaches in milliseconds


class CappedStore(CappableDb, StateStore):
    """A real store whose database can be capped at its current size, like a full disk."""

    saves = 0

    def save(self, batch: Sequence[Changes]) -> None:
        """Count every attempt, then save."""
        self.saves += 1
        super().save(batch)


def _store(tmp_path: Path) -> CappedStore:
    return CappedStore(tmp_path / "state.sqlite", statements_kept=KEEP, seen_capacity=10_000)


def _filled(tp: TopicPartition, events: Iterable[Event], start: int = 0) -> PartitionState:
    state = PartitionState(tp, statements_kept=KEEP, seen_capacity=10_000)
    for offset, event in enumerate(events, start=start):
        state.apply(event, offset=offset, timestamp=None)
    return state


def _statements(n: int, *, start: int = 0) -> list[Event]:
    # Long quotes: a batch of them needs new pages, which a capped database refuses.
    return [
        statement("KZ", "Minister", f"quote {i} " + "x" * 400, article=f"a{i}")
        for i in range(start, start + n)
    ]


def _integrity(path: Path) -> str:
    db = sqlite3.connect(path)
    try:
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        db.close()


# --- the store ------------------------------------------------------------------------


def test_a_save_on_a_full_disk_fails_whole_and_the_same_save_succeeds_later(
    tmp_path: Path,
) -> None:
    """SQLITE_FULL: a clear StoreError, the previous batch intact, and a clean retry."""
    store = _store(tmp_path)
    state = _filled(STA, _statements(5))
    first = state.take_changes()
    assert first is not None
    store.save([first])
    for offset, event in enumerate(_statements(200, start=5), start=5):
        state.apply(event, offset=offset, timestamp=None)
    second = state.take_changes()
    assert second is not None

    store.cap()
    with pytest.raises(StoreError, match="disk is full") as caught:
        store.save([second])
    # The real cause, not "cannot rollback - no transaction is active".
    assert "no transaction" not in str(caught.value)
    assert str(store.path) in str(caught.value)
    kept = store.load(STA)
    assert kept.next_offset == 5
    assert kept.totals.statements["KZ"].count == 5
    assert kept.seen_count == 5
    assert _integrity(store.path) == "ok"

    store.uncap()
    store.save([second])
    healed = store.load(STA)
    assert healed.next_offset == 205
    assert healed.totals.statements["KZ"].count == 205
    assert _integrity(store.path) == "ok"
    store.close()


def test_a_path_under_a_file_is_a_state_dir_error_naming_the_directory(tmp_path: Path) -> None:
    """The directory cannot be created: the error names it and says why."""
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(StateDirError) as caught:
        StateStore(blocker / "state.sqlite", statements_kept=KEEP, seen_capacity=100)
    assert caught.value.directory == blocker
    assert str(blocker) in str(caught.value)
    assert "not a directory" in str(caught.value).lower()


def test_a_file_that_is_not_a_database_is_a_state_dir_error(tmp_path: Path) -> None:
    """Garbage where state.sqlite should be is refused at open, in plain words."""
    path = tmp_path / "state.sqlite"
    path.write_bytes(b"this is not SQLite " * 100)
    with pytest.raises(StateDirError, match="not a SQLite database"):
        StateStore(path, statements_kept=KEEP, seen_capacity=100)


def test_sqlite_errors_are_described_in_plain_words(tmp_path: Path) -> None:
    """Read-only and full are said as such, with SQLite's own message kept."""
    path = tmp_path / "x.sqlite"
    sqlite3.connect(path).close()
    readonly = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    with pytest.raises(sqlite3.Error) as caught:
        readonly.execute("CREATE TABLE t (a)")
    readonly.close()
    assert describe(caught.value).startswith("read-only")
    assert "SQLite: attempt to write a readonly database" in describe(caught.value)


def test_store_retries_back_off_up_to_a_ceiling() -> None:
    """1, 2, 4, 8 s, then every 10 s however long the failure lasts."""
    delays = [store_retry_delay(n) for n in (1, 2, 3, 4, 5, 6, 10_000)]
    assert delays == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0, 10.0]


# --- the consumer loop ----------------------------------------------------------------


class FakeGroup:
    """Stands in for ``GroupConsumer``: in-memory partitions, positions and commits.

    Only records below ``available[tp]`` can be fetched, so a test releases the
    stream in steps. The first poll assigns every partition, as a join would.
    """

    def __init__(self, loop: ConsumerLoop, records: Mapping[TopicPartition, list[Message]]):
        self._loop = loop
        self.records = records
        self.available = dict.fromkeys(records, 0)
        self.positions: dict[TopicPartition, int] = {}
        self.committed: dict[TopicPartition, int] = {}
        self.commits_past_store: list[str] = []
        self.store: StateStore | None = None
        self._joined = False
        self._lock = threading.Lock()

    def poll(self, timeout_s: float, max_records: int | None = None) -> dict[Any, Any]:
        if not self._joined:
            self._joined = True
            self._loop.partitions_assigned(frozenset(self.records))
            return {}
        batch: dict[TopicPartition, list[Message]] = {}
        with self._lock:
            for tp, position in self.positions.items():
                ready = [m for m in self.records[tp] if position <= m.offset < self.available[tp]][
                    :25
                ]
                if ready:
                    batch[tp] = ready
                    self.positions[tp] = ready[-1].offset + 1
        if not batch:
            time.sleep(min(timeout_s, 0.01))
        return batch

    def start_at(self, tp: TopicPartition, offset: int | None) -> None:
        self.positions[tp] = offset or 0

    def end_offsets(self, tps: Iterable[TopicPartition], timeout_s: float | None = None) -> Any:
        return {tp: len(self.records[tp]) for tp in tps}

    def position(self, tp: TopicPartition) -> int | None:
        return self.positions.get(tp)

    def highwater(self, tp: TopicPartition) -> int | None:
        return len(self.records[tp])

    def commit(self, offsets: Mapping[TopicPartition, int], *, wait: bool) -> None:
        assert self.store is not None
        stored = self.store.offsets(offsets)
        for tp, offset in offsets.items():
            if offset > stored.get(tp, 0):
                self.commits_past_store.append(f"{tp}: committed {offset} > stored {stored}")
        self.committed.update(offsets)

    def close(self) -> None:
        pass


class FakeDeadLetters:
    """Stands in for the dead-letter producer: remembers what it was asked to send."""

    sent: ClassVar[list[RawRecord]] = []

    def __init__(self, *_: object, **__: object) -> None:
        pass

    def send_all(self, records: Sequence[RawRecord]) -> None:
        FakeDeadLetters.sent.extend(records)

    def close(self) -> None:
        pass


def _messages(tp: TopicPartition, values: Iterable[bytes]) -> list[Message]:
    return [Message(tp[0], tp[1], offset, b"KZ", v, None) for offset, v in enumerate(values)]


def _wait(what: str, condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, f"still waiting for {what}"
        time.sleep(0.01)


@contextlib.contextmanager
def _running(loop: ConsumerLoop, group: FakeGroup) -> Iterator[None]:
    """Run the loop's body on a thread (without joining a real group) until the block ends."""
    stop = threading.Event()
    thread = threading.Thread(
        target=loop._consume, args=(cast(GroupConsumer, group), stop), daemon=True
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(WAIT_S)
    assert not thread.is_alive(), "the loop did not stop"


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retry a failed store in milliseconds rather than seconds."""
    monkeypatch.setattr(consumer_module, "_RETRY_S", 0.01)
    monkeypatch.setattr(consumer_module, "_STORE_RETRY_MAX_S", 0.05)
    monkeypatch.setattr(consumer_module, "BlockingProducer", FakeDeadLetters)
    FakeDeadLetters.sent = []


@pytest.mark.usefixtures("fast_retries")
def test_a_full_store_holds_every_offset_serves_stored_figures_and_heals(
    tmp_path: Path,
) -> None:
    """While saves fail: not ready (with the reason), no offset moves, in Kafka or on disk,
    the figures served are the stored ones and a dead letter is sent once. When space
    comes back the loop stores the held batch by itself and ends on the recomputed totals."""
    killed = [casualty("KZ", "killed", "civilians", n, article=f"k{n}") for n in range(1, 41)]
    said = _statements(200)
    values_sta = [encode(e) for e in said]
    values_sta.insert(30, b"not json")  # one dead letter in the held-back part
    records = {CAS: _messages(CAS, map(encode, killed)), STA: _messages(STA, values_sta)}

    store = _store(tmp_path)
    table = PartitionTable(KEEP)
    loop = ConsumerLoop(
        kafka=KafkaSettings(bootstrap="127.0.0.1:1"),
        settings=AggregatorSettings(state_dir=tmp_path),
        topics=Topics(events={"casualty": CAS[0], "statement": STA[0]}, deadletter="dl"),
        store=store,
        table=table,
        metrics=AggregatorMetrics(CollectorRegistry(), table.view, lambda: TODAY),
    )
    group = FakeGroup(loop, records)
    group.store = store
    group.available = {CAS: 20, STA: 20}
    with _running(loop, group):
        _wait("the first part stored", lambda: store.offsets([CAS, STA]) == {CAS: 20, STA: 20})
        assert table.view().store_failure is None
        store.cap()
        group.available = {CAS: 40, STA: len(values_sta)}
        _wait("several failed attempts", lambda: store.saves >= 8)
    # Stopped between two attempts (a stop ends the cycle under way, rollback included),
    # so what the loop holds can be compared with the store.
    view = table.view()
    assert view.store_failure is not None
    assert "disk is full" in view.store_failure
    status, body = readiness_body(view)
    assert (status, body["ready"], body["status"]) == (503, False, "state store failing")
    assert "disk is full" in body["error"]
    # Nothing advanced: the stored offsets, what was committed to Kafka, the figures held.
    assert store.offsets([CAS, STA]) == {CAS: 20, STA: 20}
    assert group.commits_past_store == []
    held = {s.tp: (s.next_offset, s.totals.statements.get("KZ")) for s in table.states()}
    assert held == {
        tp: (store.load(tp).next_offset, store.load(tp).totals.statements.get("KZ"))
        for tp in (CAS, STA)
    }
    assert len(FakeDeadLetters.sent) == 1, "a dead letter is not sent again on each retry"

    store.uncap()
    with _running(loop, group):
        ends = {CAS: 40, STA: len(values_sta)}
        _wait("the held batch stored", lambda: store.offsets([CAS, STA]) == ends)
        _wait("the failure cleared", lambda: table.view().store_failure is None)
    assert len(FakeDeadLetters.sent) == 1
    assert group.commits_past_store == []
    expected = Totals(KEEP)
    for event in [*killed, *said]:
        expected.apply(event)
    assert store.load(CAS).totals.casualties == expected.casualties
    assert store.load(STA).totals.statements == expected.statements
    assert readiness_body(table.view())[0] == 200
    assert _integrity(store.path) == "ok"
    store.close()
