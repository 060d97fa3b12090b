"""Which casualty trigger governs which figure of a sentence.

A figure is tied to the nearest casualty trigger that governs it, tried in this order:

1. object-first: the trigger comes right before the figure ("killing 12",
   "arrested over 3,000", "rounded up about 150", "shot dead five");
2. a tally: a verb moves a toll named earlier in the clause to the figure ("the
   death toll from a week of unrest rose to 40"); in "rose from 26 to 40" the 26
   is superseded and yields nothing;
3. subject-first: the figure and its group come first and the trigger follows in
   the same clause ("18 security personnel and 26 armed criminals were killed");
4. a coordinated object shares its neighbour's trigger ("killed nine soldiers and
   two civilians").

Every look-up is bounded by a word window and found by bisection, so a sentence
costs time linear in its length even when it is a megabyte of figures.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from tocsin.contract.events import Outcome
from tocsin.extraction.context import clause_bounds
from tocsin.extraction.document import SentenceView, Word
from tocsin.extraction.lexicon import (
    CASUALTY_TRIGGERS,
    GROUP_MODIFIERS,
    GROUP_NOUNS,
    OBJECT_FIRST_TRIGGERS,
    PHRASAL_TRIGGERS,
    TALLY_HEADS,
    TALLY_VERBS,
    TALLY_WORDS,
)
from tocsin.extraction.quantities import Quantity

# Words that may stand between a subject figure and its trigger without breaking the link.
LINK_WORDS = frozenset(
    ["were", "was", "have", "has", "had", "been", "being", "are", "is", "reportedly",
     "also", "later", "allegedly", "since", "so", "far", "and", "more", "confirmed",
     "all", "both", "said", "to", "be", "believed", "feared", "left", "found", "shot",
     "lay", "now", "who", "got", "apparently", "subsequently", "seriously", "critically",
     "badly", "slightly", "fatally", "in", "the", "clashes", "violence", "unrest",
     "protests", "fighting", "attack", "attacks", "overnight", "yesterday", "today",
     "on", "during", "by", "police", "security", "forces", "army", "troops", "taken",
     "into", "remain", "remained", "remains"]
)  # fmt: skip
_MAX_SUBJECT_GAP = 12  # words between a subject figure and its trigger
_MAX_OBJECT_GAP = 4  # words between an object-first trigger and its figure
_MAX_TALLY_LEAD = 6  # words between a tally verb and its figure ("has now risen from 26 to")
_MAX_TALLY_SPAN = 14  # words between a tally head ("toll") and its verb
_OF_PHRASE = 3  # words of an "of" phrase after a group noun that stay part of the group
_WEAK_TRIGGERS = {
    # These forms only mean a casualty in company: "lost their lives", "taken into custody".
    "lives": ("lost", "claimed"),
    "custody": ("into", "in"),
    "die": ("to",),
}
# Between a tally verb and its figure: "rose to 40", "has now reached 52", "rose from 26 to 40".
_TALLY_LEAD = frozenset(["to", "at", "now", "has", "have", "had", "already", "from"])


@dataclass(frozen=True, slots=True)
class Trigger:
    """A word (or two-word phrase) that reports a casualty outcome."""

    index: int  # first word of the trigger
    tail: int  # last word: the particle of "rounded up", else == index
    outcome: Outcome
    word: str
    object_first: bool  # may take its figure after it ("killing 12", "shot dead five")


@dataclass(frozen=True, slots=True)
class Figure:
    """A count of the sentence with the word indexes it covers."""

    quantity: Quantity
    first: int  # index of its first word
    after: int  # index of the first word after it


@dataclass(frozen=True, slots=True)
class Link:
    """A figure and the trigger that governs it."""

    figure: Figure
    trigger: Trigger


def find_triggers(view: SentenceView) -> list[Trigger]:
    """The casualty triggers of a sentence, in word order."""
    found = []
    words = view.words
    for i, w in enumerate(words):
        outcome = CASUALTY_TRIGGERS.get(w.lower)
        if outcome is None:
            continue
        after = words[i + 1].lower if i + 1 < len(words) else ""
        tail = i
        if w.lower in PHRASAL_TRIGGERS:
            if after != PHRASAL_TRIGGERS[w.lower]:
                continue
            tail = i + 1
        elif w.lower in _WEAK_TRIGGERS:
            before = {x.lower for x in words[max(0, i - 3) : i]}
            if not before.intersection(_WEAK_TRIGGERS[w.lower]):
                continue
        elif w.lower == "death" and after != "toll":
            continue
        object_first = (
            w.lower in OBJECT_FIRST_TRIGGERS
            or tail > i
            # "shot dead five": "dead" alone never takes an object ("18 dead").
            or (w.lower == "dead" and i > 0 and words[i - 1].lower == "shot")
        )
        found.append(Trigger(i, tail, outcome, w.lower, object_first))
    return found


def find_figures(view: SentenceView, counts: list[Quantity]) -> list[Figure]:
    """The counts with their word spans."""
    starts = [w.start for w in view.words]
    return [
        Figure(q, bisect_left(starts, q.start), bisect_left(starts, q.end, lo=0)) for q in counts
    ]


def link(view: SentenceView, figures: list[Figure], triggers: list[Trigger]) -> list[Link]:
    """Tie figures to the triggers that govern them (module doc), in figure order."""
    covered = {j for f in figures for j in range(f.first, f.after)}
    tails = [t.tail for t in triggers]
    indexes = [t.index for t in triggers]
    linked: dict[int, Link] = {}  # by figure position
    claimed: set[int] = set()  # trigger indexes taken by object figures
    superseded: set[int] = set()  # word indexes of figures a tally replaced
    for n, f in enumerate(figures):
        trigger = _object_trigger(view, f.first, triggers, tails)
        if trigger is not None:
            claimed.add(trigger.index)
            linked[n] = Link(f, trigger)
    for n, f in enumerate(figures):
        if n in linked:
            continue
        tally = _tally_trigger(view, f.first, triggers, indexes, covered)
        if tally is not None:
            linked[n] = Link(f, tally[0])
            superseded.update(tally[1])
    for n, f in enumerate(figures):
        if n in linked or f.first in superseded:
            continue
        trigger = _subject_trigger(view, f, triggers, indexes, claimed, covered)
        if trigger is not None:
            linked[n] = Link(f, trigger)
    previous: Link | None = None
    for n, f in enumerate(figures):
        if n in linked:
            previous = linked[n]
        elif previous is not None and f.first not in superseded:
            trigger = _coordinated(view, f, previous)
            if trigger is not None:
                previous = linked[n] = Link(f, trigger)
    return [linked[n] for n in sorted(linked) if figures[n].first not in superseded]


def _object_trigger(
    view: SentenceView, q_index: int, triggers: list[Trigger], tails: list[int]
) -> Trigger | None:
    lo = bisect_left(tails, q_index - _MAX_OBJECT_GAP - 1)
    for k in range(bisect_left(tails, q_index) - 1, lo - 1, -1):
        t = triggers[k]
        if not t.object_first:
            continue
        between = view.words[t.tail + 1 : q_index]
        if all(w.lower in TALLY_WORDS for w in between):
            return t
    return None


def _tally_trigger(
    view: SentenceView,
    q_index: int,
    triggers: list[Trigger],
    indexes: list[int],
    covered: set[int],
) -> tuple[Trigger, set[int]] | None:
    """The trigger of a tally that a verb moves to this figure, and the words it supersedes.

    "The death toll from a week of unrest rose to 40": the verb stands right before
    the figure, the head ("toll", "number of people killed") earlier in the clause.
    """
    words = view.words
    j, old = q_index - 1, set()
    stop = max(-1, q_index - 1 - _MAX_TALLY_LEAD)
    while j > stop and (words[j].lower in _TALLY_LEAD or j in covered):
        if j in covered:
            old.add(j)  # "rose from 26 to 40": 26 is the figure being replaced
        j -= 1
    if j < 0 or words[j].lower not in TALLY_VERBS:
        return None
    verb = j
    clause_start, _ = clause_bounds(view, words[verb].start)
    for h in range(verb - 1, max(-1, verb - 1 - _MAX_TALLY_SPAN), -1):
        if words[h].start < clause_start or h in covered:
            return None  # another figure between head and verb is a report of its own
        if words[h].lower not in TALLY_HEADS:
            continue
        # The trigger naming what the tally counts: "death toll", "number of people killed".
        near = triggers[bisect_left(indexes, h - 2) : bisect_left(indexes, verb)]
        if near:
            return min(near, key=lambda t: abs(t.index - h)), old
        if words[h].lower == "toll":
            return Trigger(h, h, "killed", "toll", True), old
        return None
    return None


def _subject_trigger(
    view: SentenceView,
    f: Figure,
    triggers: list[Trigger],
    indexes: list[int],
    claimed: set[int],
    covered: set[int],
) -> Trigger | None:
    _, clause_end = clause_bounds(view, f.quantity.start)
    for k in range(bisect_left(indexes, f.first), len(triggers)):
        t = triggers[k]
        if t.index in claimed:
            if t.index - f.first > _MAX_SUBJECT_GAP:
                return None
            continue
        if view.words[t.index].start > clause_end or t.index - f.first > _MAX_SUBJECT_GAP:
            return None
        return t if _linked(view, f.first, t.index, covered) else None
    return None


def _linked(view: SentenceView, q_index: int, t_index: int, covered: set[int]) -> bool:
    """True when only group words, auxiliaries and other figures stand between.

    An "of" phrase after a group noun belongs to the group ("two senior officials of
    the ruling party were killed"), so a few words of it are free.
    """
    unknown = 0
    free = 0
    for j in range(q_index + 1, t_index):
        w = view.words[j].lower
        if j in covered or w in LINK_WORDS or w in GROUP_NOUNS or w in GROUP_MODIFIERS:
            if w == "of" and view.words[j - 1].lower in GROUP_NOUNS:
                free = _OF_PHRASE
            continue
        if free:
            free -= 1
            continue
        unknown += 1
        if unknown > 1:
            return False
    return True


def _coordinated(view: SentenceView, f: Figure, previous: Link) -> Trigger | None:
    """The trigger of the previous object figure when this one is coordinated with it.

    "killed nine soldiers and two civilians": only group words may stand between the
    figures, and "and" right before this one; "killing 12 people, including four
    policemen" names a subset and is no second report.
    """
    trigger = previous.trigger
    if not trigger.object_first or trigger.index > previous.figure.first:
        return None
    between: list[Word] = view.words[previous.figure.after : f.first]
    if not between or between[-1].lower != "and":
        return None
    if all(w.lower in GROUP_NOUNS or w.lower in GROUP_MODIFIERS for w in between[:-1]):
        return trigger
    return None
