"""Dump every event the extractor finds over a fixed set of texts, and hash the dump.

    PYTHONPATH=services python bench/parity_dump.py [--out events.ndjson]

A regression check for speed work: a change that must not change what the
extractor finds must leave the printed sha256 unchanged, compiled (mypyc) and
interpreted alike. The texts: the bench corpus (densities 0.2 and 0.6), the seed
article, every golden case of tests/fixtures/extraction, the adversarial families
at small sizes, and seeded random texts mixing lexicon words, place names,
figures, dates, quotes, punctuation and unicode.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import random
import sys
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.extraction.golden

from tests.extraction.golden import load_cases

from adversarial_texts import FAMILIES
from corpus import corpus
from tocsin.contract.article import ArticleIn
from tocsin.extraction import lexicon
from tocsin.extraction.pipeline import extract

# The seed article lives beside the repository, when it is there at all.
SEED_ARTICLE = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "seed-article.json"
NOW = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)

_EXTRA_WORDS = [
    "Almaty", "Kazakhstan", "Kazakh", "Russian", "Tokayev", "President", "Gen.", "U.S.",
    "Jan.", "Friday", "Monday", "today", "yesterday", "last", "next", "12", "3,000", "40",
    "eighteen", "twenty-six", "a dozen", "dozens", "hundreds", "at least", "more than",
    "nearly", "about", "$5", "5%", "1991", "2022", "1990s", "Jan. 19", "19 January",
    "2022-01-19", "\"", "\u201c", "\u201d", "'", ",", ".", ";", ":", "?", "!", "-", "\u2013",
    "(", ")", "\n", "\n\n", "said", "told", "according to", "ministry", "police", "CSTO",
    "NATO", "troops", "soldiers", "protesters", "people", "the", "a", "of", "in", "to",
    "and", "were", "was", "had", "not", "denied", "could", "\u0130stanbul", "\u00e9t\u00e9",
    "Stra\u00dfe", "\u041c\u043e\u0441\u043a\u0432\u0430", "\u00a0", "a.m.", "p.m.", "St.",
    "Lagos", "Nigeria", "Khartoum", "Sudan", "curfew", "state of emergency", "Mr.", "he",
    "she", "quoted", "as saying", "that", "toll", "rose", "death", "among", "including",
    "them", "from", "USD", "euros", "aged", "year-old", "years", "days",
]  # fmt: skip


def _vocabulary() -> list[str]:
    words: set[str] = set(_EXTRA_WORDS)
    for name in dir(lexicon):
        value = getattr(lexicon, name)
        if name.isupper() and isinstance(value, dict | frozenset | tuple):
            words.update(str(w) for w in value)
    return sorted(words)


def random_texts(count: int, seed: int = 20240201) -> list[str]:
    """Seeded random texts: lexicon and extra words, capitalised now and then."""
    rng = random.Random(seed)
    vocab = _vocabulary()
    texts = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(5, 120)):
            w = rng.choice(vocab)
            r = rng.random()
            if r < 0.1:
                w = w.capitalize()
            elif r < 0.13:
                w = w.upper()
            parts.append(w)
            parts.append(rng.choice([" ", " ", " ", " ", ", ", ". ", ".\n", ' "', '" ']))
        texts.append("".join(parts))
    return texts


_NUMBERS = [
    "12",
    "3,000",
    "at least 40",
    "more than 200",
    "dozens of",
    "hundreds",
    "two",
    "eighteen",
    "nearly 1,000",
    "about 150",
    "five",
    "30 of them",
    "26 to 40",
    "1991",
]
_GROUPS = [
    "people",
    "protesters",
    "police officers",
    "security forces",
    "civilians",
    "children",
    "CSTO troops",
    "Russian paratroopers",
    "jobs",
    "sheep",
    "soldiers",
]
_TRIGGERS = [
    "were killed",
    "killed",
    "died",
    "were injured",
    "injured",
    "arrested",
    "were detained",
    "went missing",
    "lost their lives",
    "death toll rose to",
    "rounded up",
    "shot dead",
    "were deployed",
    "arrived",
    "sent",
    "deployed to",
]
_FILLERS = [
    "the",
    "in Almaty",
    "on Monday",
    "police said",
    "officials said",
    "and",
    "including",
    "among them",
    "not",
    "could",
    "denied that",
    "but",
    "; ",
    ",",
    "since 2011",
    "according to the health ministry",
    "would",
    "from",
    "of",
    "a curfew was imposed",
    "until Jan. 19",
    '"',
    "he said",
    "Tokayev told reporters",
]


def event_texts(count: int, seed: int = 31) -> list[str]:
    """Seeded random sentences built around figures, groups and triggers."""
    rng = random.Random(seed)
    pools = [_NUMBERS, _GROUPS, _TRIGGERS, _FILLERS, _FILLERS]
    texts = []
    for _ in range(count):
        sentences = []
        for _ in range(rng.randint(1, 8)):
            words = [rng.choice(rng.choice(pools)) for _ in range(rng.randint(3, 25))]
            sentence = " ".join(words)
            sentences.append(sentence[:1].upper() + sentence[1:] + rng.choice([".", ".", "?"]))
        texts.append(" ".join(sentences))
    return texts


def articles(
    *,
    bench: int = 2000,
    random_count: int = 4000,
    hostile_sizes: tuple[int, ...] = (500, 5_000, 40_000),
) -> list[dict[str, Any]]:
    """Every raw article of the parity set, in a fixed order.

    The defaults make the set whose hash BENCHMARKS.md quotes; tests/extraction/
    test_compiled.py runs a smaller one (fewer bench and random articles, smaller
    hostile texts).
    """
    out: list[dict[str, Any]] = []
    out += corpus(bench, density=0.2)
    out += corpus(bench, seed=11, density=0.6)
    if SEED_ARTICLE.exists():
        out.append(orjson.loads(SEED_ARTICLE.read_bytes()))
    for case in load_cases():
        out.append({"id": case.article_id, "body": case.text, "published_at": case.published_at})
    for name, family in sorted(FAMILIES.items()):
        for size in hostile_sizes:
            out.append({"id": f"adv-{name}-{size}", "body": family(size),
                        "published_at": "2022-01-07T12:00:00Z"})  # fmt: skip
    for i, text in enumerate(random_texts(random_count)):
        published = f"20{20 + i % 5}-0{1 + i % 9}-1{i % 10}T08:00:00Z"
        out.append({"id": f"random-{i}", "body": text, "published_at": published})
    for i, text in enumerate(event_texts(random_count)):
        out.append({"id": f"events-{i}", "body": text, "published_at": "2022-01-07T12:00:00Z"})
    return out


def main() -> None:
    """Extract every article, write NDJSON if asked, print the count and the sha256."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    digest = hashlib.sha256()
    lines = []
    total = 0
    for raw in articles():
        article = ArticleIn.model_validate(raw).resolve(received_at=NOW)
        for event in extract(article, extracted_at=NOW):
            line = orjson.dumps(event.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)
            digest.update(line + b"\n")
            total += 1
            if args.out is not None:
                lines.append(line)
    if args.out is not None:
        args.out.write_bytes(b"\n".join(lines) + b"\n")
    print(f"{total} events sha256 {digest.hexdigest()}")


if __name__ == "__main__":
    main()
