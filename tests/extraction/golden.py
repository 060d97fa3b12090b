"""Loading and matching of golden extraction cases (tests/fixtures/extraction/*.json).

A case file holds a list of cases. A case is an article text, optionally its
publication time and id, and the events expected from it as partial events:
every key given must match (nested dicts match as subsets). Events of the
``checked`` types (default: all four) must pair one-to-one with expectations,
so a case also fails on an extra event nobody asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "extraction"
ALL_TYPES = ("casualty", "deployment", "statement", "curfew")


@dataclass(frozen=True)
class Case:
    """One golden case."""

    id: str
    text: str
    published_at: str
    expect: list[dict[str, Any]]
    checked: tuple[str, ...] = ALL_TYPES
    note: str = ""
    article_id: str = field(default="")


def load_cases() -> list[Case]:
    """Every case of every fixture file, in file then list order."""
    cases = []
    for path in sorted(FIXTURES.glob("*.json")):
        for raw in orjson.loads(path.read_bytes()):
            cases.append(
                Case(
                    id=f"{path.stem}:{raw['name']}",
                    text=raw["text"],
                    published_at=raw.get("published_at", "2024-03-08T12:00:00Z"),
                    expect=raw.get("expect", []),
                    checked=tuple(raw.get("checked", ALL_TYPES)),
                    note=raw.get("note", ""),
                    article_id=raw.get("article_id", f"golden-{path.stem}-{raw['name']}"),
                )
            )
    return cases


def matches(expected: Any, actual: Any) -> bool:
    """True when every key of ``expected`` matches ``actual`` (dicts compared as subsets)."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            k in actual and matches(v, actual[k]) for k, v in expected.items()
        )
    return bool(expected == actual)


def unmatched(
    expect: list[dict[str, Any]], events: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Pair expectations with events greedily; return (missing expectations, extra events)."""
    remaining = list(events)
    missing = []
    for want in expect:
        for i, event in enumerate(remaining):
            if matches(want, event):
                del remaining[i]
                break
        else:
            missing.append(want)
    return missing, remaining
