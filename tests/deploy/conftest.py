"""Fixtures for the deploy/ checks: where the files are, and promtool to judge them.

Nothing here needs a Docker engine or a network: Prometheus's own parser (promtool,
from the Debian package ``prometheus``) validates the configuration, the rules and
every PromQL expression, and the services' metrics are built in-process.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import REPO

DEPLOY = REPO / "deploy"
PROMETHEUS_DIR = DEPLOY / "prometheus"
PROMETHEUS_CONFIG = PROMETHEUS_DIR / "prometheus.yml"
RULES_FILE = PROMETHEUS_DIR / "rules" / "tocsin.rules.yml"
RULES_TEST_FILE = PROMETHEUS_DIR / "tests" / "tocsin.rules.test.yml"
GRAFANA_DIR = DEPLOY / "grafana"
DASHBOARD_FILE = GRAFANA_DIR / "dashboards" / "tocsin.json"
COMPOSE_FILE = DEPLOY / "docker-compose.yml"

_PROMTOOL_MISSING = (
    "promtool is not installed. It comes with the Debian package 'prometheus': run "
    "./scripts/system-deps.sh as root (or apt-get install prometheus). These checks "
    "fail rather than skip because nothing else validates deploy/prometheus."
)

Promtool = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="session")
def promtool() -> Promtool:
    """Runs ``promtool ARGS`` (stdin optional) and returns the finished process."""
    path = shutil.which("promtool")
    if path is None:
        pytest.fail(_PROMTOOL_MISSING, pytrace=False)

    def run(*args: str | Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [path, *map(str, args)],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    return run


def promtool_output(result: subprocess.CompletedProcess[str]) -> str:
    """What promtool said, for an assertion message."""
    return f"exit {result.returncode}\n{result.stdout}{result.stderr}"
