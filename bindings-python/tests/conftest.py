"""Fixtures: the emulator (one per session, reset per test) and its admin API."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = REPO / "tests" / "scenarios"


class Emulator:
    def __init__(self, process: subprocess.Popen[str], base_url: str) -> None:
        self.process = process
        self.base_url = base_url
        self.admin_url = base_url[: -len("/v3")]
        tls = self.admin("GET", "/__admin/info")["tls"]
        # The scenarios' ${name} placeholders: the HTTPS listeners and the private CA (--tls).
        self.placeholders = {f"tls_{name}": value for name, value in tls.items()}
        # And the real proxy of scripts/with-proxy, which `make test` runs the tests under.
        for name, variable in (("proxy_url", "OCUS_TEST_PROXY_URL"), ("proxy_bad_url", "OCUS_TEST_PROXY_BAD_URL")):
            if variable in os.environ:
                self.placeholders[name] = os.environ[variable]

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.admin_url + path, data=data, method=method, headers={"content-type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null")

    def reset(self, keys: Any = None) -> None:
        self.admin("POST", "/__admin/reset", {"keys": keys} if keys is not None else {})

    def faults(self, *faults: Any) -> None:
        self.admin("POST", "/__admin/faults", list(faults))

    def requests(self) -> list[dict[str, Any]]:
        return list(self.admin("GET", "/__admin/requests")["requests"])


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    binary = os.environ.get("OCUS_MOCK_BIN") or str(REPO / "target" / "debug" / "ocus-mock")
    process = subprocess.Popen(
        [binary, "--addr", "127.0.0.1:0", "--tls"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    assert process.stdout is not None
    base_url = process.stdout.readline().strip()
    assert base_url.startswith("http://127.0.0.1:"), base_url
    try:
        yield Emulator(process, base_url)
    finally:
        process.kill()
        process.wait()


ALPHA = "sk_test_alpha"
BETA = "sk_test_beta"
KEYS = [
    {"key": ALPHA, "state": "valid", "name": "alpha"},
    {"key": BETA, "state": "valid", "name": "beta"},
    {"key": "sk_test_revoked", "state": "revoked", "name": "revoked"},
]


@pytest.fixture()
def mock(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Emulator:
    """The emulator, reset with known keys; OCUS_* cleared so nothing leaks in from outside."""
    for name in ("OCUS_API_KEY", "OCUS_API_KEY_FILE", "OCUS_BASE_URL", "OCUS_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    emulator.reset(KEYS)
    return emulator
