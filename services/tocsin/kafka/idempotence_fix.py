"""Let kafka-python's idempotent producer recover after a broker outage.

The bug (kafka-python 3.0.12, the latest release): when a batch that was
already sent to the broker expires (its delivery timeout passes while the
broker is away), the producer resets its producer id to "none", because the
broker may or may not have written the batch and the old sequence numbers can
no longer be trusted. But it leaves its state READY, and it asks the broker
for a new id only from UNINITIALIZED. So after the outage it waits for an id
forever: it accepts records and sends none, and every publish times out until
the process is restarted. The ingest service then answers 503 for good.

The Java client moves to UNINITIALIZED on that reset (KAFKA-7737), which makes
it request a fresh id. ``install()`` makes kafka-python do the same for
idempotent (non-transactional) producers. A fresh id starts new sequence
numbers; a record that was in that expired batch and did reach the broker is
then written again on retry, which Tocsin tolerates by design: event ids are
deterministic and consumers drop repeats.

It patches one method of kafka-python's ``TransactionManager``, once per
process, and changes nothing where kafka-python already leaves READY itself.
tests/unit/test_idempotence_fix.py fails if kafka-python changes so that the
patch no longer applies or is no longer needed.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

from kafka.producer import transaction_manager as _txn

_lock = threading.Lock()
_installed = False


def install() -> None:
    """Patch kafka-python so a reset producer id is requested again (idempotent)."""
    global _installed  # noqa: PLW0603  # one patch per process
    with _lock:
        if _installed:
            return
        manager: Any = _txn.TransactionManager
        original = manager.reset_producer_id

        @functools.wraps(original)
        def reset_producer_id(self: Any) -> None:
            original(self)
            with self._lock:
                if (
                    not self.is_transactional()
                    and self._current_state == _txn.TransactionState.READY
                ):
                    # Not through _transition_to, which refuses any way back to UNINITIALIZED.
                    self._current_state = _txn.TransactionState.UNINITIALIZED

        manager.reset_producer_id = reset_producer_id
        _installed = True
