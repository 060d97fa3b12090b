"""Tests of sentence and paragraph segmentation (tocsin.extraction.sentences)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tocsin.extraction.normalise import normalise
from tocsin.extraction.sentences import Sentence, split_sentences

CASES = [
    # Abbreviations and initials that must not end a sentence.
    ("Curfew until Jan. 19, according to local media.", 1, "month-before-day"),
    ("Since Sept. 11 things changed. Feb. 3 was calm.", 2, "sept-and-feb"),
    ("Gen. Ivanov arrived. He spoke.", 2, "general"),
    ("Lt. Col. Smith and Maj. Doe met Capt. Jones and Sgt. Lee.", 1, "military-ranks"),
    ("Dr. Aliyev met Mrs. Brown, Mr. Green, Ms. Black and Prof. White.", 1, "civil-titles"),
    ("Sen. Cruz and Rep. Omar spoke with Gov. Newsom and Pres. Tokayev.", 1, "political-titles"),
    ("He flew from St. Petersburg past Mt. Elbrus.", 1, "saint-and-mount"),
    ("He lives at No. 10 Downing Street.", 1, "number-sign"),
    ("Russia vs. Ukraine talks stalled.", 1, "versus"),
    ("Food, water, etc. were scarce.", 1, "etc-then-lower-case"),
    ("They sent food, water, etc. The trucks arrived.", 2, "etc-ends-sentence"),
    ("U.S. officials confirmed the move.", 1, "us-then-lower-case"),
    ("U.S. President Joe Biden spoke.", 1, "us-then-capital"),
    ("U.K. and E.U. leaders met U.N. envoys.", 1, "uk-eu-un"),
    ("Troops left the U.S. The next day they landed.", 2, "us-ends-sentence"),
    ("John F. Kennedy was shot.", 1, "middle-initial"),
    ("J. R. R. Tolkien wrote it.", 1, "several-initials"),
    ("Plan B. The army moved.", 2, "letter-ends-sentence"),
    ("Several cities, e.g. Almaty and Aktau, were hit.", 1, "eg"),
    ("Prices rose 3.6 percent. Fuel is scarce.", 2, "decimal"),
    ("The rate was 3.6. Then it fell.", 2, "decimal-ends-sentence"),
    ("The curfew starts at 9 p.m. local time.", 1, "pm-then-lower-case"),
    ("The curfew starts at 11 p.m. Friday.", 1, "pm-then-weekday"),
    ("It ended at 6 a.m. Police then withdrew.", 2, "am-ends-sentence"),
    ("I met Jan. He was tired.", 2, "name-jan-ends-sentence"),
    ("both inside and out. outside the country.", 1, "lower-case-after-period"),
    ("In 2020. 18 people died.", 2, "digit-starts-sentence"),
    # Quotations.
    ('He said: "It is over." Then he left.', 2, "period-inside-quote"),
    ("“It is over.” Then he left.", 2, "curly-quotes-raw-text"),
    ('"We will fight," he said.', 1, "comma-quote-attribution"),
    ('"Why?" he asked.', 1, "question-lower-case-attribution"),
    ('"Why?" Tokayev asked.', 1, "question-named-attribution"),
    ('"They must be destroyed." Tokayev said.', 1, "bare-attribution-after-quote"),
    ('"They must be destroyed." Tokayev said the army would act.', 2, "new-sentence-after-quote"),
    ('"Is it over?" The crowd fell silent.', 2, "question-then-new-sentence"),
    ('"We are poor. We want the truth," he said.', 2, "quote-split-inside"),
    ("(The figure was disputed.) Officials declined.", 2, "closing-bracket"),
    # Other terminators.
    ("He paused... and went on.", 1, "ellipsis-then-lower-case"),
    ("He paused... Then he left.", 2, "ellipsis-ends-sentence"),
    ("He paused… Then he left.", 2, "unicode-ellipsis"),
    ("Stop! Police!", 2, "exclamations"),
    ("Is it true?! Nobody knows.", 2, "mixed-terminators"),
    # Newlines.
    ("A headline without a period\nThe body.", 2, "newline-ends-sentence"),
    ("Ends with Gen.\nNext line.", 2, "newline-beats-abbreviation"),
    # Seed article.
    (
        "Authorities previously declared a nationwide state of emergency with a curfew and "
        "movement restrictions until Jan. 19, according to local media.",
        1,
        "seed-curfew",
    ),
    (
        "Tokayev thanked the heads of the CSTO countries for their support and expressed "
        "“special gratitude” to Russian President Vladimir Putin for having “very quickly and, "
        "above all, in a friendly manner, warmly reacted to my call” for a contingent of the "
        "CSTO.",
        1,
        "seed-gratitude",
    ),
    (
        "“What kind of negotiations can there be with criminals, murderers? Tokayev added.",
        1,
        "seed-unclosed-quote",
    ),
    (
        "“But terrorists continue to damage public and private property and use weapons "
        "against citizens,” he said. “I ordered the police and the army to open fire to kill "
        "without warning.”",
        2,
        "seed-two-quotes",
    ),
    (
        "the presidents of Uzbekistan, Turkey and “the leaders of the UN and other "
        "international organizations for their words of support. “.",
        1,
        "seed-stray-quote-merged",
    ),
    (
        "well-trained “terrorist bandits”, both inside and out. outside the country. Kazakh "
        "state media reported on Friday that 18 security personnel and 26 “armed criminals” "
        "were killed in violent protests. Over 3,000 people have been arrested.",
        3,
        "seed-arrests",
    ),
]


def _assert_well_formed(text: str, sentences: list[Sentence]) -> None:
    """Check the invariants every split must satisfy."""
    previous_end = 0
    previous_paragraph = 0
    for sentence in sentences:
        assert sentence.text
        assert text[sentence.start : sentence.end] == sentence.text
        assert sentence.text == sentence.text.strip()
        assert "\n" not in sentence.text
        assert sentence.start >= previous_end
        assert sentence.paragraph - previous_paragraph in {0, 1}  # numbered without gaps
        previous_end = sentence.end
        previous_paragraph = sentence.paragraph


@pytest.mark.parametrize(
    ("text", "count"), [pytest.param(text, count, id=case_id) for text, count, case_id in CASES]
)
def test_split_sentences_table(text: str, count: int) -> None:
    """Raw and normalised text split into the expected number of well-formed sentences."""
    for variant in (text, normalise(text)):
        sentences = split_sentences(variant)
        _assert_well_formed(variant, sentences)
        assert len(sentences) == count, [s.text for s in sentences]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            'He said: "It is over." Then he left.',
            ['He said: "It is over."', "Then he left."],
            id="sentence-ends-after-closing-quote",
        ),
        pytest.param(
            '"We are poor. We want the truth," he said.',
            ['"We are poor.', 'We want the truth," he said.'],
            id="multi-sentence-quote-split",
        ),
        pytest.param(
            'for their words of support. ".',
            ['for their words of support. ".'],
            id="punctuation-only-tail-merged",
        ),
        pytest.param("  Hello there.  ", ["Hello there."], id="whitespace-trimmed"),
        pytest.param("", [], id="empty"),
        pytest.param(" \n\t\n ", [], id="whitespace-only"),
    ],
)
def test_split_sentences_texts(text: str, expected: list[str]) -> None:
    """Sentence texts are exactly the expected slices of the input."""
    assert [s.text for s in split_sentences(text)] == expected


def test_split_sentences_offsets() -> None:
    """Offsets are positions in the input, after leading whitespace."""
    assert split_sentences("  One. Two.") == [
        Sentence("One.", 2, 6, 0),
        Sentence("Two.", 7, 11, 0),
    ]


@pytest.mark.parametrize(
    ("text", "paragraphs"),
    [
        pytest.param("A one. A two.\n\nB one.", [0, 0, 1], id="blank-line"),
        pytest.param("A one.\nB one. B two.\nC one.", [0, 1, 1, 2], id="single-newlines"),
        pytest.param("\n\n  \nA.\n \n\nB.\n", [0, 1], id="leading-and-blank-lines"),
        pytest.param("Headline\r\n\r\nBody. More.", [0, 1, 1], id="crlf"),
    ],
)
def test_split_sentences_paragraphs(text: str, paragraphs: list[int]) -> None:
    """Every non-blank line is a paragraph, numbered from 0 without gaps."""
    assert [s.paragraph for s in split_sentences(text)] == paragraphs


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("!" * 200_000 + "a", id="terminator-run"),
        pytest.param("a." * 200_000, id="dotted-token"),
        pytest.param(" " * 200_000 + "x. " + '"' * 200_000, id="spaces-and-quotes"),
        pytest.param("U.S. " * 100_000, id="acronyms"),
        pytest.param("\n" * 200_000, id="newlines"),
    ],
)
def test_split_sentences_handles_adversarial_input(text: str) -> None:
    """Inputs that would trip a backtracking pattern still split into well-formed sentences.

    How the time grows with input size is measured in bench/, not asserted here.
    """
    sentences = split_sentences(text)
    _assert_well_formed(text, sentences)


sentence_like = st.lists(
    st.sampled_from(
        [
            "Gen", "Jan", "U.S", "F", "a.m", "etc", "3.6", "said", "Tokayev", "he", "The",
            ".", ". ", "? ", "! ", "...", '"', "'", "“", "”", "(", ")", " ", "  ", "\n", "\n\n",
            "\t", "\r", "\u00a0", ",", "x",
        ]
    )
).map("".join)  # fmt: skip


@given(st.one_of(st.text(), sentence_like))
def test_split_sentences_properties(text: str) -> None:
    """Any text splits without error into sorted, non-overlapping, exact, non-empty sentences."""
    _assert_well_formed(text, split_sentences(text))
