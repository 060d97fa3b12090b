"""Shared judgements about the words around a trigger: negated, hypothetical, background?

These checks look at a small window of words, so they stay linear in the text
and are easy to reason about in table tests.
"""

from __future__ import annotations

import re
from typing import Final

from tocsin.extraction.document import SentenceView
from tocsin.extraction.lexicon import (
    BACKGROUND_PHRASES,
    CONTRAST_WORDS,
    DENIAL_WORDS,
    HYPOTHETICAL_WORDS,
    NEGATION_WORDS,
)

_CLAUSE_BREAKS: Final = frozenset(";:")
# Clause search reaches this far on each side: callers look a dozen words around an
# offset, and an unbounded search would make a long run-on "sentence" quadratic.
_CLAUSE_WINDOW: Final = 600
_DENIAL_SPAN: Final = 25  # words before a trigger in which a denial still governs it
# Every quantity of kind "year" is read from four ASCII digits in a row ("1991", "1990s",
# "1990-95"): a sentence without them has none, and need not be searched for figures.
_FOUR_DIGITS: Final = re.compile(r"[0-9]{4}")


def clause_bounds(view: SentenceView, offset: int) -> tuple[int, int]:
    """Start and end (sentence offsets) of the clause around ``offset``, split at ; and :.

    A clause longer than the search window is cut at the window's edge.
    """
    text = view.text
    lo, hi = max(0, offset - _CLAUSE_WINDOW), min(len(text), offset + _CLAUSE_WINDOW)
    start = max(text.rfind(ch, lo, offset) for ch in _CLAUSE_BREAKS) + 1 or lo
    ends = [i for i in (text.find(ch, offset, hi) for ch in _CLAUSE_BREAKS) if i != -1]
    return start, min(ends) if ends else hi


def is_hypothetical(view: SentenceView, trigger_index: int, span: int = 4) -> bool:
    """True when a modal or threat word governs the trigger ("could kill thousands")."""
    return not HYPOTHETICAL_WORDS.isdisjoint(
        view.words[max(0, trigger_index - span) : trigger_index]
    )


def is_negated(view: SentenceView, first_index: int, trigger_index: int) -> bool:
    """True when a negation stands between the figure (or clause start) and the trigger.

    A denial earlier in the sentence governs the trigger too ("the army denied reports
    that soldiers had killed 30"), unless a contrast word opens a new claim after it
    ("police denied using live rounds, but doctors said 12 people were killed").
    """
    lo = max(0, min(first_index, trigger_index) - 3)
    hi = max(first_index, trigger_index)
    if not NEGATION_WORDS.isdisjoint(view.words[lo:hi]):
        return True
    denied = False
    for w in view.words[max(0, trigger_index - _DENIAL_SPAN) : trigger_index]:
        if w in DENIAL_WORDS:
            denied = True
        elif w in CONTRAST_WORDS:
            denied = False
    return denied


def is_background(view: SentenceView) -> bool:
    """True when the sentence talks about the past: an earlier year or a background phrase."""
    lower = view.lower
    # Plain loops rather than any() over a generator: compiled, they run without
    # creating a generator object and resuming it per item.
    for phrase in BACKGROUND_PHRASES:
        if phrase in lower:
            return True
    if _FOUR_DIGITS.search(view.text) is None:
        return False  # no year to read (see _FOUR_DIGITS): spare the quantities
    year = view.published.year
    for q in view.quantities:
        # "since 2011" frames today's news against the past; "in 2011" is the past itself.
        if (
            q.kind == "year"
            and q.low is not None
            and q.low < year
            and not lower[max(0, q.start - 6) : q.start].endswith("since ")
        ):
            return True
    return False
