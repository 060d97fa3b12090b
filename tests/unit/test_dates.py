"""Tests of date mentions resolved against the publication date (tocsin.extraction.dates)."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tocsin.extraction import dates
from tocsin.extraction.dates import DateMention, find_dates

# The seed article appeared on Friday 7 January 2022.
FRIDAY = datetime.date(2022, 1, 7)

CASES = [
    # Month and day, year omitted: the nearest year to publication.
    ("until Jan. 19, according to local media", "2022-01-19", "Jan. 19", "until", "seed-curfew"),
    ("on Dec. 30 troops", "2021-12-30", "Dec. 30", "on", "december-is-last-year"),
    ("January 19 was set", "2022-01-19", "January 19", "none", "full-month-name"),
    ("Jan 19 was set", "2022-01-19", "Jan 19", "none", "abbreviation-without-dot"),
    ("January 19th was set", "2022-01-19", "January 19th", "none", "ordinal-suffix"),
    ("Sept. 11 anniversary", "2021-09-11", "Sept. 11", "none", "sept-is-last-year"),
    ("June 30 deadline", "2022-06-30", "June 30", "none", "june-is-this-year"),
    ("the May 9 parade", "2022-05-09", "May 9", "none", "may"),
    # Day before month.
    ("on 19 January", "2022-01-19", "19 January", "on", "day-month"),
    ("the 19th of January", "2022-01-19", "19th of January", "none", "day-of-month"),
    ("the 5 May vote", "2022-05-05", "5 May", "none", "single-digit-day"),
    # Explicit years.
    ("Jan 19, 2022 and", "2022-01-19", "Jan 19, 2022", "none", "month-day-year"),
    ("19 January 2021", "2021-01-19", "19 January 2021", "none", "day-month-year"),
    ("Dec. 31, 2021", "2021-12-31", "Dec. 31, 2021", "none", "last-year-explicit"),
    ("2022-01-19", "2022-01-19", "2022-01-19", "none", "iso"),
    ("at 2022-01-19T10:00", "2022-01-19", "2022-01-19", "none", "iso-with-time"),
    # Weekdays.
    ("in a speech on Friday", "2022-01-07", "Friday", "on", "same-weekday-is-publication"),
    ("clashes on Thursday night", "2022-01-06", "Thursday", "on", "previous-day"),
    ("Saturday", "2022-01-01", "Saturday", "none", "six-days-back"),
    ("Monday's meeting", "2022-01-03", "Monday", "none", "possessive"),
    ("next Monday", "2022-01-10", "next Monday", "none", "next-weekday"),
    ("Next Friday", "2022-01-14", "Next Friday", "none", "next-same-weekday"),
    ("last Friday", "2021-12-31", "last Friday", "none", "last-same-weekday"),
    ("on Friday, Jan. 7, 2022", "2022-01-07", "Friday, Jan. 7, 2022", "on", "weekday-and-date"),
    # Relative days.
    ("Today the city", "2022-01-07", "Today", "none", "today"),
    ("tonight", "2022-01-07", "tonight", "none", "tonight"),
    ("this morning", "2022-01-07", "this morning", "none", "this-morning"),
    ("yesterday", "2022-01-06", "yesterday", "none", "yesterday"),
    ("last night", "2022-01-06", "last night", "none", "last-night"),
    ("by tomorrow", "2022-01-08", "tomorrow", "by", "tomorrow"),
    # Relations.
    ("through Jan. 19", "2022-01-19", "Jan. 19", "until", "through"),
    ("till Jan. 19", "2022-01-19", "Jan. 19", "until", "till"),
    ("Until Jan. 19", "2022-01-19", "Jan. 19", "until", "capitalised-until"),
    ("starting Jan. 10", "2022-01-10", "Jan. 10", "from", "starting"),
    ("starting on Jan. 10", "2022-01-10", "Jan. 10", "from", "starting-on"),
    ("beginning Monday", "2022-01-03", "Monday", "from", "beginning"),
    ("as of Jan. 10", "2022-01-10", "Jan. 10", "from", "as-of"),
    ("effective from Jan. 10", "2022-01-10", "Jan. 10", "from", "effective-from"),
    ("since Jan. 2", "2022-01-02", "Jan. 2", "since", "since"),
    ("by Jan. 15", "2022-01-15", "Jan. 15", "by", "by"),
    ("before Jan. 15", "2022-01-15", "Jan. 15", "before", "before"),
    ("after Jan. 15", "2022-01-15", "Jan. 15", "after", "after"),
    ("nearby Jan. 15", "2022-01-15", "Jan. 15", "none", "by-inside-a-word"),
]


@pytest.mark.parametrize(
    ("text", "day", "mention", "relation"),
    [pytest.param(*case[:4], id=case[4]) for case in CASES],
)
def test_find_dates_table(text: str, day: str, mention: str, relation: str) -> None:
    """The single date in the text resolves to the expected day, span and relation."""
    (found,) = find_dates(text, FRIDAY)
    assert (found.day.isoformat(), found.text, found.relation) == (day, mention, relation)
    assert text[found.start : found.end] == found.text


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("independence in 1991", id="bare-year"),
        pytest.param("Feb. 30", id="invalid-day"),
        pytest.param("Feb. 29", id="no-leap-year-nearby"),
        pytest.param("2022-13-01", id="invalid-iso-month"),
        pytest.param("In March 3,000 people marched", id="number-after-month"),
        pytest.param("Jan. 190", id="three-digit-day"),
        pytest.param("1.19 January", id="decimal-before-month"),
        pytest.param("ab2022-01-19", id="iso-inside-word"),
        pytest.param("Talks may resume in march", id="lower-case-month-words"),
        pytest.param("on friday", id="lower-case-weekday"),
        pytest.param("Decimal 5 and Mayday 1", id="month-prefix-of-word"),
        pytest.param("Jan.\n19", id="across-line-break"),
    ],
)
def test_find_dates_ignores(text: str) -> None:
    """Non-dates and impossible days produce no mention."""
    assert find_dates(text, FRIDAY) == []


def test_find_dates_range_and_order() -> None:
    """A range yields both ends in order, with "from" and "until" relations."""
    text = "restrictions from Jan. 5 to Jan. 19"
    assert find_dates(text, FRIDAY) == [
        DateMention(datetime.date(2022, 1, 5), "Jan. 5", 18, 24, "from"),
        DateMention(datetime.date(2022, 1, 19), "Jan. 19", 28, 35, "until"),
    ]


@pytest.mark.parametrize(
    ("text", "published", "day"),
    [
        pytest.param("Feb. 29", datetime.date(2024, 3, 1), "2024-02-29", id="leap-day"),
        pytest.param("Jan. 1", datetime.date(2024, 7, 2), "2024-01-01", id="tie-prefers-past"),
        pytest.param("Jan. 2", datetime.date(2021, 12, 20), "2022-01-02", id="next-year"),
        pytest.param("Sunday", datetime.date(2022, 1, 2), "2022-01-02", id="sunday-on-sunday"),
        pytest.param("next Sunday", datetime.date(2022, 1, 1), "2022-01-02", id="next-day"),
    ],
)
def test_find_dates_resolution(text: str, published: datetime.date, day: str) -> None:
    """Year-less and weekday mentions resolve relative to the given publication date."""
    (found,) = find_dates(text, published)
    assert found.day.isoformat() == day


@pytest.mark.parametrize(
    ("text", "published"),
    [
        pytest.param("yesterday, Friday and last Sunday", datetime.date.min, id="first-day"),
        pytest.param("tomorrow, next Friday and Dec. 31", datetime.date.max, id="last-day"),
    ],
)
def test_find_dates_at_calendar_ends(text: str, published: datetime.date) -> None:
    """Days that would fall outside the calendar are skipped instead of raising."""
    for mention in find_dates(text, published):
        assert datetime.date.min <= mention.day <= datetime.date.max


def test_find_dates_seed_paragraph() -> None:
    """The dates of a seed-article paragraph are found with their relations."""
    text = (
        "Dozens of people were killed and hundreds more injured in clashes on Thursday. "
        "Authorities previously declared a nationwide state of emergency with a curfew and "
        "movement restrictions until Jan. 19, according to local media. Even before its "
        "independence in 1991, the country's political scene was dominated by one man."
    )
    found = [(m.day.isoformat(), m.text, m.relation) for m in find_dates(text, FRIDAY)]
    assert found == [("2022-01-06", "Thursday", "on"), ("2022-01-19", "Jan. 19", "until")]


date_like = st.lists(
    st.sampled_from(
        [
            "Jan.", "January", "Sept", "May", "Friday", "next", "Last", "night", "today",
            "this", "morning", "19", "5", "19th", "of", "2022", "2021-12-30", "-01-", "30",
            ",", ".", " ", "  ", "\n", "until", "from", "3,000", "é", "x", "1", "-",
        ]
    )
).map("".join)  # fmt: skip


@given(st.one_of(st.text(), date_like), st.dates())
def test_find_dates_properties(text: str, published: datetime.date) -> None:
    """Any text and date give sorted, non-overlapping mentions that slice exactly."""
    previous_end = 0
    for mention in find_dates(text, published):
        assert mention.text
        assert text[mention.start : mention.end] == mention.text
        assert mention.start >= previous_end
        previous_end = mention.end


@given(st.one_of(st.text(), date_like))
def test_start_scan_finds_every_date(text: str) -> None:
    """The fast start scan accepts every position where the full date pattern matches."""
    for match in dates._DATES.finditer(text):
        assert dates._START.match(text, match.start()) is not None
