"""What the event finders return: plain drafts, turned into contract models by the pipeline."""

from __future__ import annotations

from typing import Any, NamedTuple

from tocsin.contract.events import EventType


# Named tuples, like the other records made per word, figure or place of the core:
# immutable, and built in about 40% of a frozen dataclass's time.
class Draft(NamedTuple):
    """One event found in one sentence, before it gets its envelope."""

    type: EventType
    start: int  # evidence span in the article body
    end: int
    key: tuple[object, ...]  # what distinguishes it from other events of the same sentence
    fields: dict[str, Any]  # the type-specific fields of the contract model
    country: str | None
    location: str | None
    confidence: float
