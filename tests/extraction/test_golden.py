"""Golden cases: articles written for these tests, paired with the events they must yield."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.extraction.golden import Case, load_cases, unmatched
from tocsin.contract.article import ArticleIn
from tocsin.extraction.pipeline import extract

CASES = load_cases()


def _events(case: Case, now: dt.datetime) -> list[dict[str, Any]]:
    article = ArticleIn(
        id=case.article_id,
        body=case.text,
        published_at=dt.datetime.fromisoformat(case.published_at),
    ).resolve(received_at=now)
    return [e.model_dump(mode="json") for e in extract(article, extracted_at=now)]


def _brief(event: dict[str, Any]) -> dict[str, Any]:
    keep = ("type", "outcome", "count", "group", "force", "size", "status", "speaker", "kind",
            "country", "ends_on", "quote")  # fmt: skip
    return {k: event[k] for k in keep if k in event}


def test_there_are_enough_cases() -> None:
    """The golden table keeps at least 80 cases across all four event types."""
    assert len(CASES) >= 80
    types = {want["type"] for case in CASES for want in case.expect}
    assert types == {"casualty", "deployment", "statement", "curfew"}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_golden_case(case: Case, fixed_now: dt.datetime) -> None:
    """The case's text yields exactly the expected events of the checked types."""
    events = [e for e in _events(case, fixed_now) if e["type"] in case.checked]
    missing, extra = unmatched(case.expect, events)
    assert (missing, extra) == ([], []), (
        f"missing: {missing}\nextra: {[_brief(e) for e in extra]}\n"
        f"all: {[_brief(e) for e in events]}"
    )
