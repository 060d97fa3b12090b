"""The whole local stack as one supervised unit: what ``tocsin up`` runs.

A local Kafka broker (``tocsin.localbroker``), the ingest service and the
aggregator, each in a process of its own under one data directory; started in
order, watched while they run, and stopped in reverse order, leaving nothing behind.
"""
