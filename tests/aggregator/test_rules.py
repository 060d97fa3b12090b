"""The running-totals rules, as tables: events in, figures out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.aggregator.factory import T0, casualty, curfew, deployment, statement
from tocsin.aggregator.rules import (
    CurfewRecord,
    Totals,
    active_curfew_counts,
    casualty_totals,
    curfew_report,
    merge_curfews,
    newest,
    statement_of,
)
from tocsin.contract.events import CurfewKind, Event, StatementEvent

D = dt.date
DAY = dt.timedelta(days=1)


def _fold(events: Sequence[Event], keep: int = 20) -> Totals:
    totals = Totals(keep)
    for event in events:
        totals.apply(event)
    return totals


@dataclass(frozen=True)
class Case:
    """One row of a table: a name, the events in, the figures expected."""

    name: str
    events: Sequence[Event]
    expected: Any


CASUALTY_CASES = [
    Case(
        "the highest report wins, not the sum",
        [casualty("KZ", "killed", "security_forces", 18, article=f"a{i}") for i in range(10)],
        {("KZ", "killed", "security_forces"): 18},
    ),
    Case(
        "a higher toll replaces a lower one",
        [
            casualty("KZ", "killed", "militants", 26),
            casualty("KZ", "killed", "militants", 40, article="a2"),
        ],
        {("KZ", "killed", "militants"): 40},
    ),
    Case(
        "a lower later report does not reduce the figure",
        [
            casualty("KZ", "killed", "militants", 40),
            casualty("KZ", "killed", "militants", 26, article="a2"),
        ],
        {("KZ", "killed", "militants"): 40},
    ),
    Case(
        "the conservative low end of a range is used",
        [casualty("KZ", "arrested", "unspecified", 3000, high=5000)],
        {("KZ", "arrested", "unspecified"): 3000},
    ),
    Case(
        "a report whose low is null adds nothing",
        [
            casualty("KZ", "killed", "civilians", None, high=40),
            casualty("KZ", "injured", "civilians", 12),
        ],
        {("KZ", "injured", "civilians"): 12},
    ),
    Case(
        "outcomes, groups and countries are kept apart",
        [
            casualty("KZ", "killed", "civilians", 5),
            casualty("KZ", "injured", "civilians", 7),
            casualty("KZ", "killed", "protesters", 3),
            casualty("KG", "killed", "civilians", 2),
        ],
        {
            ("KZ", "killed", "civilians"): 5,
            ("KZ", "injured", "civilians"): 7,
            ("KZ", "killed", "protesters"): 3,
            ("KG", "killed", "civilians"): 2,
        },
    ),
    Case(
        "an unknown country counts under ZZ",
        [casualty(None, "missing", "unspecified", 9)],
        {("ZZ", "missing", "unspecified"): 9},
    ),
    Case(
        "zero is a figure",
        [casualty("KZ", "killed", "officials", 0)],
        {("KZ", "killed", "officials"): 0},
    ),
]


@pytest.mark.parametrize("case", CASUALTY_CASES, ids=lambda c: c.name)
def test_casualty_rule(case: Case) -> None:
    """Each (country, outcome, group) holds the highest conservative figure reported."""
    assert _fold(case.events).casualties == case.expected


def test_all_groups_figure_is_the_sum_over_groups() -> None:
    """The seed article's killed figures: 18 + 26 + 24 = 68, groups in a fixed order."""
    totals = _fold(
        [
            casualty("KZ", "killed", "unspecified", 24),
            casualty("KZ", "killed", "security_forces", 18),
            casualty("KZ", "killed", "militants", 26),
            casualty("KZ", "arrested", "unspecified", 3000),
        ]
    )
    rows = casualty_totals(totals.casualties)
    assert [(r.country, r.outcome, dict(r.groups), r.all) for r in rows] == [
        ("KZ", "killed", {"security_forces": 18, "militants": 26, "unspecified": 24}, 68),
        ("KZ", "arrested", {"unspecified": 3000}, 3000),
    ]


DEPLOYMENT_CASES = [
    Case(
        "highest size per destination and force",
        [deployment("KZ", "CSTO", 2500), deployment("KZ", "CSTO", 3600, article="a2")],
        {("KZ", "CSTO"): 3600},
    ),
    Case(
        "an unknown size is a deployment with no size",
        [deployment("KZ", "airborne forces", None)],
        {("KZ", "airborne forces"): None},
    ),
    Case(
        "a known size replaces an unknown one",
        [deployment("KZ", "CSTO", None), deployment("KZ", "CSTO", 3600, article="a2")],
        {("KZ", "CSTO"): 3600},
    ),
    Case(
        "a later report without a size keeps the known one",
        [deployment("KZ", "CSTO", 3600), deployment("KZ", "CSTO", None, article="a2")],
        {("KZ", "CSTO"): 3600},
    ),
    Case(
        "forces and countries are kept apart",
        [
            deployment("KZ", "CSTO", 3600),
            deployment("KG", "CSTO", 500),
            deployment("KZ", "police", 100),
        ],
        {("KZ", "CSTO"): 3600, ("KG", "CSTO"): 500, ("KZ", "police"): 100},
    ),
]


@pytest.mark.parametrize("case", DEPLOYMENT_CASES, ids=lambda c: c.name)
def test_deployment_rule(case: Case) -> None:
    """Each (destination, force) holds the highest size reported, or None when never given."""
    assert _fold(case.events).deployments == case.expected


SOE: CurfewKind = "state_of_emergency"
LATER = T0 + DAY
CURFEW_CASES = [
    Case(
        "active before its end date",
        [curfew("KZ", SOE, ends_on=D(2022, 1, 19))],
        (D(2022, 1, 10), True),
    ),
    Case(
        "still active on its end date",
        [curfew("KZ", SOE, ends_on=D(2022, 1, 19))],
        (D(2022, 1, 19), True),
    ),
    Case(
        "ended once its end date has passed",
        [curfew("KZ", SOE, ends_on=D(2022, 1, 19))],
        (D(2022, 1, 20), False),
    ),
    Case("active while no end date is known", [curfew("KZ", SOE)], (D(2030, 1, 1), True)),
    Case(
        "a later report with a past end date lifts it",
        [
            curfew("KZ", ends_on=D(2022, 1, 19)),
            curfew("KZ", ends_on=D(2022, 1, 9), published=LATER),
        ],
        (D(2022, 1, 10), False),
    ),
    Case(
        "a later report extends it",
        [
            curfew("KZ", ends_on=D(2022, 1, 9)),
            curfew("KZ", ends_on=D(2022, 1, 19), published=LATER),
        ],
        (D(2022, 1, 10), True),
    ),
    Case(
        "an earlier report read late does not undo a later one",
        [
            curfew("KZ", ends_on=D(2022, 1, 9), published=LATER),
            curfew("KZ", ends_on=D(2022, 1, 19)),
        ],
        (D(2022, 1, 10), False),
    ),
    Case(
        "a later report without an end date keeps the known end",
        [curfew("KZ", ends_on=D(2022, 1, 9)), curfew("KZ", published=LATER)],
        (D(2022, 1, 10), False),
    ),
]


@pytest.mark.parametrize("case", CURFEW_CASES, ids=lambda c: c.name)
def test_curfew_rule(case: Case) -> None:
    """One record per (country, kind, location), active while its end date has not passed."""
    today, active = case.expected
    records = list(_fold(case.events).curfews.values())
    assert len(records) == 1
    assert records[0].active(today) is active


def test_active_curfews_count_places_per_country_and_kind() -> None:
    """Two places under curfew count 2; an ended state of emergency counts 0, not absent."""
    totals = _fold(
        [
            curfew("KZ", "curfew", location="Almaty", ends_on=D(2022, 1, 19)),
            curfew("KZ", "curfew", location="Aktau", ends_on=D(2022, 1, 19)),
            curfew("KZ", "curfew", location="Aktau", ends_on=D(2022, 1, 19), article="a2"),
            curfew("KZ", SOE, ends_on=D(2022, 1, 5)),
        ]
    )
    assert active_curfew_counts(totals.curfews, D(2022, 1, 10)) == {
        ("KZ", "curfew"): 2,
        ("KZ", SOE): 0,
    }


def test_curfew_record_keeps_the_earliest_start() -> None:
    """The start date is the earliest any report gave."""
    totals = _fold(
        [
            curfew("KZ", starts_on=D(2022, 1, 6)),
            curfew("KZ", starts_on=D(2022, 1, 5), published=LATER),
        ]
    )
    (record,) = totals.curfews.values()
    assert record.starts_on == D(2022, 1, 5)


def test_statements_are_counted_and_the_newest_kept() -> None:
    """Every statement counts; only the ``keep`` newest are kept, newest first."""
    events = [statement("KZ", "Tokayev", f"quote {i}", published=T0 + i * DAY) for i in range(5)]
    totals = _fold([*events, statement("KG", "Japarov", "Order will be restored.")], keep=3)
    log = totals.statements["KZ"]
    assert log.count == 5
    assert [s.quote for s in log.recent] == ["quote 4", "quote 3", "quote 2"]
    assert totals.statements["KG"].count == 1


def test_apply_reports_only_real_changes() -> None:
    """apply() names the figure it changed, and None when the figure stayed as it was."""
    totals = Totals(5)
    assert totals.apply(casualty("KZ", "killed", "militants", 26)) == (
        "casualty",
        ("KZ", "killed", "militants"),
    )
    assert totals.apply(casualty("KZ", "killed", "militants", 20, article="a2")) is None
    assert totals.apply(deployment("KZ", "CSTO", None)) == ("deployment", ("KZ", "CSTO"))
    assert totals.apply(deployment("KZ", "CSTO", None, article="a2")) is None
    assert totals.apply(statement("KZ", "X", "y")) == ("statement", "KZ")


# --- Algebra: the join rules do not care about order, repeats or partitioning -----------

_EVENTS: list[Event] = [
    casualty("KZ", "killed", "militants", 26),
    casualty("KZ", "killed", "militants", 40, article="a2"),
    casualty("KZ", "killed", "civilians", None, high=3),
    casualty(None, "injured", "unspecified", 7),
    deployment("KZ", "CSTO", None),
    deployment("KZ", "CSTO", 3600, article="a2"),
    curfew("KZ", ends_on=D(2022, 1, 19)),
    curfew("KZ", ends_on=D(2022, 1, 9), published=LATER),
    curfew("KZ", starts_on=D(2022, 1, 4), published=LATER + DAY),
    curfew("KG", SOE, location="Bishkek"),
]


def _joins(totals: Totals) -> tuple[object, ...]:
    return (totals.casualties, totals.deployments, totals.curfews)


@given(st.permutations(_EVENTS), st.lists(st.sampled_from(_EVENTS), max_size=5))
def test_order_and_repeats_do_not_change_the_figures(
    order: list[Event], repeats: list[Event]
) -> None:
    """Casualties, deployments and curfews are the same for any order, with any repeats."""
    assert _joins(_fold([*order, *repeats])) == _joins(_fold(_EVENTS))


@given(st.lists(st.booleans(), min_size=len(_EVENTS), max_size=len(_EVENTS)))
def test_merging_partitions_equals_folding_everything(sides: list[bool]) -> None:
    """Totals of two disjoint sets of events, merged, equal the totals of all of them."""
    left = _fold([e for e, s in zip(_EVENTS, sides, strict=True) if s])
    right = _fold([e for e, s in zip(_EVENTS, sides, strict=True) if not s])
    left.merge(right)
    assert _joins(left) == _joins(_fold(_EVENTS))


def test_merge_adds_statement_counts_and_keeps_the_newest() -> None:
    """Merging statement logs sums counts and keeps the newest across both."""
    left = _fold([statement("KZ", "A", "old", published=T0)], keep=1)
    right = _fold([statement("KZ", "B", "new", published=LATER)], keep=1)
    left.merge(right)
    assert left.statements["KZ"].count == 2
    assert [s.quote for s in left.statements["KZ"].recent] == ["new"]


def test_merge_curfews_is_commutative() -> None:
    """Joining two reports gives the same record whichever comes first."""
    a = curfew_report(curfew("KZ", ends_on=D(2022, 1, 19)))
    b = curfew_report(curfew("KZ", starts_on=D(2022, 1, 2), published=LATER))
    merged: CurfewRecord = merge_curfews(a, b)
    assert merged == merge_curfews(b, a)
    assert (merged.starts_on, merged.ends_on, merged.last_reported[0]) == (
        D(2022, 1, 2),
        D(2022, 1, 19),
        LATER,
    )


_QUOTES = [statement("KZ", "S", f"q{i}", published=T0 + (i % 4) * DAY) for i in range(12)]


@given(st.permutations(_QUOTES))
def test_recent_statements_do_not_depend_on_arrival_order(order: list[Event]) -> None:
    """The kept statements are the newest ``keep`` of all, however they arrive."""
    log = _fold(order, keep=5).statements["KZ"]
    assert log.recent == newest(
        (statement_of(e) for e in _QUOTES if isinstance(e, StatementEvent)), 5
    )
    assert log.count == 12
