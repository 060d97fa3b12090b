"""Entry point of the ``tocsin`` command.

Each sub-command lives in its own module exposing ``register(subparsers)``, which
adds an ``argparse`` parser whose ``handler`` default takes the parsed namespace
and returns the process exit code.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from tocsin import __version__
from tocsin.cli import (
    extract_cmd,
    feed_cmd,
    kafka_cmd,
    keys_cmd,
    schemas_cmd,
    serve_cmd,
    tail_cmd,
    topics_cmd,
    up_cmd,
)
from tocsin.cli.kafka_args import quiet_kafka_logs


def build_parser() -> argparse.ArgumentParser:
    """Build the full argument parser (kept separate so tests can inspect --help)."""
    parser = argparse.ArgumentParser(
        prog="tocsin",
        description=(
            "Tocsin turns crisis-news articles into typed events (casualties, deployments, "
            "statements, curfews), publishes them to Kafka and keeps running totals."
        ),
    )
    parser.add_argument("--version", action="version", version=f"tocsin {__version__}")
    parser.add_argument(
        "--log-level",
        default=None,
        help="logging level (DEBUG, INFO, WARNING, ERROR); default from TOCSIN_LOG_LEVEL or INFO",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in (
        up_cmd,
        feed_cmd,
        extract_cmd,
        kafka_cmd,
        serve_cmd,
        keys_cmd,
        schemas_cmd,
        topics_cmd,
        tail_cmd,
    ):
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    level = (args.log_level or os.environ.get("TOCSIN_LOG_LEVEL") or "INFO").upper()
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    quiet_kafka_logs()
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    code: int = handler(args)
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
