"""Tests for the quantity finder: one table per reading rule, then properties of any text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tocsin.extraction.quantities import VAGUE_QUANTITIES, Quantity, find_quantities

# (text, low, high, kind) of each quantity found, in order.
Found = list[tuple[str, int | None, int | None, str]]


def _found(text: str) -> Found:
    """Project the quantities of a text onto what the tables spell out."""
    return [(q.text, q.low, q.high, q.kind) for q in find_quantities(text)]


FIGURES = [
    pytest.param("18 security personnel", [("18", 18, 18, "count")], id="plain"),
    pytest.param("3,000 people", [("3,000", 3000, 3000, "count")], id="thousands-comma"),
    pytest.param(
        "12,500 and 3,600",
        [("12,500", 12500, 12500, "count"), ("3,600", 3600, 3600, "count")],
        id="two-figures",
    ),
    pytest.param("1,000,000 people", [("1,000,000", 10**6, 10**6, "count")], id="millions-commas"),
    pytest.param(
        "3.6 thousand troops", [("3.6 thousand", 3600, 3600, "count")], id="decimal-thousand"
    ),
    pytest.param(
        "1.2 million people", [("1.2 million", 1_200_000, 1_200_000, "count")], id="decimal-million"
    ),
    pytest.param("2.5 people", [("2.5", 2, 3, "count")], id="decimal-bounds"),
    pytest.param("0 deaths", [("0", 0, 0, "count")], id="zero"),
    pytest.param("(18)", [("18", 18, 18, "count")], id="in-parentheses"),
    pytest.param("killed 18.", [("18", 18, 18, "count")], id="sentence-end"),
    pytest.param("“18” people", [("18", 18, 18, "count")], id="curly-quotes"),
    pytest.param("3,000\u00a0people", [("3,000", 3000, 3000, "count")], id="nbsp-after"),
    pytest.param("killed—18 people", [("18", 18, 18, "count")], id="after-em-dash"),
]

WORDS = [
    pytest.param("eighteen soldiers", [("eighteen", 18, 18, "count")], id="teen"),
    pytest.param("twenty-six people", [("twenty-six", 26, 26, "count")], id="hyphenated"),
    pytest.param("twenty six people", [("twenty six", 26, 26, "count")], id="spaced"),
    pytest.param("TWENTY-SIX", [("TWENTY-SIX", 26, 26, "count")], id="upper-case"),
    pytest.param(
        "two hundred and five", [("two hundred and five", 205, 205, "count")], id="hundred-and"
    ),
    pytest.param("a hundred people", [("a hundred", 100, 100, "count")], id="a-hundred"),
    pytest.param("one thousand people", [("one thousand", 1000, 1000, "count")], id="one-thousand"),
    pytest.param("three thousand", [("three thousand", 3000, 3000, "count")], id="three-thousand"),
    pytest.param(
        "twenty-five hundred", [("twenty-five hundred", 2500, 2500, "count")], id="hundreds-of-tens"
    ),
    pytest.param(
        "a thousand five hundred", [("a thousand five hundred", 1500, 1500, "count")], id="compound"
    ),
    pytest.param("a dozen people", [("a dozen", 12, 12, "count")], id="a-dozen"),
    pytest.param("half a dozen", [("half a dozen", 6, 6, "count")], id="half-a-dozen"),
    pytest.param(
        "half a million", [("half a million", 500_000, 500_000, "count")], id="half-a-million"
    ),
    pytest.param("a couple of people", [("a couple", 2, 2, "count")], id="a-couple-of"),
    pytest.param("a couple walked", [], id="a-couple-noun"),
    pytest.param(
        "two and a half million",
        [("two and a half million", 2_500_000, 2_500_000, "count")],
        id="and-a-half-million",
    ),
    pytest.param("one and a half", [("one and a half", 1, 2, "count")], id="and-a-half"),
    pytest.param("five six", [("five", 5, 5, "count"), ("six", 6, 6, "count")], id="two-words"),
    pytest.param("thousand people", [], id="bare-multiplier"),
]

VAGUE = [
    pytest.param("Dozens of people were killed", [("Dozens", 24, None, "count")], id="capitalised"),
    pytest.param(
        "hundreds more injured", [("hundreds", 200, None, "count")], id="more-not-in-text"
    ),
    pytest.param("Dozens\u00a0of people", [("Dozens", 24, None, "count")], id="nbsp"),
    pytest.param("tens of thousands", [("tens of thousands", 20_000, None, "count")], id="longest"),
    pytest.param(
        "several hundred thousand",
        [("several hundred thousand", 300_000, None, "count")],
        id="compound",
    ),
    pytest.param("millions of dollars", [("millions", 2_000_000, None, "money")], id="money"),
    pytest.param("several days", [("several", 3, None, "duration")], id="duration"),
    pytest.param("test scores rose", [], id="scores-without-of"),
    pytest.param("few believe it", [], id="bare-few"),
]

QUALIFIERS = [
    pytest.param("Over 3,000 people", [("Over 3,000", 3000, None, "count")], id="over"),
    pytest.param("more than 3,000", [("more than 3,000", 3000, None, "count")], id="more-than"),
    pytest.param("at least 18", [("at least 18", 18, None, "count")], id="at-least"),
    pytest.param("upwards of 200", [("upwards of 200", 200, None, "count")], id="upwards-of"),
    pytest.param("in excess of 200", [("in excess of 200", 200, None, "count")], id="in-excess-of"),
    pytest.param(
        "no fewer than 200", [("no fewer than 200", 200, None, "count")], id="no-fewer-than"
    ),
    pytest.param(
        "more than a dozen", [("more than a dozen", 12, None, "count")], id="more-than-words"
    ),
    pytest.param("10 or more", [("10 or more", 10, None, "count")], id="or-more"),
    pytest.param("3,000+ people", [("3,000+", 3000, None, "count")], id="plus"),
    pytest.param("about 3,600", [("about 3,600", 3600, 3600, "count")], id="about"),
    pytest.param("around 3,600 CSTO members", [("around 3,600", 3600, 3600, "count")], id="around"),
    pytest.param("approximately 50", [("approximately 50", 50, 50, "count")], id="approximately"),
    pytest.param("roughly 50", [("roughly 50", 50, 50, "count")], id="roughly"),
    pytest.param("some 50 troops", [("some 50", 50, 50, "count")], id="some"),
    pytest.param("an estimated 50", [("an estimated 50", 50, 50, "count")], id="an-estimated"),
    pytest.param("10,000 or so", [("10,000 or so", 10000, 10000, "count")], id="or-so"),
    pytest.param("nearly 40", [("nearly 40", None, 40, "count")], id="nearly"),
    pytest.param("almost 40", [("almost 40", None, 40, "count")], id="almost"),
    pytest.param("close to 40", [("close to 40", None, 40, "count")], id="close-to"),
    pytest.param("up to 40", [("up to 40", None, 40, "count")], id="up-to"),
    pytest.param("as many as 40", [("as many as 40", None, 40, "count")], id="as-many-as"),
    pytest.param("fewer than 10", [("fewer than 10", None, 9, "count")], id="fewer-than"),
    pytest.param("less than 10", [("less than 10", None, 9, "count")], id="less-than"),
    pytest.param("under 10", [("under 10", None, 9, "count")], id="under"),
    pytest.param("fewer than 2.5", [("fewer than 2.5", None, 2, "count")], id="fewer-than-decimal"),
]

RANGES = [
    pytest.param("between 5 and 10", [("between 5 and 10", 5, 10, "count")], id="between"),
    pytest.param(
        "between five and ten", [("between five and ten", 5, 10, "count")], id="between-words"
    ),
    pytest.param("5 to 10", [("5 to 10", 5, 10, "count")], id="to"),
    pytest.param("5-10", [("5-10", 5, 10, "count")], id="hyphen"),
    pytest.param("5–10", [("5–10", 5, 10, "count")], id="en-dash"),
    pytest.param("5 - 10 people", [("5 - 10", 5, 10, "count")], id="spaced-dash"),
    pytest.param("5 or 6", [("5 or 6", 5, 6, "count")], id="or"),
    pytest.param("one or two people", [("one or two", 1, 2, "count")], id="or-words"),
    pytest.param("5,000-10,000 people", [("5,000-10,000", 5000, 10000, "count")], id="commas"),
    pytest.param(
        "two to three million",
        [("two to three million", 2 * 10**6, 3 * 10**6, "count")],
        id="shared-multiplier",
    ),
    pytest.param(
        "between 2 and 3 million",
        [("between 2 and 3 million", 2 * 10**6, 3 * 10**6, "count")],
        id="between-multiplier",
    ),
    pytest.param("up to 5 or 6", [("up to 5 or 6", None, 6, "count")], id="qualified"),
    pytest.param(
        "from 26 to 40",
        [("26", 26, 26, "count"), ("40", 40, 40, "count")],
        id="from-to-is-a-change",
    ),
    pytest.param(
        "5 and 10", [("5", 5, 5, "count"), ("10", 10, 10, "count")], id="and-without-between"
    ),
    pytest.param("between 5 and", [("5", 5, 5, "count")], id="between-unfinished"),
]

KINDS = [
    pytest.param("a 23-year-old man", [("23", 23, 23, "age")], id="age-year-old"),
    pytest.param("23 years old", [("23", 23, 23, "age")], id="age-years-old"),
    pytest.param("aged 23", [("23", 23, 23, "age")], id="age-aged"),
    pytest.param("18-25-year-olds", [("18-25", 18, 25, "age")], id="age-range"),
    pytest.param("in 1991", [("1991", 1991, 1991, "year")], id="year-in"),
    pytest.param("since 2020", [("2020", 2020, 2020, "year")], id="year-since"),
    pytest.param("the 2019 election", [("2019", 2019, 2019, "year")], id="year-alone"),
    pytest.param(
        "In 2019 protesters marched", [("2019", 2019, 2019, "year")], id="year-in-before-noun"
    ),
    pytest.param("2019 people", [("2019", 2019, 2019, "count")], id="year-shaped-count"),
    pytest.param("a crowd of 2000 people", [("2000", 2000, 2000, "count")], id="of-count"),
    pytest.param("1,991 protesters", [("1,991", 1991, 1991, "count")], id="comma-never-year"),
    pytest.param(
        "more than 2000", [("more than 2000", 2000, None, "count")], id="bounded-not-year"
    ),
    pytest.param(
        "between 2019 and 2020", [("between 2019 and 2020", 2019, 2020, "year")], id="year-range"
    ),
    pytest.param("1990-95", [("1990-95", 1990, 1995, "year")], id="year-abbreviated-range"),
    pytest.param("the 1990s", [("1990s", 1990, 1999, "year")], id="decade"),
    pytest.param(
        "$5 million", [("$5 million", 5 * 10**6, 5 * 10**6, "money")], id="money-dollar-sign"
    ),
    pytest.param(
        "US$5 million", [("US$5 million", 5 * 10**6, 5 * 10**6, "money")], id="money-us-dollar"
    ),
    pytest.param(
        "5 million dollars", [("5 million", 5 * 10**6, 5 * 10**6, "money")], id="money-word"
    ),
    pytest.param("€3", [("€3", 3, 3, "money")], id="money-euro"),
    pytest.param("£40", [("£40", 40, 40, "money")], id="money-pound"),
    pytest.param("€3bn", [("€3bn", 3 * 10**9, 3 * 10**9, "money")], id="money-bn"),
    pytest.param("100 tenge", [("100", 100, 100, "money")], id="money-tenge"),
    pytest.param("500 rubles", [("500", 500, 500, "money")], id="money-rubles"),
    pytest.param("500 roubles", [("500", 500, 500, "money")], id="money-roubles"),
    pytest.param("KZT 500", [("500", 500, 500, "money")], id="money-code-before"),
    pytest.param("$5-10 million", [("$5-10 million", 5 * 10**6, 10**7, "money")], id="money-range"),
    pytest.param("5%", [("5%", 5, 5, "percent")], id="percent-sign"),
    pytest.param("5 percent", [("5", 5, 5, "percent")], id="percent-word"),
    pytest.param("5 per cent", [("5", 5, 5, "percent")], id="per-cent"),
    pytest.param("30-40%", [("30-40%", 30, 40, "percent")], id="percent-range"),
    pytest.param("three decades", [("three", 3, 3, "duration")], id="duration-decades"),
    pytest.param(
        "nearly three decades", [("nearly three", None, 3, "duration")], id="duration-qualified"
    ),
    pytest.param("two days", [("two", 2, 2, "duration")], id="duration-days"),
    pytest.param("a 10-day curfew", [("10", 10, 10, "duration")], id="duration-hyphen"),
    pytest.param("5 to 10 years in prison", [("5 to 10", 5, 10, "duration")], id="duration-range"),
    pytest.param("one second later", [("one", 1, 1, "duration")], id="second-is-a-unit"),
    pytest.param("ninth largest", [("ninth", 9, 9, "ordinal")], id="ordinal-word"),
    pytest.param("third", [("third", 3, 3, "ordinal")], id="ordinal-third"),
    pytest.param("1st", [("1st", 1, 1, "ordinal")], id="ordinal-digits"),
    pytest.param(
        "twenty-first century", [("twenty-first", 21, 21, "ordinal")], id="ordinal-compound"
    ),
]

NOT_QUANTITIES = [
    pytest.param("the Covid-19 pandemic", id="covid-19"),
    pytest.param("COVID19", id="covid19"),
    pytest.param("the G20 summit", id="g20"),
    pytest.param("F-16 jets", id="f-16"),
    pytest.param("flight MH17", id="mh17"),
    pytest.param("at 10:30", id="clock-colon"),
    pytest.param("at 10 pm", id="clock-pm"),
    pytest.param("at 10 o’clock", id="clock-oclock"),
    pytest.param("call 555-1234", id="phone-hyphen"),
    pytest.param("+7 727 123 4567", id="phone-spaced"),
    pytest.param("3 000 people", id="space-grouped"),
    pytest.param("release 1.2.3", id="dotted-version"),
    pytest.param("version 3.11", id="named-version"),
    pytest.param("2m people", id="glued-unit"),
    pytest.param("a 3-1 win", id="score"),
    pytest.param("on 2020-01-05", id="iso-date"),
    pytest.param("until Jan. 19", id="date-month-first"),
    pytest.param("on 19 January", id="date-day-first"),
    pytest.param("24/7", id="slash"),
    pytest.param("one of the protesters", id="one-of"),
    pytest.param("no one was hurt", id="no-one"),
    pytest.param("no-one was hurt", id="no-one-hyphen"),
    pytest.param("anyone or someone", id="anyone-someone"),
    pytest.param("they blamed one another", id="one-another"),
    pytest.param("one by one", id="one-by-one"),
    pytest.param("two-thirds of voters", id="fraction"),
    pytest.param("007", id="leading-zero"),
    pytest.param(".5", id="bare-decimal-point"),
]


@pytest.mark.parametrize(("text", "expected"), FIGURES)
def test_reads_figures_in_digits(text: str, expected: Found) -> None:
    """Figures written in digits are read with exact values and offsets."""
    assert _found(text) == expected


@pytest.mark.parametrize(("text", "expected"), WORDS)
def test_reads_number_words(text: str, expected: Found) -> None:
    """Spelled-out cardinals are read as one figure per well-formed phrase."""
    assert _found(text) == expected


@pytest.mark.parametrize(("text", "expected"), VAGUE)
def test_reads_vague_words_in_context(text: str, expected: Found) -> None:
    """Vague words keep their table bounds whatever their case and surroundings."""
    assert _found(text) == expected


@pytest.mark.parametrize(("text", "expected"), QUALIFIERS)
def test_qualifiers_set_the_bounds_and_belong_to_the_text(text: str, expected: Found) -> None:
    """A qualifier turns the figure into the documented bounds and is part of the span."""
    assert _found(text) == expected


@pytest.mark.parametrize(("text", "expected"), RANGES)
def test_reads_ranges(text: str, expected: Found) -> None:
    """Two figures joined as a range become one quantity from the first to the second."""
    assert _found(text) == expected


@pytest.mark.parametrize(("text", "expected"), KINDS)
def test_kind_comes_from_the_immediate_context(text: str, expected: Found) -> None:
    """The words right around a figure decide what it measures."""
    assert _found(text) == expected


@pytest.mark.parametrize("text", NOT_QUANTITIES)
def test_ignores_what_only_looks_like_a_number(text: str) -> None:
    """Identifiers, times, dates, phone numbers and pronoun "one" yield no quantity."""
    assert find_quantities(text) == []


def test_one_is_a_count_when_it_counts() -> None:
    """ "one woman" is a count of one; the casualty extractor decides whether it matters."""
    assert _found("“We are neither thugs nor terrorists,” said one woman.") == [
        ("one", 1, 1, "count")
    ]


def test_qualified_one_stays_a_count() -> None:
    """A qualifier makes "one of" a bound on a count, not a pronoun."""
    assert _found("more than one of the dead") == [("more than one", 1, None, "count")]


@pytest.mark.parametrize("word", sorted(VAGUE_QUANTITIES))
def test_every_vague_word_reads_as_its_table_entry(word: str) -> None:
    """Each entry of the vague table is found with exactly the documented bounds."""
    text = f"They said {word} of the people were there."
    low, high = VAGUE_QUANTITIES[word]
    assert find_quantities(text) == [
        Quantity(low, high, word, 10, 10 + len(word), "count", vague=True)
    ]


def test_vague_table_is_conservative_and_open_ended() -> None:
    """Every vague word has a positive low bound and no invented ceiling."""
    assert all(low > 0 and high is None for low, high in VAGUE_QUANTITIES.values())


def test_reads_the_seed_article_passage() -> None:
    """A real passage yields exactly its figures, with offsets that slice back to them."""
    text = (
        "Kazakh state media reported on Friday that 18 security personnel and 26 “armed "
        "criminals” were killed in violent protests. Over 3,000 people have been arrested. "
        "Dozens of people were killed and hundreds more injured in clashes on Thursday, "
        "until Jan. 19. Kazakhstan, the ninth largest country, independent since 1991, "
        "ruled for nearly three decades before stepping down in 2019, amid the Covid-19 "
        "pandemic, when around 3,600 CSTO members would be deployed."
    )
    assert _found(text) == [
        ("18", 18, 18, "count"),
        ("26", 26, 26, "count"),
        ("Over 3,000", 3000, None, "count"),
        ("Dozens", 24, None, "count"),
        ("hundreds", 200, None, "count"),
        ("ninth", 9, 9, "ordinal"),
        ("1991", 1991, 1991, "year"),
        ("nearly three", None, 3, "duration"),
        ("2019", 2019, 2019, "year"),
        ("around 3,600", 3600, 3600, "count"),
    ]
    assert all(text[q.start : q.end] == q.text for q in find_quantities(text))


def test_quantity_is_immutable() -> None:
    """A found quantity cannot be changed after the fact."""
    quantity = find_quantities("18 dead")[0]
    with pytest.raises(AttributeError):
        quantity.low = 0  # type: ignore[misc]  # the point is that assignment fails


# Text built from fragments that exercise every branch of the finder, mixed with noise.
_FRAGMENTS = [
    *VAGUE_QUANTITIES, "one", "twenty", "-", "six", "hundred", "and", "a", "half", "dozen",
    "thousand", "million", "first", "ninth", "over", "more than", "nearly", "fewer than",
    "between", "to", "or", "or more", "from", "in", "aged", "Jan.", "of", "no", "the",
    "1", "18", "2019", "3,000", "3.6", "1,9", "10:30", "$", "€", "US$", "%", "+", "–", "—",
    "year-old", "years", "days", "people", "dollars", "percent", "pm", "thirds", " ", " ",
    "\u00a0", ",", ".", "“", "’s", "5-10", "1990s", "1st", "bn", "m",
]  # fmt: skip
_MIXED_TEXT = st.lists(
    st.one_of(st.sampled_from(_FRAGMENTS), st.text(max_size=3)), max_size=40
).map(" ".join)


def _check_invariants(text: str) -> None:
    """Assert the contract every result must keep, whatever the input."""
    found = find_quantities(text)
    previous_end = 0
    for q in found:
        assert text[q.start : q.end] == q.text
        assert previous_end <= q.start < q.end
        assert q.low is None or q.high is None or q.low <= q.high
        assert q.vague == (" ".join(q.text.lower().split()) in VAGUE_QUANTITIES)
        previous_end = q.end
    assert find_quantities(text) == found  # deterministic


@given(st.text())
def test_any_text_keeps_the_contract(text: str) -> None:
    """Arbitrary text never raises; spans slice back, are sorted and never overlap."""
    _check_invariants(text)


@given(_MIXED_TEXT)
def test_number_like_text_keeps_the_contract(text: str) -> None:
    """Dense number-like text never raises; spans slice back, are sorted and never overlap."""
    _check_invariants(text)


@given(st.integers(min_value=0, max_value=10**12))
def test_comma_grouped_figures_read_back_exactly(n: int) -> None:
    """Any whole number written with thousands commas is read back as that exact count."""
    assert _found(f"Officials said {n:,} people were affected.") == [(f"{n:,}", n, n, "count")]


_ONES = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
]  # fmt: skip
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def _spell(n: int) -> str:
    """Spell out 1 <= n < 10**9 in British style ("two hundred and five")."""
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("-" + _ONES[n % 10] if n % 10 else "")
    for size, name in ((10**6, "million"), (1000, "thousand"), (100, "hundred")):
        if n >= size:
            head, rest = divmod(n, size)
            tail = "" if not rest else (" and " if rest < 100 else " ") + _spell(rest)
            return f"{_spell(head)} {name}{tail}"
    raise AssertionError(n)  # pragma: no cover


@given(st.integers(min_value=2, max_value=10**9 - 1))
def test_spelled_out_cardinals_read_back_exactly(n: int) -> None:
    """Any spelled-out cardinal is read back as one figure with its value."""
    words = _spell(n)
    assert _found(f"They counted {words} bodies.") == [(words, n, n, "count")]
