"""The ingest app with API keys, for the tests of keys and of the clients that send them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from prometheus_client import generate_latest

from tests.ingest.conftest import Api
from tocsin.ingest.keys import KeyRing

ALPHA = "tocsin_alpha-key-for-the-tests-0001"
BETA = "tocsin_beta-key-for-the-tests-00002"
WRONG = "tocsin_not-a-key-of-this-service-03"
ARTICLE = {
    "id": "lima-2024-03-08",
    "published_at": "2024-03-08T10:00:00Z",
    "body": "Twelve protesters were injured in Lima on Thursday, police said.",
}
JSON = {"content-type": "application/json"}
WRITE_ROUTES = ("/v1/articles", "/v1/articles/batch")


def bearer(token: str) -> dict[str, str]:
    return JSON | {"authorization": f"Bearer {token}"}


async def ready() -> tuple[bool, dict[str, Any]]:
    return True, {"broker": "in-memory"}


class Clock:
    """A monotonic clock the tests move by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class KeyedApi(Api):
    """The ingest app with a key ring (or none), its publisher and its metrics."""

    def __init__(self, tmp_path: Path, keys: KeyRing | None, *, ops_routes: bool = True) -> None:
        super().__init__(tmp_path, keys=keys, ops_routes=ops_routes, max_article_bytes=4096)

    def post(self, token: str | None, route: str = "/v1/articles", body: Any = ARTICLE) -> Any:
        headers = bearer(token) if token else JSON
        return self.client.post(route, content=orjson.dumps(body), headers=headers)

    def failures(self, reason: str) -> float:
        value = self.metrics.registry.get_sample_value(
            "tocsin_ingest_auth_failures_total", {"reason": reason}
        )
        return value or 0.0

    def exposition(self) -> str:
        return generate_latest(self.metrics.registry).decode()
