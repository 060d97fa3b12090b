"""A read-only view of one article prepared for the event finders.

The body is normalised once (same length, so offsets stay valid), split into
sentences, and scanned once for places; per-sentence quantities, dates and words
are computed lazily, because most sentences of an article carry no event.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left
from typing import NamedTuple

from tocsin.extraction.dates import DateMention, find_dates
from tocsin.extraction.geo import Gazetteer, PlaceMention, dominant_country
from tocsin.extraction.normalise import normalise
from tocsin.extraction.quantities import Quantity, find_quantities
from tocsin.extraction.sentences import Sentence, split_sentences

_WORD = re.compile(r"\w+(?:['-]\w+)*")


class Word(NamedTuple):
    """A word of a sentence: lower-cased form and offsets relative to the sentence."""

    lower: str
    start: int
    end: int


class SentenceView:
    """One sentence with lazily computed words, figures and dates.

    A plain class with explicit caches: ``functools.cached_property`` takes a lock
    on every first access in Python 3.11, which showed up in profiles of this hot path.
    """

    __slots__ = (
        "_dates",
        "_lower",
        "_quantities",
        "_word_starts",
        "_words",
        "index",
        "places",
        "published",
        "sentence",
    )

    def __init__(
        self, sentence: Sentence, index: int, published: dt.date, places: list[PlaceMention]
    ) -> None:
        self.sentence = sentence
        self.index = index
        self.published = published
        self.places = places  # offsets relative to the sentence
        self._lower: str | None = None
        self._words: list[Word] | None = None
        self._word_starts: list[int] | None = None
        self._quantities: list[Quantity] | None = None
        self._dates: list[DateMention] | None = None

    @property
    def text(self) -> str:
        """The sentence text (normalised)."""
        return self.sentence.text

    @property
    def start(self) -> int:
        """Offset of the sentence in the body."""
        return self.sentence.start

    @property
    def lower(self) -> str:
        """The sentence lower-cased (same length for the scripts news is written in)."""
        if self._lower is None:
            self._lower = self.sentence.text.lower()
        return self._lower

    @property
    def words(self) -> list[Word]:
        """Words in order, lower-cased."""
        if self._words is None:
            lower = self.lower
            if len(lower) == len(self.sentence.text):
                spans = [m.span() for m in _WORD.finditer(lower)]
                self._words = [Word(lower[a:b], a, b) for a, b in spans]
            else:  # lower-casing changed the length (rare scripts): lower each word alone
                self._words = [
                    Word(m.group().lower(), m.start(), m.end())
                    for m in _WORD.finditer(self.sentence.text)
                ]
        return self._words

    @property
    def quantities(self) -> list[Quantity]:
        """Figures in the sentence, offsets relative to the sentence."""
        if self._quantities is None:
            self._quantities = find_quantities(self.sentence.text)
        return self._quantities

    @property
    def dates(self) -> list[DateMention]:
        """Dates in the sentence resolved against the publication date."""
        if self._dates is None:
            self._dates = find_dates(self.sentence.text, self.published)
        return self._dates

    def word_index_at(self, offset: int) -> int:
        """Index of the first word starting at or after ``offset``."""
        if self._word_starts is None:
            self._word_starts = [w.start for w in self.words]
        return bisect_left(self._word_starts, offset)


class Document:
    """An article body prepared for the event finders."""

    def __init__(self, body: str, published: dt.datetime, gazetteer: Gazetteer) -> None:
        self.raw = body
        self.text = normalise(body)
        self.published = published.date()
        self.gazetteer = gazetteer
        self.sentences = split_sentences(self.text)
        places = gazetteer.find(self.text)
        self.country = dominant_country(places)
        self.views = self._views(places)

    def _views(self, places: list[PlaceMention]) -> list[SentenceView]:
        views = []
        i = 0
        for index, sentence in enumerate(self.sentences):
            while i < len(places) and places[i].start < sentence.start:
                i += 1
            own = []
            j = i
            while j < len(places) and places[j].end <= sentence.end:
                p = places[j]
                own.append(
                    PlaceMention(
                        country=p.country,
                        name=p.name,
                        start=p.start - sentence.start,
                        end=p.end - sentence.start,
                        kind=p.kind,
                    )
                )
                j += 1
            views.append(SentenceView(sentence, index, self.published, own))
        return views

    def evidence(self, view: SentenceView) -> tuple[str, int, int]:
        """Evidence for a sentence: the ORIGINAL body text and its offsets."""
        s = view.sentence
        return self.raw[s.start : s.end], s.start, s.end
