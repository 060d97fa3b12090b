"""Deployments: troops or security forces sent to, arriving in, or stationed in a place.

A deployment needs a force phrase ("3,600 CSTO members", "a brigade of airborne
forces") that is the thing moved: the object of a sending verb ("sent 2,000
troops", "deployment of troops"), or the subject of a passive or arrival verb
("troops were deployed", "a contingent ... had arrived"). Police deploying tear gas
is not a deployment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tocsin.extraction.context import is_background
from tocsin.extraction.document import Document, SentenceView
from tocsin.extraction.drafts import Draft
from tocsin.extraction.lexicon import DEPLOYMENT_VERBS, FORCE_ALIASES, FORCE_NOUNS, NEGATION_WORDS

_PREFILTER = re.compile(
    r"\b(?:" + "|".join(sorted(map(re.escape, DEPLOYMENT_VERBS), key=len, reverse=True)) + r")"
)
_ALIAS = re.compile(
    r"\b(?:" + "|".join(sorted(map(re.escape, FORCE_ALIASES), key=len, reverse=True)) + r")\b"
)
_ACRONYM = re.compile(r"^[A-Z]{2,6}$")
# Force nouns that are often adjectives ("military alliance", "police station").
_ADJECTIVAL = frozenset(["military", "army", "police", "special", "security", "guard", "force"])
_UNITS = frozenset(
    ["brigade", "brigades", "battalion", "battalions", "contingent", "contingents", "regiment",
     "division", "company", "units", "unit"]
)  # fmt: skip
_NEEDS_ORG = frozenset(["members", "units", "unit", "company", "division"])
_PHRASE_END = frozenset(
    ["were", "was", "had", "have", "has", "would", "will", "to", "in", "into", "from", "and",
     "are", "is", "be", "been", "being", "arrived", "arrive", "arriving", "of", "on", "at",
     "for", "who", "that", "which", "had", "began", "started", "also", "already"]
)  # fmt: skip
_PASSIVE = frozenset(["were", "was", "be", "been", "being", "is", "are", "get", "got"])
_ANNOUNCE = frozenset(
    ["would", "will", "to", "plans", "planned", "agreed", "promised", "pledged", "announced",
     "intends", "decided", "approved", "ordered", "is", "are"]
)  # fmt: skip
_SPECULATIVE = frozenset(
    ["could", "might", "may", "threatened", "threatens", "considering", "considered",
     "refused", "if", "unless", "rejected", "ruled", "whether", "possible", "possibly",
     "rumours", "rumors"]
)  # fmt: skip
_DEST_PREPS = frozenset(["to", "in", "into", "inside", "across", "toward", "towards", "within"])
_MAX_GAP = 20


@dataclass(frozen=True, slots=True)
class _Force:
    head: int  # word index of the head noun
    first: int  # first word index of the phrase
    label: str
    origin: str | None


def _org_label(view: SentenceView, start_index: int) -> str | None:
    """An organisation named right after a unit ("a contingent from the CSTO")."""
    words = view.words
    if start_index >= len(words):
        return None
    rest = view.text[words[start_index].start : words[start_index].start + 120]
    m = re.match(r"(?:from|of)\s+(?:the\s+)?(.+)", rest)
    if not m:
        return None
    tail = m.group(1)
    alias = _ALIAS.match(tail.lower())
    if alias:
        return FORCE_ALIASES[alias.group()]
    token = tail.split(maxsplit=1)[0].strip(",.;:()")
    return token if _ACRONYM.match(token) else None


def _forces(doc: Document, view: SentenceView) -> list[_Force]:
    words = view.words
    demonyms = {view.word_index_at(p.start): p.country for p in view.places if p.kind == "demonym"}
    found: list[_Force] = []
    for i, w in enumerate(words):
        if w.lower not in FORCE_NOUNS:
            continue
        nxt = words[i + 1].lower if i + 1 < len(words) else ""
        if w.lower in _ADJECTIVAL and nxt and nxt not in _PHRASE_END and nxt not in FORCE_NOUNS:
            continue
        if nxt in FORCE_NOUNS and nxt not in _UNITS:
            continue  # the next word is the head ("police officers", "army troops")
        if found and found[-1].head >= i - 3 and view.words[found[-1].head].lower in _UNITS:
            continue  # "a brigade of airborne forces": the unit already took this phrase
        prev = words[i - 1] if i else None
        org = view.text[prev.start : prev.end] if prev is not None else ""
        label: str | None = None
        first = i
        if w.lower in _UNITS:
            label = _org_label(view, i + 1)
            if label is None and nxt == "of":
                # "a brigade of airborne forces": the force is what follows "of".
                j = i + 2
                while j < len(words) and words[j].lower not in FORCE_NOUNS and j - i < 5:
                    j += 1
                if j < len(words) and words[j].lower in FORCE_NOUNS:
                    label = view.text[words[i + 2].start : words[j].end]
            if label is None:
                label = w.lower
        elif prev is not None and _ACRONYM.match(org):
            label, first = org, i - 1
        elif w.lower in _NEEDS_ORG:
            continue
        else:
            j = i
            # Take up to two lower-case modifiers ("riot police", "national guard troops").
            while j > 0 and i - j < 2 and words[j - 1].lower not in _PHRASE_END:
                cand = words[j - 1]
                if (
                    not cand.lower.isalpha()
                    or view.text[cand.start].isupper()
                    or (j - 1 in demonyms)
                ):
                    break
                if cand.lower in {"a", "an", "the", "some", "more", "of", "about", "around"}:
                    break
                j -= 1
            first = j
            label = view.text[words[j].start : w.end]
        origin = demonyms.get(first - 1)
        if origin is not None:
            first -= 1
        found.append(_Force(head=i, first=first, label=label, origin=origin))
    return found


def _status(view: SentenceView, verb_index: int) -> str | None:
    """Status implied by the verb and what precedes it; None when speculative or negated."""
    words = view.words
    before = [w.lower for w in words[max(0, verb_index - 4) : verb_index]]
    if any(w in _SPECULATIVE or w in NEGATION_WORDS for w in before):
        return None
    verb = words[verb_index].lower
    kind = DEPLOYMENT_VERBS[verb]
    if any(w in _ANNOUNCE for w in before[-3:]) and verb not in {"arrived", "landed"}:
        return "announced"
    if kind == "arrived":
        return "arrived"
    if kind == "arriving":
        return "arriving"
    if verb in {"deployed", "stationed"} and any(w in {"had", "have", "has"} for w in before):
        return "arrived"
    return "unknown"


def _destination(
    doc: Document, view: SentenceView, verb_index: int, origin: str | None
) -> tuple[str | None, str | None]:
    words = view.words
    after = view.words[verb_index].start
    for place in view.places:
        if place.start < after or place.kind == "demonym":
            continue
        k = view.word_index_at(place.start)
        if any(w.lower in _DEST_PREPS for w in words[max(0, k - 2) : k]):
            return place.country, place.name if place.kind == "city" else None
    for place in view.places:
        if place.kind != "demonym" and place.country != origin:
            return place.country, place.name if place.kind == "city" else None
    return doc.country, None


def _size(view: SentenceView, force: _Force) -> dict[str, object]:
    for q in view.quantities:
        if q.kind != "count":
            continue
        end_index = view.word_index_at(q.end)
        if 0 <= force.first - end_index <= 2:
            return {"low": q.low, "high": q.high, "text": q.text}
    unit = view.words[force.head].lower
    return {"low": None, "high": None, "text": unit if unit in _UNITS else ""}


def find_deployments(doc: Document) -> list[Draft]:
    """Every deployment the article reports, one per force phrase."""
    drafts: list[Draft] = []
    for view in doc.views:
        if not _PREFILTER.search(view.lower) or is_background(view):
            continue
        verbs = [i for i, w in enumerate(view.words) if w.lower in DEPLOYMENT_VERBS]
        if not verbs:
            continue
        seen: set[str] = set()
        for force in _forces(doc, view):
            verb = _governing_verb(view, force, verbs)
            if verb is None or force.label in seen:
                continue
            status = _status(view, verb)
            if status is None:
                continue
            seen.add(force.label)
            country, location = _destination(doc, view, verb, force.origin)
            size = _size(view, force)
            drafts.append(
                Draft(
                    type="deployment",
                    start=view.start,
                    end=view.sentence.end,
                    key=(view.start + view.words[force.head].start,),
                    fields={
                        "force": force.label,
                        "size": size,
                        "origin_country": force.origin,
                        "status": status,
                    },
                    country=country,
                    location=location,
                    confidence=0.85 if size["low"] is not None else 0.7,
                )
            )
    return drafts


def _governing_verb(view: SentenceView, force: _Force, verbs: list[int]) -> int | None:
    """The deployment verb whose patient is this force, if any."""
    words = view.words
    for v in verbs:
        verb = words[v].lower
        if v < force.first and force.first - v <= 5 and DEPLOYMENT_VERBS[verb] == "deployed":
            return v  # "sent 2,000 troops", "deployment of troops"
        if v > force.head and v - force.head <= _MAX_GAP:
            if DEPLOYMENT_VERBS[verb] in {"arrived", "arriving"}:
                return v  # "troops arrived", "a contingent ... had arrived"
            if any(w.lower in _PASSIVE for w in words[max(force.head, v - 3) : v]):
                return v  # "troops were deployed", "members would be deployed"
    return None
