"""Articles: what clients post (``ArticleIn``) and what Tocsin stores and publishes."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.config import JsonDict

MAX_ID_LENGTH = 256
# The largest integer that parsers reading JSON numbers as doubles (JavaScript) keep
# exact, and well inside the 64-bit INTEGER the ingest index stores it in (a larger
# one made SQLite raise OverflowError: a 500). Revisions numbered by epoch
# milliseconds still fit.
MAX_REVISION = 2**53 - 1

# What the validators below enforce, as JSON Schema patterns for the OpenAPI document
# (Python ``re`` semantics, where ``\s`` is exactly what ``str.strip`` removes). An id's
# other rule, ``str.isprintable``, has no portable pattern: this one names the control
# characters; format, private-use and unassigned characters are refused as well.
HAS_TEXT = r"\S"
PRINTABLE_ID = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"


def _string_pattern(pattern: str) -> Callable[[JsonDict], None]:
    """Adds ``pattern`` to the string form of a field's JSON Schema (not to its null form)."""

    def add(schema: JsonDict) -> None:
        forms = schema.get("anyOf", [schema])
        assert isinstance(forms, list)
        for form in forms:
            if isinstance(form, dict) and form.get("type") == "string":
                form["pattern"] = pattern

    return add


class ArticleIn(BaseModel):
    """A news article as a client sends it; only ``body`` is required."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)

    id: str | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_ID_LENGTH,
        description="Client's stable id; when absent, one is derived from the content hash. "
        "Printable characters only, and not all spaces.",
        json_schema_extra=_string_pattern(PRINTABLE_ID),
    )
    title: str = Field(default="", max_length=2000)
    body: str = Field(
        description="Plain text of the article; must contain non-blank text.",
        json_schema_extra=_string_pattern(HAS_TEXT),
    )
    source: str | None = Field(default=None, max_length=500)
    published_at: dt.datetime | None = Field(
        default=None,
        description="Publication time (ISO 8601). Naive times are read as UTC; "
        "when absent, the time of receipt is used.",
    )
    url: str | None = Field(default=None, max_length=4000)
    language: str | None = Field(default=None, max_length=35)
    section: str | None = Field(default=None, max_length=500)
    revision: int | None = Field(
        default=None,
        ge=1,
        le=MAX_REVISION,
        description="Set to replace an article already sent with different content: "
        "must be greater than the revision Tocsin holds (the first one is 1).",
    )

    @field_validator("body")
    @classmethod
    def _body_has_text(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("body must contain text")
        return value

    @field_validator("id")
    @classmethod
    def _id_is_printable(cls, value: str | None) -> str | None:
        if value is not None and (not value.strip() or not value.isprintable()):
            raise ValueError("id must be printable text without control characters")
        return value

    @field_validator("published_at")
    @classmethod
    def _as_utc(cls, value: dt.datetime | None) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        try:
            return value.astimezone(dt.UTC)
        except OverflowError:
            # e.g. 0001-01-01T00:00:00+01:00, which is in year 0 in UTC (was a 500).
            raise ValueError("published_at must fall within the years 1 to 9999 in UTC") from None

    def content_hash(self) -> str:
        """SHA-256 over title and body: what makes two posts 'the same article'."""
        digest = hashlib.sha256()
        digest.update(self.title.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
        digest.update(self.body.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def resolve(self, *, received_at: dt.datetime, revision: int | None = None) -> Article:
        """Fill in the derived id and publication time, giving the article Tocsin works on."""
        content_hash = self.content_hash()
        return Article(
            id=self.id if self.id is not None else f"sha256-{content_hash[:32]}",
            title=self.title,
            body=self.body,
            source=self.source,
            published_at=self.published_at or received_at.astimezone(dt.UTC),
            url=self.url,
            language=self.language,
            section=self.section,
            content_hash=content_hash,
            revision=revision or self.revision or 1,
        )


class Article(BaseModel):
    """An accepted article, as published on ``tocsin.articles.v1`` and fed to extraction."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=MAX_ID_LENGTH)
    title: str
    body: str = Field(min_length=1)
    source: str | None
    published_at: dt.datetime
    url: str | None = None
    language: str | None = None
    section: str | None = None
    content_hash: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of title and body.")
    revision: int = Field(default=1, ge=1, description="1, or higher once replaced by the client.")
