"""Fuzzing both HTTP APIs from their own OpenAPI documents (schemathesis).

Each test module loads one service's document from the real application, built
in-process around in-memory parts (no broker, no files), and lets schemathesis
generate requests for every documented operation: valid ones (positive mode)
and ones that break the document on purpose (negative mode), plus its coverage
cases (boundary values, missing and unexpected parameters, wrong methods).
Every answer must pass the checks in ``CHECKS``: no 5xx, only documented status
codes, content types and headers, a body that matches the documented schema,
valid data accepted and invalid data refused.

The runs are deterministic (Hypothesis derandomized, no example database), so
CI never meets a new example by chance. ``TOCSIN_FUZZ_SCALE=N`` multiplies the
number of examples by N and draws them at random instead: for a long hunt by
hand, not for the suite.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

import pytest
import schemathesis
from schemathesis import Case

# The scale of a hand-run hunt (1: the suite's deterministic run).
SCALE = int(os.environ.get("TOCSIN_FUZZ_SCALE", "1"))

CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "positive_data_acceptance",
    "negative_data_rejection",
]

# Statuses that answer schema-valid (positive) and schema-breaking (negative)
# requests correctly, beyond schemathesis's defaults: 413 is how both services
# refuse a body over the byte limit, a limit that JSON Schema cannot express.
EXTRA_ACCEPTED_STATUSES = ["413"]

# A request that takes this long has hung: in-process answers take milliseconds.
# The first bound cancels the application's task (a hang at an await); the second,
# a little later, interrupts the test itself (a hang that never yields).
REQUEST_TIMEOUT_S = 10.0
HANG_GUARD_S = 20.0


class HangError(AssertionError):
    """A request did not come back within ``HANG_GUARD_S``."""


@contextlib.contextmanager
def hang_guard(seconds: float = HANG_GUARD_S) -> Iterator[None]:
    """Raise ``HangError`` in the test if the block runs longer than ``seconds``."""

    def on_alarm(_signum: int, _frame: FrameType | None) -> None:
        raise HangError(f"no answer within {seconds:.0f}s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def fuzz_schema(app: Any, *, max_examples: int) -> Any:
    """The OpenAPI schema of ``app`` as schemathesis sees it, set up for these tests.

    ``max_examples`` is per operation, shared by its positive and negative cases;
    the coverage phase adds its own cases on top.
    """
    config = schemathesis.Config.from_dict(
        {
            "request-timeout": REQUEST_TIMEOUT_S,
            "generation": {
                "mode": "all",
                "max-examples": max_examples * SCALE,
                "deterministic": SCALE == 1,
                "database": "none",
            },
            "checks": {
                "enabled": False,
                **{name: {"enabled": True} for name in CHECKS},
                "positive_data_acceptance": {
                    "expected-statuses": ["2xx", "409", *EXTRA_ACCEPTED_STATUSES],
                },
                "negative_data_rejection": {
                    "expected-statuses": [
                        *("400", "401", "404", "405", "406", "409", "415", "422"),
                        *EXTRA_ACCEPTED_STATUSES,
                    ],
                },
            },
            # Neither API has links between operations for a stateful run to follow.
            "phases": {"stateful": {"enabled": False}},
        }
    )
    return schemathesis.openapi.from_asgi("/openapi.json", app, config=config)


@schemathesis.serializer("application/x-ndjson")
def _ndjson(_ctx: Any, value: Any) -> bytes:
    """One JSON document per line: each item of a generated array, or the value itself."""
    items = value if isinstance(value, list) else [value]
    # The stdlib encoder, as for JSON bodies: orjson refuses integers past 64 bits.
    return "".join(json.dumps(item) + "\n" for item in items).encode()


@dataclass
class Ledger:
    """The requests one test module sent, by operation, mode and answer status."""

    api: str
    calls: Counter[tuple[str, str, int]] = field(default_factory=Counter)

    def record(self, case: Case[Any], status: int) -> None:
        """Count one answered request."""
        mode = case.meta.generation.mode.value if case.meta is not None else "explicit"
        self.calls[(case.operation.label, mode, status)] += 1

    @property
    def total(self) -> int:
        """Requests sent."""
        return sum(self.calls.values())

    def per_operation(self) -> Counter[str]:
        """Requests sent per operation label."""
        counts: Counter[str] = Counter()
        for (label, _mode, _status), n in self.calls.items():
            counts[label] += n
        return counts

    def per_mode(self) -> Counter[str]:
        """Requests sent per generation mode."""
        counts: Counter[str] = Counter()
        for (_label, mode, _status), n in self.calls.items():
            counts[mode] += n
        return counts

    def check_complete(self, operations: set[str], floor: int) -> None:
        """The module's run reached exactly ``operations``, in negative mode too, with at
        least ``floor`` requests; call it from a test after the generated ones."""
        if not self.total:
            pytest.fail("run the whole module: this test counts the requests of the one above")
        assert set(self.per_operation()) == operations
        assert self.per_mode()["negative"] > 0
        assert self.total >= floor

    def summary(self) -> str:
        """A few lines for the terminal."""
        lines = [f"{self.api}: {self.total} requests ({dict(self.per_mode())})"]
        lines += [f"  {label}: {n}" for label, n in sorted(self.per_operation().items())]
        return "\n".join(lines)


LEDGERS: list[Ledger] = []


def ledger_for(api: str) -> Ledger:
    """A new ledger, listed in the terminal summary at the end of the run."""
    ledger = Ledger(api)
    LEDGERS.append(ledger)
    return ledger


def call_and_check(case: Case[Any], ledger: Ledger) -> None:
    """Send ``case``, count it, and run every check on the answer."""
    with hang_guard():
        response = case.call()
    ledger.record(case, response.status_code)
    case.validate_response(response)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print how many requests each API was sent (the issue asks for at least 5,000)."""
    ledgers = [ledger for ledger in LEDGERS if ledger.total]
    if not ledgers:
        return
    terminalreporter.section("OpenAPI fuzzing")
    for ledger in ledgers:
        terminalreporter.write_line(ledger.summary())
    terminalreporter.write_line(f"total: {sum(ledger.total for ledger in ledgers)} requests")
