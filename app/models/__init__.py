"""The tables; importing this package registers them all on the metadata."""

from app.models.assessments import Assessment
from app.models.banks import BankVersion
from app.models.idempotency import IdempotencyRecord
from app.models.reports import ReportShare
from app.models.statistics import ScoreHistogram
from app.models.tenants import ApiKey, Tenant
from app.models.webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent

__all__ = [
    "ApiKey",
    "Assessment",
    "BankVersion",
    "IdempotencyRecord",
    "ReportShare",
    "ScoreHistogram",
    "Tenant",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
]
