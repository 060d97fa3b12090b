"""Statements: who said what.

Direct quotes are found per paragraph (a quote may span sentences) and tied to
the attribution around them: '"...," X said', '"...," said X', 'X said: "..."'.
A quote without attribution continues the last speaker of its paragraph; "he"
and "she" resolve to the last person quoted. Indirect speech ("X said the
unrest was organised") is a statement too, with the reported clause as quote.
Short scare quotes ("terrorist bandits") are not statements on their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import groupby

from tocsin.extraction.document import Document, SentenceView
from tocsin.extraction.drafts import Draft
from tocsin.extraction.lexicon import SPEECH_VERBS
from tocsin.extraction.speakers import Speaker, parse_speaker

_VERBS = "|".join(sorted(SPEECH_VERBS, key=len, reverse=True))
_MIN_QUOTE_WORDS = 3
# '"...," said Marie Struthers, Amnesty Director' / '"...," he said.' / '"..." Tokayev added.'
_TAIL_INVERTED = re.compile(rf"^[\s,.]*(?:{_VERBS})\s+(?P<spk>[^.;!?]{{1,160}})")
_TAIL_NORMAL = re.compile(
    rf"^[\s,.]*(?P<spk>[^.;!?\"]{{1,160}}?)\s+(?:{_VERBS})\b(?:\s+(?P<to>[A-Z][\w.]*))?"
)
# 'Tokayev said: "..."' / 'X told CNN "..."'
_HEAD = re.compile(
    rf"(?P<spk>[^.;!?\"]{{1,160}}?)\s+(?:{_VERBS})(?:\s+[A-Z][\w.]*)?(?:\s+that)?\s*[:,]?\s*$"
)
# Indirect speech at the start of a sentence, after an optional introductory phrase.
_INDIRECT = re.compile(
    rf"^(?:(?:In|On|At|During|However|But|Meanwhile|Later|Earlier|Separately|Speaking)"
    rf"\b[^,]{{0,60}},\s*)?(?P<spk>[^,.;!?\"]{{1,160}}?(?:,[^,.;!?\"]{{1,80}},)?)\s+"
    rf"(?P<verb>{_VERBS})\b\s+(?P<rest>\S.*)$"
)
# After "told", the listener comes first: 'told the official news agency Sputnik that ...'.
_LISTENER_THEN_THAT = re.compile(r"^(?:[^,.;!?\"]{1,80}?)\s+that\s+")
_LISTENER = re.compile(
    r"^(?:the\s+)?(?:[A-Z][\w.]*|reporters|journalists)(?:\s+[A-Z][\w.]*){0,4}\s+"
)
# Verbs that also name actions ("declared a curfew"): speech only with "that" or a colon.
_NEEDS_THAT = frozenset(
    ["declared", "declares", "announced", "announces", "confirmed", "confirms", "posted",
     "urged", "urges", "asked", "asks", "stated", "states", "continued", "recalled",
     "notes", "noted", "cried", "shouted", "chanted", "acknowledged", "admitted"]
)  # fmt: skip
# An unclosed quote that ends in its own attribution: '"... murderers? Tokayev added.'
_INNER_ATTRIBUTION = re.compile(
    rf"[?.!,]\s+(?P<spk>[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)?)\s+(?:{_VERBS})\b"
)


@dataclass(frozen=True, slots=True)
class _Quote:
    start: int  # offset of the text inside the quote marks
    end: int
    close: int  # offset just past the closing mark (== end when unclosed)


def _quotes(text: str, start: int, end: int) -> list[_Quote]:
    """Quote spans of one paragraph, pairing marks in order; an unpaired last mark runs on."""
    marks = [m.start() for m in re.finditer('"', text[start:end])]
    quotes = []
    for i in range(0, len(marks) - 1, 2):
        a, b = start + marks[i] + 1, start + marks[i + 1]
        quotes.append(_Quote(a, b, b + 1))
    if len(marks) % 2 == 1:
        a = start + marks[-1] + 1
        inner = _INNER_ATTRIBUTION.search(text, a, end)
        b = inner.start() + 1 if inner else end
        quotes.append(_Quote(a, b, b))
    return quotes


def _words(s: str) -> int:
    return len(s.split())


class _Resolver:
    """Keeps the speakers seen so far, to resolve pronouns and continued quotes."""

    def __init__(self) -> None:
        self.last_person: Speaker | None = None

    def resolve(self, speaker: Speaker | None) -> Speaker | None:
        if speaker is None:
            return None
        if speaker.name in {"he", "she"}:
            return self.last_person
        if speaker.name in {"they", "it", "we", "i"}:
            return None
        if speaker.is_person:
            self.last_person = speaker
        return speaker


def find_statements(doc: Document) -> list[Draft]:
    """Every statement of the article, in reading order."""
    text = doc.text
    drafts: list[Draft] = []
    resolver = _Resolver()
    for _, group in groupby(doc.views, key=lambda v: v.sentence.paragraph):
        views = list(group)
        p_start, p_end = views[0].start, views[-1].sentence.end
        quoted_views: set[int] = set()
        last: Speaker | None = None
        for quote in _quotes(text, p_start, p_end):
            body = doc.raw[quote.start : quote.end].strip()
            covering = [v for v in views if v.start < quote.close and v.sentence.end > quote.start]
            if not covering or _words(body) < _MIN_QUOTE_WORDS:
                continue
            last_view = covering[-1]
            tail = text[quote.close : last_view.sentence.end]
            head = text[covering[0].start : quote.start - 1]
            speaker: Speaker | None = None
            if (
                tail.strip(" ,.") and (m := _TAIL_INVERTED.match(tail) or _TAIL_NORMAL.match(tail))
            ) or (head.strip() and (m := _HEAD.search(head))):
                speaker = resolver.resolve(parse_speaker(m.group("spk")))
            elif not head.strip() and not tail.strip(' ,."'):
                speaker = last  # a quote continuing the previous speaker's words
            if speaker is None:
                # A quote inside reported speech ('X said the situation had "stabilized"')
                # is left to the indirect-speech reading of its sentence.
                continue
            quoted_views.update(v.index for v in covering)
            last = speaker
            drafts.append(_draft(doc, covering, speaker, body.rstrip(","), quote.start, 0.9))
        for view in views:
            if view.index in quoted_views:
                continue
            draft = _indirect(doc, view, resolver)
            if draft is not None:
                drafts.append(draft)
    drafts.sort(key=lambda d: d.key)
    return drafts


def _indirect(doc: Document, view: SentenceView, resolver: _Resolver) -> Draft | None:
    m = _INDIRECT.match(view.text)
    if not m:
        return None
    verb, rest = m.group("verb"), m.group("rest")
    offset = m.start("rest")
    if verb in {"told", "tells"}:
        listener = _LISTENER_THEN_THAT.match(rest[:120]) or _LISTENER.match(rest)
        if listener is None:
            return None
        rest, offset = rest[listener.end() :], offset + listener.end()
    if rest.startswith("that "):
        rest, offset = rest[5:], offset + 5
    elif verb in _NEEDS_THAT:
        return None
    clause = doc.raw[view.start + offset : view.sentence.end].strip()
    if _words(clause) < _MIN_QUOTE_WORDS:
        return None
    speaker = resolver.resolve(parse_speaker(m.group("spk")))
    if speaker is None:
        return None
    return _draft(doc, [view], speaker, clause, view.start + offset, 0.7)


def _draft(
    doc: Document,
    views: list[SentenceView],
    speaker: Speaker,
    quote: str,
    key: int,
    confidence: float,
) -> Draft:
    return Draft(
        type="statement",
        start=views[0].start,
        end=views[-1].sentence.end,
        key=(key,),
        fields={"speaker": speaker.name, "speaker_role": speaker.role, "quote": quote},
        country=doc.country,
        location=None,
        confidence=confidence,
    )
