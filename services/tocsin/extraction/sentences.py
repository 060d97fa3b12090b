"""Sentence and paragraph segmentation with exact character offsets.

The splitter is a single left-to-right pass over the text driven by one
precompiled regular expression (or, for ASCII text in the compiled core, a byte
scanner that stands in for it) that finds two kinds of events: a newline, and a
*candidate* boundary, i.e. a run of terminators (``. ! ? …``) plus any closing
quotes or brackets, followed by whitespace or the end of the text. Each
candidate is then accepted or rejected by looking at a bounded window around
it, so the whole pass is linear in the length of the text.

Rules, in the order they are applied to a candidate:

1. Newlines always end a sentence, and every non-blank line is a paragraph
   (wire copy often uses single newlines between paragraphs).
2. A candidate followed (after spaces and opening quotes/brackets) by a
   lower-case letter is not a boundary: ``etc. and``, ``a.m. local``,
   ``"Why?" he asked``.
3. After a single ``.``, the word in front decides:
   titles (``Gen.``, ``Dr.``, ``Sen.`` ...) and ``vs.`` never end a sentence;
   month abbreviations (``Jan. 19``) and ``No.`` do not when a digit follows;
   initials (``John F. Kennedy``), dotted acronyms (``U.S.``, ``U.N.``) and a few
   short forms (``St.``, ``Jr.``, ``e.g.``) end a sentence only when the next word
   is a typical sentence opener (``The``, ``He``, ``However`` ...); ``a.m.`` and
   ``p.m.`` end one unless a weekday, month or time-zone word follows.
   Decimals (``3.6``) never produce a candidate because no space follows.
4. After ``?``/``!``, or a terminator inside closing quotes, a short
   capitalised attribution (``"Why?" Tokayev asked.``, ``... murderers? Tokayev
   added.``) stays in the same sentence.
5. Anything else (upper-case letter, digit, other punctuation) is a boundary.

A segment without any letter or digit (such as the stray ``“.`` left in sloppy
copy) is merged into the preceding sentence of the same line.

Quotations. Quotes are not tracked as a stack: a boundary inside a multi-sentence
quotation splits it, so ``"We are poor. We want the truth," he said.`` gives two
sentences and the speaker is found by the statement extractor, which looks at a
sentence together with its neighbours. Tracking quote state was rejected because
real copy is full of unbalanced quotes (the seed article has three), and one
missing closing quote would glue the rest of a paragraph into a single
"sentence". The end of a quoted sentence (``."``, ``?"``, ``!)"``) is placed after
the closing quote, and ``"...," he said.`` has no terminator before ``he`` and so
is always one sentence.

Length. No sentence is longer than ``MAX_SENTENCE_CHARS`` (2,000 characters,
about 330 words; the longest sentence of the golden cases, the seed article and
the bench corpora has 331 characters). A longer run without a boundary (a
megabyte-long line, a list of thousands of figures) is cut at the last blank
before the limit, or at the limit when there is none. Without the cap, every
event of such a run would quote the whole run as its evidence, and the output
would grow with the square of the input.

The splitter expects normalised text (straight quotes, see
:mod:`tocsin.extraction.normalise`) but also treats curly quotes as quotes, and
never fails on any input.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

from tocsin.extraction import byte_scan
from tocsin.extraction.records import Record

if TYPE_CHECKING:
    # For the type checker and mypyc (a C int64) only: annotations are never evaluated.
    from mypy_extensions import i64

__all__ = ["MAX_SENTENCE_CHARS", "Sentence", "split_sentences"]


class Sentence(Record):
    """One sentence: ``body[start:end] == text``, without surrounding whitespace.

    A record (see records.Record): the splitter makes one per sentence, so it is a
    native class once compiled, not a named tuple.
    """

    __slots__ = ("end", "paragraph", "start", "text")

    def __init__(self, text: str, start: int, end: int, paragraph: int) -> None:
        self.text: Final = text
        self.start: Final = start
        self.end: Final = end
        # 0-based index of the non-blank line (paragraph) holding the sentence.
        self.paragraph: Final = paragraph

    def _values(self) -> tuple[str, int, int, int]:
        return (self.text, self.start, self.end, self.paragraph)


MAX_SENTENCE_CHARS: Final = 2000
"""The longest sentence the splitter returns (see "Length" in the module doc)."""

_OPENERS: Final = "\"'([{“‘«"  # may stand between a boundary and the next sentence
_CLOSERS: Final = "\"')]}’”»"  # may stand between a terminator and the boundary
_TERMINATORS: Final = ".!?…"

# One event per match: a newline, or a candidate boundary (a run of terminators
# plus closing quotes/brackets, followed by whitespace or the end). The pattern
# starts with a plain character class so the regex engine can skip to the next
# newline or terminator in C (6x faster than starting with a lookbehind). The
# 2-character lookbehind makes a run of terminators match only from its first
# character, and the possessive quantifiers forbid backtracking into the run, so
# "!!!!…a" costs linear time. The `close` group is unset for a newline.
#
# A newline takes the blank lines after it along: they would only be empty segments.
# A candidate also looks at what follows it on the same line (spaces, opening quotes,
# then `char`, the first other character, empty at the end of a line) in a lookahead
# that always succeeds: capturing it here spares a second regex call per candidate.
#
# In the compiled core, ASCII text is scanned by _search_event_bytes instead, which finds
# the same events; the pattern stays the definition and serves all other text.
_EVENTS: Final = re.compile(
    rf"[\n{_TERMINATORS}]"
    r"(?:(?<=\n)(?:[^\S\n]*+\n)*+"
    rf"|(?<![{_TERMINATORS}].)[{_TERMINATORS}]*+(?P<close>[{re.escape(_CLOSERS)}]*+)(?=\s|\Z)"
    rf"(?=[^\S\n]*+[{re.escape(_OPENERS)}]*+(?P<char>[^\n]?)))"
)
# Group numbers of _EVENTS: compiled, ``match.start(1)`` skips the name look-up in the
# pattern's group index that ``match.start("close")`` makes, once per event.
_CLOSE: Final = 1
_CHAR: Final = 2
assert _EVENTS.groupindex == {"close": _CLOSE, "char": _CHAR}


def _ascii_class(chars: str) -> bytes:
    """A byte table for the character class ``[chars]``: 1 for its ASCII members, else 0."""
    return bytes(1 if b < 128 and chr(b) in chars else 0 for b in range(256))


# The ASCII parts of the classes of _EVENTS: "…", the curly quotes and the guillemets
# are not ASCII, so they never occur in the text a byte scanner reads.
_EVENT_START_BYTES: Final = _ascii_class("\n" + _TERMINATORS)  # \n . ! ?
_TERMINATOR_BYTES: Final = _ascii_class(_TERMINATORS)  # . ! ?
_CLOSER_BYTES: Final = _ascii_class(_CLOSERS)  # " ' ) ] }
_OPENER_BYTES: Final = _ascii_class(_OPENERS)  # " ' ( [ {
_NEWLINE: Final = 0x0A


def _search_event_bytes(data: bytes, pos: i64) -> tuple[i64, i64, i64, i64, i64]:
    """The first event at or after ``pos`` in the ASCII text ``data``, as five offsets.

    Stands in for ``_EVENTS.search(text, pos)`` in the compiled core: the match's start
    and end, the start of its ``close`` group and the span of its ``char`` group, each
    group -1 when unset (a newline), the start -1 when there is no match. That is all
    the splitter reads of a match, and returned as a tuple of C integers it needs no
    object per event.

    The regex search tries each position in turn; this loop does the same, and checks at
    each newline or terminator what the pattern asks there:

    * A newline always matches (the first branch), together with the blank lines after
      it: repeatedly, blanks other than a newline then a newline. A last run of blanks
      without a newline after it stays out of the match.
    * A terminator matches only if the character before it is not a terminator (the
      lookbehind ``(?<![.!?…].)``, which may look before ``pos``; its ``.`` is the
      terminator itself, never a newline). Then the whole run of terminators and the
      whole run of closing characters after it are taken (possessive: no backtracking
      into either run), and the next character must be a blank or the end of the text.
      If it is not, nothing matches at this position and the search goes on at the next
      one; the rest of the terminator run then fails the lookbehind, as in the regex.
    * The ``char`` lookahead, from the end of a candidate: blanks other than a newline,
      then opening characters (each run taken whole), then one character unless that is
      a newline or the end of the text.

    ``\\s`` of a ``str`` pattern counts ``\\x1c``-``\\x1f`` as blanks: ``byte_scan.SPACE``
    does too.
    """
    space = byte_scan.SPACE
    event_start = _EVENT_START_BYTES
    terminator = _TERMINATOR_BYTES
    n: i64 = len(data)
    i: i64 = pos
    while i < n:
        c = data[i]
        if not event_start[c]:  # [\n.!?…], the first character of every match
            i += 1
            continue
        if c == _NEWLINE:
            end: i64 = i + 1
            j: i64 = end
            while True:  # (?:[^\S\n]*+\n)*+
                while j < n and space[data[j]] and data[j] != _NEWLINE:
                    j += 1
                if j == n or data[j] != _NEWLINE:
                    return i, end, -1, -1, -1
                j += 1
                end = j
        # A terminator. (?<![.!?…].): one right after another starts nothing (so a run
        # is matched from its first character only).
        if i > 0 and terminator[data[i - 1]]:
            i += 1
            continue
        # [.!?…]*+ then (?P<close>[...]*+): both runs whole, no giving back.
        j = i + 1
        while j < n and terminator[data[j]]:
            j += 1
        close: i64 = j
        closer = _CLOSER_BYTES
        while j < n and closer[data[j]]:
            j += 1
        if j < n and not space[data[j]]:  # (?=\s|\Z) fails
            i += 1
            continue
        # The match ends at j. The `char` lookahead: [^\S\n]*+, openers *+, [^\n]?
        k: i64 = j
        while k < n and space[data[k]] and data[k] != _NEWLINE:
            k += 1
        opener = _OPENER_BYTES
        while k < n and opener[data[k]]:
            k += 1
        if k < n and data[k] != _NEWLINE:
            return i, j, close, k, k + 1
        return i, j, close, k, k
    return -1, -1, -1, -1, -1


_WORD: Final = re.compile(r"[^\W\d_][\w'’-]*+(?P<dot>\.?)")
_HAS_ALNUM: Final = re.compile(r"[^\W_]")
_NON_BLANK: Final = re.compile(r"\S")
_DOTTED_ACRONYM: Final = re.compile(r"(?:[A-Z]\.)+[A-Z]")
_SPEECH_VERBS: Final = (
    "said|says|added|adds|asked|asks|told|tells|wrote|writes|replied|replies|insisted|"
    "insists|declared|declares|stressed|stresses|warned|warns|explained|noted|continued|"
    "argued|shouted|tweeted|posted|claimed|claims|urged|urges"
)
# A short attribution such as "Tokayev added." or "Paul Stronski told CNN," right
# after a quoted sentence or a question/exclamation.
_ATTRIBUTION: Final = re.compile(
    rf"(?:[A-Z][\w'’.-]*+[^\S\n]++){{1,4}}(?:{_SPEECH_VERBS})"
    r"(?:[^\S\n]++[\w'’-]++)?[^\S\n]*+(?:[.,;:!?]|$)",
    re.MULTILINE,
)

_TITLES: Final = frozenset(
    {
        "Adm", "Brig", "Capt", "Cmdr", "Col", "Cpl", "Dr", "Gen", "Gov", "Hon", "Lt", "Maj",
        "Messrs", "Mr", "Mrs", "Ms", "Pres", "Prof", "Pvt", "Rep", "Rev", "Sen", "Sgt",
        "v", "vs",
    }
)  # fmt: skip
_MONTH_ABBREVIATIONS: Final = frozenset(
    {"Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec"}
)
_NUMBER_ABBREVIATIONS: Final = frozenset({"No", "Nos"})
# End a sentence only before a typical sentence opener (like initials and acronyms).
_SHORT_FORMS: Final = frozenset(
    {"St", "Mt", "Ft", "Jr", "Sr", "Inc", "Ltd", "Co", "Corp", "e.g", "i.e", "cf", "al"}
)
_CLOCK: Final = frozenset({"a.m", "p.m"})
_SENTENCE_OPENERS: Final = frozenset(
    {
        "A", "According", "After", "An", "And", "As", "At", "Before", "But", "During", "He",
        "Her", "His", "However", "I", "If", "In", "It", "Its", "Meanwhile", "On", "Our", "She",
        "Since", "So", "That", "The", "Their", "There", "These", "They", "This", "Those", "We",
        "When", "While", "Yet", "You",
    }
)  # fmt: skip
_AFTER_CLOCK: Final = frozenset(
    {
        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
        "January", "February", "March", "April", "May", "June", "July", "August",
        "September", "October", "November", "December", *_MONTH_ABBREVIATIONS,
        "GMT", "UTC", "ET", "EST", "EDT", "CET", "CEST", "MSK", "PT", "BST",
    }
)  # fmt: skip
# Every word a rule of _period_rule names; any other word of two or more characters
# without a dot (so no initial and no dotted acronym) leaves the decision open.
_LISTED: Final = _TITLES | _MONTH_ABBREVIATIONS | _NUMBER_ABBREVIATIONS | _CLOCK | _SHORT_FORMS
# Longest word (plus leading punctuation) that can change a decision: "Messrs".
_TOKEN_WINDOW: Final = 12


def _word_before(text: str, term_start: int, line_start: int) -> str:
    """Return the whitespace-delimited word ending at ``term_start``, minus opening punctuation.

    Only a bounded window is inspected; a longer word comes back truncated,
    which is harmless because no abbreviation is that long.
    """
    # Walked back a character at a time: compiled, ``isspace`` on one character is a C
    # call, cheaper than the slice, list and strings ``rsplit`` would make of the window.
    low = max(line_start, term_start - _TOKEN_WINDOW)
    if term_start <= low or text[term_start - 1].isspace():
        return ""
    begin = term_start - 1
    while begin > low and not text[begin - 1].isspace():
        begin -= 1
    return text[begin:term_start].lstrip(_OPENERS)


def _next_word(text: str, pos: int) -> tuple[str, bool]:
    """Return the word starting at ``pos`` and whether it is an initial (one letter + dot)."""
    match = _WORD.match(text, pos)
    if match is None:
        return "", False
    word = match.group()
    if match.group("dot"):
        word = word[:-1]
    return word, len(word) == 1 and bool(match.group("dot"))


def _opens_sentence(text: str, pos: int) -> bool:
    """Tell whether the word at ``pos`` is a typical first word of a sentence."""
    word, is_initial = _next_word(text, pos)
    return not is_initial and word in _SENTENCE_OPENERS


def _period_rule(text: str, word: str, char: str, next_pos: int) -> bool | None:
    """Return the decision forced by the word in front of a single ``.``, if it forces one.

    ``char`` is the first visible character after the candidate, at ``next_pos``.
    """
    if len(word) > 1 and "." not in word and word not in _LISTED:
        return None  # most words: the tests below all fail, and this is one look-up
    if word in _TITLES:
        return False
    if word in _MONTH_ABBREVIATIONS or word in _NUMBER_ABBREVIATIONS:
        return not char.isdigit()
    if word in _CLOCK:
        return _next_word(text, next_pos)[0] not in _AFTER_CLOCK
    if (
        word in _SHORT_FORMS
        or (len(word) == 1 and word.isupper())
        or _DOTTED_ACRONYM.fullmatch(word) is not None
    ):
        return _opens_sentence(text, next_pos)
    return None


def _is_boundary(
    text: str, start: int, end: int, close: int, next_pos: int, char: str, line_start: int
) -> bool:
    """Decide whether the candidate ``text[start:end]`` ends a sentence (rules 3-5).

    ``close`` is where its closing characters start; ``char``, the first visible
    character after it, at ``next_pos``: not empty, not lower case (the caller decides
    those cases, rules 1 and 2 of the module doc).
    """
    if close - start == 1 and text[start] == ".":
        decision = _period_rule(text, _word_before(text, start, line_start), char, next_pos)
        if decision is not None:
            return decision
    quoted = end > close
    if not quoted and text[close - 1] not in "?!":
        return True
    return _ATTRIBUTION.match(text, next_pos) is None


class _Splitter:
    """The state of one split_sentences pass.

    A native class rather than closures with ``nonlocal`` state: compiled, a closure's
    variables live in an environment object reached through attribute look-ups, while
    typed attributes of a native class are plain struct fields.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.sentences: list[Sentence] = []
        self.paragraph = 0
        self.line_first = 0  # index in `sentences` of the first sentence of the current line
        # Where glued punctuation extended the last sentence to: its text is cut once, when
        # the next sentence starts, so a long run of such segments costs linear time.
        self.glued_end = -1
        self.line_start = 0  # where the current line starts
        self.seg_start = 0  # where the current segment starts

    def event(self, start: int, end: int, close: int, char_start: int, char_end: int) -> None:
        """Take the next event: a match of ``_EVENTS`` (or its byte-scanned twin).

        ``start`` and ``end`` are the match's span, ``close`` the start of its ``close``
        group, ``char_start`` and ``char_end`` the span of its ``char`` group; the groups
        are -1 when unset, as for a newline.
        """
        if close < 0:  # a newline (it leaves both groups unset)
            self.emit(self.seg_start, start)
            self.newline()
            self.seg_start = self.line_start = end
            return
        text = self.text
        char = text[char_start:char_end]
        # Rules 1 and 2 here, the rest in _is_boundary: at the end of a line or the text
        # the sentence ends anyway; before a lower-case letter it goes on.
        if not char or (
            not char.islower()
            and _is_boundary(text, start, end, close, char_start, char, self.line_start)
        ):
            self.emit(self.seg_start, end)
            self.seg_start = end

    def flush_glued(self) -> None:
        glued_end = self.glued_end
        if glued_end >= 0:
            sentences = self.sentences
            last = sentences[-1]
            sentences[-1] = Sentence(
                self.text[last.start : glued_end], last.start, glued_end, last.paragraph
            )
            self.glued_end = -1

    def emit(self, start: int, end: int) -> None:
        """Append the trimmed segment ``text[start:end]`` (or glue punctuation to the last)."""
        text = self.text
        sentences = self.sentences
        # Trimmed by moving the bounds (the same characters ``strip`` removes), so the
        # sentence text is cut once instead of three times.
        while start < end and text[start].isspace():
            start += 1
        if start == end:
            return
        while text[end - 1].isspace():
            end -= 1
        stripped = text[start:end]
        # (Testing the first character first spares the search for most sentences.)
        if (
            len(sentences) > self.line_first
            and not stripped[0].isalnum()
            and end - sentences[-1].start <= MAX_SENTENCE_CHARS
            and _HAS_ALNUM.search(stripped) is None
        ):
            self.glued_end = end
            return
        if self.glued_end >= 0:
            self.flush_glued()
        if len(stripped) <= MAX_SENTENCE_CHARS:
            sentences.append(Sentence(stripped, start, end, self.paragraph))
            return
        for piece_start, piece_end in _pieces(text, start, end):
            sentences.append(
                Sentence(text[piece_start:piece_end], piece_start, piece_end, self.paragraph)
            )

    def newline(self) -> None:
        """Close the current line (its last segment already emitted)."""
        self.flush_glued()
        if len(self.sentences) > self.line_first:
            self.paragraph += 1
        self.line_first = len(self.sentences)


def split_sentences(text: str) -> list[Sentence]:
    """Split ``text`` into sentences with offsets into ``text``; see the module doc for rules."""
    splitter = _Splitter(text)
    if byte_scan.use_bytes(text):
        data = text.encode("ascii")
        pos: i64 = 0
        while True:
            start, end, close, char_start, char_end = _search_event_bytes(data, pos)
            if start < 0:
                break
            splitter.event(start, end, close, char_start, char_end)
            pos = end
    else:
        for match in _EVENTS.finditer(text):
            # Read group by group, and no group of a newline: each read is a method call
            # (measured: reading all five for every event made the split about 2% slower).
            char_start = match.start(_CHAR)
            if char_start < 0:  # a newline
                splitter.event(match.start(), match.end(), -1, -1, -1)
            else:
                splitter.event(
                    match.start(), match.end(), match.start(_CLOSE), char_start, match.end(_CHAR)
                )
    splitter.emit(splitter.seg_start, len(text))
    splitter.flush_glued()
    return splitter.sentences


def _pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut the trimmed span ``text[start:end]`` into spans of at most MAX_SENTENCE_CHARS.

    Each cut falls on the last space or tab of the window, else at the limit; the
    pieces are trimmed again, so none starts or ends with whitespace.
    """
    spans = []
    while end - start > MAX_SENTENCE_CHARS:
        limit = start + MAX_SENTENCE_CHARS
        # A blank at `limit` itself ends a full-length piece.
        cut = max(text.rfind(" ", start + 1, limit + 1), text.rfind("\t", start + 1, limit + 1))
        if cut < 0:
            cut = limit
        piece = text[start:cut].rstrip()
        spans.append((start, start + len(piece)))
        after = _NON_BLANK.search(text, cut, end)
        start = after.start() if after is not None else end
    spans.append((start, end))
    return spans
