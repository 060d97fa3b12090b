"""Sustained ingest load: concurrent clients posting distinct articles over loopback.

    python bench/ingest_load.py [--articles 3000] [--concurrency 16] [--bootstrap HOST:PORT]

Starts a local Kafka broker (unless --bootstrap is given) and ``tocsin serve ingest``
as real processes, warms up, then posts synthetic articles (bench/corpus.py) from
``--concurrency`` async clients and reports articles/s and latency percentiles of
202 answers. Every answer must be 202; anything else is counted and printed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import orjson
from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import corpus
from tocsin.localbroker import LocalBroker


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_ready(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"ingest at {url} not ready within {timeout}s")


async def _load(
    url: str, bodies: list[bytes], concurrency: int
) -> tuple[list[float], dict[int, int], float]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    progress = tqdm(total=len(bodies), unit="article", desc="posting")
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def worker(client: httpx.AsyncClient) -> None:
        while True:
            try:
                body = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            started = time.perf_counter()
            response = await client.post(
                "/v1/articles", content=body, headers={"content-type": "application/json"}
            )
            elapsed = time.perf_counter() - started
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            if response.status_code == 202:
                latencies.append(elapsed)
            progress.update()

    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        wall = time.perf_counter() - started
    progress.close()
    return latencies, statuses, wall


def main() -> None:
    """Run the load and print the figures."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--bootstrap", help="use this running broker instead of starting one")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="tocsin-bench-"))
    broker = None
    bootstrap = args.bootstrap
    if bootstrap is None:
        broker = LocalBroker(work / "kafka")
        bootstrap = broker.start(timeout=120)
    port = _free_port()
    log = (work / "ingest.log").open("wb")
    service = subprocess.Popen(
        [sys.executable, "-m", "tocsin", "serve", "ingest", "--port", str(port),
         "--bootstrap", bootstrap, "--state-dir", str(work / "ingest")],
        stdout=log, stderr=subprocess.STDOUT, env=os.environ | {"TOCSIN_LOG_LEVEL": "WARNING"},
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url)
        articles = corpus(args.warmup + args.articles, seed=11)
        bodies = [orjson.dumps(a) for a in articles]
        asyncio.run(_load(url, bodies[: args.warmup], args.concurrency))
        latencies, statuses, wall = asyncio.run(_load(url, bodies[args.warmup :], args.concurrency))
    finally:
        service.send_signal(signal.SIGTERM)
        service.wait(timeout=30)
        log.close()
        if broker is not None:
            broker.stop()

    size = statistics.mean(len(b) for b in bodies)
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) >= 2 else [0.0] * 99
    print(f"articles: {args.articles} (mean {size / 1000:.1f} KB), concurrency {args.concurrency}")
    print(f"statuses: {dict(sorted(statuses.items()))}")
    print(f"throughput: {len(latencies) / wall:.0f} articles/s over {wall:.1f} s")
    print(f"latency: p50 {cuts[49] * 1000:.1f} ms, p90 {cuts[89] * 1000:.1f} ms, "
          f"p99 {cuts[98] * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
