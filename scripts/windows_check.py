#!/usr/bin/env python3
"""`make windows-check` (part of `make dist-check-all`): the library built for Windows here and
run here, under Wine, against the emulator on loopback. The first Windows runs of the project:

  - the C ABI (`ocus-ffi`) for x86_64-pc-windows-gnu, built with Debian's mingw-w64, and a C
    program (the main README's C block, plus a webhook signed and verified) linked against its
    static library with the flags `rustc --print native-static-libs` gives for that target;
  - the CLI (`ocus.exe`), listing projects, failing on a missing one with its exit code, and
    signing then verifying a webhook delivery.

Each runs as a Windows process under Wine (`wine`), with the emulator (a Linux process) on
127.0.0.1: one listing, one typed error, one verified webhook. Needs mingw-w64 and wine64
(`make windows-tools` installs them from Debian) and the Rust target
x86_64-pc-windows-gnu (`rustup target add`, done by the Makefile).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dist_check import ROOT, emulator, expect, failures  # noqa: E402
from readme_test import blocks  # noqa: E402

TARGET = "x86_64-pc-windows-gnu"
MINGW = "x86_64-w64-mingw32"
OUT = ROOT / "target" / TARGET / "release"
WORK = ROOT / "target" / "windows-check"

WEBHOOK_C = r"""
#include <stdio.h>
#include <string.h>

#include "ocus.h"

int main(void) {
  const char *body = "{\"type\":\"event\",\"id\":\"project.updated\",\"attributes\":{\"project_id\":\"p1\"}}";
  const char *secret = "whsec_windows";
  char *signature = NULL, *event = NULL;
  OcusError *err = NULL;
  if (ocus_webhook_sign((const uint8_t *)body, strlen(body), secret, strlen(secret), NULL, 0, &signature, &err) != OCUS_OK) {
    fprintf(stderr, "sign: %s\n", err->display);
    return 1;
  }
  if (ocus_webhook_verify((const uint8_t *)body, strlen(body), signature, strlen(signature), secret, strlen(secret),
                          &event, &err) != OCUS_OK) {
    fprintf(stderr, "verify: %s\n", err->display);
    return 1;
  }
  printf("verified %s\n", event);
  ocus_string_free(event);
  if (ocus_webhook_verify((const uint8_t *)body, strlen(body), "deadbeef", 8, secret, strlen(secret), &event, &err) == OCUS_OK) {
    return 1;
  }
  printf("rejected: %s %s\n", err->kind, err->error_code ? err->error_code : "-");
  ocus_error_free(err);
  ocus_string_free(signature);
  return 0;
}
"""


# Wine 8.0 (Debian 12's) has no bcryptprimitives.dll, whose ProcessPrng Rust's standard library
# (1.78+) imports for its random seeds; Windows 10 and later have it. The check gives the Wine
# prefix this stand-in (RtlGenRandom underneath); nothing ships it.
PROCESS_PRNG_C = r"""
#include <windows.h>
#include <ntsecapi.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
  while (length > 0) {
    ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
    if (!RtlGenRandom(data, chunk)) return FALSE;
    data += chunk;
    length -= chunk;
  }
  return TRUE;
}
"""


def run(*args: str | Path, env: dict[str, str] | None = None, cwd: Path = ROOT,
        stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    print(f"+ {' '.join(str(a) for a in args)}", flush=True)
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, text=True, capture_output=True, input=stdin)


def must(result: subprocess.CompletedProcess[str], what: str) -> subprocess.CompletedProcess[str]:
    if result.returncode != 0:
        sys.exit(f"windows-check: {what} failed ({result.returncode}):\n{result.stdout[-2000:]}{result.stderr[-4000:]}")
    return result


def cross_env() -> dict[str, str]:
    """Cargo's C compiler, archiver and linker for the Windows target: mingw-w64's."""
    key = TARGET.replace("-", "_")
    # -static: mingw's winpthreads (aws-lc's locks) linked in, not a libwinpthread-1.dll to carry.
    return {**os.environ, f"CC_{key}": f"{MINGW}-gcc", f"AR_{key}": f"{MINGW}-ar",
            f"CARGO_TARGET_{key.upper()}_LINKER": f"{MINGW}-gcc",
            f"CARGO_TARGET_{key.upper()}_RUSTFLAGS": "-C link-arg=-static"}


def native_static_libs() -> str:
    result = must(run("cargo", "rustc", "--locked", "--release", "-p", "ocus-ffi", "--target", TARGET,
                      "--crate-type", "staticlib", "--", "--print", "native-static-libs", env=cross_env()),
                  "rustc --print native-static-libs")
    libs = re.search(r"native-static-libs: (.*)", result.stderr).group(1).split()
    # Not in rustc's list: aws-lc, compiled by mingw's gcc, takes its locks and thread-locals
    # from winpthreads (seen: undefined pthread_rwlock_wrlock, pthread_once... without it).
    return [*libs, "-lpthread"]


def wine_prefix() -> dict[str, str]:
    """A Wine prefix of our own, made once (the first start takes a while), with the stand-in
    bcryptprimitives.dll in its system32."""
    env = {**os.environ, "WINEPREFIX": str(WORK / "wine"), "WINEDEBUG": "-all"}
    must(run("wineboot", "--init", env=env), "wineboot")
    system32 = WORK / "wine" / "drive_c" / "windows" / "system32"
    if not (system32 / "bcryptprimitives.dll").exists():
        (WORK / "prng.c").write_text(PROCESS_PRNG_C)
        (WORK / "prng.def").write_text("LIBRARY bcryptprimitives\nEXPORTS\n  ProcessPrng\n")
        must(run(f"{MINGW}-gcc", "-shared", "-O2", "-o", system32 / "bcryptprimitives.dll", WORK / "prng.c",
                 WORK / "prng.def", "-ladvapi32"), "the bcryptprimitives stand-in")
    return env


def wine_env(base_url: str) -> dict[str, str]:
    # A Wine prefix of our own, made once (the first start takes a while); no debug chatter.
    return {**os.environ, "WINEPREFIX": str(WORK / "wine"), "WINEDEBUG": "-all",
            "OCUS_BASE_URL": base_url, "OCUS_API_KEY": "ocus_demo_key"}


def main() -> None:
    started = time.monotonic()
    WORK.mkdir(parents=True, exist_ok=True)
    must(run("cargo", "build", "--locked", "--release", "--target", TARGET, "-p", "ocus-ffi", "-p", "ocus-cli",
             env=cross_env()), f"cargo build --target {TARGET}")
    libs = native_static_libs()
    [readme_c] = [b.code for b in blocks("README.md") if b.lang == "c" and not b.skip]
    programs = {}
    for name, source in (("readme", readme_c), ("webhook", WEBHOOK_C)):
        (WORK / f"{name}.c").write_text(source)
        must(run(f"{MINGW}-gcc", "-Wall", "-Wextra", "-Werror", "-std=c11", "-I", ROOT / "bindings-go-ffi" / "include",
                 WORK / f"{name}.c", OUT / "libocus_ffi.a", *libs, "-static", "-o", WORK / f"{name}.exe"),
             f"mingw gcc {name}.c")
        programs[name] = WORK / f"{name}.exe"
    mock = ROOT / "target" / "release" / "ocus-mock"
    with emulator([str(mock)], dict(os.environ), WORK) as base:
        wine_prefix()
        env = wine_env(base)
        out = run("wine", programs["readme"], env=env)
        expect(out.returncode == 0 and '{"value":' in out.stdout and "not_found (status 404" in out.stdout,
               f"the README's C program, for Windows, lists projects and gets a typed 404 under Wine\n{out.stdout}{out.stderr[-1500:]}")
        out = run("wine", programs["webhook"], env=env)
        expect(out.returncode == 0 and '"signed_part":"body"' in out.stdout and "rejected: invalid_signature" in out.stdout,
               f"a webhook signed and verified by the C ABI under Wine\n{out.stdout}{out.stderr[-1500:]}")
        cli = OUT / "ocus.exe"
        out = run("wine", cli, "projects", "list", "--page-size", "2", env=env)
        expect(out.returncode == 0 and '"data"' in out.stdout, f"ocus.exe projects list under Wine\n{out.stderr[-1500:]}")
        out = run("wine", cli, "projects", "get", "no-such-project", env=env)
        expect(out.returncode == 7 and "not_found" in out.stderr,
               f"ocus.exe projects get of a missing project: not_found, exit code 7 ({out.returncode})\n{out.stderr[-1500:]}")
        body = '{"type":"event","id":"project.updated","attributes":{"project_id":"p1"}}'
        secret = {**env, "OCUS_WEBHOOK_SECRET": "whsec_windows"}
        signed = run("wine", cli, "webhooks", "sign", "--secret-env", "OCUS_WEBHOOK_SECRET", env=secret, stdin=body)
        signature = signed.stdout.strip()
        verified = run("wine", cli, "webhooks", "verify", "--signature", signature, "--secret-env", "OCUS_WEBHOOK_SECRET",
                       env=secret, stdin=body)
        expect(signed.returncode == 0 and re.fullmatch(r"[0-9a-f]{64}", signature) is not None
               and verified.returncode == 0 and '"project_id"' in verified.stdout,
               f"ocus.exe webhooks sign, then verify, under Wine\n{signed.stderr[-800:]}{verified.stderr[-800:]}")
        rejected = run("wine", cli, "webhooks", "verify", "--signature", "deadbeef", "--secret-env",
                       "OCUS_WEBHOOK_SECRET", env=secret, stdin=body)
        expect(rejected.returncode == 17, f"ocus.exe webhooks verify of a wrong signature: exit code 17 ({rejected.returncode})")
    print(f"\nwindows-check: {len(failures)} failed, {time.monotonic() - started:.0f} s")
    if failures:
        sys.exit(1)


if __name__ == "__main__":
    main()
