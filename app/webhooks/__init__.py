"""Webhooks: the event catalogue, endpoint URL rules, retry schedule and the delivery worker."""
