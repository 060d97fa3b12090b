"""Typed events: one pydantic model per event type, sharing one envelope.

Counts are ranges, as event-data projects record them: ``low``/``high`` bounds
plus the words the article used. ``low`` is the conservative figure that running
totals use; an exact figure has ``low == high``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

SCHEMA_VERSION: Literal[1] = 1
"""Bumped on any incompatible change; also carried in the ``schema-version`` Kafka header."""

EventType = Literal["casualty", "deployment", "statement", "curfew"]
EVENT_TYPES: tuple[EventType, ...] = ("casualty", "deployment", "statement", "curfew")

CountryCode = Annotated[
    str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2 code, upper case")
]

Outcome = Literal["killed", "injured", "arrested", "missing"]
OUTCOMES: tuple[Outcome, ...] = ("killed", "injured", "arrested", "missing")

Group = Literal[
    "security_forces", "protesters", "civilians", "militants", "officials", "unspecified"
]
GROUPS: tuple[Group, ...] = (
    "security_forces",
    "protesters",
    "civilians",
    "militants",
    "officials",
    "unspecified",
)

DeploymentStatus = Literal["announced", "arriving", "arrived", "unknown"]
CurfewKind = Literal["curfew", "state_of_emergency", "movement_restriction"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Evidence(_Frozen):
    """The sentence an event was read from, with its character offsets in the article body."""

    text: str = Field(description="The evidence text, exactly body[start:end].")
    start: int = Field(ge=0, description="Offset of the first character in the article body.")
    end: int = Field(ge=0, description="Offset just past the last character.")

    @model_validator(mode="after")
    def _span_matches_text(self) -> Self:
        if self.end - self.start != len(self.text):
            raise ValueError("evidence end - start must equal len(text)")
        return self


class Count(_Frozen):
    """A reported figure as a range; ``low`` is the conservative bound used for totals."""

    low: int | None = Field(ge=0, description="Lower bound, null when unknown.")
    high: int | None = Field(ge=0, description="Upper bound, null when open-ended.")
    text: str = Field(description='The words used, e.g. "over 3,000" or "dozens".')

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError("count low must not exceed high")
        return self


class _Envelope(_Frozen):
    event_id: str = Field(
        description="Deterministic UUIDv5: same article, extractor version and event -> same id."
    )
    schema_version: Literal[1] = SCHEMA_VERSION
    article_id: str = Field(min_length=1)
    source: str | None = Field(description="Publisher of the article, e.g. a news agency.")
    published_at: AwareDatetime
    extracted_at: AwareDatetime
    extractor_version: str
    country: CountryCode | None
    location: str | None = Field(description="Place name as written, when narrower than country.")
    evidence: Evidence
    confidence: float = Field(ge=0.0, le=1.0)


class CasualtyEvent(_Envelope):
    """People killed, injured, arrested (or detained) or missing."""

    type: Literal["casualty"] = "casualty"
    outcome: Outcome
    count: Count
    group: Group
    group_text: str | None = Field(description='The group as written, e.g. "armed criminals".')
    attributed_to: str | None = Field(description="Who reported the figure, when the text says.")


class DeploymentEvent(_Envelope):
    """Troops or security forces sent to a place; envelope ``country`` is the destination."""

    type: Literal["deployment"] = "deployment"
    force: str = Field(min_length=1, description='The force as written, e.g. "CSTO".')
    size: Count
    origin_country: CountryCode | None
    status: DeploymentStatus


class StatementEvent(_Envelope):
    """Somebody said something: speaker as named or described, and the quote."""

    type: Literal["statement"] = "statement"
    speaker: str = Field(min_length=1)
    speaker_role: str | None
    quote: str = Field(min_length=1)


class CurfewEvent(_Envelope):
    """A curfew, state of emergency or movement restriction over an area."""

    type: Literal["curfew"] = "curfew"
    kind: CurfewKind
    starts_on: dt.date | None
    ends_on: dt.date | None


Event = Annotated[
    CasualtyEvent | DeploymentEvent | StatementEvent | CurfewEvent, Field(discriminator="type")
]
"""Any event; parse with ``tocsin.contract.codec.decode_event``."""

EVENT_MODELS: dict[EventType, type[_Envelope]] = {
    "casualty": CasualtyEvent,
    "deployment": DeploymentEvent,
    "statement": StatementEvent,
    "curfew": CurfewEvent,
}
