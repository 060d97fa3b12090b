"""Readable accounts of validation errors, shared by the CLI, the HTTP API and the codec."""

from __future__ import annotations

from pydantic import ValidationError

_PREFIXES = ("Value error, ", "Assertion failed, ")


def field_problems(exc: ValidationError) -> list[tuple[str | None, str]]:
    """(field path or None, message) for each problem, without pydantic's prefixes."""
    problems = []
    for err in exc.errors(include_url=False):
        message = err["msg"]
        for prefix in _PREFIXES:
            message = message.removeprefix(prefix)
        field = ".".join(str(part) for part in err["loc"]) or None
        problems.append((field, message))
    return problems


def summarise(exc: ValidationError) -> str:
    """All problems on one line: 'body: must contain text; published_at: ...'."""
    return "; ".join(f"{f}: {m}" if f else m for f, m in field_problems(exc))
