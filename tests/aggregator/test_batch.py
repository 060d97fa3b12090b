"""Applying a poll batch: events folded in, repeats dropped, bad records set aside, in order."""

from __future__ import annotations

from dataclasses import dataclass

from tests.aggregator.factory import casualty, statement
from tocsin.aggregator.batch import apply_batch
from tocsin.aggregator.partitions import PartitionTable
from tocsin.aggregator.state import PartitionState
from tocsin.contract.codec import encode
from tocsin.contract.events import EventType

CAS = ("tocsin.events.casualty.v1", 0)
STA = ("tocsin.events.statement.v1", 0)
TYPES: dict[str, EventType] = {CAS[0]: "casualty", STA[0]: "statement"}


@dataclass(frozen=True)
class Rec:
    """A consumed record, as plain values."""

    offset: int
    value: bytes | None
    key: bytes | None = b"KZ"
    timestamp_ms: int | None = 1_700_000_000_000


def _table(*tps: tuple[str, int], next_offset: int | None = None) -> PartitionTable:
    table = PartitionTable(statements_kept=5)
    table.assign(tps)
    for tp in tps:
        table.adopt(
            PartitionState(tp, statements_kept=5, seen_capacity=100, next_offset=next_offset)
        )
    return table


def test_events_apply_repeats_drop_and_bad_records_are_set_aside() -> None:
    """Good events count, a repeat is a duplicate, garbage is rejected, offsets all pass."""
    table = _table(CAS, STA)
    killed = encode(casualty("KZ", "killed", "militants", 26))
    result = apply_batch(
        table,
        {
            CAS: [Rec(0, killed), Rec(1, killed), Rec(2, b"not json")],
            STA: [Rec(0, encode(statement("KZ", "Tokayev", "They must be destroyed.")))],
        },
        TYPES,
    )
    assert (dict(result.applied), dict(result.duplicates)) == (
        {"casualty": 1, "statement": 1},
        {"casualty": 1},
    )
    assert [(tp, r.offset, why.reason) for tp, r, why in result.rejected] == [
        (CAS, 2, "decode_error")
    ]
    state = table.state(CAS)
    assert state is not None
    assert state.next_offset == 3
    assert state.last_event_ts == 1_700_000_000.0
    assert [s.tp for s in result.touched] == [CAS, STA]


def test_records_before_the_resume_offset_and_of_unowned_partitions_are_left_alone() -> None:
    """A record already stored is not applied again; a revoked partition's records are ignored."""
    table = _table(CAS, next_offset=5)
    event = encode(casualty("KZ", "killed", "militants", 26))
    result = apply_batch(table, {CAS: [Rec(4, event), Rec(5, event)], STA: [Rec(0, event)]}, TYPES)
    assert dict(result.applied) == {"casualty": 1}
    assert [s.tp for s in result.touched] == [CAS]
    state = table.state(CAS)
    assert state is not None
    assert state.next_offset == 6
