"""Options shared by every kafka-python client Tocsin builds."""

from __future__ import annotations

from typing import Any

from tocsin.settings import KafkaSettings


def client_options(settings: KafkaSettings, role: str) -> dict[str, Any]:
    """Connection options for one client; ``role`` tags the client id (ingest, admin, ...)."""
    timeout_ms = int(settings.request_timeout_s * 1000)
    return {
        "bootstrap_servers": settings.servers,
        "client_id": f"{settings.client_id}-{role}",
        "request_timeout_ms": timeout_ms,
        # Without this kafka-python waits 30 s on an unreachable bootstrap server.
        "bootstrap_timeout_ms": timeout_ms,
        "reconnect_backoff_max_ms": 2000,
    }
