"""The one-line rendering of events and bad messages printed by ``tocsin tail``."""

from __future__ import annotations

import pytest

from tocsin.cli.tail_cmd import describe_bad, format_count, format_event
from tocsin.contract.events import Count
from tocsin.contract.examples import example_events
from tocsin.kafka.subscriber import BadMessage

EXAMPLE_LINES = {
    "casualty": "2024-02-27 KG casualty injured 7 security_forces in Bishkek "
    "(Officials in Bishkek) [article example-kg-2024-02-27]",
    "deployment": "2024-02-27 KG deployment national guard ~400 arrived from KG in Bishkek "
    "[article example-kg-2024-02-27]",
    "statement": '2024-02-27 KG statement the interior minister: "We will restore order," '
    "[article example-kg-2024-02-27]",
    "curfew": "2024-02-27 KG curfew curfew until 2024-03-03 in Bishkek "
    "[article example-kg-2024-02-27]",
}


@pytest.mark.parametrize("kind", sorted(EXAMPLE_LINES))
def test_example_events_render_as_documented(kind: str) -> None:
    """Each contract example renders to its expected one-line summary."""
    assert format_event(example_events()[kind]) == EXAMPLE_LINES[kind]


@pytest.mark.parametrize(
    ("low", "high", "text", "shown"),
    [
        (18, 18, "18", "18"),
        (3600, 3600, "around 3,600", "~3600"),
        (3000, None, "Over 3,000", "3000+"),
        (24, None, "Dozens", "24+ (Dozens)"),
        (7, 7, "seven", "7 (seven)"),
        (10, 20, "10 to 20", "10-20"),
        (None, 50, "up to 50", "<=50"),
        (None, None, "contingent", "? (contingent)"),
    ],
)
def test_counts_show_the_figure_and_wordy_phrasing(
    low: int | None, high: int | None, text: str, shown: str
) -> None:
    """Counts print as numbers or ranges, with the article's words only when they add something."""
    assert format_count(Count(low=low, high=high, text=text)) == shown


def test_long_quotes_are_cut_at_a_word_and_lines_stay_single() -> None:
    """A long, multi-line quote becomes one line of bounded length ending in an ellipsis."""
    statement = example_events()["statement"].model_copy(
        update={"quote": "word " * 40 + "\nsecond line\x1b[31m", "speaker": "Someone\nElse"}
    )
    line = format_event(statement)
    assert "\n" not in line
    assert "\x1b" not in line
    assert '"word word' in line
    assert '…" [article' in line
    assert len(line) < 160


def test_bad_messages_name_topic_partition_and_offset() -> None:
    """A bad message is described with where it sits and why it was rejected, on one line."""
    bad = BadMessage("tocsin.events.curfew.v1", 2, 41, "not valid UTF-8 JSON:\nunexpected byte")
    assert describe_bad(bad) == (
        "bad message at tocsin.events.curfew.v1[2]@41: not valid UTF-8 JSON: unexpected byte"
    )
