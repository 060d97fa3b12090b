"""TOCSIN_INGEST_WORKERS and ``--workers``: the setting, the flag, and what the
supervisor prepares before any worker starts (no processes are started here)."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from uvicorn.config import STARTUP_FAILURE

from tocsin.cli.main import main
from tocsin.ingest import main as ingest_main
from tocsin.ingest import workers
from tocsin.ingest.listeners import ListenError, bind
from tocsin.ingest.workers import METRICS_DIR_NAME, WorkerApp, _bind_all, prepare_metrics_dir
from tocsin.settings import IngestSettings, KafkaSettings


def test_one_worker_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TOCSIN_INGEST_WORKERS", raising=False)
    assert IngestSettings().workers == 1


def test_workers_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOCSIN_INGEST_WORKERS", "3")
    assert IngestSettings().workers == 3


@pytest.mark.parametrize("workers", [0, -1, 65])
def test_workers_out_of_range_are_refused(workers: int) -> None:
    with pytest.raises(ValidationError, match="workers"):
        IngestSettings(workers=workers)


def test_the_flag_overrides_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """``--workers`` reaches the settings serve() gets, over TOCSIN_INGEST_WORKERS."""
    monkeypatch.setenv("TOCSIN_INGEST_WORKERS", "5")
    served: list[IngestSettings] = []
    monkeypatch.setattr(ingest_main, "serve", lambda settings, kafka: served.append(settings))
    code = main(["serve", "ingest", "--workers", "2", "--state-dir", str(tmp_path)])
    assert code == 0
    assert [s.workers for s in served] == [2]


def test_a_bad_flag_value_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "ingest", "--workers", "0"]) == 2
    assert "workers" in capsys.readouterr().err


def test_metrics_dir_is_emptied_of_earlier_runs_files(tmp_path: Path) -> None:
    """Counter files of an earlier run would be summed into this run's: they go."""
    directory = tmp_path / METRICS_DIR_NAME
    directory.mkdir()
    (directory / "counter_123.db").write_bytes(b"old")
    (directory / "notes.txt").write_text("not ours")
    assert prepare_metrics_dir(tmp_path) == directory
    assert sorted(p.name for p in directory.iterdir()) == ["notes.txt"]


def test_the_worker_factory_survives_the_trip_to_a_spawned_process(tmp_path: Path) -> None:
    """Workers are spawned, so the factory and its settings must pickle, secrets included."""
    settings = IngestSettings(state_dir=tmp_path, api_keys="k" * 32, workers=2)
    factory = WorkerApp(settings, KafkaSettings(), ops_port=None, log_level=20, log_format="json")
    copy: Any = pickle.loads(pickle.dumps(factory))  # noqa: S301  (our own bytes)
    assert copy.settings == settings
    assert copy.settings.api_keys.get_secret_value() == "k" * 32


def test_port_0_gives_every_worker_a_socket_on_one_port(tmp_path: Path) -> None:
    """One listening socket per worker, all on the port the kernel picked, plus the ops one."""
    settings = IngestSettings(port=0, ops_port=1, workers=3, state_dir=tmp_path)
    with bind("127.0.0.1", 0) as placeholder:  # a free port for the ops listener
        ops_port = placeholder.getsockname()[1]
    own, shared = _bind_all(settings.model_copy(update={"ops_port": ops_port}))
    try:
        ports = {s.getsockname()[1] for s in own}
        assert len(own) == 3
        assert len(ports) == 1
        assert ports != {0}
        assert [s.getsockname()[1] for s in shared] == [ops_port]
    finally:
        for sock in [*own, *shared]:
            sock.close()


def test_a_port_in_use_is_refused_before_any_worker(tmp_path: Path) -> None:
    """The group would otherwise join another SO_REUSEPORT listener of this user."""
    with bind("127.0.0.1", 0) as taken:
        port = taken.getsockname()[1]
        settings = IngestSettings(port=port, workers=2, state_dir=tmp_path)
        with pytest.raises(ListenError, match=f"127.0.0.1:{port}"):
            _bind_all(settings)


def test_a_worker_that_cannot_build_the_service_exits_as_a_startup_failure(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """uvicorn's supervisor replaces a worker that exits otherwise, forever; this status
    makes it stop the service instead."""

    def broken(*_: Any, **__: Any) -> Any:
        raise OSError("no such broker library")

    monkeypatch.setattr(workers, "_configure_worker_logging", lambda level, fmt: None)
    monkeypatch.setattr(ingest_main, "build_apps", broken)
    factory = WorkerApp(
        IngestSettings(state_dir=tmp_path), KafkaSettings(), ops_port=None, log_level=20,
        log_format="text",
    )  # fmt: skip
    with pytest.raises(SystemExit) as stopped:
        factory()
    assert stopped.value.code == STARTUP_FAILURE
