"""Python-specific behaviour: exceptions, redaction, threads, asyncio, fork, env, leaks."""

from __future__ import annotations

import asyncio
import gc
import statistics
import subprocess
import http.server
import json
import logging
import os
import signal
import sys
import threading
import time
import traceback
import weakref
from pathlib import Path
from typing import Any

import pytest

import ocus
from conftest import ALPHA, BETA, Emulator

ID0 = "910a2dec-8902-4cc1-9758-35de1c9756ce"


def client(mock: Emulator, **kwargs: Any) -> ocus.Client:
    kwargs.setdefault("api_key", ALPHA)
    kwargs.setdefault("max_retries", 0)
    return ocus.Client(base_url=mock.base_url, **kwargs)


def test_the_installed_package_is_under_test() -> None:
    assert "site-packages" in ocus.__file__, ocus.__file__
    assert ocus.__version__
    assert (Path(ocus.__file__).parent / "py.typed").exists()
    assert (Path(ocus.__file__).parent / "_ocus.pyi").exists()


def test_exception_tree() -> None:
    assert issubclass(ocus.APIError, ocus.OcusError)
    for cls in (
        ocus.AuthenticationError,
        ocus.PermissionDeniedError,
        ocus.BadRequestError,
        ocus.NotFoundError,
        ocus.MethodNotAllowedError,
        ocus.ConflictError,
        ocus.RateLimitError,
        ocus.InternalServerError,
    ):
        assert issubclass(cls, ocus.APIError)
    assert issubclass(ocus.ServiceUnavailableError, ocus.InternalServerError)
    assert issubclass(ocus.APITimeoutError, ocus.APIConnectionError)
    assert issubclass(ocus.ConfigurationError, ValueError)
    assert not issubclass(ocus.APIConnectionError, ocus.APIError)


def test_a_revoked_key_raises_permission_denied(mock: Emulator) -> None:
    with client(mock, api_key="sk_test_revoked") as c:
        with pytest.raises(ocus.PermissionDeniedError) as caught:
            c.projects.list_page()
    error = caught.value
    assert error.status == 403
    assert error.kind == "forbidden"
    assert error.message == "Forbidden. This API key has been revoked or expired."
    assert error.request_id and error.request_id.startswith("req_")
    assert error.body is not None and "revoked" in error.body
    assert "forbidden (403)" in str(error)


def test_errors_carry_retry_after_and_codes(mock: Emulator) -> None:
    mock.faults({"status": 429, "headers": {"Retry-After": "90"}})
    with pytest.raises(ocus.RateLimitError) as caught:
        client(mock, max_retries=2).projects.get(ID0)
    assert caught.value.retry_after == 90.0
    assert caught.value.code == "rate_limited"
    mock.faults({"status": 503})
    with pytest.raises(ocus.InternalServerError) as caught_503:
        client(mock).projects.get(ID0)
    assert type(caught_503.value) is ocus.ServiceUnavailableError


def test_configuration_errors_are_value_errors_and_bad_arguments_are_typed(mock: Emulator) -> None:
    with pytest.raises(ValueError):
        ocus.Client(api_key="has space", base_url=mock.base_url)
    with pytest.raises(ocus.ConfigurationError, match="no API key"):
        ocus.Client(base_url=mock.base_url)
    with pytest.raises(ocus.ConfigurationError, match="insecure"):
        ocus.Client(api_key=ALPHA, base_url="http://api.ocus.io/v3")
    with pytest.raises(ocus.ConfigurationError, match="timeout"):
        ocus.Client(api_key=ALPHA, timeout=-1)
    with pytest.raises(ocus.ConfigurationError, match="max_retries"):
        ocus.Client(api_key=ALPHA, max_retries=-1)
    c = client(mock)
    with pytest.raises(TypeError, match="not JSON serialisable"):
        c.request("POST", "/projects", json={"when": object()})
    with pytest.raises(TypeError):
        c.request("GET", "/projects", params={"a": object()})
    with pytest.raises(ocus.ConfigurationError, match="page_size"):
        c.projects.list_page(page_size=-5)
    # Zero is a value like any other (not "unset"), checked by the core for every language.
    with pytest.raises(ocus.ConfigurationError, match="page_size must be a whole number from 1, not 0"):
        c.projects.list_page(page_size=0)
    with pytest.raises(ocus.ConfigurationError, match="timeout must be a positive number of seconds, not 0"):
        c.projects.get(ID0, timeout=0)
    with pytest.raises(ocus.ConfigurationError, match="max_retries must be a whole number from 0 to 100, not 1.5"):
        c.request("GET", "/projects", max_retries=1.5)
    with pytest.raises(ocus.ConfigurationError, match='unknown option "timeot" \\(did you mean "timeout"\\?'):
        c.projects.get(ID0, timeot=5)
    with pytest.raises(ocus.ConfigurationError, match='unknown option "json"'):
        c.projects.get(ID0, json={})
    with pytest.raises(ocus.ConfigurationError, match='unknown option "max_retry" \\(did you mean "max_retries"\\?'):
        ocus.Client(api_key=ALPHA, max_retry=1)
    with pytest.raises(ocus.ConfigurationError, match="must be a string, number, boolean or a list"):
        c.request("GET", "/projects", params={"a": {"nested": 1}})
    assert mock.requests() == []


def test_client_reads_the_environment(mock: Emulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OCUS_API_KEY", BETA)
    monkeypatch.setenv("OCUS_BASE_URL", mock.base_url)
    ocus.Client().projects.list_page(page_size=1)
    monkeypatch.delenv("OCUS_API_KEY")
    key_file = tmp_path / "key"
    key_file.write_text(ALPHA + "\n")
    monkeypatch.setenv("OCUS_API_KEY_FILE", str(key_file))
    ocus.Client().projects.list_page(page_size=1)
    assert [r["key"] for r in mock.requests()] == ["beta", "alpha"]


def test_projects_read_like_python_objects(mock: Emulator) -> None:
    project = client(mock).projects.get(ID0)
    assert project.id == ID0
    assert project.name == "Shoot #001 in Paris"
    assert project.address["city"] == "Paris"
    assert project.get("missing", 7) == 7
    with pytest.raises(AttributeError):
        project.no_such_attribute
    assert project.to_dict()["attributes"]["status"] == "not_assigned"
    assert repr(project) == f'Project(id="{ID0}", status="not_assigned", name="Shoot #001 in Paris")'
    page = client(mock).projects.list_page(page_size=3)
    assert len(page) == 3 and page.has_next and page.next_url
    assert [p.id for p in page][0] == ID0
    assert page.meta["total"] == 135
    pages = list(client(mock).projects.pages(page_size=50))
    assert [len(p) for p in pages] == [50, 50, 35]


def test_results_carry_their_response(mock: Emulator) -> None:
    c = client(mock)
    project = c.projects.get(ID0)
    assert project.response is not None
    assert project.response.status_code == 200
    assert project.response.request_id and project.response.request_id.startswith("req_")
    assert project.response.headers["x-request-id"] == project.response.request_id
    assert project.response.url.endswith(f"/v3/projects/{ID0}") and project.response.attempts == 1
    assert repr(project.response) == f'Response(status_code=200, request_id="{project.response.request_id}")'
    page = c.projects.list_page(page_size=2)
    assert page.response is not None and page.response.status_code == 200
    assert all(p.response is None for p in page)  # a project of a page: see the page's
    assert project == c.projects.get(ID0)  # equality is about the resource, not the response
    pages = list(c.projects.pages(page_size=100))
    ids = {p.response.request_id for p in pages if p.response is not None}
    assert len(ids) == 2
    assert isinstance(c.request("GET", "/projects"), dict)
    data, response = c.request("GET", "/projects", params={"page[size]": 1}, with_response=True)
    assert data["meta"]["page_size"] == 1 and isinstance(response, ocus.Response)
    assert response.url.endswith("/v3/projects?page%5Bsize%5D=1")

    async def main() -> None:
        ac = ocus.AsyncClient(api_key=ALPHA, base_url=mock.base_url)
        data, response = await ac.request("GET", f"/projects/{ID0}", with_response=True)
        assert data["data"]["id"] == ID0 and response.status_code == 200
        got = await ac.projects.get(ID0)
        assert got.response is not None and got.response.request_id != response.request_id
        async for page in ac.projects.pages(page_size=100):
            assert page.response is not None and page.response.status_code == 200
        await ac.aclose()

    asyncio.run(main())


def _descriptors_and_threads() -> tuple[int, int]:
    return len(os.listdir("/proc/self/fd")), len(os.listdir("/proc/self/task"))


def test_a_thousand_clients_used_once_leave_descriptors_and_threads_as_they_were(
    mock: Emulator, capfd: pytest.CaptureFixture[str]
) -> None:
    closed = True

    def used_once() -> None:
        nonlocal closed
        closed = not closed  # half closed, half only collected: both leave nothing behind
        if closed:
            with ocus.Client(api_key=ALPHA, base_url=mock.base_url) as c:
                c.projects.get(ID0)
        else:
            ocus.Client(api_key=ALPHA, base_url=mock.base_url).projects.get(ID0)

    used_once()  # what starts once per process is there before counting
    gc.collect()
    fds, threads = _descriptors_and_threads()
    started = time.monotonic()
    for _ in range(1000):
        used_once()
    elapsed = time.monotonic() - started
    gc.collect()
    after = _descriptors_and_threads()
    assert after[0] <= fds + 2 and after[1] <= threads + 2, ((fds, threads), after, f"{elapsed:.1f} s")
    assert capfd.readouterr() == ("", ""), "no warning, on any stream"



def test_close_and_context_manager(mock: Emulator) -> None:
    with client(mock) as c:
        c.projects.list_page(page_size=1)
    assert c.is_closed
    with pytest.raises(ocus.ConfigurationError, match="closed"):
        c.projects.get(ID0)
    c.close()  # idempotent


def test_several_clients_with_different_keys(mock: Emulator) -> None:
    a, b = client(mock), client(mock, api_key=BETA)
    a.projects.list_page(page_size=1)
    b.projects.list_page(page_size=1)
    a.rotate_api_key(BETA)
    a.projects.list_page(page_size=1)
    assert [r["key"] for r in mock.requests()] == ["alpha", "beta", "beta"]


def test_the_key_never_appears_in_repr_errors_tracebacks_or_logs(
    mock: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "sk_test_revoked"
    caplog.set_level(logging.DEBUG, logger="ocus")
    c = client(mock, api_key=secret)
    texts = [repr(c), str(c)]
    try:
        c.projects.list_page()
    except ocus.OcusError as error:
        texts += [str(error), repr(error), traceback.format_exc(), repr(error.__dict__)]
    try:
        ocus.Client(api_key=secret + "\n", base_url=mock.base_url)
    except ocus.ConfigurationError as error:
        texts += [str(error), traceback.format_exc()]
    ok = client(mock)
    ok.projects.list_page(page_size=1)
    assert any("request succeeded" in r.getMessage() for r in caplog.records), caplog.text
    assert any(r.name == "ocus" for r in caplog.records)
    texts.append(caplog.text)
    for text in texts:
        assert secret not in text and ALPHA not in text, text


def test_logs_reach_logging_at_every_level_without_the_key(
    mock: Emulator, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    caplog.set_level(1, logger="ocus")  # the most verbose there is
    key_file = tmp_path / "key"
    key_file.write_text("sk_test_revoked")
    c = ocus.Client(api_key_file=key_file, base_url=mock.base_url, max_retries=1)
    key_file.write_text(ALPHA)  # rotated on disk: the 403 re-reads it
    c.request("GET", "/projects", params={"page[size]": 1})
    mock.faults({"status": 503, "headers": {"retry-after": "0"}, "times": 1})
    c.projects.get(ID0)
    with pytest.raises(ocus.NotFoundError):
        c.projects.get("missing")
    got = [(r.levelname, r.getMessage().split(" method=")[0]) for r in caplog.records]
    assert got == [
        ("DEBUG", "request failed"),
        ("INFO", "API key file changed; retrying with the new key"),
        ("DEBUG", "request succeeded"),
        ("DEBUG", "request failed"),
        ("DEBUG", "retrying"),
        ("DEBUG", "request succeeded"),
        ("DEBUG", "request failed"),
    ], caplog.text
    assert caplog.records[-1].getMessage().startswith(
        "request failed method=GET path=/v3/projects/missing status=404 kind=not_found attempt=1 elapsed_ms="
    )
    assert ALPHA not in caplog.text and "sk_test_revoked" not in caplog.text and "page" not in caplog.text
    caplog.clear()
    # log_level (or OCUS_LOG) caps what reaches logging; logging's own level still filters.
    ocus.Client(api_key=ALPHA, base_url=mock.base_url, log_level="off").projects.get(ID0)
    monkeypatch.setenv("OCUS_LOG", "warn")
    ocus.Client(api_key=ALPHA, base_url=mock.base_url).projects.get(ID0)
    assert caplog.records == []
    monkeypatch.setenv("OCUS_LOG", "loud")
    with pytest.raises(ocus.ConfigurationError, match='OCUS_LOG must be one of off, error, warn, info, debug, trace, not "loud"'):
        ocus.Client(api_key=ALPHA, base_url=mock.base_url)


def test_threads_run_concurrently_with_the_gil_released(mock: Emulator) -> None:
    c = client(mock)
    mock.faults({"delay_ms": 500, "times": 4})
    errors: list[BaseException] = []

    def work() -> None:
        try:
            c.projects.get(ID0)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    started = time.monotonic()
    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    assert not errors
    assert elapsed < 1.5, f"4 x 500 ms took {elapsed:.2f} s: requests were serialised"


def test_async_client_gathers_hundreds_of_requests(mock: Emulator) -> None:
    async def main() -> list[ocus.Project]:
        async with ocus.AsyncClient(api_key=ALPHA, base_url=mock.base_url) as c:
            return await asyncio.gather(*(c.projects.get(ID0) for _ in range(300)))

    projects = asyncio.run(main())
    assert len(projects) == 300 and all(p.id == ID0 for p in projects)


@pytest.mark.skipif(sys.platform != "linux" or os.environ.get("OCUS_PYTHON_THREADED") == "1",
                    reason="the event-loop runtime is Linux's (and not asked away)")
def test_async_calls_run_on_the_event_loop_and_one_client_serves_every_loop(mock: Emulator) -> None:
    from ocus import _ocus

    assert _ocus._async_path() == "event-loop"
    c = ocus.AsyncClient(api_key=ALPHA, base_url=mock.base_url)

    async def gather(count: int) -> list[str]:
        return [p.id for p in await asyncio.gather(*(c.projects.get(ID0) for _ in range(count)))]

    # One asyncio.run after another (a new loop each): the pooled connections of the first
    # still serve the second.
    assert asyncio.run(gather(50)) == [ID0] * 50
    assert asyncio.run(gather(50)) == [ID0] * 50
    # Two loops at once on two threads, one client: a call finished in the other loop's turn
    # reaches its own loop.
    results: list[list[str]] = []
    errors: list[BaseException] = []

    def loop_thread() -> None:
        try:
            results.append(asyncio.run(asyncio.wait_for(gather(200), 20)))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=loop_thread) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and results == [[ID0] * 200] * 2


@pytest.mark.skipif(sys.platform != "linux", reason="counts /proc/self/fd")
def test_each_asyncio_run_leaves_nothing_behind(mock: Emulator) -> None:
    c = ocus.AsyncClient(api_key=ALPHA, base_url=mock.base_url, timeout=30)
    loops: list[weakref.ref[asyncio.AbstractEventLoop]] = []

    async def main() -> None:
        loops.append(weakref.ref(asyncio.get_running_loop()))
        assert (await c.projects.get(ID0)).id == ID0

    asyncio.run(main())  # the runtime and a pooled connection exist from here on
    gc.collect()
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(5):
        asyncio.run(main())
    gc.collect()
    assert [loop() for loop in loops] == [None] * 6, "every loop and its bridge are freed"
    assert len(os.listdir("/proc/self/fd")) == before

    # A call cancelled as its loop ends: its connection is closed by then, not at some later
    # loop's turn.
    mock.faults({"action": "hang", "times": 1})

    async def cancelled_at_the_end() -> None:
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(c.projects.get(ID0), 0.3)

    asyncio.run(cancelled_at_the_end())
    gc.collect()
    # The hung call took the pooled connection (counted in `before`).
    assert len(os.listdir("/proc/self/fd")) == before - 1, "the hung call's connection is closed"


def test_async_calls_on_the_threads_when_asked(mock: Emulator) -> None:
    # OCUS_PYTHON_THREADED=1 (read once per process): the path macOS and Windows take.
    program = """
import asyncio, sys, time, ocus
from ocus import _ocus
assert _ocus._async_path() == "threads", _ocus._async_path()
async def main():
    async with ocus.AsyncClient(api_key=sys.argv[2], base_url=sys.argv[1], timeout=30) as c:
        started = time.monotonic()
        try:  # the emulator hangs this one: cancelled by wait_for
            await asyncio.wait_for(c.projects.get(sys.argv[3]), 0.3)
            raise AssertionError("not cancelled")
        except asyncio.TimeoutError:
            pass
        assert time.monotonic() - started < 2
        projects = await asyncio.gather(*(c.projects.get(sys.argv[3]) for _ in range(100)))
        assert [p.id for p in projects] == [sys.argv[3]] * 100
        try:
            await c.projects.get("missing")
            raise AssertionError("no error")
        except ocus.NotFoundError:
            pass
asyncio.run(main())
print("ok")
"""
    mock.faults({"action": "hang", "times": 1})
    result = subprocess.run([sys.executable, "-c", program, mock.base_url, ALPHA, ID0], capture_output=True,
                            text=True, timeout=60, env={**os.environ, "OCUS_PYTHON_THREADED": "1"})
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr


class _LoopWithoutAddReader(asyncio.SelectorEventLoop):
    """Watches no descriptors, as Windows' default ProactorEventLoop (its add_reader raises
    NotImplementedError); sock_recv still works, as on every loop."""

    def __init__(self) -> None:
        super().__init__()
        self.set_debug(True)  # asyncio's own checks on how its socket calls are used

    def add_reader(self, *args: Any) -> None:
        raise NotImplementedError


@pytest.mark.skipif(sys.version_info < (3, 11), reason="asyncio.Runner(loop_factory=...) is 3.11+")
def test_async_client_works_on_a_loop_that_watches_no_descriptors(mock: Emulator) -> None:
    mock.faults({"path": "/v3/projects/", "delay_ms": 50, "times": 20})

    async def main() -> list[str]:
        async with ocus.AsyncClient(api_key=ALPHA, base_url=mock.base_url) as c:
            projects = await asyncio.gather(*(c.projects.get(ID0) for _ in range(200)))
            with pytest.raises(ocus.NotFoundError):
                await c.projects.get("missing")
            ids = [p.id async for p in c.projects.list(page_size=100)]
            assert len(ids) == 135
            doorbells = [t for t in asyncio.all_tasks() if t.get_name() == "ocus-doorbell"]
            assert len(doorbells) == 1, "one doorbell task per loop"
            # Cancelled (as user code cancelling every task would): the next call starts it again.
            doorbells[0].cancel()
            await asyncio.sleep(0)
            assert (await asyncio.wait_for(c.projects.get(ID0), 10)).id == ID0
            return [p.id for p in projects]

    with asyncio.Runner(loop_factory=_LoopWithoutAddReader) as runner:
        assert runner.run(main()) == [ID0] * 200
        # A second run on the same loop reuses its bridge and doorbell task.
        assert runner.run(main()) == [ID0] * 200
    # A fresh loop of the same kind gets a bridge of its own.
    with asyncio.Runner(loop_factory=_LoopWithoutAddReader) as runner:
        assert runner.run(main()) == [ID0] * 200


def test_async_iteration_pages_and_errors(mock: Emulator) -> None:
    async def main() -> None:
        c = ocus.AsyncClient(api_key=ALPHA, base_url=mock.base_url, max_retries=0)
        ids = [p.id async for p in c.projects.list(page_size=40)]
        assert len(ids) == 135 and len(set(ids)) == 135
        sizes = [len(page) async for page in c.projects.pages(page_size=100)]
        assert sizes == [100, 35]
        page = await c.projects.list_page(page_size=2)
        assert len(page) == 2
        assert (await c.request("GET", "/projects", params={"page[size]": 1}))["meta"]["page_size"] == 1
        with pytest.raises(ocus.NotFoundError):
            await c.projects.get("missing")
        revoked = ocus.AsyncClient(api_key="sk_test_revoked", base_url=mock.base_url)
        with pytest.raises(ocus.PermissionDeniedError):
            await revoked.projects.get(ID0)
        await c.aclose()
        assert c.is_closed

    asyncio.run(main())


def test_async_requests_never_block_the_event_loop(mock: Emulator) -> None:
    mock.faults({"delay_ms": 500})

    async def main() -> int:
        c = ocus.AsyncClient(api_key=ALPHA, base_url=mock.base_url)
        ticks = 0
        request = asyncio.ensure_future(c.projects.get(ID0))
        while not request.done():
            await asyncio.sleep(0.01)
            ticks += 1
        await request
        return ticks

    assert asyncio.run(main()) >= 25


def test_cancelling_a_task_cancels_the_request(mock: Emulator) -> None:
    mock.faults({"action": "hang"})

    async def main() -> float:
        c = ocus.AsyncClient(api_key=ALPHA, base_url=mock.base_url, timeout=30)
        task = asyncio.ensure_future(c.projects.get(ID0))
        await asyncio.sleep(0.2)
        started = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        cancelled_in = time.monotonic() - started
        assert (await c.projects.get(ID0)).id == ID0
        return cancelled_in

    assert asyncio.run(main()) < 1.0
    # asyncio.wait_for's timeout cancels the same way.
    mock.faults({"action": "hang"})

    async def with_wait_for() -> None:
        c = ocus.AsyncClient(api_key=ALPHA, base_url=mock.base_url)
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(c.projects.get(ID0), 0.3)

    asyncio.run(with_wait_for())


def _run_in_child(body: Any) -> int:
    """Forks; the child runs body() and exits 0 on success. The parent waits at most 20 s."""
    pid = os.fork()
    if pid == 0:  # child
        code = 1
        try:
            signal.alarm(20)
            body()
            code = 0
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)
    deadline = time.monotonic() + 25
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    raise AssertionError("the child hung after fork")


@pytest.mark.skipif(sys.platform == "win32", reason="fork")
def test_a_client_used_before_fork_works_in_the_child_and_the_parent(mock: Emulator) -> None:
    c = client(mock)
    c.projects.get(ID0)  # the runtime and connection pool exist before the fork
    async_client = ocus.AsyncClient(api_key=ALPHA, base_url=mock.base_url)

    def child() -> None:
        assert c.projects.get(ID0).id == ID0
        assert len(list(c.projects.list(page_size=100))) == 135

        async def use_async() -> None:
            assert (await async_client.projects.get(ID0)).id == ID0

        asyncio.run(use_async())

    assert _run_in_child(child) == 0
    assert c.projects.get(ID0).id == ID0  # and the parent goes on
    # The other direction: a client first used in a child, then by the parent.
    fresh = client(mock)
    assert _run_in_child(lambda: fresh.projects.get(ID0)) == 0
    assert fresh.projects.get(ID0).id == ID0


def test_webhooks_from_the_emulator_verify(mock: Emulator) -> None:
    received: list[Any] = []

    class Receiver(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers["content-length"]))
            try:
                event = ocus.webhooks.verify(body, self.headers.get(ocus.webhooks.SIGNATURE_HEADER), "whsec_py")
                received.append((event.id, event.status, event.signed_part))
                self.send_response(204)
            except ocus.SignatureVerificationError as error:
                received.append(error.code)
                self.send_response(400)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    try:
        base = {"url": url, "secret": "whsec_py", "event": "project.status.updated", "status": "completed"}
        statuses = [
            mock.admin("POST", "/__admin/webhooks", {**base, **extra})["receiver_status"]
            for extra in (
                {},
                {"tamper": True},
                {"omit_signature": True},
                {"signed_part": "data"},
                {"signed_part": "data", "tamper": True},
            )
        ]
    finally:
        server.shutdown()
    assert statuses == [204, 400, 400, 204, 400]
    assert received == [
        ("project.status.updated", "completed", "body"),
        "signature_mismatch",
        "missing_signature",
        ("project.status.updated", "completed", "data"),
        "signature_mismatch",
    ]


def _rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


WINDOWS = 8
PER_WINDOW = 15_000
# Half the smallest leak this test must catch (100 bytes per request).
MAX_BYTES_PER_REQUEST = 50


def _steady_slope(samples: list[float], per_window: int) -> float:
    """Growth in bytes per request between the median of the first four samples and that of the
    last four: allocator noise and a one-off step move one side only, a leak moves both apart."""
    distance = (len(samples) - 4) * per_window
    return (statistics.median(samples[-4:]) - statistics.median(samples[:4])) / distance


def test_the_slope_statistic_ignores_a_step_and_catches_a_100_byte_leak() -> None:
    mib = 2**20
    step = [m * mib for m in (80, 80.1, 80, 83.2, 83.3, 83.2, 83.3, 83.2, 83.3)]  # up to ~3.5 MiB
    assert _steady_slope(step, PER_WINDOW) < MAX_BYTES_PER_REQUEST
    noise = [1, -1, 0.5, 1, -0.5, 0.2, -1, 1, -1]
    leaking = [80 * mib + i * PER_WINDOW * 100 + n * mib for i, n in enumerate(noise)]
    assert _steady_slope(leaking, PER_WINDOW) >= MAX_BYTES_PER_REQUEST


def test_no_steady_memory_growth_over_many_requests(mock: Emulator) -> None:
    c = client(mock)

    def window() -> None:
        # Four threads (the GIL is released while requests run): a window takes a few seconds.
        def worker() -> None:
            for _ in range(PER_WINDOW // 4):
                c.projects.get(ID0)

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        gc.collect()

    window()  # warm-up: pools, caches and the allocator settle
    samples = [float(_rss_kib() * 1024)]
    for _ in range(WINDOWS):
        window()
        samples.append(float(_rss_kib() * 1024))
    slope = _steady_slope(samples, PER_WINDOW)
    shown = ", ".join(f"{s / 2**20:.1f}" for s in samples)
    print(f"memory: {slope:.1f} B/request; RSS per window (MiB): {shown}")
    assert slope < MAX_BYTES_PER_REQUEST, f"{slope:.1f} B/request; RSS per window (MiB): {shown}"


def test_a_private_ca_is_trusted_through_ca_bundle_as_a_path(mock: Emulator) -> None:
    base_url, ca = mock.placeholders["tls_base_url"], mock.placeholders["tls_ca_file"]
    with pytest.raises(ocus.APIConnectionError, match="ca_bundle") as refused:
        ocus.Client(api_key=ALPHA, base_url=base_url, max_retries=0).projects.get(ID0)
    assert refused.value.code == "certificate_untrusted"
    assert refused.value.__cause__ is not None
    with ocus.Client(api_key=ALPHA, base_url=base_url, max_retries=0, ca_bundle=Path(ca)) as client:
        assert client.projects.get(ID0).id == ID0
    with pytest.raises(ocus.ConfigurationError, match="/nonexistent/ca.pem"):
        ocus.Client(api_key=ALPHA, ca_bundle="/nonexistent/ca.pem")
