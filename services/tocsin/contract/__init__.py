"""The event contract: what Tocsin accepts (articles) and what it publishes (events).

Models here are the single source of truth; ``schemas/`` at the repository root
holds the JSON Schema generated from them for subscribers in other languages.
"""

from tocsin.contract.article import Article, ArticleIn
from tocsin.contract.events import (
    SCHEMA_VERSION,
    CasualtyEvent,
    Count,
    CurfewEvent,
    DeploymentEvent,
    Event,
    EventType,
    Evidence,
    StatementEvent,
)

__all__ = [
    "SCHEMA_VERSION",
    "Article",
    "ArticleIn",
    "CasualtyEvent",
    "Count",
    "CurfewEvent",
    "DeploymentEvent",
    "Event",
    "EventType",
    "Evidence",
    "StatementEvent",
]
