"""Sustained ingest load: concurrent clients posting distinct articles over loopback.

    python bench/ingest_load.py [--articles 3000] [--concurrency 16]
        [--compression lz4|gzip|none] [--instances 1 | --workers 1]
        [--broker-dir DIR | --bootstrap HOST:PORT]

Starts a local Kafka broker (unless --broker-dir or --bootstrap names a running
one) and ``tocsin serve ingest`` as real processes, warms up, then posts synthetic
articles (bench/corpus.py) from ``--concurrency`` async clients and reports
articles/s and latency percentiles of 202 answers. Every answer must be 202;
anything else is counted and printed.

It also reports the CPU time each process spent per article during the measured
phase (the services, this load client, the broker when its pid is known). On a
busy machine throughput and latency swing with what else runs; CPU per article
does much less, and it tells what a target costs: on 2 cores, N articles/s need
N x (all CPU per article) <= 2 s of CPU per second.

``--instances N`` starts N independent ingest processes (own port and index) and
spreads the clients over them. ``--workers N`` starts one service with N worker
processes on one port (``tocsin serve ingest --workers N``); its CPU is reported
per worker. ``--compression`` sets the producer's compression
(TOCSIN_KAFKA_COMPRESSION; default: the service's own default).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
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
from tocsin.localbroker import LocalBroker, read_status

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


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


def _children(pid: int) -> list[int]:
    """The child processes of ``pid`` (its workers), where /proc lists them."""
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _cpu_seconds(pids: dict[str, int]) -> dict[str, float]:
    """User + system CPU seconds so far of each process whose /proc entry is readable."""
    seconds = {}
    for name, pid in pids.items():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seconds[name] = (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS  # utime, stime
    return seconds


async def _load(
    urls: list[str], bodies: list[bytes], concurrency: int
) -> tuple[list[float], dict[int, int], float]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    progress = tqdm(total=len(bodies), unit="article", desc="posting")
    per_client = max(1, concurrency // len(urls))
    limits = httpx.Limits(max_connections=per_client, max_keepalive_connections=per_client)

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

    clients = [httpx.AsyncClient(base_url=url, limits=limits, timeout=60) for url in urls]
    try:
        started = time.perf_counter()
        # Workers take the instances in turn, so each instance gets its share of clients.
        await asyncio.gather(
            *(worker(c) for c, _ in zip(itertools.cycle(clients), range(concurrency)))
        )
        wall = time.perf_counter() - started
    finally:
        for client in clients:
            await client.aclose()
    progress.close()
    return latencies, statuses, wall


def _start_services(
    args: argparse.Namespace, bootstrap: str, work: Path
) -> tuple[list[subprocess.Popen[bytes]], list[str]]:
    services, urls = [], []
    env = os.environ | {"TOCSIN_LOG_LEVEL": "WARNING"}
    if args.compression is not None:
        env["TOCSIN_KAFKA_COMPRESSION"] = args.compression
    for n in range(args.instances):
        port = _free_port()
        log = (work / f"ingest-{n}.log").open("wb")
        command = [
            sys.executable, "-m", "tocsin", "serve", "ingest", "--port", str(port),
            "--bootstrap", bootstrap, "--state-dir", str(work / f"ingest-{n}"),
            "--workers", str(args.workers),
        ]  # fmt: skip
        services.append(subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env))
        urls.append(f"http://127.0.0.1:{port}")
    return services, urls


def main() -> None:
    """Run the load and print the figures."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--instances", type=int, default=1, help="ingest processes to spread over")
    parser.add_argument(
        "--workers", type=int, default=1, help="worker processes of each ingest service"
    )
    parser.add_argument("--compression", choices=["lz4", "gzip", "none"])
    parser.add_argument("--bootstrap", help="use this running broker instead of starting one")
    parser.add_argument("--broker-dir", type=Path, help="use the running broker of this data dir")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="tocsin-bench-"))
    broker = None
    bootstrap = args.bootstrap
    broker_pid = None
    if args.broker_dir is not None:
        status = read_status(args.broker_dir)
        if not status.running or status.state is None:
            raise SystemExit(f"no running broker in {args.broker_dir}")
        bootstrap, broker_pid = f"127.0.0.1:{status.state.port}", status.state.pid
    elif bootstrap is None:
        broker = LocalBroker(work / "kafka")
        bootstrap = broker.start(timeout=120)
        state = broker.status().state
        broker_pid = state.pid if state is not None else None
    services, urls = _start_services(args, bootstrap, work)
    try:
        for url in urls:
            _wait_ready(url)
        articles = corpus(args.warmup + args.articles, seed=11)
        bodies = [orjson.dumps(a) for a in articles]
        # One connection pool per worker, as per instance: the load client's own CPU
        # per request grows with the connections of one httpx pool.
        pools = urls * args.workers
        asyncio.run(_load(pools, bodies[: args.warmup], args.concurrency))
        pids = {f"ingest {n}": s.pid for n, s in enumerate(services)}
        if args.workers > 1:  # the supervisors idle: their workers do the work
            pids |= {
                f"ingest {n} child {w}": child
                for n, s in enumerate(services)
                for w, child in enumerate(_children(s.pid))
            }
        pids["client"] = os.getpid()
        if broker_pid is not None:
            pids["broker"] = broker_pid
        before = _cpu_seconds(pids)
        latencies, statuses, wall = asyncio.run(
            _load(pools, bodies[args.warmup :], args.concurrency)
        )
        after = _cpu_seconds(pids)
    finally:
        for service in services:
            service.send_signal(signal.SIGTERM)
        for service in services:
            service.wait(timeout=30)
        if broker is not None:
            broker.stop()

    _report(args, bodies, (latencies, statuses, wall), before, after)


def _report(
    args: argparse.Namespace,
    bodies: list[bytes],
    run: tuple[list[float], dict[int, int], float],
    before: dict[str, float],
    after: dict[str, float],
) -> None:
    latencies, statuses, wall = run
    size = statistics.mean(len(b) for b in bodies)
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) >= 2 else [0.0] * 99
    print(
        f"articles: {args.articles} (mean {size / 1000:.1f} KB), concurrency {args.concurrency}, "
        f"{args.instances} ingest service(s) of {args.workers} worker(s), "
        f"compression {args.compression or 'default'}"
    )
    print(f"statuses: {dict(sorted(statuses.items()))}")
    print(f"throughput: {len(latencies) / wall:.0f} articles/s over {wall:.1f} s")
    print(f"latency: p50 {cuts[49] * 1000:.1f} ms, p90 {cuts[89] * 1000:.1f} ms, "
          f"p99 {cuts[98] * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms")  # fmt: skip
    used = {name: after[name] - start for name, start in before.items() if name in after}
    if used:
        parts = [f"{name} {seconds / args.articles * 1000:.2f}" for name, seconds in used.items()]
        total = sum(used.values()) / args.articles * 1000
        print(f"CPU ms per article: {', '.join(parts)}; all {total:.2f}")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
