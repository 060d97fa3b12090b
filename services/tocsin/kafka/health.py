"""Readiness: is the broker reachable and are the topics a service needs present?"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from typing import Any

from tocsin.errors import BrokerAuthenticationError, BrokerUnavailableError
from tocsin.kafka.admin import list_topics
from tocsin.settings import KafkaSettings


class TopicsReady:
    """An async readiness check, cached briefly so probes do not hammer the broker."""

    def __init__(
        self, settings: KafkaSettings, required: Iterable[str], ttl_s: float = 2.0
    ) -> None:
        self._settings = settings
        self._required = sorted(required)
        self._ttl_s = ttl_s
        self._checked_at = -float("inf")
        self._last: tuple[bool, dict[str, Any]] = (False, {"broker": "not checked yet"})
        self._lock = asyncio.Lock()

    async def __call__(self) -> tuple[bool, dict[str, Any]]:
        """(ready, details): details say what is missing when not ready."""
        async with self._lock:
            if time.monotonic() - self._checked_at < self._ttl_s:
                return self._last
            try:
                present = set(await asyncio.to_thread(list_topics, self._settings))
            except BrokerAuthenticationError as exc:
                # Its message already begins with "authentication failed".
                self._last = (False, {"broker": str(exc)})
            except BrokerUnavailableError as exc:
                self._last = (False, {"broker": f"unreachable: {exc}"})
            else:
                missing = [t for t in self._required if t not in present]
                self._last = (
                    not missing,
                    {"broker": "reachable", "missing_topics": missing},
                )
            self._checked_at = time.monotonic()
            return self._last
