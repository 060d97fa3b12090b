"""stop_signals_exit_cleanly(): a stop signal around a server ends the process with status 0."""

from __future__ import annotations

import logging
import signal

import pytest

from tocsin.http_common import stop_signals_exit_cleanly


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_exits_with_status_0_and_says_so(
    sig: signal.Signals, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="tocsin.http_common")
    with pytest.raises(SystemExit) as stopped, stop_signals_exit_cleanly():
        # As uvicorn does after its graceful shutdown: the signal, raised again.
        signal.raise_signal(sig)
    assert stopped.value.code == 0
    assert caplog.messages == [f"stopped by {sig.name}"]


def test_the_previous_handlers_are_put_back() -> None:
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    with stop_signals_exit_cleanly():
        assert signal.getsignal(signal.SIGTERM) is not before[signal.SIGTERM]
    assert {sig: signal.getsignal(sig) for sig in before} == before
