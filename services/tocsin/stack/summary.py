"""A short human summary of the aggregator's answers: totals, deployments, active curfews.

``fetch`` reads the JSON API; ``format_summary`` is a pure function of those answers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

MAX_COUNTRIES = 8
"""Countries shown; the rest are counted, and the JSON API has them all."""
OUTCOME_ORDER = ("killed", "injured", "arrested", "missing")


@dataclass(frozen=True, slots=True)
class Answers:
    """The aggregator's JSON answers the summary is made from."""

    totals: Sequence[Mapping[str, Any]]
    deployments: Sequence[Mapping[str, Any]]
    curfews: Sequence[Mapping[str, Any]]
    today: str


def fetch(url: str, timeout: float = 5.0) -> Answers:
    """Read totals, deployments and active curfews from the aggregator at ``url``."""
    with httpx.Client(base_url=url, timeout=timeout) as http:
        totals = http.get("/v1/totals").raise_for_status().json()
        deployments = http.get("/v1/deployments").raise_for_status().json()
        curfews = http.get("/v1/curfews", params={"active": "true"}).raise_for_status().json()
    return Answers(
        totals=totals["totals"],
        deployments=deployments["deployments"],
        curfews=curfews["curfews"],
        today=str(curfews.get("today", "")),
    )


def _words(name: str) -> str:
    return name.replace("_", " ")


def _n(value: object) -> str:
    return f"{value:,}" if isinstance(value, int) else "size unknown"


def _casualty_lines(totals: Sequence[Mapping[str, Any]]) -> list[str]:
    by_country: dict[str, list[Mapping[str, Any]]] = {}
    for row in totals:
        by_country.setdefault(str(row["country"]), []).append(row)

    def weight(country: str) -> tuple[int, int, str]:
        rows = by_country[country]
        killed = sum(int(r["all"]) for r in rows if r["outcome"] == "killed")
        return (-killed, -sum(int(r["all"]) for r in rows), country)

    countries = sorted(by_country, key=weight)
    if not countries:
        return ["Casualties: none reported yet."]
    lines = ["Casualties (the highest figure reported, per country, outcome and group):"]
    width = max(len(_n(int(r["all"]))) for r in totals)
    for country in countries[:MAX_COUNTRIES]:
        rows = sorted(by_country[country], key=lambda r: _outcome_rank(str(r["outcome"])))
        for i, row in enumerate(rows):
            groups = ", ".join(f"{_words(g)} {_n(n)}" for g, n in row["groups"].items())
            label = country if i == 0 else ""
            lines.append(
                f"  {label:<3} {row['outcome']:<9} {_n(int(row['all'])):>{width}}   {groups}"
            )
    hidden = len(countries) - MAX_COUNTRIES
    if hidden > 0:
        lines.append(f"  … and {hidden} more countries")
    return lines


def _outcome_rank(outcome: str) -> int:
    return OUTCOME_ORDER.index(outcome) if outcome in OUTCOME_ORDER else len(OUTCOME_ORDER)


def _deployment_line(deployments: Sequence[Mapping[str, Any]]) -> str:
    if not deployments:
        return "Deployments: none reported yet."
    parts = [f"{d['country']} {d['force']} {_n(d['size'])}" for d in deployments]
    return "Deployments: " + "; ".join(parts)


def _curfew_line(curfews: Sequence[Mapping[str, Any]], today: str) -> str:
    on = f" on {today}" if today else ""
    if not curfews:
        return f"Active curfews{on}: none."
    parts = []
    for c in curfews:
        where = f" in {c['location']}" if c.get("location") else ""
        until = f" until {c['ends_on']}" if c.get("ends_on") else " (no end date reported)"
        parts.append(f"{c['country']} {_words(str(c['kind']))}{where}{until}")
    return f"Active curfews{on}: " + "; ".join(parts)


def format_summary(answers: Answers) -> str:
    """The summary text: casualties by country and group, deployments, active curfews."""
    lines = _casualty_lines(answers.totals)
    lines.append(_deployment_line(answers.deployments))
    lines.append(_curfew_line(answers.curfews, answers.today))
    return "\n".join(lines)
