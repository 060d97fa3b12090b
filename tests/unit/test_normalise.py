"""Tests of the length-preserving normalisation (tocsin.extraction.normalise)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tocsin.extraction.normalise import normalise

# Characters that must never survive normalisation.
MAPPED = (
    "\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u2013\u2014\u2212\u00a0\u2009\u202f"
    "\u3000\ufeff\u2028\u2029\r\x00\x0b\x0c\x1b\x7f\x85"
)

# A text made mostly of the characters the table maps, to exercise every entry.
typographic_text = st.text(alphabet=st.sampled_from([*MAPPED, "a", " ", "\n", "\t", "é", "😀"]))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("\u2018quoted\u2019", "'quoted'", id="single-curly-quotes"),
        pytest.param("\u201akind\u201b", "'kind'", id="low-and-reversed-single-quotes"),
        pytest.param("\u201ckill without warning\u201d", '"kill without warning"', id="double"),
        pytest.param("\u201elow\u201f", '"low"', id="low-and-reversed-double-quotes"),
        pytest.param("Kazakhstan\u2019s", "Kazakhstan's", id="apostrophe"),
        pytest.param("Astana \u2013 which", "Astana - which", id="en-dash"),
        pytest.param("2019\u20142022", "2019-2022", id="em-dash"),
        pytest.param("\u22123 degrees", "-3 degrees", id="minus-sign"),
        pytest.param("Nur\u2011Sultan", "Nur-Sultan", id="non-breaking-hyphen"),
        pytest.param("3\u00a0600 troops", "3 600 troops", id="no-break-space"),
        pytest.param("Jan.\u202f19", "Jan. 19", id="narrow-no-break-space"),
        pytest.param("a\u2003b\u3000c", "a b c", id="em-and-ideographic-space"),
        pytest.param("\ufeffHuman security", " Human security", id="byte-order-mark"),
        pytest.param("line\r\nnext", "line \nnext", id="crlf-keeps-newline"),
        pytest.param("a\x00b\x07c\x1bd", "a b c d", id="c0-controls"),
        pytest.param("a\x85b\x9fc", "a b c", id="c1-controls"),
        pytest.param("a\u2028b\u2029c", "a\nb\nc", id="line-and-paragraph-separators"),
        pytest.param("tab\tand\nnewline", "tab\tand\nnewline", id="tab-and-newline-kept"),
        pytest.param("Алматы — «город»", "Алматы - «город»", id="cyrillic-untouched"),
        pytest.param("soft\u00adhy zero\u200bwidth", "soft\u00adhy zero\u200bwidth", id="format"),
        pytest.param("emoji 😀 stays", "emoji 😀 stays", id="astral-untouched"),
        pytest.param("", "", id="empty"),
    ],
)
def test_normalise_maps_characters(raw: str, expected: str) -> None:
    """Each typographic variant becomes its ASCII counterpart and everything else is kept."""
    assert normalise(raw) == expected
    assert len(normalise(raw)) == len(raw)


def test_normalise_keeps_offsets_of_the_seed_sentence() -> None:
    """An offset found in the normalised text slices the same words out of the original."""
    raw = "to \u201ckill without warning\u201d to quell violent protests"
    clean = normalise(raw)
    start = clean.index('"kill')
    end = clean.index('"', start + 1) + 1
    assert raw[start:end] == "\u201ckill without warning\u201d"


@given(st.text())
def test_normalise_preserves_length_of_any_text(text: str) -> None:
    """Normalising arbitrary text never raises and never changes its length."""
    assert len(normalise(text)) == len(text)


@given(typographic_text)
def test_normalise_removes_every_mapped_character(text: str) -> None:
    """No mapped character survives, and normalising twice changes nothing more."""
    result = normalise(text)
    assert len(result) == len(text)
    assert not set(result) & set(MAPPED)
    assert normalise(result) == result


@given(st.text(alphabet=st.characters(codec="ascii", exclude_categories=["Cc"])))
def test_normalise_leaves_printable_ascii_alone(text: str) -> None:
    """Printable ASCII text comes back unchanged."""
    assert normalise(text) == text
