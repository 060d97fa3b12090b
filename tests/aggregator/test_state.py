"""One partition's state: repeats dropped, offsets in order, changes tracked for the store."""

from __future__ import annotations

import pytest

from tests.aggregator.factory import casualty, statement
from tocsin.aggregator.state import PartitionState

TP = ("tocsin.events.casualty.v1", 0)


def _state(capacity: int = 100) -> PartitionState:
    return PartitionState(TP, statements_kept=5, seen_capacity=capacity)


def test_a_repeated_event_id_is_applied_once() -> None:
    """The second copy of an event is dropped, but its offset is passed."""
    state = _state()
    event = statement("KZ", "Tokayev", "They must be destroyed.")
    assert state.apply(event, offset=0, timestamp=1.0) is True
    assert state.apply(event, offset=1, timestamp=2.0) is False
    assert state.totals.statements["KZ"].count == 1
    assert state.next_offset == 2
    assert state.last_event_ts == 1.0


def test_records_must_come_in_order_and_once() -> None:
    """Applying a record before the resume offset is a bug, refused loudly."""
    state = PartitionState(TP, statements_kept=5, seen_capacity=10, next_offset=5)
    with pytest.raises(ValueError, match="before the resume offset 5"):
        state.apply(casualty("KZ", "killed", "militants", 1), offset=4, timestamp=None)


def test_skipping_a_record_moves_the_offset_only() -> None:
    """A dead-lettered record advances the resume offset and changes no figure."""
    state = _state()
    state.skip(7)
    changes = state.take_changes()
    assert changes is not None
    assert (changes.next_offset, changes.entries, changes.seen_added) == (8, [], [])


def test_changes_hold_only_what_changed_since_the_last_take() -> None:
    """take_changes() lists the changed figures and new ids once, then starts afresh."""
    state = _state()
    state.apply(casualty("KZ", "killed", "militants", 26), offset=0, timestamp=None)
    state.apply(casualty("KZ", "killed", "militants", 20, article="a2"), offset=1, timestamp=None)
    first = state.take_changes()
    assert first is not None
    assert first.entries == [(("casualty", ("KZ", "killed", "militants")), 26)]
    assert [offset for _, offset in first.seen_added] == [0, 1]
    assert state.take_changes() is None


def test_the_id_window_is_bounded_and_reports_evictions() -> None:
    """Past the capacity the oldest ids are forgotten, and the store is told which."""
    state = _state(capacity=2)
    events = [statement("KZ", "S", f"q{i}") for i in range(3)]
    for offset, event in enumerate(events[:2]):
        state.apply(event, offset=offset, timestamp=None)
    state.take_changes()
    state.apply(events[2], offset=2, timestamp=None)
    changes = state.take_changes()
    assert changes is not None
    assert changes.seen_removed == [events[0].event_id]
    assert events[0].event_id not in state
    assert state.seen_count == 2
    # Forgotten, so a very late repeat is applied again: documented, bounded memory.
    assert state.apply(events[0], offset=3, timestamp=None) is True
