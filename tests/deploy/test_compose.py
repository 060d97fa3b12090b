"""deploy/docker-compose.yml, the Dockerfile and .dockerignore, checked without a Docker engine.

The checks tie the files to the code: environment variables must be ones the
settings classes read, ports and state directories must be the ones the services
use, and Prometheus and Grafana must find their files where compose mounts them.
"""

from __future__ import annotations

import fnmatch
import inspect
import json
import re
import shlex
import shutil
import subprocess
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

import tocsin.cli.main
from tests.conftest import REPO
from tests.deploy.conftest import COMPOSE_FILE, DEPLOY, PROMETHEUS_CONFIG
from tocsin.settings import AggregatorSettings, IngestSettings, KafkaSettings

TOCSIN_SERVICES = ("ingest", "aggregator")
LONG_RUNNING = ("kafka", "ingest", "aggregator", "prometheus", "grafana")


@cache
def _compose() -> dict[str, Any]:
    with COMPOSE_FILE.open(encoding="utf-8") as f:
        loaded: dict[str, Any] = yaml.safe_load(f)
    return loaded


def _service(name: str) -> dict[str, Any]:
    service: dict[str, Any] = _compose()["services"][name]
    return service


def _env(name: str) -> dict[str, str]:
    return {k: str(v) for k, v in _service(name).get("environment", {}).items()}


def _settings_variables() -> set[str]:
    """Every TOCSIN_* variable the services read: the settings classes' prefixed fields,
    plus the log level and format, which the CLI reads before any settings exist."""
    names = {
        f"{cls.model_config.get('env_prefix', '')}{field}".upper()
        for cls in (KafkaSettings, IngestSettings, AggregatorSettings)
        for field in cls.model_fields
    }
    source = inspect.getsource(tocsin.cli.main)
    logging_variables = {"TOCSIN_LOG_LEVEL", "TOCSIN_LOG_FORMAT"}
    for variable in logging_variables:
        assert f'"{variable}"' in source, variable
    return names | logging_variables


def _volume_targets(service: str) -> dict[str, str]:
    """Container path → source of each volume of a service (short syntax)."""
    mounts = {}
    for spec in _service(service).get("volumes", []):
        source, target, *_ = spec.split(":")
        mounts[target] = source
    return mounts


def _container_ports(service: str) -> dict[int, str]:
    """Container port → host address of each published port (host:port:container)."""
    published = {}
    for spec in _service(service).get("ports", []):
        host, _host_port, container = spec.split(":")
        published[int(container)] = host
    return published


def _scrape_targets() -> dict[str, str]:
    with PROMETHEUS_CONFIG.open(encoding="utf-8") as f:
        config = yaml.safe_load(f)
    return {
        job["job_name"]: target
        for job in config["scrape_configs"]
        for sc in job["static_configs"]
        for target in sc["targets"]
    }


# --- compose ----------------------------------------------------------------------------


def test_compose_has_the_services() -> None:
    """Kafka, the topic setup, both Tocsin services, Prometheus and Grafana are defined."""
    assert set(_compose()["services"]) == {"topics", *LONG_RUNNING}


def test_tocsin_variables_are_ones_the_settings_read() -> None:
    """Every TOCSIN_* variable set in compose is read by tocsin.settings (or the CLI)."""
    known = _settings_variables()
    for name in _compose()["services"]:
        unknown = {k for k in _env(name) if k.startswith("TOCSIN_")} - known
        assert not unknown, f"{name}: variables that Tocsin does not read: {sorted(unknown)}"


def test_tocsin_services_reach_kafka_inside_the_network() -> None:
    """Ingest, aggregator and the topic setup bootstrap from an address Kafka advertises."""
    advertised = _env("kafka")["KAFKA_ADVERTISED_LISTENERS"]
    addresses = {listener.split("://", 1)[1] for listener in advertised.split(",")}
    for name in ("topics", *TOCSIN_SERVICES):
        assert _env(name)["TOCSIN_KAFKA_BOOTSTRAP"] == "kafka:9092"
    assert "kafka:9092" in addresses


@pytest.mark.parametrize("service", TOCSIN_SERVICES)
def test_service_listens_where_prometheus_scrapes(service: str) -> None:
    """Each service binds 0.0.0.0 on the port that Prometheus scrapes and compose publishes."""
    env = _env(service)
    prefix = f"TOCSIN_{service.upper()}_"
    target = _scrape_targets()[f"tocsin-{service}"]
    assert env[prefix + "HOST"] == "0.0.0.0"  # noqa: S104 - reachable from other containers
    assert target == f"{service}:{env[prefix + 'PORT']}"
    assert _container_ports(service) == {int(env[prefix + "PORT"]): "127.0.0.1"}


@pytest.mark.parametrize("service", TOCSIN_SERVICES)
def test_state_dir_is_a_named_volume(service: str) -> None:
    """The state directory the service is told to use is a named volume, kept across restarts."""
    state_dir = _env(service)[f"TOCSIN_{service.upper()}_STATE_DIR"]
    source = _volume_targets(service)[state_dir]
    assert source in _compose()["volumes"]


def test_named_volumes_are_declared() -> None:
    """Every volume that is not a bind mount of a path is declared at the top level."""
    for name in _compose()["services"]:
        for source in _volume_targets(name).values():
            if not source.startswith((".", "/")):
                assert source in _compose()["volumes"], f"{name}: {source}"


def test_published_ports_are_local_only() -> None:
    """Nothing is published beyond 127.0.0.1: no service here has authentication."""
    for name in _compose()["services"]:
        assert set(_container_ports(name).values()) <= {"127.0.0.1"}, name


@pytest.mark.parametrize("service", LONG_RUNNING)
def test_long_running_services_have_healthchecks(service: str) -> None:
    """Each long-running service has a healthcheck command with an interval and retries."""
    check = _service(service)["healthcheck"]
    assert not check.get("disable")
    assert check["test"][0] in {"CMD", "CMD-SHELL"}
    assert check["interval"]
    assert check["retries"] >= 1


def test_tocsin_healthcheck_is_the_image_script() -> None:
    """Ingest and aggregator are checked by the script that the Dockerfile installs."""
    for service in TOCSIN_SERVICES:
        assert _service(service)["healthcheck"]["test"] == [
            "CMD",
            "python",
            "/opt/tocsin/healthcheck.py",
        ]
    assert "COPY deploy/docker/healthcheck.py /opt/tocsin/healthcheck.py" in _dockerfile_text()


def test_start_order_waits_for_health() -> None:
    """The services start once Kafka is healthy and the topics exist; Grafana after Prometheus."""
    for service in TOCSIN_SERVICES:
        depends = _service(service)["depends_on"]
        assert depends["kafka"]["condition"] == "service_healthy"
        assert depends["topics"]["condition"] == "service_completed_successfully"
    assert _service("topics")["depends_on"]["kafka"]["condition"] == "service_healthy"
    assert _service("topics")["command"] == ["topics", "create"]
    assert _service("grafana")["depends_on"]["prometheus"]["condition"] == "service_healthy"


def test_one_image_runs_both_services() -> None:
    """The topic setup and both services run the image built from the repository's Dockerfile."""
    for service in ("topics", *TOCSIN_SERVICES):
        build = _service(service)["build"]
        assert (DEPLOY / build["context"] / build["dockerfile"]).resolve() == REPO / "Dockerfile"
        assert _service(service)["image"] == _service("topics")["image"]
    assert _service("ingest")["command"] == ["serve", "ingest"]
    assert _service("aggregator")["command"] == ["serve", "aggregator"]


def test_kafka_is_a_single_kraft_node() -> None:
    """Kafka runs as broker and controller, with replication factor 1 for its internal topics."""
    env = _env("kafka")
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert env["KAFKA_NODE_ID"] == "1"
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == "1@kafka:9093"
    assert "CONTROLLER://:9093" in env["KAFKA_LISTENERS"].split(",")
    for name in (
        "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR",
        "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
        "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR",
        "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR",
        "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR",
    ):
        assert env[name] == "1", name
    assert _volume_targets("kafka")[env["KAFKA_LOG_DIRS"]] == "kafka-data"


def test_kafka_image_matches_the_pinned_broker() -> None:
    """The compose broker is the Kafka version the local broker and the tests use."""
    pom = (REPO / "services" / "tocsin" / "localbroker" / "pom.xml").read_text(encoding="utf-8")
    match = re.search(r"<kafka\.version>([^<]+)</kafka\.version>", pom)
    assert match is not None
    assert _service("kafka")["image"] == f"apache/kafka:{match[1]}"


def test_prometheus_finds_its_config_and_rules() -> None:
    """Compose mounts deploy/prometheus where the --config.file flag points."""
    mounts = _volume_targets("prometheus")
    assert (DEPLOY / mounts["/etc/prometheus"]).resolve() == PROMETHEUS_CONFIG.parent
    assert "--config.file=/etc/prometheus/prometheus.yml" in _service("prometheus")["command"]


def test_grafana_finds_its_provisioning_and_dashboard() -> None:
    """The dashboard provider's path is where compose mounts deploy/grafana/dashboards."""
    mounts = _volume_targets("grafana")
    provisioning = DEPLOY / mounts["/etc/grafana/provisioning"]
    with (provisioning / "dashboards" / "tocsin.yml").open(encoding="utf-8") as f:
        (provider,) = yaml.safe_load(f)["providers"]
    dashboards = DEPLOY / mounts[provider["options"]["path"]]
    home = _env("grafana")["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    assert Path(home).parent == Path(provider["options"]["path"])
    dashboard = json.loads((dashboards / Path(home).name).read_text(encoding="utf-8"))
    assert dashboard["uid"]
    with (provisioning / "datasources" / "prometheus.yml").open(encoding="utf-8") as f:
        (source,) = yaml.safe_load(f)["datasources"]
    assert source["url"] == "http://prometheus:9090"


def _compose_cli() -> list[str] | None:
    """A working ``docker compose`` (v2) command, or None.

    The old Python ``docker-compose`` (v1) is not tried: it rejects the current file
    format (a top-level ``name``), so it would test the tool, not our file.
    """
    candidates = [["docker", "compose"]]
    for command in candidates:
        if shutil.which(command[0]) is None:
            continue
        probe = subprocess.run(
            [*command, "version"], capture_output=True, text=True, timeout=30, check=False
        )
        if probe.returncode == 0:
            return command
    return None


def test_docker_compose_accepts_the_file() -> None:
    """``docker compose config`` (which needs no engine) accepts the file, where available."""
    command = _compose_cli()
    if command is None:
        pytest.skip(
            "docker compose is not available here (the docker CLI has no compose plugin); "
            "the YAML checks in this file stand in for it"
        )
    result = subprocess.run(
        [*command, "-f", str(COMPOSE_FILE), "config", "--quiet"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- Dockerfile and .dockerignore -------------------------------------------------------


@cache
def _dockerfile_text() -> str:
    return (REPO / "Dockerfile").read_text(encoding="utf-8")


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    joined = re.sub(r"\\\n", " ", _dockerfile_text())
    found = []
    for line in joined.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            word, _, rest = stripped.partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def _final_stage() -> list[tuple[str, str]]:
    instructions = _instructions()
    last_from = max(i for i, (word, _) in enumerate(instructions) if word == "FROM")
    return instructions[last_from:]


def _arguments(instruction: str) -> list[str]:
    """The JSON (exec form) arguments of the final stage's ``instruction``."""
    (args,) = [rest for word, rest in _final_stage() if word == instruction]
    parsed: list[str] = json.loads(args)
    return parsed


def test_dockerfile_is_multi_stage_on_slim_python() -> None:
    """A build stage makes the wheel; the runtime stage installs it; both are slim Python."""
    froms = [rest for word, rest in _instructions() if word == "FROM"]
    assert len(froms) == 2
    assert froms[0].endswith(" AS build")
    for base in froms:
        assert re.match(r"python:\$\{PYTHON_VERSION\}-slim", base)
    assert re.search(r"ARG PYTHON_VERSION=3\.1[12]\n", _dockerfile_text())
    build_stage = _instructions()[: -len(_final_stage())]
    assert any("pip wheel" in rest for word, rest in build_stage if word == "RUN")
    runtime_runs = " ".join(rest for word, rest in _final_stage() if word == "RUN")
    assert "from=build" in runtime_runs
    assert "--no-index" in runtime_runs


def test_dockerfile_runs_as_a_non_root_user() -> None:
    """The runtime stage ends as a user other than root."""
    users = [rest for word, rest in _final_stage() if word == "USER"]
    assert users
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}


def test_dockerfile_entrypoint_and_default_command() -> None:
    """ENTRYPOINT is the tocsin command; by default it serves ingest on all interfaces."""
    assert _arguments("ENTRYPOINT") == ["tocsin"]
    assert _arguments("CMD") == ["serve", "ingest", "--host", "0.0.0.0"]  # noqa: S104


def test_dockerfile_healthcheck_uses_python() -> None:
    """HEALTHCHECK runs the Python health script (the slim image has no curl)."""
    (check,) = [rest for word, rest in _final_stage() if word == "HEALTHCHECK"]
    options, _, command = check.partition("CMD ")
    assert json.loads(command) == ["python", "/opt/tocsin/healthcheck.py"]
    assert "--interval=" in options


def test_dockerfile_exposes_both_ports() -> None:
    """EXPOSE names the ingest and aggregator default ports."""
    exposed = {rest for word, rest in _final_stage() if word == "EXPOSE"}
    assert exposed == {"8080 8081"}
    assert IngestSettings.model_fields["port"].default == 8080
    assert AggregatorSettings.model_fields["port"].default == 8081


def test_dockerfile_env_uses_settings_variables() -> None:
    """Every TOCSIN_* default the image sets is a variable Tocsin reads."""
    env = " ".join(rest for word, rest in _final_stage() if word == "ENV")
    names = {pair.split("=", 1)[0] for pair in shlex.split(env)}
    tocsin_names = {n for n in names if n.startswith("TOCSIN_")}
    assert {"TOCSIN_INGEST_HOST", "TOCSIN_AGGREGATOR_HOST"} <= tocsin_names
    assert tocsin_names <= _settings_variables()


def _dockerignore() -> list[str]:
    lines = (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _ignored(path: str) -> bool:
    """Whether Docker leaves ``path`` (relative to the repository) out of the build context.

    A pattern that matches a directory leaves out everything below it; a later
    ``!pattern`` takes a match back. ``fnmatch`` lets ``*`` cross ``/``, which is
    looser than Docker but only for patterns this file does not use.
    """
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    ignored = False
    for pattern in _dockerignore():
        negated = pattern.startswith("!")
        glob = pattern.lstrip("!").strip("/")
        candidates = [glob, glob.removeprefix("**/")]
        if any(fnmatch.fnmatchcase(p, g) for p in prefixes for g in candidates):
            ignored = not negated
    return ignored


def test_dockerignore_leaves_out_local_state() -> None:
    """The virtualenv, git history, caches, local state and stale build output stay out."""
    for path in (
        ".venv",
        ".git",
        ".tocsin",
        "build",
        ".mypy_cache",
        "services/tocsin/__pycache__",
        "services/tocsin/extraction/pipeline.cpython-311-x86_64-linux-gnu.so",
        "services/tocsin_extraction__mypyc.cpython-311-x86_64-linux-gnu.so",
    ):
        assert _ignored(path), path


def test_dockerignore_keeps_what_the_build_copies() -> None:
    """Everything the Dockerfile copies (and pyproject's readme) is in the build context."""
    sources = []
    for word, rest in _instructions():
        if word == "COPY" and "--from" not in rest:
            *paths, _destination = rest.split()
            sources.extend(paths)
    with (REPO / "pyproject.toml").open("rb") as f:
        readme = tomllib.load(f)["project"]["readme"]
    assert readme in sources
    for source in sources:
        assert (REPO / source).exists(), source
        assert not _ignored(source), source
    package_files = [
        p.relative_to(REPO).as_posix()
        for p in (REPO / "services").rglob("*")
        if p.is_file()
        and "__pycache__" not in p.parts
        and ".egg-info" not in str(p)
        # Extensions compiled in place are left out on purpose: the image builds its own.
        and p.suffix != ".so"
    ]
    assert package_files
    assert [p for p in package_files if _ignored(p)] == []
