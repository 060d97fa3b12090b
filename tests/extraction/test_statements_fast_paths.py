"""The fast paths of statements.py and speakers.py agree with what they replaced.

Each guard (a cheap test that rules out a match before a regex runs), each rewritten
pattern and each rewritten loop is checked against the formulation it replaced, kept
here as the reference: on hypothesis-generated text over the characters and words the
pattern cares about, on the sentences and quotes of the bench corpora and the seed
article, and on a few edge cases. The functions are called directly, so the tests run
interpreted too.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from bisect import bisect_left, bisect_right
from itertools import groupby
from operator import attrgetter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.bench_modules import corpus_bodies, load_bench_module, seed_bodies
from tocsin.extraction import speakers, statements
from tocsin.extraction.document import Document, SentenceView
from tocsin.extraction.drafts import Draft
from tocsin.extraction.geo import default_gazetteer
from tocsin.extraction.lexicon import SPEECH_VERBS
from tocsin.extraction.speakers import Speaker

# --- the replaced formulations ----------------------------------------------------------

_VERBS = statements._VERBS
_SPK = statements._SPK
OLD_INDIRECT = re.compile(
    rf"(?:(?:In|On|At|During|However|But|Meanwhile|Later|Earlier|Separately|Speaking|"
    rf"Addressing|Asked|After|Writing|Responding)"
    rf"\b[^,]{{0,60}},\s*)?(?P<spk>[^,;!?\"]{{1,160}}?(?:,[^,;!?\"]{{1,80}},)?)\s+"
    rf"(?P<verb>{_VERBS})\b\s+(?P<rest>\S.*)$"
)
OLD_HEAD = re.compile(
    rf"(?:^|\s)(?P<verb>{_VERBS})\b(?P<post>{_SPK}{{0,60}}?)\s*(?P<punct>[:,]?)\s*$"
)
OLD_OF = r"^(.+?)\s+(?:of|from|at|with|for)\s+(?:the\s+)?(.+)$"
OLD_QUOTE_MARK = re.compile('"')


def old_opening(text: str) -> int:
    dateline = statements._DATELINE.match(text, 0, 80)
    return dateline.end() if dateline else 0


def old_quotes(text: str, start: int, end: int) -> list[tuple[int, int, int]]:
    if text.find('"', start, end) < 0:
        return []
    marks = [m.start() for m in OLD_QUOTE_MARK.finditer(text, start, end)]
    quotes = []
    for i in range(0, len(marks) - 1, 2):
        a, b = marks[i] + 1, marks[i + 1]
        quotes.append((a, b, b + 1))
    if len(marks) % 2 == 1:
        a = marks[-1] + 1
        inner = statements._INNER_ATTRIBUTION.search(text, a, end)
        b = inner.start() + 1 if inner else end
        quotes.append((a, b, b))
    return quotes


def old_head_speaker(head: str) -> str | None:
    """statements._head_speaker as it was: unbounded rfind and one search of OLD_HEAD."""
    cut = max(head.rfind('"'), head.rfind(";"), head.rfind("!"), head.rfind("?")) + 1
    window = head[max(cut, len(head) - statements._HEAD_WINDOW) :]
    window = window[old_opening(window) :]
    quoted = statements._HEAD_QUOTED_AS.search(window) if "quoted" in window else None
    if quoted is not None:
        return quoted.group("spk")
    m = OLD_HEAD.search(window)
    if m is None:
        return None
    post = m.group("post")
    if m.group("verb") in {"told", "tells"}:
        listener = post.split()
        if len(listener) > 8 or "that" in listener[:-1]:
            return None
    elif post.strip() not in {"", "that"} and not (
        statements._ADVERBIAL.match(post) and (m.group("punct") or post.endswith(" that"))
    ):
        return None
    return window[: m.start("verb")]


def old_clean(phrase: str) -> str:
    phrase = speakers._TRAILERS.sub("", phrase.strip().strip(",.;:\"' ")).strip(" ,")
    phrase = speakers._INTRO.sub("", phrase)
    phrase = speakers._LEADING_CONJUNCTION.sub("", phrase)
    return speakers._AGE.sub("", phrase)


def old_is_name_word(word: str) -> bool:
    return (
        bool(speakers._NAME_WORD.match(word) or speakers._PREFIXED_WORD.match(word))
        or word in speakers._PARTICLES
    )


def old_place_words(view: SentenceView) -> frozenset[str]:
    return frozenset(
        w for p in view.places if p.kind in {"country", "demonym"} for w in p.name.split()
    )


def old_find_statements(doc: Document) -> list[Draft]:
    """statements.find_statements as it was: groupby over paragraphs, quotes in a dict."""
    text = doc.text
    drafts: list[Draft] = []
    resolver = statements._Resolver(doc)
    speech = doc.triggers("speech")
    carried: Speaker | None = None
    base = 0
    for _, group in groupby(doc.sentences, key=attrgetter("paragraph")):
        sentences = list(group)
        opening: dict[int, list[tuple[statements._Quote, int]]] = {}
        quotes = statements._quotes(text, sentences[0].start, sentences[-1].end)
        starts = [s.start for s in sentences] if quotes else []
        for quote in quotes:
            first = max(0, bisect_right(starts, quote.start - 1) - 1)
            last = max(first, bisect_left(starts, quote.close) - 1)
            opening.setdefault(first, []).append((quote, last))
        claimed = -1
        last_speaker = carried
        for k in range(len(sentences)):
            for quote, last in opening.get(k, ()):
                speaker = statements._quote_speaker(
                    doc, base + k, base + last, quote, resolver, last_speaker
                )
                if speaker is None:
                    continue
                body = doc.raw[quote.start : quote.end].strip().rstrip(",")
                claimed = max(claimed, last)
                last_speaker = speaker
                start, end = sentences[k].start, sentences[last].end
                drafts.append(statements._draft(doc, start, end, speaker, body, quote.start, 0.9))
            if k > claimed:
                hits = speech.get(base + k)
                draft = statements._indirect(doc, base + k, resolver, hits) if hits else None
                if draft is not None:
                    drafts.append(draft)
                else:
                    resolver.observe(base + k)
        carried = last_speaker if claimed == len(sentences) - 1 else None
        base += len(sentences)
    drafts.sort(key=lambda d: d.key)
    return drafts


PUBLISHED = dt.datetime(2024, 1, 8, tzinfo=dt.UTC)

# --- comparisons ------------------------------------------------------------------------

INDIRECT_GROUPS = ("spk", "verb", "rest")
HEAD_GROUPS = ("verb", "post", "punct")


def _spans(m: re.Match[str] | None, groups: tuple[str, ...]) -> object:
    return None if m is None else (m.span(), [m.span(g) for g in groups])


def _indirect_agrees(text: str, pos: int = 0) -> None:
    assert _spans(statements._INDIRECT.match(text, pos), INDIRECT_GROUPS) == _spans(
        OLD_INDIRECT.match(text, pos), INDIRECT_GROUPS
    )


def _head_agrees(window: str) -> None:
    new, old = statements._head_match(window), OLD_HEAD.search(window)
    # Only the groups are read; a match at 0 by "^" and by _HEAD_AT_START both start at 0.
    assert _spans(new, HEAD_GROUPS) == _spans(old, HEAD_GROUPS)


def _head_speaker_agrees(head: str) -> None:
    assert statements._head_speaker(head) == old_head_speaker(head)


def _opening_agrees(text: str) -> None:
    assert statements._opening(text) == old_opening(text)


def _quotes_agree(text: str, start: int = 0, end: int | None = None) -> None:
    end = len(text) if end is None else end
    new = [(q.start, q.end, q.close) for q in statements._quotes(text, start, end)]
    assert new == old_quotes(text, start, end)


def _clean_agrees(phrase: str) -> None:
    assert speakers._clean(phrase) == old_clean(phrase)


def _of_agrees(phrase: str) -> None:
    new, old = speakers._of_match(phrase, phrase.split()), re.match(OLD_OF, phrase)
    assert _spans(new, (1, 2)) == _spans(old, (1, 2))  # type: ignore[arg-type]


def _is_name_word_agrees(word: str) -> None:
    assert speakers._is_name_word(word) == old_is_name_word(word)


def _has_digit_agrees(s: str) -> None:
    assert speakers._has_digit(s) == any(ch.isdigit() for ch in s)


# --- the character classes the guards rely on -------------------------------------------

ALL_CHARS = [chr(c) for c in range(sys.maxunicode + 1)]


def test_str_whitespace_is_regex_whitespace() -> None:
    """str.split() and str.rstrip() cut at exactly the characters "\\s" matches."""
    space = re.compile(r"\s")
    assert [c for c in ALL_CHARS if c.isspace()] == [c for c in ALL_CHARS if space.match(c)]


def test_alphanumerics_are_word_characters() -> None:
    """_is_name_word takes an alphanumeric word for a run of "\\w"."""
    word = re.compile(r"\w")
    assert all(word.match(c) for c in ALL_CHARS if c.isalnum())


def test_conjunction_initials() -> None:
    """The characters that start a match of _LEADING_CONJUNCTION, ignoring case."""
    initial = re.compile("[abys]", re.IGNORECASE)
    found = {c for c in ALL_CHARS if initial.fullmatch(c)}
    assert found == speakers._CONJUNCTION_INITIALS


def test_guard_words_are_the_patterns_words() -> None:
    """The word lists of the guards are those the patterns open with."""
    intro = re.match(r"\^\(\?:([A-Za-z|]+)\)", speakers._INTRO.pattern)
    assert intro is not None
    assert tuple(intro.group(1).split("|")) == speakers._INTRO_STARTS
    # Each alternative of _TRAILERS is blanks then a group of words: the first word of
    # each of the group's (top-level) alternatives.
    chunks = speakers._TRAILERS.pattern.split(r"\s+(?:")[1:]
    assert len(chunks) == 5
    firsts = set()
    for chunk in chunks:
        depth, alternatives = 0, [""]
        for ch in chunk:
            if ch == ")" and depth == 0:
                break
            depth += {"(": 1, ")": -1}.get(ch, 0)
            if ch == "|" and depth == 0:
                alternatives.append("")
            else:
                alternatives[-1] += ch
        for alternative in alternatives:
            word = re.match(r"[a-z]+", alternative)
            assert word is not None
            firsts.add(word.group())
    assert firsts == set(speakers._TRAILER_STARTS)


# --- text made of what the patterns care about -----------------------------------------

BLANKS = [" ", " ", " ", "  ", "\t", "\n", "\x1c", "\xa0", "\u2003"]
VERBS = ["said", "says", "say", "told", "tells", "added", "stated", "states", "acknowledged"]
SENTENCE_WORDS = [
    *VERBS, "In", "On", "However", "But", "Speaking", "in", "on", "that", "the", "a",
    "reporters", "CNN", "Tokayev", "Paul Stronski", "minister", "sayings", "saidx", "xsaid",
    "quoted", "as saying", "late", "on Monday", "told", "official", "O'Brien", "al-Burhan",
    "LIMA", "U.S.", "(Reuters)", "-", "--", "12", "34", "é", "İ",
]  # fmt: skip
PUNCT = [",", ",", ", ", ";", "!", "?", '"', ":", ".", "'", "(", ")"]
TEXT = st.lists(st.sampled_from(SENTENCE_WORDS + BLANKS + PUNCT), max_size=40).map("".join)


@settings(max_examples=400)
@given(TEXT, st.integers(min_value=0, max_value=6))
def test_indirect_random(text: str, pos: int) -> None:
    _indirect_agrees(text, min(pos, len(text)))


def test_indirect_long_phrases() -> None:
    """Speaker phrases near the 160 and 80 character limits of the two parts."""
    for a in (1, 79, 80, 81, 158, 159, 160, 161):
        for b in (0, 1, 79, 80, 81):
            appositive = f", {'y' * b}," if b else ""
            for tail in (" said the x", " said", ", said the x", " told them that x"):
                _indirect_agrees("x" * a + appositive + tail)
                _indirect_agrees("In short, " + "x" * a + appositive + tail)


@settings(max_examples=400)
@given(TEXT)
def test_head_random(window: str) -> None:
    _head_agrees(window)
    _head_speaker_agrees(window)


def test_head_near_the_reach() -> None:
    """A verb as far before the end of the window as a match allows, and one further."""
    longest = max(SPEECH_VERBS, key=len)
    for verb in ("say", "said", longest):
        for post in ("", " " + "p" * 58, " " + "p" * 59, " " + "p" * 60, "," + "p" * 59):
            for end in ("", " ", ":", " : ", ", \n", "::", "\n", " ,\t"):
                for before in ("", " ", "x ", "x", "\t"):
                    window = f"{before}{verb}{post}{end}"
                    _head_agrees(window)
                    _head_agrees(" " * 300 + window)
                    _head_speaker_agrees(window)
                    _head_speaker_agrees("a " * 150 + window)


def test_head_marks_near_the_window_start() -> None:
    """A quote mark or ;!? at each position around where the 240-character window starts."""
    base = "x " * 150 + "Tokayev said:"
    for mark in '";!?':
        for back in range(236, 246):
            head = base[: len(base) - back] + mark + base[len(base) - back + 1 :]
            _head_speaker_agrees(head)
            _head_speaker_agrees(head[1:])


DATELINE_PIECES = ["A", "Z", "LIMA", "BAMAKO", "O'NEIL", "U.S.", "-", "--", " ", ",", "Mali"]
DATELINE_PIECES += [" (Reuters)", "(AP) ", "a", "Lima", "'", ".", "\t", "é", "9", " - "]
DATELINE = st.lists(st.sampled_from(DATELINE_PIECES), max_size=16).map("".join)


@settings(max_examples=300)
@given(DATELINE)
def test_opening_random(text: str) -> None:
    _opening_agrees(text)


@pytest.mark.parametrize(
    "text",
    ["", "A", "AB", "A-", "A' - x", "LIMA, March 8 (Reuters) - x", "BAMAKO, Mali - x", "Ab - x"],
)
def test_opening_edge_cases(text: str) -> None:
    _opening_agrees(text)


QUOTE_TEXT = st.lists(
    st.sampled_from(['"', '"', "x", " ", ". ", "? Tokayev added", ", he said", "\n"]), max_size=30
).map("".join)


@settings(max_examples=200)
@given(QUOTE_TEXT, st.integers(min_value=0, max_value=10), st.integers(min_value=0, max_value=10))
def test_quotes_random(text: str, start: int, cut: int) -> None:
    start = min(start, len(text))
    _quotes_agree(text, start, max(start, len(text) - cut))


PHRASE_WORDS = [
    "in", "at", "during", "on", "a", "the", "his", "statement", "press release", "late",
    "early", "earlier", "later", "recently", "by", "phone", "telephone", "condition of",
    "anonymity", "adding", "speaking", "according", "referring", "citing", "Monday",
    "In", "On", "However", "And", "and", "but", "But", "so", "So", "yet", "Yet", "\u017fo",
    "Still", "Instead", "Tokayev", "Paul", "of", "from", "with", "for", "aged", "34", "7",
    "²", "inside", "onward", "Interior Minister", "O'Brien", "al-Burhan", "é",
]  # fmt: skip
PHRASE_PUNCT = [" ", " ", " ", ",", ", ", ".", ";", ":", '"', "'", "\t", "\n", "\x1f"]
PHRASE = st.lists(st.sampled_from(PHRASE_WORDS + PHRASE_PUNCT), max_size=24).map("".join)


# The words that open the alternatives of _TRAILERS and _INTRO, the words of _OF and the
# conjunctions, each in the places a match needs them.
GUARDED_WORDS = [
    "in", "at", "during", "on", "late", "early", "earlier", "later", "recently", "by",
    "adding", "speaking", "according", "referring", "citing", "of", "from", "with", "for",
    "In", "On", "At", "During", "However", "But", "And", "Meanwhile", "Later", "Earlier",
    "Separately", "Speaking", "Addressing", "Asked", "After", "Writing", "Responding",
    "Still", "Instead", "and", "but", "so", "yet", "AND", "\u017fo", "Yet",
]  # fmt: skip


@pytest.mark.parametrize("word", GUARDED_WORDS)
def test_speaker_phrase_words(word: str) -> None:
    for phrase in (
        f"Tokayev {word} a statement",
        f"Tokayev {word} the phone",
        f"Tokayev,\t{word} Monday",
        f"Ana Lopez {word} the Red Cross",
        f"{word} a speech, Ana Lopez",
        f"{word} Ana Lopez, 34",
        f"{word}\x1ftold",
    ):
        _clean_agrees(phrase)
        _of_agrees(phrase)


@settings(max_examples=500)
@given(PHRASE)
def test_speaker_phrase_random(phrase: str) -> None:
    _clean_agrees(phrase)
    _of_agrees(phrase)
    _has_digit_agrees(phrase)


NAME_CHARS = "AZaz09_'’.-éÉİı²١\n"
NAME_WORD = st.one_of(
    st.text(st.sampled_from(NAME_CHARS), max_size=8),
    st.sampled_from(sorted(speakers._PARTICLES)),
    st.text(max_size=6),
)


@settings(max_examples=500)
@given(NAME_WORD)
def test_is_name_word_random(word: str) -> None:
    _is_name_word_agrees(word)


@pytest.mark.parametrize(
    "word",
    ["", "A", "a", "Tokayev", "O'Brien", "Gen.", "al-Burhan", "el-Sisi", "abcd-Xy", "von",
     "Von", "É", "Éric", "Zas,", "X_1", "A\n", "a-b", "A²", "Ab\u0661"],
)  # fmt: skip
def test_is_name_word_edge_cases(word: str) -> None:
    _is_name_word_agrees(word)


# --- the corpora ------------------------------------------------------------------------


def _bodies() -> list[str]:
    bodies = corpus_bodies(30) + seed_bodies()
    adversarial = load_bench_module("adversarial_texts")
    for name in ("nested_quotes", "unbalanced_quotes", "mixed_scripts", "whitespace"):
        bodies.append(getattr(adversarial, name)(4000))
    return bodies


def _document(body: str) -> Document:
    return Document(body, PUBLISHED, default_gazetteer())


@pytest.fixture(scope="module")
def documents() -> list[Document]:
    return [_document(body) for body in _bodies()]


def test_corpus_sentences(documents: list[Document]) -> None:
    for doc in documents:
        for sentence in doc.sentences:
            text = sentence.text
            _opening_agrees(text)
            _indirect_agrees(text, statements._opening(text))
            for phrase in (text[:40], text[:80], text):
                _clean_agrees(phrase)
                _of_agrees(phrase)


def test_corpus_quotes_and_heads(documents: list[Document]) -> None:
    for doc in documents:
        text = doc.text
        _quotes_agree(text)
        for sentence in doc.sentences:
            _quotes_agree(text, sentence.start, sentence.end)
            mark = text.find('"', sentence.start, sentence.end)
            while mark >= 0:
                head = text[max(sentence.start, mark - statements._ATTRIBUTION_CHARS) : mark]
                _head_speaker_agrees(head)
                _head_agrees(head)
                mark = text.find('"', mark + 1, sentence.end)


def test_corpus_words_and_places(documents: list[Document]) -> None:
    for doc in documents:
        for index in range(len(doc.sentences)):
            view = doc.view(index)
            assert statements._place_words(view) == old_place_words(view)
            for word in view.text.split():
                _is_name_word_agrees(word)


def test_corpus_find_statements(documents: list[Document]) -> None:
    """The paragraph loop of find_statements, against groupby and a dict of quotes."""
    for doc in documents:
        got = [_draft_values(d) for d in statements.find_statements(doc)]
        assert got == [_draft_values(d) for d in old_find_statements(doc)]


def _draft_values(draft: Draft) -> tuple[object, ...]:
    return (
        draft.type,
        draft.start,
        draft.end,
        draft.key,
        draft.fields,
        draft.country,
        draft.location,
        draft.confidence,
    )


ARTICLE_PIECES = [
    '"', '"', "Tokayev said", "he said", "she added", ". ", ". ", "\n", "\n\n", ", ",
    "the situation was calm", "Marie Struthers, Amnesty Director, said", "told reporters:",
    "Bolivian President Luis Arce addressed the nation", "quoted police as saying",
    "In a statement,", "officials said", "We will not leave", "x y z",
]  # fmt: skip


@settings(max_examples=60)
@given(st.lists(st.sampled_from(ARTICLE_PIECES), max_size=30).map(" ".join))
def test_find_statements_random(body: str) -> None:
    got = [_draft_values(d) for d in statements.find_statements(_document(body))]
    assert got == [_draft_values(d) for d in old_find_statements(_document(body))]
