"""Casualty reports: who was killed, injured, arrested or went missing, and how many.

A figure is tied to the nearest casualty trigger that governs it:
- object-first: the trigger comes right before the figure ("killing 12",
  "arrested over 3,000", "the death toll rose to 40");
- subject-first: the figure and its group come first and the trigger follows in
  the same clause ("18 security personnel and 26 armed criminals were killed").
Negated, hypothetical and background sentences yield nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tocsin.contract.events import Group, Outcome
from tocsin.extraction.attribution import find_attribution
from tocsin.extraction.context import clause_bounds, is_background, is_hypothetical, is_negated
from tocsin.extraction.document import Document, SentenceView
from tocsin.extraction.drafts import Draft
from tocsin.extraction.lexicon import (
    CASUALTY_TRIGGERS,
    GROUP_MODIFIERS,
    GROUP_NOUNS,
    OBJECT_FIRST_TRIGGERS,
    TALLY_WORDS,
)
from tocsin.extraction.quantities import Quantity

_PREFILTER = re.compile(
    r"\b(?:" + "|".join(sorted(map(re.escape, CASUALTY_TRIGGERS), key=len, reverse=True)) + r")\b"
)
# Words that may stand between a subject figure and its trigger without breaking the link.
_LINK_WORDS = frozenset(
    ["were", "was", "have", "has", "had", "been", "being", "are", "is", "reportedly",
     "also", "later", "allegedly", "since", "so", "far", "and", "more", "confirmed",
     "all", "both", "said", "to", "be", "believed", "feared", "left", "found", "shot",
     "lay", "now", "who", "got", "apparently", "subsequently", "seriously", "critically",
     "badly", "slightly", "fatally", "in", "the", "clashes", "violence", "unrest",
     "protests", "fighting", "attack", "attacks", "overnight", "yesterday", "today",
     "on", "during", "by", "police", "security", "forces", "army", "troops"]
)  # fmt: skip
_MAX_SUBJECT_GAP = 12  # words between a subject figure and its trigger
_MAX_OBJECT_GAP = 4  # words between an object-first trigger and its figure
_WEAK_TRIGGERS = {
    # These forms only mean a casualty in company: "lost their lives", "rounded up".
    "lives": ("lost", "claimed"),
    "rounded": (),
    "custody": ("into", "in"),
    "die": ("to",),
}


@dataclass(frozen=True, slots=True)
class _Trigger:
    index: int
    outcome: Outcome
    word: str


def _triggers(view: SentenceView) -> list[_Trigger]:
    found = []
    words = view.words
    for i, w in enumerate(words):
        outcome = CASUALTY_TRIGGERS.get(w.lower)
        if outcome is None:
            continue
        if w.lower in _WEAK_TRIGGERS:
            before = {x.lower for x in words[max(0, i - 3) : i]}
            after = words[i + 1].lower if i + 1 < len(words) else ""
            needed = _WEAK_TRIGGERS[w.lower]
            if w.lower == "rounded":
                if after != "up":
                    continue
            elif not before.intersection(needed):
                continue
        if w.lower == "death" and not (i + 1 < len(words) and words[i + 1].lower == "toll"):
            continue
        found.append(_Trigger(i, outcome, w.lower))
    return found


def _group(view: SentenceView, q: Quantity) -> tuple[Group, str | None] | None:
    """The group a figure counts, or None when the figure counts something non-human."""
    words = view.words
    i = view.word_index_at(q.end)
    phrase: list[int] = []
    head: Group | None = None
    head_at = -1
    unknown = 0
    while i < len(words) and len(phrase) < 7:
        w = words[i].lower
        # Stop at punctuation between words (a comma or quote closes the noun phrase).
        gap = view.text[words[i - 1].end : words[i].start] if phrase else ""
        if "," in gap or ";" in gap:
            break
        if w in CASUALTY_TRIGGERS or w in {"were", "was", "have", "has", "had", "are", "and"}:
            break
        if w in GROUP_NOUNS:
            group = GROUP_NOUNS[w]
            if head is None or head == "unspecified" or group != "unspecified":
                head = group if (head is None or group != "unspecified") else head
            head_at = len(phrase)
            phrase.append(i)
        elif w in GROUP_MODIFIERS:
            phrase.append(i)
        elif (
            unknown < 2
            and i + 1 < len(words)
            and (words[i + 1].lower in GROUP_NOUNS or words[i + 1].lower in GROUP_MODIFIERS)
        ):
            unknown += 1
            phrase.append(i)
        else:
            break
        i += 1
    if head is None:
        # Nothing after the figure ("hundreds more injured", "18 dead") is fine; a noun
        # we do not know as human ("3,000 jobs", "200 sheep") is not.
        nxt = view.word_index_at(q.end)
        if (
            nxt < len(words)
            and words[nxt].lower not in CASUALTY_TRIGGERS
            and words[nxt].lower not in _LINK_WORDS
        ):
            return None
        return "unspecified", None
    kept = [words[j] for j in phrase[: head_at + 1]]
    while kept and kept[0].lower in {"of", "the", "more", "other", "whom", "them", "among"}:
        kept = kept[1:]
    text = view.text[kept[0].start : kept[-1].end] if kept else None
    return head, text


def _object_trigger(view: SentenceView, q_index: int, triggers: list[_Trigger]) -> _Trigger | None:
    for t in reversed(triggers):
        if t.index >= q_index or q_index - t.index > _MAX_OBJECT_GAP + 1:
            continue
        if t.word not in OBJECT_FIRST_TRIGGERS:
            continue
        between = [w.lower for w in view.words[t.index + 1 : q_index]]
        if all(w in TALLY_WORDS for w in between):
            return t
    return None


def _linked(view: SentenceView, q_index: int, t_index: int, figures: set[int]) -> bool:
    """True when only group words, auxiliaries and other figures stand between."""
    unknown = 0
    for j in range(q_index + 1, t_index):
        w = view.words[j].lower
        if j in figures or w in _LINK_WORDS or w in GROUP_NOUNS or w in GROUP_MODIFIERS:
            continue
        unknown += 1
        if unknown > 1:
            return False
    return True


def _subject_trigger(
    view: SentenceView,
    q: Quantity,
    q_index: int,
    triggers: list[_Trigger],
    claimed: set[int],
    figures: set[int],
) -> _Trigger | None:
    _, clause_end = clause_bounds(view, q.start)
    for t in triggers:
        if t.index < q_index or t.index in claimed:
            continue
        if view.words[t.index].start > clause_end or t.index - q_index > _MAX_SUBJECT_GAP:
            return None
        return t if _linked(view, q_index, t.index, figures) else None
    return None


def _confidence(q: Quantity, group: Group, attributed: bool) -> float:
    score = 0.9 if not q.vague else 0.75
    if group == "unspecified":
        score -= 0.1
    if not attributed:
        score -= 0.05
    return round(score, 2)


def _place(doc: Document, view: SentenceView) -> tuple[str | None, str | None]:
    cities = [p for p in view.places if p.kind == "city"]
    countries = [p for p in view.places if p.kind == "country"]
    if cities:
        return cities[0].country, cities[0].name
    if countries:
        return countries[0].country, None
    demonyms = [p for p in view.places if p.kind == "demonym"]
    if doc.country is None and demonyms:
        return demonyms[0].country, None
    return doc.country, None


def find_casualties(doc: Document) -> list[Draft]:
    """Every casualty report of the article, in reading order."""
    drafts: list[Draft] = []
    for view in doc.views:
        if not _PREFILTER.search(view.lower) or is_background(view):
            continue
        triggers = _triggers(view)
        if not triggers:
            continue
        counts = [q for q in view.quantities if q.kind == "count"]
        if not counts:
            continue
        claimed: set[int] = set()
        pairs: list[tuple[Quantity, _Trigger, int]] = []
        for q in counts:
            q_index = view.word_index_at(q.start)
            trigger = _object_trigger(view, q_index, triggers)
            if trigger is not None:
                claimed.add(trigger.index)
                pairs.append((q, trigger, q_index))
        taken = {id(q) for q, _, _ in pairs}
        # Word indexes covered by figures, so "18 police and 26 gunmen were killed" links both.
        figures = {
            j for q in counts for j in range(view.word_index_at(q.start), view.word_index_at(q.end))
        }
        for q in counts:
            if id(q) in taken:
                continue
            q_index = view.word_index_at(q.start)
            trigger = _subject_trigger(view, q, q_index, triggers, claimed, figures)
            if trigger is not None:
                pairs.append((q, trigger, q_index))
        attribution = find_attribution(view) if pairs else None
        country, location = _place(doc, view) if pairs else (None, None)
        for q, trigger, q_index in sorted(pairs, key=lambda p: p[0].start):
            if q.low is None and q.high is None:
                continue
            if is_negated(view, q_index, trigger.index) or is_hypothetical(view, trigger.index):
                continue
            if is_hypothetical(view, q_index, span=3):
                continue
            group = _group(view, q)
            if group is None:
                continue
            group_name, group_text = group
            drafts.append(
                Draft(
                    type="casualty",
                    start=view.start,
                    end=view.sentence.end,
                    key=(view.start + q.start, trigger.outcome),
                    fields={
                        "outcome": trigger.outcome,
                        "count": {"low": q.low, "high": q.high, "text": q.text},
                        "group": group_name,
                        "group_text": group_text,
                        "attributed_to": attribution,
                    },
                    country=country,
                    location=location,
                    confidence=_confidence(q, group_name, attribution is not None),
                )
            )
    return drafts
