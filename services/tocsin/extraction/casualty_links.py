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
from typing import Final

from tocsin.contract.events import Outcome
from tocsin.extraction.context import clause_bounds
from tocsin.extraction.document import SentenceView
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
LINK_WORDS: Final = frozenset(
    ["were", "was", "have", "has", "had", "been", "being", "are", "is", "reportedly",
     "also", "later", "allegedly", "since", "so", "far", "and", "more", "confirmed",
     "all", "both", "said", "to", "be", "believed", "feared", "left", "found", "shot",
     "lay", "now", "who", "got", "apparently", "subsequently", "seriously", "critically",
     "badly", "slightly", "fatally", "in", "the", "clashes", "violence", "unrest",
     "protests", "fighting", "attack", "attacks", "overnight", "yesterday", "today",
     "on", "during", "by", "police", "security", "forces", "army", "troops", "taken",
     "into", "remain", "remained", "remains"]
)  # fmt: skip
_MAX_SUBJECT_GAP: Final = 12  # words between a subject figure and its trigger
_MAX_OBJECT_GAP: Final = 4  # words between an object-first trigger and its figure
_MAX_TALLY_LEAD: Final = 8  # words between a tally verb and its figure ("from 12 on Monday to")
_MAX_TALLY_SPAN: Final = 14  # words between a tally head ("toll") and its verb
_OF_PHRASE: Final = 3  # words of an "of" phrase after a group noun that stay part of the group
_WEAK_TRIGGERS: Final = {
    # These forms only mean a casualty in company: "lost their lives", "taken into custody".
    "lives": ("lost", "claimed"),
    "custody": ("into", "in"),
    "die": ("to",),
}
# Words that make a figure part of another one: "including three children", "30 of them".
_SUBSET_BEFORE: Final = frozenset(["including", "includes", "included"])
_PRONOUN_WHOLE: Final = frozenset(["them", "whom", "those"])
# Verbs that carry a tally to a new figure from before its head: "bringing the toll to 40".
_BRINGING: Final = frozenset(
    ["bringing", "bring", "brings", "brought", "taking", "takes", "took", "pushing", "pushed"]
)
# Active verb forms name the victims after them, never before: in "police fired on 5,000
# demonstrators, killing them" and "12 gunmen kill 3 villagers" the first figure is no toll.
_ACTIVE_FORMS: Final = frozenset(
    ["kill", "kills", "killing", "injuring", "wounding", "arresting", "detaining"]
)
# Words that belong to a weak trigger's phrase and so never break a subject link.
_COMPANY: Final = {"lives": frozenset(["lost", "their", "his", "her"])}
# Between a tally verb and its figure: "rose to 40", "has now reached 52", "rose from 26 to 40".
_TALLY_LEAD: Final = frozenset(
    ["to", "at", "now", "has", "have", "had", "already", "from", "on", "by"]
)


# Plain classes with Final attributes, like the other records of the core: native classes
# once compiled (see drafts.Draft).
class Trigger:
    """A word (or two-word phrase) that reports a casualty outcome."""

    __slots__ = ("first", "object_first", "outcome", "tail", "word")

    def __init__(
        self, first: int, tail: int, outcome: Outcome, word: str, object_first: bool
    ) -> None:
        self.first: Final = first  # index of the first word of the trigger
        self.tail: Final = tail  # last word: the particle of "rounded up", else == first
        self.outcome: Final = outcome
        self.word: Final = word
        # May take its figure after it ("killing 12", "shot dead five").
        self.object_first: Final = object_first


class Figure:
    """A count of the sentence with the word indexes it covers."""

    __slots__ = ("after", "first", "quantity")

    def __init__(self, quantity: Quantity, first: int, after: int) -> None:
        self.quantity: Final = quantity
        self.first: Final = first  # index of its first word
        self.after: Final = after  # index of the first word after it


class Link:
    """A figure and the trigger that governs it."""

    __slots__ = ("figure", "trigger")

    def __init__(self, figure: Figure, trigger: Trigger) -> None:
        self.figure: Final = figure
        self.trigger: Final = trigger


def find_triggers(view: SentenceView) -> list[Trigger]:
    """The casualty triggers of a sentence, in word order."""
    found = []
    words = view.words
    for i, w in enumerate(words):
        outcome = CASUALTY_TRIGGERS.get(w)
        if outcome is None:
            continue
        after = words[i + 1] if i + 1 < len(words) else ""
        before = set(words[max(0, i - 3) : i])
        tail = i
        if w in PHRASAL_TRIGGERS:
            if after != PHRASAL_TRIGGERS[w]:
                continue
            tail = i + 1
        elif w in _WEAK_TRIGGERS:
            if not before.intersection(_WEAK_TRIGGERS[w]):
                continue
        elif w == "death" and after != "toll":
            continue
        object_first = (
            w in OBJECT_FIRST_TRIGGERS
            or tail > i
            # "shot dead five": "dead" alone never takes an object ("18 dead").
            or (w == "dead" and i > 0 and words[i - 1] == "shot")
            # "claimed the lives of 12 people", unlike "12 people lost their lives".
            or (w == "lives" and "claimed" in before)
        )
        found.append(Trigger(i, tail, outcome, w, object_first))
    return found


def find_figures(view: SentenceView, counts: list[Quantity]) -> list[Figure]:
    """The counts with their word spans."""
    starts = view.word_starts
    return [Figure(q, bisect_left(starts, q.start), bisect_left(starts, q.end)) for q in counts]


def link(view: SentenceView, figures: list[Figure], triggers: list[Trigger]) -> list[Link]:
    """Tie figures to the triggers that govern them (module doc), in figure order."""
    covered = {j for f in figures for j in range(f.first, f.after)}
    tails = [t.tail for t in triggers]
    indexes = [t.first for t in triggers]
    linked: dict[int, Link] = {}  # by figure position
    claimed: set[int] = set()  # trigger indexes taken by object figures
    superseded: set[int] = set()  # word indexes of figures a tally replaced
    dated = _DatedWords(view)
    for n, f in enumerate(figures):
        trigger = _object_trigger(view, f.first, triggers, tails)
        if trigger is not None:
            claimed.add(trigger.first)
            linked[n] = Link(f, trigger)
    for n, f in enumerate(figures):
        if n in linked:
            continue
        trigger, old = _tally_trigger(view, f.first, triggers, indexes, covered, dated)
        superseded.update(old)
        if trigger is not None:
            linked[n] = Link(f, trigger)
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
    kept = [linked[n] for n in sorted(linked) if figures[n].first not in superseded]
    # A part of a reported whole ("twelve people, including three children") would be
    # counted twice when group totals are summed; it stays only when the whole is absent.
    subsets = {id(lk) for lk in kept if _is_subset(view, lk, covered)}
    wholes = {lk.trigger.outcome for lk in kept if id(lk) not in subsets}
    return [lk for lk in kept if id(lk) not in subsets or lk.trigger.outcome not in wholes]


def _is_subset(view: SentenceView, lk: Link, covered: set[int]) -> bool:
    """True when the figure names part of another figure of the sentence."""
    words, f = view.words, lk.figure
    before = words[max(0, f.first - 2) : f.first]
    if before[-1:] and before[-1] in _SUBSET_BEFORE:
        return True  # "including three children"
    if before[:1] == ["among"] and before[-1] in _PRONOUN_WHOLE:
        return True  # "among them four policemen"
    after = words[f.after : f.after + 2]
    if after[:1] == ["of"] and after[-1] in _PRONOUN_WHOLE:
        return True  # "30 of them minors"
    t = lk.trigger
    # "two policemen and a soldier were among the 9 people killed"
    return any(
        words[j] == "among" and any(k in covered for k in range(j + 1, min(j + 4, t.first)))
        for j in range(f.after, t.first)
    )


def _object_trigger(
    view: SentenceView, q_index: int, triggers: list[Trigger], tails: list[int]
) -> Trigger | None:
    lo = bisect_left(tails, q_index - _MAX_OBJECT_GAP - 1)
    for k in range(bisect_left(tails, q_index) - 1, lo - 1, -1):
        t = triggers[k]
        if not t.object_first:
            continue
        if TALLY_WORDS.issuperset(view.words[t.tail + 1 : q_index]):
            return t
    return None


def _tally_trigger(
    view: SentenceView,
    q_index: int,
    triggers: list[Trigger],
    indexes: list[int],
    covered: set[int],
    dated: _DatedWords,
) -> tuple[Trigger | None, set[int]]:
    """The trigger of a tally moved to this figure, and the words of figures it supersedes.

    "The death toll from a week of unrest rose to 40": a verb stands right before the
    figure (give or take "to", "now", dates and the old figure of "rose from 26 to
    40") and the head ("toll", "number of people killed") earlier in the clause.
    "..., bringing the death toll since the coup to 700": the verb comes before the
    head and "to" before the figure. A figure right after "from" is the old value:
    no trigger, and it supersedes itself.
    """
    words = view.words
    j, old = q_index - 1, set()
    stop = max(-1, q_index - 1 - _MAX_TALLY_LEAD)
    while j > stop and (words[j] in _TALLY_LEAD or j in covered or j in dated):
        if j in covered:
            old.add(j)  # "rose from 26 to 40": 26 is the figure being replaced
        j -= 1
    if j < 0 or q_index == 0:
        return None, set()
    if words[j] in TALLY_VERBS:
        if words[q_index - 1] == "from":
            return None, {q_index}
        boundary, bringing = j, False
    elif words[q_index - 1] == "to" and not old:
        boundary, bringing = j + 1, True
    else:
        return None, set()
    starts = view.word_starts
    clause_start, _ = clause_bounds(view, starts[boundary])
    for h in range(boundary - 1, max(-1, boundary - 1 - _MAX_TALLY_SPAN), -1):
        if starts[h] < clause_start or h in covered:
            return None, set()  # another figure between head and verb is a report of its own
        if words[h] not in TALLY_HEADS:
            continue
        if bringing and _BRINGING.isdisjoint(words[max(0, h - 4) : h]):
            return None, set()
        # The trigger naming what the tally counts: "death toll", "number of people killed".
        near = triggers[bisect_left(indexes, h - 2) : bisect_left(indexes, boundary)]
        if near:
            return min(near, key=lambda t: abs(t.first - h)), old
        return None, set()
    return None, set()


# How every word of a date mention begins (tokens are lower case): a digit, or one of
# these. Dates are made of month and weekday names, "of", "next", "last", "today",
# "tonight", "yesterday", "tomorrow", "last night" and "this morning/afternoon/evening"
# (see dates.py); a word beginning otherwise is in no date, whatever the sentence holds.
DATE_WORD_STARTS: Final = frozenset(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
     "mon", "tue", "wed", "thu", "fri", "sat", "sun", "of", "nex", "las", "tod", "ton",
     "yes", "tom", "nig", "thi", "mor", "aft", "eve"]
)  # fmt: skip


class _DatedWords:
    """Indexes of the words inside date mentions ("from 12 on Monday to 31").

    Computed on first use, once per sentence, and only when the word asked about could
    be part of a date: most sentences have no tally, and most words are no date.
    """

    def __init__(self, view: SentenceView) -> None:
        self._view = view
        self._indexes: set[int] | None = None

    def __contains__(self, index: int) -> bool:
        if self._indexes is None:
            word = self._view.words[index]
            if not word[:1].isdigit() and word[:3] not in DATE_WORD_STARTS:
                return False
            starts = self._view.word_starts
            self._indexes = {
                k
                for d in self._view.dates
                for k in range(bisect_left(starts, d.start), bisect_left(starts, d.end))
            }
        return index in self._indexes


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
        if t.first in claimed or t.word in _ACTIVE_FORMS:
            if t.first - f.first > _MAX_SUBJECT_GAP:
                return None
            continue
        if view.word_starts[t.first] > clause_end or t.first - f.first > _MAX_SUBJECT_GAP:
            return None
        return t if _linked(view, f.first, t, covered) else None
    return None


def _linked(view: SentenceView, q_index: int, t: Trigger, covered: set[int]) -> bool:
    """True when only group words, auxiliaries and other figures stand between.

    An "of" phrase after a group noun belongs to the group ("two senior officials of
    the ruling party were killed"), so a few words of it are free, and so are the
    words a weak trigger needs ("eleven people lost their lives").
    """
    unknown = 0
    free = 0
    company = _COMPANY.get(t.word, frozenset())
    words = view.words
    for j in range(q_index + 1, t.first):
        w = words[j]
        if j in covered or w in LINK_WORDS or w in GROUP_NOUNS or w in GROUP_MODIFIERS:
            if w == "of" and words[j - 1] in GROUP_NOUNS:
                free = _OF_PHRASE
            continue
        if free:
            free -= 1
            continue
        if w in company:
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
    if not trigger.object_first or trigger.first > previous.figure.first:
        return None
    between = view.words[previous.figure.after : f.first]
    if not between or between[-1] != "and":
        return None
    if all(w in GROUP_NOUNS or w in GROUP_MODIFIERS for w in between[:-1]):
        return trigger
    return None
