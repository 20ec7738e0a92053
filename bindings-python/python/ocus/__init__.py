"""ocus: the OCUS API v3 client, a native Rust core with a typed Python face.

>>> import ocus
>>> with ocus.Client() as client:            # OCUS_API_KEY / OCUS_API_KEY_FILE, OCUS_BASE_URL
...     for project in client.projects.list():
...         print(project.id, project.status)
"""

from . import webhooks
from ._errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    CancelledError,
    ConfigurationError,
    ConflictError,
    DecodeError,
    InternalServerError,
    MethodNotAllowedError,
    NotFoundError,
    OcusError,
    PermissionDeniedError,
    RateLimitError,
    ServiceUnavailableError,
    SignatureVerificationError,
)
from ._ocus import (
    DEFAULT_BASE_URL,
    AsyncClient,
    AsyncPageIterator,
    AsyncProjectIterator,
    AsyncProjects,
    Client,
    Page,
    PageIterator,
    Project,
    ProjectIterator,
    Projects,
    WebhookEvent,
    __version__,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AsyncClient",
    "AsyncPageIterator",
    "AsyncProjectIterator",
    "AsyncProjects",
    "AuthenticationError",
    "BadRequestError",
    "CancelledError",
    "Client",
    "ConfigurationError",
    "ConflictError",
    "DecodeError",
    "InternalServerError",
    "MethodNotAllowedError",
    "NotFoundError",
    "OcusError",
    "Page",
    "PageIterator",
    "PermissionDeniedError",
    "Project",
    "ProjectIterator",
    "Projects",
    "RateLimitError",
    "ServiceUnavailableError",
    "SignatureVerificationError",
    "WebhookEvent",
    "__version__",
    "webhooks",
]
