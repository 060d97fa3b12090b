"""Entry point of the ``tocsin`` command.

Each sub-command lives in its own module exposing ``register(subparsers)``, which
adds an ``argparse`` parser whose ``handler`` default takes the parsed namespace
and returns the process exit code.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from tocsin import __version__, logs
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


class _VersionAction(argparse.Action):
    """``--version``: the version, and whether the extraction core is compiled.

    Asked only when the flag is given: the answer imports the extraction modules,
    which every other command would otherwise pay for at start.
    """

    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        from tocsin.extraction import is_compiled  # noqa: PLC0415

        how = "compiled" if is_compiled() else "interpreted"
        print(f"tocsin {__version__} (extraction: {how})")  # stdout, as argparse's own does
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    """Build the full argument parser (kept separate so tests can inspect --help)."""
    parser = argparse.ArgumentParser(
        prog="tocsin",
        description=(
            "Tocsin turns crisis-news articles into typed events (casualties, deployments, "
            "statements, curfews), publishes them to Kafka and keeps running totals."
        ),
    )
    parser.add_argument(
        "--version",
        action=_VersionAction,
        help="print the version and whether extraction runs compiled, then exit",
    )
    parser.add_argument(
        "--log-level",
        default=None,
        help="logging level (DEBUG, INFO, WARNING, ERROR); default from TOCSIN_LOG_LEVEL or INFO",
    )
    parser.add_argument(
        "--log-format",
        default=None,
        choices=logs.FORMATS,
        help="log lines as text or json (one JSON object per line); "
        "default from TOCSIN_LOG_FORMAT or text",
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
    try:
        level, fmt = _log_settings(args)
    except logs.LogSettingError as exc:
        print(f"tocsin: {exc}", file=sys.stderr)
        return 2
    with logs.configured(level, fmt):
        quiet_kafka_logs()
        handler = getattr(args, "handler", None)
        if handler is None:
            parser.print_help()
            return 2
        code: int = handler(args)
        return code


def _log_settings(args: argparse.Namespace) -> tuple[int, logs.LogFormat]:
    """Log level and format from the flags, else the environment, else INFO as text."""
    level_source, format_source = "--log-level", "--log-format"
    level, fmt = args.log_level, args.log_format
    if level is None:
        level, level_source = os.environ.get("TOCSIN_LOG_LEVEL") or "INFO", "TOCSIN_LOG_LEVEL"
    if fmt is None:
        fmt, format_source = os.environ.get("TOCSIN_LOG_FORMAT") or "text", "TOCSIN_LOG_FORMAT"
    return logs.parse_level(level, level_source), logs.parse_format(fmt, format_source)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
