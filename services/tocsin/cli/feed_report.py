"""The summary ``tocsin feed`` prints, and its exit code: pure functions of the results."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from tocsin.cli.feed_client import Result, Status

STATUSES: tuple[Status, ...] = ("accepted", "duplicate", "rejected", "unavailable")
_LABELS = {"accepted": "accepted", "duplicate": "duplicates", "rejected": "rejected",
           "unavailable": "unavailable"}  # fmt: skip
POSITIONS_SHOWN = 5
"""Positions listed under each reason; the rest are counted, so one bad file of 10,000
lines cannot bury the other reasons."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason, and every article that failed for it (in input order)."""

    status: Status
    reason: str
    where: list[str] = field(default_factory=list)


def counts(results: Sequence[Result]) -> dict[Status, int]:
    """How many articles ended in each status (every status present, maybe 0)."""
    tally: dict[Status, int] = dict.fromkeys(STATUSES, 0)
    for result in results:
        tally[result.status] += 1
    return tally


def problems(results: Sequence[Result]) -> list[Problem]:
    """Rejected, then unavailable, articles grouped by identical reason, most frequent first."""
    grouped: dict[tuple[Status, str], Problem] = {}
    for result in results:
        if result.status in ("rejected", "unavailable"):
            key = (result.status, result.reason or "no reason given")
            grouped.setdefault(key, Problem(*key)).where.append(result.where)
    order = {status: n for n, status in enumerate(STATUSES)}
    # Stable sort over first appearance: equally frequent reasons keep the input's order.
    return sorted(grouped.values(), key=lambda p: (order[p.status], -len(p.where)))


def exit_code(results: Sequence[Result]) -> int:
    """0 when every article was accepted or a duplicate, 1 otherwise."""
    return 0 if all(r.status in ("accepted", "duplicate") for r in results) else 1


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def format_summary(results: Sequence[Result], *, files: int, url: str, seconds: float) -> str:
    """The human-readable summary: counts, events published, then the grouped problems."""
    tally = counts(results)
    lines = [
        f"{_plural(len(results), 'article')} read from {_plural(files, 'file')}, "
        f"sent to {url} in {seconds:.1f} s:"
    ]
    width = max(len(label) for label in _LABELS.values())
    digits = len(str(max(tally.values(), default=0)))
    for status in STATUSES:
        lines.append(f"  {_LABELS[status]:<{width}}  {tally[status]:>{digits}}")
    events = sum(r.events for r in results if r.status == "accepted")
    lines.append(f"  {_plural(events, 'event')} published")
    for problem in problems(results):
        lines.append(f"{problem.status} ({len(problem.where)}): {problem.reason}")
        lines.extend(f"    {where}" for where in problem.where[:POSITIONS_SHOWN])
        hidden = len(problem.where) - POSITIONS_SHOWN
        if hidden > 0:
            lines.append(f"    … and {hidden} more")
    return "\n".join(lines)
