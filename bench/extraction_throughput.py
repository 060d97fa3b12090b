"""Extraction throughput on one core: MB of article body per second.

    python bench/extraction_throughput.py [--mb 10] [--repeat 3] [--density 0.2]
    python bench/extraction_throughput.py --article ../shared/corpus/seed-article.json

Builds a synthetic corpus (bench/corpus.py; --density is the share of event
sentences), or repeats one article file under distinct ids, warms the gazetteer,
then times ``extract`` over every article, single process; reports the best run
and whether the extraction core ran compiled (setup.py) or interpreted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import corpus
from tocsin.contract.article import ArticleIn
from tocsin.extraction import is_compiled
from tocsin.extraction.geo import default_gazetteer
from tocsin.extraction.pipeline import extract


def main() -> None:
    """Run the benchmark and print one line per repeat and a summary."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=float, default=10.0, help="corpus size in MB of body text")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--density", type=float, default=0.2, help="share of event sentences")
    parser.add_argument("--article", type=Path, help="repeat this JSON article instead")
    args = parser.parse_args()

    now = dt.datetime(2024, 2, 1, tzinfo=dt.UTC)
    if args.article is not None:
        one = orjson.loads(args.article.read_bytes())
        copies = int(args.mb * 1_000_000 / len(one["body"].encode())) + 1
        raw = [one | {"id": f"{one.get('id', 'article')}-{i}"} for i in range(copies)]
    else:
        sample = corpus(10, density=args.density)
        per_article = sum(len(a["body"].encode()) for a in sample) / len(sample)
        raw = corpus(int(args.mb * 1_000_000 / per_article) + 1, density=args.density)
    articles = [ArticleIn.model_validate(a).resolve(received_at=now) for a in raw]
    size_mb = sum(len(a.body.encode()) for a in articles) / 1_000_000
    default_gazetteer()  # built once per process; not part of the per-article cost
    core = "compiled (mypyc)" if is_compiled() else "interpreted (installed with TOCSIN_COMPILE=0)"
    print(f"extraction core: {core}")

    best = 0.0
    for run in range(1, args.repeat + 1):
        started = time.perf_counter()
        events = sum(len(extract(a, extracted_at=now)) for a in articles)
        elapsed = time.perf_counter() - started
        rate = size_mb / elapsed
        best = max(best, rate)
        print(
            f"run {run}: {len(articles)} articles, {size_mb:.2f} MB, {events} events, "
            f"{elapsed:.2f} s -> {rate:.2f} MB/s, {len(articles) / elapsed:.0f} articles/s"
        )
    print(f"best: {best:.2f} MB/s")


if __name__ == "__main__":
    main()
