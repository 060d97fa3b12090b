"""The export rule: a partition is exported once rebuilt to its end offset, and not once revoked."""

from __future__ import annotations

from tests.aggregator.factory import casualty
from tocsin.aggregator.partitions import PartitionTable
from tocsin.aggregator.state import PartitionState

A = ("tocsin.events.casualty.v1", 0)
B = ("tocsin.events.casualty.v1", 1)


def _state(tp: tuple[str, int], country: str, killed: int, offset: int) -> PartitionState:
    state = PartitionState(tp, statements_kept=5, seen_capacity=100)
    state.apply(
        casualty(country, "killed", "civilians", killed), offset=offset, timestamp=float(offset)
    )
    return state


def _countries(table: PartitionTable) -> set[str]:
    return {country for country, _, _ in table.view().totals.casualties}


def test_an_assigned_partition_is_exported_only_once_caught_up() -> None:
    """Loaded at offset 1 with the end at 3: hidden until the position reaches 3."""
    table = PartitionTable(statements_kept=5)
    table.assign([A])
    assert table.view().partitions[0].exported is False
    table.adopt(_state(A, "KZ", 5, offset=0))
    table.set_target(A, 3)
    assert _countries(table) == set()
    status = table.view().partitions[0]
    assert (status.position, status.target, status.lag) == (1, 3, 2)
    assert table.view().caught_up is False
    table.progress(A, 3, 3)
    assert _countries(table) == {"KZ"}
    assert table.view().caught_up is True


def test_an_empty_partition_is_caught_up_at_once() -> None:
    """End offset 0: nothing to replay, exported as soon as it is known."""
    table = PartitionTable(statements_kept=5)
    table.assign([A])
    table.adopt(PartitionState(A, statements_kept=5, seen_capacity=10))
    table.set_target(A, 0)
    assert table.view().caught_up is True


def test_revocation_stops_the_export_at_once_and_parks_the_state() -> None:
    """A revoked partition vanishes from the view; its state can be taken back if reassigned."""
    table = PartitionTable(statements_kept=5)
    table.assign([A, B])
    for tp, country in ((A, "KZ"), (B, "KG")):
        table.adopt(_state(tp, country, 1, offset=0))
        table.set_target(tp, 1)
    assert _countries(table) == {"KZ", "KG"}
    table.revoke([A])
    assert _countries(table) == {"KG"}
    assert [p.partition for p in table.view().partitions] == [1]
    parked = table.take_parked(A)
    assert parked is not None
    assert parked.totals.casualties == {("KZ", "killed", "civilians"): 1}


def test_a_state_for_a_partition_no_longer_assigned_is_refused() -> None:
    """adopt() after a revocation is a no-op: the partition is another member's now."""
    table = PartitionTable(statements_kept=5)
    table.assign([A])
    table.revoke([A])
    assert table.adopt(_state(A, "KZ", 1, offset=0)) is False
    assert table.unloaded() == []


def test_the_view_merges_exported_partitions_and_takes_the_newest_event_time() -> None:
    """Totals of exported partitions are merged; last event time is the newest of them."""
    table = PartitionTable(statements_kept=5)
    table.assign([A, B])
    table.adopt(_state(A, "KZ", 5, offset=4))
    table.adopt(_state(B, "KG", 2, offset=9))
    table.set_target(A, 5)
    table.set_target(B, 10)
    view = table.view()
    assert view.totals.casualties == {
        ("KZ", "killed", "civilians"): 5,
        ("KG", "killed", "civilians"): 2,
    }
    assert view.last_event_ts == 9.0


def test_no_assignment_is_not_ready() -> None:
    """With nothing assigned the view is empty and not caught up."""
    view = PartitionTable(statements_kept=5).view()
    assert (view.partitions, view.caught_up) == ((), False)
