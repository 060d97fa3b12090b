"""The trigger automaton (``prefilter.trigger_spans``) finds what the trigger regex finds.

The compiled core scans ASCII articles for trigger entries with a byte-level automaton
instead of ``_PADDED_TRIGGERS_ASCII``; every test here holds the automaton's spans against
the regex's on the same text: generated text made of entries, pieces of entries and the
characters that decide a word boundary, the bench corpora, hostile text, and a table of
hand-picked cases. The tests call the automaton directly, so they run interpreted too.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.bench_modules import corpus_bodies, load_bench_module, seed_bodies
from tocsin.extraction import prefilter
from tocsin.extraction.normalise import normalise

ENTRIES = sorted(prefilter._EXPANSIONS)
# The definition the shared scan stands for: the entries as whole words, longest first.
_WHOLE_WORDS = prefilter.word_pattern(ENTRIES)


def regex_spans(text: str) -> list[tuple[int, int]]:
    """The spans the regex path of ``trigger_hits`` gives for ``text`` (ASCII)."""
    spans = list(prefilter._regex_trigger_spans(text))
    assert spans == [m.span() for m in _WHOLE_WORDS.finditer(text)]
    return spans


def byte_spans(text: str) -> list[tuple[int, int]]:
    return prefilter.trigger_spans(text.encode("ascii"))


def _pieces() -> list[str]:
    """Entries, the words and prefixes they are made of, and what may stand around them."""
    words = {word for entry in ENTRIES for word in re.split("[ -]", entry)}
    prefixes = {entry[:cut] for entry in ENTRIES for cut in (len(entry) // 2, len(entry) - 1)}
    around = [" ", " ", "-", "\n", ".", ",", "'", '"', "_", "2", "12", "s", "ed", "un", "x"]
    capitals = ["The", "A", "Killed", "CURFEW", "State Of Emergency"]
    return sorted({*ENTRIES, *words, *prefixes, *around, *capitals} - {""})


PIECES = _pieces()
ASCII_TEXT = st.text(alphabet=st.characters(max_codepoint=127), max_size=80)
JOINED = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)


@settings(max_examples=3000)
@given(JOINED)
def test_like_the_regex_on_entries_and_their_pieces(text: str) -> None:
    lower = text.lower()
    assert byte_spans(lower) == regex_spans(lower)


@settings(max_examples=300)
@given(JOINED)
def test_like_the_regex_before_lower_casing(text: str) -> None:
    """Capitals are just bytes no entry holds, for both."""
    assert byte_spans(text) == regex_spans(text)


@settings(max_examples=1000)
@given(st.lists(st.sampled_from(PIECES) | ASCII_TEXT, max_size=12).map("".join))
def test_like_the_regex_among_any_ascii(text: str) -> None:
    lower = text.lower()
    assert byte_spans(lower) == regex_spans(lower)


@settings(max_examples=300)
@given(
    st.lists(st.sampled_from(ENTRIES), min_size=1, max_size=6),
    st.lists(st.sampled_from(["", " ", "-", "_", "s", "1", "."]), min_size=7, max_size=7),
)
def test_like_the_regex_on_entries_glued_together(entries: list[str], glue: list[str]) -> None:
    """Entries touching each other or joined by one character, at the ends of the text too."""
    text = glue[0] + "".join(entry + sep for entry, sep in zip(entries, glue[1:], strict=False))
    assert byte_spans(text) == regex_spans(text)


def test_every_entry_is_found_alone_and_in_a_sentence() -> None:
    for entry in ENTRIES:
        assert byte_spans(entry) == [(0, len(entry))]
        text = f"the word {entry}."
        assert byte_spans(text) == regex_spans(text) == [(9, 9 + len(entry))]


EDGE_CASES = [
    ("", []),
    ("killed", [(0, 6)]),  # the whole text
    ("killed.", [(0, 6)]),
    (" killed", [(1, 7)]),
    ("police killed", [(7, 13)]),  # an entry at the very end
    ("_killed killed_ killed2 2killed", []),  # underscores and digits are word characters
    ("killed-", [(0, 6)]),  # a hyphen is not
    ("unkilled", []),
    ("curfews", [(0, 7)]),  # the longest entry wins
    ("curfewsx curfew", [(9, 15)]),
    ("state of emergency", [(0, 18)]),
    ("states of emergency", [(0, 19)]),
    ("states of emergencyx", [(0, 6)]),  # backs off to the shorter entry
    ("states of emergenc", [(0, 6)]),
    ("state of emergencyx", []),
    ("state of siege.", [(0, 14)]),
    ("states  of emergency", [(0, 6)]),  # two spaces are not in the entry
    ("stay-at-home order", [(0, 18)]),
    ("stay-at-home orders", []),
    ("stay-at-home", []),
    ("travel bans", []),
    ("travel ban travel ban", [(0, 10), (11, 21)]),
    ("killed,killed\nkilled", [(0, 6), (7, 13), (14, 20)]),
    ("killedkilled", []),
    ("'killed' \"killed\"", [(1, 7), (10, 16)]),
    ("Killed", []),  # the scan reads lower-cased text
    ("\x1ckilled\x7f", [(1, 7)]),
]


@pytest.mark.parametrize(("text", "expected"), EDGE_CASES)
def test_edge_cases(text: str, expected: list[tuple[int, int]]) -> None:
    assert byte_spans(text) == regex_spans(text) == expected


def _ascii_lower(bodies: list[str]) -> list[str]:
    """The texts the trigger scan reads (normalised, lower-cased), the ASCII ones."""
    lowered = [normalise(body).lower() for body in bodies]
    return [text for text in lowered if text.isascii()]


def test_like_the_regex_on_the_bench_corpora() -> None:
    texts = _ascii_lower(corpus_bodies(150, densities=(0.2, 1.0)) + seed_bodies())
    assert len(texts) >= 300
    for text in texts:
        assert byte_spans(text) == regex_spans(text)


def test_like_the_regex_on_hostile_text() -> None:
    families = load_bench_module("adversarial_texts").FAMILIES
    texts = _ascii_lower([make(8 * 1024) for make in families.values()])
    assert texts
    for text in texts:
        assert byte_spans(text) == regex_spans(text)
