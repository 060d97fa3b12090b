"""Tests of speaker parsing (tocsin.extraction.speakers): names, roles, descriptions."""

from __future__ import annotations

import pytest

from tocsin.extraction.speakers import Speaker, parse_speaker

RUSSIAN = frozenset(["Russian"])


@pytest.mark.parametrize(
    ("phrase", "places", "name", "role"),
    [
        pytest.param("Tokayev", (), "Tokayev", None, id="surname"),
        pytest.param(
            "Paul Stronski of the Carnegie Endowment for International Peace",
            (),
            "Paul Stronski",
            "Carnegie Endowment for International Peace",
            id="name-of-organisation",
        ),
        pytest.param(
            "The organization's secretary general, Stanislav Zas",
            (),
            "Stanislav Zas",
            "The organization's secretary general",
            id="role-comma-name",
        ),
        pytest.param(
            "Samuel Otieno, a lawyer in Nairobi",
            (),
            "Samuel Otieno",
            "a lawyer in Nairobi",
            id="name-comma-role",
        ),
        pytest.param(
            "Russian President Vladimir Putin",
            RUSSIAN,
            "Vladimir Putin",
            "Russian President",
            id="demonym-and-title",
        ),
        pytest.param(
            "Interior Minister Ana Ruiz", (), "Ana Ruiz", "Interior Minister", id="titles"
        ),
        pytest.param(
            "Transport Minister Kwame Mensah",
            (),
            "Kwame Mensah",
            "Transport Minister",
            id="non-title-word-before-office",
        ),
        pytest.param(
            "police spokesman Nihal Perera",
            (),
            "Nihal Perera",
            "police spokesman",
            id="lower-case-role",
        ),
        pytest.param(
            "Gen. Abdel Fattah al-Burhan",
            (),
            "Abdel Fattah al-Burhan",
            "Gen.",
            id="abbreviated-title-and-arabic-particle",
        ),
        pytest.param(
            "Pieter van der Linden", (), "Pieter van der Linden", None, id="dutch-particles"
        ),
        pytest.param(
            "U.S. Secretary of State Mark Ellison",
            (),
            "Mark Ellison",
            "U.S. Secretary of State",
            id="title-with-of-is-a-role",
        ),
        pytest.param(
            "UN Secretary-General Maria Lindqvist",
            (),
            "Maria Lindqvist",
            "UN Secretary-General",
            id="hyphenated-title",
        ),
        pytest.param("Ana King Smith", (), "Ana King Smith", None, id="title-word-inside-name"),
        pytest.param("Stephen King", (), "Stephen King", None, id="title-word-as-surname"),
        pytest.param("one woman", (), "one woman", None, id="described"),
        pytest.param(
            "a police spokesman in Abuja",
            (),
            "a police spokesman in Abuja",
            None,
            id="described-with-place",
        ),
        pytest.param(
            "the archbishop of Manila",
            (),
            "the archbishop of Manila",
            None,
            id="described-of-place-is-no-name-of-organisation",
        ),
        pytest.param("Karim, 34, a taxi driver", (), "Karim", "a taxi driver", id="age-appositive"),
        pytest.param(
            "Speaking in Almaty, Tokayev", (), "Tokayev", None, id="introductory-clause-dropped"
        ),
        pytest.param(
            "Samuel Otieno, adding that the law was clear",
            (),
            "Samuel Otieno",
            None,
            id="adding-that-is-no-role",
        ),
        pytest.param(
            "one of the organisers, a student",
            (),
            "one of the organisers",
            "a student",
            id="described-with-role",
        ),
        pytest.param(
            "a mother who gave her name only as Mariam",
            (),
            "a mother who gave her name only as Mariam",
            None,
            id="described-with-relative-clause",
        ),
    ],
)
def test_speakers(phrase: str, places: frozenset[str], name: str, role: str | None) -> None:
    """The phrase parses to the expected speaker name and role."""
    speaker = parse_speaker(phrase, places)
    assert speaker is not None
    assert (speaker.name, speaker.role) == (name, role)


@pytest.mark.parametrize(
    "phrase",
    [
        pytest.param("Local media", id="media"),
        pytest.param("Reuters", id="agency"),
        pytest.param("Protesters who", id="clause-cut-off-at-relative-pronoun"),
        pytest.param("The crowd cheered as the president", id="subordinate-clause"),
        pytest.param("18 people", id="figure"),
        pytest.param("the police chief of", id="no-name-after-of"),
    ],
)
def test_no_speaker(phrase: str) -> None:
    """Phrases that name no plausible speaker give None."""
    assert parse_speaker(phrase) is None


def test_pronoun_is_kept_for_resolution() -> None:
    """A pronoun comes back lower-cased, for the statement finder to resolve."""
    assert parse_speaker("He") == Speaker("he", None, is_person=True)


@pytest.mark.parametrize(
    ("phrase", "is_person"),
    [
        pytest.param("Amnesty International", False, id="ngo"),
        pytest.param("Human Rights Watch", False, id="watchdog"),
        pytest.param("Ana Ruiz", True, id="person"),
    ],
)
def test_organisations_are_not_persons(phrase: str, is_person: bool) -> None:
    """Organisations are speakers, but never the antecedent of "he" or "she"."""
    speaker = parse_speaker(phrase)
    assert speaker is not None
    assert speaker.is_person is is_person
