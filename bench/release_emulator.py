"""The release emulator the benchmark scripts share: started on a port the OS picks, with the
bench key, plus the id of one project to GET and the environment the drivers run in."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import urllib.request
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
KEY = "bench_key_0123456789"


@contextlib.contextmanager
def release_emulator() -> Iterator[tuple[str, str, dict[str, str]]]:
    """(base URL, a project id, the drivers' environment) while the emulator runs."""
    mock = subprocess.Popen(
        [str(ROOT / "target/release/ocus-mock"), "--addr", "127.0.0.1:0", "--api-key", KEY],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        assert mock.stdout is not None
        base = mock.stdout.readline().strip()
        request = urllib.request.Request(f"{base}/projects?page_size=1", headers={"X-API-KEY": KEY})
        with urllib.request.urlopen(request) as response:
            project_id = json.load(response)["data"][0]["id"]
        env = {**os.environ, "KEY": KEY, "OCUS_ROOT": str(ROOT)}
        env.pop("OCUS_API_KEY", None)
        yield base, project_id, env
    finally:
        mock.kill()
