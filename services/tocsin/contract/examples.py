"""One example message per topic, built from the models so they always validate.

They are written to ``schemas/examples/`` for subscribers in other languages.
"""

from __future__ import annotations

import datetime as dt

from tocsin.contract.article import Article, ArticleIn
from tocsin.contract.events import (
    CasualtyEvent,
    Count,
    CurfewEvent,
    DeploymentEvent,
    Evidence,
    StatementEvent,
)
from tocsin.contract.ids import event_id

_BODY = (
    "Officials in Bishkek said 7 police officers were injured on Monday. "
    "About 400 national guard troops arrived in the city on Tuesday. "
    '"We will restore order," the interior minister said. '
    "A curfew is in force in Bishkek until March 3."
)
_PUBLISHED = dt.datetime(2024, 2, 27, 9, 30, tzinfo=dt.UTC)
_EXTRACTED = dt.datetime(2024, 2, 27, 9, 30, 2, tzinfo=dt.UTC)
_ARTICLE_ID = "example-kg-2024-02-27"
_VERSION = "0.1.0"


def _evidence(sentence: str) -> Evidence:
    start = _BODY.index(sentence)
    return Evidence(text=sentence, start=start, end=start + len(sentence))


def _envelope(event_type: str, sentence: str) -> dict[str, object]:
    return {
        "event_id": event_id(_ARTICLE_ID, _VERSION, event_type, _BODY.index(sentence)),
        "article_id": _ARTICLE_ID,
        "source": "Example Wire",
        "published_at": _PUBLISHED,
        "extracted_at": _EXTRACTED,
        "extractor_version": _VERSION,
        "country": "KG",
        "location": "Bishkek",
        "evidence": _evidence(sentence),
        "confidence": 0.9,
    }


def example_article() -> Article:
    """An example stored article."""
    return ArticleIn(
        id=_ARTICLE_ID,
        title="Unrest in Bishkek",
        body=_BODY,
        source="Example Wire",
        published_at=_PUBLISHED,
    ).resolve(received_at=_EXTRACTED)


def example_events() -> dict[str, CasualtyEvent | DeploymentEvent | StatementEvent | CurfewEvent]:
    """One example event of each type, keyed by type."""
    return {
        "casualty": CasualtyEvent.model_validate(
            _envelope(
                "casualty", "Officials in Bishkek said 7 police officers were injured on Monday."
            )
            | {
                "outcome": "injured",
                "count": Count(low=7, high=7, text="7"),
                "group": "security_forces",
                "group_text": "police officers",
                "attributed_to": "Officials in Bishkek",
            }
        ),
        "deployment": DeploymentEvent.model_validate(
            _envelope(
                "deployment", "About 400 national guard troops arrived in the city on Tuesday."
            )
            | {
                "force": "national guard",
                "size": Count(low=400, high=400, text="About 400"),
                "origin_country": "KG",
                "status": "arrived",
            }
        ),
        "statement": StatementEvent.model_validate(
            _envelope("statement", '"We will restore order," the interior minister said.')
            | {
                "speaker": "the interior minister",
                "speaker_role": "interior minister",
                "quote": "We will restore order,",
            }
        ),
        "curfew": CurfewEvent.model_validate(
            _envelope("curfew", "A curfew is in force in Bishkek until March 3.")
            | {"kind": "curfew", "starts_on": None, "ends_on": dt.date(2024, 3, 3)}
        ),
    }
