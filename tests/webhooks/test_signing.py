"""The headers of an attempt, as the Standard Webhooks reference library verifies them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from app.models.common import utcnow
from app.services.webhooks import new_secret
from app.webhooks.worker import signed_headers

BODY = '{"type":"assessment.deleted","timestamp":"2026-11-02T09:30:00+00:00","data":{"id":"0b7e2f44"}}'


class TestSignedHeaders:
    def test_verified_by_standardwebhooks(self) -> None:
        secret = new_secret()
        headers = signed_headers(secret=secret, message_id="msg_1", body=BODY, now=utcnow())
        assert Webhook(secret).verify(BODY.encode(), headers) == {
            "type": "assessment.deleted",
            "timestamp": "2026-11-02T09:30:00+00:00",
            "data": {"id": "0b7e2f44"},
        }
        assert headers["webhook-id"] == "msg_1" and headers["webhook-signature"].startswith("v1,")
        assert headers["content-type"] == "application/json"

    def test_another_secret_or_a_changed_body_fails(self) -> None:
        headers = signed_headers(secret=new_secret(), message_id="msg_1", body=BODY, now=utcnow())
        with pytest.raises(WebhookVerificationError):
            Webhook(new_secret()).verify(BODY.encode(), headers)
        secret = new_secret()
        headers = signed_headers(secret=secret, message_id="msg_1", body=BODY, now=utcnow())
        with pytest.raises(WebhookVerificationError):
            Webhook(secret).verify(BODY.replace("0b7e2f44", "0b7e2f45").encode(), headers)

    def test_the_timestamp_is_the_attempts(self) -> None:
        secret = new_secret()
        old = utcnow() - timedelta(minutes=10)
        headers = signed_headers(secret=secret, message_id="msg_1", body=BODY, now=old)
        assert headers["webhook-timestamp"] == str(int(old.timestamp()))
        with pytest.raises(WebhookVerificationError, match="too old"):  # replay protection on the receiver's side
            Webhook(secret).verify(BODY.encode(), headers)


class TestSecret:
    def test_prefixed_and_32_random_bytes(self) -> None:
        secrets = {new_secret() for _ in range(10)}
        assert len(secrets) == 10
        assert all(s.startswith("whsec_") and len(s) == 6 + 44 for s in secrets)
