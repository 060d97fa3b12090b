"""Hostile article bodies for the extractor, one generator per family, any size.

Each family stresses one way text can make a rule-based extractor slow or
fragile: one enormous line or sentence, quote marks nested or unbalanced by
the thousand, a sea of figures, scripts whose lower case changes length,
control characters, runs of terminators and abbreviations, endless runs of
capitalised words. ``FAMILIES[name](size)`` returns a body of about ``size``
characters (never less than half, never more than ``size``), the same one
for the same arguments, so timings at doubling sizes compare like with like.

Used by bench/adversarial_extraction.py (time and memory as the size doubles)
and tests/extraction/test_adversarial.py (the output stays valid).
"""

from __future__ import annotations

import random
from collections.abc import Callable

# Pieces of crisis-news text, so that every family also wakes the finders up.
_EVENT_BITS = [
    "12 protesters were killed",
    "at least 40 people were arrested",
    "police said",
    "a curfew was imposed in Almaty until Jan. 19",
    "about 3,600 CSTO troops would be deployed to Kazakhstan",
    "the death toll rose to 225",
    "Tokayev said",
    "dozens injured",
    "a state of emergency",
]


def _repeat(unit: str, size: int) -> str:
    """``unit`` repeated to at most ``size`` characters (at least one copy)."""
    return unit * max(1, size // len(unit))


def _seeded(size: int, pieces: list[str], sep: Callable[[random.Random], str]) -> str:
    """Random pieces joined by ``sep`` until ``size`` characters, seeded by the size."""
    rng = random.Random(size)
    parts: list[str] = []
    total = 0
    while True:
        piece = rng.choice(pieces) + sep(rng)
        if total + len(piece) > size:
            break
        parts.append(piece)
        total += len(piece)
    return "".join(parts) or pieces[0][:size]


def one_long_line(size: int) -> str:
    """A single line of words and commas, no terminator: one huge sentence and paragraph."""
    return _seeded(size, [*_EVENT_BITS, "and", "the", "Almaty", "on Monday"], lambda _: ", ")


def run_on_casualties(size: int) -> str:
    """One sentence holding thousands of figures and casualty triggers."""
    unit = "12 people were killed and 30 injured, police said, 7 soldiers died and "
    return _repeat(unit, size)


def nested_quotes(size: int) -> str:
    """Quote marks nested thousands deep, with attributions inside and no terminator."""
    unit = "\"'“‘«He said “she said ‘they said "
    half = _repeat(unit, size // 2)
    return half + _repeat("’”»'\" ", size - len(half))


def unbalanced_quotes(size: int) -> str:
    """One paragraph of short quoted clauses and stray marks: quote pairing runs long."""
    unit = '"We will stay," Tokayev said. "Killed 12," the minister said, " 40 were arrested '
    return _repeat(unit, size)


def numbers(size: int) -> str:
    """Figures of every shape, thousands of them in one sentence."""
    rng = random.Random(size)
    shapes = [
        lambda: str(rng.randint(0, 10**9)),
        lambda: f"{rng.randint(1, 999)},{rng.randint(100, 999)}",
        lambda: f"{rng.randint(1, 99)}-{rng.randint(100, 999)}",
        lambda: f"between {rng.randint(1, 50)} and {rng.randint(51, 99)}",
        lambda: f"at least {rng.randint(1, 99)} million",
        lambda: "twenty-six hundred and five thousand",
        lambda: f"${rng.randint(1, 99)}.{rng.randint(0, 9)}bn",
        lambda: f"{rng.randint(1800, 2100)}",
        lambda: "1 2 3 4 5 6 7 8 9 0",
    ]
    parts: list[str] = []
    total = 0
    while total < size:
        piece = rng.choice(shapes)() + rng.choice([" ", ", ", " killed ", " to "])
        parts.append(piece)
        total += len(piece)
    return "".join(parts)[:size]


def mixed_scripts(size: int) -> str:
    """Latin, Cyrillic, Arabic, CJK and Turkish dotted capitals (lower case grows: "İ")."""
    unit = (
        "İstanbul'da 12 protesters were killed. Протестующие вышли на улицы, police said. "
        "قتل 40 شخصا في المدينة. 北京 said 30 people were arrested. ǅemal İİİ Ω ẞ.\n"
    )
    return _repeat(unit, size)


def control_characters(size: int) -> str:
    """Every C0 and C1 control, zero-width characters and separators between the words."""
    controls = "".join(chr(c) for c in (*range(0x00, 0x20), *range(0x7F, 0xA0)))
    invisible = "\u200b\u200d\ufeff\u2028\u2029"  # zero-width, BOM, line and paragraph separators
    unit = f"12 people were killed{controls}{invisible}in Almaty, police said.\r\n"
    return _repeat(unit, size)


def terminators(size: int) -> str:
    """Runs of terminators, abbreviations and initials: many sentence boundary decisions."""
    unit = 'Gen. U.S. a.m. Dr. J. F. K. St. No. 5 Jan. 19 e.g. !!! ??? ... …… ?!. "?" '
    return _repeat(unit, size)


def capitalised_run(size: int) -> str:
    """One endless run of capitalised words and name particles, then a casualty report.

    The report at the end makes the extractor look up the places of the whole text.
    """
    tail = " of the of the, 12 people were killed, police said."
    unit = "Democratic Republic of the Congo Almaty Kazakh President Of The De La "
    return _repeat(unit, size - len(tail)) + tail


def dates_in_curfew(size: int) -> str:
    """Curfews with thousands of dates, weekdays and clock times, in one line."""
    unit = (
        "a curfew was imposed in Almaty from Jan. 5 until Friday, Jan. 7 and "
        "from 10 p.m. on Monday to next Tuesday, "
    )
    return _repeat(unit, size)


def many_sentences(size: int) -> str:
    """Short event sentences by the tens of thousands, paragraphs of ten."""
    rng = random.Random(size)
    parts: list[str] = []
    total = 0
    index = 0
    while True:
        sentence = rng.choice(_EVENT_BITS).capitalize() + ". "
        if index % 10 == 9:
            sentence += "\n\n"
        if total + len(sentence) > size:
            break
        parts.append(sentence)
        total += len(sentence)
        index += 1
    return "".join(parts)


def whitespace(size: int) -> str:
    """Almost nothing but blanks and newlines, with an event at either end."""
    event = "12 people were killed, police said."
    middle = _repeat(" \n\t\u00a0\n", size - 2 * len(event) - 2)
    return f"{event}\n{middle}\n{event}"


FAMILIES: dict[str, Callable[[int], str]] = {
    "one_long_line": one_long_line,
    "run_on_casualties": run_on_casualties,
    "nested_quotes": nested_quotes,
    "unbalanced_quotes": unbalanced_quotes,
    "numbers": numbers,
    "mixed_scripts": mixed_scripts,
    "control_characters": control_characters,
    "terminators": terminators,
    "capitalised_run": capitalised_run,
    "dates_in_curfew": dates_in_curfew,
    "many_sentences": many_sentences,
    "whitespace": whitespace,
}
