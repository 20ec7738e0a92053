"""The exception tree. The native module picks the class from the core error's stable kind."""

from __future__ import annotations

from typing import Optional

__all__ = [
    "OcusError",
    "APIError",
    "AuthenticationError",
    "PermissionDeniedError",
    "BadRequestError",
    "NotFoundError",
    "MethodNotAllowedError",
    "ConflictError",
    "RateLimitError",
    "InternalServerError",
    "ServiceUnavailableError",
    "APIConnectionError",
    "APITimeoutError",
    "DecodeError",
    "ConfigurationError",
    "SignatureVerificationError",
    "CancelledError",
]


class OcusError(Exception):
    """Base of every error raised by ocus.

    ``kind`` is the stable snake_case name shared by every language (``"forbidden"``,
    ``"timeout"``...). HTTP errors also carry ``status``, ``code``, ``request_id``,
    ``retry_after`` (seconds) and the raw ``body`` (first 8 KiB). No error ever holds the key.
    """

    kind: str
    message: str
    status: Optional[int]
    code: Optional[str]
    request_id: Optional[str]
    retry_after: Optional[float]
    body: Optional[str]

    def __init__(
        self,
        text: str,
        *,
        kind: str = "",
        message: Optional[str] = None,
        status: Optional[int] = None,
        code: Optional[str] = None,
        request_id: Optional[str] = None,
        retry_after: Optional[float] = None,
        body: Optional[str] = None,
    ) -> None:
        super().__init__(text)
        self.kind = kind
        self.message = text if message is None else message
        self.status = status
        self.code = code
        self.request_id = request_id
        self.retry_after = retry_after
        self.body = body

    def __repr__(self) -> str:
        fields = [f"kind={self.kind!r}"]
        if self.status is not None:
            fields.append(f"status={self.status}")
        fields.append(f"message={self.message!r}")
        if self.request_id is not None:
            fields.append(f"request_id={self.request_id!r}")
        return f"{type(self).__name__}({', '.join(fields)})"


class APIError(OcusError):
    """The server answered with a non-2xx status."""


class AuthenticationError(APIError):
    """401: the API key is missing or invalid."""


class PermissionDeniedError(APIError):
    """403: the API key is revoked or expired."""


class BadRequestError(APIError):
    """400: invalid_request."""


class NotFoundError(APIError):
    """404."""


class MethodNotAllowedError(APIError):
    """405."""


class ConflictError(APIError):
    """409."""


class RateLimitError(APIError):
    """429; see ``retry_after``."""


class InternalServerError(APIError):
    """500 and other 5xx."""


class ServiceUnavailableError(InternalServerError):
    """503."""


class APIConnectionError(OcusError):
    """The server could not be reached (DNS, refused, reset)."""


class APITimeoutError(APIConnectionError):
    """Connect or total timeout."""


class DecodeError(OcusError):
    """A 2xx response whose body was not what was expected."""


class ConfigurationError(OcusError, ValueError):
    """No key, a malformed key, an insecure or invalid base URL, or a bad argument."""


class SignatureVerificationError(OcusError, ValueError):
    """A webhook signature is missing, malformed or wrong (see ``code``)."""


class CancelledError(OcusError):
    """The request was cancelled."""


_CLASS_BY_KIND: dict[str, type[OcusError]] = {
    "unauthorized": AuthenticationError,
    "forbidden": PermissionDeniedError,
    "invalid_request": BadRequestError,
    "not_found": NotFoundError,
    "method_not_allowed": MethodNotAllowedError,
    "conflict": ConflictError,
    "rate_limited": RateLimitError,
    "server_error": InternalServerError,
    "service_unavailable": ServiceUnavailableError,
    "api_error": APIError,
    "connection": APIConnectionError,
    "timeout": APITimeoutError,
    "decode": DecodeError,
    "configuration": ConfigurationError,
    "invalid_signature": SignatureVerificationError,
    "cancelled": CancelledError,
}


def _from_native(
    text: str,
    *,
    kind: str,
    message: str,
    status: Optional[int],
    code: Optional[str],
    request_id: Optional[str],
    retry_after: Optional[float],
    body: Optional[str],
) -> OcusError:
    cls = _CLASS_BY_KIND.get(kind, APIError if status is not None else OcusError)
    return cls(
        text,
        kind=kind,
        message=message,
        status=status,
        code=code,
        request_id=request_id,
        retry_after=retry_after,
        body=body,
    )
