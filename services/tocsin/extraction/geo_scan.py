"""The place scanner: finds the names of a gazetteer table in text.

How a text is scanned
---------------------
One precompiled regex finds *runs* of capitalised words, which may be joined by
lower-case particles ("Democratic Republic of the Congo", "Dar es Salaam",
"Côte d’Ivoire"). Inside a run the longest word sequence that is a known name
wins, found by dict look-ups (never a regex alternation of 30,000 names).
Consequences worth knowing:

- Lower-case words never match, and all-caps words match only as the acronyms
  in ``geo_data.ACRONYMS`` ("US", "UK", "DRC"); alpha-3 codes in prose do not.
- A possessive resolves without its suffix: the mention for "Kazakhstan’s" covers
  "Kazakhstan". A hyphenated word that is not a name itself resolves by its
  parts: "Russian-led" gives the demonym "Russian", "Russia-Ukraine" gives two.
- Cities come from geonames: those of at least ``min_city_population`` people
  plus capitals, minus ``geo_data.CITY_STOPWORDS``; a name shared by several
  cities goes to the most populous. A country name or demonym always beats a
  city of the same spelling ("Georgia", "Armenia", "Panama").
- A one-word city name, and a country that doubles as a given name ("Jordan",
  "Chad"), counts only when no other capitalised word stands right next to it:
  "in Paris" matches, "Paris Hilton" and "Milan Kundera" do not. Such names are
  weak evidence and often surnames; multi-word names and demonyms are exempt.
- Historic and regional words name no country ("Soviet", "Central Asia",
  "Eastern Europe"); nor do US states, except the few in ``geo_data`` that would
  otherwise be misread ("New Mexico"). A US "Georgia" resolves to GE.
- Kosovo has no ISO 3166-1 code, so its names and cities resolve to nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Final, Literal

from tocsin.extraction import geo_data
from tocsin.extraction.byte_scan import WORD, use_bytes
from tocsin.extraction.prefilter import ascii_twin
from tocsin.extraction.records import Record

if TYPE_CHECKING:
    # For mypy and mypyc only (a C int64 once compiled): the run-time package has no
    # mypy_extensions (tests/extraction/test_compiled.py checks it loads without).
    from mypy_extensions import i64

PlaceKind = Literal["country", "demonym", "city"]


# Records of the core (see records.Record: why not named tuples).
class PlaceMention(Record):
    """One place named in a text."""

    __slots__ = ("country", "end", "kind", "name", "start")

    def __init__(self, country: str, name: str, start: int, end: int, kind: PlaceKind) -> None:
        self.country: Final = country  # ISO 3166-1 alpha-2, upper case
        self.name: Final = name  # as written in the text
        self.start: Final = start  # text[start:end] == name
        self.end: Final = end
        self.kind: Final = kind

    def _values(self) -> tuple[str, str, int, int, PlaceKind]:
        return (self.country, self.name, self.start, self.end, self.kind)


class PlaceEntry(Record):
    """What one name in the table stands for."""

    __slots__ = ("country", "kind", "name_like")

    def __init__(self, country: str | None, kind: PlaceKind, name_like: bool = False) -> None:
        # None marks a phrase that names no single country ("Latin America"): it is
        # matched so that the shorter name inside it is not.
        self.country: Final = country
        self.kind: Final = kind
        # Also a common given name or surname: counts only away from other capitalised words.
        self.name_like: Final = name_like

    def _values(self) -> tuple[str | None, PlaceKind, bool]:
        return (self.country, self.kind, self.name_like)


# --- The scanner's grammar --------------------------------------------------


def _capitals_class() -> str:
    # Latin capitals only (English news writes foreign names in Latin script);
    # a plain character class keeps the regex engine's fast first-character scan.
    blocks = (range(0x41, 0x5B), range(0xC0, 0x250), range(0x1E00, 0x1F00))
    return "[" + re.escape("".join(ch for b in blocks for ch in map(chr, b) if ch.isupper())) + "]"


_UP: Final = _capitals_class()
# A word: "Kazakhstan", "Nur-Sultan", "N'Djamena", "Covid-19"; an apostrophe
# followed by a lone "s" is a possessive and stays outside the word.
_WORD_TAIL: Final = r"\w*+(?:[-'’](?!s\b)\w++)*+"
# The rest of a token after its capital: "U.S." and "U.K." as one token, and
# "St." so that "St. Petersburg" holds together.
_TOKEN_REST: Final = rf"(?:(?:\.{_UP})+\.|{_WORD_TAIL}(?:(?<=\bSt|\bMt|\bFt)\.)?)"
_TOKEN: Final = _UP + _TOKEN_REST
_POSSESSIVE: Final = r"(?:['’]s\b|(?<=s)['’](?!\w))"
# Lower-case particles that may sit inside a name, and the Arabic article and
# elided French "d’" that may start a word inside one ("Deir ez-Zor").
_PARTICLE: Final = r"(?:of|the|and|de|del|da|do|dos|das|du|des|la|le|el|al|es|upon)"
_PREFIXED: Final = rf"(?:(?:al|el|an|ad|ar|as|ash|at|az|ed|en|er|es|ez)-|[dl]['’]){_UP}{_WORD_TAIL}"
# Words in a run are separated by exactly one space, so a run split on " "
# gives back the words and their offsets, and a slice of it is a lookup key.
# The run must not start inside a word ("iPhone"); that check sits after the
# first capital because a leading look-behind would cost the regex engine its
# fast scan for the first character (about half of find()'s time).
#
# The repetitions are possessive: nothing after them can fail, so giving characters
# back could never change a match, and without it the engine keeps no backtracking
# state per word (a megabyte-long run of names took 140 bytes of memory per character).
_ELEMENT: Final = rf"(?:{_PREFIXED}|{_TOKEN}){_POSSESSIVE}?"
RUN: Final = re.compile(
    rf"{_UP}(?<!\w.){_TOKEN_REST}{_POSSESSIVE}?(?: (?:{_PARTICLE} )*+{_ELEMENT})*+"
)
# For ASCII text: the same matches, \w tested by a table look-up (see ascii_twin).
# The compiled core finds them with the byte scanner below instead (next_run, run_end).
_RUN_ASCII: Final = ascii_twin(RUN)


# --- The same runs, found by a byte loop (compiled core, ASCII text) ---------
#
# On ASCII text ``_UP`` is [A-Z], ``\w`` is a WORD byte, the curly apostrophe never
# occurs, and ``\b`` is a change between a WORD byte and another byte or an end of
# the text. Each helper below mirrors one piece of RUN: given the offset where the
# piece would start, it returns where the regex ends it, or -1 where it fails.
#
# Why one forward decision per piece is enough. Every repetition in RUN is
# possessive: it takes as many iterations as it can and never gives one back, and
# an iteration that fails halfway is dropped whole. What still backtracks is the
# ``+`` of "U.S." (handled in _token_rest), the alternations and the ``?``s. The
# pieces that follow an alternation or a ``?`` (the optional dot and possessive,
# the next iteration of a repetition) can all match nothing, so the first way the
# regex finds to match a piece is the one it keeps: no later failure ever sends it
# back. The word alternations of _PARTICLE and _PREFIXED are followed by a space or
# a hyphen, and at most one of their words can be (see _particle).

_SPACE: Final = 0x20  # the one separator between the words of a run
_APOSTROPHE: Final = 0x27
_HYPHEN: Final = 0x2D
_DOT: Final = 0x2E
_CAPITAL_A: Final = 0x41
_CAPITAL_Z: Final = 0x5A
_LOWER_A: Final = 0x61
_LOWER_Z: Final = 0x7A
_LOWER_S: Final = 0x73
_LOWER_T: Final = 0x74

# The words of _PARTICLE and _PREFIXED (a test checks that they agree).
_PARTICLE_WORDS: Final = frozenset(
    b"of the and de del da do dos das du des la le el al es upon".split()
)
_PREFIX_WORDS: Final = frozenset(b"al el an ad ar as ash at az ed en er es ez".split())


def _word_tail(data: bytes, n: i64, i: i64) -> i64:
    """``_WORD_TAIL`` from ``i``: its end (it may match nothing, never fails)."""
    j = i
    while j < n and WORD[data[j]]:  # \w*+
        j += 1
    # (?:[-'](?!s\b)\w++)*+ : an iteration that cannot finish ends the repetition
    # before its hyphen or apostrophe. The look-ahead keeps a possessive "'s" (and
    # "-s") out of the word, so that _POSSESSIVE can take it; "'sh", "-se" go on.
    while j + 1 < n:
        c = data[j]
        if c not in (_HYPHEN, _APOSTROPHE):
            break
        after = data[j + 1]
        if not WORD[after]:
            break
        if after == _LOWER_S and (j + 2 == n or not WORD[data[j + 2]]):
            break
        j += 2
        while j < n and WORD[data[j]]:
            j += 1
    return j


def _token_rest(data: bytes, n: i64, i: i64) -> i64:
    """``_TOKEN_REST`` from ``i``, just after a capital: its end (never fails)."""
    # First alternative, (?:\.[A-Z])+\. ("U.S.", "U.N.", "U.S.A."). Its ``+`` is greedy
    # but not possessive: after the most pairs it can take it needs a dot, and without
    # one it gives back the last pair, whose dot then ends the token ("U.S.A" gives
    # "U.S.", and the "A" may start a run of its own). With a single pair and no dot
    # after it ("U.N"), the alternative fails.
    k = i
    while k + 1 < n and data[k] == _DOT and _CAPITAL_A <= data[k + 1] <= _CAPITAL_Z:
        k += 2
    if k > i:
        if k < n and data[k] == _DOT:
            return k + 1
        if k - i >= 4:
            return k - 1
    # Second alternative, which always matches: a word tail, then a dot only where the
    # look-behind (?<=\bSt|\bMt|\bFt) holds. It reads the text before the dot, not the
    # token: "Fort-St." takes its dot too ("-" makes the \b), "Ost." does not.
    j = _word_tail(data, n, i)
    if (
        j < n
        and data[j] == _DOT
        and j >= 2
        and data[j - 1] == _LOWER_T
        and data[j - 2] in (0x53, 0x4D, 0x46)  # S, M, F
        and (j == 2 or not WORD[data[j - 3]])
    ):
        return j + 1
    return j


def _possessive(data: bytes, n: i64, i: i64) -> i64:
    """``_POSSESSIVE`` at ``i``: its end, or -1."""
    if i < n and data[i] == _APOSTROPHE:
        # 's\b is tried first: "Texas's" ends after the s, not after the apostrophe.
        if i + 1 < n and data[i + 1] == _LOWER_S and (i + 2 == n or not WORD[data[i + 2]]):
            return i + 2
        # (?<=s)'(?!\w): "protesters'". The s before may be outside the run.
        if i > 0 and data[i - 1] == _LOWER_S and (i + 1 == n or not WORD[data[i + 1]]):
            return i + 1
    return -1


def _particle(data: bytes, n: i64, i: i64) -> i64:
    """``_PARTICLE`` and the space after it, at ``i``: their end, or -1."""
    # Particles are lower-case letters, so the only one that can have a space right
    # after it is the whole stretch of lower-case letters at ``i``: the alternation
    # may try "de" before "del", but only one of them is followed by the space.
    j = i
    while j < n and _LOWER_A <= data[j] <= _LOWER_Z:
        j += 1
    if j == n or data[j] != _SPACE or j - i < 2 or j - i > 4:
        return -1
    return j + 1 if data[i:j] in _PARTICLE_WORDS else -1


def _prefixed(data: bytes, n: i64, i: i64) -> i64:
    """``_PREFIXED`` at ``i`` ("al-Raqqa", "d'Ivoire"): its end, or -1."""
    # As in _particle: the prefix before the hyphen is the whole lower-case stretch.
    j = i
    while j < n and _LOWER_A <= data[j] <= _LOWER_Z:
        j += 1
    if j == n:
        return -1
    hyphenated = data[j] == _HYPHEN and 2 <= j - i <= 3 and data[i:j] in _PREFIX_WORDS
    elided = data[j] == _APOSTROPHE and j == i + 1 and data[i] in (0x64, 0x6C)  # d' l'
    if not (hyphenated or elided):
        return -1
    j += 1
    if j < n and _CAPITAL_A <= data[j] <= _CAPITAL_Z:
        return _word_tail(data, n, j + 1)
    return -1


def _element(data: bytes, n: i64, i: i64) -> i64:
    """``_ELEMENT`` at ``i``: its end, or -1."""
    # The prefixed form is tried first, and kept where it matches.
    end = _prefixed(data, n, i)
    if end < 0:
        if i == n or not _CAPITAL_A <= data[i] <= _CAPITAL_Z:
            return -1
        end = _token_rest(data, n, i + 1)
    possessive = _possessive(data, n, end)  # _POSSESSIVE?: taken where it matches
    return possessive if possessive >= 0 else end


def next_run(data: bytes, i: i64) -> i64:
    """Where RUN's next match in ASCII ``data`` starts, searching from ``i``; -1 if none."""
    n: i64 = len(data)
    # A run starts at a capital with no word byte before it: that is the look-behind
    # (?<!\w.) after RUN's first capital, whose "." is the capital itself. It reads
    # the text before ``i`` too: a search resumes where the last run ended, and
    # "U.S.A" gives the runs "U.S." and "A".
    while i < n:
        c = data[i]
        if _CAPITAL_A <= c <= _CAPITAL_Z and (i == 0 or not WORD[data[i - 1]]):
            return i
        i += 1
    return -1


def run_end(data: bytes, start: i64) -> i64:
    """Where RUN's match at ``start`` (as given by ``next_run``) ends in ASCII ``data``."""
    n: i64 = len(data)
    end = _token_rest(data, n, start + 1)
    possessive = _possessive(data, n, end)  # _POSSESSIVE?
    if possessive >= 0:
        end = possessive
    # (?: (?:PARTICLE )*+ELEMENT)*+ : an iteration is a space, all the particles there
    # are (possessive, but no element can start with a particle and a space anyway),
    # then an element. An iteration that cannot finish is dropped whole, its space and
    # particles with it, and the run ends before it.
    while end < n and data[end] == _SPACE:
        i = end + 1
        after = _particle(data, n, i)
        while after >= 0:
            i = after
            after = _particle(data, n, i)
        after = _element(data, n, i)
        if after < 0:
            break
        end = after
    return end


def run_spans(data: bytes) -> list[int]:
    """RUN's matches in ASCII ``data``: ``[start, end, start, end, ...]``, in order.

    The same spans as ``_RUN_ASCII.finditer`` on the text, found by ``next_run`` and
    ``run_end``, which ``Gazetteer.find`` calls directly in the compiled core.
    """
    spans: list[int] = []
    start = next_run(data, 0)
    while start >= 0:
        end = run_end(data, start)
        spans += (start, end)
        start = next_run(data, end)
    return spans


def _strip_possessive(word: str) -> str:
    if word.endswith(("'s", "’s")):
        return word[:-2]
    if word.endswith(("'", "’")):
        return word[:-1]
    return word


def _is_shouting(words: list[str]) -> bool:
    # An all-caps headline ("LET US PRAY"): its "US" is a word, not the country.
    capitalised = [w for w in words if w[0].isupper()]
    return len(capitalised) >= 3 and all(w.isupper() for w in capitalised)


class Gazetteer:
    """A read-only table of place names and the scanner that finds them in text."""

    __slots__ = ("_codes", "_first", "_folded", "_names")

    def __init__(self, names: Mapping[str, PlaceEntry], codes: Mapping[str, str]) -> None:
        """Index ``names`` (exact spellings) and ``codes`` (ISO alpha-2/alpha-3 -> alpha-2)."""
        self._names: dict[str, PlaceEntry] = dict(names)
        self._codes: dict[str, str] = {code.upper(): a2 for code, a2 in codes.items()}
        # Longest name, in words, starting with each word: a run is only searched
        # for names whose first word is known, and no longer than needed.
        self._first: dict[str, int] = {}
        self._folded: dict[str, PlaceEntry] = {}
        for name, entry in self._names.items():
            words = name.split(" ")
            if len(words) > self._first.get(words[0], 0):
                self._first[words[0]] = len(words)
            self._folded.setdefault(name.casefold(), entry)

    def __len__(self) -> int:
        """Number of distinct spellings in the table."""
        return len(self._names)

    def find(self, text: str) -> list[PlaceMention]:
        """All place mentions in ``text``: sorted, non-overlapping, longest match first."""
        found: list[PlaceMention] = []
        if use_bytes(text):
            # The byte scanner: the same runs as _RUN_ASCII, about five times faster.
            data = text.encode("ascii")
            start = next_run(data, 0)
            while start >= 0:
                end = run_end(data, start)
                self._take(text[start:end], start, found)
                start = next_run(data, end)
        else:
            names = self._names
            for match in (_RUN_ASCII if text.isascii() else RUN).finditer(text):
                run = match.group()
                # Most runs are a lone word that names nothing ("The", "Tokayev"), and
                # _take has nothing to do for them: skip them before paying for
                # match.start(), a method call.
                if " " in run or run in names or "'" in run or "’" in run or "-" in run:
                    self._take(run, match.start(), found)
        return found

    def _take(self, run: str, start: int, found: list[PlaceMention]) -> None:
        """Resolve one run found at ``start``.

        Does nothing for a lone word that is not in the table and has no apostrophe
        or hyphen (``find`` skips those on its regex path).
        """
        if " " in run:
            self._run(run, start, found)
            return
        # Most runs are one word ("The", "Tokayev", "Almaty"): a dict hit or two.
        entry = self._names.get(run)
        if entry is None:
            if "'" in run or "’" in run or "-" in run:  # cheaper than a call per word
                self._word(run, start, found)
        elif entry.country is not None:
            found.append(PlaceMention(entry.country, run, start, start + len(run), entry.kind))

    def country_of(self, name: str) -> str | None:
        """The alpha-2 code for one name, demonym, city or ISO code ("KZ", "KAZ"), or None."""
        name = name.strip()
        entry = self._names.get(name) or self._names.get(_strip_possessive(name))
        if entry is None:
            entry = self._folded.get(name.casefold())
        if entry is not None:
            return entry.country
        return self._codes.get(name.upper())

    def _word(self, word: str, start: int, found: list[PlaceMention]) -> None:
        """Resolve a lone word that is not itself a name: possessive, then hyphen parts."""
        base = _strip_possessive(word)
        entry = self._names.get(base) if base is not word else None
        if entry is not None:
            if entry.country is not None:
                found.append(
                    PlaceMention(entry.country, base, start, start + len(base), entry.kind)
                )
        elif "-" in word:
            self._hyphen_parts(word, start, found)

    def _hyphen_parts(self, word: str, start: int, found: list[PlaceMention]) -> None:
        # "Russian-led", "US-backed", "Russia-Ukraine": each capitalised part on its own.
        pos = start
        for part in word.split("-"):
            if part[:1].isupper():
                name = part
                entry = self._names.get(name)
                if entry is None:
                    name = _strip_possessive(part)
                    entry = self._names.get(name)
                if entry is not None and entry.country is not None:
                    found.append(
                        PlaceMention(entry.country, name, pos, pos + len(name), entry.kind)
                    )
            pos += len(part) + 1

    def _run(self, run: str, run_start: int, found: list[PlaceMention]) -> None:
        """Resolve a run of several words, taking the longest known name at each word."""
        words = run.split(" ")
        offsets: list[int] = []
        pos = 0
        for word in words:
            offsets.append(pos)
            pos += len(word) + 1
        shouting: bool | None = None  # worked out once per run, and only if an acronym matched
        first = 0
        while first < len(words):
            word = words[first]
            # Particles never start a name; nor does a word that starts no name
            # (a possessive "Russia's" may still be one, so it gets a look-up).
            longest = self._first.get(word, 0)
            if longest == 0 and ("'" in word or "’" in word):
                longest = 1
            entry, last, end = (
                self._longest(run, words, offsets, first, longest)
                if longest and word[0].isupper()
                else (None, first, 0)
            )
            if entry is None:
                if "-" in word:  # "Russian-led", and "al-Raqqa" after a particle
                    self._hyphen_parts(word, run_start + offsets[first], found)
                first += 1
                continue
            begin, first = first, last + 1
            if entry.country is None:
                continue  # a blocked phrase: consumed, not reported
            whole_word = end == offsets[last] + len(words[last])  # False after a possessive
            if entry.name_like and _beside_capital(words, begin, last, whole_word):
                continue
            if entry.kind == "country" and word.isupper():
                if shouting is None:
                    shouting = _is_shouting(words)
                if shouting:
                    continue
            start = offsets[begin]
            found.append(
                PlaceMention(
                    entry.country, run[start:end], run_start + start, run_start + end, entry.kind
                )
            )

    def _longest(
        self, run: str, words: list[str], offsets: list[int], first: int, longest: int
    ) -> tuple[PlaceEntry | None, int, int]:
        """The longest name starting at word ``first``: (entry, its last word, end offset)."""
        names = self._names
        start = offsets[first]
        for last in range(min(first + longest, len(words)) - 1, first - 1, -1):
            end = offsets[last] + len(words[last])
            entry = names.get(run[start:end])
            if entry is None:
                tail = words[last]
                base = _strip_possessive(tail)
                if base is tail:
                    continue
                end -= len(tail) - len(base)
                entry = names.get(run[start:end])
            if entry is not None:
                return entry, last, end
        return None, first, start


def _beside_capital(words: list[str], first: int, last: int, whole_word: bool) -> bool:
    """Whether a name-like match has a capitalised neighbour: likely part of a person's name."""
    if first > 0:
        before = words[first - 1]
        # "Michael Jordan", "President Bush"; but "In Jordan", "Syria's Idlib".
        if (
            before[0].isupper()
            and before not in geo_data.FUNCTION_WORDS
            and _strip_possessive(before) is before
        ):
            return True
    # A possessive ends the name, so what follows is not a surname ("Jordan's King").
    if whole_word and last + 1 < len(words):
        after = words[last + 1]
        # "Jordan Bardella", "Paris Hilton".
        return after[0].isupper() and after not in geo_data.FUNCTION_WORDS
    return False
