"""Logging for every ``tocsin`` command: one handler on stderr, as text or JSON lines.

``configured()`` wraps each run of the command line. Every logger propagates to the
root handler it installs, Tocsin's own as well as uvicorn's and kafka-python's, so
one setting (``TOCSIN_LOG_FORMAT`` or ``--log-format``) decides the shape of every line.

While the HTTP services handle a request, its id is held in a context variable
(``request_id``, set by the request-id middleware in ``http_common``), and a filter
on the handler adds it to each record as ``request_id``. The variable follows the
request into threads started with ``asyncio.to_thread`` or FastAPI's thread pool,
because both copy the context.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Final, Literal, TextIO

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.orjson import OrjsonFormatter

LEVELS: Final = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
FORMATS: Final = ("text", "json")
LogFormat = Literal["text", "json"]

request_id: ContextVar[str | None] = ContextVar("tocsin_request_id", default=None)
"""The id of the HTTP request being handled, or None outside a request."""


class LogSettingError(ValueError):
    """A log level or format that does not exist; the message says which ones do."""


def parse_level(text: str, source: str) -> int:
    """The logging level named ``text`` (any case); ``source`` names where it came from."""
    name = text.strip().upper()
    if name not in LEVELS:
        raise LogSettingError(
            f"invalid log level {text!r} (from {source}); use one of {', '.join(LEVELS)}"
        )
    return logging.getLevelNamesMapping()[name]


def parse_format(text: str, source: str) -> LogFormat:
    """``text`` or ``json`` (any case); ``source`` names where it came from."""
    name = text.strip().lower()
    if name == "text":
        return "text"
    if name == "json":
        return "json"
    raise LogSettingError(
        f"invalid log format {text!r} (from {source}); use one of {', '.join(FORMATS)}"
    )


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to records logged while a request is being handled."""

    def filter(self, record: logging.LogRecord) -> bool:
        current = request_id.get()
        if current is not None and not hasattr(record, "request_id"):
            record.request_id = current
        return True


class TextFormatter(logging.Formatter):
    """``time LEVEL logger [request id]: message``, for people at a terminal."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802  (stdlib name)
        tag = getattr(record, "request_id", None)
        where = f"{record.name} [{tag}]" if tag else record.name
        return f"{record.asctime} {record.levelname} {where}: {record.message}"


# Attributes of records that never become JSON fields: the standard ones (shown under
# their own names below or not at all) and uvicorn's ANSI-coloured copy of its message.
_NOT_FIELDS = [*RESERVED_ATTRS, "color_message"]


def json_formatter() -> logging.Formatter:
    """One JSON object per record: ts, level, logger, message, exception, then context.

    ``ts`` is the record's creation time in UTC, ISO 8601. Anything passed with
    ``extra=`` (and ``request_id``) becomes a field of its own.
    """
    return OrjsonFormatter(
        ["levelname", "name", "message"],
        rename_fields={
            "levelname": "level",
            "name": "logger",
            "exc_info": "exception",
            "stack_info": "stack",
        },
        timestamp="ts",
        # Defaults come first in each object; the timestamp replaces this placeholder
        # in place, so every line starts with its time.
        defaults={"ts": None},
        reserved_attrs=_NOT_FIELDS,
    )


def make_handler(fmt: LogFormat, stream: TextIO | None = None) -> logging.Handler:
    """A handler in format ``fmt`` that tags records with the request id.

    It writes to ``stream``, or to ``sys.stderr`` when None.
    """
    handler = logging.StreamHandler(sys.stderr if stream is None else stream)
    handler.setFormatter(json_formatter() if fmt == "json" else TextFormatter())
    handler.addFilter(RequestIdFilter())
    return handler


@contextlib.contextmanager
def configured(level: int, fmt: LogFormat, stream: TextIO | None = None) -> Iterator[None]:
    """Within the block, send every record at ``level`` and above to stderr in ``fmt``.

    The root logger gets one handler (writing to ``stream`` instead when given) and
    ``level``; both are put back on the way out, so that running a command
    in-process (as the tests do) leaves no handler behind. Handlers that others
    attached to the root logger are left alone.
    """
    root = logging.getLogger()
    handler, previous_level = make_handler(fmt, stream), root.level
    root.addHandler(handler)
    root.setLevel(level)
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(previous_level)
