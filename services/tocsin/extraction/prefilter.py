"""Find the sentences worth a finder's time with one scan of the whole article.

Most sentences carry no event. Scanning the whole lower-cased text once for
trigger words, and mapping the hits to sentences, costs one regex pass in C;
searching every sentence on its own pays Python call overhead per sentence,
which dominated the casualty and curfew finders on long articles.

The triggers of all finders are looked for in ONE pass (``trigger_hits``): the
regex engine's cost is mostly per character scanned, not per word looked for, so
a pass over the union costs about what one finder's pass did (about 23 against
4 x 20 microseconds per KB on the bench corpus). The union finds exactly what a pass per
finder would: where one finder's trigger holds another's, the hits inside are
listed with it (``_expansions``), and lexicons where that cannot work are rejected
when the module loads.

On ASCII text the compiled core does that pass with a byte-level automaton built from
the same entries (``trigger_spans``) instead of the regex: it finds the same spans in
about a quarter of the time, without a match object per hit (see ``byte_scan``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Final, Literal, Protocol

from tocsin.extraction import byte_scan
from tocsin.extraction.lexicon import (
    CASUALTY_TRIGGERS,
    CURFEW_PHRASES,
    DEPLOYMENT_VERBS,
    SPEECH_VERBS,
)
from tocsin.extraction.sentences import Sentence

if TYPE_CHECKING:
    # For mypy and mypyc only (a C int64 once compiled): annotations are never evaluated,
    # so the installed package does not need mypy_extensions at run time.
    from mypy_extensions import i64

Hit = tuple[int, str]
"""A match: its offset in the sentence and the matched (lower-case) text."""


class Scannable(Protocol):
    """What a scan reads of a document (``document.Document`` has it)."""

    text: str
    lower: str  # ``text`` lower-cased
    sentences: list[Sentence]


TriggerKind = Literal["casualty", "curfew", "deployment", "speech"]

TRIGGERS: Final[Mapping[TriggerKind, frozenset[str]]] = {
    "casualty": frozenset(CASUALTY_TRIGGERS),
    "curfew": frozenset(CURFEW_PHRASES),
    "deployment": frozenset(DEPLOYMENT_VERBS),
    # Reported speech needs a speech verb as a whole word, or "quoted X as saying".
    "speech": SPEECH_VERBS | {"saying"},
}
"""The words (lower case, matched whole) without which a finder has nothing to read."""


def word_pattern(words: Iterable[str]) -> re.Pattern[str]:
    """A regex matching any of ``words`` (lower case) as whole words, the longest first.

    The words are compiled as a trie: the engine rejects a position by its first
    character instead of trying every alternative there (about 1.6 times faster
    than a flat alternation on news text).
    """
    return re.compile(r"\b" + trie_alternation(words) + r"\b")


def trie_alternation(words: Iterable[str]) -> str:
    """A regex (no groups) matching any of ``words``, tried in the same order as an
    alternation of them sorted longest first: at each position, the words that match
    form a chain of prefixes, and both try the longest of them first, then the next
    shorter one on backtracking. So it can replace such an alternation without changing
    any match, and rejects a position by its first character.
    """
    root: dict[str, Any] = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}  # a word ends here
    return _emit(root)


def _emit(node: dict[str, Any]) -> str:
    # Longer continuations are tried before the word that ends here, so "curfews"
    # wins over "curfew" and the trailing \b never has to backtrack into the trie.
    alternatives = [re.escape(ch) + _emit(node[ch]) for ch in sorted(k for k in node if k)]
    if not alternatives:
        return ""
    body = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
    return f"(?:{body})?" if "" in node else body


def scan(
    text: str, lower: str, sentences: list[Sentence], pattern: re.Pattern[str]
) -> dict[int, list[Hit]]:
    """Matches of ``pattern`` in ``lower`` (``text`` lower-cased), grouped by sentence index.

    A match that straddles two sentences belongs to neither: no trigger phrase
    crosses a sentence boundary.
    """
    if len(lower) != len(text):
        # A few characters grow when lower-cased ("İ"); offsets would drift for the
        # rest of the text, so scan each sentence on its own, where a drift stays put.
        return _per_sentence(sentences, pattern)
    return _by_sentence(lower, sentences, (m.span() for m in pattern.finditer(lower)))


def _by_sentence(
    lower: str, sentences: list[Sentence], spans: Iterable[tuple[int, int]]
) -> dict[int, list[Hit]]:
    """Matches given by their spans in ``lower``, in order, grouped by sentence index."""
    hits: dict[int, list[Hit]] = {}
    k = 0
    for start, end in spans:
        while k < len(sentences) and sentences[k].end <= start:
            k += 1
        if k == len(sentences):
            break
        s = sentences[k]
        if s.start <= start and end <= s.end:
            hits.setdefault(k, []).append((start - s.start, lower[start:end]))
    return hits


def _per_sentence(sentences: list[Sentence], pattern: re.Pattern[str]) -> dict[int, list[Hit]]:
    hits: dict[int, list[Hit]] = {}
    for index, sentence in enumerate(sentences):
        found = [(m.start(), m.group()) for m in pattern.finditer(sentence.text.lower())]
        if found:
            hits[index] = found
    return hits


def ascii_twin(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """``pattern`` compiled with ``re.ASCII``: on ASCII text only, it matches alike, faster.

    On ASCII characters, ``\\w``, ``\\W``, ``\\b`` and ``\\d`` (and letters under IGNORECASE)
    match the same either way, but ASCII mode tests them with a table look-up instead of
    the Unicode database: a third less time for the trigger scan of an ASCII article.
    ``str.isascii`` is a flag test, so choosing the twin costs nothing. ``\\s`` is not
    alike (Unicode mode also counts \\x1c-\\x1f as blanks), so a pattern with it is refused.
    """
    if "\\s" in pattern.pattern or "\\S" in pattern.pattern:
        raise ValueError(f"\\s differs in ASCII mode: {pattern.pattern!r}")
    return re.compile(pattern.pattern, (pattern.flags & ~re.UNICODE) | re.ASCII)


# Trigger entries: words of letters and digits joined by single spaces or hyphens. With
# no terminator or line break in them, no match can cross a sentence boundary.
_ENTRY: Final = re.compile(r"[^\W_]+(?:[ -][^\W_]+)*")


def _expansions(
    triggers: Mapping[TriggerKind, frozenset[str]],
) -> dict[str, tuple[tuple[int, str, TriggerKind], ...]]:
    """For each entry: the hits, by kind, that a match of it in a shared scan stands for.

    A shared scan takes the longest entry at each position and never looks inside a
    match. An entry of one kind may hold entries of other kinds ("states of emergency",
    a curfew phrase, holds "states", a speech verb): the hits each kind's own scan would
    find inside the match are listed with it, offsets relative to the match. What a
    shared scan cannot reproduce is an entry that starts inside another of a different
    kind and runs past its end; a ValueError rejects such lexicons.
    """
    patterns = {kind: word_pattern(words) for kind, words in triggers.items()}
    by_first: dict[str, list[tuple[str, TriggerKind]]] = {}
    for kind, words in triggers.items():
        for word in words:
            if not _ENTRY.fullmatch(word):
                raise ValueError(f"trigger {word!r} is not words joined by spaces or hyphens")
            by_first.setdefault(word[0], []).append((word, kind))
    expansions: dict[str, tuple[tuple[int, str, TriggerKind], ...]] = {}
    for word in {w for words in triggers.values() for w in words}:
        kinds = [kind for kind, words in triggers.items() if word in words]
        for at in (m.start() for m in _WORD_STARTS.finditer(word, 1)):
            rest = word[at:]
            for other, kind in by_first.get(rest[0], ()):
                if kind not in kinds and len(other) > len(rest) and other.startswith(rest):
                    raise ValueError(f"{kind} trigger {other!r} overlaps the end of {word!r}")
        hits = [(0, word, kind) for kind in kinds]
        for kind, pattern in patterns.items():
            if kind not in kinds:
                hits.extend((m.start(), m.group(), kind) for m in pattern.finditer(word))
        expansions[word] = tuple(sorted(hits, key=lambda hit: hit[0]))
    return expansions


_WORD_STARTS: Final = re.compile(r"\b\w")
_EXPANSIONS: Final = _expansions(TRIGGERS)
_ALL_TRIGGERS: Final = word_pattern(_EXPANSIONS)
# The same trie after one non-word character instead of after ``\b``, for a text with a
# space put in front. The engine skips in C to the next non-word character and tries
# the trie only there; a leading ``\b`` gives it no such fast scan (23 against 29
# microseconds per KB). A match's word is the match without its first character.
_PADDED_TRIGGERS: Final = re.compile(r"\W" + _ALL_TRIGGERS.pattern.removeprefix(r"\b"))
_PADDED_TRIGGERS_ASCII: Final = ascii_twin(_PADDED_TRIGGERS)
# The same entries as a byte automaton, for trigger_spans.
_AUTOMATON: Final = byte_scan.trie_automaton(sorted(_EXPANSIONS))
_NEXT: Final = _AUTOMATON[0]
_FINAL: Final = _AUTOMATON[1]


def trigger_spans(data: bytes) -> list[tuple[int, int]]:
    """The spans of the trigger entries in ``data``, ASCII text (lower-cased), in order.

    The byte-level twin of ``_regex_trigger_spans`` (``_PADDED_TRIGGERS_ASCII``: a non-word
    character, then the trie of the entries, then ``\\b``), built from the same entries,
    which finds the same spans on every ASCII text (upper-case letters included: no entry
    holds one). Like the regex, it tries the places where a word starts from left to
    right, takes at each the longest entry that ends at a word boundary, and resumes
    after it (matches never overlap); a place where none does yields nothing:

    - An entry starts only where a word starts: at the start of the text or after a
      byte regex ``\\W`` matches. So "_killed", "2killed" and "unkilled" hold none
      (``_`` and digits are word characters, as in ``byte_scan.WORD``).
    - An entry ends only at ``\\b``: every entry ends in a letter or digit, so the byte
      after it must be a non-word byte, or the text must end there. "killed_" and
      "killed2" do not match "killed".
    - At one start, the entries that spell the text ahead form a chain of prefixes
      ("curfew", "curfews"; "states", "states of emergency"). The trie regex tries the
      longest of them first and falls back to shorter ones when ``\\b`` fails after it;
      the walk reads on while the automaton lives and keeps the last (so the longest)
      entry end it met at a boundary: the same choice, without backtracking. Entries
      with a space or a hyphen ("state of siege", "stay-at-home order") are walked
      through their inner non-word bytes like any other.
    - After a match the regex goes on from its end, where a non-word byte or the end
      of the text stands; a failed start goes on after its word, since no entry starts
      inside a word.
    """
    table = _NEXT
    final = _FINAL
    word = byte_scan.WORD
    spans: list[tuple[int, int]] = []
    n: i64 = len(data)
    i: i64 = 0
    # At the top of the loop, i is 0 or data[i - 1] is a non-word byte.
    while i < n:
        if not word[data[i]]:
            i += 1
            continue
        # A word starts at i: walk the automaton from the root as far as the text allows.
        state: i64 = table[data[i]]
        j: i64 = i + 1
        end: i64 = -1
        while state:
            if final[state] and (j == n or not word[data[j]]):
                end = j  # an entry ends here at a word boundary; a longer one may follow
            if j == n:
                break
            state = table[state * 128 + data[j]]
            j += 1
        if end >= 0:
            spans.append((i, end))
            i = end  # data[end] is a non-word byte (or the end): the loop skips it
        else:
            i += 1
            while i < n and word[data[i]]:
                i += 1
    return spans


def _regex_trigger_spans(lower: str) -> Iterator[tuple[int, int]]:
    """The spans of the trigger entries in ``lower``, by regex (the definition)."""
    # In " " + lower, a match at i covers lower[i : end - 1] (see _PADDED_TRIGGERS).
    padded = _PADDED_TRIGGERS_ASCII if lower.isascii() else _PADDED_TRIGGERS
    return ((m.start(), m.end() - 1) for m in padded.finditer(" " + lower))


def trigger_hits(
    text: str, lower: str, sentences: list[Sentence]
) -> dict[TriggerKind, dict[int, list[Hit]]]:
    """The hits of every kind of trigger, by kind and sentence index, from one scan.

    The same as one ``scan`` per kind with ``word_pattern(TRIGGERS[kind])``.
    """
    if len(lower) == len(text):
        # The scan reads ``lower``: where it is ASCII, the automaton stands in for the regex.
        spans: Iterable[tuple[int, int]]
        if byte_scan.use_bytes(lower):
            spans = trigger_spans(lower.encode("ascii"))
        else:
            spans = _regex_trigger_spans(lower)
        found = _by_sentence(lower, sentences, spans)
    else:
        found = _per_sentence(sentences, _ALL_TRIGGERS)
    by_kind: dict[TriggerKind, dict[int, list[Hit]]] = {kind: {} for kind in TRIGGERS}
    for index, hits in found.items():
        for offset, entry in hits:
            for at, word, kind in _EXPANSIONS[entry]:
                by_kind[kind].setdefault(index, []).append((offset + at, word))
    return by_kind


def sentence_hits(doc: Scannable, pattern: re.Pattern[str]) -> dict[int, list[Hit]]:
    """Matches of ``pattern`` in a document, grouped by sentence index (see ``scan``)."""
    return scan(doc.text, doc.lower, doc.sentences, pattern)
