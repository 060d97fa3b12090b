"""Turn the words around a reporting verb into a speaker and, where given, a role.

"Paul Stronski of the Carnegie Endowment" -> ("Paul Stronski", "Carnegie Endowment");
"The organization's secretary general, Stanislav Zas" -> ("Stanislav Zas",
"The organization's secretary general"); "Russian President Vladimir Putin" ->
("Vladimir Putin", "Russian President"); "police spokesman Nihal Thalduwa" ->
("Nihal Thalduwa", "police spokesman"); "one woman" -> ("one woman", None).

A name is a run of capitalised words, which may hold the particles of Arabic,
Romance, Dutch and German names ("Abdel Fattah al-Burhan", "Ursula von der
Leyen"). A role is what precedes the name when it ends in a title word
("Interior Minister", "opposition leader", "Gen."), or an appositive set off by a
comma. Anything else that is not a short description is no speaker: precision
matters more than recall, because a wrong speaker is worse than a missed one.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Final

from tocsin.extraction.lexicon import MEDIA_WORDS, PRONOUNS
from tocsin.extraction.records import Record

# Words that make the words before a name a role ("Interior Minister", "police spokesman").
_TITLES: Final = frozenset(
    ["president", "prime", "minister", "general", "gen", "secretary", "spokesman",
     "spokeswoman", "spokesperson", "chief", "director", "governor", "mayor", "senator",
     "sen", "colonel", "col", "lt", "captain", "capt", "commander", "ambassador", "king",
     "queen", "prince", "sheikh", "head", "leader", "chairman", "chairwoman", "deputy",
     "foreign", "interior", "defence", "defense", "health", "police", "army", "state",
     "former", "acting", "interim", "vice", "opposition", "mr", "mrs", "ms", "dr", "prof",
     "rev", "pope", "archbishop", "bishop", "justice", "judge", "attorney", "analyst",
     "researcher", "activist", "lawyer", "professor", "maj", "brig", "adm", "sgt", "gov",
     "rep", "minister's", "premier", "chancellor", "envoy", "commissioner", "cardinal",
     "imam", "speaker", "lawmaker", "legislator", "mp", "presidential", "adviser",
     "advisor", "official", "candidate", "economist", "organiser", "organizer",
     "coordinator", "cleric", "superintendent", "inspector", "marshal", "admiral"]
)  # fmt: skip
_DESCRIPTIVE_START: Final = frozenset(
    ["one", "a", "an", "another", "the", "two", "three", "some", "several", "many", "his",
     "her", "their", "its", "our"]
)  # fmt: skip
# Lower-case particles inside personal names: "al-Burhan" is handled as a hyphenated word.
_PARTICLES: Final = frozenset(
    ["al", "el", "bin", "ibn", "bint", "abu", "de", "del", "della", "der", "den", "da", "das",
     "do", "dos", "du", "di", "van", "von", "la", "le", "y", "ben", "ould"]
)  # fmt: skip
# Words that make a name an organisation rather than a person (pronouns never refer to it).
_ORG_WORDS: Final = frozenset(
    ["international", "ministry", "office", "department", "council", "committee",
     "commission", "party", "union", "agency", "service", "organisation", "organization",
     "watch", "government", "army", "police", "forces", "court", "parliament", "assembly",
     "front", "movement", "alliance", "group", "bank", "fund", "coalition", "federation",
     "association", "institute", "centre", "center", "university", "foundation", "network",
     "church", "mission", "command", "authority", "authorities", "community", "nations",
     "guard", "society", "chamber", "red", "crescent", "cross"]
)  # fmt: skip
# A clause word inside the subject means the words are a clause, not a name or description
# ("Protesters who said ...", "The crowd cheered as the president said ...").
_CLAUSE_WORDS: Final = frozenset(
    ["who", "which", "that", "whose", "where", "when", "while", "as", "after", "before",
     "because", "since", "until", "if", "though", "although", "then", "also"]
)  # fmt: skip
# Titles that name an office outright, so words before them are part of the role.
_OFFICES: Final = frozenset(
    ["minister", "secretary", "president", "governor", "mayor", "spokesman", "spokeswoman",
     "spokesperson", "chief", "director", "commander", "ambassador", "chairman",
     "chairwoman", "leader", "general", "envoy", "commissioner", "premier", "chancellor",
     "senator", "adviser", "advisor", "superintendent", "inspector"]
)  # fmt: skip
# Words that cannot end a description: it was cut off.
_DANGLING: Final = frozenset(
    ["of", "in", "at", "from", "with", "for", "to", "and", "or", "the", "a", "an", "by", "on"]
)  # fmt: skip
_MAX_ROLE_WORDS: Final = 5
_NAME_WORD: Final = re.compile(r"^[A-Z][\w'’.-]*$")
_PREFIXED_WORD: Final = re.compile(r"^[a-z]{1,3}-[A-Z][\w'’-]*$")  # "al-Burhan", "el-Sisi"
_TRAILERS: Final = re.compile(
    r"(?:\s+(?:in|at|during|on) (?:a|an|his|her|their|the|its) (?:[\w-]+ ){0,3}?"
    r"(?:press release|statement|speech|tweet|post|video|interview|address|briefing|"
    r"conference|message|homily|sermon|broadcast|letter|call)\b"
    r"|\s+(?:on|late on|early on|earlier on) \w+|\s+(?:earlier|later|recently)\b"
    r"|\s+(?:by (?:tele)?phone|on condition of anonymity)\b"
    r"|,?\s+(?:adding|speaking|according|referring|citing)\b).*$",
)
# Introductory phrases that open a sentence before its subject ("In a statement, ...").
# _INTRO is anchored at the start of the phrase and begins with one of these words, so
# a phrase that starts with none of them is spared the pattern.
_INTRO_STARTS: Final = (
    "In", "On", "At", "During", "However", "But", "And", "Meanwhile", "Later", "Earlier",
    "Separately", "Speaking", "Addressing", "Asked", "After", "Writing", "Responding",
    "Still", "Instead",
)  # fmt: skip
_INTRO: Final = re.compile(rf"^(?:{'|'.join(_INTRO_STARTS)})\b[^,]{{0,60}},\s*")
_AGE: Final = re.compile(r",\s*(?:aged\s+)?\d{1,3}(?=\s*(?:,|$))")
_LEADING_CONJUNCTION: Final = re.compile(r"^(?:and|but|so|yet)\s+", re.IGNORECASE)
_OF: Final = re.compile(r"^(.+?)\s+(?:of|from|at|with|for)\s+(?:the\s+)?(.+)$")

# Cheap tests that rule out a match of the patterns above before they run; each states a
# condition without which its pattern cannot match (tests/extraction/
# test_statements_fast_paths.py checks them against the patterns).
#
# Every alternative of _TRAILERS starts with a run of whitespace (after an optional
# comma) followed by one of these words, literally: the character after that run
# starts a word of ``str.split()`` (which splits at exactly the characters ``\s``
# matches), and that word starts with the literal.
_TRAILER_STARTS: Final = (
    "in", "at", "during", "on", "late", "early", "earlier", "later", "recently", "by",
    "adding", "speaking", "according", "referring", "citing",
)  # fmt: skip
_TRAILER_INITIALS: Final = frozenset(word[0] for word in _TRAILER_STARTS)
# _LEADING_CONJUNCTION is anchored too; ignoring case, the first letters of "and",
# "but", "so" and "yet" match these characters and no others (the long s "ſ" matches "s").
_CONJUNCTION_INITIALS: Final = frozenset(["a", "A", "b", "B", "s", "S", "\u017f", "y", "Y"])
# _OF's words stand between runs of whitespace: each is a whole word of ``str.split()``.
_OF_WORDS: Final = frozenset(["of", "from", "at", "with", "for"])


# A record of the core (see records.Record: why not a named tuple).
class Speaker(Record):
    """A resolved speaker: name or description as written, and the role if stated."""

    __slots__ = ("is_person", "name", "role")

    def __init__(self, name: str, role: str | None, is_person: bool) -> None:
        self.name: Final = name
        self.role: Final = role
        self.is_person: Final = is_person

    def _values(self) -> tuple[str, str | None, bool]:
        return (self.name, self.role, self.is_person)


def _bare(word: str) -> str:
    return word.lower().strip(",.'’")


def _in(word: str, table: frozenset[str]) -> bool:
    """Whether ``word`` or, for a hyphenated word, one of its parts is in ``table``."""
    bare = _bare(word)
    return bare in table or ("-" in bare and any(part in table for part in bare.split("-")))


def _is_name_word(word: str) -> bool:
    # _NAME_WORD needs an ASCII capital first, and matches at once when every character
    # is alphanumeric (each is then a \w); _PREFIXED_WORD needs a hyphen.
    if "A" <= word[:1] <= "Z" and (word.isalnum() or _NAME_WORD.match(word) is not None):
        return True
    return ("-" in word and _PREFIXED_WORD.match(word) is not None) or word in _PARTICLES


def _has_digit(s: str) -> bool:
    # A plain loop: compiled, any() over a generator would build one per call.
    for ch in s:  # noqa: SIM110
        if ch.isdigit():
            return True
    return False


def _may_trail(phrase: str) -> bool:
    """Whether _TRAILERS may match ``phrase`` (see _TRAILER_STARTS)."""
    for word in phrase.split():
        # The set look-up first: most words of a speaker phrase are capitalised.
        if word[0] in _TRAILER_INITIALS and word.startswith(_TRAILER_STARTS):
            return True
    return False


def _is_name(words: list[str]) -> bool:
    """Capitalised words, possibly with particles inside ("Ursula von der Leyen")."""
    return (
        1 <= len(words) <= 6
        and all(_is_name_word(w) for w in words)
        and words[0] not in _PARTICLES
        and words[-1] not in _PARTICLES
    )


def _is_title(word: str, nxt: str | None, places: Collection[str]) -> bool:
    """A title word, or a demonym or country standing before a title ("Russian President")."""
    bare = _bare(word)
    if _in(word, _TITLES):
        return True  # "Minister", "Secretary-General"
    base = word.removesuffix("'s").removesuffix("’s")
    if base in places:
        return True
    # Without the gazetteer's help, a demonym is only trusted right before a title.
    return (
        nxt is not None
        and _bare(nxt) in _TITLES
        and bare.endswith(("ian", "ese", "ish", "an", "i"))
    )


def _split_titles(words: list[str], places: Collection[str]) -> tuple[list[str], list[str]]:
    """Leading titles and demonyms ("Russian President") vs the name that follows.

    A role may hold words that are no titles themselves when a title ends it
    ("Transport Minister", "Interior Cabinet Secretary"), so it runs to the last title
    word that still leaves a name; failing that, to the last of the leading titles.
    """
    lead = 0
    while lead < len(words) - 1 and _is_title(words[lead], words[lead + 1], places):
        lead += 1
    last = -1
    for i in range(min(len(words) - 1, _MAX_ROLE_WORDS)):
        if _in(words[i], _OFFICES):
            last = i
    # Only an office word may close a role that holds non-titles: "Transport Minister
    # Kwame Mensah", but not "Ana King Smith".
    if last + 1 > lead:
        return words[: last + 1], words[last + 1 :]
    return words[:lead], words[lead:]


def _person(name: list[str], role: str | None) -> Speaker | None:
    """A named speaker; None when the 'name' is a news outlet or a bare title."""
    if not name or {_bare(w) for w in name} & MEDIA_WORDS:
        return None
    if len(name) == 1 and _bare(name[0]) in _TITLES:
        return None  # "President" alone is a description, not a name
    is_person = not any(_bare(w) in _ORG_WORDS for w in name)
    return Speaker(" ".join(name), role or None, is_person)


def _named(words: list[str], places: Collection[str]) -> Speaker | None:
    """Title words, possibly lower-case, followed by a capitalised name."""
    k = len(words)
    while k > 0 and _is_name_word(words[k - 1]):
        k -= 1
    while k < len(words) and words[k] in _PARTICLES:
        k += 1  # a name does not start with a particle
    prefix, tail = words[:k], words[k:]
    if not tail or not _is_name(tail):
        return None
    titles, name = _split_titles(tail, places)
    role_words = prefix + titles
    if prefix:
        # Lower-case words before a name are a role only when they end in a title
        # ("police spokesman Nihal Thalduwa"); "the police chief of Lagos" is no name.
        last = role_words[-1]
        if _bare(last) not in _TITLES and last.removesuffix("'s") not in places:
            return None
        if len(prefix) > 6 or not all(re.fullmatch(r"[\w'’.-]+", w) for w in prefix):
            return None
        if any(_bare(w) in _CLAUSE_WORDS for w in prefix):
            return None
    return _person(name, " ".join(role_words))


def _described(phrase: str, words: list[str]) -> Speaker | None:
    """A speaker described rather than named: "one woman", "a police spokesman in Abuja"."""
    if _relative_description(words):
        return Speaker(phrase, None, True)  # "a mother who gave her name only as Mariam"
    if len(words) > 6 or any(_bare(w) in _CLAUSE_WORDS for w in words):
        return None
    if {_bare(w) for w in words} & MEDIA_WORDS or _bare(words[-1]) in _DANGLING:
        return None  # a news outlet, or a phrase cut off ("the police chief of")
    if words[0].lower() in _DESCRIPTIVE_START or all(
        w.isalpha() or "'" in w or "’" in w for w in words
    ):
        # Lower-case descriptions without an article ("police", "residents") count too.
        return Speaker(phrase, None, True)
    return None


def _relative_description(words: list[str]) -> bool:
    """ "a mother who gave her name only as Mariam": an article, a noun and a complete
    relative clause. A phrase cut off right after "who" is a clause that merely holds a
    speech verb ("Protesters who said they ... blocked the road")."""
    if not 3 < len(words) <= 12 or words[0].lower() not in _DESCRIPTIVE_START:
        return False
    rel = next((i for i, w in enumerate(words) if _bare(w) in {"who", "whose"}), None)
    if rel is None or rel < 2 or rel >= len(words) - 2:
        return False
    return not any(_bare(w) in _CLAUSE_WORDS - {"as"} for w in words[:rel])


def _clean(phrase: str) -> str:
    """The phrase without punctuation around it, trailing circumstances ("in a
    statement"), an introductory phrase, a leading conjunction, or an age."""
    phrase = phrase.strip().strip(",.;:\"' ")
    # Each pattern runs only where it may match (see _TRAILER_STARTS and below it).
    if _may_trail(phrase):
        phrase = _TRAILERS.sub("", phrase)
    phrase = phrase.strip(" ,")
    if phrase.startswith(_INTRO_STARTS):
        phrase = _INTRO.sub("", phrase)
    if phrase[:1] in _CONJUNCTION_INITIALS:
        phrase = _LEADING_CONJUNCTION.sub("", phrase)
    if "," in phrase:  # _AGE starts with a comma
        phrase = _AGE.sub("", phrase)  # "Ahmed, 34, who ..." -> "Ahmed, who ..."
    return phrase


def _of_match(phrase: str, words: list[str]) -> re.Match[str] | None:
    """_OF.match(phrase), where ``words`` is ``phrase.split()`` (see _OF_WORDS)."""
    for word in words:
        if word in _OF_WORDS:
            return _OF.match(phrase)
    return None


def parse_speaker(phrase: str, places: Collection[str] = ()) -> Speaker | None:
    """Parse the words naming who spoke; None when they name no plausible speaker.

    ``places`` holds the words of the sentence that the gazetteer read as countries or
    demonyms, so that "Kazakh President X" splits into a role and a name.
    """
    phrase = _clean(phrase)
    if not phrase or len(phrase) > 160:
        return None
    words = phrase.split()
    if len(words) > 14:
        return None
    if len(words) == 1 and words[0].lower() in PRONOUNS:
        return Speaker(words[0].lower(), None, True)
    if "," in phrase:
        return _appositive(phrase, places)
    if _has_digit(phrase):
        return None  # a figure in the subject: a clause, not a speaker
    of = _of_match(phrase, words)
    if of:
        left = of.group(1).split()
        # "Secretary of State Antony Blinken": a title before "of" makes a role, not a name.
        if (
            _is_name(left)
            and _bare(left[-1]) not in _TITLES
            and not any(_bare(w) in _ORG_WORDS for w in left)
        ):
            _, name = _split_titles(left, places)
            speaker = _person(name, of.group(2))
            if speaker is not None:
                return speaker
    named = _named(words, places)
    if named is not None:
        return named
    return _described(phrase, words)


def _appositive(phrase: str, places: Collection[str]) -> Speaker | None:
    """ "ROLE, NAME" or "NAME, ROLE": one side names a person, the other says who they are."""
    left, _, right = (part.strip() for part in phrase.partition(","))
    right = right.rstrip(",").strip()
    left_words = left.split()
    right_words = right.split(",")[0].split()  # the name of "ROLE, NAME, ..." ends at a comma
    if _has_digit(left):
        return None
    left_named = _named(left_words, places) if left_words else None
    if right_words and _is_name(right_words) and left_named is None:
        # "The organization's secretary general, Stanislav Zas"; "army chief, Gen. X".
        titles, name = _split_titles(right_words, places)
        return _person(name, left or " ".join(titles))
    # A relative clause says what somebody did, not who they are: no role.
    role = None if right_words and _bare(right_words[0]) in _CLAUSE_WORDS else right or None
    if left_named is not None:
        return Speaker(left_named.name, left_named.role or role, left_named.is_person)
    described = _described(left, left_words) if left_words else None
    if described is not None and left_words[0].lower() in _DESCRIPTIVE_START:
        # "one of the organisers, a 23-year-old engineering student".
        return Speaker(described.name, role, True)
    return None
