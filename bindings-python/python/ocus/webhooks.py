"""Webhook signatures: ``ocus-signature`` is the hex HMAC-SHA256 of what OCUS signs.

OCUS documents two forms: the raw request body, or the body's ``data`` member as JavaScript's
``JSON.stringify`` writes it. ``verify`` accepts both; pass it the exact bytes you received,
before parsing them. OCUS sends no timestamp: de-duplicate events yourself (by project and
event), a replayed webhook verifies again.
"""

import typing as _typing

from ._ocus import SIGNATURE_HEADER as _SIGNATURE_HEADER
from ._ocus import WebhookEvent
from ._ocus import sign_webhook as _sign_webhook
from ._ocus import verify_webhook as _verify_webhook

SIGNATURE_HEADER: _typing.Final[str] = _SIGNATURE_HEADER
"""The header OCUS sends the signature in: ``ocus-signature``."""

__all__ = ["SIGNATURE_HEADER", "WebhookEvent", "sign", "verify"]


def verify(
    raw_body: _typing.Union[bytes, bytearray, str],
    signature: _typing.Optional[str],
    secret: _typing.Union[str, bytes],
) -> WebhookEvent:
    """Check ``signature`` (the ``ocus-signature`` header; None if absent) in constant time
    against the raw body and against its ``data`` member, and return the event (the body, or
    its ``data`` object). ``event.signed_part`` says which form matched; the event holds only
    what the signature covers.

    Raises SignatureVerificationError (``code``: ``missing_signature``,
    ``malformed_signature`` or ``signature_mismatch``), DecodeError for a signed body that is
    not an event, ConfigurationError for an empty secret.
    """
    return _verify_webhook(raw_body, signature, secret)


def sign(
    raw_body: _typing.Union[bytes, bytearray, str],
    secret: _typing.Union[str, bytes],
    *,
    part: _typing.Literal["body", "data"] = "body",
) -> str:
    """The signature OCUS sends for ``raw_body`` (to test your own receiver): over the raw
    body, or with ``part="data"`` over its ``data`` member as ``JSON.stringify`` writes it
    (DecodeError if the body has no ``data``)."""
    return _sign_webhook(raw_body, secret, part)
