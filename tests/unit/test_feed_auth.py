"""``tocsin feed`` and API keys: where the key comes from, and what a 401 does to a run.

The server is the real ingest app with a key ring, in this process (no network).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.ingest.keyed_app import KeyedApi
from tocsin.cli.feed_client import IngestClient, Result, RetryPolicy, deliver
from tocsin.cli.feed_cmd import api_key
from tocsin.cli.feed_files import Source
from tocsin.contract.article import ArticleIn
from tocsin.errors import InputError
from tocsin.ingest.keys import KeyRing, digest

KEY = "tocsin_the-feeder-key-for-tests-001"


def _sources(n: int) -> list[Source]:
    return [
        Source(
            f"f:line {i}", ArticleIn(id=f"a{i}", body=f"Five people were injured in Lima ({i}).")
        )
        for i in range(n)
    ]


def _feed(api: KeyedApi, key: str | None, *, batch: int) -> tuple[list[Result], list[float]]:
    """Deliver five articles to the app; the results and the retry waits."""
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    async def run() -> list[Result]:
        headers = {"authorization": f"Bearer {key}"} if key else {}
        transport = httpx.ASGITransport(app=api.app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://ingest", headers=headers
        ) as http:
            client = IngestClient(http, RetryPolicy(attempts=5), sleep=sleep)
            return await deliver(
                _sources(5), client=client, concurrency=1, batch=batch, progress=lambda _: None
            )

    return asyncio.run(run()), sleeps


@pytest.fixture
def api(tmp_path: Path) -> Any:
    instance = KeyedApi(tmp_path, KeyRing([digest(KEY)]))
    yield instance
    instance.index.close()


def _requests(api: KeyedApi, route: str, code: str) -> float:
    value = api.metrics.registry.get_sample_value(
        "tocsin_ingest_http_requests_total", {"route": route, "method": "POST", "code": code}
    )
    return value or 0.0


@pytest.mark.parametrize("batch", [1, 2])
def test_with_the_key_every_article_is_accepted(api: KeyedApi, batch: int) -> None:
    """The key in the client's headers lets every request through."""
    results, _ = _feed(api, KEY, batch=batch)
    assert [r.status for r in results] == ["accepted"] * 5


@pytest.mark.parametrize(
    ("key", "says"),
    [(None, "needs an API key"), ("tocsin_a-key-the-service-never-issued", "does not accept")],
    ids=["missing", "wrong"],
)
@pytest.mark.parametrize("batch", [1, 2])
def test_a_401_stops_the_run_with_one_clear_reason(
    api: KeyedApi, key: str | None, says: str, batch: int
) -> None:
    """One request, no retry: every article is rejected with the same reason, naming the fix."""
    results, sleeps = _feed(api, key, batch=batch)
    assert {r.status for r in results} == {"rejected"}
    reasons = {r.reason for r in results}
    assert len(reasons) == 1
    reason = reasons.pop() or ""
    assert says in reason
    assert "TOCSIN_API_KEY" in reason
    assert "--api-key-file" in reason
    route = "/v1/articles" if batch == 1 else "/v1/articles/batch"
    assert _requests(api, route, "401") == 1
    assert sleeps == []
    assert api.publisher.records == []


def test_the_key_comes_from_the_file_before_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--api-key-file's first non-blank line wins; else TOCSIN_API_KEY; else no key."""
    monkeypatch.delenv("TOCSIN_API_KEY", raising=False)
    assert api_key(None) is None
    monkeypatch.setenv("TOCSIN_API_KEY", "  from-the-environment  ")
    assert api_key(None) == "from-the-environment"
    key_file = tmp_path / "feeder.key"
    key_file.write_text(f"\n{KEY}\n")
    assert api_key(key_file) == KEY


@pytest.mark.parametrize(
    ("content", "problem"),
    [(None, "cannot read"), ("\n \n", "is empty"), ("two words\n", "spaces or control")],
    ids=["absent", "empty", "spaces"],
)
def test_an_unusable_key_file_is_an_input_error(
    tmp_path: Path, content: str | None, problem: str
) -> None:
    """The error names the file and the problem, never the key."""
    key_file = tmp_path / "feeder.key"
    if content is not None:
        key_file.write_text(content)
    with pytest.raises(InputError, match=problem) as error:
        api_key(key_file)
    assert str(key_file) in str(error.value)
    assert "two words" not in str(error.value)
