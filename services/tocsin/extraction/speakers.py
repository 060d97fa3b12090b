"""Turn the words around a reporting verb into a speaker and, where given, a role.

"Paul Stronski of the Carnegie Endowment" -> ("Paul Stronski", "Carnegie Endowment");
"The organization's secretary general, Stanislav Zas" -> ("Stanislav Zas",
"The organization's secretary general"); "one woman" -> ("one woman", None).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tocsin.extraction.lexicon import MEDIA_WORDS, PRONOUNS

_TITLES = frozenset(
    ["president", "prime", "minister", "general", "gen", "secretary", "spokesman",
     "spokeswoman", "spokesperson", "chief", "director", "governor", "mayor", "senator",
     "sen", "colonel", "col", "lt", "captain", "capt", "commander", "ambassador", "king",
     "queen", "prince", "sheikh", "head", "leader", "chairman", "chairwoman", "deputy",
     "foreign", "interior", "defence", "defense", "health", "police", "army", "state",
     "former", "acting", "interim", "vice", "opposition", "mr", "mrs", "ms", "dr", "prof",
     "rev", "pope", "archbishop", "justice", "judge", "attorney", "analyst", "researcher"]
)  # fmt: skip
_DESCRIPTIVE_START = frozenset(
    ["one", "a", "an", "another", "the", "two", "three", "some", "several", "many", "his",
     "her", "their", "its", "our"]
)  # fmt: skip
_NAME_WORD = re.compile(r"^[A-Z][\w'’.-]*$")
_TRAILERS = re.compile(
    r"\s+(?:in a (?:press release|statement|speech|tweet|post|video|interview)|on \w+|"
    r"late on \w+|earlier|later|on Monday|on Tuesday|recently)\b.*$",
)


@dataclass(frozen=True, slots=True)
class Speaker:
    """A resolved speaker: name or description as written, and the role if stated."""

    name: str
    role: str | None
    is_person: bool


def _is_name(words: list[str]) -> bool:
    return 1 <= len(words) <= 4 and all(_NAME_WORD.match(w) for w in words)


def _split_titles(words: list[str]) -> tuple[list[str], list[str]]:
    """Leading title words and demonyms ("Russian President") vs the name that follows."""
    i = 0
    while i < len(words) - 1 and (
        words[i].lower().strip(".") in _TITLES or words[i].endswith(("ian", "ese", "ish", "i"))
    ):
        i += 1
    return words[:i], words[i:]


def parse_speaker(phrase: str) -> Speaker | None:
    """Parse the words naming who spoke; None when they name no plausible speaker."""
    phrase = _TRAILERS.sub("", phrase.strip().strip(",.;:\"' ")).strip(" ,")
    if not phrase or len(phrase) > 160 or any(ch.isdigit() for ch in phrase):
        return None
    words = phrase.split()
    lowered = {w.lower().strip(",.'’") for w in words}
    if len(words) > 14 or lowered & MEDIA_WORDS:
        return None
    if len(words) == 1 and words[0].lower() in PRONOUNS:
        return Speaker(words[0].lower(), None, True)
    if "," in phrase:
        left, _, right = (part.strip() for part in phrase.partition(","))
        right = right.rstrip(",").strip()
        if _is_name(right.split()) and not _is_name(left.split()):
            return Speaker(right, left, True)
        if _is_name(left.split()):
            return Speaker(left, right or None, True)
        return None
    of = re.match(r"^(.+?)\s+(?:of|from|at|with)\s+(?:the\s+)?(.+)$", phrase)
    if of and _is_name(of.group(1).split()):
        titles, name = _split_titles(of.group(1).split())
        if name:
            return Speaker(" ".join(name), of.group(2), True)
    if words[0].lower() in _DESCRIPTIVE_START:
        if len(words) <= 6 and all(w[:1].islower() or w[:1].isupper() for w in words):
            return Speaker(phrase, None, True)
        return None
    if _is_name(words):
        titles, name = _split_titles(words)
        if not name:
            return None
        is_person = not any(w.lower() in {"international", "ministry", "office"} for w in words)
        return Speaker(" ".join(name), " ".join(titles) or None, is_person)
    if len(words) <= 6 and all(w.isalpha() or "'" in w or "’" in w for w in words):
        # Lower-case descriptions without an article ("police", "residents", "officials").
        return Speaker(phrase, None, True)
    return None
