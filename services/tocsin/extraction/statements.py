"""Statements: who said what.

Direct quotes are found per paragraph (a quote may span sentences) and tied to
the attribution around them: '"...," X said', '"...," said X', 'X said: "..."',
'X told Y "..."', '... quoted X as saying: "..."'. A quote without attribution
continues the last speaker of its paragraph, or of the paragraph before when
that one ended on a quote (wire copy gives a long quote its own paragraphs).
"he" and "she" resolve to the last person quoted or named with a title as a
sentence subject ("Bolivian President Luis Arce addressed the nation. '...,' he
said."). Indirect speech ("X said the unrest was organised", "X told Y that
...", "X said in a statement that ...") is a statement too, with the reported
clause as quote.

Not statements: short scare quotes ("terrorist bandits"); what news media
report ("state TV reported that ...", "Reuters said ..."), because a report is a
source of facts, not a party speaking; and "according to X", which names the
source of a fact (casualty attribution records it) rather than something X said.

Sentences are read in order, so the speaker a pronoun resolves to is always one
named earlier in the text.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import deque
from typing import Final

from tocsin.extraction.document import Document, SentenceView
from tocsin.extraction.drafts import Draft
from tocsin.extraction.lexicon import SPEECH_VERBS
from tocsin.extraction.prefilter import Hit, trie_alternation
from tocsin.extraction.speakers import Speaker, parse_speaker

# A trie, not a flat alternation: the speaker patterns try the verbs at up to 160
# positions, and a trie rejects most of them on the first character.
_VERBS: Final = trie_alternation(SPEECH_VERBS)
_MIN_QUOTE_WORDS: Final = 3
# Speaker phrases may hold the dots of abbreviations ("Gen.", "U.S."): a sentence has
# no other dots inside it, because the splitter ends sentences there.
_SPK: Final = r"[^;!?\"]"
# '"...," said Marie Struthers, Amnesty Director' / '"...," he said.' / '"..." Tokayev added.'
_TAIL_INVERTED: Final = re.compile(rf"^[\s,.]*(?:{_VERBS})\s+(?P<spk>{_SPK}{{1,160}})")
_TAIL_NORMAL: Final = re.compile(rf"^[\s,.]*(?P<spk>{_SPK}{{1,160}}?)\s+(?:{_VERBS})\b")
# The attribution before a quote: 'Tokayev said: "', 'X told reporters in Dakar "',
# 'X said in a statement: "'. Searched in a bounded window after the last quote mark,
# as '(?:^|\s)' + _HEAD_VERB: see _head_match.
_HEAD_VERB: Final = rf"(?P<verb>{_VERBS})\b(?P<post>{_SPK}{{0,60}}?)\s*(?P<punct>[:,]?)\s*$"
_HEAD_AT_START: Final = re.compile(_HEAD_VERB)
_HEAD_AFTER_BLANK: Final = re.compile(rf"\s{_HEAD_VERB}")
_HEAD_QUOTED_AS: Final = re.compile(
    rf"\bquoted\s+(?P<spk>{_SPK}{{1,120}}?)\s+as\s+saying(?:\s+that)?\s*[:,]?\s*$"
)
_HEAD_WINDOW: Final = 240
# How far before the end of its window's text an attribution may start (see
# _head_match): the 60 characters of "post", the longest verb, and the blank before it.
_HEAD_REACH: Final = 60 + max(len(verb) for verb in SPEECH_VERBS) + 1
_ATTRIBUTION_CHARS: Final = 400  # longer than any attribution the patterns accept
# What may stand between a speech verb and an opening quote mark besides a listener.
_ADVERBIAL: Final = re.compile(
    r"^\s+(?:in|on|at|during|via|through|late|earlier|later|after|before|from|to|by|over)\b"
)
# A wire dateline opening a story: "LIMA, March 8 (Reuters) - ", "BAMAKO, Mali - ".
_DATELINE: Final = re.compile(
    r"[A-Z][A-Z'.-]+(?: [A-Z][A-Z'.-]+){0,3}(?:, [A-Z][\w.]*(?: [\w.]+){0,3}){0,2}"
    r"(?: \([A-Za-z .]{1,30}\))? ?-+ "
)
# Indirect speech at the start of a sentence, after an optional introductory phrase.
# The speaker phrase is "A" or "A,B," (an appositive: "X, a local official, said"),
# with A = [^,;!?"]{1,160}? and B = [^,;!?"]{1,80}. Written as 'A(?:,B,)?' it would
# make the engine enter the optional group at each of up to 160 lengths of A, which
# costs a third of the match. The alternation below tries the same candidates in the
# same order, so it finds the same match: A holds no comma, so 'A(?:,B,)?' can only take
# the group where A ends right before the first comma (and B, which holds no comma
# either, then ends right before the next one); there the group is tried first and the
# bare A after it, but the bare A fails there, as "\s+" cannot match the comma. So the
# candidates are the bare A at each length up to that comma, then A,B, ending at the
# next comma: the lazy first branch, then the greedy second one, which can only end
# with its A at that same comma.
_INDIRECT: Final = re.compile(
    rf"(?:(?:In|On|At|During|However|But|Meanwhile|Later|Earlier|Separately|Speaking|"
    rf"Addressing|Asked|After|Writing|Responding)"
    rf"\b[^,]{{0,60}},\s*)?(?P<spk>[^,;!?\"]{{1,160}}?|[^,;!?\"]{{1,160}},[^,;!?\"]{{1,80}},)\s+"
    rf"(?P<verb>{_VERBS})\b\s+(?P<rest>\S.*)$"
)
# '... quoted police chief X as saying (that) ...', anywhere in the sentence.
_INDIRECT_QUOTED_AS: Final = re.compile(
    r"\bquoted\s+(?P<spk>[^;!?\"]{1,120}?)\s+as\s+saying\b(?:\s+that\b)?[\s,:]*(?P<rest>\S.*)$"
)
# After the verb, before the reported clause: 'said in a televised address that',
# 'said on Monday that', 'said late on Friday the ...'.
_SAID_WHEN: Final = re.compile(
    r"^(?:(?:in|at|during|on|via|through) [^,;:\"]{1,60}?\s+that\s+"
    r"|(?:late |early |earlier |later )?on \w+day\b,?\s+(?:that\s+)?)"
)
# After "told", the listener comes first: 'told the official news agency Sputnik that ...'.
_LISTENER_THEN_THAT: Final = re.compile(r"^(?:[^,;!?\"]{1,80}?)\s+that\s+")
_LISTENER: Final = re.compile(
    r"^(?:the\s+)?(?:[A-Z][\w.]*|reporters|journalists)(?:\s+[A-Z][\w.]*){0,4}\s+"
)
# Verbs that also name actions ("declared a curfew"): speech only with "that" or a colon.
_NEEDS_THAT: Final = frozenset(
    ["declared", "declares", "announced", "announces", "confirmed", "confirms", "posted",
     "urged", "urges", "asked", "asks", "stated", "states", "continued", "recalled",
     "notes", "noted", "cried", "shouted", "chanted", "acknowledged", "admitted"]
)  # fmt: skip
# An unclosed quote that ends in its own attribution: '"... murderers? Tokayev added.'
_INNER_ATTRIBUTION: Final = re.compile(
    rf"[?.!,]\s+(?P<spk>[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)?)\s+(?:{_VERBS})\b"
)
# A sentence subject that names a person with a title: "Bolivian President Luis Arce ...".
_SUBJECT: Final = re.compile(
    r"(?:(?:In|On|At|During|However|But|Meanwhile|Later|Earlier|After)\b[^,]{0,60},\s*)?"
    r"(?P<spk>[A-Z][\w'’.-]*(?:\s+[\w'’.-]+){0,7}?)\s+(?P<verb>[a-z][a-z]+(?:ed|s)|met|went|"
    r"gave|spoke|made|took|came|left|sent|led|held|flew|wrote|told|said)\b"
)
# The second character of a dateline ("[A-Z'.-]" in _DATELINE).
_DATELINE_SECOND: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ'.-")
_PRONOUN_PERSONS: Final = frozenset(["he", "she"])
_MAX_SUBJECTS: Final = 4  # a pronoun refers back a few sentences at most


class _Quote:
    """A quotation of a paragraph (a native class once compiled, see drafts.Draft)."""

    __slots__ = ("close", "end", "start")

    def __init__(self, start: int, end: int, close: int) -> None:
        self.start: Final = start  # offset of the text inside the quote marks
        self.end: Final = end
        self.close: Final = close  # offset just past the closing mark (== end when unclosed)


def _quotes(text: str, start: int, end: int) -> list[_Quote]:
    """Quote spans of one paragraph, pairing marks in order; an unpaired last mark runs on."""
    mark = text.find('"', start, end)
    if mark < 0:
        return []  # most paragraphs quote nobody
    marks: list[int] = []
    while mark >= 0:  # the offsets re.finditer('"', text[start:end]) would give, + start
        marks.append(mark)
        mark = text.find('"', mark + 1, end)
    quotes = []
    for i in range(0, len(marks) - 1, 2):
        a, b = marks[i] + 1, marks[i + 1]
        quotes.append(_Quote(a, b, b + 1))
    if len(marks) % 2 == 1:
        a = marks[-1] + 1
        inner = _INNER_ATTRIBUTION.search(text, a, end)
        b = inner.start() + 1 if inner else end
        quotes.append(_Quote(a, b, b))
    return quotes


def _opening(text: str) -> int:
    """Where a sentence's own words start: after a wire dateline, if it has one."""
    # A dateline opens with two characters of "[A-Z][A-Z'.-]": most sentences do not.
    if not ("A" <= text[:1] <= "Z" and text[1:2] in _DATELINE_SECOND):
        return 0
    dateline = _DATELINE.match(text, 0, 80)
    return dateline.end() if dateline else 0


def _too_short(s: str) -> bool:
    """Whether ``s`` has fewer than _MIN_QUOTE_WORDS words.

    Splits off no more words than needed to tell: a long quote is not cut into a list
    of all its words just to be counted.
    """
    return len(s.split(None, _MIN_QUOTE_WORDS - 1)) < _MIN_QUOTE_WORDS


def _place_words(view: SentenceView) -> frozenset[str]:
    """Words of the sentence the gazetteer read as a country or demonym ("Russian")."""
    words: list[str] = []
    for p in view.places:
        if p.kind in {"country", "demonym"}:
            words.extend(p.name.split())
    return frozenset(words)


class _Resolver:
    """Keeps the persons seen so far, to resolve "he" and "she"."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.last_person: Speaker | None = None
        # Indexes of the last few sentences read since the last person quoted, newest
        # last. Their subjects are parsed only when a pronoun needs them: most are never
        # looked at.
        self.recent: deque[int] = deque(maxlen=_MAX_SUBJECTS)

    def resolve(self, speaker: Speaker | None) -> Speaker | None:
        if speaker is None:
            return None
        if speaker.name in _PRONOUN_PERSONS:
            return self._antecedent()
        if speaker.name in {"they", "it", "we", "i"}:
            return None
        if speaker.is_person:
            self.last_person = speaker
            self.recent.clear()
        return speaker

    def observe(self, index: int) -> None:
        """Remember a sentence without a statement: its subject may name a person."""
        self.recent.append(index)  # the oldest drops out beyond _MAX_SUBJECTS

    def _antecedent(self) -> Speaker | None:
        """The person named last: a titled sentence subject, else the last person quoted."""
        while self.recent:
            view = self.doc.view(self.recent.pop())
            start = _opening(view.text)
            m = _SUBJECT.match(view.text, start, start + 200)
            speaker = parse_speaker(m.group("spk"), _place_words(view)) if m else None
            if (
                speaker is not None
                and speaker.is_person
                and speaker.role
                and speaker.name[0].isupper()
            ):
                self.last_person = speaker
                self.recent.clear()
                break
        return self.last_person


def find_statements(doc: Document) -> list[Draft]:
    """Every statement of the article, in reading order."""
    text = doc.text
    drafts: list[Draft] = []
    resolver = _Resolver(doc)
    # Reported speech needs a speech verb as a whole word ("X said ...", "quoted X as
    # saying ..."): the article's trigger scan (prefilter.py) found the few sentences
    # with one, and only those are worth the patterns of _indirect.
    speech = doc.triggers("speech")
    carried: Speaker | None = None  # speaker of a quote that ended the previous paragraph
    every = doc.sentences
    base = 0  # index of the paragraph's first sentence in the article
    while base < len(every):
        # The paragraph: the run of sentences from ``base`` with its paragraph number.
        stop = base + 1
        while stop < len(every) and every[stop].paragraph == every[base].paragraph:
            stop += 1
        sentences = every[base:stop]
        # Each quote is read when its opening sentence is reached, so pronouns in it
        # resolve against what came before; a bisect keeps this linear in the paragraph.
        # Quotes come in order, so their first sentences never decrease: a cursor
        # (``q``) hands each sentence the quotes that open in it, in order.
        quotes = _quotes(text, sentences[0].start, sentences[-1].end)
        firsts: list[int] = []
        lasts: list[int] = []
        if quotes:
            starts = [s.start for s in sentences]
            for quote in quotes:
                first = max(0, bisect_right(starts, quote.start - 1) - 1)
                firsts.append(first)
                lasts.append(max(first, bisect_left(starts, quote.close) - 1))
        q = 0
        claimed = -1  # last index in the paragraph covered by an attributed quote
        last_speaker = carried
        for k in range(len(sentences)):
            while q < len(quotes) and firsts[q] == k:
                quote, last = quotes[q], lasts[q]
                q += 1
                speaker = _quote_speaker(doc, base + k, base + last, quote, resolver, last_speaker)
                if speaker is None:
                    continue
                body = doc.raw[quote.start : quote.end].strip().rstrip(",")
                claimed = max(claimed, last)
                last_speaker = speaker
                start, end = sentences[k].start, sentences[last].end
                drafts.append(_draft(doc, start, end, speaker, body, quote.start, 0.9))
            if k > claimed:
                hits = speech.get(base + k)
                draft = _indirect(doc, base + k, resolver, hits) if hits else None
                if draft is not None:
                    drafts.append(draft)
                else:
                    resolver.observe(base + k)
        carried = last_speaker if claimed == len(sentences) - 1 else None
        base = stop
    drafts.sort(key=lambda d: d.key)
    return drafts


def _quote_speaker(
    doc: Document,
    first: int,
    last: int,
    quote: _Quote,
    resolver: _Resolver,
    previous: Speaker | None,
) -> Speaker | None:
    """The speaker of a direct quote, from the words after it, before it, or the context.

    ``first`` and ``last`` index the sentences where the quote opens and closes.
    """
    text = doc.text
    body = doc.raw[quote.start : quote.end].strip()
    if _too_short(body):
        return None
    # Attributions sit right next to the quote: bounded slices keep a huge sentence with
    # many quotes linear.
    tail = text[quote.close : min(doc.sentences[last].end, quote.close + _ATTRIBUTION_CHARS)]
    head = text[
        max(doc.sentences[first].start, quote.start - 1 - _ATTRIBUTION_CHARS) : quote.start - 1
    ]

    if tail.strip(" ,."):
        m = _TAIL_INVERTED.match(tail) or _TAIL_NORMAL.match(tail)
        parsed = None
        if m is not None:
            parsed = parse_speaker(m.group("spk"), _quote_places(doc, first, last))
        if parsed is not None:
            return resolver.resolve(parsed)
    if head.strip():
        phrase = _head_speaker(head)
        if phrase is not None:
            return resolver.resolve(parse_speaker(phrase, _quote_places(doc, first, last)))
        return None
    if not tail.strip(' ,."'):
        return previous  # a quote continuing the previous speaker's words
    # A quote inside reported speech ('X said the situation had "stabilized"') is left to
    # the indirect-speech reading of its sentence.
    return None


def _quote_places(doc: Document, first: int, last: int) -> frozenset[str]:
    # Only a speaker phrase to parse needs the sentences' places (and views).
    return _place_words(doc.view(last)) | _place_words(doc.view(first))


def _head_speaker(head: str) -> str | None:
    """The speaker phrase of an attribution that introduces a quote, or None."""
    # A mark before the last _HEAD_WINDOW characters would not move the window's start.
    low = max(0, len(head) - _HEAD_WINDOW)
    cut = max(head.rfind('"', low), head.rfind(";", low), head.rfind("!", low))
    cut = max(cut, head.rfind("?", low)) + 1
    window = head[max(cut, low) :]
    window = window[_opening(window) :]
    # The regex has no literal prefix to skip ahead with; most windows lack the word.
    quoted = _HEAD_QUOTED_AS.search(window) if "quoted" in window else None
    if quoted is not None:
        return quoted.group("spk")
    m = _head_match(window)
    if m is None:
        return None
    post = m.group("post")
    if m.group("verb") in {"told", "tells"}:
        # The listener: 'told reporters in Dakar', 'told CNN that'. A "that" with words
        # after it starts reported speech ('told CNN that people "want the truth"').
        listener = post.split()
        if len(listener) > 8 or "that" in listener[:-1]:
            return None
    elif post.strip() not in {"", "that"} and not (
        _ADVERBIAL.match(post) and (m.group("punct") or post.endswith(" that"))
    ):
        # 'Tokayev said the situation had "stabilized"' is reported speech with a
        # quoted word in it, not an introduced quote.
        return None
    return window[: m.start("verb")]


def _head_match(window: str) -> re.Match[str] | None:
    r"""The leftmost match of '(?:^|\s)' + _HEAD_VERB in ``window``, found faster.

    That pattern is anchored at the end: what follows its verb is "post" (at most 60
    characters), then only blanks and at most one ":" or ",". Stripping those off the
    end of the window leaves ``len(stripped)`` characters, all of which come before the
    end of "post" (a character left over is neither a blank nor the one mark allowed).
    So the verb ends no earlier than len(stripped) - 60, and a match starts (with the
    blank before the verb, or at 0 by "^") no earlier than ``low`` below: the search can
    start there. Then "(?:^|\s)" is split in two: the engine would try "^" then "\s"
    at 0, then "\s" at each later position ("^" matches only at 0), which is the order
    of the two calls below; and the search for a pattern opening with "\s" skips the
    positions without a blank before trying the verbs. The groups are the same; the
    match found by _HEAD_AT_START starts at 0 as the one by "^" did.
    """
    stripped = window.rstrip()
    if stripped.endswith((":", ",")):
        stripped = stripped[:-1].rstrip()
    low = max(0, len(stripped) - _HEAD_REACH)
    if low == 0:
        m = _HEAD_AT_START.match(window)
        if m is not None:
            return m
    return _HEAD_AFTER_BLANK.search(window, low)


def _indirect(doc: Document, index: int, resolver: _Resolver, hits: list[Hit]) -> Draft | None:
    """Reported speech: 'X said (that) ...', 'X told Y that ...', 'quoted X as saying ...'.

    Reads sentence ``index``, whose speech-verb ``hits`` the trigger scan found; its view
    (places) is only needed once a pattern matched.
    """
    text = doc.sentences[index].text
    quoted = _INDIRECT_QUOTED_AS.search(text) if " as saying" in text else None
    if quoted is not None:
        return _reported(doc, index, resolver, quoted.group("spk"), quoted.start("rest"))
    if len(doc.lower) == len(doc.text) and not _verb_before_blank(text, hits):
        return None  # the common "..., officials said.": _INDIRECT cannot match
    m = _INDIRECT.match(text, _opening(text))
    if not m:
        return None
    verb, rest = m.group("verb"), m.group("rest")
    offset = m.start("rest")
    if verb in {"told", "tells"}:
        listener = _LISTENER_THEN_THAT.match(rest[:120]) or _LISTENER.match(rest)
        if listener is None:
            return None
        rest, offset = rest[listener.end() :], offset + listener.end()
    when = _SAID_WHEN.match(rest)
    said_that = when is not None and when.group().rstrip().endswith("that")
    if when is not None:
        rest, offset = rest[when.end() :], offset + when.end()
    if rest.startswith("that "):
        rest, offset = rest[5:], offset + 5
    elif verb in _NEEDS_THAT and not said_that:
        return None
    return _reported(doc, index, resolver, m.group("spk"), offset)


def _verb_before_blank(text: str, hits: list[Hit]) -> bool:
    """Whether a speech verb of ``hits`` is followed by a blank in ``text``.

    _INDIRECT needs "<verb> <more words>"; the trigger scan has found every speech verb of
    the sentence as a whole word (offsets into ``text`` when the document's lower-cased
    text is aligned with it), so this loop rules out most failing matches for less than
    the regex costs: it would try a speaker phrase at up to 160 characters.
    """
    for offset, word in hits:
        end = offset + len(word)
        if word in SPEECH_VERBS and end < len(text) and text[end].isspace():
            return True
    return False


def _reported(
    doc: Document, index: int, resolver: _Resolver, phrase: str, offset: int
) -> Draft | None:
    sentence = doc.sentences[index]
    clause = doc.raw[sentence.start + offset : sentence.end].strip()
    # The final full stop is the reporter's punctuation, not part of what was said
    # (unless it also ends an abbreviation: "... troops from the U.S.").
    if clause.endswith(".") and clause.rsplit(None, 1)[-1].count(".") == 1:
        clause = clause[:-1]
    if _too_short(clause):
        return None
    speaker = resolver.resolve(parse_speaker(phrase, _place_words(doc.view(index))))
    if speaker is None:
        return None
    start = sentence.start
    return _draft(doc, start, sentence.end, speaker, clause, start + offset, 0.7)


def _draft(
    doc: Document,
    start: int,
    end: int,
    speaker: Speaker,
    quote: str,
    key: int,
    confidence: float,
) -> Draft:
    return Draft(
        type="statement",
        start=start,
        end=end,
        key=(key,),
        fields={"speaker": speaker.name, "speaker_role": speaker.role, "quote": quote},
        country=doc.country,
        location=None,
        confidence=confidence,
    )
