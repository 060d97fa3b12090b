"""The aggregator service: events from Kafka in, running totals out (``tocsin serve aggregator``).

- ``rules``       the totals rules, pure: highest figure, deployments, curfews, statements
- ``state``       one partition's totals, recent event ids and resume offset (no I/O)
- ``store``       SQLite: partition states and their offsets, saved in one transaction
- ``partitions``  which partitions this instance owns and exports (rebuild before export)
- ``deadletters`` reading a record as an event, or why not, and its dead letter's headers
- ``batch``       applying one poll batch to the states: decode, dedupe, fold (no I/O)
- ``consumer``    the consumer loop: poll, apply, dead-letter, store, commit
- ``metrics``     Prometheus metrics: a collector over the exported totals, and counters
- ``queries``     strict validation of the JSON API's query strings
- ``app``         the FastAPI application
- ``main``        wiring from settings, and serving under uvicorn
"""
