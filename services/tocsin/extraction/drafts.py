"""What the event finders return: plain drafts, turned into contract models by the pipeline."""

from __future__ import annotations

from typing import Any, Final

from tocsin.contract.events import EventType


# A plain class with Final attributes, for the reason records.Record gives: compiled, a
# native class. Drafts are never compared or hashed, so it needs nothing of Record's.
class Draft:
    """One event found in one sentence, before it gets its envelope."""

    __slots__ = ("confidence", "country", "end", "fields", "key", "location", "start", "type")

    def __init__(
        self,
        type: EventType,
        start: int,
        end: int,
        key: tuple[object, ...],
        fields: dict[str, Any],
        country: str | None,
        location: str | None,
        confidence: float,
    ) -> None:
        self.type: Final = type
        self.start: Final = start  # evidence span in the article body
        self.end: Final = end
        # What distinguishes it from other events of the same sentence.
        self.key: Final = key
        self.fields: Final = fields  # the type-specific fields of the contract model
        self.country: Final = country
        self.location: Final = location
        self.confidence: Final = confidence
