"""Type stubs of the native module (checked against it by mypy.stubtest in `make test`)."""

import os
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import Any, Final, Literal, Optional, Union, final, overload

from typing_extensions import Self

__version__: Final[str]
SIGNATURE_HEADER: Final[str]
DEFAULT_BASE_URL: Final[str]
TELEMETRY: Final[dict[str, Any]]  # the core's instrument names, for ocus._otel

_QueryScalar = Union[str, int, float, bool]
# A list repeats the name once per item; None leaves the parameter out.
_QueryValue = Union[_QueryScalar, Sequence[_QueryScalar], None]
_JSON = Any
# Caps what the client offers to the `ocus` logger (default: OCUS_LOG, else everything).
# codegen:begin log-levels
_LogLevel = Literal["off", "error", "warn", "info", "debug", "trace"]
# codegen:end log-levels

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
        # codegen:begin list-options
        page_size: Optional[int] = None,
        page_number: Optional[int] = None,
        status: Optional[str] = None,
        params: Optional[Mapping[str, _QueryValue]] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        # codegen:end list-options
    ) -> ProjectIterator: ...
    def list_page(
        self,
        *,
        # codegen:begin list-options
        page_size: Optional[int] = None,
        page_number: Optional[int] = None,
        status: Optional[str] = None,
        params: Optional[Mapping[str, _QueryValue]] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        # codegen:end list-options
    ) -> Page: ...
    def pages(
        self,
        *,
        # codegen:begin list-options
        page_size: Optional[int] = None,
        page_number: Optional[int] = None,
        status: Optional[str] = None,
        params: Optional[Mapping[str, _QueryValue]] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        # codegen:end list-options
    ) -> PageIterator: ...
    def get(
        self,
        id: str,
        *,
        # codegen:begin call-options
        extra_headers: Optional[Mapping[str, str]] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        # codegen:end call-options
    ) -> Project: ...

@final
class AsyncProjects:
    def list(
        self,
        *,
        # codegen:begin list-options
        page_size: Optional[int] = None,
        page_number: Optional[int] = None,
        status: Optional[str] = None,
        params: Optional[Mapping[str, _QueryValue]] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        # codegen:end list-options
    ) -> AsyncProjectIterator: ...
    async def list_page(
        self,
        *,
        # codegen:begin list-options
        page_size: Optional[int] = None,
        page_number: Optional[int] = None,
        status: Optional[str] = None,
        params: Optional[Mapping[str, _QueryValue]] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        # codegen:end list-options
    ) -> Page: ...
    def pages(
        self,
        *,
        # codegen:begin list-options
        page_size: Optional[int] = None,
        page_number: Optional[int] = None,
        status: Optional[str] = None,
        params: Optional[Mapping[str, _QueryValue]] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        # codegen:end list-options
    ) -> AsyncPageIterator: ...
    async def get(
        self,
        id: str,
        *,
        # codegen:begin call-options
        extra_headers: Optional[Mapping[str, str]] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        # codegen:end call-options
    ) -> Project: ...

@final
class Client:
    # codegen:begin client-doc
    # generated by tools/codegen from the core's option table: run `make generate`
    """The OCUS API v3 client. Every option is a keyword argument (``api_key`` may also come
    first); what is not given comes from the environment, then the default.

    - ``api_key``: The API key. It is checked before anything is sent, sent only to the base
      URL's origin, and never printed. Default: OCUS_API_KEY.
    - ``api_key_file``: A file holding the API key, read again once on 401 or 403 so a key
      rotates without a restart. Default: OCUS_API_KEY_FILE.
    - ``base_url``: The API base URL: https://, or http:// to a loopback host only. Default:
      OCUS_BASE_URL, else https://api.ocus.io/v3.
    - ``timeout`` (seconds): The time allowed for each attempt, the response body included (each
      retry gets it again). Positive. Default: 60 seconds.
    - ``connect_timeout`` (seconds): The time allowed to open a connection. Positive. Default:
      10 seconds.
    - ``max_retries``: Retries after the first attempt (0 to 100) of a connection error, a
      timeout, 408, 429 or a 5xx, for idempotent methods. Default: 2.
    - ``retry_budget``: The client's retry budget in tokens (0 to 1000000): a retry takes 5 (10
      after a timeout), a call that succeeds at once gives 1 back, and while it is empty a
      failing call fails at once instead of retrying. 0 turns retries off. Default: 500.
    - ``ca_bundle``: PEM file(s) of CA certificates trusted besides the system's (a private CA).
      Default: OCUS_CA_BUNDLE.
    - ``proxy``: An http(s) proxy URL, credentials in it if needed, used instead of HTTPS_PROXY
      / ALL_PROXY (NO_PROXY still applies). HTTPS goes through it in a CONNECT tunnel; the
      password is never printed.
    - ``default_headers``: Headers sent with every request (a tenant id). A User-Agent extends
      the SDK's; X-API-KEY, Host, Content-Length and the other headers the client sets cannot be
      set this way; CR or LF in a value is refused.
    - ``user_agent``: Your application's product token ("billing/2.1"), sent in User-Agent after
      the SDK's own.
    - ``log_level``: The least severe event the client logs: off, error, warn, info, debug,
      trace (off: none). Never the key, bodies or proxy credentials. Default: OCUS_LOG, else
      what the ``ocus`` logger lets through.
    - ``idle_timeout`` (seconds): How long an unused pooled connection stays open: it closes
      between this long and three times this after its last use. Positive. Default: 60 seconds.
    - ``capture_request_headers``: Request headers recorded on each traced attempt's span
      (OpenTelemetry's http.request.header.<name>), by name (any case, no patterns). None is
      recorded unless listed; x-api-key cannot be (from the environment, a name that cannot be
      recorded is skipped with a warning); an empty list records none. Default:
      OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_CLIENT_REQUEST.
    - ``capture_response_headers``: Response headers recorded on each traced attempt's span
      (http.response.header.<name>), by name, any case. Default:
      OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_CLIENT_RESPONSE.
    """
    # codegen:end client-doc

    def __new__(
        cls,
        api_key: Optional[str] = None,
        *,
        # codegen:begin client-options
        api_key_file: Optional[Union[str, os.PathLike[str]]] = None,
        base_url: Optional[str] = None,
        timeout: Optional[float] = None,
        connect_timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        retry_budget: Optional[int] = None,
        ca_bundle: Optional[Union[str, os.PathLike[str], Sequence[Union[str, os.PathLike[str]]]]] = None,
        proxy: Optional[str] = None,
        default_headers: Optional[Mapping[str, str]] = None,
        user_agent: Optional[str] = None,
        log_level: Optional[_LogLevel] = None,
        idle_timeout: Optional[float] = None,
        capture_request_headers: Optional[Sequence[str]] = None,
        capture_response_headers: Optional[Sequence[str]] = None,
        # codegen:end client-options
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
        # codegen:begin request-options
        json: _JSON = None,
        retry_non_idempotent: bool = False,
        params: Optional[Mapping[str, _QueryValue]] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        # codegen:end request-options
    ) -> _JSON: ...
    @overload
    def request(
        self,
        method: str,
        path: str,
        *,
        with_response: Literal[True],
        # codegen:begin request-options
        json: _JSON = None,
        retry_non_idempotent: bool = False,
        params: Optional[Mapping[str, _QueryValue]] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        # codegen:end request-options
    ) -> tuple[_JSON, Response]: ...
    @overload
    def request(
        self,
        method: str,
        path: str,
        *,
        with_response: bool,
        # codegen:begin request-options
        json: _JSON = None,
        retry_non_idempotent: bool = False,
        params: Optional[Mapping[str, _QueryValue]] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        # codegen:end request-options
    ) -> Union[_JSON, tuple[_JSON, Response]]: ...
    def rotate_api_key(self, api_key: str) -> None: ...
    def close(self) -> None: ...
    def __enter__(self) -> Self: ...
    def __exit__(self, *_exc: object) -> None: ...

@final
class AsyncClient:
    # codegen:begin client-doc
    # generated by tools/codegen from the core's option table: run `make generate`
    """The OCUS API v3 client. Every option is a keyword argument (``api_key`` may also come
    first); what is not given comes from the environment, then the default.

    - ``api_key``: The API key. It is checked before anything is sent, sent only to the base
      URL's origin, and never printed. Default: OCUS_API_KEY.
    - ``api_key_file``: A file holding the API key, read again once on 401 or 403 so a key
      rotates without a restart. Default: OCUS_API_KEY_FILE.
    - ``base_url``: The API base URL: https://, or http:// to a loopback host only. Default:
      OCUS_BASE_URL, else https://api.ocus.io/v3.
    - ``timeout`` (seconds): The time allowed for each attempt, the response body included (each
      retry gets it again). Positive. Default: 60 seconds.
    - ``connect_timeout`` (seconds): The time allowed to open a connection. Positive. Default:
      10 seconds.
    - ``max_retries``: Retries after the first attempt (0 to 100) of a connection error, a
      timeout, 408, 429 or a 5xx, for idempotent methods. Default: 2.
    - ``retry_budget``: The client's retry budget in tokens (0 to 1000000): a retry takes 5 (10
      after a timeout), a call that succeeds at once gives 1 back, and while it is empty a
      failing call fails at once instead of retrying. 0 turns retries off. Default: 500.
    - ``ca_bundle``: PEM file(s) of CA certificates trusted besides the system's (a private CA).
      Default: OCUS_CA_BUNDLE.
    - ``proxy``: An http(s) proxy URL, credentials in it if needed, used instead of HTTPS_PROXY
      / ALL_PROXY (NO_PROXY still applies). HTTPS goes through it in a CONNECT tunnel; the
      password is never printed.
    - ``default_headers``: Headers sent with every request (a tenant id). A User-Agent extends
      the SDK's; X-API-KEY, Host, Content-Length and the other headers the client sets cannot be
      set this way; CR or LF in a value is refused.
    - ``user_agent``: Your application's product token ("billing/2.1"), sent in User-Agent after
      the SDK's own.
    - ``log_level``: The least severe event the client logs: off, error, warn, info, debug,
      trace (off: none). Never the key, bodies or proxy credentials. Default: OCUS_LOG, else
      what the ``ocus`` logger lets through.
    - ``idle_timeout`` (seconds): How long an unused pooled connection stays open: it closes
      between this long and three times this after its last use. Positive. Default: 60 seconds.
    - ``capture_request_headers``: Request headers recorded on each traced attempt's span
      (OpenTelemetry's http.request.header.<name>), by name (any case, no patterns). None is
      recorded unless listed; x-api-key cannot be (from the environment, a name that cannot be
      recorded is skipped with a warning); an empty list records none. Default:
      OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_CLIENT_REQUEST.
    - ``capture_response_headers``: Response headers recorded on each traced attempt's span
      (http.response.header.<name>), by name, any case. Default:
      OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_CLIENT_RESPONSE.
    """
    # codegen:end client-doc

    def __new__(
        cls,
        api_key: Optional[str] = None,
        *,
        # codegen:begin client-options
        api_key_file: Optional[Union[str, os.PathLike[str]]] = None,
        base_url: Optional[str] = None,
        timeout: Optional[float] = None,
        connect_timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        retry_budget: Optional[int] = None,
        ca_bundle: Optional[Union[str, os.PathLike[str], Sequence[Union[str, os.PathLike[str]]]]] = None,
        proxy: Optional[str] = None,
        default_headers: Optional[Mapping[str, str]] = None,
        user_agent: Optional[str] = None,
        log_level: Optional[_LogLevel] = None,
        idle_timeout: Optional[float] = None,
        capture_request_headers: Optional[Sequence[str]] = None,
        capture_response_headers: Optional[Sequence[str]] = None,
        # codegen:end client-options
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
        # codegen:begin request-options
        json: _JSON = None,
        retry_non_idempotent: bool = False,
        params: Optional[Mapping[str, _QueryValue]] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        # codegen:end request-options
    ) -> _JSON: ...
    @overload
    async def request(
        self,
        method: str,
        path: str,
        *,
        with_response: Literal[True],
        # codegen:begin request-options
        json: _JSON = None,
        retry_non_idempotent: bool = False,
        params: Optional[Mapping[str, _QueryValue]] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        # codegen:end request-options
    ) -> tuple[_JSON, Response]: ...
    @overload
    async def request(
        self,
        method: str,
        path: str,
        *,
        with_response: bool,
        # codegen:begin request-options
        json: _JSON = None,
        retry_non_idempotent: bool = False,
        params: Optional[Mapping[str, _QueryValue]] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        # codegen:end request-options
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
def _async_path() -> Literal["event-loop", "threads"]:
    """Which path this process's asyncio calls take (for tests)."""
