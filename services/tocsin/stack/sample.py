"""Which article ``tocsin up`` posts first, found without depending on the cwd."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import tocsin

SEED = Path("..", "shared", "corpus", "seed-article.json")
"""The shared seed article, beside the repository when the workspace has one."""
EXAMPLE = Path("examples", "sample-article.json")
"""The repository's own sample, always there in a checkout."""


def repository_root() -> Path | None:
    """The checkout this package runs from (an editable install), else None."""
    # services/tocsin/__init__.py -> the repository is two folders above the package.
    root = Path(tocsin.__file__).resolve().parents[2]
    return root if (root / "pyproject.toml").is_file() and (root / "services").is_dir() else None


def _roots(cwd: Path) -> Iterator[Path]:
    repo = repository_root()
    if repo is not None:
        yield repo
    if repo is None or cwd.resolve() != repo:
        yield cwd


def find_sample(cwd: Path | None = None) -> Path | None:
    """The seed article when present, else the example; looked for in the checkout, then cwd."""
    for root in _roots(cwd or Path.cwd()):
        for candidate in (SEED, EXAMPLE):
            path = (root / candidate).resolve()
            if path.is_file():
                return path
    return None
