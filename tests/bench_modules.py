"""Import the corpus generators in bench/ (a folder of scripts, not a package)."""

from __future__ import annotations

import importlib.util
from types import ModuleType

from tests.conftest import REPO


def load_bench_module(name: str) -> ModuleType:
    """The module bench/<name>.py, loaded from its file."""
    path = REPO / "bench" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"bench_{name}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
