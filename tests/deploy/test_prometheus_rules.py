"""deploy/prometheus: the scrape config, the rules and the rules' unit tests, by promtool."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from tests.deploy.conftest import (
    PROMETHEUS_CONFIG,
    RULES_FILE,
    RULES_TEST_FILE,
    Promtool,
    promtool_output,
)


def _load(path: Any) -> Any:
    with path.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def _rules() -> list[dict[str, Any]]:
    return [rule for group in _load(RULES_FILE)["groups"] for rule in group["rules"]]


def _alerts() -> list[dict[str, Any]]:
    return [rule for rule in _rules() if "alert" in rule]


def test_config_is_valid(promtool: Promtool) -> None:
    """promtool accepts prometheus.yml, including the rule files it loads."""
    result = promtool("check", "config", PROMETHEUS_CONFIG)
    assert result.returncode == 0, promtool_output(result)
    # An empty glob is not an error to promtool, so check the rules were found.
    assert "SUCCESS: 1 rule files found" in result.stdout, promtool_output(result)


def test_config_scrapes_both_services() -> None:
    """The scrape jobs are tocsin-ingest and tocsin-aggregator on the compose service ports."""
    config = _load(PROMETHEUS_CONFIG)
    targets = {
        job["job_name"]: [t for sc in job["static_configs"] for t in sc["targets"]]
        for job in config["scrape_configs"]
    }
    assert targets["tocsin-ingest"] == ["ingest:8080"]
    assert targets["tocsin-aggregator"] == ["aggregator:8081"]
    assert config["rule_files"] == ["rules/*.yml"]


def test_rules_are_valid(promtool: Promtool) -> None:
    """promtool accepts the recording and alert rules."""
    result = promtool("check", "rules", RULES_FILE)
    assert result.returncode == 0, promtool_output(result)


def test_rule_unit_tests_pass(promtool: Promtool) -> None:
    """Every promtool unit test of the rules passes."""
    result = promtool("test", "rules", RULES_TEST_FILE)
    assert result.returncode == 0, promtool_output(result)


def test_every_alert_has_a_unit_test() -> None:
    """Each alert of the rules file is the subject of at least one alert_rule_test."""
    tested = {
        case["alertname"]
        for test in _load(RULES_TEST_FILE)["tests"]
        for case in test.get("alert_rule_test", [])
    }
    untested = {rule["alert"] for rule in _alerts()} - tested
    assert not untested, f"alerts without a unit test: {sorted(untested)}"


def test_every_alert_is_tested_firing_and_quiet() -> None:
    """Each alert has a test case where it fires and one where it must not."""
    firing: set[str] = set()
    quiet: set[str] = set()
    for test in _load(RULES_TEST_FILE)["tests"]:
        for case in test.get("alert_rule_test", []):
            (firing if case.get("exp_alerts") else quiet).add(case["alertname"])
    names = {rule["alert"] for rule in _alerts()}
    assert names <= firing, f"never seen firing: {sorted(names - firing)}"
    assert names <= quiet, f"never seen quiet: {sorted(names - quiet)}"


@pytest.mark.parametrize("alert", _alerts(), ids=lambda rule: rule["alert"])
def test_alert_is_labelled_and_explained(alert: dict[str, Any]) -> None:
    """An alert carries a known severity, and a summary and description for people."""
    assert alert["labels"]["severity"] in {"critical", "warning", "info"}
    annotations = alert["annotations"]
    assert annotations["summary"].strip()
    assert annotations["description"].strip()


def test_expected_alerts_exist() -> None:
    """The alerts the deployment promises are all defined."""
    expected = {
        "TocsinTargetDown",
        "TocsinIngestErrors",
        "TocsinPublishErrors",
        "TocsinConsumerLagGrowing",
        "TocsinDeadLetters",
        "TocsinAggregatorStoreFailing",
        "TocsinNoEventsApplied",
        "TocsinCasualtySpike",
    }
    assert {rule["alert"] for rule in _alerts()} == expected
