"""Send articles to an ingest service over HTTP, retrying what is safe to retry.

Retrying is always safe here: event ids are deterministic, so an article sent
twice (after a 503, or after a timeout whose records arrived anyway) is answered
as a duplicate or deduplicated downstream, never counted twice. What is retried:
502/503/504 answers, honouring ``Retry-After``, and connection errors, with a
bounded number of attempts. Every other answer is final.

A 401 (no API key, or one the service does not accept) is final for the whole run:
no later request could fare better, so the remaining articles are not sent and
carry the same reason.
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import httpx
import orjson

from tocsin.cli.feed_files import Source

Status = Literal["accepted", "duplicate", "rejected", "unavailable"]
Sleep = Callable[[float], Awaitable[None]]
_RETRYABLE = frozenset({502, 503, 504})
_JSON = {"content-type": "application/json"}


@dataclass(frozen=True, slots=True)
class Result:
    """What became of one article."""

    where: str
    status: Status
    reason: str | None = None
    events: int = 0


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to wait before trying again."""

    attempts: int = 5
    first_delay_s: float = 0.5
    max_delay_s: float = 30.0

    def delay(self, attempt: int, retry_after: str | None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based).

        The server's ``Retry-After`` (seconds or an HTTP date) wins when given, capped
        at ``max_delay_s`` so one odd header cannot stall a run; otherwise the wait
        doubles from ``first_delay_s``.
        """
        hinted = parse_retry_after(retry_after)
        if hinted is not None:
            return min(hinted, self.max_delay_s)
        return min(self.first_delay_s * 2.0 ** (attempt - 1), self.max_delay_s)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds named by a ``Retry-After`` header, or None when absent or unreadable."""
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _payload(source: Source) -> dict[str, Any]:
    assert source.article is not None  # callers send only readable sources
    # Validated locally already; the server validates again, so this is what it reads.
    return source.article.model_dump(mode="json", exclude_none=True)


def _error_message(response: httpx.Response) -> str:
    """The message of Tocsin's JSON error shape, else the bare status line."""
    try:
        body = response.json()
        message = body["error"]["message"]
    except (ValueError, KeyError, TypeError):
        return f"HTTP {response.status_code} {response.reason_phrase}".strip()
    return str(message)


def _accepted(where: str, body: Any) -> Result:
    status: Status = "duplicate" if body.get("duplicate") else "accepted"
    return Result(where, status, events=len(body.get("events") or []))


def _unauthorized(response: httpx.Response) -> str:
    """What a 401 means for the person running the feed."""
    try:
        code = response.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        code = None
    if code == "invalid_api_key":
        return ("the service does not accept this API key (HTTP 401 invalid_api_key); "
                "check TOCSIN_API_KEY or --api-key-file")  # fmt: skip
    if code == "missing_api_key":
        return ("the service needs an API key (HTTP 401 missing_api_key): "
                "set TOCSIN_API_KEY or pass --api-key-file")  # fmt: skip
    return f"not authorised: {_error_message(response)}"


class IngestClient:
    """Posts articles to one ingest service: one at a time, or as batches."""

    def __init__(
        self, http: httpx.AsyncClient, policy: RetryPolicy, sleep: Sleep = asyncio.sleep
    ) -> None:
        self._http = http
        self._policy = policy
        self._sleep = sleep
        # Set by the first 401: its reason, given to every article from then on.
        self.refused: str | None = None

    def _refuse(self, response: httpx.Response) -> str:
        self.refused = self.refused or _unauthorized(response)
        return self.refused

    async def send_one(self, source: Source) -> Result:
        """POST /v1/articles, retrying while the service or the broker is unavailable."""
        if self.refused:
            return Result(source.where, "rejected", self.refused)
        body = orjson.dumps(_payload(source))
        last = "no attempt made"
        for attempt in range(1, self._policy.attempts + 1):
            retry_after = None
            try:
                response = await self._http.post("/v1/articles", content=body, headers=_JSON)
            except httpx.TransportError as exc:
                last = _transport_reason(exc)
            else:
                if response.status_code == 202:
                    return _accepted(source.where, response.json())
                if response.status_code == 401:
                    return Result(source.where, "rejected", self._refuse(response))
                if response.status_code not in _RETRYABLE:
                    return Result(source.where, "rejected", _error_message(response))
                last, retry_after = _error_message(response), response.headers.get("retry-after")
            if attempt < self._policy.attempts:
                await self._sleep(self._policy.delay(attempt, retry_after))
        return Result(source.where, "unavailable", f"{last} (gave up after {attempt} attempts)")

    async def send_batch(self, sources: Sequence[Source]) -> list[Result]:
        """POST /v1/articles/batch; articles answered ``unavailable`` are sent again."""
        if self.refused:
            return [Result(s.where, "rejected", self.refused) for s in sources]
        done: dict[int, Result] = {}
        pending = list(range(len(sources)))
        last: dict[int, str] = {}
        attempt = 0
        while pending and attempt < self._policy.attempts:
            attempt += 1
            retry_after = None
            body = orjson.dumps([_payload(sources[i]) for i in pending])
            try:
                response = await self._http.post("/v1/articles/batch", content=body, headers=_JSON)
            except httpx.TransportError as exc:
                last = dict.fromkeys(pending, _transport_reason(exc))
            else:
                if response.status_code == 401:
                    reason = self._refuse(response)
                    done.update({i: Result(sources[i].where, "rejected", reason) for i in pending})
                    pending = []
                retry_after = response.headers.get("retry-after")
                pending = self._read_batch(response, sources, pending, done, last)
            if pending and attempt < self._policy.attempts:
                await self._sleep(self._policy.delay(attempt, retry_after))
        for i in pending:
            reason = f"{last.get(i, 'no attempt made')} (gave up after {attempt} attempts)"
            done[i] = Result(sources[i].where, "unavailable", reason)
        return [done[i] for i in range(len(sources))]

    @staticmethod
    def _read_batch(
        response: httpx.Response,
        sources: Sequence[Source],
        pending: list[int],
        done: dict[int, Result],
        last: dict[int, str],
    ) -> list[int]:
        """Record the final results of one batch answer; return the indexes to send again."""
        try:
            results = response.json()["results"]
        except (ValueError, KeyError, TypeError):
            results = None
        if results is None:
            # A whole-batch answer (400, 413, 415, or a proxy's 5xx): it applies to all.
            reason = _error_message(response)
            if response.status_code in _RETRYABLE:
                last.update(dict.fromkeys(pending, reason))
                return pending
            for i in pending:
                done[i] = Result(sources[i].where, "rejected", reason)
            return []
        again = []
        for item in results:
            i = pending[int(item["index"])]
            where, status = sources[i].where, item["status"]
            if status == "unavailable":
                last[i] = str(item.get("error") or "unavailable")
                again.append(i)
            elif status in ("accepted", "duplicate"):
                done[i] = Result(where, status, events=len(item.get("events") or []))
            else:  # rejected, conflict
                done[i] = Result(where, "rejected", str(item.get("error") or status))
        return again


def _transport_reason(exc: httpx.TransportError) -> str:
    # The request's URL, not the exception text alone: "All connection attempts failed"
    # says nothing about where.
    url = exc.request.url if _has_request(exc) else "the ingest service"
    detail = str(exc) or "no detail"
    return f"cannot reach {url}: {type(exc).__name__}: {detail}"


def _has_request(exc: httpx.TransportError) -> bool:
    try:
        _ = exc.request
    except RuntimeError:
        return False
    return True


async def deliver(
    sources: Sequence[Source],
    *,
    client: IngestClient,
    concurrency: int,
    batch: int,
    progress: Callable[[int], object],
) -> list[Result]:
    """Send every readable source with ``concurrency`` requests in flight; results in order.

    Unreadable sources become ``rejected`` results without a request. ``progress`` is
    called with the number of articles finished each time some finish.
    """
    results: dict[int, Result] = {}
    readable = []
    for i, source in enumerate(sources):
        if source.article is None:
            results[i] = Result(source.where, "rejected", source.problem)
        else:
            readable.append(i)
    if results:
        progress(len(results))
    size = max(1, batch)
    chunks = [readable[at : at + size] for at in range(0, len(readable), size)]
    queue: asyncio.Queue[list[int]] = asyncio.Queue()
    for chunk in chunks:
        queue.put_nowait(chunk)

    async def worker() -> None:
        while not queue.empty():
            chunk = queue.get_nowait()
            if batch > 1:
                answers = await client.send_batch([sources[i] for i in chunk])
            else:
                answers = [await client.send_one(sources[chunk[0]])]
            results.update(zip(chunk, answers, strict=True))
            progress(len(chunk))

    workers = max(1, min(concurrency, len(chunks)))
    await asyncio.gather(*(worker() for _ in range(workers)))
    return [results[i] for i in range(len(sources))]
