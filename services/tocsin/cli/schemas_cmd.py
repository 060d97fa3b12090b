"""``tocsin schemas``: regenerate or check the JSON Schemas in ``schemas/``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from tocsin.contract import schema_files


def register(subparsers: Any) -> None:
    """Add the ``schemas`` command."""
    parser = subparsers.add_parser(
        "schemas",
        help="write or check the JSON Schemas generated from the event models",
        description="The models in tocsin.contract are the source of truth; schemas/ holds "
        "the JSON Schema of each topic's messages and one example message each.",
    )
    parser.add_argument("action", choices=["write", "check"], help="regenerate, or report drift")
    parser.add_argument(
        "--dir", type=Path, default=Path("schemas"), help="target folder (default %(default)s)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Write the files, or exit 1 listing the ones that drifted."""
    if args.action == "write":
        for path in schema_files.write(args.dir):
            print(path)
        return 0
    drifted = schema_files.drift(args.dir)
    for name in drifted:
        print(f"drifted: {args.dir / name}", file=sys.stderr)
    return 1 if drifted else 0
