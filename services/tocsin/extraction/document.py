"""A read-only view of one article prepared for the event finders.

The body is normalised once (same length, so offsets stay valid), split into
sentences, and scanned once for places; per-sentence quantities, dates and words
are computed lazily, because most sentences of an article carry no event.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left
from itertools import accumulate
from typing import TYPE_CHECKING, Final

from tocsin.extraction import byte_scan
from tocsin.extraction.dates import DateMention, find_dates
from tocsin.extraction.geo import Gazetteer, PlaceMention, dominant_country
from tocsin.extraction.normalise import normalise
from tocsin.extraction.prefilter import Hit, TriggerKind, ascii_twin, trigger_hits
from tocsin.extraction.quantities import Quantity, find_quantities
from tocsin.extraction.sentences import Sentence, split_sentences

if TYPE_CHECKING:
    # Only the type checker (and mypyc, which compiles it to a C int64) needs the name:
    # the annotations are never evaluated, so the package runs without mypy_extensions.
    from mypy_extensions import i64

# A word: letters and digits, with inner apostrophes and hyphens ("don't", "al-Burhan").
# Splitting on it (the words are the odd parts) gives each word and the text between
# them, so offsets are running sums of lengths, computed in C: building an object per
# word was most of the cost of tokenising a sentence.
_WORD_SPLIT: Final = re.compile(r"(\w+(?:['-]\w+)*)")
_WORD_SPLIT_ASCII: Final = ascii_twin(_WORD_SPLIT)  # for ASCII sentences: same split, faster


def _split_words(text: str) -> tuple[list[str], list[int], list[int]]:
    """The words of ``text`` (``_WORD_SPLIT``), their starts and their ends."""
    parts = (_WORD_SPLIT_ASCII if text.isascii() else _WORD_SPLIT).split(text)
    bounds = list(accumulate(map(len, parts)))
    return parts[1::2], bounds[0:-1:2], bounds[1::2]


_APOSTROPHE: Final = 0x27
_HYPHEN: Final = 0x2D


def _split_words_bytes(text: str, data: bytes) -> tuple[list[str], list[int], list[int]]:
    """The words of the ASCII ``text`` (``data`` is its bytes), their starts and their ends.

    Stands in for ``_split_words`` (a split on ``_WORD_SPLIT``, ``(\\w+(?:['-]\\w+)*)``)
    in the compiled core: the same words (slices of ``text``) at the same offsets, found
    by one pass over the bytes instead of a regex split and running sums.

    A regex search takes the leftmost word byte and extends the match as far as it can:
    ``\\w+`` is greedy, and so is the group, which repeats while an apostrophe or a
    hyphen is followed by a word byte. No backtracking can shorten that match, since
    nothing after the group has to match. So a word is a maximal run of word bytes
    (``WORD``: letters, digits, underscore), extended over each ``'`` or ``-`` that has
    a word byte right after it: ``don't`` and ``al-burhan`` are one word each, ``x--y``
    is two (the first ``-`` has no word byte after it), and a trailing ``'`` or ``-``
    stays out. The next search starts where the word ended, at a byte that is not part
    of any word, so the scan just goes on from there.
    """
    word = byte_scan.WORD
    words: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    n: i64 = len(data)
    i: i64 = 0
    while i < n:
        if not word[data[i]]:
            i += 1
            continue
        start = i
        i += 1
        while True:
            while i < n and word[data[i]]:
                i += 1
            # One more piece when a joiner stands between two word bytes.
            if i + 1 < n and (data[i] == _APOSTROPHE or data[i] == _HYPHEN) and word[data[i + 1]]:
                i += 2
            else:
                break
        words.append(text[start:i])
        starts.append(start)
        ends.append(i)
    return words, starts, ends


class SentenceView:
    """One sentence with lazily computed words, figures and dates.

    A plain class with explicit caches: ``functools.cached_property`` takes a lock
    on every first access in Python 3.11, which showed up in profiles of this hot path.
    Words are three parallel lists (``words``, ``word_starts``, ``word_ends``) rather
    than a list of objects, so that windows of them are plain slices.
    """

    __slots__ = (
        "_dates",
        "_lower",
        "_quantities",
        "_word_ends",
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
        self._words: list[str] | None = None
        self._word_starts: list[int] = []
        self._word_ends: list[int] = []
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
    def words(self) -> list[str]:
        """The words in order, lower-cased."""
        words = self._words
        if words is None:
            self._tokenise()
            # Read the attribute again: _tokenise set it (a narrowed `self._words` would
            # still be typed None here, which compiled code enforces).
            words = self._words
            assert words is not None
        return words

    @property
    def word_starts(self) -> list[int]:
        """Offset of each word in the sentence."""
        if self._words is None:
            self._tokenise()
        return self._word_starts

    @property
    def word_ends(self) -> list[int]:
        """Offset just past each word."""
        if self._words is None:
            self._tokenise()
        return self._word_ends

    def _tokenise(self) -> None:
        lower = self.lower
        aligned = len(lower) == len(self.sentence.text)
        # Lower-casing may change the length (rare scripts): then split the text itself,
        # whose offsets are the ones that count, and lower each word alone.
        text = lower if aligned else self.sentence.text
        if byte_scan.use_bytes(text):  # ASCII: lower-casing kept the length, so aligned
            words, starts, ends = _split_words_bytes(text, text.encode("ascii"))
        else:
            words, starts, ends = _split_words(text)
            if not aligned:
                words = [w.lower() for w in words]
        self._words = words
        self._word_starts = starts
        self._word_ends = ends

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
        return bisect_left(self.word_starts, offset)


class Document:
    """An article body prepared for the event finders.

    Sentence views are built on first request (``view``): a finder asks only for the
    sentences its trigger scan picked, so most sentences never get one. Places are
    looked up on first request too: an article without a trigger needs none.
    """

    def __init__(self, body: str, published: dt.datetime, gazetteer: Gazetteer) -> None:
        self.raw = body
        self.text = normalise(body)
        # Read by the whole-article trigger scan (prefilter.trigger_hits).
        self.lower = self.text.lower()
        self.published = published.date()
        self.gazetteer = gazetteer
        self.sentences = split_sentences(self.text)
        self._places: list[PlaceMention] | None = None
        self._place_starts: list[int] = []
        self._country: str | None = None
        self._views: list[SentenceView | None] = [None] * len(self.sentences)
        self._triggers: dict[TriggerKind, dict[int, list[Hit]]] | None = None

    @property
    def places(self) -> list[PlaceMention]:
        """Every place named in the article, in order."""
        self._locate()
        assert self._places is not None
        return self._places

    @property
    def country(self) -> str | None:
        """The country the article is mostly about (``geo.dominant_country``)."""
        self._locate()
        return self._country

    def _locate(self) -> None:
        """Look up the article's places and its country, on first use."""
        if self._places is None:
            self._places = self.gazetteer.find(self.text)
            self._place_starts = [p.start for p in self._places]
            self._country = dominant_country(self._places)

    def triggers(self, kind: TriggerKind) -> dict[int, list[Hit]]:
        """The sentences holding a trigger of ``kind``, by index, with their hits.

        All kinds come from one scan of the article, made on the first request.
        """
        if self._triggers is None:
            self._triggers = trigger_hits(self.text, self.lower, self.sentences)
        return self._triggers[kind]

    def view(self, index: int) -> SentenceView:
        """The view of sentence ``index``, built on first use."""
        view = self._views[index]
        if view is None:
            sentence = self.sentences[index]
            view = SentenceView(sentence, index, self.published, self._places_in(sentence))
            self._views[index] = view
        return view

    @property
    def views(self) -> list[SentenceView]:
        """Views of all sentences, in order (builds the missing ones)."""
        return [self.view(i) for i in range(len(self.sentences))]

    def _places_in(self, sentence: Sentence) -> list[PlaceMention]:
        """The places inside ``sentence``, with offsets relative to it.

        Places are sorted and never overlap, so those of a sentence are a run that
        starts at the first place at or after the sentence; a place straddling its
        end ends the run.
        """
        places = self.places
        own = []
        j = bisect_left(self._place_starts, sentence.start)
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
        return own

    def evidence(self, view: SentenceView) -> tuple[str, int, int]:
        """Evidence for a sentence: the ORIGINAL body text and its offsets."""
        s = view.sentence
        return self.raw[s.start : s.end], s.start, s.end
