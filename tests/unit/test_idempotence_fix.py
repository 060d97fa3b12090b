"""kafka-python's idempotent producer asks for a new producer id after resetting it.

Driven through kafka-python's own ``TransactionManager`` and its InitProducerId
handler, with the broker's answer given as a plain object: no broker needed.
The sequence is the sender's after a sent batch expired during an outage:
``reset_producer_id()``, then ``init_producer_id()`` on each turn of its loop.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from kafka.producer.transaction_manager import TransactionManager

from tocsin.kafka.idempotence_fix import install


def _granted(manager: Any, producer_id: int) -> None:
    """Send the queued InitProducerId request and let the broker grant ``producer_id``."""
    handler = manager.next_request_handler(False)
    assert handler is not None, "no InitProducerId request was queued"
    granted = SimpleNamespace(error_code=0, producer_id=producer_id, producer_epoch=0)
    handler.handle_response(granted)


def _with_id(producer_id: int) -> Any:
    manager = TransactionManager(api_version=(4, 1))
    manager.init_producer_id()
    _granted(manager, producer_id)
    assert manager.producer_id_and_epoch.producer_id == producer_id
    return manager


def test_after_a_reset_a_new_producer_id_is_requested_and_used() -> None:
    """The fix: the reset id is requested again, so the producer sends again."""
    install()
    manager = _with_id(7)
    manager.reset_producer_id()
    assert not manager.has_producer_id()
    manager.init_producer_id()
    _granted(manager, 8)
    assert manager.has_producer_id()
    assert manager.producer_id_and_epoch.producer_id == 8


def test_kafka_python_alone_still_never_asks_again() -> None:
    """The bug the fix is for. When this fails, kafka-python recovers by itself and
    tocsin.kafka.idempotence_fix can go."""
    install()
    unpatched = TransactionManager.reset_producer_id.__wrapped__
    manager = _with_id(7)
    unpatched(manager)
    manager.init_producer_id()
    assert manager.next_request_handler(False) is None
    assert not manager.has_producer_id()


def test_installing_twice_patches_once() -> None:
    """A second install keeps the one patch (no wrapper around the wrapper)."""
    install()
    patched = TransactionManager.reset_producer_id
    install()
    assert TransactionManager.reset_producer_id is patched
