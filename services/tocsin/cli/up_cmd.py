"""``tocsin up``: the whole local stack in one command, until Ctrl-C or SIGTERM.

Progress goes to stderr as each part comes up; the URLs and the summary of the
totals go to stdout once the sample article's events have been applied.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from tocsin.cli.feed_client import IngestClient, Result, RetryPolicy, deliver
from tocsin.cli.feed_cmd import api_key
from tocsin.cli.feed_files import Source, read_sources
from tocsin.errors import InputError, TocsinError
from tocsin.localbroker import LocalBrokerError
from tocsin.stack import summary
from tocsin.stack.interrupts import Interrupts
from tocsin.stack.layout import StackLayout
from tocsin.stack.sample import find_sample
from tocsin.stack.supervisor import Stack, StackConfig

DEFAULT_DATA_DIR = Path(".tocsin")
APPLY_TIMEOUT_S = 60.0


def _int_between(text: str, low: int, high: int, what: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not {what}: {text!r}") from None
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"not {what} ({low} to {high}): {value}")
    return value


def _port(text: str) -> int:
    return _int_between(text, 0, 65535, "a port number")


def _workers(text: str) -> int:
    return _int_between(text, 1, 64, "a number of workers")


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def register(subparsers: Any) -> None:
    """Add the ``up`` command."""
    parser = subparsers.add_parser(
        "up",
        help="run the whole stack locally: Kafka, ingest and aggregator (Ctrl-C stops it)",
        description=(
            "Start a local Kafka broker (or use the one already running in the data directory), "
            "create the topics, start the ingest service and the aggregator, post the sample "
            "article, wait until its events are counted, then print where to look and a summary "
            "of the totals. Runs until Ctrl-C or SIGTERM, then stops everything it started."
        ),
        epilog="example: tocsin up --today 2022-01-10",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=DEFAULT_DATA_DIR,
        metavar="DIR",
        help="where the broker, the services' state and the logs live (default %(default)s)",
    )
    parser.add_argument(
        "--ingest-port",
        type=_port,
        metavar="PORT",
        default=8080,
        help="ingest port (default %(default)s)",
    )
    parser.add_argument(
        "--aggregator-port",
        type=_port,
        metavar="PORT",
        default=8081,
        help="aggregator port (default %(default)s)",
    )
    parser.add_argument(
        "--kafka-port",
        type=_port,
        metavar="PORT",
        default=9092,
        help="port of a broker started here; 0 picks a free one (default %(default)s)",
    )
    parser.add_argument(
        "--workers",
        type=_workers,
        metavar="N",
        help="ingest worker processes, 1 to 64 (default: TOCSIN_INGEST_WORKERS, else 1)",
    )
    sample = parser.add_mutually_exclusive_group()
    sample.add_argument(
        "--sample",
        type=Path,
        metavar="PATH",
        help="article file to post first (default: ../shared/corpus/seed-article.json beside "
        "the repository when present, else examples/sample-article.json)",
    )
    sample.add_argument("--no-sample", action="store_true", help="post nothing at start")
    parser.add_argument(
        "--today",
        type=_day,
        metavar="YYYY-MM-DD",
        help='"today" for the aggregator\'s curfews, YYYY-MM-DD (default: the UTC date)',
    )
    parser.set_defaults(handler=run)


def _note(message: str) -> None:
    print(f"tocsin up: {message}", file=sys.stderr, flush=True)


def _usage_problem(args: argparse.Namespace) -> str | None:
    ports = {"--ingest-port": args.ingest_port, "--aggregator-port": args.aggregator_port}
    if args.kafka_port:
        ports["--kafka-port"] = args.kafka_port
    if 0 in (args.ingest_port, args.aggregator_port):
        return "--ingest-port and --aggregator-port need a fixed port (only --kafka-port takes 0)"
    if len(set(ports.values())) < len(ports):
        return "the ports must differ: " + ", ".join(f"{k} {v}" for k, v in ports.items())
    return None


def _sample_sources(args: argparse.Namespace) -> tuple[Path | None, list[Source], str | None]:
    """The sample's path and articles, or a problem to report (exit 2)."""
    if args.no_sample:
        return None, [], None
    path = args.sample or find_sample()
    if path is None:
        _note("no sample article found; starting without one (use --sample PATH)")
        return None, [], None
    try:
        sources = read_sources(path.read_bytes(), str(path))
    except OSError as exc:
        return path, [], f"cannot read the sample {path}: {exc.strerror or exc}"
    except InputError as exc:
        return path, [], f"the sample is not an article: {exc}"
    return path, sources, None


def _quiet_logs() -> None:
    """Keep the progress lines readable: each probe request would log at INFO otherwise."""
    if not logging.getLogger().isEnabledFor(logging.DEBUG):
        for name in ("httpx", "httpcore", "tocsin.kafka.admin"):
            logging.getLogger(name).setLevel(logging.WARNING)


def run(args: argparse.Namespace) -> int:
    """Run the stack until a signal (exit 0) or a failure (exit 1); 2 for bad arguments."""
    _quiet_logs()
    problem = _usage_problem(args)
    sample_path, sources, sample_problem = _sample_sources(args)
    if problem or sample_problem:
        print(f"tocsin up: {problem or sample_problem}", file=sys.stderr)
        return 2
    config = StackConfig(
        layout=StackLayout.at(args.data_dir),
        ingest_port=args.ingest_port,
        aggregator_port=args.aggregator_port,
        kafka_port=args.kafka_port,
        today=args.today,
        ingest_workers=args.workers,
    )
    code = 0
    with Interrupts(_note) as interrupts:
        stack = Stack(config, note=_note, critical=interrupts.held)
        try:
            started = time.monotonic()
            _note(f"data in {config.layout.data_dir}")
            stack.start()
            if sources:
                _post_sample(stack, sample_path, sources)
            _wait_applied(stack)
            _print_banner(stack, time.monotonic() - started)
            stack.watch()
        except KeyboardInterrupt:
            _note("stopping ...")
        except (TocsinError, LocalBrokerError) as exc:
            print(f"tocsin up: error: {exc}", file=sys.stderr, flush=True)
            code = 1
        finally:
            interrupts.stopping = True
            stack.stop()
    return code


def _post_sample(stack: Stack, path: Path | None, sources: list[Source]) -> None:
    started = time.monotonic()
    results = asyncio.run(_send(stack.ingest_url, sources))
    final = {r.status for r in results}
    events = sum(r.events for r in results)
    if final <= {"accepted"}:
        _note(f"posted {path}: {len(results)} accepted, {events} events ({_since(started)})")
    elif final <= {"accepted", "duplicate"}:
        _note(f"posted {path}: already known from an earlier run, nothing new published")
    else:
        for r in results:
            if r.status not in ("accepted", "duplicate"):
                _note(f"the sample was not accepted: {r.where}: {r.status}: {r.reason}")


def _wait_applied(stack: Stack) -> None:
    """Wait until the totals include every event on the topics now, the sample's included.

    Exact, where polling /v1/totals for the sample's figures is not: a figure lower
    than one already counted, or an article posted in an earlier run, changes nothing.
    """
    started = time.monotonic()
    if stack.wait_applied(stack.event_end_offsets(), APPLY_TIMEOUT_S):
        _note(f"the aggregator has applied every event on the topics ({_since(started)})")
    else:
        _note(f"the aggregator had not caught up after {APPLY_TIMEOUT_S:.0f} s; totals may lag")


async def _send(url: str, sources: list[Source]) -> list[Result]:
    # The services inherit this environment: if it configures API keys, the sample
    # needs one too, from $TOCSIN_API_KEY as for `tocsin feed`.
    key = api_key(None)
    headers = {"authorization": f"Bearer {key}"} if key else {}
    async with httpx.AsyncClient(base_url=url, timeout=30.0, headers=headers) as http:
        client = IngestClient(http, RetryPolicy())
        return await deliver(sources, client=client, concurrency=1, batch=1, progress=_ignore)


def _ignore(_n: int) -> None:
    """A progress callback for a handful of articles: nothing to show."""


def _since(started: float) -> str:
    return f"{time.monotonic() - started:.1f} s"


def _print_banner(stack: Stack, seconds: float) -> None:
    ingest, agg = stack.ingest_url, stack.aggregator_url
    rows = [
        ("dashboard", f"{agg}/"),
        ("totals (JSON)", f"{agg}/v1/totals"),
        ("ingest API docs", f"{ingest}/docs"),
        ("ingest metrics", f"{ingest}/metrics"),
        ("aggregator metrics", f"{agg}/metrics"),
        ("Kafka bootstrap", str(stack.bootstrap)),
        ("logs", f"{stack.layout.logs_dir}/"),
    ]
    width = max(len(label) for label, _ in rows)
    lines = [f"Tocsin is up ({seconds:.1f} s):"]
    lines += [f"  {label:<{width}}  {value}" for label, value in rows]
    try:
        lines += ["", summary.format_summary(summary.fetch(agg))]
    except (httpx.HTTPError, KeyError, ValueError) as exc:
        lines += ["", f"(no summary: the aggregator did not answer: {exc})"]
    lines += [
        "",
        f"Post more articles:  tocsin feed FILE_OR_FOLDER --url {ingest}",
        f"Watch events:        tocsin tail --bootstrap {stack.bootstrap}",
        "Press Ctrl-C to stop.",
    ]
    print("\n".join(lines), flush=True)
