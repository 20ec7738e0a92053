"""Type stubs of the native module (checked against it by mypy.stubtest in `make test`)."""

import os
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import Any, Final, Literal, Optional, Union, final, overload

from typing_extensions import Self

__version__: Final[str]
SIGNATURE_HEADER: Final[str]
DEFAULT_BASE_URL: Final[str]

_QueryScalar = Union[str, int, float, bool]
# A list repeats the name once per item; None leaves the parameter out.
_QueryValue = Union[_QueryScalar, Sequence[_QueryScalar], None]
_JSON = Any
# Caps what the client offers to the `ocus` logger (default: OCUS_LOG, else everything).
_LogLevel = Literal["off", "error", "warn", "info", "debug", "trace"]

@final
class Project:
    """A project (_JSON:API resource object); attributes also read as Python attributes."""

    @property
    def id(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def status(self) -> Optional[str]: ...
    @property
    def is_known_status(self) -> bool: ...
    @property
    def attributes(self) -> dict[str, _JSON]: ...
    def get(self, name: str, default: Any = None) -> _JSON: ...
    @property
    def response(self) -> Optional[Response]:
        """The HTTP response of the `get` that returned it (None inside a page)."""
    def to_dict(self) -> dict[str, _JSON]: ...
    def __getattr__(self, name: str) -> _JSON: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Page:
    """One page of a list, with its links and meta."""

    @property
    def data(self) -> list[Project]: ...
    @property
    def links(self) -> dict[str, _JSON]: ...
    @property
    def meta(self) -> dict[str, _JSON]: ...
    @property
    def next_url(self) -> Optional[str]: ...
    @property
    def has_next(self) -> bool: ...
    @property
    def response(self) -> Optional[Response]:
        """The HTTP response this page arrived in."""
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[Project]: ...

@final
class Response:
    """The HTTP response a successful call's result arrived in."""

    @property
    def status_code(self) -> int: ...
    @property
    def request_id(self) -> Optional[str]:
        """X-Request-Id, the id OCUS support asks for."""
    @property
    def headers(self) -> dict[str, str]:
        """Names in lower case; a repeated header's values joined with ", "."""
    @property
    def url(self) -> str:
        """The URL that answered (after same-origin redirects)."""
    @property
    def attempts(self) -> int:
        """Attempts made, the successful one included."""

@final
class WebhookEvent:
    @property
    def id(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def organization_id(self) -> Optional[str]: ...
    @property
    def project_id(self) -> Optional[str]: ...
    @property
    def status(self) -> Optional[str]: ...
    @property
    def attributes(self) -> dict[str, _JSON]: ...
    @property
    def signed_part(self) -> Literal["body", "data"]: ...
    def to_dict(self) -> dict[str, _JSON]: ...

@final
class ProjectIterator:
    def __iter__(self) -> Self: ...
    def __next__(self) -> Project: ...

@final
class PageIterator:
    def __iter__(self) -> Self: ...
    def __next__(self) -> Page: ...

@final
class AsyncProjectIterator:
    def __aiter__(self) -> Self: ...
    async def __anext__(self) -> Project: ...

@final
class AsyncPageIterator:
    def __aiter__(self) -> Self: ...
    async def __anext__(self) -> Page: ...

@final
class Projects:
    def list(
        self,
        *,
        page_size: Optional[int] = None,
        page_number: Optional[int] = None,
        status: Optional[str] = None,
        params: Optional[Mapping[str, _QueryValue]] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> ProjectIterator: ...
    def list_page(
        self,
        *,
        page_size: Optional[int] = None,
        page_number: Optional[int] = None,
        status: Optional[str] = None,
        params: Optional[Mapping[str, _QueryValue]] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> Page: ...
    def pages(
        self,
        *,
        page_size: Optional[int] = None,
        page_number: Optional[int] = None,
        status: Optional[str] = None,
        params: Optional[Mapping[str, _QueryValue]] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> PageIterator: ...
    def get(
        self,
        id: str,
        *,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> Project: ...

@final
class AsyncProjects:
    def list(
        self,
        *,
        page_size: Optional[int] = None,
        page_number: Optional[int] = None,
        status: Optional[str] = None,
        params: Optional[Mapping[str, _QueryValue]] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> AsyncProjectIterator: ...
    async def list_page(
        self,
        *,
        page_size: Optional[int] = None,
        page_number: Optional[int] = None,
        status: Optional[str] = None,
        params: Optional[Mapping[str, _QueryValue]] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> Page: ...
    def pages(
        self,
        *,
        page_size: Optional[int] = None,
        page_number: Optional[int] = None,
        status: Optional[str] = None,
        params: Optional[Mapping[str, _QueryValue]] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> AsyncPageIterator: ...
    async def get(
        self,
        id: str,
        *,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> Project: ...

@final
class Client:
    """The OCUS API v3 client (blocking, thread-safe). Missing arguments come from
    OCUS_API_KEY / OCUS_API_KEY_FILE / OCUS_BASE_URL / OCUS_CA_BUNDLE. ``ca_bundle``: a PEM
    file of CA certificates trusted besides the system's (a private CA). ``proxy``: an
    http(s) URL, credentials in it if needed, used instead of HTTPS_PROXY / ALL_PROXY.
    ``user_agent``: your application's product token, sent after the SDK's
    (``"billing/2.1"`` sends ``ocus-python/0.1.0 billing/2.1``)."""

    def __new__(
        cls,
        api_key: Optional[str] = None,
        *,
        base_url: Optional[str] = None,
        user_agent: Optional[str] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        connect_timeout: Optional[float] = None,
        api_key_file: Optional[Union[str, os.PathLike[str]]] = None,
        ca_bundle: Optional[Union[str, os.PathLike[str]]] = None,
        proxy: Optional[str] = None,
        default_headers: Optional[Mapping[str, str]] = None,
        log_level: Optional[_LogLevel] = None,
        retry_budget: Optional[int] = None,
    ) -> Self: ...
    @property
    def projects(self) -> Projects: ...
    @property
    def base_url(self) -> str: ...
    @property
    def is_closed(self) -> bool: ...
    @overload
    def request(
        self,
        method: str,
        path: str,
        *,
        with_response: Literal[False] = False,
        params: Optional[Mapping[str, _QueryValue]] = None,
        json: _JSON = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
        retry_non_idempotent: bool = False,
    ) -> _JSON: ...
    @overload
    def request(
        self,
        method: str,
        path: str,
        *,
        with_response: Literal[True],
        params: Optional[Mapping[str, _QueryValue]] = None,
        json: _JSON = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
        retry_non_idempotent: bool = False,
    ) -> tuple[_JSON, Response]: ...
    @overload
    def request(
        self,
        method: str,
        path: str,
        *,
        with_response: bool,
        params: Optional[Mapping[str, _QueryValue]] = None,
        json: _JSON = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
        retry_non_idempotent: bool = False,
    ) -> Union[_JSON, tuple[_JSON, Response]]: ...
    def rotate_api_key(self, api_key: str) -> None: ...
    def close(self) -> None: ...
    def __enter__(self) -> Self: ...
    def __exit__(self, *_exc: object) -> None: ...

@final
class AsyncClient:
    """The OCUS API v3 client for asyncio; the same arguments as :class:`Client`."""

    def __new__(
        cls,
        api_key: Optional[str] = None,
        *,
        base_url: Optional[str] = None,
        user_agent: Optional[str] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        connect_timeout: Optional[float] = None,
        api_key_file: Optional[Union[str, os.PathLike[str]]] = None,
        ca_bundle: Optional[Union[str, os.PathLike[str]]] = None,
        proxy: Optional[str] = None,
        default_headers: Optional[Mapping[str, str]] = None,
        log_level: Optional[_LogLevel] = None,
        retry_budget: Optional[int] = None,
    ) -> Self: ...
    @property
    def projects(self) -> AsyncProjects: ...
    @property
    def base_url(self) -> str: ...
    @property
    def is_closed(self) -> bool: ...
    @overload
    async def request(
        self,
        method: str,
        path: str,
        *,
        with_response: Literal[False] = False,
        params: Optional[Mapping[str, _QueryValue]] = None,
        json: _JSON = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
        retry_non_idempotent: bool = False,
    ) -> _JSON: ...
    @overload
    async def request(
        self,
        method: str,
        path: str,
        *,
        with_response: Literal[True],
        params: Optional[Mapping[str, _QueryValue]] = None,
        json: _JSON = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
        retry_non_idempotent: bool = False,
    ) -> tuple[_JSON, Response]: ...
    @overload
    async def request(
        self,
        method: str,
        path: str,
        *,
        with_response: bool,
        params: Optional[Mapping[str, _QueryValue]] = None,
        json: _JSON = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
        retry_non_idempotent: bool = False,
    ) -> Union[_JSON, tuple[_JSON, Response]]: ...
    def rotate_api_key(self, api_key: str) -> None: ...
    async def aclose(self) -> None: ...
    async def __aenter__(self) -> Self: ...
    async def __aexit__(self, *_exc: object) -> None: ...

def verify_webhook(
    raw_body: Union[bytes, bytearray, str], signature: Optional[str], secret: Union[str, bytes]
) -> WebhookEvent: ...
def sign_webhook(
    raw_body: Union[bytes, bytearray, str], secret: Union[str, bytes], part: Literal["body", "data"]
) -> str: ...
