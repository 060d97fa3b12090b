"""The extractor on hostile text: no exception, valid events, exact evidence.

The families of hostile text live in bench/adversarial_texts.py, where
bench/adversarial_extraction.py measures how time and memory grow with their
size. Here each family is extracted at a moderate size and the output checked;
nothing is timed. The last test guards an assumption a shortcut of the casualty
linker makes about dates, on random text.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections.abc import Callable

import jsonschema
import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.bench_modules import load_bench_module
from tests.conftest import REPO
from tocsin.contract import topics
from tocsin.contract.article import ArticleIn
from tocsin.contract.events import Event
from tocsin.extraction.casualty_links import DATE_WORD_STARTS
from tocsin.extraction.document import Document
from tocsin.extraction.geo import default_gazetteer
from tocsin.extraction.normalise import normalise
from tocsin.extraction.pipeline import extract
from tocsin.extraction.sentences import MAX_SENTENCE_CHARS, split_sentences

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
SIZE = 12 * 1024  # characters: several capped sentences, and quick to check


def _validator(topic: str) -> jsonschema.protocols.Validator:
    """A validator for a topic's schema, checked and built once (not once per event)."""
    schema = orjson.loads((REPO / "schemas" / f"{topic}.schema.json").read_bytes())
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


VALIDATORS = {event_type: _validator(topic) for event_type, topic in topics.EVENT_TOPICS.items()}


FAMILIES: dict[str, Callable[[int], str]] = load_bench_module("adversarial_texts").FAMILIES
# Families built from event sentences must yield events of these types at least.
EXPECTED_TYPES = {
    "run_on_casualties": {"casualty"},
    "many_sentences": {"casualty", "curfew", "deployment"},
    "unbalanced_quotes": {"statement"},
    "mixed_scripts": {"casualty"},
    "control_characters": {"casualty"},
    "dates_in_curfew": {"curfew"},
}


def _events(body: str) -> list[Event]:
    article = ArticleIn(id="adversarial", body=body, published_at=NOW).resolve(received_at=NOW)
    return extract(article, extracted_at=NOW)


@pytest.fixture(scope="module", params=sorted(FAMILIES))
def family(request: pytest.FixtureRequest) -> tuple[str, str, list[Event]]:
    """(name, body, events) of one family at SIZE, extracted once per module."""
    name: str = request.param
    body = FAMILIES[name](SIZE)
    return name, body, _events(body)


def test_the_generators_keep_to_the_requested_size() -> None:
    for name, make in FAMILIES.items():
        for size in (1024, SIZE):
            assert size // 2 <= len(make(size)) <= size, name


def test_every_event_validates_against_its_json_schema(
    family: tuple[str, str, list[Event]],
) -> None:
    _, _, events = family
    for event in events:
        VALIDATORS[event.type].validate(event.model_dump(mode="json"))


def test_evidence_is_the_body_text_at_its_offsets(family: tuple[str, str, list[Event]]) -> None:
    _, body, events = family
    for event in events:
        evidence = event.evidence
        assert body[evidence.start : evidence.end] == evidence.text


def test_sentence_evidence_is_capped(family: tuple[str, str, list[Event]]) -> None:
    """One sentence is the evidence of a casualty, deployment or curfew: never over the cap."""
    _, _, events = family
    for event in events:
        if event.type != "statement":  # a quote may span several sentences
            assert len(event.evidence.text) <= MAX_SENTENCE_CHARS


def test_event_ids_are_unique(family: tuple[str, str, list[Event]]) -> None:
    _, _, events = family
    ids = [e.event_id for e in events]
    assert len(ids) == len(set(ids))


def test_families_of_event_text_still_yield_events(family: tuple[str, str, list[Event]]) -> None:
    name, _, events = family
    assert EXPECTED_TYPES.get(name, set()) <= {e.type for e in events}


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_sentences_are_well_formed_and_capped(name: str) -> None:
    text = normalise(FAMILIES[name](SIZE))
    previous_end = 0
    for sentence in split_sentences(text):
        assert text[sentence.start : sentence.end] == sentence.text
        assert sentence.text == sentence.text.strip()
        assert 0 < len(sentence.text) <= MAX_SENTENCE_CHARS
        assert sentence.start >= previous_end
        previous_end = sentence.end


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("word " * 2000, id="words"),
        pytest.param("x" * (3 * MAX_SENTENCE_CHARS + 7), id="one-long-word"),
        pytest.param(("y" * (MAX_SENTENCE_CHARS - 1) + " ") * 4, id="blank-at-the-limit"),
        pytest.param("A. " + "! " * 3000, id="glued-punctuation"),
    ],
)
def test_a_long_run_is_cut_into_pieces_that_cover_it(text: str) -> None:
    """Cutting a run loses no text: the pieces cover every non-blank character."""
    sentences = split_sentences(text)
    assert all(len(s.text) <= MAX_SENTENCE_CHARS for s in sentences)
    covered = "".join("".join(s.text.split()) for s in sentences)
    assert covered == "".join(text.split())  # the same characters, blanks aside


_DATE_BITS = [
    "Jan. 19", "January 19th, 2022", "19th of January", "19 Jan 2022", "2022-01-19",
    "Friday, Jan. 7", "next Friday", "last Friday", "last night", "this morning", "Today",
    "tonight", "yesterday", "tomorrow", "Sept. 3", "May 5", "January's 5", "mid-January 19",
    "Jan. 19-year-old", "killed", "12", "Dec 30", "Mar 3,000", ",", ".", " ", "\n",
]  # fmt: skip


@given(st.lists(st.one_of(st.sampled_from(_DATE_BITS), st.text(max_size=8)), max_size=12))
def test_words_of_date_mentions_start_as_the_tally_search_expects(parts: list[str]) -> None:
    """casualty_links skips reading a sentence's dates for a word that cannot be in one."""
    text = " ".join(parts) or "."
    doc = Document(text, NOW, default_gazetteer())
    for index in range(len(doc.sentences)):
        view = doc.view(index)
        for mention in view.dates:
            first = bisect_left(view.word_starts, mention.start)
            for word in view.words[first : bisect_left(view.word_starts, mention.end)]:
                assert word[:1].isdigit() or word[:3] in DATE_WORD_STARTS, (word, mention)
