"""Properties of the extraction core that must hold for any input text."""

from __future__ import annotations

import datetime as dt
from typing import Any

import jsonschema
import orjson
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import REPO
from tocsin.contract import topics
from tocsin.contract.article import Article, ArticleIn
from tocsin.extraction.pipeline import extract

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
SCHEMAS = {
    event_type: orjson.loads((REPO / "schemas" / f"{topic}.schema.json").read_bytes())
    for event_type, topic in topics.EVENT_TOPICS.items()
}

# Text that looks like news often enough to produce events: fragments of event
# sentences mixed with arbitrary unicode, punctuation and figures.
FRAGMENTS = [
    "12 protesters were killed", "in Almaty", "police said", "“We will stay,” she said.",
    "At least 40 people were arrested.", "a curfew until Jan. 19", "dozens injured",
    "About 3,600 CSTO troops would be deployed to Kazakhstan.", "\n\n", ". ", ", ", "\"",
    "state of emergency", "Tokayev said", "a 23-year-old", "in 1991", "$5 million",
]  # fmt: skip
newsy_text = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=40)), min_size=1, max_size=25
).map(" ".join)


def _article(body: str) -> Article:
    return ArticleIn(
        id="prop-article",
        body=body if body.strip() else ".",
        published_at=dt.datetime(2022, 1, 7, tzinfo=dt.UTC),
    ).resolve(received_at=NOW)


@given(st.text(min_size=1, max_size=2000))
def test_never_raises_on_arbitrary_text(body: str) -> None:
    """Any unicode text gives a list of events and never an exception."""
    assert isinstance(extract(_article(body), extracted_at=NOW), list)


@given(newsy_text)
def test_every_event_validates_against_its_json_schema(body: str) -> None:
    """Every event, serialised, validates against the committed JSON Schema of its topic."""
    for event in extract(_article(body), extracted_at=NOW):
        payload: dict[str, Any] = orjson.loads(orjson.dumps(event.model_dump(mode="json")))
        jsonschema.validate(payload, SCHEMAS[event.type])


@given(newsy_text)
def test_evidence_offsets_point_at_the_evidence_text(body: str) -> None:
    """body[start:end] is exactly the evidence text of every event."""
    article = _article(body)
    for event in extract(article, extracted_at=NOW):
        assert article.body[event.evidence.start : event.evidence.end] == event.evidence.text


@given(newsy_text)
def test_ids_are_stable_across_runs(body: str) -> None:
    """Extracting the same article twice, at different times, gives the same event ids."""
    article = _article(body)
    first = [e.event_id for e in extract(article, extracted_at=NOW)]
    later = [e.event_id for e in extract(article, extracted_at=NOW + dt.timedelta(days=3))]
    assert first == later
    assert len(set(first)) == len(first)
