"""Acceptance on the project's seed article (../shared/corpus/seed-article.json).

The seed is reference material outside the repository: these tests run when it is
present (as on developer machines and CI) and are skipped, with a reason, otherwise.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
import pytest

from tests.conftest import SEED_ARTICLE
from tocsin.contract.article import ArticleIn
from tocsin.contract.events import Event
from tocsin.extraction.pipeline import extract

pytestmark = pytest.mark.skipif(not SEED_ARTICLE.is_file(), reason="shared seed article absent")


@pytest.fixture(scope="module")
def seed_events() -> list[Event]:
    """Events of the seed article, extracted once for the module."""
    article = ArticleIn.model_validate(orjson.loads(SEED_ARTICLE.read_bytes()))
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    return extract(article.resolve(received_at=now), extracted_at=now)


def _of(events: list[Event], event_type: str) -> list[dict[str, Any]]:
    return [e.model_dump(mode="json") for e in events if e.type == event_type]


def test_casualties(seed_events: list[Event]) -> None:
    """18 security forces and 26 militants killed, 3,000+ arrested, dozens killed, hundreds hurt."""
    got = {
        (e["outcome"], e["group"], e["count"]["low"], e["count"]["high"], e["country"])
        for e in _of(seed_events, "casualty")
    }
    assert got == {
        ("killed", "security_forces", 18, 18, "KZ"),
        ("killed", "militants", 26, 26, "KZ"),
        ("arrested", "unspecified", 3000, None, "KZ"),
        ("killed", "unspecified", 24, None, "KZ"),
        ("injured", "unspecified", 200, None, "KZ"),
    }


def test_militant_group_text_is_as_written(seed_events: list[Event]) -> None:
    """The 26 are recorded with the article's own words, 'armed criminals'."""
    texts = {e["group_text"] for e in _of(seed_events, "casualty") if e["group"] == "militants"}
    assert texts == {"armed criminals"}


def test_deployments(seed_events: list[Event]) -> None:
    """About 3,600 CSTO troops announced for KZ; an airborne brigade arrived in KZ."""
    deployments = _of(seed_events, "deployment")
    csto = [d for d in deployments if d["force"] == "CSTO" and d["size"]["low"] == 3600]
    assert len(csto) == 1
    assert csto[0]["country"] == "KZ"
    assert csto[0]["size"]["high"] == 3600
    airborne = [d for d in deployments if "airborne" in d["force"]]
    assert len(airborne) == 1
    assert airborne[0]["country"] == "KZ"
    assert airborne[0]["status"] == "arrived"
    assert airborne[0]["size"]["low"] is None
    assert all(d["country"] == "KZ" for d in deployments)


def test_state_of_emergency(seed_events: list[Event]) -> None:
    """A nationwide state of emergency, curfew and movement restrictions until 19 January 2022."""
    curfews = _of(seed_events, "curfew")
    kinds = {c["kind"] for c in curfews}
    assert kinds == {"state_of_emergency", "curfew", "movement_restriction"}
    assert all(c["country"] == "KZ" and c["ends_on"] == "2022-01-19" for c in curfews)


def test_statements(seed_events: list[Event]) -> None:
    """Tokayev is quoted often; the woman, the man, Stronski, Zas and Struthers are heard."""
    speakers = [s["speaker"] for s in _of(seed_events, "statement")]
    assert speakers.count("Tokayev") >= 3
    for who in ("one woman", "Another man", "Paul Stronski", "Stanislav Zas", "Marie Struthers"):
        assert who in speakers, who


def test_no_events_from_background_figures(seed_events: list[Event]) -> None:
    """Nothing comes from 'ninth largest country', 1991, 'three decades', 2019 or 2020."""
    for event in seed_events:
        if event.type in {"casualty", "deployment", "curfew"}:
            text = event.evidence.text
            for phrase in ("ninth largest", "1991", "three decades", "2019", "2020"):
                assert phrase not in text, (phrase, event.type)


def test_evidence_points_into_the_body(seed_events: list[Event]) -> None:
    """Every evidence span slices the original body to exactly the evidence text."""
    body = orjson.loads(SEED_ARTICLE.read_bytes())["body"]
    for event in seed_events:
        assert body[event.evidence.start : event.evidence.end] == event.evidence.text
