"""``tocsin extract``: run the extraction core over files or stdin and print events."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

import orjson

from tocsin.cli.article_files import BadArticle, read_articles
from tocsin.contract.codec import encode
from tocsin.errors import InputError
from tocsin.extraction.pipeline import extract


def register(subparsers: Any) -> None:
    """Add the ``extract`` command."""
    parser = subparsers.add_parser(
        "extract",
        help="extract typed events from articles and print them as NDJSON",
        description=(
            "Read articles (one JSON article, a JSON array, NDJSON, or plain text) from FILE "
            "or stdin and print one JSON event per line. Bad articles in a batch are reported "
            "on stderr and the rest are still processed."
        ),
        epilog="example: tocsin extract ../shared/corpus/seed-article.json --pretty",
    )
    parser.add_argument("file", nargs="?", default="-", help="input file, or - for stdin")
    parser.add_argument("--pretty", action="store_true", help="indented, human-readable JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Extract events; exit 0 when all articles were read, 1 when some were bad, 2 when none."""
    try:
        data = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    except OSError as exc:
        print(f"tocsin extract: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    name = "stdin" if args.file == "-" else args.file
    now = dt.datetime.now(dt.UTC)
    bad = 0
    out = sys.stdout.buffer
    option = orjson.OPT_INDENT_2 if args.pretty else 0
    try:
        for item in read_articles(data, name=name):
            if isinstance(item, BadArticle):
                bad += 1
                print(f"tocsin extract: {name}: {item.position}: {item.reason}", file=sys.stderr)
                continue
            article = item.resolve(received_at=now)
            for event in extract(article, extracted_at=now):
                payload = encode(event)
                out.write(orjson.dumps(orjson.loads(payload), option=option) if option else payload)
                out.write(b"\n")
    except InputError as exc:
        print(f"tocsin extract: {exc}", file=sys.stderr)
        return 2
    out.flush()
    return 1 if bad else 0
