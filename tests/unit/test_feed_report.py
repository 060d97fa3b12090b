"""``tocsin feed``'s summary: counts, reasons grouped with positions, and the exit code."""

from __future__ import annotations

from tocsin.cli.feed_client import Result
from tocsin.cli.feed_report import POSITIONS_SHOWN, counts, exit_code, format_summary, problems


def test_counts_cover_every_status() -> None:
    """Each status is counted, and absent ones count 0."""
    results = [Result("a", "accepted", events=3), Result("b", "duplicate"), Result("c", "accepted")]
    assert counts(results) == {"accepted": 2, "duplicate": 1, "rejected": 0, "unavailable": 0}


def test_identical_reasons_are_grouped_most_frequent_first_then_in_input_order() -> None:
    """Rejections sharing a reason form one group listing where each came from."""
    results = [
        Result("f:line 1", "rejected", "body: must contain text"),
        Result("f:line 2", "rejected", "malformed JSON"),
        Result("g", "unavailable", "cannot reach"),
        Result("f:line 3", "rejected", "malformed JSON"),
        Result("h", "rejected", "too large"),
    ]
    grouped = [(p.status, p.reason, p.where) for p in problems(results)]
    assert grouped == [
        ("rejected", "malformed JSON", ["f:line 2", "f:line 3"]),
        ("rejected", "body: must contain text", ["f:line 1"]),
        ("rejected", "too large", ["h"]),
        ("unavailable", "cannot reach", ["g"]),
    ]


def test_summary_text_lists_counts_events_and_problems() -> None:
    """The summary shows the four counts, events published, then each reason and its positions."""
    results = [
        Result("a.json", "accepted", events=4),
        Result("b.ndjson:line 1", "duplicate"),
        Result("b.ndjson:line 2", "rejected", "malformed JSON"),
    ]
    text = format_summary(results, files=2, url="http://127.0.0.1:8080", seconds=1.25)
    assert text.splitlines() == [
        "3 articles read from 2 files, sent to http://127.0.0.1:8080 in 1.2 s:",
        "  accepted     1",
        "  duplicates   1",
        "  rejected     1",
        "  unavailable  0",
        "  4 events published",
        "rejected (1): malformed JSON",
        "    b.ndjson:line 2",
    ]


def test_long_lists_of_positions_are_cut_short() -> None:
    """Only the first few positions of a reason are listed; the rest are counted."""
    results = [Result(f"f:line {n}", "rejected", "same") for n in range(1, 13)]
    lines = format_summary(results, files=1, url="u", seconds=0).splitlines()
    listed = [line for line in lines if line.startswith("    f:line")]
    assert len(listed) == POSITIONS_SHOWN
    assert lines[-1] == f"    … and {12 - POSITIONS_SHOWN} more"


def test_exit_code_is_zero_only_when_everything_landed() -> None:
    """Accepted and duplicate articles exit 0; any rejected or unavailable one exits 1."""
    assert exit_code([Result("a", "accepted"), Result("b", "duplicate")]) == 0
    assert exit_code([Result("a", "accepted"), Result("b", "rejected", "x")]) == 1
    assert exit_code([Result("a", "unavailable", "x")]) == 1
