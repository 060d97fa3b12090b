"""Find the quantities in a sentence of crisis news: numbers, number words, vague amounts.

``find_quantities(text)`` returns every quantity in ``text`` in order, without
overlaps, each with exact character offsets, the conservative bounds it implies
and what it measures (``kind``). It is a pure function of its input.

How a quantity is read
======================
* Figures: ``18``, ``3,000``, ``12,500``, ``3.6 thousand``, ``1.2 million``,
  ``$5 million``, ``€3``, ``$2bn`` (``k``/``m``/``bn`` only after a currency sign),
  ``5%``, ``1990s`` (a year, 1990-1999); ranges ``5-10``, ``5–10``, ``1990-95``. Digit groups
  separated by spaces (``3 000``, ``+7 727 123 4567``) are ambiguous between a
  thousands separator, a phone number and a table, so they yield nothing, as do
  figures glued to letters or other digits (``Covid-19``, ``G20``, ``F-16``,
  ``MH17``, ``2m``), times (``10:30``, ``10 pm``), dates (``Jan. 19``),
  dotted versions (``1.2.3``, ``version 3.11``) and hyphen chains that are no
  plausible range (``555-1234``, a score ``3-1``, ``2020-01-05``).
* Number words: ``eighteen``, ``twenty-six``, ``two hundred and five``,
  ``a hundred``, ``a dozen``, ``half a dozen``, ``two and a half million``,
  ``a couple`` (only when ``of`` follows; ``of`` is not part of the text).
  ``one`` is a count (``one woman``) except in ``one of``, ``no one``/``no-one``,
  ``the one``, ``one another``, ``one by one`` and the like; ``anyone`` and
  ``someone`` never match. Fractions (``two-thirds``, ``one quarter``) yield nothing.
* Qualifiers belong to the text and set the bounds of a figure N (or a range):
  exact or approximate (``about``, ``some``, ``an estimated`` ...) -> (N, N);
  ``over``/``more than``/``at least``/``N or more``/``N+`` -> (N, None) (N, not
  N + 1: the low end stays the figure actually reported); ``N or so`` -> (N, N);
  ``nearly``/``almost``/``up to``/``as many as`` -> (None, N);
  ``fewer than``/``less than``/``under`` -> (None, N - 1);
  ``between 5 and 10``, ``5 to 10``, ``5-10``, ``5 or 6`` -> (5, 10), (5, 6).
  ``from 26 to 40`` is two figures, not a range: it reports a change as often as a span.
  A figure with a fraction gives whole-number bounds around it (``2.5`` -> (2, 3)).
* Vague words come from the one table :data:`VAGUE_QUANTITIES`; qualifiers do
  not attach to them (``at least dozens`` reads as ``dozens``), and a following
  ``more`` (``hundreds more``) is not part of the text.
* Ordinals (``ninth``, ``twenty-first``, ``1st``) are reported with kind
  ``"ordinal"`` so that ``ninth largest`` can never be mistaken for a count.

``kind`` is judged from the immediate context only, first match wins: percent
(``%``, ``percent``, ``per cent``), money (a currency sign, ``USD``, or a currency
word after the figure), age (``aged 23``, ``23-year-old``, ``23 years old``),
duration (``three decades``, ``10-day``), year (a four-digit 1800-2100 figure
without separators or bounding qualifier, unless a plural human noun follows and
no ``in``/``since``/``until`` ... precedes it: ``in 2019`` and ``the 2019 vote``
are years, ``2019 people`` is a count), otherwise count. A currency sign and a
glued ``%`` are part of the text; unit words are not.

Speed: one precompiled lexer regex finds candidate atoms at C speed; only
candidates (a few per sentence) get Python-level work, with short anchored
regexes on bounded context windows. No pattern nests unbounded repetitions over
the same characters, so matching is linear in the input length.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, Literal

from tocsin.extraction import byte_scan
from tocsin.extraction.prefilter import ascii_twin
from tocsin.extraction.records import Record

if TYPE_CHECKING:
    # For mypy and mypyc only (a C int64 once compiled): annotations are never evaluated,
    # so the installed package does not need mypy_extensions at run time.
    from mypy_extensions import i64

__all__ = ["VAGUE_QUANTITIES", "Quantity", "QuantityKind", "find_quantities"]

QuantityKind = Literal["count", "year", "age", "money", "percent", "duration", "ordinal"]


# A record of the core (see records.Record: why not a named tuple).
class Quantity(Record):
    """One quantity found in a text, with the bounds it implies and where it was written."""

    __slots__ = ("end", "high", "kind", "low", "start", "text", "vague")

    def __init__(
        self,
        low: int | None,
        high: int | None,
        text: str,
        start: int,
        end: int,
        kind: QuantityKind,
        vague: bool,
    ) -> None:
        self.low: Final = low  # conservative lower bound (None when unknown)
        self.high: Final = high  # upper bound (None when open-ended)
        # The words as written, including the qualifier: "over 3,000", "dozens".
        self.text: Final = text
        self.start: Final = start  # offset of text[0] in the input string
        self.end: Final = end  # offset just past the text (input[start:end] == text)
        self.kind: Final = kind  # what the number measures, from its immediate context
        self.vague: Final = vague  # True only for the vague words of VAGUE_QUANTITIES

    def _values(self) -> tuple[int | None, int | None, str, int, int, QuantityKind, bool]:
        return (self.low, self.high, self.text, self.start, self.end, self.kind, self.vague)


# The one table of vague quantity words -> (low, high).
#
# Low is the smallest amount a careful reader would accept the word for: a plural
# of a unit means at least two of them ("dozens" -> 24, "hundreds" -> 200,
# "tens of thousands" -> 20,000), "scores" at least two scores (40), "several"
# at least three, "a few" and "a handful" at least two, and "several"/"a few"
# before a unit multiply it ("several hundred" -> 300). Running totals take the
# conservative low end, so a low bound that is too small only under-reports.
# High is always None: writers choose these words precisely to avoid committing
# to a ceiling, and an invented ceiling could wrongly cap a total. Bare "few"
# is left out: it usually means "not many" ("few believe ...").
VAGUE_QUANTITIES: Final[Mapping[str, tuple[int, int | None]]] = MappingProxyType(
    {
        "a few": (2, None),
        "a handful": (2, None),
        "several": (3, None),
        "dozens": (24, None),
        "scores": (40, None),  # only before "of": "scores of people", not "test scores"
        "hundreds": (200, None),
        "thousands": (2_000, None),
        "tens of thousands": (20_000, None),
        "hundreds of thousands": (200_000, None),
        "millions": (2_000_000, None),
        "tens of millions": (20_000_000, None),
        "hundreds of millions": (200_000_000, None),
        "a few dozen": (24, None),
        "several dozen": (36, None),
        "a few hundred": (200, None),
        "several hundred": (300, None),
        "a few thousand": (2_000, None),
        "several thousand": (3_000, None),
        "a few hundred thousand": (200_000, None),
        "several hundred thousand": (300_000, None),
        "a few million": (2_000_000, None),
        "several million": (3_000_000, None),
    }
)

_UNITS: Final = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4,
    "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
}  # fmt: skip
_TEENS: Final = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS: Final = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_SCALES: Final = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_MULTIPLIERS: Final = {"dozen": 12, "hundred": 100, **_SCALES}  # words that may follow "a"
_ORDINAL_UNITS: Final = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5,
    "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9,
}  # fmt: skip
_ORDINALS: Final = {
    **_ORDINAL_UNITS,
    "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
    "twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50, "sixtieth": 60,
    "seventieth": 70, "eightieth": 80, "ninetieth": 90,
    "hundredth": 100, "thousandth": 1000, "millionth": 10**6,
}  # fmt: skip
_MONEY_SUFFIXES: Final = {
    "k": 10**3,
    "m": 10**6,
    "mn": 10**6,
    "bn": 10**9,
    "b": 10**9,
    "tn": 10**12,
}
_ORDINAL_SUFFIXES: Final = frozenset({"st", "nd", "rd", "th"})
_HUMAN_NOUNS: Final = (
    "people|persons|protesters|protestors|demonstrators|rioters|civilians|residents|"
    "inhabitants|citizens|soldiers|troops|servicemen|police|policemen|officers|"
    "personnel|members|fighters|militants|rebels|insurgents|gunmen|terrorists|"
    "criminals|bandits|men|women|children|kids|boys|girls|students|workers|refugees|"
    "migrants|victims|casualties|dead|deaths|bodies|prisoners|detainees|hostages|"
    "inmates|voters|supporters|participants|patients|passengers|staff|employees|"
    "individuals|families|journalists|activists|peacekeepers|paratroopers|guards|"
    "marines|volunteers|recruits|reservists|conscripts|pilgrims|mourners|officials|"
    "delegates|observers|evacuees|survivors|killed|injured|wounded|arrested|detained"
)

# Unicode whitespace, usable inside ASCII-scoped groups (non-breaking spaces included).
# Possessive: nothing that follows whitespace starts with whitespace, so giving back
# characters could never help a match, and a long blank run is scanned once.
# The characters of Unicode ``\s`` spelt out, so that ``prefilter.ascii_twin`` may take
# the lexer (ASCII mode's ``\s`` lacks \x1c-\x1f).
_WS: Final = (
    r"[\t\n\x0b\x0c\r\x1c-\x1f \x85\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]++"
)
_WS0: Final = _WS[:-2] + "*+"  # optional whitespace (note "{_WS}?" would misparse)
_DASH: Final = "[-\u2010\u2011\u2013]"  # hyphen, Unicode hyphens, en dash (not the em dash)
_CURRENCY_SIGNS: Final = "$€£¥₸₽₹"


def _alt(spec: str) -> str:
    """Return a regex alternation of the "|"-separated phrases, longest first, ASCII-cased."""
    ordered = sorted(set(spec.split("|")), key=lambda w: (-len(w), w))
    return "(?a:" + "|".join(_WS.join(map(re.escape, w.split())) for w in ordered) + ")"


_VAGUE_WORDS: Final = _alt("|".join(w for w in VAGUE_QUANTITIES if w != "scores"))
_MULTIPLIER_WORDS: Final = _alt("|".join(_MULTIPLIERS))
_SMALL: Final = {**_UNITS, **_TEENS, **_TENS}  # every cardinal word below a hundred
_SMALL_WORDS: Final = _alt("|".join(_SMALL))
_CARDINAL_WORDS: Final = _alt("|".join([*_SMALL, *_MULTIPLIERS]))
_DIGIT_RUN: Final = r"[0-9](?:[0-9,.:/]*[0-9])?"  # separators are validated afterwards
_DIGIT_GROUPS: Final = rf"{_DIGIT_RUN}(?:[ \u00a0\u2009\u202f]{_DIGIT_RUN})*"


def _trie(words: Iterable[str]) -> str:
    """Return a case-insensitive regex trie of ASCII words written with explicit classes.

    ``[sS]`` rather than the IGNORECASE flag lets the regex engine reject a branch by
    its first character class, which is what makes the lexer's prefilter fast.
    """
    root: dict[str, dict[str, Any]] = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, dict[str, Any]]) -> str:
        alts = [
            (f"[{ch}{ch.upper()}]" if ch.isalpha() else re.escape(ch)) + emit(node[ch])
            for ch in sorted(k for k in node if k)
        ]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(root)


# Every word a candidate atom can start with: checked first, so ordinary words cost
# one or two character-class tests.
_FIRST_WORD_SET: Final = frozenset(
    {"a", "an", "half", *(w.split()[0] for w in VAGUE_QUANTITIES), *_SMALL, *_ORDINALS}
)
_FIRST_WORDS: Final = _trie(_FIRST_WORD_SET)
_CANDIDATE_START: Final = (
    rf"(?-i:{_FIRST_WORDS}\b|[0-9{_CURRENCY_SIGNS}]|(?:[uU][sS]|[aAcCsS]|[hH][kK]|[nN][zZ])\$)"
)

# The last alternative of the lexer (below): a figure in digits. Only it can match where
# a digit or "$" stands (every other one starts with \b and a letter).
_DIGITS_ATOM: Final = rf"""(?P<digits>
        (?: (?P<cur>(?<![\w$])(?a:US|A|C|HK|NZ|S)?\$|(?<!\w)[€£¥₸₽₹])[ \u00a0]?
          | (?<![\w+\#@.{_CURRENCY_SIGNS}])(?<!\w[-\u2010\u2011\u2013/:,]) )
        (?P<num>{_DIGIT_GROUPS}(?:{_DASH}{_DIGIT_GROUPS})*)
        (?P<suf>(?a:[a-z]+)(?!\w))?
        (?:{_WS}(?P<scale>{_MULTIPLIER_WORDS})\b)?
      )"""

# The lexer: one pass over the text finds every candidate atom. Alternatives are tried
# in order at each position, so vague phrases ("a few hundred") win over "a hundred".
_ATOM_BODY: Final = rf"""
      (?P<vague>\b(?:{_VAGUE_WORDS}|(?a:scores)(?={_WS}(?a:of)\b))\b)
    | (?P<half>\b(?a:half){_WS}(?a:an?){_WS}{_MULTIPLIER_WORDS}\b)
    | (?P<couple>\b(?a:an?){_WS}(?a:couple)(?={_WS}(?a:of)\b))
    | (?P<cord>\b{_alt("|".join(_TENS))}(?:{_DASH}|{_WS}){_alt("|".join(_ORDINAL_UNITS))}\b)
    | (?P<words>
        \b(?:(?a:an?){_WS}{_MULTIPLIER_WORDS}|{_CARDINAL_WORDS})\b
        (?: (?:{_WS}|{_WS0}{_DASH}{_WS0}){_CARDINAL_WORDS}\b
          | {_WS}(?a:and){_WS}(?:{_SMALL_WORDS}|(?a:a){_WS}(?a:half))\b
        )*
      )
    | (?P<ord>\b{_alt("|".join(_ORDINALS))}\b)
    | {_DIGITS_ATOM}
"""
# Every atom follows a non-word character (or starts the text): scanning for one lets
# the regex engine skip word interiors in C.
_ATOM: Final = re.compile(rf"\W(?={_CANDIDATE_START})(?:{_ATOM_BODY})", re.IGNORECASE | re.VERBOSE)
_ATOM_AT_START: Final = re.compile(_ATOM_BODY, re.IGNORECASE | re.VERBOSE)
# For ASCII text: the same matches, \w and letter case tested by table look-ups.
_ATOM_ASCII: Final = ascii_twin(_ATOM)
_ATOM_AT_START_ASCII: Final = ascii_twin(_ATOM_AT_START)
# _ATOM without its leading \W: matched at p + 1, it makes the attempt _ATOM makes at p
# once text[p] is known to be a non-word character (see _atom_matches_bytes).
_ATOM_AFTER_ASCII: Final = ascii_twin(
    re.compile(rf"(?={_CANDIDATE_START})(?:{_ATOM_BODY})", re.IGNORECASE | re.VERBOSE)
)
# The lexer's last alternative alone: where a digit or "$" stands it matches what the
# whole lexer matches (the lookahead holds there, and no other alternative can match),
# without trying each of the word alternatives first (in less than half the time).
_DIGITS_ASCII: Final = ascii_twin(re.compile(_DIGITS_ATOM, re.IGNORECASE | re.VERBOSE))
_LETTERS: Final = re.compile(r"[A-Za-z]+")
_NUMBER_PARTS: Final = re.compile(r"[^-\u2010\u2011\u2013]+")
_NUMBER_SHAPE: Final = re.compile(
    r"(?P<int>[1-9][0-9]{0,2}(?:,[0-9]{3})+|[1-9][0-9]*|0)(?:\.(?P<frac>[0-9]+))?"
)


# Phrases recognised next to an atom, as regex alternations.
_MONTHS: Final = (
    "(?-i:January|February|March|April|May|June|July|August|September|October|November"
    "|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)"
)
_LOWER: Final = _alt(
    "over|more than|at least|upwards of|in excess of|no fewer than|no less than|"
    "not less than|a minimum of|just over|well over|above"
)
_UPPER: Final = _alt(
    "nearly|almost|close to|up to|as many as|as much as|no more than|not more than|"
    "at most|a maximum of"
)
_LESS: Final = _alt("fewer than|less than|under|just under|below")
_APPROX: Final = _alt(
    "about|around|approximately|approx.|roughly|some|an estimated|estimated|circa"
)
_YEAR_PREPS: Final = _alt("in|since|until|till|before|after|during|through|throughout")
_CURRENCY_CODES: Final = _alt("usd|eur|gbp|kzt|rub|cny|uah|byn")
_NOT_ONE_BEFORE: Final = _alt("no|any|every|each|the|this|that|which")
_CURRENCY_WORDS: Final = _alt(
    "dollar|dollars|euro|euros|tenge|ruble|rubles|rouble|roubles|yuan|renminbi|rupee|rupees|"
    "hryvnia|hryvnias|lira|liras|franc|francs|yen|pounds sterling|sterling|manat|lari|"
    "usd|eur|gbp|kzt|rub|cny|uah|byn"
)
_CURRENCY_ADJECTIVES: Final = _alt("us|u.s.|american|canadian|australian|hong kong")
_TIME_UNITS: Final = _alt(
    "year|years|decade|decades|century|centuries|month|months|week|weeks|fortnight|"
    "fortnights|day|days|night|nights|hour|hours|hr|hrs|minute|minutes|min|mins|second|"
    "seconds|sec|secs"
)
_TIME_UNIT_ADJECTIVES: Final = _alt(
    "more|long|full|straight|consecutive|whole|further|additional|successive"
)
_FRACTIONS: Final = _alt(
    "half|halves|third|thirds|quarter|quarters|fifth|fifths|sixth|sixths|seventh|sevenths|"
    "eighth|eighths|ninth|ninths|tenth|tenths"
)
_CLOCK: Final = _alt("o'clock|o’clock|gmt|utc|local time")
_NOT_ONE_FOLLOWERS: Final = _alt("of|another|who|whom|whose|that|which|by one|after another|on one")
_NOT_ONE_COMPOUNDS: Final = _alt("off|sided|time|way|party|stop|liner")

# What immediately precedes an atom, searched in a short window that ends at the atom.
_LEFT: Final = re.compile(
    rf"""
    (?<![\w-])
    (?: (?: (?P<lower>{_LOWER}) | (?P<upper>{_UPPER}) | (?P<less>{_LESS})
          | (?P<approx>{_APPROX}) | (?P<between>(?a:between)) | (?P<from>(?a:from))
          | (?P<aged>(?a:aged|ages|age)) | (?P<yearprep>{_YEAR_PREPS})
          | (?P<code>{_CURRENCY_CODES}) | (?P<notone>{_NOT_ONE_BEFORE})
          | (?P<version>(?a:version|release)) | (?P<month>{_MONTHS}\.?)
        ){_WS}
      | (?P<nohyphen>(?a:no)){_DASH}
    )\Z
    """,
    re.IGNORECASE | re.VERBOSE,
)
_LEFT_WINDOW: Final = 40  # longer than any phrase above

# What immediately follows an atom; each is matched at the atom's end.
_RANGE_GAP: Final = re.compile(
    rf"{_WS0}(?P<dash>{_DASH}){_WS0}|{_WS}(?:(?P<to>(?a:to))|(?P<or>(?a:or))|(?P<and>(?a:and))){_WS}",
    re.IGNORECASE,
)
_SUFFIX: Final = re.compile(
    rf"{_WS}(?a:or){_WS}(?:(?P<more>(?a:more))|(?P<so>(?a:so)))\b|(?P<plus>\+)(?![\w+])",
    re.IGNORECASE,
)
_PERCENT: Final = re.compile(
    rf"(?P<sign>[ \u00a0]?%)|{_WS}(?a:percent|per{_WS0}cent|pct|percentage{_WS}points?)\b",
    re.IGNORECASE,
)
_MONEY_AFTER: Final = re.compile(
    rf"(?:{_WS}(?a:of))?{_WS}(?:{_CURRENCY_ADJECTIVES}{_WS})?{_CURRENCY_WORDS}\b", re.IGNORECASE
)
_AGE_AFTER: Final = re.compile(
    rf"(?:{_DASH}|{_WS})(?a:years?|yrs?)(?:{_DASH}|{_WS})(?a:olds?)\b", re.IGNORECASE
)
_DURATION_AFTER: Final = re.compile(
    rf"(?:{_WS}(?a:of))?(?:{_WS}|{_DASH})(?:{_TIME_UNIT_ADJECTIVES}{_WS})?{_TIME_UNITS}\b",
    re.IGNORECASE,
)
_TIME_AFTER: Final = re.compile(rf"{_WS0}(?:(?a:[ap]\.?m)\b\.?|{_CLOCK})", re.IGNORECASE)
_MONTH_AFTER: Final = re.compile(rf"{_WS}{_MONTHS}\b")
_FRACTION_AFTER: Final = re.compile(rf"(?:{_DASH}|{_WS}){_FRACTIONS}\b", re.IGNORECASE)
_HUMAN_AFTER: Final = re.compile(
    rf"(?:{_WS}[\w-]{{1,30}})?{_WS}{_alt(_HUMAN_NOUNS)}\b", re.IGNORECASE
)
_NOT_ONE_AFTER: Final = re.compile(
    rf"{_WS}{_NOT_ONE_FOLLOWERS}\b|['’]s\b|{_DASH}{_NOT_ONE_COMPOUNDS}\b", re.IGNORECASE
)

_BOUND_TAGS: Final = frozenset({"lower", "upper", "less"})
_QUALIFIER_TAGS: Final = _BOUND_TAGS | {"approx"}


class _Atom:
    """A candidate found by the lexer, before its context is read.

    A plain class rather than a dataclass: compiled, its ``__init__`` is native code,
    where a dataclass's generated ``__init__`` runs as interpreted Python.
    """

    __slots__ = (
        "bare", "currency", "decade", "den", "end", "num", "start", "tag", "trailing", "year_ok"
    )  # fmt: skip

    def __init__(
        self,
        start: int,
        end: int,
        tag: Literal["num", "vague", "ordinal"],
        num: int,
        den: int = 1,
        trailing: int = 1,
        bare: bool = True,
        currency: bool = False,
        year_ok: bool = False,
        decade: bool = False,
    ) -> None:
        self.start = start
        self.end = end
        self.tag: Final = tag
        self.num: Final = num  # the value is num / den
        self.den: Final = den
        # The multiplier word that ends the figure: "3 thousand" -> 1000.
        self.trailing: Final = trailing
        self.bare: Final = bare  # no multiplier word at all, so a range may lend it one
        self.currency: Final = currency
        self.year_ok: Final = year_ok  # four plain digits within 1800-2100
        self.decade: Final = decade  # "1990s"


def _key(phrase: str) -> str:
    """Lower-case a matched phrase and collapse its whitespace, for table look-ups."""
    return " ".join(phrase.lower().split())


def _is_year(raw: str) -> bool:
    """Tell whether a digit string is four plain digits within 1800-2100."""
    return len(raw) == 4 and raw.isdigit() and 1800 <= int(raw) <= 2100


# The words an atom can start with: those of the lookahead, and the multipliers, which
# the body at the start of a text accepts too ("Hundreds", "A dozen", but "Thousand ...").
_FIRST_AUTOMATON: Final = byte_scan.trie_automaton(sorted(_FIRST_WORD_SET | set(_MULTIPLIERS)))
_FIRST_NEXT: Final = _FIRST_AUTOMATON[0]
_FIRST_FINAL: Final = _FIRST_AUTOMATON[1]
# ASCII letters folded to lower case, every other byte kept as it is.
_FOLD: Final = bytes(b | 0x20 if 0x41 <= b <= 0x5A else b for b in range(256))
_DOLLAR: Final = 0x24


def _opens_figure(byte: int) -> bool:
    """Whether a figure in digits can start at this byte: a digit or "$" (ASCII text)."""
    return 0x30 <= byte <= 0x39 or byte == _DOLLAR


def _may_start_atom(data: bytes, q: i64) -> bool:
    """Whether an atom might start at ``data[q]`` (ASCII text, q < len(data)).

    False means that neither ``_CANDIDATE_START`` nor the body of the lexer can match
    at q, so the lexer may skip q for good; True is a little generous:

    - a digit or ``$``: the figure alternative (the other currency signs are not ASCII);
    - a ``$`` one or two bytes on, after a word byte: covers the currency prefixes
      ``A$``, ``C$``, ``S$`` and ``US$``, ``HK$``, ``NZ$`` (and some pairs that are none);
    - a word of ``_FIRST_WORD_SET`` or a multiplier word, in any letter case, followed
      by ``\\b``. Every other alternative of the body starts with one of them, followed
      by ``\\b``, a blank or a dash, all non-word characters. Every such word is all
      letters, so it must fill the whole run of word bytes that starts at q: the run,
      folded to lower case, must be one of the words. (The lookahead's trie may back up
      to a shorter word, "tens" in "tenses", but that word ends inside the run, where
      ``\\b`` fails.)
    """
    n: i64 = len(data)
    byte = data[q]
    if _opens_figure(byte):
        return True
    word = byte_scan.WORD
    if not word[byte]:
        return False
    if q + 1 < n and data[q + 1] == _DOLLAR:
        return True
    if q + 2 < n and data[q + 2] == _DOLLAR and word[data[q + 1]]:
        return True
    table = _FIRST_NEXT
    fold = _FOLD
    state: i64 = table[fold[byte]]
    j: i64 = q + 1
    # Digits and "_" fold to themselves and lead nowhere in the trie (no word holds one).
    while state and j < n and word[data[j]]:
        state = table[state * 128 + fold[data[j]]]
        j += 1
    # A live state means the whole run was read: the text ends at j or a non-word byte does.
    return state != 0 and _FIRST_FINAL[state] == 1


def _atom_matches_bytes(text: str, data: bytes) -> list[re.Match[str]]:
    """The matches of ``_atom_matches_regex(text)`` on ASCII ``text`` (``data``: its bytes).

    The regexes stay the judges; the byte scan only spares them the places where they
    cannot match. ``_atom_matches_regex`` tries the body at 0, then ``_ATOM`` at each
    position p from the end of that match (or from 0): the attempt at p needs a non-word
    character at p, then the lookahead and the body at p + 1. After a match the next
    attempt is at its end (a match is never empty: it holds the ``\\W``), after a failure
    at p + 1. This loop makes the same attempts in the same order, but asks a regex only
    where ``data[p]`` is a non-word byte and ``_may_start_atom`` allows p + 1, and there
    asks ``_ATOM_AFTER_ASCII`` (``_ATOM`` without the ``\\W``) at p + 1. A pattern matched
    from an offset still sees the text before it, so the look-behinds and ``\\b`` of the
    body judge the same characters, and the groups (all that ``_lex`` reads, with
    ``end()``) get the same spans; the non-word byte is one character, so nothing else
    differs. The text must go on after p for a match (the body is never empty).

    Where a digit or ``$`` stands, only the last alternative of the body,
    ``_DIGITS_ATOM``, can match (the others start with ``\\b`` and a letter), and the
    lookahead holds, so that alternative is asked alone: the same match, with the same
    groups set (the other alternatives' groups are unset in both).
    """
    word = byte_scan.WORD
    matches: list[re.Match[str]] = []
    n: i64 = len(data)
    p: i64 = 0
    if n and _may_start_atom(data, 0):
        byte = data[0]
        figure = _opens_figure(byte)
        first = (_DIGITS_ASCII if figure else _ATOM_AT_START_ASCII).match(text)
        if first is not None:
            matches.append(first)
            p = first.end()
    while p + 1 < n:
        if word[data[p]] or not _may_start_atom(data, p + 1):
            p += 1
            continue
        byte = data[p + 1]
        figure = _opens_figure(byte)
        m = (_DIGITS_ASCII if figure else _ATOM_AFTER_ASCII).match(text, p + 1)
        if m is None:
            p += 1
            continue
        matches.append(m)
        p = m.end()
    return matches


def _atom_matches_regex(text: str) -> list[re.Match[str]]:
    """The lexer's matches in ``text``, in order: the body at 0, then ``_ATOM`` after it."""
    ascii = text.isascii()
    first = (_ATOM_AT_START_ASCII if ascii else _ATOM_AT_START).match(text)
    matches = [first] if first else []
    matches.extend((_ATOM_ASCII if ascii else _ATOM).finditer(text, first.end() if first else 0))
    return matches


def _lex(text: str) -> list[_Atom]:
    """Find every candidate atom, in order, and read its value."""
    atoms: list[_Atom] = []
    if byte_scan.use_bytes(text):
        matches = _atom_matches_bytes(text, text.encode("ascii"))
    else:
        matches = _atom_matches_regex(text)
    for m in matches:
        group = m.lastgroup or ""
        start, end = m.span(group)
        phrase = m.group(group)
        if group == "vague":
            atoms.append(_Atom(start, end, "vague", VAGUE_QUANTITIES[_key(phrase)][0]))
        elif group == "half":
            atoms.append(_Atom(start, end, "num", _MULTIPLIERS[_key(phrase).split()[-1]], 2))
        elif group == "couple":
            atoms.append(_Atom(start, end, "num", 2))
        elif group == "cord":
            tens, unit = _LETTERS.findall(phrase.lower())
            atoms.append(_Atom(start, end, "ordinal", _TENS[tens] + _ORDINAL_UNITS[unit]))
        elif group == "ord":
            atoms.append(_Atom(start, end, "ordinal", _ORDINALS[phrase.lower()]))
        elif group == "words":
            atoms.extend(_read_words(text, start, end))
        else:
            atoms.extend(_read_digits(text, m))
    return atoms


def _read_words(text: str, start: int, end: int) -> list[_Atom]:
    """Split a run of number words into cardinals: "five six" is two, "twenty six" one."""
    tokens = [(t.group().lower(), t.start(), t.end()) for t in _LETTERS.finditer(text, start, end)]
    words = [t[0] for t in tokens]
    atoms: list[_Atom] = []
    k = 0
    while k < len(words):
        read = _read_cardinal(words, k)
        if read is None:
            k += 1
            continue
        num, den, trailing, stop = read
        atom_start, atom_end = tokens[k][1], tokens[stop - 1][2]
        atoms.append(_Atom(atom_start, atom_end, "num", num, den, trailing, trailing == 1))
        k = stop
    return atoms


def _read_cardinal(words: list[str], k: int) -> tuple[int, int, int, int] | None:
    """Read the longest well-formed cardinal at words[k]: (num, den, trailing, index after).

    ``trailing`` is the multiplier word that ends the cardinal (1 for none, 0 when the
    cardinal holds a multiplier but does not end with one).
    """
    total = group = 0  # completed thousands/millions, and the group below them
    last, cap, half, j, stop = "", 10**15, False, k, k
    if words[k] in ("a", "an"):
        group, last, j = 1, "small", k + 1  # "a hundred", "a dozen"
    while j < len(words):
        w, small = words[j], _SMALL.get(words[j], -1)
        if small >= 0 and (
            last in ("", "hundred", "scale", "and") or (last, small < 10) == ("tens", True)
        ):
            group, last = group + small, "tens" if small >= 20 else "small"
        elif w == "hundred" and last in ("small", "tens") and group < 100:
            group, last = group * 100, "hundred"
        elif w == "dozen" and last in ("small", "tens") and total == 0:
            group, last, stop = group * 12, "dozen", j + 1
            break
        elif w in _SCALES and last in ("small", "tens", "hundred", "half") and _SCALES[w] < cap:
            cap = _SCALES[w]
            total, group = total + group * cap + (cap // 2 if half else 0), 0
            half, last = False, "scale"
        elif (
            w == "and"
            and last in ("hundred", "scale")
            and words[j + 1 : j + 2]
            and (words[j + 1] in _SMALL)
        ):
            last = "and"  # "two hundred and five"; stop stays before the "and"
            j += 1
            continue
        elif w == "and" and words[j + 1 : j + 3] == ["a", "half"] and last in ("small", "tens"):
            half, last, j = True, "half", j + 2
        else:
            break
        j += 1
        stop = j
    if last == "" or (words[k] in ("a", "an") and stop < k + 2):
        return None
    if half:
        return (total + group) * 2 + 1, 2, 0, stop
    if total and group:  # "two thousand three hundred": no single multiplier to lend
        return total + group, 1, 0, stop
    return total + group, 1, {"scale": cap, "hundred": 100, "dozen": 12}.get(last, 1), stop


def _read_digits(text: str, m: re.Match[str]) -> list[_Atom]:
    """Read a figure written in digits (possibly a hyphenated range); [] when it is none."""
    currency = m.group("cur") is not None
    suffix = (m.group("suf") or "").lower()
    num_start, num_end = m.span("num")
    glued = num_end < len(text) and (text[num_end].isalnum() or text[num_end] == "_")
    parts = [p.group() for p in _NUMBER_PARTS.finditer(text, num_start, num_end)]
    values = _digit_values(parts)
    if values is None or (glued and not suffix):
        return []  # malformed, or glued to other letters or digits: "5km2", "10é"
    if suffix in _ORDINAL_SUFFIXES and len(parts) == 1 and values[0][1] == 1 and not currency:
        return [_Atom(m.start("digits"), m.end("suf"), "ordinal", values[0][0])]
    if suffix == "s" and len(parts) == 1 and _is_year(parts[0]) and parts[0].endswith("0"):
        return [
            _Atom(m.start("digits"), m.end("suf"), "num", int(parts[0]), year_ok=True, decade=True)
        ]
    if suffix and not (currency and suffix in _MONEY_SUFFIXES and m.group("scale") is None):
        return []  # "2m", "5G", "20s"
    mult = _MONEY_SUFFIXES[suffix] if suffix else 1
    if m.group("scale"):
        mult = _MULTIPLIERS[_key(m.group("scale"))]
    years = [_is_year(raw) and mult == 1 and not currency for raw in parts]
    if len(parts) == 2 and not _plausible_range(parts, values, years):
        return []
    atoms = [
        _Atom(0, 0, "num", num * mult, den, mult, mult == 1, currency, year)
        for (num, den), year in zip(values, years, strict=True)
    ]
    atoms[0].start, atoms[-1].end = m.span("digits")
    if len(atoms) == 2:  # split the span at the dash
        atoms[0].end = num_start + len(parts[0])
        atoms[1].start = num_end - len(parts[1])
    return atoms


def _digit_values(parts: list[str]) -> list[tuple[int, int]] | None:
    """Read each dash-separated digit string as (num, den); None if any is malformed."""
    if len(parts) > 2:
        return None  # "2020-01-05", "555-123-4567"
    values: list[tuple[int, int]] = []
    for raw in parts:
        shape = _NUMBER_SHAPE.fullmatch(raw)
        if shape is None:
            return None  # "10:30", "1.2.3", "3 000", "007", "1,2"
        frac = shape.group("frac") or ""
        values.append((int(shape.group("int").replace(",", "") + frac), 10 ** len(frac)))
    return values


def _plausible_range(parts: list[str], values: list[tuple[int, int]], years: list[bool]) -> bool:
    """Tell whether "a-b" reads as a range, expanding "1990-95" in place."""
    if years[0] and len(parts[1]) == 2 and parts[1].isdigit():  # "1990-95"
        values[1], years[1] = (int(parts[0]) // 100 * 100 + int(parts[1]), 1), True
    elif len(parts[1]) >= 4 and parts[1].isdigit() and not years[0]:
        return False  # "555-1234" is a phone number
    (a, a_den), (b, b_den) = values
    return a * b_den < b * a_den  # "3-1" is a score


def _range_partner(
    text: str, atoms: list[_Atom], i: int, left: str | None
) -> tuple[_Atom, tuple[int, int]] | None:
    """Return the atom closing a range opened by atoms[i], with the range's low value."""
    if i + 1 >= len(atoms) or atoms[i + 1].tag != "num":
        return None
    a, b = atoms[i], atoms[i + 1]
    gap = _RANGE_GAP.fullmatch(text, a.end, b.start)
    if (
        gap is None
        or (gap.lastgroup == "and") != (left == "between")
        or (gap.lastgroup == "to" and left == "from")
    ):
        return None
    low = (a.num, a.den)
    if a.bare and b.trailing > 1 and a.num * b.trailing * b.den <= b.num * a.den:
        low = (a.num * b.trailing, a.den)  # "two to three million"
    if low[0] * b.den >= b.num * low[1]:
        return None
    return b, low


def _bounds(
    low: tuple[int, int], high: tuple[int, int], qualifier: str | None
) -> tuple[int | None, int | None]:
    """Turn the written value(s) and qualifier into whole-number bounds."""
    floor, ceil = low[0] // low[1], -(-high[0] // high[1])
    if qualifier == "lower":
        return floor, None
    if qualifier == "upper":
        return None, ceil
    if qualifier == "less":
        return None, max(0, ceil - 1)
    return floor, ceil


def _not_a_figure(text: str, first: _Atom, bare: bool, left: str | None, end: int) -> int | None:
    """Return the end of the context showing a time, date, version or pronoun "one", if any.

    ``bare`` says the figure has no qualifier and is no range: only a bare "one" can
    be a pronoun ("one of the", "no one", "one by one").
    """
    if left == "version":
        return end
    if (clock := _TIME_AFTER.match(text, end)) is not None:
        return clock.end()
    if (left == "month" or _MONTH_AFTER.match(text, end)) and first.den == 1 and first.num <= 31:
        return end
    if not bare or text[first.start : first.end].lower() != "one":
        return None
    if left in ("notone", "nohyphen"):
        return end
    pronoun = _NOT_ONE_AFTER.match(text, end)
    return pronoun.end() if pronoun else None


def _unit_kind(text: str, end: int) -> tuple[QuantityKind | None, int, int]:
    """Read the unit after a figure: (kind or None, end of text, end of the consumed context)."""
    if (m := _PERCENT.match(text, end)) is not None:
        return "percent", m.end() if m.group("sign") else end, m.end()
    if _MONEY_AFTER.match(text, end):
        return "money", end, end
    if _AGE_AFTER.match(text, end):
        return "age", end, end
    if (m := _DURATION_AFTER.match(text, end)) is not None:
        return "duration", end, m.end()
    return None, end, end


def _figure(text: str, atoms: list[_Atom], i: int, floor: int) -> tuple[Quantity | None, int, int]:
    """Read the figure starting at atoms[i]: (quantity or None, next atom index, new floor)."""
    first = atoms[i]
    window = _LEFT.search(text, max(floor, first.start - _LEFT_WINDOW), first.start)
    left = window.lastgroup if window else None
    last, low, after = first, (first.num, first.den), i + 1
    if (partner := _range_partner(text, atoms, i, left)) is not None:
        (last, low), after = partner, i + 2
    qualifier = left if left in _QUALIFIER_TAGS else None
    end = last.end
    if (suffix := _SUFFIX.match(text, end)) is not None:
        qualifier, end = ("approx" if suffix.group("so") else "lower"), suffix.end()
    bare = partner is None and qualifier is None
    if (skip_to := _not_a_figure(text, first, bare, left, end)) is not None:
        return None, after, skip_to
    if partner is None and (fraction := _FRACTION_AFTER.match(text, end)) is not None:
        return None, after, fraction.end()  # "two-thirds", "one quarter"
    kind, end, context_end = _unit_kind(text, end)
    if kind is None and (first.currency or last.currency or left == "code"):
        kind = "money"
    elif kind is None and left == "aged":
        kind = "age"
    elif kind is None and (
        first.year_ok
        and last.year_ok
        and qualifier not in _BOUND_TAGS
        and (first.decade or left == "yearprep" or not _HUMAN_AFTER.match(text, end))
    ):
        kind = "year"
    lo, hi = _bounds(low, (last.num + 9 * last.decade, last.den), qualifier)
    start = first.start
    if window is not None and (left in _QUALIFIER_TAGS or (left == "between" and partner)):
        start = window.start(left)
    quantity = Quantity(lo, hi, text[start:end], start, end, kind or "count", False)
    return quantity, after, max(end, context_end)


def find_quantities(text: str) -> list[Quantity]:
    """Return every quantity in ``text``, in order and without overlaps."""
    found: list[Quantity] = []
    atoms = _lex(text)
    floor, i = 0, 0
    while i < len(atoms):
        atom = atoms[i]
        if atom.start < floor:
            i += 1
            continue
        if atom.tag == "num":
            quantity, i, floor = _figure(text, atoms, i, floor)
            if quantity is not None:
                found.append(quantity)
            continue
        span = text[atom.start : atom.end]
        if atom.tag == "ordinal":
            found.append(Quantity(atom.num, atom.num, span, atom.start, atom.end, "ordinal", False))
            floor = atom.end
        else:
            kind, _, floor = _unit_kind(text, atom.end)
            vague_kind: QuantityKind = kind if kind in ("money", "duration") else "count"
            found.append(Quantity(atom.num, None, span, atom.start, atom.end, vague_kind, True))
        i += 1
    return found
