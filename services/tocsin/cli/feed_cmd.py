"""``tocsin feed``: post article files and folders to an ingest service, with a summary."""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
from tqdm import tqdm

from tocsin.cli.feed_client import IngestClient, Result, RetryPolicy, deliver
from tocsin.cli.feed_files import Source, discover, load
from tocsin.cli.feed_report import exit_code, format_summary
from tocsin.cli.kafka_args import positive_float, positive_int
from tocsin.errors import InputError

DEFAULT_URL = "http://127.0.0.1:8080"
KEY_VARIABLE = "TOCSIN_API_KEY"

log = logging.getLogger(__name__)


def register(subparsers: Any) -> None:
    """Add the ``feed`` command."""
    parser = subparsers.add_parser(
        "feed",
        help="post article files or folders to an ingest service",
        description=(
            "Post articles to a running ingest service: JSON files (one article or an array), "
            "NDJSON (.ndjson, .jsonl) and plain text (.txt). Folders are searched recursively. "
            "Answers 503 and connection errors are retried; the summary lists what was "
            "accepted, what was a duplicate, and what was rejected and why. Exit status: 0 "
            "when every article was accepted or a duplicate, 1 when any was rejected or could "
            "not be delivered, 2 when an input cannot be read (then nothing is sent)."
        ),
        epilog="example: tocsin feed ../shared/corpus --url http://127.0.0.1:8080",
    )
    parser.add_argument(
        "paths", nargs="+", metavar="PATH", help="article file, folder, or - for stdin"
    )
    parser.add_argument(
        "--url", default=DEFAULT_URL, help="base URL of the ingest service (default %(default)s)"
    )
    parser.add_argument(
        "--concurrency",
        type=positive_int,
        default=4,
        help="requests in flight at once (default %(default)s)",
    )
    parser.add_argument(
        "--batch",
        type=positive_int,
        default=1,
        metavar="N",
        help="send N articles per request to /v1/articles/batch; 1 posts each article to "
        "/v1/articles (default %(default)s; the service takes at most 100 per batch)",
    )
    parser.add_argument(
        "--attempts",
        type=positive_int,
        default=5,
        help="tries per request before an article counts as unavailable (default %(default)s)",
    )
    parser.add_argument(
        "--timeout",
        type=positive_float,
        default=30.0,
        help="seconds to wait for one answer (default %(default)s; the service itself waits "
        "up to 10 s for Kafka)",
    )
    parser.add_argument(
        "--api-key-file",
        type=Path,
        metavar="PATH",
        help=f"file whose first line is the API key to send (as 'Authorization: Bearer'); "
        f"default: the {KEY_VARIABLE} environment variable, else no key",
    )
    parser.add_argument(
        "--no-progress", action="store_true", help="no progress bar (it only shows on a terminal)"
    )
    parser.set_defaults(handler=run)


def _base_url(text: str) -> httpx.URL | None:
    try:
        url = httpx.URL(text.rstrip("/"))
    except httpx.InvalidURL:
        return None
    return url if url.scheme in ("http", "https") and url.host else None


def run(args: argparse.Namespace) -> int:
    """Read every input, send it, print the summary; see ``register`` for exit codes."""
    if not logging.getLogger().isEnabledFor(logging.DEBUG):
        # One INFO line per request would drown the progress bar and the summary.
        logging.getLogger("httpx").setLevel(logging.WARNING)
    url = _base_url(args.url)
    if url is None:
        print(f"tocsin feed: --url {args.url!r} is not an http(s) URL", file=sys.stderr)
        return 2
    try:
        key = api_key(args.api_key_file)
    except InputError as exc:
        print(f"tocsin feed: {exc}; nothing was sent", file=sys.stderr)
        return 2
    if key is not None:
        _warn_if_cleartext(url)
    files, problems = discover(args.paths)
    sources, unreadable = load(files, sys.stdin.buffer.read)
    problems += unreadable
    if problems or not sources:
        for problem in problems or ["no articles found"]:
            print(f"tocsin feed: {problem}", file=sys.stderr)
        print("tocsin feed: nothing was sent", file=sys.stderr)
        return 2
    started = time.monotonic()
    try:
        results = asyncio.run(_send(sources, url, args, key))
    except KeyboardInterrupt:
        print("tocsin feed: interrupted; some articles may have been sent", file=sys.stderr)
        return 130
    print(
        format_summary(results, files=len(files), url=str(url), seconds=time.monotonic() - started)
    )
    return exit_code(results)


def api_key(path: Path | None) -> str | None:
    """The key to send: ``path``'s first non-blank line, else $TOCSIN_API_KEY, else None.

    Raises ``InputError`` when the key cannot be used; the message never holds the key.
    """
    if path is not None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read the API key file {path}: {exc}") from exc
        key, where = next((ln.strip() for ln in text.splitlines() if ln.strip()), ""), str(path)
        if not key:
            raise InputError(f"the API key file {path} is empty")
    else:
        key, where = os.environ.get(KEY_VARIABLE, "").strip(), KEY_VARIABLE
        if not key:
            return None
    if any(c.isspace() or not c.isprintable() for c in key):
        raise InputError(f"the API key in {where} holds spaces or control characters")
    return key


def _warn_if_cleartext(url: httpx.URL) -> None:
    """Warn when the key would cross a network unencrypted (loopback is fine)."""
    if url.scheme != "http" or url.host == "localhost":
        return
    try:
        if ipaddress.ip_address(url.host).is_loopback:
            return
    except ValueError:
        pass  # a host name other than localhost
    log.warning("the API key goes to %s over plain HTTP, readable on the way; use https",
                url.host)  # fmt: skip


async def _send(
    sources: Sequence[Source], url: httpx.URL, args: argparse.Namespace, key: str | None
) -> list[Result]:
    limits = httpx.Limits(max_connections=args.concurrency)
    bar = tqdm(
        total=len(sources),
        unit="article",
        file=sys.stderr,
        # None: shown on a terminal only, so logs and pipes do not fill with redraws.
        disable=True if args.no_progress else None,
    )
    try:
        headers = {"authorization": f"Bearer {key}"} if key else {}
        async with httpx.AsyncClient(
            base_url=url, timeout=args.timeout, limits=limits, headers=headers
        ) as http:
            client = IngestClient(http, RetryPolicy(attempts=args.attempts))
            return await deliver(
                sources,
                client=client,
                concurrency=args.concurrency,
                batch=args.batch,
                progress=bar.update,
            )
    finally:
        bar.close()
