"""``tocsin keys``: make API keys for the ingest service and the lines of its key file.

``new`` prints a fresh key on stdout, alone, so that it can be redirected into the
client's file; the line for the service's key file goes to stderr, or is appended
to that file with ``--add-to``. ``hash`` turns an existing key, read from stdin,
into its key file line. Keys are never taken as arguments: command lines are
visible to every user of the machine.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import Any

from tocsin.ingest.keys import KeyConfigError, check_token_shape, file_line, new_token


def register(subparsers: Any) -> None:
    """Add the ``keys`` command and its actions."""
    parser = subparsers.add_parser(
        "keys",
        help="make API keys for the ingest service (new, hash)",
        description="Make API keys for the ingest service's POST routes. The service keeps "
        "only their SHA-256 hashes, one 'sha256:<hex> [label]' line each, in the file named by "
        "TOCSIN_INGEST_API_KEYS_FILE (or --api-keys-file), which it re-reads when it changes.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    new = actions.add_parser(
        "new",
        help="print a new random key on stdout and its key file line on stderr",
        description="Print a new random key (256 bits) on stdout, and the line that lets it "
        "in on stderr, or append that line to a key file with --add-to.",
        epilog="example: umask 077; tocsin keys new --label feeder --add-to keys.txt > feeder.key",
    )
    hashed = actions.add_parser(
        "hash",
        help="read a key on stdin and print its key file line",
        description="Read a key from stdin (its first non-blank line; a hidden prompt on a "
        "terminal) and print the key file line that lets it in.",
        epilog="example: tocsin keys hash --label feeder < feeder.key >> keys.txt",
    )
    for action in (new, hashed):
        action.add_argument("--label", help="a note after the hash: who holds the key, since when")
        action.add_argument(
            "--add-to",
            metavar="FILE",
            type=Path,
            help="append the line to this key file (created, readable by you only, if missing)",
        )
    new.set_defaults(handler=run_new)
    hashed.set_defaults(handler=run_hash)


def run_new(args: argparse.Namespace) -> int:
    """Print a new key; its line goes to stderr or to ``--add-to``."""
    token = new_token()
    line = file_line(token, args.label)
    if args.add_to is not None and not _append(args.add_to, line):
        return 1
    print(token)
    if args.add_to is None:
        print(
            "tocsin keys: give the key above to its client (it is not stored anywhere); "
            "add this line to the service's key file:",
            file=sys.stderr,
        )
        print(line, file=sys.stderr)
    return 0


def run_hash(args: argparse.Namespace) -> int:
    """Print (or append) the key file line of the key read on stdin."""
    if sys.stdin.isatty():
        token = getpass.getpass("API key: ").strip()
    else:
        token = next((ln.strip() for ln in sys.stdin.read().splitlines() if ln.strip()), "")
    try:
        check_token_shape(token, "the key read from stdin")
    except KeyConfigError as exc:
        print(f"tocsin keys hash: {exc}", file=sys.stderr)
        return 2
    line = file_line(token, args.label)
    if args.add_to is None:
        print(line)
        return 0
    return 0 if _append(args.add_to, line) else 1


def _append(path: Path, line: str) -> bool:
    """Append ``line`` to the key file ``path``; False (after saying why) when it cannot."""
    try:
        # 0600 when created: hashes are not secrets, but nobody else needs to read them.
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "r+b") as key_file:
            size = key_file.seek(0, os.SEEK_END)
            # A last line without its newline would run into the one added.
            if size:
                key_file.seek(size - 1)
                if key_file.read(1) != b"\n":
                    line = "\n" + line
            key_file.write((line + "\n").encode("utf-8"))  # O_APPEND: always at the end
    except OSError as exc:
        print(f"tocsin keys: cannot add to {path}: {exc.strerror or exc}", file=sys.stderr)
        return False
    print(f"tocsin keys: added to {path}; a running service accepts it within seconds",
          file=sys.stderr)  # fmt: skip
    return True
