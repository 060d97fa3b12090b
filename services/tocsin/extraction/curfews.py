"""Curfews, states of emergency and movement restrictions, with their area and dates.

A mention becomes an event only when something happens to the measure in the
sentence (declared, imposed, extended, in force, lifted) or it carries dates;
"the state of emergency is working" is talk about a measure, not a new one.
One event per kind named, so "a state of emergency with a curfew" is two.
"""

from __future__ import annotations

import datetime as dt
import re

from tocsin.contract.events import CurfewKind
from tocsin.extraction.context import is_background
from tocsin.extraction.document import Document, SentenceView
from tocsin.extraction.drafts import Draft
from tocsin.extraction.lexicon import CURFEW_END_VERBS, CURFEW_PHRASES, CURFEW_VERBS

_PHRASES = re.compile(
    r"\b(?:" + "|".join(sorted(map(re.escape, CURFEW_PHRASES), key=len, reverse=True)) + r")\b"
)
_SPECULATIVE = frozenset(
    ["could", "might", "may", "considering", "consider", "threatened", "if", "unless",
     "proposed", "calls", "called", "demanded", "urged", "rumours", "whether", "no", "not"]
)  # fmt: skip
_NATIONWIDE = re.compile(
    r"\b(?:nationwide|national|countrywide|across the country|whole country)\b"
)


def _dates(view: SentenceView, lifted: bool) -> tuple[dt.date | None, dt.date | None]:
    starts: dt.date | None = None
    ends: dt.date | None = None
    for d in view.dates:
        if d.relation == "until" and ends is None:
            ends = d.day
        elif d.relation in {"from", "since"} and starts is None:
            starts = d.day
        elif d.relation in {"on", "none"} and lifted and ends is None:
            ends = d.day
        elif d.relation in {"on", "none"} and starts is None:
            starts = d.day
    if lifted and ends is None:
        ends = view.published
    return starts, ends


def _area(doc: Document, view: SentenceView) -> tuple[str | None, str | None]:
    if _NATIONWIDE.search(view.lower):
        countries = [p for p in view.places if p.kind == "country"]
        return (countries[0].country if countries else doc.country), None
    for place in view.places:
        if place.kind == "city":
            return place.country, place.name
    for place in view.places:
        if place.kind == "country":
            return place.country, None
    return doc.country, None


def find_curfews(doc: Document) -> list[Draft]:
    """Every curfew, state of emergency or movement restriction the article reports."""
    drafts: list[Draft] = []
    for view in doc.views:
        matches = list(_PHRASES.finditer(view.lower))
        if not matches or is_background(view):
            continue
        words = {w.lower for w in view.words}
        if not words & CURFEW_VERBS and not view.dates:
            continue
        if words & _SPECULATIVE:
            continue
        lifted = bool(words & CURFEW_END_VERBS)
        starts, ends = _dates(view, lifted)
        country, location = _area(doc, view)
        kinds: dict[CurfewKind, int] = {}
        for m in matches:
            kinds.setdefault(CURFEW_PHRASES[m.group()], m.start())
        for kind, offset in kinds.items():
            drafts.append(
                Draft(
                    type="curfew",
                    start=view.start,
                    end=view.sentence.end,
                    key=(view.start + offset, kind),
                    fields={"kind": kind, "starts_on": starts, "ends_on": ends},
                    country=country,
                    location=location,
                    confidence=0.85 if (starts or ends) else 0.7,
                )
            )
    return drafts
