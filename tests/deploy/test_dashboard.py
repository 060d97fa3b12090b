"""deploy/grafana and the names the queries use: every one parses and reads a real metric.

The metric names are checked against what the services export, built in-process, so
a renamed metric breaks this test instead of leaving a panel empty.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.conftest import (
    DASHBOARD_FILE,
    GRAFANA_DIR,
    RULES_FILE,
    Promtool,
    promtool_output,
)
from tests.deploy.exported import (
    aggregator_registry,
    exposition,
    families_without_samples,
    ingest_registry,
    sample_names,
)
from tests.deploy.promql import grafana_to_promql, label_values_metric, metric_names

# Series that Prometheus makes itself: scrape health, and its alerts as a series.
PROMETHEUS_SERIES = frozenset({"up", "ALERTS"})


@cache
def _dashboard() -> dict[str, Any]:
    with DASHBOARD_FILE.open(encoding="utf-8") as f:
        loaded: dict[str, Any] = json.load(f)
    return loaded


def _panels() -> list[dict[str, Any]]:
    """Every panel that shows data (rows only group them)."""
    found = []
    for panel in _dashboard()["panels"]:
        if panel["type"] == "row":
            found.extend(panel.get("panels", []))
        else:
            found.append(panel)
    return found


def _targets() -> list[tuple[str, str]]:
    """(where, PromQL) of every panel target."""
    return [
        (f"panel {panel['id']} {panel['title']!r} target {target['refId']}", target["expr"])
        for panel in _panels()
        for target in panel["targets"]
    ]


def _rules() -> list[dict[str, Any]]:
    with RULES_FILE.open(encoding="utf-8") as f:
        rules = yaml.safe_load(f)
    return [rule for group in rules["groups"] for rule in group["rules"]]


def _recorded() -> set[str]:
    """Names of the series the recording rules make."""
    return {rule["record"] for rule in _rules() if "record" in rule}


def _provisioned_uid() -> str:
    path = GRAFANA_DIR / "provisioning" / "datasources" / "prometheus.yml"
    with path.open(encoding="utf-8") as f:
        (source,) = yaml.safe_load(f)["datasources"]
    uid: str = source["uid"]
    return uid


@cache
def _exported() -> frozenset[str]:
    names: set[str] = set()
    for registry in (ingest_registry(), aggregator_registry()):
        names |= sample_names(exposition(registry))
    return frozenset(names)


def test_every_panel_has_targets() -> None:
    """The dashboard parses, and every panel has at least one query with an expression."""
    assert _panels()
    for panel in _panels():
        assert panel.get("targets"), f"panel {panel['title']!r} has no targets"
        for target in panel["targets"]:
            assert target.get("expr", "").strip(), f"panel {panel['title']!r}: empty expr"


def test_panel_ids_and_ref_ids_are_unique() -> None:
    """Panel ids are unique in the dashboard and refIds within each panel."""
    ids = [panel["id"] for panel in _dashboard()["panels"]]
    assert len(ids) == len(set(ids))
    for panel in _panels():
        refs = [target["refId"] for target in panel["targets"]]
        assert len(refs) == len(set(refs)), panel["title"]


def test_every_query_uses_the_provisioned_datasource() -> None:
    """Panels, targets and variables all name the datasource UID that Grafana is given."""
    uid = _provisioned_uid()
    users = [*_panels(), *(t for p in _panels() for t in p["targets"])]
    users += _dashboard()["templating"]["list"]
    for user in users:
        assert user["datasource"] == {"type": "prometheus", "uid": uid}, user


def test_every_expression_parses(promtool: Promtool, tmp_path: Path) -> None:
    """Prometheus's own parser accepts every panel query (Grafana intervals made fixed)."""
    # promtool has no offline "parse this query", but it parses every rule it checks:
    # each query becomes a recording rule, in a group named after its panel so that a
    # failure says which panel it was.
    groups = [
        {
            "name": where,
            "rules": [{"record": f"dashboard:query_{i}", "expr": grafana_to_promql(expr)}],
        }
        for i, (where, expr) in enumerate(_targets())
    ]
    rules_file = tmp_path / "dashboard.rules.yml"
    rules_file.write_text(yaml.safe_dump({"groups": groups}), encoding="utf-8")
    result = promtool("check", "rules", rules_file)
    assert result.returncode == 0, promtool_output(result)


def test_dashboard_reads_only_exported_or_recorded_metrics() -> None:
    """Every metric a panel or a variable reads is exported by a service or recorded by a rule."""
    known = _exported() | PROMETHEUS_SERIES | _recorded()
    used = {where: metric_names(grafana_to_promql(expr)) for where, expr in _targets()}
    for variable in _dashboard()["templating"]["list"]:
        if variable["type"] == "query":
            metric = label_values_metric(variable["query"]["query"])
            used[f"variable {variable['name']}"] = metric_names(metric) if metric else set()
    unknown = {where: sorted(names - known) for where, names in used.items() if names - known}
    assert not unknown, f"metrics that nothing exports or records: {unknown}"
    assert all(used[where] for where, _ in _targets()), "a query that reads no metric"


def test_rules_read_only_exported_metrics() -> None:
    """Recording rules read exported metrics; alerts read those, recorded series or up."""
    for rule in _rules():
        names = metric_names(rule["expr"])
        allowed = _exported() if "record" in rule else _exported() | _recorded() | PROMETHEUS_SERIES
        assert names, rule
        assert names <= allowed, f"{rule.get('record') or rule.get('alert')}: {names - allowed}"


@pytest.mark.parametrize("service", ["ingest", "aggregator"])
def test_every_metric_family_was_exercised(service: str) -> None:
    """Each family of the service shows samples here, so the name check sees all of them."""
    registry = ingest_registry() if service == "ingest" else aggregator_registry()
    assert not families_without_samples(exposition(registry))


@pytest.mark.parametrize("service", ["ingest", "aggregator"])
def test_promtool_accepts_the_exposition(promtool: Promtool, service: str) -> None:
    """``promtool check metrics`` finds nothing to complain about in GET /metrics."""
    registry = ingest_registry() if service == "ingest" else aggregator_registry()
    result = promtool("check", "metrics", stdin=exposition(registry))
    assert result.returncode == 0, promtool_output(result)


@pytest.mark.parametrize(
    ("expr", "names"),
    [
        ("up", {"up"}),
        ('sum by (le) (rate(a_bucket{route=~"/v1/.*"}[5m]))', {"a_bucket"}),
        ("histogram_quantile(0.9, sum(rate(b_bucket[5m])) by (le))", {"b_bucket"}),
        ("x > 1000 and deriv(x[10m]) > 0", {"x"}),
        ("(sum(increase(a[10m])) > 0) unless (sum(b) + sum(c) > 0)", {"a", "b", "c"}),
        ("a - ignoring(job) group_left(country) b offset 1h", {"a", "b"}),
        ("time() - max(ts)", {"ts"}),
        ('rec:metric:rate5m{country=~"$country"} >= bool 50', {"rec:metric:rate5m"}),
        ("max_over_time(x[1h:5m])", {"x"}),
    ],
)
def test_metric_names_of_an_expression(expr: str, names: set[str]) -> None:
    """The tokenizer finds the selected metrics and nothing else."""
    assert metric_names(expr) == names
