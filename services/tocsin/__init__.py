"""Tocsin: event-stream ingestion for crisis news.

The package reads like the data flow:

- ``tocsin.contract``   the event contract (pydantic models, ids, wire codec)
- ``tocsin.extraction`` the pure extraction core: article text in, typed events out
- ``tocsin.localbroker`` a local single-node Apache Kafka for development and tests
- ``tocsin.cli``        the ``tocsin`` command
"""

__version__ = "0.1.0"
