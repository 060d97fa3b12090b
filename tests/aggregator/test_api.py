"""The aggregator HTTP API over an in-memory partition table: answers, filters, errors."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.aggregator.conftest import Api
from tests.aggregator.factory import T0, casualty, curfew, deployment, statement

CAS0 = ("tocsin.events.casualty.v1", 0)
CAS1 = ("tocsin.events.casualty.v1", 1)
DEP0 = ("tocsin.events.deployment.v1", 0)
CUR0 = ("tocsin.events.curfew.v1", 0)
STA0 = ("tocsin.events.statement.v1", 0)
D = dt.date


def _seed(api: Api) -> None:
    api.load(
        CAS0,
        [
            casualty("KZ", "killed", "security_forces", 18),
            casualty("KZ", "killed", "militants", 26),
            casualty("KZ", "killed", "unspecified", 24),
            casualty("KZ", "arrested", "unspecified", 3000, high=None),
        ],
    )
    api.load(CAS1, [casualty("KG", "killed", "protesters", 11)])
    api.load(DEP0, [deployment("KZ", "CSTO", 3600), deployment("KZ", "airborne forces", None)])
    api.load(
        CUR0,
        [
            curfew("KZ", "state_of_emergency", ends_on=D(2022, 1, 19)),
            curfew("KZ", "curfew", location="Aktau", ends_on=D(2022, 1, 5)),
        ],
    )
    api.load(
        STA0,
        [
            statement("KZ", "Tokayev", f"quote {i}", published=T0 + dt.timedelta(hours=i))
            for i in range(5)
        ]
        + [statement("KG", "Japarov", "Order will be restored.")],
    )


def test_totals_per_group_and_all(api: Api) -> None:
    """Each (country, outcome) lists its groups and their sum under "all"."""
    _seed(api)
    body = api.get("/v1/totals?country=kz&outcome=killed").json()
    assert body == {
        "totals": [
            {
                "country": "KZ",
                "outcome": "killed",
                "groups": {"security_forces": 18, "militants": 26, "unspecified": 24},
                "all": 68,
            }
        ]
    }
    everything = api.get("/v1/totals").json()["totals"]
    assert [(r["country"], r["outcome"]) for r in everything] == [
        ("KG", "killed"),
        ("KZ", "killed"),
        ("KZ", "arrested"),
    ]


def test_deployments_with_and_without_size(api: Api) -> None:
    """A deployment of unknown size is listed with size null."""
    _seed(api)
    assert api.get("/v1/deployments?country=KZ").json() == {
        "deployments": [
            {"country": "KZ", "force": "CSTO", "size": 3600},
            {"country": "KZ", "force": "airborne forces", "size": None},
        ]
    }


def test_curfews_filtered_by_activity(api: Api) -> None:
    """active=true lists the state of emergency; active=false the curfew that ended."""
    _seed(api)
    active = api.get("/v1/curfews?active=true").json()
    assert active["today"] == "2022-01-10"
    assert [(c["kind"], c["ends_on"], c["active"]) for c in active["curfews"]] == [
        ("state_of_emergency", "2022-01-19", True)
    ]
    ended = api.get("/v1/curfews?active=false&country=KZ").json()["curfews"]
    assert [(c["kind"], c["location"]) for c in ended] == [("curfew", "Aktau")]
    assert len(api.get("/v1/curfews").json()["curfews"]) == 2


def test_statements_newest_first_with_counts(api: Api) -> None:
    """The newest kept statements come first; counts cover every statement applied."""
    _seed(api)
    body = api.get("/v1/statements?country=KZ&limit=2").json()
    assert body["counts"] == {"KZ": 5}
    assert [(s["speaker"], s["quote"]) for s in body["statements"]] == [
        ("Tokayev", "quote 4"),
        ("Tokayev", "quote 3"),
    ]
    assert set(body["statements"][0]) == {
        "country",
        "speaker",
        "quote",
        "article_id",
        "published_at",
    }
    assert api.get("/v1/statements").json()["counts"] == {"KG": 1, "KZ": 5}


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/v1/totals?countri=KZ", "countri"),
        ("/v1/totals?outcome=dead", "outcome"),
        ("/v1/totals?country=KAZ", "country"),
        ("/v1/totals?country=KZ&country=KG", "country"),
        ("/v1/deployments?outcome=killed", "outcome"),
        ("/v1/curfews?active=yes", "active"),
        ("/v1/statements?limit=0", "limit"),
        ("/v1/statements?limit=many", "limit"),
        ("/v1/statements?limit=5000", "limit"),
    ],
)
def test_bad_queries_are_400_invalid_query(api: Api, url: str, field: str) -> None:
    """Unknown, repeated or malformed parameters get 400 in the shared error shape."""
    response = api.get(url)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_query"
    assert field in error["message"]
    assert [d["field"] for d in error["details"]] == [field]


def test_unexported_partitions_are_not_answered_for(api: Api) -> None:
    """A partition still catching up contributes nothing to totals or metrics."""
    api.load(CAS0, [casualty("KZ", "killed", "militants", 26)], end=10)
    assert api.get("/v1/totals").json() == {"totals": []}
    assert (
        api.sample(
            "tocsin_aggregator_casualties", country="KZ", outcome="killed", group="militants"
        )
        is None
    )


def test_readiness_reports_each_state(api: Api) -> None:
    """503 with nothing assigned, 503 catching up with lag, 200 once caught up."""
    none = api.get("/readyz")
    assert (none.status_code, none.json()["status"]) == (503, "no partitions assigned")
    api.load(CAS0, [casualty("KZ", "killed", "militants", 26)], end=10)
    catching = api.get("/readyz")
    assert (catching.status_code, catching.json()["status"]) == (503, "catching up")
    assert catching.json()["partitions"][0]["lag"] == 9
    api.table.progress(CAS0, 10, 10)
    ready = api.get("/readyz")
    assert (ready.status_code, ready.json()["status"]) == (200, "caught up")


def test_readiness_says_why_the_group_cannot_be_joined(api: Api) -> None:
    """With nothing assigned because of the broker, /readyz carries the reason; not after."""
    assert "error" not in api.get("/readyz").json()
    api.table.broker_failed("cannot join group g: authentication failed: bad password")
    answer = api.get("/readyz")
    assert answer.status_code == 503
    assert answer.json() == {
        "ready": False,
        "status": "no partitions assigned",
        "error": "cannot join group g: authentication failed: bad password",
        "partitions": [],
    }
    api.table.broker_failed(None)
    assert "error" not in api.get("/readyz").json()


def test_health_reports_a_dead_consumer_loop(api: Api) -> None:
    """healthz is 200 while the loop runs and 503 with the reason once it died."""
    assert api.get("/healthz").json() == {"status": "ok"}
    api.failure = "RuntimeError: boom"
    response = api.get("/healthz")
    assert (response.status_code, response.json()["error"]) == (503, "RuntimeError: boom")


def test_metrics_come_from_the_exported_totals(api: Api) -> None:
    """Gauges and counters are computed from the view at scrape time."""
    _seed(api)
    metric = api.sample
    assert (
        metric("tocsin_aggregator_casualties", country="KZ", outcome="killed", group="militants")
        == 26
    )
    assert metric("tocsin_aggregator_casualties", country="KZ", outcome="killed", group="all") == 68
    assert metric("tocsin_aggregator_deployment_size", country="KZ", force="CSTO") == 3600
    assert metric("tocsin_aggregator_deployment_size", country="KZ", force="airborne forces") == 0
    assert metric("tocsin_aggregator_active_curfews", country="KZ", kind="state_of_emergency") == 1
    assert metric("tocsin_aggregator_active_curfews", country="KZ", kind="curfew") == 0
    assert metric("tocsin_aggregator_statements_total", country="KZ") == 5
    assert metric("tocsin_aggregator_assigned_partitions") == 5
    assert metric("tocsin_aggregator_consumer_lag", topic=CAS0[0], partition="0") == 0
    assert metric("tocsin_aggregator_last_event_timestamp_seconds") == 1_700_000_005.0
    assert metric("tocsin_aggregator_store_failing") == 0
    text = api.get("/metrics").text
    assert "tocsin_aggregator_events_applied_total" in text
    assert 'tocsin_aggregator_dead_lettered_total{reason="decode_error"} 0.0' in text


def test_revoked_partitions_vanish_from_the_next_scrape(api: Api) -> None:
    """Once revoked, a partition's countries are gone from metrics and JSON at once."""
    _seed(api)
    api.table.revoke([CAS1])
    assert (
        api.sample("tocsin_aggregator_casualties", country="KG", outcome="killed", group="all")
        is None
    )
    assert [r["country"] for r in api.get("/v1/totals").json()["totals"]] == ["KZ", "KZ"]


def test_a_failing_store_shows_in_readiness_and_metrics(api: Api) -> None:
    """While a batch cannot be stored, /readyz says why and the gauge is 1; then both clear."""
    _seed(api)
    api.table.store_failed("database or disk is full")
    answer = api.get("/readyz")
    assert answer.status_code == 503
    assert (answer.json()["status"], answer.json()["error"]) == (
        "state store failing",
        "database or disk is full",
    )
    assert api.sample("tocsin_aggregator_store_failing") == 1
    api.table.store_failed(None)
    assert api.get("/readyz").status_code == 200
    assert api.sample("tocsin_aggregator_store_failing") == 0
