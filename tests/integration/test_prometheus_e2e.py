"""A real Prometheus scrapes a real ingest service and aggregator and runs the dashboard.

tests/deploy checks the Prometheus files and the dashboard's queries offline. This test
runs them: Prometheus (the Debian package's server) loads a copy of
deploy/prometheus/prometheus.yml whose targets are this test's services, with the
repository's own rule files, scraping every second. Articles about Bolivia, a country
no other test writes about, go in through the ingest service; then every query of every
panel of deploy/grafana/dashboards/tocsin.json goes through Prometheus's HTTP API and
must answer, and those that should show data must show the figures the aggregator's
JSON API gives. Both services' live /metrics must also pass ``promtool check metrics``.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.conftest import REPO
from tests.deploy.promql import grafana_to_promql
from tests.integration.processes import (
    aggregator_service,
    free_port,
    get_json,
    ingest_service,
    post_article,
    stop,
)
from tocsin.contract import topics

pytestmark = pytest.mark.kafka

PROMETHEUS_DIR = REPO / "deploy" / "prometheus"
DASHBOARD_FILE = REPO / "deploy" / "grafana" / "dashboards" / "tocsin.json"
JOBS = ("tocsin-ingest", "tocsin-aggregator")
_PROMETHEUS_MISSING = (
    "prometheus and promtool are needed for this test. They come with the Debian package "
    "'prometheus': run ./scripts/system-deps.sh as root. This fails rather than skips "
    "because nothing else runs the dashboard's queries against the real services."
)

COUNTRY = "BO"
TODAY = "2025-06-04"  # the measures reported below run until 10 and 20 June: active
# The first report, then two later ones. The second raises the killed total by 62, over
# the 50 at which TocsinCasualtySpike fires.
FIRST = {
    "id": "it-prometheus-bo-1",
    "title": "Clashes in La Paz leave 12 dead",
    "source": "Tocsin test",
    "published_at": "2025-06-02T07:30:00Z",
    "body": (
        "Clashes between police and miners blocking roads outside La Paz left 8 police "
        "officers and 4 protesters dead on Sunday, Bolivia's interior ministry said. At "
        'least 35 people were injured. "We call on all sides to stop the violence," '
        "ombudsman Nadia Cruz said."
    ),
}
LATER = [
    {
        "id": "it-prometheus-bo-2",
        "title": "Bolivia declares state of emergency as toll rises",
        "source": "Tocsin test",
        "published_at": "2025-06-03T09:00:00Z",
        "body": (
            "Bolivia declared a state of emergency in La Paz on Monday until June 20 after "
            "the number of protesters killed in two days of clashes rose to 62, hospital "
            "officials said. More than 200 people were arrested.\n\n"
            '"The roads will be reopened, by force if necessary," Interior Minister Carlos '
            "Rojas said."
        ),
    },
    {
        "id": "it-prometheus-bo-3",
        "title": "Army sent to La Paz",
        "source": "Tocsin test",
        "published_at": "2025-06-03T15:00:00Z",
        "body": (
            "About 1,500 soldiers were deployed to La Paz on Monday to clear the blockades, "
            "Bolivia's defence ministry said. A curfew was imposed in El Alto until June 10."
        ),
    },
]
SPIKE = 50  # TocsinCasualtySpike's threshold, in deploy/prometheus/rules/tocsin.rules.yml


# --- Prometheus --------------------------------------------------------------------------


def _tools() -> tuple[str, str]:
    prometheus, promtool = shutil.which("prometheus"), shutil.which("promtool")
    if prometheus is None or promtool is None:
        pytest.fail(_PROMETHEUS_MISSING, pytrace=False)
    return prometheus, promtool


def _config(targets: dict[str, str]) -> dict[str, Any]:
    """deploy/prometheus/prometheus.yml with ``targets`` (job -> host:port), 1 s scrapes,
    and its rule files at their place in the repository."""
    config: dict[str, Any] = yaml.safe_load(
        (PROMETHEUS_DIR / "prometheus.yml").read_text(encoding="utf-8")
    )
    # Rules evaluated as often as scrapes come, so recorded series follow within a second.
    config["global"] |= {
        "scrape_interval": "1s",
        "evaluation_interval": "1s",
        "scrape_timeout": "1s",
    }
    config["rule_files"] = [str(PROMETHEUS_DIR / pattern) for pattern in config["rule_files"]]
    jobs = [job["job_name"] for job in config["scrape_configs"]]
    assert sorted(jobs) == sorted(targets), f"the scrape jobs changed: {jobs}"
    for job in config["scrape_configs"]:
        job["static_configs"] = [{"targets": [targets[job["job_name"]]]}]
    return config


@contextmanager
def prometheus_server(
    binary: str, workdir: Path, scrape: Callable[[str], dict[str, str]]
) -> Iterator[str]:
    """Run Prometheus on a free 127.0.0.1 port with the config ``scrape(own address)``
    makes; yield its URL once ready; stop it with SIGTERM."""
    address = f"127.0.0.1:{free_port()}"
    workdir.mkdir(parents=True, exist_ok=True)
    config_file = workdir / "prometheus.yml"
    config_file.write_text(yaml.safe_dump(_config(scrape(address))), encoding="utf-8")
    log_path = workdir / "prometheus.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [binary, f"--config.file={config_file}", f"--storage.tsdb.path={workdir / 'tsdb'}",
             f"--web.listen-address={address}"],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://{address}"
    try:
        deadline = time.monotonic() + 30
        while not _answers(f"{url}/-/ready"):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(
                    f"Prometheus did not get ready:\n{log_path.read_text(errors='replace')[-3000:]}"
                )
            time.sleep(0.2)
        yield url
    finally:
        stop(proc)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def query(prometheus: str, expr: str) -> list[dict[str, Any]]:
    """The instant vector ``expr`` gives now; fails on any error Prometheus reports."""
    response = httpx.get(f"{prometheus}/api/v1/query", params={"query": expr}, timeout=10)
    body = response.json()
    assert response.status_code == 200, f"{expr}: {body}"
    assert body["status"] == "success", f"{expr}: {body}"
    assert not body.get("warnings"), f"{expr}: {body['warnings']}"
    assert body["data"]["resultType"] == "vector", f"{expr}: {body['data']['resultType']}"
    result: list[dict[str, Any]] = body["data"]["result"]
    return result


def by(result: list[dict[str, Any]], label: str) -> dict[str, float]:
    """``{value of label: sample value}`` of an instant vector."""
    return {s["metric"].get(label, ""): float(s["value"][1]) for s in result}


# --- The dashboard -----------------------------------------------------------------------


def dashboard_targets() -> list[tuple[str, str, str]]:
    """(panel title, refId, PromQL) of every query of every panel, rows included."""
    with DASHBOARD_FILE.open(encoding="utf-8") as f:
        dashboard = json.load(f)
    panels: list[dict[str, Any]] = []
    for panel in dashboard["panels"]:
        panels.extend(panel.get("panels", []) if panel["type"] == "row" else [panel])
    return [(p["title"], t["refId"], t["expr"]) for p in panels for t in p["targets"]]


def panel_promql(expr: str) -> str:
    """A panel query as Grafana would send it with this test's country chosen."""
    # Grafana's interval variables become fixed durations (5m for $__rate_interval),
    # as in tests/deploy; every sample of this test falls inside them.
    return grafana_to_promql(expr).replace("$country", COUNTRY)


@dataclass(frozen=True)
class Truth:
    """What the aggregator's JSON API and /readyz say, for comparison with Prometheus."""

    casualties: dict[str, float]  # outcome -> all groups, for COUNTRY
    deployments: dict[str, float]  # force -> size, for COUNTRY
    curfews: dict[str, float]  # kind -> active measures, for COUNTRY
    partitions: int  # assigned to the aggregator


def truth(agg: str) -> Truth:
    """The aggregator's figures for ``COUNTRY`` now."""
    totals = get_json(f"{agg}/v1/totals?country={COUNTRY}")["totals"]
    deployments = get_json(f"{agg}/v1/deployments?country={COUNTRY}")["deployments"]
    curfews = get_json(f"{agg}/v1/curfews?active=true&country={COUNTRY}")["curfews"]
    ready = httpx.get(f"{agg}/readyz", timeout=10).json()
    return Truth(
        casualties={row["outcome"]: row["all"] for row in totals},
        deployments={row["force"]: row["size"] or 0 for row in deployments},
        curfews=dict(Counter(row["kind"] for row in curfews)),
        partitions=len(ready["partitions"]),
    )


Check = Callable[[list[dict[str, Any]], Truth], str | None]


def _equals(label: str, want: Callable[[Truth], dict[str, float]]) -> Check:
    def check(result: list[dict[str, Any]], t: Truth) -> str | None:
        got, expected = by(result, label), want(t)
        return None if got == expected else f"by {label}: {got}, expected {expected}"

    return check


def _positive(label: str, *keys: str) -> Check:
    def check(result: list[dict[str, Any]], _: Truth) -> str | None:
        got = by(result, label)
        missing = [k for k in keys if not got.get(k, 0) > 0]
        return f"by {label}: {got}, expected > 0 for {missing}" if missing else None

    return check


def _no_error(result: list[dict[str, Any]], _: Truth) -> str | None:
    # The query answered (query() checked that); any values it has must be numbers.
    values = [float(s["value"][1]) for s in result]
    return None if all(v >= 0 for v in values) else f"negative values: {result}"


def _all_zero(result: list[dict[str, Any]], _: Truth) -> str | None:
    values = [float(s["value"][1]) for s in result]
    return None if all(v == 0 for v in values) else f"expected none or 0: {result}"


def _one_duration(result: list[dict[str, Any]], _: Truth) -> str | None:
    # A quantile of a histogram that saw requests in the window: one finite, positive value.
    values = [float(s["value"][1]) for s in result]
    ok = len(values) == 1 and math.isfinite(values[0]) and values[0] > 0
    return None if ok else f"expected one finite positive duration: {result}"


def _fresh_event(result: list[dict[str, Any]], _: Truth) -> str | None:
    values = [float(s["value"][1]) for s in result]
    ok = len(values) == 1 and 0 <= values[0] < 300
    return None if ok else f"expected the newest event to be seconds old: {result}"


def _assigned(result: list[dict[str, Any]], t: Truth) -> str | None:
    got = [float(s["value"][1]) for s in result]
    return None if got == [t.partitions] else f"{got}, expected [{t.partitions}] as /readyz"


def _lag(result: list[dict[str, Any]], t: Truth) -> str | None:
    seen = {s["metric"]["topic"] for s in result}
    values = [float(s["value"][1]) for s in result]
    wanted = set(topics.EVENT_TOPICS.values())
    if seen != wanted or len(result) != t.partitions or min(values) < 0:
        return f"expected one lag >= 0 per assigned partition of {sorted(wanted)}: {result}"
    return None


def _spike_alert(result: list[dict[str, Any]], _: Truth) -> str | None:
    firing = {(s["metric"]["alertname"], s["metric"].get("country")) for s in result}
    if ("TocsinCasualtySpike", COUNTRY) in firing:
        return None
    return f"expected TocsinCasualtySpike for {COUNTRY} among the firing alerts: {firing}"


def _services_up(result: list[dict[str, Any]], _: Truth) -> str | None:
    got = by(result, "job")
    return None if got == dict.fromkeys(JOBS, 1.0) else f"up by job: {got}"


_LATENCY: dict[str, Check] = {"A": _one_duration, "B": _one_duration, "C": _one_duration}
# Per panel title and refId: what its query must return with COUNTRY chosen. A panel
# added to the dashboard fails the test until it gets an entry here.
EXPECTED: dict[str, dict[str, Check]] = {
    "Casualties by country and outcome (all groups)": {
        "A": _equals("outcome", lambda t: t.casualties)
    },
    "Casualties now (all groups)": {"A": _equals("outcome", lambda t: t.casualties)},
    "Deployments: reported size by country and force": {
        "A": _equals("force", lambda t: t.deployments)
    },
    "Active curfews and states of emergency": {"A": _equals("kind", lambda t: t.curfews)},
    # Counted before and after later articles, so the hour's increase is above 0.
    "Statements per country (last hour)": {"A": _positive("country", COUNTRY)},
    "Firing alerts": {"A": _spike_alert},
    "Articles by outcome (per second)": {"A": _positive("outcome", "accepted")},
    "Events published by type (per second)": {
        "A": _positive("type", "casualty", "deployment", "statement", "curfew")
    },
    "Request latency, article routes": _LATENCY,
    "Publish latency (send to last broker ack)": _LATENCY,
    "Extraction time per article": _LATENCY,
    "Answers by status code (per second)": {"A": _positive("code", "202")},
    "Publish errors by reason (per second)": {"A": _all_zero},
    "Consumer lag by partition": {"A": _lag},
    "Events applied and duplicates dropped (per second)": {
        "A": _positive("type", "casualty", "deployment", "statement", "curfew"),
        "B": _no_error,
    },
    # Replaying what other tests left on the shared broker may dead-letter their records.
    "Dead letters by reason": {"A": _no_error},
    "Batch apply time": _LATENCY,
    "Age of the newest event applied": {"A": _fresh_event},
    "Assigned partitions": {"A": _assigned},
    "Services up": {"A": _services_up},
}


def dashboard_problems(prometheus: str, agg: str) -> list[str]:
    """What is wrong with the dashboard's answers now (empty when all is as expected)."""
    t = truth(agg)
    problems = []
    for title, ref, expr in dashboard_targets():
        check = EXPECTED.get(title, {}).get(ref)
        assert check is not None, f"no expectation for panel {title!r} query {ref}: add one"
        problem = check(query(prometheus, panel_promql(expr)), t)
        if problem:
            problems.append(f"{title!r} {ref}: {problem}")
    return problems


# --- Helpers -----------------------------------------------------------------------------


def _wait_for(what: str, probe: Callable[[], object], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not probe():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.25)


def _caught_up(agg: str, casualties: Callable[[dict[str, float]], bool]) -> bool:
    """The aggregator answers for every partition and its figures pass ``casualties``."""
    if httpx.get(f"{agg}/readyz", timeout=5).status_code != 200:
        return False
    return casualties(truth(agg).casualties)


# --- The test ----------------------------------------------------------------------------


def test_dashboard_queries_answer_with_the_aggregator_figures(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    """Every dashboard query runs in a real Prometheus, and those with data match the services."""
    prometheus, promtool = _tools()
    with (
        ingest_service(kafka_bootstrap, tmp_path / "ingest") as ingest,
        aggregator_service(
            kafka_bootstrap, tmp_path / "agg", group="it-prometheus-e2e", today=TODAY
        ) as agg,
    ):

        def targets(own: str) -> dict[str, str]:
            return {
                "tocsin-ingest": ingest.removeprefix("http://"),
                "tocsin-aggregator": agg.url.removeprefix("http://"),
                "prometheus": own,
            }

        with prometheus_server(prometheus, tmp_path / "prometheus", targets) as prom:
            _wait_for(
                "both services to be scraped",
                lambda: by(query(prom, 'up{job=~"tocsin-.*"}'), "job") == dict.fromkeys(JOBS, 1.0),
            )
            # Counters move only between scrapes that Prometheus sees, so the articles
            # arrive in two rounds, with a scrape and a rule evaluation in between.
            post_article(ingest, FIRST)
            _wait_for("the first article", lambda: _caught_up(agg.url, lambda c: "killed" in c))
            before = truth(agg.url).casualties["killed"]
            recorded = (
                "country_outcome_group:tocsin_aggregator_casualties:max"
                f'{{country="{COUNTRY}", outcome="killed", group="all"}}'
            )
            _wait_for(
                "Prometheus to record the first figures",
                lambda: [float(s["value"][1]) for s in query(prom, recorded)] == [before],
            )
            # The statements topic is consumed on its own: its first count must be scraped
            # before the later articles too, or the hour's increase misses it (a series
            # first seen at its final value increases by 0).
            statements = f'sum(tocsin_aggregator_statements_total{{country="{COUNTRY}"}})'
            _wait_for(
                "Prometheus to scrape the first statement count",
                lambda: [float(s["value"][1]) > 0 for s in query(prom, statements)] == [True],
            )
            for article in LATER:
                post_article(ingest, article)
            _wait_for(
                f"the later articles to raise the killed total by {SPIKE} (TocsinCasualtySpike)",
                lambda: _caught_up(agg.url, lambda c: c.get("killed", 0) >= before + SPIKE),
            )

            # Rates, recorded series and the alert follow within a few scrapes (more on a
            # busy machine: rule groups are evaluated one interval after the scrape).
            deadline = time.monotonic() + 60
            while problems := dashboard_problems(prom, agg.url):
                if time.monotonic() > deadline:
                    break
                time.sleep(1)
            assert not problems, "\n".join(problems)
            countries = get_json(f"{prom}/api/v1/label/country/values")["data"]
            assert COUNTRY in countries, "the dashboard's $country variable would miss it"

        # The live expositions, now that every family has samples.
        for url in (ingest, agg.url):
            exposition = httpx.get(f"{url}/metrics", timeout=10).text
            lint = subprocess.run(
                [promtool, "check", "metrics"],
                input=exposition, capture_output=True, text=True, timeout=60, check=False,
            )  # fmt: skip
            assert lint.returncode == 0, f"{url}/metrics:\n{lint.stdout}{lint.stderr}"
