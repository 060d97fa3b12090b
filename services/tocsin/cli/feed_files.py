"""Find and read what ``tocsin feed`` sends: files, folders (searched recursively) or stdin.

Everything is read before anything is sent, so a path that does not exist or a
file that cannot be read at all stops the run before the first request (exit 2),
while one bad article inside a readable file is reported and the rest still go.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import orjson

from tocsin.cli.article_files import BadArticle, read_articles
from tocsin.contract.article import ArticleIn
from tocsin.errors import InputError

STDIN = "-"
SUFFIXES = frozenset({".json", ".ndjson", ".jsonl", ".txt"})
"""What a folder search picks up; a file named on the command line is read whatever its name."""


@dataclass(frozen=True, slots=True)
class Source:
    """One article to send, or one that could not be read, and where it came from."""

    where: str
    """``path`` for a file holding one article, else ``path:line 3`` or ``path:item 2``."""
    article: ArticleIn | None
    problem: str | None = None


def discover(paths: Iterable[str]) -> tuple[list[str], list[str]]:
    """Return the files to read for ``paths`` in a stable order, and the problems found.

    Folders are searched recursively for ``SUFFIXES``, skipping hidden names; a file
    reached twice is read once. ``-`` stands for stdin.
    """
    files: list[str] = []
    problems: list[str] = []
    seen: set[str] = set()
    for raw in paths:
        if raw == STDIN:
            candidates = [raw]
        elif os.path.isdir(raw):
            candidates = _search(Path(raw))
            if not candidates:
                wanted = ", ".join(sorted(SUFFIXES))
                problems.append(f"{raw}: no article files ({wanted}) in this folder")
        elif os.path.exists(raw):
            candidates = [raw]
        else:
            problems.append(f"{raw}: no such file or folder")
            continue
        for name in candidates:
            key = name if name == STDIN else os.path.realpath(name)
            if key not in seen:
                seen.add(key)
                files.append(name)
    return files, problems


def _search(root: Path) -> list[str]:
    found = []
    for folder, dirs, names in os.walk(root):
        # Sorted in place so os.walk descends in order: the same tree is always sent
        # in the same order, and the summary's positions read top to bottom.
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if not name.startswith(".") and Path(name).suffix.lower() in SUFFIXES:
                found.append(str(Path(folder) / name))
    return found


def read_sources(data: bytes, name: str) -> list[Source]:
    """The articles of one file's bytes, each labelled with its position in the file.

    Raises ``InputError`` when the bytes hold no readable articles at all.
    """
    items = list(read_articles(data, name=name))
    labels = _positions(data, len(items))
    sources = []
    for label, item in zip(labels, items, strict=True):
        if isinstance(item, BadArticle):
            sources.append(Source(f"{name}:{item.position}", None, item.reason))
        else:
            sources.append(Source(f"{name}:{label}" if label else name, item))
    return sources


def _positions(data: bytes, count: int) -> list[str]:
    """Position labels matching ``read_articles``'s order (it labels only bad items).

    Mirrors its shapes: an array numbers items, NDJSON numbers the non-blank lines of
    the stripped text, and a single article or plain text gets no label.
    """
    text = data.decode("utf-8").strip().lstrip("\ufeff")
    if text.startswith("["):
        labels = [f"item {i}" for i in range(1, count + 1)]
    elif text.startswith("{") and not _one_object(text):
        labels = [f"line {n}" for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    else:
        labels = [""]
    # Should read_articles ever change shape rules, fall back to plain ordinals rather
    # than mislabel: a wrong line number is worse than a vaguer one.
    return labels if len(labels) == count else [f"article {i}" for i in range(1, count + 1)]


def _one_object(text: str) -> bool:
    try:
        orjson.loads(text)
    except orjson.JSONDecodeError:
        return False
    return True


def load(files: Iterable[str], read_stdin: Callable[[], bytes]) -> tuple[list[Source], list[str]]:
    """Read every file; return the sources and a problem line per unreadable file."""
    sources: list[Source] = []
    problems: list[str] = []
    for name in files:
        try:
            data = read_stdin() if name == STDIN else Path(name).read_bytes()
        except OSError as exc:
            problems.append(f"{name}: cannot read: {exc.strerror or exc}")
            continue
        try:
            sources.extend(read_sources(data, "stdin" if name == STDIN else name))
        except InputError as exc:
            problems.append(str(exc))
    return sources, problems
