"""Curfews, states of emergency and movement restrictions, with their area and dates.

A mention becomes an event only when something happens to the measure in the
sentence (declared, imposed, extended, in force, lifted) or it carries dates;
"the state of emergency is working" is talk about a measure, not a new one.
One event per kind named, so "a state of emergency with a curfew" is two.

Dates: a date after "from"/"since" starts the measure, after "until"/"to" ends it,
also with a clock time in between ("until 6 a.m. on Monday"); the date of a
lifting is its end. The date resolver reads a bare weekday as the past one; a
sentence in the future tense ("will be imposed from Monday"), or an extension
running "until Sunday", points to the coming one instead.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Final

from tocsin.contract.events import CurfewKind
from tocsin.extraction.context import is_background
from tocsin.extraction.dates import DateMention
from tocsin.extraction.document import Document, SentenceView
from tocsin.extraction.drafts import Draft
from tocsin.extraction.lexicon import CURFEW_END_VERBS, CURFEW_PHRASES, CURFEW_VERBS

_SPECULATIVE: Final = frozenset(
    ["could", "might", "may", "considering", "consider", "threatened", "if", "unless",
     "proposed", "calls", "called", "demanded", "urged", "rumours", "whether", "no", "not"]
)  # fmt: skip
_NATIONWIDE: Final = re.compile(
    r"\b(?:nationwide|national|countrywide|island-wide|across the country|whole country)\b"
)
_WEEKDAYS: Final = frozenset(
    ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
)
_FUTURE: Final = frozenset(["will", "shall", "would", "due"])
_EXTENDING: Final = frozenset(["extended", "extends", "extend", "extending", "prolonged"])
# "until 6 a.m. on Monday", "from midnight on Saturday": the resolver only sees "on".
_CLOCK: Final = (
    r"(?:[0-9]{1,2}(?:[:.][0-9]{2})?\s*(?:a\.m\.?|p\.m\.?|am|pm|hrs|hours)?"
    r"|midnight|noon|dawn|dusk)"
)
_TIMED: Final = re.compile(
    rf"\b(?P<prep>until|till|through|to|from|starting|since)\s+{_CLOCK}\s+on\s+\Z",
    re.IGNORECASE,
)
_TIMED_WINDOW: Final = 40  # longer than any preposition, clock time and "on"
_IMPOSED_ON: Final = re.compile(
    r"\b(?:imposed|declared|introduced|enforced|ordered|proclaimed|reimposed)\s+(?:on\s+)?\Z",
    re.IGNORECASE,
)
_TIMED_RELATIONS: Final = {"until": "until", "till": "until", "through": "until", "to": "until",
                    "from": "from", "starting": "from", "since": "since"}  # fmt: skip


def _relation(view: SentenceView, d: DateMention) -> str:
    if d.relation not in {"on", "none"}:
        return d.relation
    timed = _TIMED.search(view.text, max(0, d.start - _TIMED_WINDOW), d.start)
    return _TIMED_RELATIONS[timed.group("prep").lower()] if timed else d.relation


def _day(
    d: DateMention, relation: str, published: dt.date, *, future: bool, extending: bool
) -> dt.date:
    """The mention's day, moved to the coming week when the sentence points forward.

    Only a bare weekday moves: the resolver put it on or before publication, and
    "next Monday" or an explicit date already says which week it is.
    """
    forward = future or (extending and relation == "until")
    if forward and d.text in _WEEKDAYS and d.day < published:
        return d.day + dt.timedelta(days=7)
    return d.day


def _dates(
    view: SentenceView, words: set[str], lifted: bool
) -> tuple[dt.date | None, dt.date | None]:
    starts: dt.date | None = None
    ends: dt.date | None = None
    future = bool(words & _FUTURE)
    extending = bool(words & _EXTENDING)
    for d in view.dates:
        relation = _relation(view, d)
        day = _day(d, relation, view.published, future=future, extending=extending)
        # In "imposed on Monday, was lifted on Thursday" Monday is the start.
        imposed = bool(_IMPOSED_ON.search(view.text, max(0, d.start - _TIMED_WINDOW), d.start))
        if relation == "until" and ends is None:
            ends = day
        elif relation in {"from", "since"} and starts is None:
            starts = day
        elif relation in {"on", "none"} and lifted and not imposed and ends is None:
            ends = day
        elif relation in {"on", "none"} and starts is None:
            starts = day
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
    for index, matches in sorted(doc.triggers("curfew").items()):
        view = doc.view(index)
        if is_background(view):
            continue
        words = set(view.words)
        if not words & CURFEW_VERBS and not view.dates:
            continue
        if words & _SPECULATIVE:
            continue
        lifted = bool(words & CURFEW_END_VERBS)
        starts, ends = _dates(view, words, lifted)
        country, location = _area(doc, view)
        kinds: dict[CurfewKind, int] = {}
        for offset, phrase in matches:
            kinds.setdefault(CURFEW_PHRASES[phrase], offset)
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
