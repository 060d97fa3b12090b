"""The SQLite store: a partition's state and offset round-trip, and a save is all or nothing."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.aggregator.factory import T0, casualty, curfew, deployment, statement
from tocsin.aggregator.state import Changes, PartitionState
from tocsin.aggregator.store import StateStore, StoreError
from tocsin.contract.events import Event
from tocsin.errors import StateDirError

TP = ("tocsin.events.casualty.v1", 1)
OTHER = ("tocsin.events.curfew.v1", 1)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[StateStore]:
    """A fresh store in a temporary directory."""
    instance = StateStore(tmp_path / "state.sqlite", statements_kept=3, seen_capacity=50)
    yield instance
    instance.close()


def _filled(tp: tuple[str, int] = TP) -> PartitionState:
    state = PartitionState(tp, statements_kept=3, seen_capacity=50)
    events: list[Event] = [
        casualty("KZ", "killed", "militants", 26),
        casualty(None, "injured", "unspecified", 200),
        deployment("KZ", "CSTO", 3600),
        deployment("KZ", "airborne forces", None),
        curfew(
            "KZ", "state_of_emergency", ends_on=dt.date(2022, 1, 19), starts_on=dt.date(2022, 1, 5)
        ),
        curfew("KG", location="Bishkek"),
        *[
            statement("KZ", "Tokayev", f"quote {i}", published=T0 + dt.timedelta(hours=i))
            for i in range(4)
        ],
    ]
    for offset, event in enumerate(events, start=10):
        state.apply(event, offset=offset, timestamp=1_700_000_000.5)
    return state


def test_a_saved_partition_loads_back_identical(store: StateStore) -> None:
    """Totals, resume offset, last event time and the id window survive a save and load."""
    state = _filled()
    changes = state.take_changes()
    assert changes is not None
    store.save([changes])
    loaded = store.load(TP)
    assert loaded.next_offset == state.next_offset == 20
    assert loaded.last_event_ts == 1_700_000_000.5
    for family in ("casualties", "deployments", "curfews", "statements"):
        assert getattr(loaded.totals, family) == getattr(state.totals, family), family
    assert loaded.seen_count == state.seen_count == 10
    assert store.offsets([TP, OTHER]) == {TP: 20}


def test_later_saves_write_only_changes_and_the_window_moves(tmp_path: Path) -> None:
    """A second save updates figures and offsets; ids evicted in memory are deleted on disk."""
    store = StateStore(tmp_path / "s.sqlite", statements_kept=3, seen_capacity=2)
    state = PartitionState(TP, statements_kept=3, seen_capacity=2)
    first, second, third = (casualty("KZ", "killed", "militants", n) for n in (1, 2, 3))
    state.apply(first, offset=0, timestamp=None)
    state.apply(second, offset=1, timestamp=None)
    store.save([c for c in [state.take_changes()] if c])
    state.apply(third, offset=2, timestamp=None)
    store.save([c for c in [state.take_changes()] if c])
    loaded = store.load(TP)
    assert loaded.totals.casualties == {("KZ", "killed", "militants"): 3}
    assert loaded.next_offset == 3
    assert first.event_id not in loaded
    assert second.event_id in loaded
    assert third.event_id in loaded
    store.close()


def test_an_unknown_partition_loads_empty(store: StateStore) -> None:
    """A partition never saved has no offset (start at the beginning) and no figures."""
    loaded = store.load(("tocsin.events.statement.v1", 2))
    assert loaded.next_offset is None
    assert loaded.totals.casualties == {}


def test_a_failed_save_writes_nothing(store: StateStore) -> None:
    """When one partition's changes cannot be written, no partition's are (one transaction)."""
    good = _filled().take_changes()
    assert good is not None
    unencodable: Any = object()
    bad = Changes(
        tp=OTHER,
        next_offset=5,
        last_event_ts=None,
        entries=[(("casualty", ("KZ", "killed", "militants")), unencodable)],
    )
    with pytest.raises(TypeError):
        store.save([good, bad])
    assert store.offsets([TP, OTHER]) == {}
    assert store.load(TP).totals.casualties == {}


def test_a_database_of_another_schema_is_refused(tmp_path: Path) -> None:
    """A state file written by an incompatible version is reported, not misread."""
    path = tmp_path / "state.sqlite"
    StateStore(path, statements_kept=3, seen_capacity=50).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = '99' WHERE name = 'schema'")
    db.close()
    with pytest.raises(StoreError, match="schema 99"):
        StateStore(path, statements_kept=3, seen_capacity=50)


def test_an_unopenable_path_is_a_state_dir_error(tmp_path: Path) -> None:
    """A state path that cannot be a database raises StateDirError with the directory."""
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(StateDirError, match="is not a directory"):
        StateStore(blocker / "state.sqlite", statements_kept=3, seen_capacity=50)
