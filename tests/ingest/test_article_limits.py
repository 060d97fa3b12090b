"""Limits on what one article may cost: events per article, and long articles off the loop."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.ingest.conftest import Api
from tocsin.ingest import service as service_module

JSON = {"content-type": "application/json"}
# Three casualty figures in three places: three events.
THREE_EVENTS = (
    "Four protesters were killed in Osh on Monday, police said. "
    "Six people were injured in Bishkek, the health ministry said. "
    "Police detained 30 people in Naryn, officials said."
)


def _article(article_id: str, body: str) -> dict[str, Any]:
    return {"id": article_id, "title": "Unrest", "published_at": "2024-03-08T10:00:00Z",
            "body": body}  # fmt: skip


def test_an_article_over_the_event_limit_is_refused_and_nothing_is_published(
    tmp_path: Path,
) -> None:
    """More events than TOCSIN_INGEST_MAX_EVENTS_PER_ARTICLE: 422 that says so, no record."""
    api = Api(tmp_path, max_events_per_article=2)
    answer = api.client.post(
        "/v1/articles", content=orjson.dumps(_article("many", THREE_EVENTS)), headers=JSON
    )
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "too_many_events"
    assert "yields 3 events" in error["message"]
    assert "at most 2" in error["message"]
    assert api.publisher.records == []
    assert api.metric("tocsin_ingest_articles_total", outcome="rejected") == 1
    # Not remembered either: with a higher limit the same article goes through.
    roomy = Api(tmp_path, max_events_per_article=3)
    again = roomy.client.post(
        "/v1/articles", content=orjson.dumps(_article("many", THREE_EVENTS)), headers=JSON
    )
    assert again.status_code == 202, again.text
    assert again.json()["duplicate"] is False
    assert len(again.json()["events"]) == 3


def test_in_a_batch_only_the_article_over_the_limit_is_refused(tmp_path: Path) -> None:
    """The eventful article is a rejected item with the reason; the others are accepted."""
    api = Api(tmp_path, max_events_per_article=2)
    batch = [_article("quiet", "Two people were killed in Osh, police said."),
             _article("busy", THREE_EVENTS)]  # fmt: skip
    answer = api.client.post("/v1/articles/batch", content=orjson.dumps(batch), headers=JSON)
    assert answer.status_code == 202, answer.text
    items = answer.json()["results"]
    assert [i["status"] for i in items] == ["accepted", "rejected"]
    assert "yields 3 events" in items[1]["error"]
    published = {r.key for r in api.publisher.records if r.topic == "tocsin.articles.v1"}
    assert published == {b"quiet"}


@pytest.mark.parametrize(
    ("padding", "off_loop"),
    [(1_000, False), (service_module.OFF_LOOP_BYTES, True)],  # the body is longer
)
def test_long_articles_are_extracted_off_the_event_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, padding: int, off_loop: bool
) -> None:
    """Above OFF_LOOP_BYTES extraction runs on a worker thread, with the same events."""
    threads: list[int] = []
    real_extract = service_module.extract

    def spying_extract(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.get_ident())
        return real_extract(*args, **kwargs)

    monkeypatch.setattr(service_module, "extract", spying_extract)
    sentence = "The market reopened and traffic was normal. "
    filler = sentence * (padding // len(sentence) + 1)
    body = filler + "Police said 12 protesters were killed in Osh on Monday."
    loop_thread: list[int] = []

    async def note_loop_thread() -> tuple[bool, dict[str, Any]]:
        loop_thread.append(threading.get_ident())
        return True, {"broker": "in-memory"}

    api = Api(tmp_path, ready_check=note_loop_thread)
    assert api.client.get("/readyz").status_code == 200
    answer = api.client.post(
        "/v1/articles", content=orjson.dumps(_article(f"long-{padding}", body)), headers=JSON
    )
    assert answer.status_code == 202, answer.text
    assert "casualty" in [e["type"] for e in answer.json()["events"]]
    assert len(threads) == 1
    assert (threads[0] != loop_thread[0]) is off_loop
