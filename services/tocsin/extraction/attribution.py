"""Who reported a figure: "according to X", "X reported that ...", "..., X said."."""

from __future__ import annotations

import re

from tocsin.extraction.document import SentenceView

_REPORT_VERBS = (
    r"said|says|reported|reports|told|confirmed|confirms|announced|announces|stated|"
    r"claimed|claims|added|estimated|estimates|counted|put|puts|cited"
)
# A source is a short phrase of words, possessives and hyphens (no clause punctuation).
_SOURCE = r"(?:[\w'’.-]+\s+){0,6}?[\w'’.-]+"

_ACCORDING = re.compile(
    rf"\baccording to\s+(?P<src>{_SOURCE})(?=\s*(?:[,.;:)]|$|\s+(?:on|in|who|which)\b))",
    re.IGNORECASE,
)
_LEADING = re.compile(
    rf"^(?:(?:On|In|Late|Early|Earlier|Later)\b[^,]{{0,40}},\s*)?(?P<src>{_SOURCE})\s+"
    rf"(?:{_REPORT_VERBS})\b",
)
_TRAILING = re.compile(
    rf",\s*(?P<src>{_SOURCE})\s+(?:{_REPORT_VERBS})\b[^,;]*[.!?\"']*\s*$",
)
_PRONOUNS = frozenset({"he", "she", "they", "it", "we", "i", "police said"})


def _clean(source: str) -> str | None:
    source = source.strip(" ,.'\"’")
    if not source or source.lower() in _PRONOUNS:
        return None
    # A leading clause of the sentence ("that 18 people were killed") is no source.
    if any(ch.isdigit() for ch in source):
        return None
    return source


def find_attribution(view: SentenceView) -> str | None:
    """The reported source of the sentence's claims, as written, or None."""
    text = view.text
    # Sources sit near the ends of a sentence; bounding the window keeps the search
    # linear even for a pathological megabyte-long "sentence".
    for pattern, window in (
        (_ACCORDING, text[:2000]),
        (_LEADING, text[:200]),
        (_TRAILING, text[-200:]),
    ):
        match = pattern.search(window)
        if match:
            source = _clean(match.group("src"))
            if source is not None:
                return source
    return None
