"""Extraction on hostile input: does time and memory grow linearly as the input doubles?

    python bench/adversarial_extraction.py [--min-kib 64] [--max-kib 4096]
        [--families numbers,nested_quotes] [--time-bound 2.6] [--memory-bound 2.6]

For every family of bench/adversarial_texts.py and every size from --min-kib to
--max-kib (doubling), extracts one article of that size and records the best
CPU time of a few runs (CPU time of this process, so that other jobs on a busy
machine disturb it less than wall time) and the peak memory the extraction
allocated (tracemalloc, in a separate run, because tracing slows Python down).
Then, for each doubling, checks the ratios t(2n)/t(n) and m(2n)/m(n): linear
growth gives about 2, quadratic growth 4. A ratio above its bound is measured
again (the machine may have been busy) before it counts.

Prints Markdown tables (time and ratio, memory and ratio) and exits with status
1 when any ratio stays above its bound, 0 otherwise.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from adversarial_texts import FAMILIES
from tocsin.contract.article import Article, ArticleIn
from tocsin.extraction.geo import default_gazetteer
from tocsin.extraction.pipeline import extract

NOW = dt.datetime(2024, 2, 1, tzinfo=dt.UTC)
_RETRIES = 2  # extra measurements of a pair whose ratio is above its bound
_SHORT_RUN_REPEATS_BELOW = 1024 * 1024  # sizes under this get --repeat timed runs


@dataclass
class Point:
    """One family at one size."""

    size: int  # characters of the body
    seconds: float
    peak_bytes: int
    events: int


@dataclass
class Family:
    """The measurements of one family, smallest size first."""

    name: str
    points: list[Point] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def _article(body: str) -> Article:
    return ArticleIn(id="adversarial", body=body, published_at=NOW).resolve(received_at=NOW)


def _time(article: Article, repeat: int) -> tuple[float, int]:
    """Best CPU time of ``repeat`` extractions, and the number of events."""
    best = float("inf")
    events = 0
    for _ in range(repeat):
        gc.collect()
        started = time.process_time()
        events = len(extract(article, extracted_at=NOW))
        best = min(best, time.process_time() - started)
    return best, events


def _peak(article: Article) -> int:
    """Peak bytes allocated while extracting (the article itself was allocated before)."""
    gc.collect()
    tracemalloc.start()
    try:
        extract(article, extracted_at=NOW)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _measure(make: Callable[[int], str], size: int, repeat: int) -> Point:
    body = make(size)
    article = _article(body)
    seconds, events = _time(article, repeat if size < _SHORT_RUN_REPEATS_BELOW else 1)
    return Point(len(body), seconds, _peak(article), events)


def _check(family: Family, make: Callable[[int], str], args: argparse.Namespace) -> None:
    """Compare each doubling against the bounds, re-measuring a pair that looks too slow."""
    for i in range(1, len(family.points)):
        small, large = family.points[i - 1], family.points[i]
        for attempt in range(_RETRIES + 1):
            time_ratio = large.seconds / small.seconds
            memory_ratio = large.peak_bytes / small.peak_bytes
            if time_ratio <= args.time_bound and memory_ratio <= args.memory_bound:
                break
            if attempt == _RETRIES:
                family.failures.append(
                    f"{family.name}: {_kib(small.size)} -> {_kib(large.size)} KiB: "
                    f"time x{time_ratio:.2f} (bound {args.time_bound}), "
                    f"memory x{memory_ratio:.2f} (bound {args.memory_bound})"
                )
                break
            # Keep the best of the old and new measurements of both sizes.
            for point in (small, large):
                again = _measure(make, _requested(args, point), args.repeat)
                point.seconds = min(point.seconds, again.seconds)
                point.peak_bytes = min(point.peak_bytes, again.peak_bytes)


def _sizes(args: argparse.Namespace) -> list[int]:
    sizes = []
    kib = args.min_kib
    while kib <= args.max_kib:
        sizes.append(kib * 1024)
        kib *= 2
    return sizes


def _requested(args: argparse.Namespace, point: Point) -> int:
    """The requested size a point was made for (a body may be a little shorter)."""
    return next(size for size in _sizes(args) if point.size <= size and 2 * point.size > size)


def _kib(size: int) -> str:
    return f"{size / 1024:,.0f}"


def _tables(families: list[Family]) -> str:
    sizes = [f"{_kib(p.size)} KiB" for p in families[0].points]
    head = "| family | " + " | ".join(sizes) + " |\n|---|" + "---|" * len(sizes) + "\n"
    time_rows, memory_rows = [], []
    for fam in families:
        cells, mem = [], []
        for i, p in enumerate(fam.points):
            before = fam.points[i - 1] if i else None
            t_ratio = f" (x{p.seconds / before.seconds:.2f})" if before else ""
            m_ratio = f" (x{p.peak_bytes / before.peak_bytes:.2f})" if before else ""
            cells.append(f"{p.seconds * 1000:,.0f} ms{t_ratio}")
            mem.append(f"{p.peak_bytes / 2**20:,.1f} MiB{m_ratio}")
        time_rows.append(f"| {fam.name} | " + " | ".join(cells) + " |")
        memory_rows.append(f"| {fam.name} | " + " | ".join(mem) + " |")
    events = ", ".join(f"{fam.name} {fam.points[-1].events:,}" for fam in families)
    return (
        "CPU time, best run (ratio to the size before):\n\n"
        + head
        + "\n".join(time_rows)
        + "\n\nPeak memory allocated during extraction (ratio to the size before):\n\n"
        + head
        + "\n".join(memory_rows)
        + f"\n\nEvents at the largest size: {events}.\n"
    )


def main() -> None:
    """Measure every family at every size, print the tables, exit 1 on super-linear growth."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--min-kib", type=int, default=64)
    parser.add_argument("--max-kib", type=int, default=4096)
    parser.add_argument("--families", help="comma-separated names (default: all)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs below 1 MiB")
    parser.add_argument("--time-bound", type=float, default=2.6, help="largest t(2n)/t(n)")
    parser.add_argument("--memory-bound", type=float, default=2.6, help="largest m(2n)/m(n)")
    args = parser.parse_args()
    names = args.families.split(",") if args.families else list(FAMILIES)
    unknown = sorted(set(names) - set(FAMILIES))
    if unknown:
        parser.error(f"unknown families {unknown}; known: {', '.join(FAMILIES)}")

    default_gazetteer()  # built once per process, not part of any measurement
    extract(_article(FAMILIES[names[0]](4096)), extracted_at=NOW)  # compile lazy regexes
    families = []
    for name in names:
        family = Family(name)
        for size in _sizes(args):
            point = _measure(FAMILIES[name], size, args.repeat)
            family.points.append(point)
            print(
                f"{name} {_kib(point.size)} KiB: {point.seconds * 1000:,.0f} ms, "
                f"{point.peak_bytes / 2**20:,.1f} MiB, {point.events:,} events",
                file=sys.stderr,
                flush=True,
            )
        _check(family, FAMILIES[name], args)
        families.append(family)

    print(_tables(families))
    failures = [f for fam in families for f in fam.failures]
    if failures:
        print("Super-linear growth:\n" + "\n".join(f"- {f}" for f in failures))
        sys.exit(1)
    print(
        f"Every doubling stayed within x{args.time_bound} in time "
        f"and x{args.memory_bound} in memory."
    )


if __name__ == "__main__":
    main()
