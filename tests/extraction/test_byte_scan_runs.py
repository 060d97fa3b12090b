"""The byte scanner for capitalised runs (``geo_scan.run_spans``) against the regex it mirrors.

``Gazetteer.find`` takes its runs from the byte scanner (``next_run``, ``run_end``)
in the compiled core on ASCII text, and from ``_RUN_ASCII`` otherwise; the two must
give the same spans on every ASCII text. These tests call ``run_spans``, which is
built on the same two functions, so they check the compiled scanner in a compiled
build and its Python source in an interpreted one.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.bench_modules import corpus_bodies, load_bench_module, seed_bodies
from tocsin.extraction import geo_scan
from tocsin.extraction.geo import default_gazetteer
from tocsin.extraction.geo_scan import _RUN_ASCII, run_spans


def regex_spans(text: str) -> list[int]:
    spans: list[int] = []
    for match in _RUN_ASCII.finditer(text):
        spans += match.span()
    return spans


def assert_same_runs(text: str) -> None:
    assert text.isascii()
    assert run_spans(text.encode("ascii")) == regex_spans(text), repr(text)


# What RUN cares about: capitals (S, M, F for "St." and the like, U for "U.S."),
# lower-case letters ("s" for possessives, "t" for "St"), other word bytes, the
# punctuation inside and around words, one and two spaces and other blanks, the
# particles and prefixes, abbreviations and possessives.
_PIECES = [
    *"ABFKMSUZ",
    *"adelstxz",
    *"09_",
    *".-',;\"()",
    " ",
    "  ",
    "\n",
    "\t",
    *("of ", "the ", "and ", "de ", "del ", "des ", "dos ", "al ", "es ", "upon ", "la "),
    *("of", "the", "de", "del", "upon"),
    *("al-", "el-", "as-", "ash-", "ez-", "an-", "d'", "l'", "x-", "de-", "del'", "ld'", "x'"),
    *("St.", "Mt.", "Ft.", "St", "U.S.", "U.K.", "U.S.A", "U.N", "A.B.C.D", ".S.", ".s.", ".1."),
    *("'s", "s'", "'s'", "-s", "'sh", "'t"),
    *("Raqqa", "Ivoire", "Salaam", "Dar", "Congo", "Texas", "Nur-Sultan", "Covid-19", "Paris"),
]

_texts = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)
_ascii = st.text(alphabet=st.characters(max_codepoint=127), max_size=60)
# Run-shaped text: words joined by single spaces, so that runs go on for many words.
_RUN_WORDS = [
    *("Foo", "Bar's", "Texas'", "St.", "U.S.", "U.S.A", "al-Bar", "d'Arc", "ash-Sham", "Q"),
    *("of", "the", "de", "la", "es", "upon", "and", "x", "al", "al-", "d'", "Mt", "'s", "s'"),
    *("Bar-s", "Bar's-led", "U.N", "Fort-St.", "A.", "del'Arc", "al'Bar", "a'Bar", "U.s."),
    "A.b.C.",
]
_words = st.lists(st.sampled_from(_RUN_WORDS), max_size=25).map(" ".join)


@settings(max_examples=3000, deadline=None)
@given(_texts)
def test_same_runs_on_text_made_of_the_pieces_runs_care_about(text: str) -> None:
    assert_same_runs(text)


@settings(max_examples=1500, deadline=None)
@given(_words)
def test_same_runs_on_words_joined_by_single_spaces(text: str) -> None:
    assert_same_runs(text)


@settings(max_examples=1500, deadline=None)
@given(_ascii)
def test_same_runs_on_any_ascii(text: str) -> None:
    assert_same_runs(text)


# (text, the runs RUN finds): the cases the scanner has to get right, spelt out.
EDGE_CASES = [
    ("", []),
    ("Almaty", ["Almaty"]),
    ("in Almaty, Kazakhstan", ["Almaty", "Kazakhstan"]),
    ("Republic of the Congo", ["Republic of the Congo"]),
    ("Dar es Salaam", ["Dar es Salaam"]),
    ("Cote d'Ivoire", ["Cote d'Ivoire"]),
    ("Deir ez-Zor", ["Deir ez-Zor"]),
    ("Foo as-Sham ash-Sham", ["Foo as-Sham ash-Sham"]),
    ("Foo of al-Bar", ["Foo of al-Bar"]),
    ("Foo d'Arc l'Est", ["Foo d'Arc l'Est"]),
    ("Foo a'Bar", ["Foo", "Bar"]),
    ("Foo de-Bar", ["Foo", "Bar"]),
    ("Foo asha-Bar", ["Foo", "Bar"]),
    # An iteration that does not finish is dropped with its space and particles.
    ("Republic of the congo", ["Republic"]),
    ("Foo de la", ["Foo"]),
    ("Raqqa al-Bar al-", ["Raqqa al-Bar"]),
    ("Bank of  England", ["Bank", "England"]),
    ("Foo Bar\nBaz", ["Foo Bar", "Baz"]),
    # A run never starts after a word byte, but may after a dot or a hyphen.
    ("iPhone McDonald", ["McDonald"]),
    ("_Paris 9Lima", []),
    ("xSt. Louis", ["Louis"]),
    ("St.Petersburg", ["St.", "Petersburg"]),
    # Dotted capitals: the "+" gives back one pair when no dot follows the last.
    ("U.S.A", ["U.S.", "A"]),
    ("A.B.C.D", ["A.B.C.", "D"]),
    ("U.N and U.N.", ["U", "N and U.N."]),
    ("Foo U.S. Bar", ["Foo U.S. Bar"]),
    ("U.s. Army", ["U", "Army"]),
    ("A.1.", ["A"]),
    ("U.S.'s", ["U.S.'s"]),
    ("U.S.'sX", ["U.S."]),
    ("Foo St.'s2", ["Foo St."]),
    # The dot of St/Mt/Ft: the look-behind reads the text, not the token.
    ("Foo St. Bar", ["Foo St. Bar"]),
    ("Ft. Mt. St. X", ["Ft. Mt. St. X"]),
    ("Fort-St. Ost. St. Petersburg", ["Fort-St. Ost", "St. Petersburg"]),
    # Possessives: kept out of the word by (?!s\b), then taken by _POSSESSIVE.
    ("Texas's governor", ["Texas's"]),
    ("protesters' Texas' Paris's", ["Texas' Paris's"]),
    ("Syria's Idlib's", ["Syria's Idlib's"]),
    ("Russia's-led", ["Russia's"]),
    ("Russia'sX", ["Russia'sX"]),
    ("Texas'x", ["Texas'x"]),
    ("Bar's's", ["Bar's"]),
    ("Nur-Sultan-s Foo", ["Nur-Sultan", "Foo"]),
    ("X_Y", ["X_Y"]),
]


@pytest.mark.parametrize(("text", "runs"), EDGE_CASES)
def test_edge_cases(text: str, runs: list[str]) -> None:
    assert [m.group() for m in _RUN_ASCII.finditer(text)] == runs
    spans = run_spans(text.encode("ascii"))
    assert [text[spans[k] : spans[k + 1]] for k in range(0, len(spans), 2)] == runs


def bench_bodies() -> list[str]:
    # The seed article is not all ASCII: its other characters become "?".
    seed = [body.encode("ascii", "replace").decode("ascii") for body in seed_bodies()]
    return corpus_bodies(150) + seed


def test_same_runs_on_the_bench_corpora_and_the_seed_article() -> None:
    for body in bench_bodies():
        assert_same_runs(body)


# Text for Gazetteer.find: place names of every shape among other words.
_PLACE_WORDS = [
    *("Republic of the Congo", "Cote d'Ivoire", "Dar es Salaam", "Deir ez-Zor", "al-Raqqa"),
    *("Russia's", "Russian-led", "Russia-Ukraine", "US", "U.S.", "UK", "St. Petersburg"),
    *("Jordan", "Michael Jordan", "Paris Hilton", "in Paris", "Kazakhstan's", "Almaty"),
    *("LET US PRAY", "Georgia", "Latin America", "the", "of", "said", ",", ".", "\n"),
]
_place_texts = st.lists(st.sampled_from(_PLACE_WORDS), max_size=30).map(" ".join)


def assert_same_places(text: str) -> None:
    # A non-ASCII word at the end sends find down its regex path (RUN) and changes no
    # run before it: the places found must be the same as on the ASCII text, which the
    # compiled core scans with the byte scanner.
    gazetteer = default_gazetteer()
    assert gazetteer.find(text + " \u00e9t\u00e9") == gazetteer.find(text), repr(text)


@settings(max_examples=500, deadline=None)
@given(_place_texts)
def test_find_gives_the_same_places_from_the_byte_scanner_and_the_regex(text: str) -> None:
    assert_same_places(text)


def test_find_gives_the_same_places_on_the_bench_corpora() -> None:
    for body in bench_bodies():
        assert_same_places(body)


def test_same_runs_on_the_hostile_texts() -> None:
    families = load_bench_module("adversarial_texts").FAMILIES
    for family in families.values():
        text = family(20_000)
        if text.isascii():
            assert_same_runs(text)


def test_the_word_lists_are_the_regex_alternations() -> None:
    def words(alternation: str) -> frozenset[bytes]:
        inner = re.fullmatch(r"\(\?:([a-z|]+)\)", alternation)
        assert inner is not None
        return frozenset(w.encode() for w in inner.group(1).split("|"))

    assert words(geo_scan._PARTICLE) == geo_scan._PARTICLE_WORDS
    prefixes = re.match(r"\(\?:(\([a-z|?:]+\))-\|\[dl\]\['’\]\)", geo_scan._PREFIXED)
    assert prefixes is not None
    assert words(prefixes.group(1)) == geo_scan._PREFIX_WORDS
