"""The corpus generators in bench/ (a folder of scripts, not a package), and the texts
tests take from them and from the seed article."""

from __future__ import annotations

import importlib.util
from types import ModuleType

import orjson

from tests.conftest import REPO, SEED_ARTICLE


def load_bench_module(name: str) -> ModuleType:
    """The module bench/<name>.py, loaded from its file."""
    path = REPO / "bench" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"bench_{name}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def corpus_bodies(count: int, densities: tuple[float, ...] = (0.2, 0.6)) -> list[str]:
    """Bodies of ``count`` bench articles per density (bench/corpus.py), seeds 7, 11, 12..."""
    corpus = load_bench_module("corpus").corpus
    seeds = [7, *range(11, 10 + len(densities))]
    return [
        article["body"]
        for seed, density in zip(seeds, densities, strict=True)
        for article in corpus(count, seed=seed, density=density)
    ]


def seed_bodies() -> list[str]:
    """The seed article's body when ../shared is there (tests must not need it), else none."""
    if not SEED_ARTICLE.is_file():
        return []
    return [orjson.loads(SEED_ARTICLE.read_bytes())["body"]]
