"""The built wheel carries every non-Python file the services read at run time."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import REPO


def test_wheel_ships_the_runtime_data_files(tmp_path: Path) -> None:
    """The dashboard page, the broker's pom and log4j config, and py.typed are in the wheel."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
         "-w", str(tmp_path), str(REPO)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    (wheel,) = tmp_path.glob("tocsin-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "tocsin/aggregator/page/dashboard.html",
        "tocsin/localbroker/pom.xml",
        "tocsin/localbroker/log4j2.xml",
        "tocsin/py.typed",
    ):
        assert needed in names, needed
