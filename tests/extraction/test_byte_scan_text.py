"""The per-text byte scanners agree with the regexes they stand in for, on ASCII text.

``document._split_words_bytes`` against ``document._split_words`` (the word split of a
sentence), and ``sentences._search_event_bytes`` against ``sentences._EVENTS`` (the
newlines and candidate boundaries the sentence splitter walks). The scanners are called
directly, so these tests run in the interpreted build too (slowly): the compiled core
picks the scanners only when the text is ASCII.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.bench_modules import corpus_bodies, seed_bodies
from tocsin.extraction import document, sentences
from tocsin.extraction.normalise import normalise
from tocsin.extraction.sentences import Sentence, split_sentences

ASCII = "".join(chr(c) for c in range(128))


def _bench_bodies() -> list[str]:
    return [normalise(body) for body in corpus_bodies(40) + seed_bodies()]


BODIES = _bench_bodies()
ASCII_BODIES = [body for body in BODIES if body.isascii()]


def test_the_bench_corpora_are_ascii() -> None:
    """Otherwise the corpus tests below would check next to nothing."""
    assert len(ASCII_BODIES) >= 80


# --- words: document._split_words_bytes --------------------------------------------------

# The bytes the word pattern cares about, and words made of them.
WORD_ALPHABET = "aZz09_'- -.,\n\t\"()"
WORD_PIECES = [
    "don't", "al-burhan", "x--y", "rock'n'roll", "a'", "-a", "'", "-", "--", "'-", "_",
    "co-op", "1,000", "3.6", "23-year-old", "o'brien's", "u.s.", "x-'y", " ", "\n",
]  # fmt: skip


def _words_agree(text: str) -> None:
    assert document._split_words_bytes(text, text.encode("ascii")) == document._split_words(text)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", []),
        ("a", ["a"]),
        ("don't stop", ["don't", "stop"]),
        ("al-burhan's men", ["al-burhan's", "men"]),
        ("x--y", ["x", "y"]),
        ("x'-y", ["x", "y"]),
        ("end' end- 'start -start", ["end", "end", "start", "start"]),
        ("snake_case __init__", ["snake_case", "__init__"]),
        ("a-b-c'd", ["a-b-c'd"]),
        ("1,000 and 3.6", ["1", "000", "and", "3", "6"]),
        ("'-'", []),
        ("\x00a\x7fb", ["a", "b"]),
    ],
)
def test_words_edge_cases(text: str, words: list[str]) -> None:
    _words_agree(text)
    assert document._split_words_bytes(text, text.encode("ascii"))[0] == words


@settings(max_examples=400)
@given(st.text(alphabet=WORD_ALPHABET, max_size=60))
def test_words_on_dense_text(text: str) -> None:
    _words_agree(text)


@settings(max_examples=200)
@given(st.lists(st.sampled_from(WORD_PIECES), max_size=20).map("".join))
def test_words_on_glued_pieces(text: str) -> None:
    _words_agree(text)


@settings(max_examples=200)
@given(st.text(alphabet=ASCII, max_size=80))
def test_words_on_any_ascii(text: str) -> None:
    _words_agree(text)


def test_words_on_the_bench_corpora() -> None:
    for body in ASCII_BODIES:
        for sentence in split_sentences(body):
            _words_agree(sentence.text.lower())
            _words_agree(sentence.text)  # upper case too, though the views lower first


def test_sentence_view_words_match_the_regex_split() -> None:
    """Through the view, which picks the scanner for ASCII text in the compiled build."""
    published = dt.date(2026, 1, 1)
    rng = random.Random(5)
    texts = [s.text for s in split_sentences(ASCII_BODIES[0])]
    texts += ["".join(rng.choice(string.printable) for _ in range(50)) for _ in range(50)]
    texts += ["Ünïcode don't ﬁx", "İstanbul al-Burhan", "\u212a-9"]  # the regex path
    for text in texts:
        view = document.SentenceView(Sentence(text, 0, len(text), 0), 0, published, [])
        words, starts, ends = document._split_words(text)
        if len(text.lower()) == len(text):
            words, starts, ends = document._split_words(text.lower())
        assert view.words == [w.lower() for w in words]
        assert view.word_starts == starts
        assert view.word_ends == ends


# --- sentence events: sentences._search_event_bytes --------------------------------------

Event = tuple[int, int, int, int, int]
NO_EVENT = (-1, -1, -1, -1, -1)


def _as_event(match: re.Match[str] | None) -> Event:
    """What the splitter reads of a match of _EVENTS (the groups are -1 when unset)."""
    if match is None:
        return NO_EVENT
    char_start, char_end = match.span("char")
    return match.start(), match.end(), match.start("close"), char_start, char_end


def _regex_events(text: str) -> list[Event]:
    return [_as_event(match) for match in sentences._EVENTS.finditer(text)]


def _byte_events(text: str) -> list[Event]:
    """The scanner driven as split_sentences drives it: each search from the last end."""
    data = text.encode("ascii")
    events = []
    pos = 0
    while (event := sentences._search_event_bytes(data, pos))[0] >= 0:
        events.append(event)
        pos = event[1]
    return events


def _events_agree(text: str) -> None:
    assert _byte_events(text) == _regex_events(text)


@pytest.mark.parametrize(
    ("table", "chars"),
    [
        (sentences._EVENT_START_BYTES, "\n" + sentences._TERMINATORS),
        (sentences._TERMINATOR_BYTES, sentences._TERMINATORS),
        (sentences._CLOSER_BYTES, sentences._CLOSERS),
        (sentences._OPENER_BYTES, sentences._OPENERS),
    ],
)
def test_event_tables_are_the_ascii_part_of_the_pattern_classes(table: bytes, chars: str) -> None:
    """Each table against the class, in the form the pattern writes it."""
    klass = re.compile(f"[{re.escape(chars)}]")
    assert [c for c in range(128) if table[c]] == [c for c in range(128) if klass.fullmatch(chr(c))]
    assert not any(table[128:])
    # The pattern's classes themselves, as written in _EVENTS.
    assert f"[{re.escape(sentences._CLOSERS)}]" in sentences._EVENTS.pattern
    assert f"[{re.escape(sentences._OPENERS)}]" in sentences._EVENTS.pattern
    assert sentences._EVENTS.pattern.startswith(f"[\\n{sentences._TERMINATORS}]")


# The characters the event pattern cares about: newlines and other blanks (the
# separators \x1c-\x1f are blanks to \s), terminators, closing and opening characters,
# and letters of both cases and digits for the `char` group.
EVENT_ALPHABET = ".!?\"')]}([{ \n\t\r\x0b\x0c\x1c\x1fAaZz09-:,"
EVENT_PIECES = [
    "Gen.", "U.S.", "a.m.", "Jan. 19", "\"Why?\" he asked.", "...", "!!!", ".\"", "?)\"",
    "\n\n  \n", " \n", ". ", "! \"(The", "said.", "3.6", "?!", "\t", "x", "The", " ", "\x1c",
]  # fmt: skip


@pytest.mark.parametrize(
    "text",
    [
        "", "\n", ".", "..", "a.", "a. ", "a.b", "a .", "3.6 m.", "a.\"", "a.\" B", "!!!a",
        "a!!! b", "a.\".\" b", "a.\"x. B", "x.)\n", "a. \n\n \n b", "a.  \"'(x", "a. \" x",
        "end.\x1c", "end.\x1f\nx", "a?! B", "\n\n\n", " \n \n ", "\n \t", "a.\r\nB",
        "a.\x0bB", "a.\n", "a. \n", "a. (\n", "a.'\"", "x.]} Y", "\x00.\x00. \x7f",
    ],
)  # fmt: skip
def test_events_edge_cases(text: str) -> None:
    _events_agree(text)


def test_events_spelled_out() -> None:
    text = 'He left. "Why?" she asked.\n\n  \nU.S. troops...!)'
    assert _byte_events(text) == [
        (7, 8, 8, 10, 11),  # ". ", then `char` "W", after the blank and the opening quote
        (13, 15, 14, 16, 17),  # '?"': the closing quote is in the match, `char` is "s"
        (25, 26, 26, 26, 26),  # ".\n": `char` is empty at the end of a line
        (26, 31, -1, -1, -1),  # the newline takes the blank lines after it along
        (34, 35, 35, 36, 37),  # only the last dot of "U.S." has a blank after it
        (42, 47, 46, 47, 47),  # a run of terminators and a closer at the end of the text
    ]
    _events_agree(text)


@settings(max_examples=400)
@given(st.text(alphabet=EVENT_ALPHABET, max_size=60))
def test_events_on_dense_text(text: str) -> None:
    _events_agree(text)


@settings(max_examples=200)
@given(st.lists(st.sampled_from(EVENT_PIECES), max_size=20).map("".join))
def test_events_on_glued_pieces(text: str) -> None:
    _events_agree(text)


@settings(max_examples=200)
@given(st.text(alphabet=ASCII, max_size=80))
def test_events_on_any_ascii(text: str) -> None:
    _events_agree(text)


@settings(max_examples=300)
@given(st.text(alphabet=EVENT_ALPHABET, max_size=30), st.data())
def test_search_from_any_position(text: str, data: st.DataObject) -> None:
    """A search that starts anywhere, even inside a run (the lookbehind looks back)."""
    pos = data.draw(st.integers(0, len(text)))
    expected = _as_event(sentences._EVENTS.search(text, pos))
    assert sentences._search_event_bytes(text.encode("ascii"), pos) == expected


def test_events_on_the_bench_corpora() -> None:
    for body in ASCII_BODIES:
        _events_agree(body)
