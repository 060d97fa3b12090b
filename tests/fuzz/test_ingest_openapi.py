"""The ingest API, fuzzed from its OpenAPI document with an in-memory publisher and index."""

from __future__ import annotations

import datetime as dt

from prometheus_client import CollectorRegistry
from schemathesis import Case

from tests.fuzz.conftest import call_and_check, fuzz_schema, ledger_for
from tests.ingest.conftest import RecordingPublisher, _ready
from tocsin.ingest.app import create_app
from tocsin.ingest.index import ArticleIndex
from tocsin.ingest.metrics import IngestMetrics
from tocsin.ingest.service import IngestService
from tocsin.settings import IngestSettings

# Per operation and mode; the article routes run the extraction on every valid article.
MAX_EXAMPLES = 500
# What one deterministic run must send at least (it sends about 1,400); with the
# aggregator module's floor, 5,000 requests in all, as issue 6 asks.
FLOOR = 1_300


def _app() -> object:
    """The ingest app as tests/ingest builds it, with small limits so that the fuzzer
    reaches them (a 16 KiB article, five per batch) and an index in memory."""
    settings = IngestSettings(max_article_bytes=16 * 1024, max_batch_articles=5)
    metrics = IngestMetrics(CollectorRegistry())
    service = IngestService(
        publisher=RecordingPublisher(),
        index=ArticleIndex(None, settings.index_capacity),
        metrics=metrics,
        clock=lambda: dt.datetime(2024, 3, 8, 12, 0, tzinfo=dt.UTC),
    )
    return create_app(service=service, settings=settings, metrics=metrics, ready_check=_ready)


LEDGER = ledger_for("ingest")
schema = fuzz_schema(_app(), max_examples=MAX_EXAMPLES)


@schema.parametrize()
def test_answers_match_the_document(case: Case) -> None:
    """Every generated request is answered as the OpenAPI document says."""
    call_and_check(case, LEDGER)


def test_the_run_sent_enough_requests() -> None:
    """The run above reached every operation, in both modes, with enough requests."""
    LEDGER.check_complete(
        {
            "POST /v1/articles",
            "POST /v1/articles/batch",
            "GET /healthz",
            "GET /readyz",
        },
        floor=FLOOR,
    )
