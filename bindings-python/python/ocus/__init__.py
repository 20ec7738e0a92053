"""ocus: the OCUS API v3 client, a native Rust core with a typed Python face.

>>> import ocus
>>> with ocus.Client() as client:            # OCUS_API_KEY / OCUS_API_KEY_FILE, OCUS_BASE_URL
...     for project in client.projects.list():
...         print(project.id, project.status)
"""

import typing as _typing

from . import _errors, webhooks
from ._errors import *  # noqa: F403  (the exception tree, generated from the core)
from ._ocus import DEFAULT_BASE_URL as _DEFAULT_BASE_URL
from ._ocus import (
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
    Response,
    WebhookEvent,
    __version__,
)

DEFAULT_BASE_URL: _typing.Final[str] = _DEFAULT_BASE_URL
"""The API every client uses unless given ``base_url`` or ``OCUS_BASE_URL``."""

__all__ = [
    "DEFAULT_BASE_URL",
    "AsyncClient",
    "AsyncPageIterator",
    "AsyncProjectIterator",
    "AsyncProjects",
    "Client",
    "Page",
    "PageIterator",
    "Project",
    "ProjectIterator",
    "Projects",
    "Response",
    "WebhookEvent",
    "__version__",
    "webhooks",
]
__all__ += _errors.__all__
