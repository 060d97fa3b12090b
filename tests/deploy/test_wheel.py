"""The built wheel: the data files the services read, and the compiled extraction core."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import COMPILED_SOURCES, REPO

pytestmark = pytest.mark.slow  # builds a wheel, compiling with mypyc (about a minute)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from the checkout the way users and the Dockerfile build it."""
    out = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items() if k != "TOCSIN_COMPILE"}  # the default
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPO)],
        check=True, capture_output=True, timeout=600, env=env,
    )  # fmt: skip
    (built,) = out.glob("tocsin-*.whl")
    return built


def test_wheel_ships_the_runtime_data_files(wheel: Path) -> None:
    """The dashboard page, the broker's pom and log4j config, and py.typed are in the wheel."""
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "tocsin/aggregator/page/dashboard.html",
        "tocsin/localbroker/pom.xml",
        "tocsin/localbroker/log4j2.xml",
        "tocsin/py.typed",
    ):
        assert needed in names, needed


def test_wheel_runs_the_extraction_core_compiled(wheel: Path, tmp_path: Path) -> None:
    """Every compiled module ships as a C extension, and the installed wheel uses them."""
    names = zipfile.ZipFile(wheel).namelist()
    for source in COMPILED_SOURCES:
        prefix = f"tocsin/{source.parent.name}/{source.stem}."
        assert any(n.startswith(prefix) and n.endswith(".so") for n in names), prefix
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q",
         "--target", str(target), str(wheel)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    probe = (
        "import tocsin.extraction as x, tocsin.extraction.pipeline as p;"
        "print(x.is_compiled(), p.__file__)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        check=True, capture_output=True, text=True, timeout=60,
        env=os.environ | {"PYTHONPATH": str(target)},
    )  # fmt: skip
    compiled, location = done.stdout.split()
    assert compiled == "True"
    assert location.startswith(str(target))
