"""Casualty reports: who was killed, injured, arrested or went missing, and how many.

Which trigger governs which figure is decided in ``casualty_links``; this module
reads each linked figure's group, drops what is not a report of new casualties
(negated, denied, hypothetical, disease, background, non-human counts) and builds
the drafts.
"""

from __future__ import annotations

from tocsin.contract.events import Group
from tocsin.extraction.attribution import find_attribution
from tocsin.extraction.casualty_links import (
    LINK_WORDS,
    Figure,
    Trigger,
    find_figures,
    find_triggers,
    link,
)
from tocsin.extraction.context import is_background, is_hypothetical, is_negated
from tocsin.extraction.document import Document, SentenceView
from tocsin.extraction.drafts import Draft
from tocsin.extraction.lexicon import CASUALTY_TRIGGERS, DISEASE_WORDS, GROUP_MODIFIERS, GROUP_NOUNS
from tocsin.extraction.quantities import Quantity


def _group(view: SentenceView, figure: Figure) -> tuple[Group, str | None] | None:
    """The group a figure counts, or None when the figure counts something non-human."""
    words, starts, ends = view.words, view.word_starts, view.word_ends
    i = figure.after
    phrase: list[int] = []
    head: Group | None = None
    head_at = -1
    unknown = 0
    closed = False  # punctuation right after the figure: no noun follows it
    previous_end = figure.quantity.end
    while i < len(words) and len(phrase) < 7:
        w = words[i]
        # Stop at punctuation between words (a comma or quote closes the noun phrase):
        # in "rose to 40, officials said" the officials are the source, not the dead.
        gap = view.text[previous_end : starts[i]]
        if "," in gap or ";" in gap or ":" in gap:
            closed = previous_end == figure.quantity.end
            break
        previous_end = ends[i]
        if not phrase and w in CASUALTY_TRIGGERS and _names_group(words, i + 1):
            i += 1  # "30 injured demonstrators": the trigger is an adjective of the group
            continue
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
            and (words[i + 1] in GROUP_NOUNS or words[i + 1] in GROUP_MODIFIERS)
        ):
            unknown += 1
            phrase.append(i)
        else:
            break
        i += 1
    if head is None:
        # Nothing after the figure ("hundreds more injured", "18 dead", "rose to 40, the
        # ministry said") is fine; a noun we do not know as human ("3,000 jobs", "200
        # sheep") is not.
        nxt = figure.after
        if (
            not closed
            and nxt < len(words)
            and words[nxt] not in CASUALTY_TRIGGERS
            and words[nxt] not in LINK_WORDS
        ):
            return None
        return "unspecified", None
    kept = phrase[: head_at + 1]
    while kept and words[kept[0]] in {"of", "the", "more", "other", "whom", "them", "among"}:
        kept = kept[1:]
    text = view.text[starts[kept[0]] : ends[kept[-1]]] if kept else None
    return head, text


def _names_group(words: list[str], i: int) -> bool:
    """True when a group noun starts at word ``i``, possibly after one modifier."""
    for j in (i, i + 1):
        if j >= len(words):
            return False
        if words[j] in GROUP_NOUNS:
            return True
        if words[j] not in GROUP_MODIFIERS:
            return False
    return False


def _of_disease(view: SentenceView, trigger: Trigger) -> bool:
    """True when an illness is the cause: "the pandemic killed", "died of cholera"."""
    words = view.words
    before = words[max(0, trigger.first - 6) : trigger.first]
    after = words[trigger.tail + 1 : trigger.tail + 4]
    return not DISEASE_WORDS.isdisjoint(before) or (
        bool(after) and after[0] in {"of", "from"} and not DISEASE_WORDS.isdisjoint(after[1:])
    )


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
    for index in sorted(doc.triggers("casualty")):
        view = doc.view(index)
        if is_background(view):
            continue
        triggers = find_triggers(view)
        if not triggers:
            continue
        counts = [q for q in view.quantities if q.kind == "count"]
        if not counts:
            continue
        links = link(view, find_figures(view, counts), triggers)
        attribution = find_attribution(view) if links else None
        country, location = _place(doc, view) if links else (None, None)
        for found in links:
            q, trigger, q_index = found.figure.quantity, found.trigger, found.figure.first
            if q.low is None and q.high is None:
                continue
            if _not_reported(view, q_index, trigger):
                continue
            group = _group(view, found.figure)
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


def _not_reported(view: SentenceView, q_index: int, trigger: Trigger) -> bool:
    """True when the figure is denied, negated, hypothetical or counts deaths from disease."""
    return (
        is_negated(view, q_index, trigger.first)
        or is_hypothetical(view, trigger.first)
        or is_hypothetical(view, q_index, span=3)
        or (trigger.outcome in {"killed", "injured"} and _of_disease(view, trigger))
    )
