"""The shapes of the aggregator's JSON answers, for its OpenAPI document.

The handlers build plain dicts (rendered by orjson, no model on the hot path);
these models only describe them. Every model forbids other fields, so the document
is exact, and tests/fuzz checks every answer against it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from tocsin.contract.events import CountryCode, CurfewKind, Group, Outcome

NonNegative = Annotated[int, Field(ge=0)]


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CasualtyTotal(_Answer):
    """The highest figures reported for one country and outcome."""

    country: CountryCode = Field(description="ZZ when the country is unknown.")
    outcome: Outcome
    groups: dict[Group, NonNegative] = Field(
        description="Per group of people; only groups reported."
    )
    all: NonNegative = Field(description="The sum over the groups.")


class TotalsAnswer(_Answer):
    """``GET /v1/totals``."""

    totals: list[CasualtyTotal]


class Deployment(_Answer):
    """The largest reported size of one force sent to one country."""

    country: CountryCode
    force: str
    size: NonNegative | None = Field(description="null when no report gave a size.")


class DeploymentsAnswer(_Answer):
    """``GET /v1/deployments``."""

    deployments: list[Deployment]


class Curfew(_Answer):
    """What is known of one curfew, state of emergency or movement restriction."""

    country: CountryCode
    kind: CurfewKind
    location: str | None = Field(description="null when it covers the whole country.")
    starts_on: dt.date | None
    ends_on: dt.date | None
    active: bool = Field(description="No end date known, or it has not passed by today.")
    last_reported_at: dt.datetime


class CurfewsAnswer(_Answer):
    """``GET /v1/curfews``."""

    today: dt.date = Field(description="The day activity is judged on.")
    curfews: list[Curfew]


class Statement(_Answer):
    """One kept quote."""

    country: CountryCode
    speaker: str
    quote: str
    article_id: str
    published_at: dt.datetime


class StatementsAnswer(_Answer):
    """``GET /v1/statements``."""

    counts: dict[CountryCode, NonNegative] = Field(description="Statements seen per country.")
    statements: list[Statement] = Field(description="The most recent kept, newest first.")


class Healthy(_Answer):
    """``GET /healthz`` while the consumer loop runs."""

    status: Literal["ok"]


class Failed(_Answer):
    """``GET /healthz`` once the consumer loop has stopped on an error."""

    status: Literal["failed"]
    error: str


class PartitionProgress(_Answer):
    """How far one assigned partition is."""

    topic: str
    partition: int = Field(ge=0)
    exported: bool = Field(description="Its figures are included in the answers.")
    position: int | None = Field(description="Offset of the next record to apply.")
    end_offset_at_assignment: int | None
    lag: NonNegative | None = Field(description="Records behind the newest known end offset.")


class Readiness(_Answer):
    """``GET /readyz``: 200 once every assigned partition has caught up, else 503."""

    ready: bool
    status: Literal["caught up", "catching up", "no partitions assigned", "state store failing"]
    error: str | None = Field(
        default=None,
        description="With 'state store failing': why batches cannot be stored (disk full, "
        "read-only, I/O error). With 'no partitions assigned': why the group cannot be "
        "joined, when known (broker unreachable, login refused).",
    )
    partitions: list[PartitionProgress]
