"""The extraction pipeline: an article in, its typed events out.

normalise -> sentences -> places -> per-type finders -> envelope. Pure: the
clock is a parameter and the gazetteer is read-only shared data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from pydantic import TypeAdapter

from tocsin.contract.article import Article
from tocsin.contract.events import Event
from tocsin.contract.ids import event_id
from tocsin.extraction.casualties import find_casualties
from tocsin.extraction.curfews import find_curfews
from tocsin.extraction.deployments import find_deployments
from tocsin.extraction.document import Document
from tocsin.extraction.drafts import Draft
from tocsin.extraction.geo import Gazetteer, default_gazetteer
from tocsin.extraction.statements import find_statements

EXTRACTOR_VERSION: Final = "0.1.0"
"""Part of every event id: bump it whenever extraction output changes for the same text."""

# One validator for the whole list: a discriminated union picks each event's model by
# its "type", and one call per article costs less than one ``model_validate`` per event.
_EVENTS: Final[TypeAdapter[list[Event]]] = TypeAdapter(list[Event])
_FINDERS: Final = (find_casualties, find_deployments, find_curfews, find_statements)


def extract(
    article: Article,
    *,
    extracted_at: dt.datetime,
    gazetteer: Gazetteer | None = None,
) -> list[Event]:
    """All events of one article, ordered by position in the body, then type."""
    doc = Document(article.body, article.published_at, gazetteer or default_gazetteer())
    drafts = [draft for finder in _FINDERS for draft in finder(doc)]
    drafts.sort(key=lambda d: (d.start, d.type, d.key))
    # Events of one sentence quote the same evidence: one string shared by all of them
    # keeps the memory (and the copying) linear in the body, however many events a long
    # sentence holds. The validator keeps a str as it is.
    evidence: dict[tuple[int, int], str] = {}
    for draft in drafts:
        span = (draft.start, draft.end)
        if span not in evidence:
            evidence[span] = article.body[draft.start : draft.end]
    return _EVENTS.validate_python(
        [_envelope(article, draft, extracted_at, evidence) for draft in drafts]
    )


def _envelope(
    article: Article,
    draft: Draft,
    extracted_at: dt.datetime,
    evidence: dict[tuple[int, int], str],
) -> dict[str, Any]:
    """The contract fields of one event, as plain data for the validator.

    Evidence is passed as a dict too: the event's validator checks it like every other
    field, so building an ``Evidence`` first would only validate it twice.
    """
    return {
        "type": draft.type,
        # The content hash keeps ids of different texts apart even when two ingest
        # instances accept one id with different content before either knows it.
        "event_id": event_id(
            article.id, EXTRACTOR_VERSION, draft.type, article.content_hash[:16], *draft.key
        ),
        "article_id": article.id,
        "source": article.source,
        "published_at": article.published_at,
        "extracted_at": extracted_at,
        "extractor_version": EXTRACTOR_VERSION,
        "country": draft.country,
        "location": draft.location,
        "evidence": {
            "text": evidence[draft.start, draft.end],
            "start": draft.start,
            "end": draft.end,
        },
        "confidence": draft.confidence,
        **draft.fields,
    }
