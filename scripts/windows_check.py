#!/usr/bin/env python3
"""`make windows-check` (part of `make dist-check-all`): the library built for Windows here and
run here, under Wine, against the emulator on loopback. The first Windows runs of the project:

  - the C ABI (`ocus-ffi`) for x86_64-pc-windows-gnu, built with Debian's mingw-w64, and a C
    program (the main README's C block, plus a webhook signed and verified) linked against its
    static library with the flags `rustc --print native-static-libs` gives for that target;
  - the CLI (`ocus.exe`), listing projects, failing on a missing one with its exit code, and
    signing then verifying a webhook delivery;
  - the JVM's native library (`ocus_jvm.dll`, what the jar carries for win32-x86-64), loaded
    by LoadLibrary and asked for its uniffi contract version (no Windows JVM comes from the
    registries this project may use, so JNA itself is not run);
  - the Go module with that library in lib/windows_amd64 (as `make dist` lays it out), and
    Go programs cross-compiled against it (GOOS=windows, cgo with MinGW's gcc): the Go
    README's blocks (a listing, a typed 404, a verified webhook) and 200 overlapping calls
    (the started path: results cross through the completion queue's socket).

Each runs as a Windows process under Wine (`wine`), with the emulator (a Linux process) on
127.0.0.1: one listing, one typed error, one verified webhook. Needs mingw-w64 and wine64
(`make windows-tools` installs them from Debian) and the Rust target
x86_64-pc-windows-gnu (`rustup target add`, done by the Makefile).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dist_check import ROOT, emulator, expect, failures  # noqa: E402
from dist import WINDOWS_EXTRA_LINK, WINDOWS_GNU, mingw_env  # noqa: E402
from readme_test import blocks  # noqa: E402

TARGET = WINDOWS_GNU
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


OVERLAPPING_GO = """package main

import (
	"context"
	"fmt"
	"log"
	"sync"

	"github.com/ocus/ocus-go"
)

func main() {
	c, err := ocus.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	page, err := c.Projects.ListPage(ctx, &ocus.ListParams{PageSize: 50})
	if err != nil {
		log.Fatal(err)
	}
	var wg sync.WaitGroup
	failed := make(chan error, 200)
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func(id string) {
			defer wg.Done()
			project, err := c.Projects.Get(ctx, id)
			if err == nil && project.ID != id {
				err = fmt.Errorf("asked for %s, got %s", id, project.ID)
			}
			if err != nil {
				failed <- err
			}
		}(page.Data[i%len(page.Data)].ID)
	}
	wg.Wait()
	close(failed)
	for err := range failed {
		log.Fatal(err)
	}
	fmt.Println("200 overlapping calls: every one its own project")
}
"""


LOAD_DLL_C = r"""
#include <stdio.h>
#include <windows.h>

int main(void) {
  HMODULE library = LoadLibraryA("ocus_jvm.dll");
  if (library == NULL) {
    printf("LoadLibrary failed: %lu\n", GetLastError());
    return 1;
  }
  FARPROC found = GetProcAddress(library, "ffi_ocus_jvm_uniffi_contract_version");
  if (found == NULL) {
    printf("no ffi_ocus_jvm_uniffi_contract_version\n");
    return 1;
  }
  unsigned int (*contract_version)(void) = (unsigned int (*)(void))(void *)found;
  printf("uniffi contract version %u\n", contract_version());
  return 0;
}
"""


def go_module() -> Path:
    """The Go module as `make dist` lays it out, with the Windows library in it."""
    module = WORK / "ocus-go"
    shutil.rmtree(module, ignore_errors=True)
    shutil.copytree(ROOT / "bindings-go-ffi" / "go", module, ignore=shutil.ignore_patterns("*_test.go", "lib", "include"))
    ffi = module / "internal" / "ffi"
    (ffi / "include").mkdir()
    shutil.copy(ROOT / "bindings-go-ffi" / "include" / "ocus.h", ffi / "include" / "ocus.h")
    (ffi / "lib" / "windows_amd64").mkdir(parents=True)
    shutil.copy(OUT / "libocus_ffi.a", ffi / "lib" / "windows_amd64" / "libocus_ffi.a")
    return module


def go_programs(module: Path) -> dict[str, tuple[Path, str]]:
    """The Go README's blocks and the overlapping calls, each built for windows/amd64."""
    app = WORK / "goapp"
    shutil.rmtree(app, ignore_errors=True)
    app.mkdir()
    (app / "go.mod").write_text(f"module example.com/goapp\n\ngo 1.23\n\nrequire github.com/ocus/ocus-go v0.0.0\n\n"
                                f"replace github.com/ocus/ocus-go => {module}\n")
    sources = {b.label: b.code for b in blocks("bindings-go-ffi/go/README.md") if b.lang == "go" and not b.skip}
    sources["overlapping"] = OVERLAPPING_GO
    env = {**os.environ, "GOOS": "windows", "GOARCH": "amd64", "CGO_ENABLED": "1", "CC": f"{MINGW}-gcc",
           "GOFLAGS": "-mod=mod", "GOPROXY": "off"}
    programs = {}
    for name, source in sources.items():
        (app / name).mkdir()
        (app / name / "main.go").write_text(source)
        must(run("go", "build", "-o", app / f"{name}.exe", f"./{name}", env=env, cwd=app), f"go build {name} for windows/amd64")
        # What each must print: the typed 404, the rejected signature, the overlapping calls.
        wanted = ("not_found (404)" if "ErrNotFound" in source else "rejected:" if "webhooks.Verify" in source
                  else "200 overlapping calls")
        programs[name] = (app / f"{name}.exe", wanted)
    return programs


def run(*args: str | Path, env: dict[str, str] | None = None, cwd: Path = ROOT,
        stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    print(f"+ {' '.join(str(a) for a in args)}", flush=True)
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, text=True, capture_output=True, input=stdin)


def must(result: subprocess.CompletedProcess[str], what: str) -> subprocess.CompletedProcess[str]:
    if result.returncode != 0:
        sys.exit(f"windows-check: {what} failed ({result.returncode}):\n{result.stdout[-2000:]}{result.stderr[-4000:]}")
    return result


def native_static_libs() -> list[str]:
    result = must(run("cargo", "rustc", "--locked", "--release", "-p", "ocus-ffi", "--target", TARGET,
                      "--crate-type", "staticlib", "--", "--print", "native-static-libs", env=mingw_env()),
                  "rustc --print native-static-libs")
    # rustc's list leaves winpthreads out (seen: undefined pthread_rwlock_wrlock, pthread_once).
    return [*re.search(r"native-static-libs: (.*)", result.stderr).group(1).split(), *WINDOWS_EXTRA_LINK.split()]


# A Wine prefix of our own (made once: the first start takes a while); no debug chatter.
WINE = {"WINEPREFIX": str(WORK / "wine"), "WINEDEBUG": "-all"}


def wine_prefix() -> None:
    """Makes the prefix, with the stand-in bcryptprimitives.dll in its system32."""
    must(run("wineboot", "--init", env={**os.environ, **WINE}), "wineboot")
    system32 = WORK / "wine" / "drive_c" / "windows" / "system32"
    if not (system32 / "bcryptprimitives.dll").exists():
        (WORK / "prng.c").write_text(PROCESS_PRNG_C)
        (WORK / "prng.def").write_text("LIBRARY bcryptprimitives\nEXPORTS\n  ProcessPrng\n")
        must(run(f"{MINGW}-gcc", "-shared", "-O2", "-o", system32 / "bcryptprimitives.dll", WORK / "prng.c",
                 WORK / "prng.def", "-ladvapi32"), "the bcryptprimitives stand-in")


def main() -> None:
    started = time.monotonic()
    WORK.mkdir(parents=True, exist_ok=True)
    must(run("cargo", "build", "--locked", "--release", "--target", TARGET, "-p", "ocus-ffi", "-p", "ocus-cli",
             "-p", "ocus-jvm", env=mingw_env()), f"cargo build --target {TARGET}")
    shutil.copy(OUT / "ocus_jvm.dll", WORK / "ocus_jvm.dll")
    (WORK / "load_dll.c").write_text(LOAD_DLL_C)
    must(run(f"{MINGW}-gcc", "-Wall", "-Werror", "-o", WORK / "load_dll.exe", WORK / "load_dll.c"), "mingw gcc load_dll.c")
    libs = native_static_libs()
    [readme_c] = [b.code for b in blocks("README.md") if b.lang == "c" and not b.skip]
    programs = {}
    for name, source in (("readme", readme_c), ("webhook", WEBHOOK_C)):
        (WORK / f"{name}.c").write_text(source)
        must(run(f"{MINGW}-gcc", "-Wall", "-Wextra", "-Werror", "-std=c11", "-I", ROOT / "bindings-go-ffi" / "include",
                 WORK / f"{name}.c", OUT / "libocus_ffi.a", *libs, "-static", "-o", WORK / f"{name}.exe"),
             f"mingw gcc {name}.c")
        programs[name] = WORK / f"{name}.exe"
    go = go_programs(go_module())
    mock = ROOT / "target" / "release" / "ocus-mock"
    with emulator([str(mock)], dict(os.environ), WORK) as base:
        wine_prefix()
        env = {**os.environ, **WINE, "OCUS_BASE_URL": base, "OCUS_API_KEY": "ocus_demo_key"}
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
        out = run("wine", WORK / "load_dll.exe", env=env, cwd=WORK)
        expect(out.returncode == 0 and "uniffi contract version" in out.stdout,
               f"ocus_jvm.dll (the jar's win32-x86-64 library) loads under Wine\n{out.stdout}{out.stderr[-1500:]}")
        for name, (program, wanted) in go.items():
            # A bounded wait: a completion that never crosses would hang the program.
            out = run("timeout", "120", "wine", program, env=env, cwd=WORK)
            expect(out.returncode == 0 and wanted in out.stdout,
                   f"the Go program {name} (windows/amd64) under Wine\n{out.stdout[-600:]}{out.stderr[-1500:]}")
    print(f"\nwindows-check: {len(failures)} failed, {time.monotonic() - started:.0f} s")
    if failures:
        sys.exit(1)


if __name__ == "__main__":
    main()
