"""API keys on the ingest service's write routes, and the separate ops listener.

The app under test is the real one (``create_app``) around the in-memory publisher
of conftest.py, called through httpx's ASGI transport: no server, no broker.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from pydantic import ValidationError

from tests.ingest.conftest import SyncClient
from tests.ingest.keyed_app import (
    ALPHA,
    ARTICLE,
    BETA,
    JSON,
    WRITE_ROUTES,
    WRONG,
    Clock,
    KeyedApi,
    bearer,
    ready,
)
from tocsin.ingest.auth import api_keys_from
from tocsin.ingest.keys import (
    KeyConfigError,
    KeyFile,
    KeyRing,
    digest,
    file_line,
    load_key_ring,
    new_token,
    parse_env_keys,
    parse_key_file,
)
from tocsin.ingest.listeners import ByLocalPort, ListenError, bind
from tocsin.ingest.ops import create_ops_app
from tocsin.settings import IngestSettings


@pytest.fixture
def keyed(tmp_path: Path) -> Iterator[KeyedApi]:
    """The app accepting ALPHA and BETA."""
    instance = KeyedApi(tmp_path, KeyRing([digest(ALPHA), digest(BETA)]))
    yield instance
    instance.index.close()


@pytest.fixture
def open_api(tmp_path: Path) -> Iterator[KeyedApi]:
    """The app with no key configured."""
    instance = KeyedApi(tmp_path, None)
    yield instance
    instance.index.close()


# --- who may write -----------------------------------------------------------------------


def test_without_keys_the_write_routes_are_open(open_api: KeyedApi) -> None:
    """No key configured: posts without a header are accepted, and no 401 is documented."""
    assert open_api.post(None).status_code == 202
    assert open_api.post(None, "/v1/articles/batch", [ARTICLE]).status_code == 202
    schema = open_api.client.get("/openapi.json").json()
    assert "securitySchemes" not in schema.get("components", {})
    assert "401" not in schema["paths"]["/v1/articles"]["post"]["responses"]


@pytest.mark.parametrize("route", WRITE_ROUTES)
def test_a_request_without_a_key_is_401_missing(keyed: KeyedApi, route: str) -> None:
    """No Authorization header: 401 missing_api_key, a Bearer challenge, nothing published."""
    response = keyed.post(None, route, [ARTICLE] if route.endswith("batch") else ARTICLE)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="tocsin-ingest"'
    assert response.headers["content-type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == "missing_api_key"
    assert "Authorization: Bearer" in error["message"]
    assert error["details"] == []
    assert keyed.publisher.records == []
    assert keyed.failures("missing") == 1
    assert keyed.failures("invalid") == 0


@pytest.mark.parametrize(
    "authorization",
    [f"Basic {ALPHA}", "Bearer", "Bearer ", ALPHA, f"Token {ALPHA}"],
    ids=["basic-scheme", "bearer-alone", "bearer-blank", "no-scheme", "other-scheme"],
)
def test_anything_but_a_bearer_key_counts_as_missing(keyed: KeyedApi, authorization: str) -> None:
    """A right key under another scheme, or an empty bearer, is not accepted."""
    response = keyed.client.post(
        "/v1/articles",
        content=orjson.dumps(ARTICLE),
        headers=JSON | {"authorization": authorization},
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "missing_api_key"
    assert keyed.publisher.records == []


@pytest.mark.parametrize("route", WRITE_ROUTES)
def test_a_wrong_key_is_401_invalid_and_never_echoed(keyed: KeyedApi, route: str) -> None:
    """An unknown key: 401 invalid_api_key with error="invalid_token"; the key appears nowhere."""
    response = keyed.post(WRONG, route, [ARTICLE] if route.endswith("batch") else ARTICLE)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"
    assert response.headers["www-authenticate"] == (
        'Bearer realm="tocsin-ingest", error="invalid_token"'
    )
    assert WRONG not in response.text
    assert all(WRONG not in value for value in response.headers.values())
    assert keyed.failures("invalid") == 1
    assert keyed.publisher.records == []


def test_a_key_that_differs_only_in_case_or_padding_is_refused(keyed: KeyedApi) -> None:
    """Keys are compared exactly: no case folding, no trimming inside the token."""
    assert keyed.post(ALPHA.upper()).status_code == 401
    assert keyed.post(ALPHA + "x").status_code == 401
    assert keyed.post(ALPHA[:-1]).status_code == 401


def test_each_configured_key_is_accepted(keyed: KeyedApi) -> None:
    """Two keys live at once (rotation): each posts; the scheme's case does not matter."""
    assert keyed.post(ALPHA).status_code == 202
    second = keyed.client.post(
        "/v1/articles/batch",
        content=orjson.dumps([ARTICLE | {"id": "other"}]),
        headers=JSON | {"authorization": f"bearer {BETA}"},
    )
    assert second.status_code == 202
    assert second.json()["accepted"] == 1
    assert keyed.failures("missing") == keyed.failures("invalid") == 0


def test_keys_from_the_environment_and_the_file_are_both_accepted(tmp_path: Path) -> None:
    """TOCSIN_INGEST_API_KEYS and the key file add up."""
    key_file = tmp_path / "keys.txt"
    key_file.write_text(file_line(BETA, "from the file") + "\n")
    settings = IngestSettings(api_keys=f" {ALPHA} ,", api_keys_file=key_file)
    ring = api_keys_from(settings)
    assert ring is not None
    assert ring.accepts(ALPHA)
    assert ring.accepts(BETA)
    assert not ring.accepts(WRONG)
    assert ring.describe() == f"1 from TOCSIN_INGEST_API_KEYS, 1 from {key_file}"


def test_the_body_of_a_refused_request_is_never_read(keyed: KeyedApi) -> None:
    """A 401 comes before the body: the ASGI app never asks for it."""
    asked: list[str] = []
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        asked.append("body")
        return {"type": "http.request", "body": orjson.dumps([ARTICLE]), "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": "/v1/articles/batch", "raw_path": b"/v1/articles/batch",
        "query_string": b"", "root_path": "", "client": ("127.0.0.1", 5000),
        "server": ("ingest.test", 80),
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"200")],
    }  # fmt: skip
    asyncio.run(keyed.app(scope, receive, send))
    assert sent[0]["status"] == 401
    assert asked == []
    assert keyed.publisher.records == []


def test_a_refused_request_is_401_whatever_its_body(keyed: KeyedApi) -> None:
    """Too large, not JSON, wrong type: without a key the answer is 401 all the same."""
    huge = b"x" * (keyed.settings.max_article_bytes * 200)
    for content, content_type in ((huge, "application/json"), (b"{not json", "application/json"),
                                  (b"plain", "text/plain")):  # fmt: skip
        response = keyed.client.post(
            "/v1/articles", content=content, headers={"content-type": content_type}
        )
        assert response.status_code == 401
    assert keyed.failures("missing") == 3
    assert (
        keyed.metrics.registry.get_sample_value(
            "tocsin_ingest_articles_total", {"outcome": "rejected"}
        )
        == 0
    )


def test_the_key_is_never_logged_nor_exported(
    keyed: KeyedApi, caplog: pytest.LogCaptureFixture
) -> None:
    """Refused and accepted keys appear in no log record and no metric."""
    caplog.set_level(logging.DEBUG)
    keyed.post(WRONG)
    keyed.post(ALPHA)
    keyed.post(None)
    exposition = keyed.exposition()
    for token in (WRONG, ALPHA):
        assert token not in caplog.text
        assert token not in exposition
        assert digest(token).hex() not in caplog.text
    assert 'tocsin_ingest_auth_failures_total{reason="invalid"} 1.0' in exposition
    refused = 'tocsin_ingest_http_requests_total{code="401",method="POST",route="/v1/articles"}'
    assert f"{refused} 2.0" in exposition


def test_failure_series_exist_before_any_failure(keyed: KeyedApi) -> None:
    """Both reasons are exported at zero from the start, like the other counters."""
    exposition = keyed.exposition()
    assert 'tocsin_ingest_auth_failures_total{reason="missing"} 0.0' in exposition
    assert 'tocsin_ingest_auth_failures_total{reason="invalid"} 0.0' in exposition


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics", "/docs", "/openapi.json"])
def test_health_metrics_and_docs_need_no_key(keyed: KeyedApi, path: str) -> None:
    """Probes, Prometheus and the docs are never authenticated."""
    assert keyed.client.get(path).status_code == 200
    assert keyed.failures("missing") == 0


def test_openapi_declares_the_bearer_scheme_and_the_401(keyed: KeyedApi) -> None:
    """The write routes name the scheme and document 401; the ops routes do not."""
    schema = keyed.client.get("/openapi.json").json()
    scheme = schema["components"]["securitySchemes"]["ApiKey"]
    assert scheme["type"] == "http"
    assert scheme["scheme"] == "bearer"
    for route in WRITE_ROUTES:
        operation = schema["paths"][route]["post"]
        assert operation["security"] == [{"ApiKey": []}]
        assert operation["responses"]["401"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorResponse"
        }
    assert "security" not in schema["paths"]["/healthz"]["get"]


# --- the key file and its reloads --------------------------------------------------------


def test_key_file_lines_comments_labels_and_case(tmp_path: Path) -> None:
    """Blank lines, comments and labels are allowed; hex may be upper case."""
    text = "\n".join([
        "# the feeders",
        "",
        "   " + file_line(ALPHA, "feeder one, since May"),
        file_line(BETA).upper().replace("SHA256:", "sha256:") + "\t# second",
    ])  # fmt: skip
    assert parse_key_file(text, "keys.txt") == {digest(ALPHA), digest(BETA)}


@pytest.mark.parametrize(
    "bad",
    [
        ALPHA,
        "sha256:" + "ab" * 31,
        "sha256:" + "zz" * 32,
        "md5:" + "ab" * 16,
        "sha256 " + "ab" * 32,
    ],
    ids=["plaintext-key", "short-hex", "not-hex", "other-hash", "no-colon"],
)
def test_a_bad_key_file_line_is_named_and_not_quoted(bad: str) -> None:
    """The error gives the file and line number, never the line (it may be a plaintext key)."""
    text = "# keys\n" + file_line(BETA) + "\n" + bad + "\n"
    with pytest.raises(KeyConfigError) as error:
        parse_key_file(text, "/etc/tocsin/keys.txt")
    message = str(error.value)
    assert message.startswith("/etc/tocsin/keys.txt, line 3: expected 'sha256:<64 hex digits>'")
    assert bad not in message
    assert "tocsin keys hash" in message


def test_a_missing_or_bad_key_file_stops_the_start(tmp_path: Path) -> None:
    """At start-up a key file that is absent or invalid is an error, not an open service."""
    with pytest.raises(KeyConfigError, match="does not exist"):
        load_key_ring(None, tmp_path / "absent.txt")
    bad = tmp_path / "bad.txt"
    bad.write_text("not a key line\n")
    with pytest.raises(KeyConfigError, match=r"bad\.txt, line 1"):
        load_key_ring(None, bad)


def test_an_empty_key_file_accepts_nothing(tmp_path: Path) -> None:
    """Configured but empty is not 'no keys': every request is refused."""
    empty = tmp_path / "keys.txt"
    empty.write_text("# every key revoked\n")
    ring = load_key_ring(None, empty)
    assert ring is not None
    assert not ring.accepts(ALPHA)


def test_short_or_unsendable_environment_keys_are_refused() -> None:
    """Plaintext keys must look random; the error gives the position, not the key."""
    with pytest.raises(KeyConfigError, match="key 2: an API key must be at least 16") as error:
        parse_env_keys(f"{ALPHA},short-one")
    assert "short-one" not in str(error.value)
    with pytest.raises(KeyConfigError, match="spaces or control"):
        parse_env_keys("a key with spaces in it")
    assert parse_env_keys(f"{ALPHA}, ,{ALPHA}") == {digest(ALPHA)}


def _rewrite(path: Path, *tokens: str) -> None:
    path.write_text("".join(file_line(t) + "\n" for t in tokens))
    # Every rewrite gets a later mtime, even within the file system's time granularity.
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def test_the_key_file_is_reread_when_it_changes(tmp_path: Path) -> None:
    """Rotation without a restart: a key added is accepted and a key removed is refused,
    once the recheck interval has passed."""
    path = tmp_path / "keys.txt"
    _rewrite(path, ALPHA)
    clock = Clock()
    api = KeyedApi(tmp_path, KeyRing(key_file=KeyFile(path, recheck_s=1.0, clock=clock)))
    try:
        assert api.post(ALPHA).status_code == 202
        assert api.post(BETA).status_code == 401

        _rewrite(path, ALPHA, BETA)  # add the new key
        clock.now += 0.5
        assert api.post(BETA).status_code == 401  # not looked at again yet
        clock.now += 0.6
        assert api.post(BETA, body=ARTICLE | {"id": "b"}).status_code == 202

        _rewrite(path, BETA)  # retire the old one
        clock.now += 1.1
        assert api.post(ALPHA, body=ARTICLE | {"id": "c"}).status_code == 401
        assert api.post(BETA, body=ARTICLE | {"id": "d"}).status_code == 202
    finally:
        api.index.close()


def test_a_key_file_broken_while_running_lets_no_key_in(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Fail closed: an edit that breaks the file refuses every file key until it is fixed."""
    path = tmp_path / "keys.txt"
    _rewrite(path, ALPHA)
    clock = Clock()
    key_file = KeyFile(path, clock=clock)
    ring = KeyRing([digest(BETA)], key_file)
    path.write_text(file_line(ALPHA) + "\n" + ALPHA + "\n")  # a plaintext key pasted in
    clock.now += 2
    with caplog.at_level(logging.ERROR):
        assert not ring.accepts(ALPHA)
    assert ring.accepts(BETA)  # the environment's keys are unaffected
    assert "keys.txt, line 2" in caplog.text
    assert ALPHA not in caplog.text
    path.unlink()
    clock.now += 2
    assert not ring.accepts(ALPHA)
    _rewrite(path, ALPHA)
    clock.now += 2
    assert ring.accepts(ALPHA)


def test_new_keys_are_long_random_and_distinct() -> None:
    """``new_token`` draws fresh 256-bit keys that pass the shape check."""
    keys = {new_token() for _ in range(50)}
    assert len(keys) == 50
    assert all(k.startswith("tocsin_") and len(k) >= 16 + 7 for k in keys)
    assert parse_env_keys(",".join(keys)) == {digest(k) for k in keys}


# --- settings and start-up ----------------------------------------------------------------


def test_no_keys_logs_a_warning_that_the_write_routes_are_open(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Open write routes are allowed but never silent."""
    with caplog.at_level(logging.WARNING):
        assert api_keys_from(IngestSettings()) is None
    assert "no API keys configured" in caplog.text


def test_settings_never_show_a_plaintext_key() -> None:
    """The keys are a SecretStr: repr, str and validation errors do not hold them."""
    settings = IngestSettings(api_keys=ALPHA)
    assert ALPHA not in repr(settings)
    assert ALPHA not in str(settings)
    with pytest.raises(ValidationError) as error:
        IngestSettings(api_keys=ALPHA, ops_host="10.0.0.7")
    assert ALPHA not in str(error.value)
    assert "TOCSIN_INGEST_OPS_HOST needs TOCSIN_INGEST_OPS_PORT" in str(error.value)


def test_the_ops_listener_settings() -> None:
    """The ops address defaults to the main host; its port must be its own."""
    assert IngestSettings().ops_address is None
    assert IngestSettings(host="10.0.0.7", ops_port=9100).ops_address == ("10.0.0.7", 9100)
    assert IngestSettings(ops_host="10.0.0.5", ops_port=9100).ops_address == ("10.0.0.5", 9100)
    with pytest.raises(ValidationError, match="the ops port must differ"):
        IngestSettings(port=8080, ops_port=8080, ops_host="10.0.0.5")


# --- the ops listener ---------------------------------------------------------------------


def test_with_an_ops_listener_each_port_serves_only_its_routes(tmp_path: Path) -> None:
    """Requests go by the port they arrived on: ops routes on 9100, articles on 8080."""
    api = KeyedApi(tmp_path, KeyRing([digest(ALPHA)]), ops_routes=False)
    try:
        ops = create_ops_app(api.metrics, ready)
        both = SyncClient(ByLocalPort(api.app, ops, ops_port=9100))
        main, side = "http://ingest.test:8080", "http://ingest.test:9100"
        for path in ("/healthz", "/readyz", "/metrics"):
            assert both.get(side + path).status_code == 200, path
            missing = both.get(main + path)
            assert missing.status_code == 404, path
            assert missing.json()["error"]["code"] == "not_found"
        article, key = orjson.dumps(ARTICLE), bearer(ALPHA)
        assert both.post(main + "/v1/articles", content=article, headers=key).status_code == 202
        assert both.post(side + "/v1/articles", content=article, headers=key).status_code == 404
        # The ops listener's requests are counted in the same series as before.
        exposition = both.get(side + "/metrics").text
        health = 'tocsin_ingest_http_requests_total{code="200",method="GET",route="/healthz"}'
        assert f"{health} 1.0" in exposition
        assert "/metrics" not in both.get(main + "/openapi.json").json()["paths"]
    finally:
        api.index.close()


def test_a_busy_ops_port_is_a_listen_error_naming_the_address() -> None:
    """A port already taken is reported as such, with the address, before anything starts."""
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        with pytest.raises(ListenError) as error:
            bind("127.0.0.1", port)
    assert str(error.value) == f"cannot listen on 127.0.0.1:{port}: Address already in use"
