"""Plays every shared scenario (tests/scenarios/*.json) through the installed Python package."""

from __future__ import annotations

import asyncio
import json
import os
import re
import time
from collections import Counter
from pathlib import Path
from typing import Any, Awaitable, Callable, Optional
from urllib.parse import urlsplit

import pytest

import ocus
from conftest import SCENARIOS, Emulator

CASES = sorted(SCENARIOS.glob("*.json"))


def test_the_suite_is_complete() -> None:
    assert len(CASES) >= 40


def _options(step: dict[str, Any]) -> dict[str, Any]:
    options = step.get("options", {})
    out: dict[str, Any] = {}
    if "timeout_ms" in options:
        out["timeout"] = options["timeout_ms"] / 1000
    if "max_retries" in options:
        out["max_retries"] = options["max_retries"]
    if "headers" in options:
        out["extra_headers"] = options["headers"]
    return out


def _list_kwargs(step: dict[str, Any]) -> dict[str, Any]:
    args = step.get("args", {})
    kwargs = {k: args[k] for k in ("page_size", "page_number", "status", "params") if k in args}
    kwargs.update(_options(step))
    return kwargs


def _normalise_response(response: Optional[ocus.Response]) -> Optional[dict[str, Any]]:
    if response is None:
        return None
    url = urlsplit(response.url)
    return {
        "status": response.status_code,
        "request_id": response.request_id is not None,
        "path": url.path + (f"?{url.query}" if url.query else ""),
        "attempts": response.attempts,
        "headers": response.headers,
    }


def _await(loop: asyncio.AbstractEventLoop, call: Callable[[], Awaitable[Any]]) -> Any:
    """Runs `call` inside `loop` (the async client's calls need a running loop) to its end."""

    async def run() -> Any:
        return await call()

    return loop.run_until_complete(run())


class _AsyncioDriven:
    """An AsyncClient behind the sync client's calls, each awaited on a loop the test owns: the
    scenarios played over the asyncio path (calls started on the runtime, results handed back
    through the doorbell) as well as the blocking one."""

    def __init__(self, client: ocus.AsyncClient, loop: asyncio.AbstractEventLoop) -> None:
        self._client = client
        self._loop = loop
        self.projects = _AsyncioProjects(client.projects, loop)

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        return _await(self._loop, lambda: self._client.request(method, path, **kwargs))

    def close(self) -> None:
        _await(self._loop, self._client.aclose)

    def rotate_api_key(self, api_key: str) -> None:
        self._client.rotate_api_key(api_key)


class _AsyncioProjects:
    def __init__(self, projects: ocus.AsyncProjects, loop: asyncio.AbstractEventLoop) -> None:
        self._projects = projects
        self._loop = loop

    def list_page(self, **kwargs: Any) -> ocus.Page:
        return _await(self._loop, lambda: self._projects.list_page(**kwargs))

    def list(self, **kwargs: Any) -> list[ocus.Project]:
        async def collect() -> list[ocus.Project]:
            return [project async for project in self._projects.list(**kwargs)]

        return _await(self._loop, collect)

    def get(self, id: str, **kwargs: Any) -> ocus.Project:
        return _await(self._loop, lambda: self._projects.get(id, **kwargs))

    def pages(self, **kwargs: Any) -> list[ocus.Page]:
        async def collect() -> list[ocus.Page]:
            return [page async for page in self._projects.pages(**kwargs)]

        return _await(self._loop, collect)


def _call(client: Any, op: str, step: dict[str, Any]) -> tuple[Any, Optional[ocus.Response]]:
    """The normalised result and, for a call that has one, its response."""
    args = step.get("args", {})
    if op == "webhooks.verify":
        event = ocus.webhooks.verify(args["body"].encode(), args["signature"], args["secret"])
        return {
            "id": event.id,
            "type": event.type,
            "organization_id": event.organization_id,
            "project_id": event.project_id,
            "status": event.status,
            "signed_part": event.signed_part,
        }, None
    assert client is not None, "the case builds a client first"
    if op == "projects.list":
        page = client.projects.list_page(**_list_kwargs(step))
        data = page.data
        return {
            "count": len(data),
            "first_id": data[0].id if data else None,
            "last_id": data[-1].id if data else None,
            "has_next": page.has_next,
            "meta": page.meta,
        }, page.response
    if op == "projects.pages":
        pages = list(client.projects.pages(**_list_kwargs(step)))
        return {
            "pages": len(pages),
            "count": sum(len(page.data) for page in pages),
            "responses": [_normalise_response(page.response) for page in pages],
        }, None
    if op == "projects.list_all":
        projects = list(client.projects.list(**_list_kwargs(step)))
        return {
            "count": len(projects),
            "unique_ids": len({p.id for p in projects}),
            "first_id": projects[0].id if projects else None,
            "last_id": projects[-1].id if projects else None,
            "statuses": dict(Counter(p.status or "" for p in projects)),
        }, None
    if op == "projects.get":
        project = client.projects.get(args["id"], **_options(step))
        return {
            "id": project.id,
            "type": project.type,
            "status": project.status,
            "known_status": project.is_known_status,
            "attributes": project.attributes,
        }, project.response
    if op == "request":
        return client.request(
            args["method"],
            args["path"],
            with_response=True,
            params=args.get("query"),
            json=args.get("json"),
            **_options(step),
        )
    if op == "close":
        client.close()
        return None, None
    if op == "rotate_api_key":
        client.rotate_api_key(args["key"])
        return None, None
    raise AssertionError(f"unknown op {op}")


def _matches(expected: Any, actual: Any, path: str) -> None:
    if isinstance(expected, dict) and "$matches" in expected and isinstance(actual, str):
        assert re.search(expected["$matches"], actual), f"{path}: got {actual!r}, expected a match of {expected['$matches']!r}"
    elif isinstance(expected, dict):
        assert isinstance(actual, dict), f"{path}: got {actual!r}, expected an object"
        for key, value in expected.items():
            if key not in actual:
                assert value is None, f"{path}.{key}: missing, expected {value!r}"
                continue
            _matches(value, actual[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), f"{path}: got {actual!r}, expected {expected!r}"
        for i, (want, have) in enumerate(zip(expected, actual)):
            _matches(want, have, f"{path}[{i}]")
    else:
        assert expected == actual, f"{path}: got {actual!r}, expected {expected!r}"


def _check(expect: Optional[dict[str, Any]], outcome: Any, error: Optional[ocus.OcusError], elapsed_ms: float) -> None:
    expect = expect or {}
    if "min_elapsed_ms" in expect:
        assert elapsed_ms >= expect["min_elapsed_ms"], f"took {elapsed_ms:.0f} ms"
    if "max_elapsed_ms" in expect:
        assert elapsed_ms <= expect["max_elapsed_ms"], f"took {elapsed_ms:.0f} ms"
    wanted = expect.get("error")
    if wanted is None:
        assert error is None, f"unexpected error {error!r}"
        if "result" in expect:
            _matches(expect["result"], outcome, "result")
        return
    assert error is not None, f"expected an error, got {outcome!r}"
    actual = {
        "kind": error.kind,
        "status": error.status,
        "message": error.message,
        "code": error.code,
        "request_id": error.request_id is not None,
        "has_cause": error.__cause__ is not None,
        "retry_after": error.retry_after,
        "body": error.body,
    }
    if "message_contains" in wanted:
        assert wanted["message_contains"] in error.message, f"message {error.message!r}"
        actual["message_contains"] = wanted["message_contains"]
    if "body_max_len" in wanted:
        assert len((error.body or "").encode()) <= wanted["body_max_len"]
        actual["body_max_len"] = wanted["body_max_len"]
    _matches(wanted, actual, "error")


def _normalise_requests(log: list[dict[str, Any]]) -> dict[str, Any]:
    main = [r for r in log if r["origin"] == "main"]
    foreign = [r for r in log if r["origin"] != "main"]
    return {
        "count": len(main),
        "requests": [
            {
                "method": r["method"],
                "path": r["path"],
                "query": r["query"],
                "key": r["key"],
                "auth": r["auth"],
                "has_x_api_key": "x-api-key" in r["headers"],
                "has_authorization": "authorization" in r["headers"],
                "http_version": r["http_version"],
                "headers": r["headers"],
            }
            for r in main
        ],
        "foreign_count": len(foreign),
        "foreign_with_key": sum(1 for r in foreign if "x-api-key" in r["headers"]),
    }


def _substitute(value: Any, places: dict[str, str]) -> Any:
    if isinstance(value, str):
        for name, text in places.items():
            value = value.replace("${" + name + "}", text)
    return value


def _set_env(name: str, value: Optional[str]) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


@pytest.fixture
def loop() -> Any:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
@pytest.mark.parametrize("flavour", ["blocking", "asyncio"])
def test_scenario(path: Path, flavour: str, mock: Emulator, tmp_path: Path, loop: asyncio.AbstractEventLoop) -> None:
    case = json.loads(path.read_text())
    mock.reset(case["keys"])
    key_file = tmp_path / "api_key"
    client: Any = None
    for index, step in enumerate(case["steps"]):
        op = step["op"]
        try:
            if op == "faults":
                mock.faults(*step["faults"])
            elif op == "set_keys":
                mock.admin("POST", "/__admin/keys", {"keys": step["keys"]})
            elif op == "write_key_file":
                key_file.write_text(step["args"]["content"])
            elif op == "check_requests":
                _matches(step["expect"], _normalise_requests(mock.requests()), "requests")
            elif op == "new_client":
                places = {**mock.placeholders, "key_file": str(key_file)}
                options = {name: _substitute(value, places) for name, value in step["options"].items()}
                kwargs: dict[str, Any] = {"base_url": options.get("base_url", mock.base_url)}
                for name in ("ca_bundle", "proxy", "default_headers", "retry_budget", "user_agent"):
                    if name in options:
                        kwargs[name] = options[name]
                unresolved = [v for v in options.values() if isinstance(v, str) and "${" in v]
                assert not unresolved, f"unknown placeholder in {unresolved}: the proxy ones need scripts/with-proxy"
                if "api_key" in options:
                    kwargs["api_key"] = options["api_key"]
                if options.get("api_key_file"):
                    kwargs["api_key_file"] = str(key_file)
                if "timeout_ms" in options:
                    kwargs["timeout"] = options["timeout_ms"] / 1000
                if "max_retries" in options:
                    kwargs["max_retries"] = options["max_retries"]
                # `env`: set while the client is built (the TLS verifier reads SSL_CERT_FILE then).
                saved = {name: os.environ.get(name) for name in step.get("env", {})}
                for name, value in step.get("env", {}).items():
                    value = None if value is None else _substitute(value, places)
                    assert value is None or "${" not in value, f"unknown placeholder in env {name}: {value}"
                    _set_env(name, value)
                try:
                    if flavour == "asyncio":
                        client = _AsyncioDriven(ocus.AsyncClient(**kwargs), loop)
                    else:
                        client = ocus.Client(**kwargs)
                    _check(step.get("expect"), None, None, 0)
                except ocus.OcusError as error:
                    _check(step.get("expect"), None, error, 0)
                finally:
                    for name, value in saved.items():
                        _set_env(name, value)
            else:
                started = time.monotonic()
                outcome: Any = None
                response: Optional[ocus.Response] = None
                failure: Optional[ocus.OcusError] = None
                try:
                    outcome, response = _call(client, op, step)
                except ocus.OcusError as error:
                    failure = error
                _check(step.get("expect"), outcome, failure, (time.monotonic() - started) * 1000)
                if "response" in (step.get("expect") or {}):
                    assert response is not None, "no response to check"
                    _matches(step["expect"]["response"], _normalise_response(response), "response")
        except AssertionError as error:
            raise AssertionError(f"step {index} ({op}): {error}") from None
