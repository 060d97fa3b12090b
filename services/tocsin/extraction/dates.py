"""Date mentions resolved against the article's publication date.

Recognised forms (month names must be capitalised; ``today`` and friends may be):

* month-day: ``Jan. 19``, ``Jan 19``, ``January 19``, ``January 19th``, optionally
  with a year: ``Jan. 19, 2022``, ``January 19 2022``;
* day-month: ``19 January``, ``19th of January``, ``19 Jan. 2022``;
* ISO: ``2022-01-19``;
* weekdays: ``Friday`` → the most recent Friday on or before publication (the
  publication day itself when it is a Friday); ``next Friday`` → the first
  Friday after publication; ``last Friday`` → the last Friday before it;
* a weekday directly followed by an explicit date (``Friday, Jan. 7``) is one
  mention resolved by the explicit date;
* ``today``, ``tonight``, ``this morning/afternoon/evening`` → publication day;
  ``yesterday`` and ``last night`` → the day before (in news copy "last night"
  is the evening before the article appeared); ``tomorrow`` → the day after.

A month-day without a year takes the year (publication year, or the one before
or after) that puts it nearest to the publication date, preferring the past on
a tie: published 2022-01-07, ``Dec. 30`` is 2021-12-30. A day that exists in
none of those years (``Feb. 30``) is skipped. A bare year (``in 1991``) is not a
date mention.

Weekdays default to the past because news mostly reports what happened; a
future weekday without ``next`` ("talks will resume on Monday") resolves to the
previous Monday. Telling the two apart needs the verb's tense and is left to the
event builders.

The ``relation`` is the preposition in front of the mention: ``on``, ``by``,
``before``, ``after``, ``since`` as written; ``until``, ``till``, ``through``,
``to`` → ``until``; ``from``, ``starting``, ``beginning``, ``as of``,
``effective`` → ``from``; anything else → ``none``.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from typing import Final, Literal

from tocsin.extraction.records import Record

__all__ = ["DateMention", "Relation", "find_dates"]

Relation = Literal["on", "until", "from", "since", "by", "before", "after", "none"]


# A record of the core (see records.Record: why not a named tuple).
class DateMention(Record):
    """A calendar day mentioned in the text: ``text == body[start:end]``."""

    __slots__ = ("day", "end", "relation", "start", "text")

    def __init__(
        self,
        day: datetime.date,
        text: str,
        start: int,
        end: int,
        relation: Relation,
    ) -> None:
        self.day: Final = day
        self.text: Final = text
        self.start: Final = start
        self.end: Final = end
        self.relation: Final = relation

    def _values(self) -> tuple[datetime.date, str, int, int, Relation]:
        return (self.day, self.text, self.start, self.end, self.relation)


_MONTH: Final = (
    r"(?:January|Jan\.?|February|Feb\.?|March|Mar\.?|April|Apr\.?|May|June|Jun\.?|July|"
    r"Jul\.?|August|Aug\.?|September|Sept\.?|Sep\.?|October|Oct\.?|November|Nov\.?|"
    r"December|Dec\.?)(?!\w)"
)
_MONTH_NUMBERS: Final[Mapping[str, int]] = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_WEEKDAYS: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_RELATIVE_DAYS: Final[Mapping[str, int]] = {
    "today": 0, "tonight": 0, "this morning": 0, "this afternoon": 0, "this evening": 0,
    "yesterday": -1, "last night": -1, "tomorrow": 1,
}  # fmt: skip

_SP: Final = r"[^\S\n]+"  # horizontal whitespace: a date never spans a line break
_ORDINAL: Final = r"(?:st|nd|rd|th)?"


def _year(group: str) -> str:
    """Return the pattern of an optional year after a day and month, captured as ``group``."""
    return rf"(?:,?{_SP}(?P<{group}>[0-9]{{4}})(?![0-9]))?"


# Digits are ASCII on purpose: the start scan below relies on it, and other
# scripts' digits do not occur in English dates.
_DATES: Final = re.compile(
    # ISO 8601 calendar date.
    r"(?<![\w-])(?P<iso_y>[0-9]{4})-(?P<iso_m>[0-9]{2})-(?P<iso_d>[0-9]{2})(?![0-9-])"
    # 19 January [2022] / 19th of January
    rf"|(?<![\w.,])(?P<dm_d>[0-9]{{1,2}}){_ORDINAL}{_SP}(?:of{_SP})?(?P<dm_m>{_MONTH})"
    + _year("dm_y")
    # January 19[th][, 2022]; "March 3,000" is a number, not a date.
    + rf"|(?<!\w)(?P<md_m>{_MONTH}){_SP}(?P<md_d>[0-9]{{1,2}}){_ORDINAL}(?!\w|[.,][0-9])"
    + _year("md_y")
    # [next|last] Friday
    + rf"|(?<!\w)(?:(?P<wd_mod>[Nn]ext|[Ll]ast){_SP})?(?P<wd>{'|'.join(_WEEKDAYS)})(?!\w)"
    # today, yesterday, last night ...
    + r"|(?<!\w)(?P<rel>[Tt]oday|[Tt]onight|[Yy]esterday|[Tt]omorrow|[Ll]ast[^\S\n]+night"
    r"|[Tt]his[^\S\n]+(?:morning|afternoon|evening))(?!\w)"
)

# Python's regex engine tries every alternative of `_DATES` at every position,
# which alone runs at about 7 MB/s. This scan finds the few places where a date
# can start (at the start of a word: a digit, or a capital or t/y/l/n followed by
# the letters a date word continues with) using a bitmap first-character test,
# and `_DATES` is only tried there. It must accept every position where `_DATES`
# can match; a test checks that on random text.
_START_WORDS: Final = (
    *(name[:3] for name in _WEEKDAYS),
    *(month.capitalize() for month in _MONTH_NUMBERS),
    "next",
    "last",
    "today",
    "tonight",
    "tomorrow",
    "yesterday",
    "this",
)
_START: Final = re.compile(
    r"[0-9A-Z"
    + "".join(sorted({word[0] for word in _START_WORDS if word[0].islower()}))
    + r"](?<![0-9A-Za-z_].)(?:(?<=[0-9])|(?="
    + "|".join(sorted({word[1:3] for word in _START_WORDS}))
    + "))"
)

_PREPOSITION_WINDOW: Final = 24
_PREPOSITION: Final = re.compile(
    r"(?<!\w)(?P<prep>on|until|till|til|through|thru|to|from|since|by|before|after"
    r"|as[^\S\n]+of|starting(?:[^\S\n]+(?:on|from))?|beginning(?:[^\S\n]+on)?"
    r"|effective(?:[^\S\n]+from)?)[^\S\n]+\Z",
    re.IGNORECASE,
)
_RELATIONS: Final[Mapping[str, Relation]] = {
    "on": "on", "until": "until", "till": "until", "til": "until", "through": "until",
    "thru": "until", "to": "until", "from": "from", "since": "since", "by": "by",
    "before": "before", "after": "after", "as": "from", "starting": "from",
    "beginning": "from", "effective": "from",
}  # fmt: skip
_WEEKDAY_DATE_GAP: Final = re.compile(r",?[^\S\n]+")


def _nearest_year(month: int, day: int, published: datetime.date) -> datetime.date | None:
    """Return month/day in the year nearest to ``published`` (past wins ties), if it exists."""
    best: datetime.date | None = None
    for year in (published.year - 1, published.year, published.year + 1):
        try:
            candidate = datetime.date(year, month, day)
        except ValueError:
            continue
        if best is None or abs((candidate - published).days) < abs((best - published).days):
            best = candidate
    return best


def _calendar(
    year: str | None, month: int, day: str, published: datetime.date
) -> datetime.date | None:
    """Build a date from matched parts, or ``None`` if it does not exist."""
    if year is None:
        return _nearest_year(month, int(day), published)
    try:
        return datetime.date(int(year), month, int(day))
    except ValueError:
        return None


def _weekday_offset(name: str, modifier: str | None, published: datetime.date) -> int:
    """Return the days from ``published`` to a weekday, optionally after ``next``/``last``."""
    target = _WEEKDAYS.index(name)
    if modifier is not None and modifier.lower() == "next":
        return (target - published.weekday()) % 7 or 7
    back = (published.weekday() - target) % 7
    if modifier is not None and back == 0:  # "last Friday" on a Friday: a week ago
        back = 7
    return -back


def _shift(published: datetime.date, days: int) -> datetime.date | None:
    """Return ``published`` moved by ``days``, or ``None`` past the ends of the calendar."""
    try:
        return published + datetime.timedelta(days=days)
    except OverflowError:
        return None


def _resolve(match: re.Match[str], published: datetime.date) -> datetime.date | None:
    """Turn one match of ``_DATES`` into a calendar day, or ``None`` if it is invalid."""
    groups = match.groupdict()
    if groups["iso_y"] is not None:
        try:
            return datetime.date(int(groups["iso_y"]), int(groups["iso_m"]), int(groups["iso_d"]))
        except ValueError:
            return None
    if groups["dm_d"] is not None:
        month = _MONTH_NUMBERS[groups["dm_m"][:3].lower()]
        return _calendar(groups["dm_y"], month, groups["dm_d"], published)
    if groups["md_d"] is not None:
        month = _MONTH_NUMBERS[groups["md_m"][:3].lower()]
        return _calendar(groups["md_y"], month, groups["md_d"], published)
    if groups["wd"] is not None:
        return _shift(published, _weekday_offset(groups["wd"], groups["wd_mod"], published))
    return _shift(published, _RELATIVE_DAYS[" ".join(groups["rel"].lower().split())])


def _relation(text: str, start: int) -> Relation:
    """Return the relation given by the preposition right before ``start``."""
    found = _PREPOSITION.search(text, max(0, start - _PREPOSITION_WINDOW), start)
    if found is None:
        return "none"
    return _RELATIONS[found.group("prep").split(None, 1)[0].lower()]


def find_dates(text: str, published: datetime.date) -> list[DateMention]:
    """Return the date mentions in ``text`` in order, resolved against ``published``."""
    mentions: list[DateMention] = []
    bare_weekday_end = -1  # end of the previous mention when it was a bare weekday
    floor = 0  # mentions never overlap: the next one starts at or after this offset
    for candidate in _START.finditer(text):
        if candidate.start() < floor:
            continue
        match = _DATES.match(text, candidate.start())
        if match is None:
            continue
        floor = match.end()
        day = _resolve(match, published)
        if day is None:
            continue
        start, end = match.span()
        explicit = match.group("wd") is None and match.group("rel") is None
        if explicit and bare_weekday_end >= 0:
            gap = _WEEKDAY_DATE_GAP.fullmatch(text, bare_weekday_end, start)
            if gap is not None:  # "Friday, Jan. 7": one mention, the explicit date decides
                weekday = mentions.pop()
                mentions.append(
                    DateMention(
                        day, text[weekday.start : end], weekday.start, end, weekday.relation
                    )
                )
                bare_weekday_end = -1
                continue
        mentions.append(DateMention(day, match.group(), start, end, _relation(text, start)))
        bare_weekday_end = end if match.group("wd_mod") is None and match.group("wd") else -1
    return mentions
