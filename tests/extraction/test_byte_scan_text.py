"""The per-text byte scanners agree with the regexes they stand in for, on ASCII text.

``document._split_words_bytes`` against ``document._split_words`` (the word split of a
sentence). The scanners are called directly, so these tests run in the interpreted
build too (slowly): the compiled core picks the scanners only when the text is ASCII.
"""

from __future__ import annotations

import datetime as dt
import random
import string

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.bench_modules import load_bench_module
from tests.conftest import SEED_ARTICLE
from tocsin.extraction import document
from tocsin.extraction.normalise import normalise
from tocsin.extraction.sentences import Sentence, split_sentences

ASCII = "".join(chr(c) for c in range(128))


def _bench_bodies() -> list[str]:
    corpus = load_bench_module("corpus").corpus
    bodies = [a["body"] for a in corpus(40, density=0.2) + corpus(40, seed=11, density=0.6)]
    if SEED_ARTICLE.is_file():
        bodies.append(orjson.loads(SEED_ARTICLE.read_bytes())["body"])
    return [normalise(body) for body in bodies]


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
