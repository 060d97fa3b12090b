"""Wait for the services over HTTP: ready, and caught up with what was published.

Every wait watches the service's process too, so a service that dies while
starting is reported at once, with its log, instead of after a timeout.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from tocsin.stack.children import Child
from tocsin.stack.errors import ChildExitedError, StackError

TP = tuple[str, int]
_POLL_S = 0.2


def answers_200(status: int, _body: str) -> bool:
    """Ready means HTTP 200."""
    return status == 200


def serving_partitions(status: int, body: str) -> bool:
    """An aggregator is usable once it has partitions, even while it still catches up.

    Its /readyz says 200 only when every partition is caught up, which after a lost
    state can take a while; it is serving (and catching up) as soon as it answers
    503 "catching up", as opposed to "no partitions assigned".
    """
    if status == 200:
        return True
    try:
        return status == 503 and json.loads(body).get("status") == "catching up"
    except (ValueError, AttributeError):
        return False


@dataclass(frozen=True, slots=True)
class Probe:
    """A service to wait for: its process, a URL, and what answer means ready."""

    child: Child
    url: str
    ready: Callable[[int, str], bool] = answers_200


def exited_error(child: Child, code: int, doing: str) -> ChildExitedError:
    """The error for a service that exited on its own, with the tail of its log."""
    return ChildExitedError(
        f"the {child.name} service exited with code {code} {doing}. "
        f"Last lines of {child.log}:\n{child.tail()}",
        name=child.name,
        code=code,
    )


def _answer(http: httpx.Client, url: str) -> tuple[int | None, str]:
    try:
        response = http.get(url)
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"
    return response.status_code, response.text


def wait_ready(
    probes: Sequence[Probe],
    *,
    timeout: float,
    on_ready: Callable[[Probe], None],
) -> None:
    """Poll every probe until each is ready, calling ``on_ready`` as each one is."""
    deadline = time.monotonic() + timeout
    waiting = list(probes)
    last: dict[str, str] = {}
    with httpx.Client(timeout=2.0) as http:
        while waiting:
            for probe in list(waiting):
                code = probe.child.exit_code()
                if code is not None:
                    raise exited_error(probe.child, code, "while starting")
                status, text = _answer(http, probe.url)
                if status is not None and probe.ready(status, text):
                    waiting.remove(probe)
                    on_ready(probe)
                else:
                    last[probe.child.name] = f"{status or 'no answer'}: {text[:300]}"
            if waiting and time.monotonic() >= deadline:
                probe = waiting[0]
                raise StackError(
                    f"the {probe.child.name} service was not ready at {probe.url} within "
                    f"{timeout:.0f} s (last answer {last.get(probe.child.name)}). "
                    f"Last lines of {probe.child.log}:\n{probe.child.tail()}"
                )
            if waiting:
                time.sleep(_POLL_S)


def applied(readiness: Mapping[str, Any], ends: Mapping[TP, int]) -> bool:
    """Whether an aggregator's /readyz body shows every record up to ``ends`` applied.

    A partition counts once it is exported and its position (the next offset to
    apply) has reached the end offset; empty partitions need nothing.
    """
    seen = {(str(p["topic"]), int(p["partition"])): p for p in readiness.get("partitions") or []}
    for tp, end in ends.items():
        if end == 0:
            continue
        status = seen.get(tp)
        if status is None or not status.get("exported") or (status.get("position") or 0) < end:
            return False
    return True


def wait_applied(aggregator: Child, url: str, ends: Mapping[TP, int], timeout: float) -> bool:
    """Poll the aggregator's /readyz until ``applied``; False if ``timeout`` passes first."""
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=2.0) as http:
        while True:
            code = aggregator.exit_code()
            if code is not None:
                raise exited_error(aggregator, code, "while applying events")
            try:
                body = http.get(url + "/readyz").json()
            except (httpx.HTTPError, ValueError):
                body = {}
            if isinstance(body, dict) and applied(body, ends):
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(_POLL_S)
