"""Tests of the whole-article trigger scan (tocsin.extraction.prefilter)."""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import given
from hypothesis import strategies as st

from tocsin.extraction.document import Document
from tocsin.extraction.geo import default_gazetteer
from tocsin.extraction.lexicon import CASUALTY_TRIGGERS, CURFEW_PHRASES
from tocsin.extraction.prefilter import sentence_hits, word_pattern

_WORDS = sorted({*CASUALTY_TRIGGERS, *CURFEW_PHRASES})
_FLAT = re.compile(
    r"\b(?:" + "|".join(sorted(map(re.escape, _WORDS), key=len, reverse=True)) + r")\b"
)
_TRIE = word_pattern(_WORDS)
_PIECES = st.sampled_from([*_WORDS, "s", "ed", "-", "un", "x", " ", ". ", ".\n", "İ", "12", "The"])


def _document(text: str) -> Document:
    return Document(text, dt.datetime(2024, 3, 8, tzinfo=dt.UTC), default_gazetteer())


@given(st.lists(_PIECES, max_size=40).map("".join) | st.text())
def test_trie_matches_like_a_flat_alternation(text: str) -> None:
    """The trie pattern finds exactly what the longest-first alternation of the words finds."""
    lower = text.lower()
    assert [(m.start(), m.group()) for m in _TRIE.finditer(lower)] == [
        (m.start(), m.group()) for m in _FLAT.finditer(lower)
    ]


@given(st.lists(_PIECES, max_size=40).map("".join))
def test_hits_are_the_matches_inside_each_sentence(text: str) -> None:
    """One scan of the article gives, per sentence, what a scan of that sentence gives."""
    doc = _document(text)
    expected = {}
    for view in doc.views:
        found = [(m.start(), m.group()) for m in _TRIE.finditer(view.lower)]
        if found:
            expected[view.index] = found
    assert sentence_hits(doc, _TRIE) == expected


def test_length_changing_lower_case_keeps_offsets_in_their_sentence() -> None:
    """A character that grows when lower-cased ("İ") does not shift later sentences' hits."""
    doc = _document("İstanbul police said 12 people were killed. A curfew was imposed.")
    hits = sentence_hits(doc, word_pattern(CURFEW_PHRASES))
    assert hits == {1: [(2, "curfew")]}
