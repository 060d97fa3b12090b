"""Events built directly with the contract models, for the aggregator's tests.

An event's id is derived from every argument, so two identical calls give the
same event (a repeat, as a re-posted article would produce) and any difference
gives a new one.
"""

from __future__ import annotations

import datetime as dt

from tocsin.contract.events import (
    CasualtyEvent,
    Count,
    CurfewEvent,
    CurfewKind,
    DeploymentEvent,
    Evidence,
    Group,
    Outcome,
    StatementEvent,
)
from tocsin.contract.ids import event_id

T0 = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)
_EVIDENCE = Evidence(text="A sentence.", start=0, end=11)


def _envelope(
    event_type: str, article: str, published: dt.datetime, *key: object
) -> dict[str, object]:
    return {
        "event_id": event_id(article, "test", event_type, published.isoformat(), *key),
        "article_id": article,
        "source": "Test Wire",
        "published_at": published,
        "extracted_at": published,
        "extractor_version": "test",
        "evidence": _EVIDENCE,
        "confidence": 0.9,
    }


def casualty(
    country: str | None,
    outcome: Outcome,
    group: Group,
    low: int | None,
    *,
    high: int | None = None,
    article: str = "a1",
    published: dt.datetime = T0,
) -> CasualtyEvent:
    """A casualty report; ``high`` defaults to ``low`` (an exact figure)."""
    high = low if high is None else high
    return CasualtyEvent.model_validate(
        _envelope("casualty", article, published, country, outcome, group, low, high)
        | {
            "country": country,
            "location": None,
            "outcome": outcome,
            "count": Count(low=low, high=high, text=str(low)),
            "group": group,
            "group_text": None,
            "attributed_to": None,
        }
    )


def deployment(
    country: str | None,
    force: str,
    low: int | None,
    *,
    article: str = "a1",
    published: dt.datetime = T0,
) -> DeploymentEvent:
    """A deployment of ``force`` to ``country``; ``low`` None when the size is unknown."""
    return DeploymentEvent.model_validate(
        _envelope("deployment", article, published, country, force, low)
        | {
            "country": country,
            "location": None,
            "force": force,
            "size": Count(low=low, high=low, text="some" if low is None else str(low)),
            "origin_country": None,
            "status": "announced",
        }
    )


def curfew(
    country: str | None,
    kind: CurfewKind = "curfew",
    *,
    location: str | None = None,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    article: str = "a1",
    published: dt.datetime = T0,
) -> CurfewEvent:
    """A curfew (or state of emergency, movement restriction) report."""
    return CurfewEvent.model_validate(
        _envelope("curfew", article, published, country, kind, location, starts_on, ends_on)
        | {
            "country": country,
            "location": location,
            "kind": kind,
            "starts_on": starts_on,
            "ends_on": ends_on,
        }
    )


def statement(
    country: str | None,
    speaker: str,
    quote: str,
    *,
    article: str = "a1",
    published: dt.datetime = T0,
) -> StatementEvent:
    """A statement by ``speaker``."""
    return StatementEvent.model_validate(
        _envelope("statement", article, published, country, speaker, quote)
        | {
            "country": country,
            "location": None,
            "speaker": speaker,
            "speaker_role": None,
            "quote": quote,
        }
    )
