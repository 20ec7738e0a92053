"""Webhook signatures: ``ocus-signature`` is the hex HMAC-SHA256 of the raw request body.

Verify the exact bytes you received, before parsing them.
"""

from __future__ import annotations

from typing import Optional, Union

from ._ocus import SIGNATURE_HEADER, WebhookEvent, sign_webhook, verify_webhook

__all__ = ["SIGNATURE_HEADER", "WebhookEvent", "sign", "verify"]


def verify(
    raw_body: Union[bytes, bytearray, str],
    signature: Optional[str],
    secret: Union[str, bytes],
) -> WebhookEvent:
    """Check ``signature`` (the ``ocus-signature`` header; None if absent) in constant time
    and return the event.

    Raises SignatureVerificationError (``code``: ``missing_signature``,
    ``malformed_signature`` or ``signature_mismatch``), DecodeError for a signed body that is
    not an event, ConfigurationError for an empty secret.
    """
    return verify_webhook(raw_body, signature, secret)


def sign(raw_body: Union[bytes, bytearray, str], secret: Union[str, bytes]) -> str:
    """The signature OCUS sends for ``raw_body`` (to test your own receiver)."""
    return sign_webhook(raw_body, secret)
