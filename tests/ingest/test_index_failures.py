"""An article index that cannot be written: articles are still accepted, and it heals.

The index is an optimisation (duplicate answers), never the guarantee, so a full
disk must not turn an article the broker acknowledged into an error. The
database is capped with ``PRAGMA max_page_count``, which fails writes that need
a new page with SQLITE_FULL, as a full disk does.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from tests.ingest.conftest import RecordingPublisher
from tests.sqlite_caps import CappableDb
from tocsin.contract.article import ArticleIn
from tocsin.errors import StateDirError
from tocsin.ingest.index import ArticleIndex, KnownArticle
from tocsin.ingest.metrics import IngestMetrics
from tocsin.ingest.service import IngestService


class CappedIndex(CappableDb, ArticleIndex):
    """A real index whose database can be capped at its current size."""


def _known(i: int) -> KnownArticle:
    # Large event lists: each article needs pages of its own.
    events = [(f"{i}-{n:04d}-" + "e" * 60, "statement") for n in range(60)]
    return KnownArticle(f"article-{i}", f"hash-{i}", 1, events)


def test_a_failed_write_is_reported_not_raised_and_the_index_heals(tmp_path: Path) -> None:
    """On a full disk ``put`` keeps quiet but says why in ``problem``; later writes work."""
    index = CappedIndex(tmp_path / "articles.sqlite", capacity=1000)
    index.put(_known(1))
    index.cap()
    index.put(_known(2))
    assert index.problem is not None
    assert "disk is full" in index.problem
    assert str(tmp_path / "articles.sqlite") in index.problem
    assert index.get("article-2") is None  # not remembered: a re-post is published again
    assert index.get("article-1") == _known(1)
    assert len(index) == 1

    index.uncap()
    index.put(_known(3))
    assert index.problem is None
    assert index.get("article-3") == _known(3)
    index.close()


def test_an_article_is_accepted_while_the_index_cannot_remember_it(tmp_path: Path) -> None:
    """The broker acknowledged it, so it is accepted; a re-post is published again
    (same event ids, dropped downstream) instead of being answered as a duplicate."""
    index = CappedIndex(tmp_path / "articles.sqlite", capacity=1000)
    index.cap()
    for i in range(10_000):  # use up the free space left in the pages it has
        index.put(KnownArticle(f"filler-{i}", "h", 1, []))
        if index.problem is not None:
            break
    assert index.problem is not None
    publisher = RecordingPublisher()
    service = IngestService(
        publisher=publisher,
        index=index,
        metrics=IngestMetrics(CollectorRegistry()),
        clock=lambda: dt.datetime(2024, 3, 8, 12, 0, tzinfo=dt.UTC),
    )
    article = ArticleIn(
        id="full-disk-1",
        body="At least 14 people were killed in Khartoum on Wednesday, medics said.",
    )
    first = asyncio.run(service.accept(article))
    again = asyncio.run(service.accept(article))
    assert (first.duplicate, again.duplicate) == (False, False)
    assert first.events == again.events
    assert first.events, "the article should yield events"
    assert len(publisher.records) == 2 * (1 + len(first.events))
    assert index.problem is not None
    index.close()


def test_an_index_under_a_file_is_a_state_dir_error(tmp_path: Path) -> None:
    """The service does not start on a directory it cannot create."""
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(StateDirError, match="is not a directory") as caught:
        ArticleIndex(blocker / "articles.sqlite", capacity=1000)
    assert caught.value.directory == blocker
