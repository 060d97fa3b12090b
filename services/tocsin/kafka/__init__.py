"""Thin adapters over kafka-python: topics, a publisher, a consumer.

kafka-python's errors are translated here into ``tocsin.errors.BrokerError``
subclasses; nothing outside this package imports ``kafka``.
"""
