"""The figure lexer's byte pre-scan (``quantities._atom_matches_bytes``) against its regexes.

In the compiled core on ASCII text, ``_lex`` takes its matches from the byte scan, which
asks the lexer's regexes only where an atom can start; otherwise it runs the regexes
over the whole text (``_atom_matches_regex``). Both must give the same matches, with
the same groups at the same spans, on every ASCII text. These tests call both directly,
so they check the compiled scan in a compiled build and its Python source otherwise.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.bench_modules import corpus_bodies, load_bench_module, seed_bodies
from tocsin.extraction.quantities import (
    _atom_matches_bytes,
    _atom_matches_regex,
    _may_start_atom,
    find_quantities,
)

Seen = tuple[str | None, int, dict[str, tuple[int, int]]]


def seen(matches: list[re.Match[str]]) -> list[Seen]:
    """What the lexer can read of its matches: the alternative, the end, every group set."""
    return [
        (m.lastgroup, m.end(), {name: m.span(name) for name, v in m.groupdict().items() if v})
        for m in matches
    ]


def assert_same_atoms(text: str) -> None:
    assert text.isascii()
    by_bytes = seen(_atom_matches_bytes(text, text.encode("ascii")))
    assert by_bytes == seen(_atom_matches_regex(text)), repr(text)


# What the lexer cares about: digits and their separators, currency signs and prefixes,
# the characters its look-behinds refuse before a figure, the first words of atoms in
# both cases, words that only start like them, joiners, blanks and other punctuation.
_PIECES = [
    *"0159",
    *("12", "3,000", "2.5", "1990", "1990s", "5-10", "1st", "2m", "10:30", "007", "1,2"),
    *("$", "US$", "us$", "A$", "C$", "S$", "HK$", "NZ$", "X$", "AB$", "_$"),
    *"+#@.,-/:%_'\"()",
    " ",
    "  ",
    "\n",
    "\t",
    "\x1c",
    *("a", "A", "an", "An", "half", "Half", "couple", "of", "and", "or", "more", "so"),
    *("few", "several", "dozen", "dozens", "Dozens", "scores", "tens", "Tens", "tenses"),
    *("hundred", "Hundred", "hundreds", "thousand", "Thousands", "million", "billion"),
    *("one", "One", "two", "twelve", "twenty", "Twenty", "ninety", "twenty-six"),
    *("first", "First", "second", "ninth", "twentieth", "hundredth", "millionth"),
    *("handful", "anyone", "ones", "twos", "firsts", "x", "Z", "ab", "bn", "k", "th"),
]

_texts = st.lists(st.sampled_from(_PIECES), max_size=30).map("".join)
_spaced = st.lists(st.sampled_from(_PIECES), max_size=25).map(" ".join)
_ascii = st.text(alphabet=st.characters(max_codepoint=127), max_size=60)


@settings(max_examples=2500, deadline=None)
@given(_texts)
def test_same_atoms_on_text_made_of_the_pieces_the_lexer_cares_about(text: str) -> None:
    assert_same_atoms(text)


@settings(max_examples=2500, deadline=None)
@given(_spaced)
def test_same_atoms_on_the_pieces_joined_by_spaces(text: str) -> None:
    assert_same_atoms(text)


@settings(max_examples=1000, deadline=None)
@given(_ascii)
def test_same_atoms_on_any_ascii(text: str) -> None:
    assert_same_atoms(text)


# (text, the phrases the lexer matches): the cases the scan has to get right, spelt out.
EDGE_CASES = [
    ("", []),
    ("5", ["5"]),
    ("x", []),
    ("$5 million", ["$5 million"]),
    ("US$5 and HK$3", ["US$5", "HK$3"]),
    ("AB$5 x$5", []),  # no currency prefix, and a "$" glued to a word is none
    # The start of the text: the body without the lookahead, which also takes
    # multipliers that mid-text only follow another word.
    ("Hundred people", ["Hundred"]),
    ("the hundred people", []),
    ("A dozen rockets", ["A dozen"]),
    ("Dozens were hurt", ["Dozens"]),
    ("Twenty-first century", ["Twenty-first"]),
    # A word of the lookahead must fill the whole word: "tens" is no start in "tenses".
    ("the tenses of verbs", []),
    ("tens of thousands", ["tens of thousands"]),
    ("tens_ of", []),
    ("two2 x", []),
    # Look-behinds of the figure see the text before the place the regex is asked at.
    ("page #5, @7 and +3", []),
    ("x-5 x/5 x:5 x,5 - 5", ["5"]),
    ("5.5.5", ["5.5.5"]),
    # A match takes what it can; the scan goes on from its end, not from the next word.
    ("about 3,000 troops", ["3,000"]),
    ("two hundred and five people", ["two hundred and five"]),
    ("half a dozen, a couple of", ["half a dozen", "a couple"]),
    ("the 1990s and 2000s", ["1990s", "2000s"]),
    ("1 2 3", ["1 2 3"]),
    ("a few hundred thousand", ["a few hundred thousand"]),
    ("an an an", []),
    ("one\x1ctwo", ["one\x1ctwo"]),
]


@pytest.mark.parametrize(("text", "phrases"), EDGE_CASES)
def test_edge_cases(text: str, phrases: list[str]) -> None:
    for matches in (_atom_matches_regex(text), _atom_matches_bytes(text, text.encode("ascii"))):
        assert [m.group(m.lastgroup or 0) for m in matches] == phrases
    assert_same_atoms(text)


def test_the_start_test_refuses_only_what_cannot_start_an_atom() -> None:
    # Spot checks of the pre-scan alone: words of the lookahead in any case at a word
    # boundary, and no word merely starting like one.
    for text, may in [
        ("Eighteen ", True),
        ("eIGHTEEN", True),
        ("eighteens ", False),
        ("the", False),
        ("dozen.", True),
        ("x$", True),
        ("-5", False),
        (" ", False),
        ("_5", False),
    ]:
        assert _may_start_atom(text.encode("ascii"), 0) is may, text


def bench_bodies() -> list[str]:
    # The seed article is not all ASCII: its other characters become "?".
    seed = [body.encode("ascii", "replace").decode("ascii") for body in seed_bodies()]
    return corpus_bodies(150) + seed


def test_same_atoms_on_the_bench_corpora_and_the_seed_article() -> None:
    for body in bench_bodies():
        assert_same_atoms(body)
        for line in body.splitlines():
            assert_same_atoms(line)


def test_same_atoms_on_the_hostile_texts() -> None:
    families = load_bench_module("adversarial_texts").FAMILIES
    for family in families.values():
        text = family(20_000)
        if text.isascii():
            assert_same_atoms(text)


def test_same_quantities_with_and_without_the_byte_scan() -> None:
    # A non-ASCII character at the end sends the text down the regex path and changes
    # no quantity before it.
    for body in bench_bodies()[:40]:
        for line in body.splitlines():
            assert find_quantities(line + " \u00e9") == find_quantities(line), repr(line)
