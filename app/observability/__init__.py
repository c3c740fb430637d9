"""Metrics, request ids and JSON logs: what an operator sees of the running service."""
