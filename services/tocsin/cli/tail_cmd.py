"""``tocsin tail``: print events from the event topics as they arrive, one line each."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import re
import sys
import unicodedata
from typing import Any, TextIO

import orjson

from tocsin.cli.kafka_args import (
    add_bootstrap_argument,
    kafka_settings,
    positive_float,
    positive_int,
    report_broker_error,
)
from tocsin.contract.events import (
    EVENT_TYPES,
    CasualtyEvent,
    Count,
    CurfewEvent,
    DeploymentEvent,
    Event,
    StatementEvent,
)
from tocsin.errors import BrokerError
from tocsin.kafka.subscriber import BadMessage, EventSubscriber, ReceivedEvent

log = logging.getLogger(__name__)

QUOTE_WIDTH = 80
"""Quotes longer than this many characters are cut at a word and end with an ellipsis."""

_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
_APPROXIMATE = ("about", "around", "approximately", "roughly", "some", "nearly", "almost", "~")


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add the ``tail`` command."""
    parser = subparsers.add_parser(
        "tail",
        help="print events from Kafka as they arrive, one line each",
        description=(
            "Follow Tocsin's event topics and print each event on one line, readable by "
            "default or as the JSON message with --ndjson. Reads without a consumer group, "
            "so it commits nothing and disturbs no other consumer. Messages that are not "
            "valid events are reported on stderr and skipped. Ends after --max events, after "
            "--idle-timeout seconds without messages, or on Ctrl-C."
        ),
        epilog="example: tocsin tail --type casualty curfew --country KZ --from-beginning",
    )
    parser.add_argument(
        "--type",
        dest="types",
        action="extend",
        nargs="+",
        choices=EVENT_TYPES,
        metavar="TYPE",
        help=f"only these event types ({', '.join(EVENT_TYPES)}); repeatable; default all",
    )
    parser.add_argument(
        "--country",
        dest="countries",
        action="extend",
        nargs="+",
        type=_country,
        metavar="CC",
        help="only events about these ISO 3166 alpha-2 countries (ZZ: unknown); repeatable",
    )
    parser.add_argument(
        "--article",
        dest="article_ids",
        action="extend",
        nargs="+",
        metavar="ID",
        help="only events extracted from these article ids; repeatable",
    )
    parser.add_argument(
        "--from-beginning",
        action="store_true",
        help="start at the oldest retained event instead of only new ones",
    )
    parser.add_argument(
        "--ndjson", action="store_true", help="print each event's JSON message, one per line"
    )
    parser.add_argument(
        "--max",
        dest="max_events",
        type=positive_int,
        metavar="N",
        help="stop after printing N events",
    )
    parser.add_argument(
        "--idle-timeout",
        type=positive_float,
        metavar="SECONDS",
        help="stop when no message has arrived for this long",
    )
    add_bootstrap_argument(parser)
    parser.set_defaults(handler=run)


def _country(text: str) -> str:
    if not _COUNTRY.match(text):
        raise argparse.ArgumentTypeError(f"not a two-letter country code: {text!r}")
    return text.upper()


def run(args: argparse.Namespace) -> int:
    """Print events until a limit is reached (0), Ctrl-C (0) or the broker fails (1)."""
    settings = kafka_settings("tail", bootstrap=args.bootstrap)
    if settings is None:
        return 2
    subscriber = EventSubscriber(
        settings,
        types=args.types or EVENT_TYPES,
        countries=args.countries,
        article_ids=args.article_ids,
        from_beginning=args.from_beginning,
        max_events=args.max_events,
        idle_timeout_s=args.idle_timeout,
    )
    try:
        with subscriber:
            where = "the beginning" if args.from_beginning else "new events"
            log.info("following %s from %s", ", ".join(subscriber.topics), where)
            for item in subscriber:
                if isinstance(item, BadMessage):
                    print(f"tocsin tail: {describe_bad(item)}", file=sys.stderr, flush=True)
                else:
                    _print_event(item, ndjson=args.ndjson, out=sys.stdout)
    except BrokerError as exc:
        return report_broker_error("tail", exc)
    except KeyboardInterrupt:
        return 0
    except BrokenPipeError:
        # The reader went away (``tocsin tail | head``): stop quietly, and point stdout
        # at /dev/null so the interpreter's final flush does not complain either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return 0


def _print_event(item: ReceivedEvent, *, ndjson: bool, out: TextIO) -> None:
    if ndjson:
        # The message as published; it is one line already unless a producer other than
        # Tocsin pretty-printed it, in which case it is re-serialised compactly.
        value = item.value if b"\n" not in item.value else _compact(item.value)
        out.buffer.write(value + b"\n")
        out.buffer.flush()
    else:
        print(format_event(item.event), file=out, flush=True)


def _compact(value: bytes) -> bytes:
    return orjson.dumps(orjson.loads(value))


def describe_bad(item: BadMessage) -> str:
    """One line about a message that is not a valid event."""
    return f"bad message at {item.topic}[{item.partition}]@{item.offset}: {_clean(item.reason)}"


def format_event(event: Event) -> str:
    """One readable line: date, country, type, what happened, and the article it came from."""
    head = f"{event.published_at.date().isoformat()} {event.country or '--'} {event.type}"
    place = f" in {event.location}" if event.location else ""
    if isinstance(event, CasualtyEvent):
        who = f" ({event.attributed_to})" if event.attributed_to else ""
        body = f"{event.outcome} {format_count(event.count)} {event.group}{place}{who}"
    elif isinstance(event, DeploymentEvent):
        origin = f" from {event.origin_country}" if event.origin_country else ""
        body = f"{event.force} {format_count(event.size)} {event.status}{origin}{place}"
    elif isinstance(event, StatementEvent):
        body = f'{event.speaker}: "{_truncate(event.quote, QUOTE_WIDTH)}"'
    else:
        body = f"{event.kind}{_span(event)}{place}"
    return _clean(f"{head} {body} [article {event.article_id}]")


def format_count(count: Count) -> str:
    """A count as a number or range, with the article's words when they had no digits.

    ``18``; ``~3600`` (around 3,600); ``3000+`` (over 3,000); ``24+ (dozens)``;
    ``10-20``; ``<=50``; ``? (contingent)`` when the article gave no figure.
    """
    low, high, words = count.low, count.high, count.text.strip()
    if low is not None and low == high:
        approximate = words.lower().startswith(_APPROXIMATE)
        figure = f"~{low}" if approximate else str(low)
    elif low is not None and high is not None:
        figure = f"{low}-{high}"
    elif low is not None:
        figure = f"{low}+"
    elif high is not None:
        figure = f"<={high}"
    else:
        figure = "?"
    has_digits = any(ch.isdigit() for ch in words)
    return f"{figure} ({words})" if words and not has_digits else figure


def _span(event: CurfewEvent) -> str:
    starts = f" from {_date(event.starts_on)}" if event.starts_on else ""
    ends = f" until {_date(event.ends_on)}" if event.ends_on else ""
    return starts + ends


def _date(day: dt.date) -> str:
    return day.isoformat()


def _truncate(text: str, width: int) -> str:
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text[: width - 1].rsplit(" ", 1)[0] if " " in text[: width - 1] else text[: width - 1]
    return cut.rstrip(" ,;:") + "…"


def _clean(text: str) -> str:
    """One line, without control characters that a message could use to upset a terminal."""
    return "".join(
        " " if unicodedata.category(ch) in {"Cc", "Zl", "Zp"} else ch for ch in text
    ).strip()
