"""The ingest service: HTTP in, extraction, Kafka out (``tocsin serve ingest``).

- ``index``   the bounded, persistent index of recently accepted articles
- ``service`` accepting one article: dedupe, extract, publish (no HTTP here)
- ``metrics`` Prometheus metrics of the service
- ``app``     the FastAPI application: routes, body limits, error responses
"""
