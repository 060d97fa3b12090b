"""Deployments: troops or security forces sent to, arriving in, or stationed in a place.

A deployment needs a force phrase ("3,600 CSTO members", "a brigade of airborne
forces") that is the thing moved: the object of a sending verb ("sent 2,000
troops", "deployment of troops"), or the subject of a passive, arrival or
intransitive verb ("troops were deployed", "a contingent ... had arrived",
"soldiers deployed to the capital"). Police deploying tear gas is not a deployment.

Arguments:

- force: an organisation when one is named ("CSTO members", "troops from the
  Economic Community of West African States" -> "ECOWAS", "NATO is sending 700
  soldiers" -> "NATO"), otherwise the force noun with up to three modifiers from
  the closed list FORCE_MODIFIERS ("riot police", "national guard"); a unit is
  labelled by what follows its "of" ("a brigade of airborne forces"), else by
  itself ("contingent"). Nouns inside a unit's of-phrase are not forces of their own.
- size: a figure right before the phrase ("about 3,600", "2,000 more troops") or
  inside a unit's of-phrase ("a contingent of 400 soldiers"); a figure before a
  unit ("two battalions") counts units, not people, so the size is unknown and its
  text keeps the words.
- origin: a demonym ("Russian paratroopers"), "from <country>", or the country
  doing the sending ("Kenya has agreed to deploy ...").
- destination: the place after "to/in/into ..." following the verb, else another
  place of the sentence, else the article's country.
- status: announced ("will send", "would be deployed", "agreed to deploy", "is
  sending"), arriving ("are arriving", "began arriving", "are being deployed"),
  arrived ("arrived", "landed", "had been deployed in", "are stationed"),
  unknown ("sent", "were deployed").

No event: speculation, demands and refusals ("could send", "ruled out sending",
"denied sending", "called for troops to be sent"), conditions ("would be
deployed only if ..."), returns ("sent home"), and withdrawals ("troops withdrew",
"began withdrawing"): a withdrawal is news about forces leaving, and reading the
size in it as a deployment would inflate the running totals.

Every look-up for one force is bounded or indexed (see ``_Sentence``), so the
finder stays linear even on a pathological megabyte-long sentence.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import cached_property
from typing import Final

from tocsin.extraction.context import is_background
from tocsin.extraction.document import Document, SentenceView
from tocsin.extraction.drafts import Draft
from tocsin.extraction.geo import PlaceMention
from tocsin.extraction.lexicon import (
    DEPLOYMENT_VERBS,
    FORCE_ALIASES,
    FORCE_MODIFIERS,
    FORCE_NOUNS,
    GROUP_NOUNS,
    NEGATION_WORDS,
)
from tocsin.extraction.quantities import Quantity

_ALIAS: Final = re.compile(
    r"\b(?:" + "|".join(sorted(map(re.escape, FORCE_ALIASES), key=len, reverse=True)) + r")\b"
)
_ACRONYM: Final = re.compile(r"^[A-Z]{2,6}$")
_WITHDRAWAL: Final = re.compile(
    r"\b(?:withdr[ae]w\w*|withdrawn|pull(?:ed|ing)?[ -]?out|pullout|drawdown|retreat(?:ed|ing)?"
    r"|depart(?:ed|ing|ure)?)\b"
)
# Every word _WITHDRAWAL matches holds one of these: most deployment sentences hold
# none, and a substring test costs far less than the regex's scan (no literal prefix).
_WITHDRAWAL_STEMS: Final = ("withdr", "pull", "drawdown", "retreat", "depart")
# Force nouns that are often adjectives ("military alliance", "police station").
_ADJECTIVAL: Final = frozenset(
    ["military", "army", "police", "special", "security", "guard", "force"]
)
_UNITS: Final = frozenset(
    ["brigade", "brigades", "battalion", "battalions", "contingent", "contingents", "regiment",
     "regiments", "division", "divisions", "company", "companies", "units", "unit", "platoon",
     "platoons", "squadron", "squadrons", "detachment", "detachments"]
)  # fmt: skip
_NEEDS_ORG: Final = frozenset(
    ["members", "units", "unit", "company", "companies", "division", "divisions"]
)
_PHRASE_END: Final = frozenset(
    ["were", "was", "had", "have", "has", "would", "will", "to", "in", "into", "from", "and",
     "are", "is", "be", "been", "being", "arrived", "arrive", "arriving", "of", "on", "at",
     "for", "who", "that", "which", "began", "started", "also", "already"]
)  # fmt: skip
# Words that may stand between a figure and its force phrase ("2,000 more troops").
_BRIDGE: Final = frozenset(
    ["of", "more", "extra", "additional", "further", "fresh", "new", "other", "heavily"]
)  # fmt: skip
# Nouns after a force noun that make it a modifier of something else.
_COMPOUND_HEADS: Final = frozenset(
    ["chief", "chiefs", "commander", "commanders", "spokesman", "spokeswoman", "spokesperson",
     "head", "headquarters", "official", "officials", "leader", "leaders", "source",
     "sources", "station", "stations", "barracks", "base", "bases", "vehicle", "vehicles",
     "truck", "trucks", "convoy", "convoys", "helicopter", "helicopters", "aircraft",
     "minister", "ministry", "mission", "operation", "operations", "presence", "deployment",
     "withdrawal", "statement", "academy", "college", "chief's", "union"]
)  # fmt: skip
# Words after the verb that make the deployment conditional ("... only if a ceasefire holds").
_CONDITIONS: Final = frozenset(["if", "unless", "provided"])
# Words right after a sending verb that make it a return ("sent home", "sent back").
_RETURNS: Final = frozenset(["home", "back"])
_PASSIVE: Final = frozenset(["were", "was", "be", "been", "being", "is", "are", "get", "got"])
# Words before a verb that make the deployment a decision rather than a movement.
_ANNOUNCE: Final = frozenset(
    ["would", "will", "to", "plans", "planned", "agreed", "promised", "pledged", "announced",
     "intends", "decided", "approved", "ordered", "shall", "'ll"]
)  # fmt: skip
_UNDER_WAY: Final = frozenset(
    ["began", "begun", "begin", "begins", "started", "starting", "continued"]
)
_PERFECT: Final = frozenset(["had", "have", "has"])
# Completed arrivals: the past forms of the "arrived" verbs.
_PAST_ARRIVALS: Final = frozenset(["arrived", "landed", "reached", "entered"])
_SPECULATIVE: Final = frozenset(
    ["could", "might", "may", "threatened", "threatens", "considering", "considered",
     "refused", "refuses", "if", "unless", "rejected", "ruled", "whether", "possible",
     "possibly", "rumours", "rumors", "blocked", "cancelled", "canceled", "scrapped",
     "vetoed", "halted", "suspended", "against", "opposed", "urged", "urges", "asked",
     "asks", "called", "calls", "demanded", "demands", "requested", "requests", "appealed",
     "proposed", "offered", "offers", "mulling", "weighing", "weighed", "should"]
)  # fmt: skip
# Words of a phrase leading from a preposition to a place name ("to the streets of").
_PLACE_PHRASE: Final = frozenset(
    ["the", "of", "streets", "town", "city", "capital", "village", "region", "province",
     "district", "state", "border", "port", "northern", "southern", "eastern", "western",
     "central", "north", "south", "east", "west", "restive", "neighbouring", "neighboring",
     "breakaway", "oil", "mining", "coastal", "main", "key", "strategic"]
)  # fmt: skip
_NOT_DESTINATION: Final = frozenset(["from", "with", "against", "by"])
_DEST_PREPS: Final = frozenset(
    ["to", "in", "into", "inside", "across", "toward", "towards", "within"]
)
# Prepositions after an intransitive "troops deployed ..." (vs "police deployed tear gas").
_INTRANSITIVE_PREPS: Final = _DEST_PREPS | {"on", "at", "around", "along", "near", "throughout"}
# Words that end the clause of a force phrase: its verb must come before them.
_CLAUSE_BREAKS: Final = frozenset(
    ["as", "while", "when", "after", "before", "because", "but", "since", "until", "where",
     "whereas", "although", "though", "once"]
)  # fmt: skip
# A country doing the sending is named before these, not after ("the Russian government").
_SENDER_HEADS: Final = frozenset(
    ["government", "army", "military", "president", "authorities", "leader", "leaders",
     "defence", "defense", "ministry", "parliament", "cabinet"]
)  # fmt: skip
_SENDER_SPAN: Final = 10
_SENDER_CHARS: Final = 200  # covers _SENDER_SPAN words
_PLACE_SPAN: Final = 40  # words around the verb where its destination is looked for
_MAX_GAP: Final = 20


class _Force:
    """A force phrase of a sentence (a native class once compiled, see drafts.Draft)."""

    __slots__ = ("first", "head", "label", "org", "origin", "size")

    def __init__(
        self,
        head: int,
        first: int,
        label: str,
        origin: str | None,
        org: bool,
        size: Quantity | None = None,
    ) -> None:
        self.head: Final = head  # word index of the head noun
        self.first: Final = first  # first word index of the phrase
        self.label: Final = label
        self.origin: Final = origin
        self.org: Final = org  # the label names an organisation, not a kind of force
        # A figure inside the phrase ("a contingent of 200 soldiers").
        self.size: Final = size


class _Sentence:
    """Per-sentence indexes shared by the helpers, so that every look-up for a force is
    bounded or a dict hit: a megabyte-long "sentence" must still cost linear time."""

    def __init__(self, doc: Document, view: SentenceView) -> None:
        self.doc = doc
        self.view = view
        self.lower = view.words
        self.starts = view.word_starts
        self.ends = view.word_ends
        self.verbs = [i for i, w in enumerate(self.lower) if w in DEPLOYMENT_VERBS]
        # Places by the index of their first word; country acronyms count as demonyms
        # ("US troops", "DRC soldiers": the country the force belongs to).
        self.places: dict[int, PlaceMention] = {}
        self.nationals: dict[int, str] = {}
        for p in view.places:
            k = self.index_at(p.start)
            self.places[k] = p
            if p.kind == "demonym" or (p.kind == "country" and p.name.isupper()):
                self.nationals[k] = p.country
        self.place_words = sorted(self.places)

    @cached_property
    def counts(self) -> tuple[dict[int, Quantity], dict[int, Quantity]]:
        """Count figures by the index of their first word and of the word after them."""
        by_start: dict[int, Quantity] = {}
        by_end: dict[int, Quantity] = {}
        for q in self.view.quantities:
            if q.kind == "count":
                by_start.setdefault(self.index_at(q.start), q)
                by_end.setdefault(self.index_at(q.end), q)
        return by_start, by_end

    def places_between(self, lo: int, hi: int) -> list[PlaceMention]:
        """Places whose first word index lies in ``[lo, hi)``, in order."""
        i, j = bisect_left(self.place_words, lo), bisect_left(self.place_words, hi)
        return [self.places[k] for k in self.place_words[i:j]]

    def index_at(self, offset: int) -> int:
        """Index of the first word starting at or after ``offset``."""
        return bisect_left(self.starts, offset)

    def text(self, first: int, last: int) -> str:
        """The sentence text from word ``first`` to word ``last``, inclusive."""
        return self.view.text[self.starts[first] : self.ends[last]]

    def common_label(self, first: int, last: int) -> str:
        """A common-noun label; a capital that only starts the sentence is dropped."""
        label = self.text(first, last)
        return label[0].lower() + label[1:] if first == 0 else label

    def ends_phrase(self, k: int) -> bool:
        """True when punctuation follows word ``k`` ("... a stabilisation force, the ...")."""
        if k + 1 >= len(self.lower):
            return True
        gap = self.view.text[self.ends[k] : self.starts[k + 1]]
        return any(ch in gap for ch in ",.;:()")

    def org_after(self, k: int) -> str | None:
        """An organisation named from word ``k`` on: "from the CSTO", "of the African Union"."""
        if k + 1 >= len(self.lower) or self.lower[k] not in {"from", "of"}:
            return None
        j = k + 2 if self.lower[k + 1] == "the" and k + 2 < len(self.lower) else k + 1
        alias = _ALIAS.match(self.view.lower, self.starts[j])
        if alias is not None:
            return FORCE_ALIASES[alias.group()]
        return self.view.text[self.starts[j] : self.ends[j]] if self.is_org(j) else None

    def is_org(self, k: int) -> bool:
        """An acronym that is not a place: "CSTO", "NATO", "ECOWAS" (but not "US")."""
        word = self.view.text[self.starts[k] : self.ends[k]]
        return bool(_ACRONYM.match(word)) and k not in self.places


def _forces(s: _Sentence) -> list[_Force]:
    lower = s.lower
    found: list[_Force] = []
    taken = -1  # last word index already inside a unit's of-phrase
    for i, low in enumerate(lower):
        if low not in FORCE_NOUNS or i <= taken:
            continue
        nxt = "" if s.ends_phrase(i) else lower[i + 1]
        if (
            low in _ADJECTIVAL
            and nxt
            and nxt not in _PHRASE_END
            and nxt not in FORCE_NOUNS
            and nxt not in DEPLOYMENT_VERBS
        ):
            continue
        if nxt in FORCE_NOUNS and nxt not in _UNITS:
            continue  # the next word is the head ("police officers", "army troops")
        if nxt in _COMPOUND_HEADS:
            continue  # "armed forces chief", "army headquarters": a modifier, not a force
        force = _unit_of(s, i) if low in _UNITS and nxt == "of" else None
        if force is not None:
            taken = _phrase_end(s, force.head)
            found.append(force)
            continue
        label: str | None = None
        first = i
        org = False
        after = s.org_after(i + 1)
        if after is not None:
            label, org = after, True  # "troops from the Economic Community of ..."
        elif i > 0 and s.is_org(i - 1):
            label, first, org = s.text(i - 1, i - 1), i - 1, True  # "CSTO members"
        elif low in _NEEDS_ORG:
            continue
        elif low in _UNITS:
            label = low
        else:
            first = _modifiers_start(s, i)
            if first > 0 and s.is_org(first - 1):
                # "the ECOWAS standby force": the organisation names the force.
                label, first, org = s.text(first - 1, first - 1), first - 1, True
            else:
                label = s.common_label(first, i)
        origin = s.nationals.get(first - 1)
        if origin is not None:
            first -= 1
        found.append(_Force(i, first, label, origin, org))
    return found


def _modifiers_start(s: _Sentence, head: int) -> int:
    """First word of the modifiers before a force noun ("riot police", "rapid reaction force")."""
    j = head
    while j > 0 and head - j < 3:
        k = j - 1
        if s.lower[k] not in FORCE_MODIFIERS or k in s.nationals:
            break
        # A capital inside the sentence starts a name ("Interior Ministry troops" is
        # a label of its own); at the start of the sentence it is only the capital.
        if k > 0 and s.view.text[s.starts[k]].isupper():
            break
        j = k
    return j


def _unit_of(s: _Sentence, i: int) -> _Force | None:
    """ "a brigade of airborne forces", "a contingent of 400 Rwandan soldiers": the force is
    what follows "of", after any figure and demonym; the figure is the size."""
    j = i + 2
    size = s.counts[0].get(j)
    if size is not None:
        j = s.index_at(size.end)
    origin = s.nationals.get(j)
    if origin is not None:
        j += 1
    if j < len(s.lower) and s.lower[j] == "the":
        j += 1
    k = j
    while k < len(s.lower) and s.lower[k] not in FORCE_NOUNS and k - j < 3:
        k += 1
    if k >= len(s.lower) or s.lower[k] not in FORCE_NOUNS:
        return None
    org = s.is_org(j)
    label = s.text(j, j) if org else s.common_label(j, k)
    first = i
    if origin is None and i > 0 and i - 1 in s.nationals:
        origin, first = s.nationals[i - 1], i - 1  # "a Russian brigade of paratroopers"
    return _Force(i, first, label, origin, org, size)


def _phrase_end(s: _Sentence, unit: int) -> int:
    """Last word of a unit's of-phrase, coordinated nouns included ("soldiers and police")."""
    k = unit + 2
    end = unit
    while k < len(s.lower) and k - unit <= 8:
        if s.lower[k] in FORCE_NOUNS:
            end = k
            if k + 2 < len(s.lower) and s.lower[k + 1] in {"and", "or"}:
                k += 2
                continue
            break
        k += 1
    return end


def _from_country(s: _Sentence, force: _Force) -> str | None:
    """Origin from "troops from Rwanda" (a country, not an organisation)."""
    k = force.head + 1
    if k < len(s.lower) and s.lower[k] == "from":
        for j in (k + 1, k + 2):
            place = s.places.get(j)
            if place is not None and place.kind in {"country", "demonym"}:
                return place.country
    return None


def _sender(s: _Sentence, verb: int) -> tuple[str | None, str | None]:
    """(origin country, organisation) of whoever does the sending, named before the verb."""
    text = s.view.text
    at = s.starts[verb]
    lo = max(0, at - _SENDER_CHARS)
    clause_start = max(text.rfind(ch, lo, at) for ch in ",;:(") + 1
    for k in range(verb - 1, max(-1, verb - 1 - _SENDER_SPAN), -1):
        if s.starts[k] < clause_start or s.lower[k] in _CLAUSE_BREAKS:
            break
        if s.is_org(k):
            return None, text[s.starts[k] : s.ends[k]]
        place = s.places.get(k)
        if place is not None:
            j = k + len(place.name.split())
            nxt = s.lower[j] if j < len(s.lower) else ""
            if place.kind == "country" or (place.kind == "demonym" and nxt in _SENDER_HEADS):
                return place.country, None
        if text[s.starts[k]].isupper():
            alias = _ALIAS.match(s.view.lower, s.starts[k])
            if alias is not None and alias.end() <= s.starts[verb]:
                return None, FORCE_ALIASES[alias.group()]
    return None, None


def _refused(s: _Sentence, lo: int, verb: int) -> bool:
    """True when negation, speculation or a condition governs the verb, or it is a return."""
    window = s.lower[max(0, min(lo, verb) - 4) : verb]
    if any(w in _SPECULATIVE or w in NEGATION_WORDS for w in window):
        return True
    after = s.lower[verb + 1 : verb + 12]
    if after and after[0] in _RETURNS:
        return True
    return any(w in _CONDITIONS for w in after)


def _status(s: _Sentence, verb: int) -> str:
    """Status implied by the verb and the words right before it."""
    lower = s.lower
    word = lower[verb]
    kind = DEPLOYMENT_VERBS[word]
    before = lower[max(0, verb - 3) : verb]
    if word in _PAST_ARRIVALS:
        return "arrived"
    if any(w in _UNDER_WAY for w in before):
        return "arriving"  # "began arriving", "started to arrive"
    if any(w in _ANNOUNCE for w in before):
        return "announced"
    if kind == "arriving":
        return "arriving"
    if kind == "arrived":
        return "arrived"  # "are stationed", "remain stationed"
    prev = before[-1] if before else ""
    if prev == "being":
        return "arriving"  # "are being deployed"
    if any(w in _PERFECT for w in before) and not word.endswith("ing"):
        return "arrived"  # "had been deployed in", "has sent"
    if prev in {"is", "are"}:
        # "NATO is sending" is a decision under way; "troops are deployed in" a presence.
        return "announced" if word.endswith("ing") else "arrived"
    return "unknown"


def _destination(s: _Sentence, verb: int, origin: str | None) -> tuple[str | None, str | None]:
    for place in s.places_between(verb, verb + _PLACE_SPAN):
        if place.kind == "demonym":
            continue
        if _after_destination_prep(s, s.index_at(place.start)):
            return place.country, place.name if place.kind == "city" else None
    for place in s.places_between(verb - _PLACE_SPAN, verb + _PLACE_SPAN):
        if place.kind == "demonym" or place.country == origin:
            continue
        k = s.index_at(place.start)
        if any(w in _NOT_DESTINATION for w in s.lower[max(0, k - 2) : k]):
            continue  # "from Almaty", "its border with South Sudan"
        return place.country, place.name if place.kind == "city" else None
    return s.doc.country, None


def _figure(s: _Sentence, force: _Force) -> Quantity | None:
    """The figure of a force phrase: inside it, or ending at most two words before it."""
    if force.size is not None:
        return force.size
    by_end = s.counts[1]
    for end in range(force.first - 2, force.first + 1):
        q = by_end.get(end)
        if q is not None and all(w in _BRIDGE for w in s.lower[end : force.first]):
            return q
    return None


def _after_destination_prep(s: _Sentence, k: int) -> bool:
    """True when word ``k`` follows "to", "in", "into" ..., directly or through a
    place noun phrase ("to the streets of Lagos", "into the border town of Uvira")."""
    for j in range(k - 1, max(-1, k - 6), -1):
        word = s.lower[j]
        if word in _DEST_PREPS:
            return True
        if word not in _PLACE_PHRASE:
            return False
    return False


def _size(s: _Sentence, force: _Force, q: Quantity | None) -> dict[str, object]:
    unit = s.lower[force.head]
    if q is None:
        return {"low": None, "high": None, "text": unit if unit in _UNITS else ""}
    if unit in _UNITS and force.size is None:
        # "two battalions": the figure counts units, not people.
        return {"low": None, "high": None, "text": s.view.text[q.start : s.ends[force.head]]}
    return {"low": q.low, "high": q.high, "text": q.text}


def _governing_verb(s: _Sentence, force: _Force) -> tuple[int, bool] | None:
    """The deployment verb whose patient is this force, and whether the verb comes first."""
    lower = s.lower
    lo = bisect_left(s.verbs, force.first - 5)
    hi = bisect_left(s.verbs, force.head + _MAX_GAP + 1)
    for v in s.verbs[lo:hi]:
        kind = DEPLOYMENT_VERBS[lower[v]]
        if v < force.first and force.first - v <= 5 and kind == "deployed":
            return v, True  # "sent 2,000 troops", "deployment of troops"
        if v > force.head and v - force.head <= _MAX_GAP:
            between = lower[force.head + 1 : v]
            if any(w in _CLAUSE_BREAKS for w in between) or any(
                GROUP_NOUNS.get(w, "security_forces") != "security_forces" for w in between
            ):
                continue  # another clause or another group is the subject of this verb
            if kind in {"arrived", "arriving"}:
                return v, False  # "troops arrived", "a contingent ... had arrived"
            if any(w in _PASSIVE for w in lower[max(force.head, v - 3) : v]):
                return v, False  # "troops were deployed", "members would be deployed"
            if v == force.head + 1 and v + 1 < len(lower) and lower[v + 1] in _INTRANSITIVE_PREPS:
                return v, False  # "soldiers deployed to the capital" (not "... tear gas")
    return None


def _withdrawal(lower: str) -> bool:
    """Whether the (lower-case) sentence speaks of a withdrawal (``_WITHDRAWAL``)."""
    for stem in _WITHDRAWAL_STEMS:
        if stem in lower:
            return _WITHDRAWAL.search(lower) is not None
    return False


def find_deployments(doc: Document) -> list[Draft]:
    """Every deployment the article reports, one per force phrase."""
    drafts: list[Draft] = []
    for index in sorted(doc.triggers("deployment")):
        view = doc.view(index)
        if _withdrawal(view.lower):
            continue  # a withdrawal is not a deployment (see the module docstring)
        s = _Sentence(doc, view)
        forces = _forces(s) if s.verbs else []
        # The background test reads every figure of the sentence: only pay for it when
        # the sentence has a candidate.
        if not forces or is_background(view):
            continue
        seen: set[str] = set()
        for force in forces:
            governed = _governing_verb(s, force)
            if governed is None:
                continue
            verb, active = governed
            figure = _figure(s, force)
            size = _size(s, force, figure)
            lo = force.first if figure is None else min(force.first, s.index_at(figure.start))
            if _refused(s, lo, verb):
                continue
            origin = force.origin or _from_country(s, force)
            label = force.label
            if active:
                sender_country, sender_org = _sender(s, verb)
                origin = origin or sender_country
                if sender_org is not None and not force.org:
                    label = sender_org  # "NATO is sending 700 soldiers"
            if label in seen:
                continue
            seen.add(label)
            country, location = _destination(s, verb, origin)
            drafts.append(
                Draft(
                    type="deployment",
                    start=view.start,
                    end=view.sentence.end,
                    key=(view.start + s.starts[force.head],),
                    fields={
                        "force": label,
                        "size": size,
                        "origin_country": origin,
                        "status": _status(s, verb),
                    },
                    country=country,
                    location=location,
                    confidence=0.85 if size["low"] is not None else 0.7,
                )
            )
    return drafts
