#!/usr/bin/env python3
"""`make registry-check`: the exact commands users will type once ocus is published, run
against local registries on loopback that serve dist/ (after `make dist` or `make dist-all`):

  - PyPI: pypiserver serves dist/python; `pip install ocus ocus-mock` in a fresh venv, then
    the Python example against that emulator;
  - npm: verdaccio (6.8.0, no uplink) receives `npm publish` of every tarball; `npm install
    ocus` in a fresh project picks its platform package from optionalDependencies by itself,
    then the Node example;
  - Go: dist/go/ocus-go laid out as a GOPROXY=file:// module proxy; `go get
    github.com/ocus/ocus-go@vX.Y.Z` in a fresh module, then the Go example.

Then a new user's trial of each package: in a fresh project, its own README (the page the
registry shows) followed as written: the install block typed as is against the local registry,
then every code block of the package's language, each under `ocus-mock -- COMMAND` (the
shipped emulator, as the README's testing section says). The blocks list projects, catch a
typed error and verify a webhook; one that fails, or a guess the page leaves out, fails here.

Each step runs with no cargo or rustc on PATH and a HOME of its own (dist_check's clean_env).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dist_check import DIST, ROOT, clean_env, emulator, expect, failures, run  # noqa: E402
from readme_test import Block, blocks  # noqa: E402

TOOLS = ROOT / "target" / "registry-tools"
VERDACCIO = "6.8.0"
PYPISERVER = "2.4.2"
MODULE = "github.com/ocus/ocus-go"


# Loopback only: never through an http_proxy the environment may set.
LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(command: list[str], url: str, cwd: Path, env: dict[str, str]) -> Iterator[None]:
    """Runs a registry until the block ends; waits until `url` answers."""
    log = open(cwd / "server.log", "w")
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                LOCAL.open(url, timeout=2).read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"registry-check: {command[0]} did not start:\n{(cwd / 'server.log').read_text()[-2000:]}")
                time.sleep(0.2)
        yield
    finally:
        # The whole session: a registry may have children of its own.
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def install_tools() -> None:
    venv = TOOLS / "venv"
    if not (venv / "bin" / "pypi-server").exists():
        run(sys.executable, "-m", "venv", venv, env=dict(os.environ), cwd=ROOT)
        run(venv / "bin" / "python", "-m", "pip", "install", "-q", f"pypiserver=={PYPISERVER}",
            env=dict(os.environ), cwd=ROOT)
    npm_dir = TOOLS / "verdaccio"
    if not (npm_dir / "node_modules" / ".bin" / "verdaccio").exists():
        # Pinned by scripts/registry-tools/package-lock.json; its `overrides` keeps node-fetch at
        # 2.7.0, which runs on Node 20 (verdaccio 6.8.0's own choice does not).
        npm_dir.mkdir(parents=True, exist_ok=True)
        for file in ("package.json", "package-lock.json"):
            shutil.copy(ROOT / "scripts" / "registry-tools" / file, npm_dir / file)
        run("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error", env=dict(os.environ), cwd=npm_dir)


# ---- a new user's trial ------------------------------------------------------------------------

def install_as_readme_says(readme: str, project: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Runs the README's install block (the one whose skip note names registry-check) by bash
    in `project`, as typed; `env` points the tool at the local registry."""
    [block] = [b for b in blocks(readme) if b.skip and b.lang == "sh" and "registry-check" in b.skip]
    installed = run("bash", "-euo", "pipefail", "-c", block.code, env=env, cwd=project, check=False)
    expect(installed.returncode == 0, f"{block.where}: the install block, as typed\n{installed.stderr[-2000:]}")
    return installed


def run_readme_blocks(readme: str, project: Path, mock: list[str], command_for: dict[str, Callable[[Block], list[str]]],
                      env: dict[str, str]) -> None:
    """Each block of the README in a language of `command_for`, written to a file in `project`
    and run as `mock -- COMMAND` (the shipped emulator, as the README's testing section says)."""
    ran = 0
    for block in blocks(readme):
        if block.skip and block.lang == "sh" and "registry-check" in block.skip:
            continue  # the install block, run first
        if block.skip:
            print(f"skip {block.where}: {block.skip}")
        elif block.lang in command_for:
            result = run(*mock, "--", *command_for[block.lang](block), env=env, cwd=project, check=False)
            expect(result.returncode == 0, f"{block.where} runs on the installed package under ocus-mock\n"
                                           f"{result.stderr[-2000:]}")
            ran += 1
        else:
            print(f"not here {block.where}: make test-readme runs it")
    expect(ran >= 2, f"{readme}: {ran} code blocks followed")


def written(project: Path, name: str, block: Block) -> Path:
    path = project / name.format(label=block.label)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(block.code)
    return path


# ---- PyPI ---------------------------------------------------------------------------------------

def check_pypi(env: dict[str, str], work: Path, version: str) -> None:
    port = free_port()
    index = f"http://127.0.0.1:{port}/simple/"
    server = [str(TOOLS / "venv" / "bin" / "pypi-server"), "run", "-i", "127.0.0.1", "-p", str(port),
              "-a", ".", "-P", ".", str(DIST / "python")]
    with serving(server, index, work, env):
        # A new user: a fresh venv, activated, and the package's own page (PyPI's description).
        venv = work / "venv"
        run(sys.executable, "-m", "venv", venv, env=env, cwd=work)
        active = {**env, "PATH": f"{venv / 'bin'}{os.pathsep}{env['PATH']}", "VIRTUAL_ENV": str(venv)}
        # Only this index: nothing can come from anywhere else.
        installed = install_as_readme_says("bindings-python/README.md", work, {**active, "PIP_INDEX_URL": index})
        expect(f"ocus-{version}" in installed.stdout and "Building wheel" not in installed.stdout,
               f"pip install ocus ocus-mock: ocus {version} from a wheel, nothing built")
        run_readme_blocks("bindings-python/README.md", work, ["ocus-mock"],
                          {"python": lambda block: ["python", written(work, "{label}.py", block).name]}, active)
        examples = work / "examples"
        # Not the caches: make test's other lane may be writing them (mypy, Python).
        shutil.copytree(ROOT / "examples" / "python", examples,
                        ignore=shutil.ignore_patterns(".mypy_cache", "__pycache__"))
        with emulator([str(venv / "bin" / "ocus-mock")], env, work) as base:
            out = run("python", "list_projects.py", env={**active, "OCUS_BASE_URL": base, "OCUS_API_KEY": "ocus_demo_key"},
                      cwd=examples)
            expect("all pages: 135 projects" in out.stdout, "the Python example runs on what pip installed")


# ---- npm ----------------------------------------------------------------------------------------

def third_party_npm_dependencies() -> list[str]:
    """`name@version` of every package the published ocus package pulls in, from the lock."""
    lock = json.loads((ROOT / "bindings-node" / "package-lock.json").read_text())["packages"]
    wanted = list(lock[""].get("dependencies", {}))
    found: dict[str, str] = {}
    while wanted:
        name = wanted.pop()
        if name in found:
            continue
        entry = lock[f"node_modules/{name}"]
        found[name] = entry["version"]
        wanted.extend(entry.get("dependencies", {}))
    return [f"{name}@{found[name]}" for name in sorted(found)]


def check_npm(env: dict[str, str], work: Path, version: str) -> None:
    port = free_port()
    registry = f"http://127.0.0.1:{port}/"
    config = work / "verdaccio.yaml"
    # No uplink: everything installed comes from what was published here.
    config.write_text(f"storage: {work / 'storage'}\n"
                      f"auth:\n  htpasswd:\n    file: {work / 'htpasswd'}\n"
                      "packages:\n  '**':\n    access: $all\n    publish: $authenticated\n"
                      "max_body_size: 200mb\n"  # the emulator package carries binaries
                      "log: {type: stdout, format: pretty, level: warn}\n")
    verdaccio = TOOLS / "verdaccio" / "node_modules" / ".bin" / "verdaccio"
    with serving([str(verdaccio), "--config", str(config), "--listen", f"127.0.0.1:{port}"], registry + "-/ping", work, env):
        # A publisher account, as `npm adduser` makes one.
        request = urllib.request.Request(f"{registry}-/user/org.couchdb.user:release", method="PUT",
                                         data=json.dumps({"name": "release", "password": "release-password"}).encode(),
                                         headers={"content-type": "application/json"})
        token = json.load(LOCAL.open(request))["token"]
        npmrc = work / ".npmrc"
        npmrc.write_text(f"registry={registry}\n//127.0.0.1:{port}/:_authToken={token}\n")
        user = {**env, "NPM_CONFIG_USERCONFIG": str(npmrc)}
        tarballs = sorted((DIST / "npm").glob(f"*-{version}.tgz"))
        # The third-party packages ocus depends on (the types its index.d.ts uses), fetched from
        # the public registry at the versions of bindings-node's lock and published here too, as
        # a registry holding only ocus would not resolve them.
        # (From a folder of their own: the .npmrc above, in `work`, points npm at the local one.)
        public = work / "public"
        public.mkdir()
        for dependency in third_party_npm_dependencies():
            packed = run("npm", "pack", "--silent", dependency, env=env, cwd=public)
            tarballs.append(public / packed.stdout.strip().splitlines()[-1])
        for tarball in tarballs:
            run("npm", "publish", "--loglevel=error", tarball, env=user, cwd=work)
        # A new user: a fresh project and the package's own page (npm's README).
        project = work / "app"
        project.mkdir()
        run("npm", "init", "-y", env=user, cwd=project)
        install_as_readme_says("bindings-node/README.md", project, user)
        run_readme_blocks("bindings-node/README.md", project, ["npx", "--no-install", "ocus-mock"],
                          {"js": lambda block: ["node", written(project, "{label}.js", block).name]}, user)
        installed = sorted(p.name for p in (project / "node_modules").iterdir() if p.name.startswith("ocus"))
        expect(installed == ["ocus", "ocus-linux-x64-gnu", "ocus-mock"],
               f"npm install ocus ocus-mock: npm picked this platform's addon by itself ({', '.join(installed)})")
        for file in ("list-projects.js",):
            shutil.copy(ROOT / "examples" / "node" / file, project / file)
        with emulator(["node", str(project / "node_modules" / "ocus-mock" / "ocus-mock.js")], env, project) as base:
            out = run("node", "list-projects.js", env={**env, "OCUS_BASE_URL": base, "OCUS_API_KEY": "ocus_demo_key"},
                      cwd=project)
            expect("all pages: 135 projects" in out.stdout, "the Node example runs on what npm installed")


# ---- Go -----------------------------------------------------------------------------------------

def go_proxy(root: Path, version: str) -> None:
    """dist/go/ocus-go as a module proxy serves it (the GOPROXY protocol: list, info, mod, zip)."""
    tag = f"v{version}"
    at = root / MODULE / "@v"
    at.mkdir(parents=True)
    source = DIST / "go" / "ocus-go"
    (at / "list").write_text(tag + "\n")
    (at / f"{tag}.info").write_text(json.dumps({"Version": tag, "Time": "2026-01-01T00:00:00Z"}))
    shutil.copy(source / "go.mod", at / f"{tag}.mod")
    with zipfile.ZipFile(at / f"{tag}.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        # A folder with a go.mod of its own (ocusotel/) is another module, outside this zip.
        nested = [p.parent for p in source.rglob("go.mod") if p.parent != source]
        for path in sorted(source.rglob("*")):
            if path.is_file() and not any(folder in path.parents for folder in nested):
                archive.write(path, f"{MODULE}@{tag}/{path.relative_to(source).as_posix()}")


def check_go(env: dict[str, str], work: Path, version: str) -> None:
    proxy = work / "proxy"
    go_proxy(proxy, version)
    app = work / "goapp"
    shutil.copytree(ROOT / "examples" / "go" / "list-projects", app)
    (app / "go.mod").write_text("module example.com/goapp\n\ngo 1.23\n")
    # A fresh module cache: the module must come from the proxy, not from an earlier run.
    user = {**env, "GOPROXY": f"file://{proxy}", "GOSUMDB": "off", "GOFLAGS": "-mod=mod",
            "GOMODCACHE": str(work / "modcache")}
    run("go", "get", f"{MODULE}@v{version}", env=user, cwd=app)
    run("go", "build", "-o", "app", ".", env=user, cwd=app)
    with emulator([str(DIST / "bin" / "ocus-mock-linux-x64")], env, work) as base:
        out = run("./app", env={**env, "OCUS_BASE_URL": base, "OCUS_API_KEY": "ocus_demo_key"}, cwd=app)
        expect("all pages: 135 projects" in out.stdout, f"go get {MODULE}@v{version} from a module proxy builds and runs")
    # A new user: a fresh module and the module's own README (dist/go/ocus-go carries it).
    trial = work / "trial"
    trial.mkdir()
    run("go", "mod", "init", "example.com/trial", env=user, cwd=trial)
    install_as_readme_says("bindings-go-ffi/go/README.md", trial, user)
    run_readme_blocks("bindings-go-ffi/go/README.md", trial, [str(DIST / "bin" / "ocus-mock-linux-x64")],
                      {"go": lambda block: ["go", "run", "./" + written(trial, "{label}/main.go", block).parent.name]}, user)
    shutil.rmtree(work / "modcache", ignore_errors=True)  # read-only files: go's own clean is slower


def main() -> None:
    version = re.search(r'^version = "(.*)"', (ROOT / "Cargo.toml").read_text(), re.M).group(1)
    if not (DIST / "npm").exists():
        sys.exit("registry-check: no dist/; run `make dist` first")
    if (DIST / "QUICK").exists():
        print("registry-check: dist/ is a test build (make test): the commands are checked, not the release tags")
    started = time.monotonic()
    install_tools()
    with tempfile.TemporaryDirectory(prefix="ocus-registry-check-") as tmp:
        work = Path(tmp)
        (work / "home").mkdir()
        env = clean_env(work / "home")
        for name, check in (("pypi", check_pypi), ("npm", check_npm), ("go", check_go)):
            (work / name).mkdir()
            try:
                check(env, work / name, version)
            except subprocess.CalledProcessError as error:
                expect(False, f"{name}: {error}")
        subprocess.run(["chmod", "-R", "u+w", str(work)], check=False)
    print(f"\nregistry-check: {len(failures)} failed, {time.monotonic() - started:.0f} s")
    if failures:
        sys.exit(1)


if __name__ == "__main__":
    main()
