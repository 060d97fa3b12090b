"""Running totals users can trust: the rules, as pure functions over events.

No I/O and no clock ("today" is an argument). The rules:

- **Casualties.** For each (country, outcome, group) the figure is the highest
  conservative ``count.low`` reported so far; events whose low is null add
  nothing. News repeats figures ("18 killed" in ten articles is one figure) and
  revises them upwards ("the toll rose to 40" replaces 26), so the highest
  report is the best conservative estimate. The all-groups figure is the sum
  over groups.
- **Deployments.** For each (destination country, force) the highest
  ``size.low``; a deployment whose size is unknown is still recorded, with no
  size, until a report gives one.
- **Curfews** (and states of emergency, movement restrictions). One record per
  (country, kind, location). Its end date is the one given by the most recent
  report (by ``published_at``, then event id) that gives one, so a later report
  extends, shortens or lifts it (an end date in the past ends it); a report
  without an end date neither sets nor erases one. A record is active while its
  end date has not passed: on the end date itself it is still active.
- **Statements.** Counted per country and the most recent ``keep`` kept; they
  are never metric labels.
- An event without a country counts under ``ZZ``, as in its partition key.

Every rule except the statement count is a join (commutative, associative and
idempotent): applying an event twice, in another order, or merging the totals of
two partitions cannot change a figure. The statement count is a sum and relies
on the consumer applying each event id once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final, Literal

from tocsin.contract.events import (
    GROUPS,
    OUTCOMES,
    CasualtyEvent,
    CurfewEvent,
    CurfewKind,
    DeploymentEvent,
    Event,
    Group,
    Outcome,
    StatementEvent,
)
from tocsin.contract.topics import UNKNOWN_COUNTRY_KEY

ALL_GROUPS: Final = "all"
"""The ``group`` label of the all-groups figure (the sum over groups)."""

CasualtyKey = tuple[str, Outcome, Group]
DeploymentKey = tuple[str, str]
CurfewKey = tuple[str, CurfewKind, str | None]
ReportOrder = tuple[dt.datetime, str]
"""(published_at, event_id): of two reports, the greater is the later."""

EntryKey = (
    tuple[Literal["casualty"], CasualtyKey]
    | tuple[Literal["deployment"], DeploymentKey]
    | tuple[Literal["curfew"], CurfewKey]
    | tuple[Literal["statement"], str]
)
"""One figure: its family and its key within the family (a country for statements)."""


def country_of(event: Event) -> str:
    """The country an event counts under: its own, or ``ZZ`` when unknown."""
    return event.country or UNKNOWN_COUNTRY_KEY


def higher(current: int | None, reported: int | None) -> int | None:
    """The larger figure; None (no figure) loses to any number."""
    if reported is None:
        return current
    if current is None:
        return reported
    return max(current, reported)


@dataclass(frozen=True, slots=True)
class CurfewRecord:
    """What is known of one curfew: earliest start, current end, and when last reported."""

    starts_on: dt.date | None
    ends_on: dt.date | None
    ends_reported: ReportOrder | None
    """The report that gave ``ends_on``; None when no report gave an end date."""
    last_reported: ReportOrder

    def active(self, today: dt.date) -> bool:
        """In force on ``today``: no end date known, or the end date has not passed."""
        return self.ends_on is None or self.ends_on >= today


def curfew_report(event: CurfewEvent) -> CurfewRecord:
    """The record a single curfew event makes."""
    order = (event.published_at, event.event_id)
    return CurfewRecord(
        starts_on=event.starts_on,
        ends_on=event.ends_on,
        ends_reported=order if event.ends_on is not None else None,
        last_reported=order,
    )


def merge_curfews(a: CurfewRecord, b: CurfewRecord) -> CurfewRecord:
    """Join two records of one curfew: earliest start, latest stated end, latest report."""
    starts = [d for d in (a.starts_on, b.starts_on) if d is not None]
    later = b.ends_reported is not None and (
        a.ends_reported is None or b.ends_reported > a.ends_reported
    )
    ends = b if later else a
    return CurfewRecord(
        starts_on=min(starts) if starts else None,
        ends_on=ends.ends_on,
        ends_reported=ends.ends_reported,
        last_reported=max(a.last_reported, b.last_reported),
    )


@dataclass(frozen=True, slots=True)
class Statement:
    """One quote as kept for ``/v1/statements``."""

    event_id: str
    speaker: str
    quote: str
    article_id: str
    published_at: dt.datetime

    @property
    def order(self) -> ReportOrder:
        """Sort key: later statements are greater."""
        return (self.published_at, self.event_id)


@dataclass(frozen=True, slots=True)
class StatementLog:
    """Statements of one country: how many, and the most recent ones (newest first)."""

    count: int
    recent: tuple[Statement, ...]


def newest(statements: Iterable[Statement], keep: int) -> tuple[Statement, ...]:
    """The ``keep`` most recent distinct statements, newest first."""
    unique = {s.event_id: s for s in statements}
    return tuple(sorted(unique.values(), key=lambda s: s.order, reverse=True)[:keep])


def _with(recent: tuple[Statement, ...], new: Statement, keep: int) -> tuple[Statement, ...]:
    """``newest((*recent, new), keep)`` for a ``recent`` already in order, without a sort:
    this runs for every statement applied."""
    order = new.order
    if len(recent) >= keep and order <= recent[-1].order:
        return recent
    if any(s.event_id == new.event_id for s in recent):
        return recent
    at = next((i for i, s in enumerate(recent) if s.order < order), len(recent))
    return (*recent[:at], new, *recent[at:])[:keep]


def statement_of(event: StatementEvent) -> Statement:
    """The kept form of a statement event."""
    return Statement(
        event_id=event.event_id,
        speaker=event.speaker,
        quote=event.quote,
        article_id=event.article_id,
        published_at=event.published_at,
    )


class Totals:
    """The running totals of a set of events: the fold of the rules above, in memory.

    ``apply`` folds one event in; ``merge`` joins the totals of another set of
    events (another partition) into these. Values are immutable, so copies share them.
    """

    def __init__(self, statements_kept: int) -> None:
        if statements_kept < 1:
            raise ValueError("statements_kept must be at least 1")
        self.statements_kept = statements_kept
        self.casualties: dict[CasualtyKey, int] = {}
        self.deployments: dict[DeploymentKey, int | None] = {}
        self.curfews: dict[CurfewKey, CurfewRecord] = {}
        self.statements: dict[str, StatementLog] = {}

    def apply(self, event: Event) -> EntryKey | None:
        """Fold one event in; return the key of the figure it changed, None if none."""
        country = country_of(event)
        if isinstance(event, CasualtyEvent):
            ckey: CasualtyKey = (country, event.outcome, event.group)
            before = self.casualties.get(ckey)
            after = higher(before, event.count.low)
            if after is None or after == before:
                return None
            self.casualties[ckey] = after
            return ("casualty", ckey)
        if isinstance(event, DeploymentEvent):
            dkey: DeploymentKey = (country, event.force)
            known = dkey in self.deployments
            size = higher(self.deployments.get(dkey), event.size.low)
            if known and size == self.deployments[dkey]:
                return None
            self.deployments[dkey] = size
            return ("deployment", dkey)
        if isinstance(event, CurfewEvent):
            fkey: CurfewKey = (country, event.kind, event.location)
            report = curfew_report(event)
            current = self.curfews.get(fkey)
            merged = report if current is None else merge_curfews(current, report)
            if merged == current:
                return None
            self.curfews[fkey] = merged
            return ("curfew", fkey)
        log = self.statements.get(country)
        kept = statement_of(event)
        if log is None:
            self.statements[country] = StatementLog(1, (kept,))
        else:
            recent = _with(log.recent, kept, self.statements_kept)
            self.statements[country] = StatementLog(log.count + 1, recent)
        return ("statement", country)

    def value(self, key: EntryKey) -> int | CurfewRecord | StatementLog | None:
        """The current value of one figure (it must exist)."""
        if key[0] == "casualty":
            return self.casualties[key[1]]
        if key[0] == "deployment":
            return self.deployments[key[1]]
        if key[0] == "curfew":
            return self.curfews[key[1]]
        return self.statements[key[1]]

    def merge(self, other: Totals) -> None:
        """Join ``other``'s figures into these (partitions hold disjoint countries,
        but the rules make the join correct even where they overlap)."""
        for ckey, low in other.casualties.items():
            self.casualties[ckey] = max(low, self.casualties.get(ckey, low))
        for dkey, size in other.deployments.items():
            self.deployments[dkey] = higher(self.deployments.get(dkey), size)
        for fkey, record in other.curfews.items():
            current = self.curfews.get(fkey)
            self.curfews[fkey] = record if current is None else merge_curfews(current, record)
        for country, log in other.statements.items():
            mine = self.statements.get(country)
            if mine is None:
                self.statements[country] = log
            else:
                self.statements[country] = StatementLog(
                    mine.count + log.count,
                    newest((*mine.recent, *log.recent), self.statements_kept),
                )

    def copy(self) -> Totals:
        """An independent copy (values are immutable and shared)."""
        twin = Totals(self.statements_kept)
        twin.casualties = dict(self.casualties)
        twin.deployments = dict(self.deployments)
        twin.curfews = dict(self.curfews)
        twin.statements = dict(self.statements)
        return twin


# --- Views: what the API and the metrics show, computed from totals ---------------------


@dataclass(frozen=True, slots=True)
class CasualtyTotal:
    """The figures of one (country, outcome): per group, and over all groups."""

    country: str
    outcome: Outcome
    groups: Mapping[Group, int]
    all: int


def casualty_totals(casualties: Mapping[CasualtyKey, int]) -> list[CasualtyTotal]:
    """Per (country, outcome): each group's figure and their sum, ordered by country, outcome."""
    by_pair: dict[tuple[str, Outcome], dict[Group, int]] = {}
    for (country, outcome, group), low in casualties.items():
        by_pair.setdefault((country, outcome), {})[group] = low
    rows = []
    for (country, outcome), groups in sorted(
        by_pair.items(), key=lambda item: (item[0][0], OUTCOMES.index(item[0][1]))
    ):
        ordered = {g: groups[g] for g in GROUPS if g in groups}
        rows.append(CasualtyTotal(country, outcome, ordered, sum(ordered.values())))
    return rows


def active_curfew_counts(
    curfews: Mapping[CurfewKey, CurfewRecord], today: dt.date
) -> dict[tuple[str, CurfewKind], int]:
    """Per (country, kind): how many places are under an active one (0 once all ended)."""
    counts: dict[tuple[str, CurfewKind], int] = {}
    for (country, kind, _location), record in curfews.items():
        counts[(country, kind)] = counts.get((country, kind), 0) + int(record.active(today))
    return counts
