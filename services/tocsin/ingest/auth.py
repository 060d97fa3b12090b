"""Requiring an API key on the ingest service's write routes.

Clients send ``Authorization: Bearer <key>`` (RFC 6750); no other way is accepted,
so there is one header to strip from proxy logs and one scheme in the OpenAPI
document. The check is a FastAPI dependency of the write routes: their handlers
read the body themselves, so a request without a valid key is answered 401 before
a byte of its body is read, parsed or extracted.

A refused key is never echoed: not in the answer, not in a log line, not in a
metric label.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from prometheus_client import Counter

from tocsin.http_common import ApiError, ErrorResponse
from tocsin.ingest.keys import KeyRing, load_key_ring
from tocsin.settings import IngestSettings

log = logging.getLogger(__name__)

_BEARER = HTTPBearer(
    auto_error=False,  # missing keys are answered below, in Tocsin's error shape
    scheme_name="ApiKey",
    description="An API key of the ingest service, made by `tocsin keys new`.",
)
# RFC 6750 §3: a request without credentials gets the bare challenge; a bad key gets
# error="invalid_token".
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="tocsin-ingest"'}
_INVALID = {"WWW-Authenticate": 'Bearer realm="tocsin-ingest", error="invalid_token"'}

UNAUTHORIZED: dict[int | str, dict[str, Any]] = {
    401: {
        "model": ErrorResponse,
        "description": "no API key (missing_api_key) or an unknown one (invalid_api_key)",
    }
}


def require_api_key(
    ring: KeyRing, failures: Counter
) -> Callable[[Request, HTTPAuthorizationCredentials | None], Awaitable[None]]:
    """A dependency that lets a request through only with one of ``ring``'s keys.

    ``failures`` is counted by reason, ``missing`` or ``invalid``.
    """

    async def check_api_key(
        request: Request,
        credentials: HTTPAuthorizationCredentials | None = Security(_BEARER),  # noqa: B008
    ) -> None:
        if credentials is None:
            failures.labels("missing").inc()
            log.debug("no API key on %s %s", request.method, request.url.path)
            raise ApiError(
                401,
                "missing_api_key",
                "this route needs an API key: send it as 'Authorization: Bearer <key>'",
                headers=_CHALLENGE,
            )
        if not ring.accepts(credentials.credentials):
            failures.labels("invalid").inc()
            log.debug("unknown API key on %s %s", request.method, request.url.path)
            raise ApiError(
                401, "invalid_api_key", "the API key is not one this service accepts",
                headers=_INVALID,
            )  # fmt: skip

    return check_api_key


def api_keys_from(settings: IngestSettings) -> KeyRing | None:
    """The settings' key ring (None: the write routes are open), saying so in the log.

    Raises ``KeyConfigError`` when a key or the key file is unusable.
    """
    plaintext = settings.api_keys.get_secret_value() if settings.api_keys else None
    ring = load_key_ring(plaintext, settings.api_keys_file)
    if ring is None:
        log.warning(
            "no API keys configured (TOCSIN_INGEST_API_KEYS_FILE, TOCSIN_INGEST_API_KEYS): "
            "anyone who can reach %s:%d can post articles",
            settings.host,
            settings.port,
        )
    else:
        log.info("the write routes need an API key: %s", ring.describe())
    return ring
