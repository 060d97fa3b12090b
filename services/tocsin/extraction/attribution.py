"""Who reported a figure: "according to X", "X reported that ...", "..., X said."."""

from __future__ import annotations

import re
from typing import Final

from tocsin.extraction.document import SentenceView
from tocsin.extraction.lexicon import CONTRAST_WORDS, DENIAL_WORDS

_REPORT_VERBS: Final = (
    r"said|says|reported|reports|told|confirmed|confirms|announced|announces|stated|"
    r"claimed|claims|added|estimated|estimates|counted|put|puts|cited"
)
# A source is a short phrase of words, possessives and hyphens (no clause punctuation).
_SOURCE: Final = r"(?:[\w'’.-]+\s+){0,6}?[\w'’.-]+"

_ACCORDING: Final = re.compile(
    rf"\baccording to\s+(?P<src>{_SOURCE})(?=\s*(?:[,.;:)]|$|\s+(?:on|in|who|which)\b))",
    re.IGNORECASE,
)
# "The bombing claimed the lives of 12": a cause that claims lives reports nothing.
_LEADING: Final = re.compile(
    rf"^(?:(?:On|In|Late|Early|Earlier|Later)\b[^,]{{0,40}},\s*)?(?P<src>{_SOURCE})\s+"
    rf"(?:{_REPORT_VERBS})\b(?!\s+(?:the\s+)?(?:lives|life|responsibility)\b)",
)
_TRAILING: Final = re.compile(
    rf",\s*(?P<src>{_SOURCE})\s+(?:{_REPORT_VERBS})\b[^,;]*[.!?\"']*\s*$",
)
_PRONOUNS: Final = frozenset({"he", "she", "they", "it", "we", "i", "police said"})
# Auxiliaries and adverbs between a source and its verb: "the ministry has said".
_AUXILIARIES: Final = frozenset({"has", "have", "had", "also", "later", "earlier", "previously"})
# Words that make the phrase a clause rather than a source: in "The army denied reports
# that ...", "reports" is a noun and "The army denied" is no source of a figure.
_CLAUSE_WORDS: Final = DENIAL_WORDS | {"that", "was", "were", "been", "when", "if"}


def _clean(source: str) -> str | None:
    source = source.strip(" ,.'\"’")
    while True:
        rest, _, last = source.rpartition(" ")
        if not rest or last.lower() not in _AUXILIARIES:
            break
        source = rest.rstrip()
    # "..., but doctors said 12 people were killed": the conjunction joins the clauses.
    first, _, rest = source.partition(" ")
    if rest and (first.lower() in CONTRAST_WORDS or first.lower() == "and"):
        source = rest.lstrip()
    words = source.split()
    if not source or source.lower() in _PRONOUNS:
        return None
    # A leading clause of the sentence ("that 18 people were killed") is no source.
    if any(ch.isdigit() for ch in source) or any(w.lower() in _CLAUSE_WORDS for w in words):
        return None
    return source


def find_attribution(view: SentenceView) -> str | None:
    """The reported source of the sentence's claims, as written, or None."""
    text = view.text
    # Sources sit near the ends of a sentence; bounding the window keeps the search
    # linear even for a pathological megabyte-long "sentence".
    # A closing ", X said." names the source of the whole sentence, so it wins over a
    # leading subject that may only look like one.
    searches = [(_TRAILING, text[-200:]), (_LEADING, text[:200])]
    # Case-insensitive, _ACCORDING has no literal prefix to skip ahead with, so the engine
    # tries it at every position: only try it when the sentence has the phrase. A match
    # lower-cases to "accord...", as none of these letters has a case variant outside
    # ASCII (unlike "i": "ı" and "İ" match it too).
    if "accord" in view.lower:
        searches.insert(0, (_ACCORDING, text[:2000]))
    for pattern, window in searches:
        match = pattern.search(window)
        if match:
            source = _clean(match.group("src"))
            if source is not None:
                return source
    return None
