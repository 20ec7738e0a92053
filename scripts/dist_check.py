#!/usr/bin/env python3
"""`make dist-check`: each artifact in dist/ installed the way a user installs it, with no Rust.

Every step runs with a PATH that has no cargo or rustc and a HOME of its own (no cargo
registry), in temporary folders outside the repository:
  - the files themselves: wheel tags (auditwheel), architecture and libc of every .node, .a and
    binary (readelf), glibc symbols no newer than 2.17 for manylinux2014 and -gnu addons;
  - Python: a fresh venv, `pip install --no-index` of the wheel and of the emulator's wheel,
    the examples against that emulator;
  - Node: a fresh project, `npm install` of the `ocus` tarball and its platform package, the
    examples in CommonJS and ESM, the TypeScript example under `tsc --noEmit`; without the
    platform package, `require('ocus')` must fail with an error naming the platform;
  - Go: the module copied out, a program in another module using it through `replace`, built
    and run against the emulator; an unsupported platform must fail with a message naming the
    supported ones;
  - JVM: the jar's native libraries (one per built platform, under JNA's resource path), then
    a fresh Maven project (its own local repository, no ~/.m2) depending on io.ocus:ocus from
    dist/maven, built by Maven and run against the emulator;
  - aarch64 (a dist/ from --all): the static emulator and a Go program linked with the
    module's linux_arm64 library run under qemu-user.

A dist/ made by `scripts/dist.py --host` (dist/HOST names the platform; the release runners
for macOS and Windows) gets the same installs and runs for that platform, without the ELF checks.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import zipfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
VENV = ROOT / "target" / "dist-venv"
failures: list[str] = []
# dist/ from `scripts/dist.py --quick` (make test): host builds, so no glibc-age or tag claims.
QUICK = (DIST / "QUICK").exists()
# dist/ from `scripts/dist.py --host`: this platform's packages, built with its own toolchain.
HOST = (DIST / "HOST").read_text().strip() if (DIST / "HOST").exists() else None
PLATFORM = HOST or "linux-x64-gnu"  # the platform package installed and run here
WHEEL_TAG = "linux" if QUICK else "manylinux"
WINDOWS = os.name == "nt"
SCRIPTS = "Scripts" if WINDOWS else "bin"  # where a venv keeps its commands
EXE = ".exe" if WINDOWS else ""
# This platform's wheels among a merged release's.
HOST_WHEELS = {"darwin-arm64": "*macosx*arm64.whl", "darwin-x64": "*macosx*x86_64.whl", "win32-x64": "*win_amd64.whl"}
# The emulator binary of this platform (dist.py's mock_binaries: static musl on Linux).
MOCK = DIST / "bin" / f"ocus-mock-{PLATFORM.removesuffix('-gnu')}{EXE}"
# JNA's resource folder and the library's file name, per platform (dist.py's JNA_PLATFORMS).
JVM_LIBRARIES = {"linux-x64-gnu": "linux-x86-64/libocus_jvm.so", "linux-arm64-gnu": "linux-aarch64/libocus_jvm.so",
                 "darwin-arm64": "darwin-aarch64/libocus_jvm.dylib", "darwin-x64": "darwin-x86-64/libocus_jvm.dylib",
                 "win32-x64": "win32-x86-64/ocus_jvm.dll"}


def clean_env(home: Path) -> dict[str, str]:
    """PATH with python3, node, npm, go and gcc, and nothing of Rust; a HOME of its own."""
    dirs: list[str] = []
    for tool in ("python3", "node", "npm", "go", "gcc", "readelf", "file", "java", "mvn"):
        found = shutil.which(tool)
        if found and str(Path(found).parent) not in dirs:
            dirs.append(str(Path(found).parent))
    path = os.pathsep.join(d for d in dirs if shutil.which("cargo", path=d) is None and shutil.which("rustc", path=d) is None)
    for tool in ("cargo", "rustc"):
        assert shutil.which(tool, path=path) is None, f"{tool} is on the clean PATH"
    env = {"PATH": path, "HOME": str(home), "LANG": "C.UTF-8", "TMPDIR": str(home)}
    # What any Windows process needs to start (no Rust in any of them).
    for name in ("SYSTEMROOT", "COMSPEC", "PATHEXT", "WINDIR"):
        if name in os.environ:
            env[name] = os.environ[name]
    if WINDOWS:
        env["USERPROFILE"] = env["TEMP"] = env["TMP"] = str(home)
    for name in ("GOCACHE", "GOMODCACHE"):  # Go's own caches (stdlib objects), not Rust's
        env[name] = subprocess.run(["go", "env", name], capture_output=True, text=True).stdout.strip()
    env["GOFLAGS"] = "-mod=mod"
    env["GOPROXY"] = "off"  # the module needs nothing but the standard library
    return env


def run(*args: str | Path, env: dict[str, str], cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    print(f"+ {' '.join(str(a) for a in args)}", flush=True)
    # Resolved on the clean PATH: on Windows, npm is npm.cmd, which CreateProcess does not try.
    command = [shutil.which(str(args[0]), path=env["PATH"]) or str(args[0]), *(str(a) for a in args[1:])]
    result = subprocess.run(command, cwd=cwd, env=env, text=True, capture_output=True)
    if result.stdout.strip():
        print(result.stdout.rstrip())
    if check and result.returncode != 0:
        print(result.stderr.rstrip())
        raise subprocess.CalledProcessError(result.returncode, args)
    return result


def expect(condition: bool, what: str) -> None:
    print(("ok   " if condition else "FAIL ") + what, flush=True)
    if not condition:
        failures.append(what)


@contextmanager
def emulator(command: list[str], env: dict[str, str], cwd: Path) -> Iterator[str]:
    """The emulator as a user starts it (from its own package); yields its base URL."""
    # In a process group of its own: a launcher (npm's `ocus-mock`) runs the binary as a child,
    # and killing only the launcher left that child running after every check.
    process = subprocess.Popen(command + ["--addr", "127.0.0.1:0"], cwd=cwd, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=not WINDOWS)
    try:
        assert process.stdout is not None
        base = process.stdout.readline().strip()
        assert base.startswith("http://127.0.0.1:"), f"emulator said {base!r}"
        yield base
    finally:
        if WINDOWS:
            subprocess.run(["taskkill", "/F", "/T", "/PID", str(process.pid)], capture_output=True)
        else:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


# ---- the files ------------------------------------------------------------------------------

ARCH = {"x86_64": "Advanced Micro Devices X86-64", "aarch64": "AArch64"}


def elf_facts(path: Path) -> tuple[str, list[str], str]:
    """(machine, NEEDED libraries, newest GLIBC_ symbol version) of an ELF file."""
    header = subprocess.run(["readelf", "-h", "-d", "-V", "-W", str(path)], capture_output=True, text=True).stdout
    machine = re.search(r"Machine:\s+(.*)", header)
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[(.*?)\]", header)
    versions = [tuple(int(p) for p in v.split(".")) for v in re.findall(r"GLIBC_([0-9.]+)", header)]
    newest = ".".join(str(p) for p in max(versions)) if versions else ""
    return (machine.group(1).strip() if machine else "?"), needed, newest


def musl_wheel_ok(wheel: Path, claimed: str) -> bool:
    arch = "x86_64" if claimed.endswith("x86_64") else "aarch64"
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(wheel) as archive:
        archive.extractall(tmp)
        elves = [p for p in Path(tmp).rglob("*") if p.is_file() and p.read_bytes()[:4] == b"\x7fELF"]
        facts = [elf_facts(p) for p in elves]
    return bool(facts) and all(machine == ARCH[arch] and "libc.so.6" not in needed
                               and all(n == "libc.so" or "musl" in n for n in needed) for machine, needed, _ in facts)


def check_files() -> None:
    for wheel in sorted((DIST / "python").glob("*.whl")) if not QUICK else []:
        # The file name's last platform tag (manylinux2014_x86_64.manylinux_2_17_x86_64 -> the
        # PEP 600 one) must be what the wheel meets.
        claimed = wheel.name.removesuffix(".whl").split("-")[-1].split(".")[-1]
        if claimed.startswith("musllinux"):
            # auditwheel cannot read musl wheels on a glibc host (it fails on the ELF magic of
            # the host's loader): check the ELF files inside ourselves.
            expect(musl_wheel_ok(wheel, claimed), f"{wheel.name}: every ELF inside is {claimed.split('_', 3)[-1]} musl")
            continue
        shown = subprocess.run([VENV / "bin" / "auditwheel", "show", wheel], capture_output=True, text=True).stdout
        found = re.search(r'consistent with the following platform tag:\s+"([^"]+)"', shown)
        expect(found is not None and found.group(1) == claimed,
               f"{wheel.name}: auditwheel finds {found.group(1) if found else '?'}, the name claims {claimed}")
    for addon in sorted((DIST / "npm").glob("ocus-linux-*/*.node")):
        machine, needed, newest = elf_facts(addon)
        arch = "x86_64" if "-x64-" in addon.name else "aarch64"
        expect(machine == ARCH[arch], f"{addon.name}: {machine}")
        if QUICK:
            continue
        if addon.name.endswith("-gnu.node"):
            newest_tuple = tuple(int(part) for part in newest.split(".")) if newest else (0,)
            expect("libc.so.6" in needed and newest_tuple <= (2, 17),
                   f"{addon.name}: glibc, newest symbol GLIBC_{newest} (at most 2.17)")
        else:
            expect("libc.so.6" not in needed and any("musl" in n or n == "libc.so" for n in needed),
                   f"{addon.name}: musl ({', '.join(needed)})")
    for binary in sorted((DIST / "bin").glob("ocus-mock-*")):
        machine, needed, _ = elf_facts(binary)
        arch = "x86_64" if "-x64" in binary.name else "aarch64"
        expect(machine == ARCH[arch] and (QUICK or not needed), f"{binary.name}: {machine}" + ("" if QUICK else ", static"))
    for lib in sorted((DIST / "go").rglob("libocus_ffi.a")):
        arch = "x86_64" if "amd64" in lib.parent.name else "aarch64"
        machines = archive_machines(lib)
        expect(machines == {arch}, f"go/{lib.parent.name}/libocus_ffi.a: {', '.join(sorted(machines)) or 'no object'}")


def archive_machines(path: Path) -> set[str]:
    """The architectures of the objects in a static library: ELF (Linux), COFF (Windows,
    MinGW-w64) or Mach-O (macOS) members, in a GNU or BSD `ar` archive (readelf reads only
    the first kind)."""
    data = path.read_bytes()
    machines: set[str] = set()
    offset = 8  # "!<arch>\n"
    while offset + 60 <= len(data):
        name = data[offset:offset + 16].decode("ascii", "replace").strip()
        size = int(data[offset + 48:offset + 58].decode("ascii").strip() or 0)
        body = data[offset + 60:offset + 60 + size]
        offset += 60 + size + (size % 2)
        if name.startswith("#1/"):  # BSD: the name precedes the member's data
            body = body[int(name[3:]):]
            name = "member"
        if name in ("/", "//", "/SYM64/") or name.startswith("__.SYMDEF"):
            continue
        if body[:4] == b"\x7fELF":
            machine = int.from_bytes(body[18:20], "little")
            machines.add({0x3E: "x86_64", 0xB7: "aarch64"}.get(machine, f"ELF machine {machine:#x}"))
        elif body[:4] == b"\xcf\xfa\xed\xfe":
            cpu = int.from_bytes(body[4:8], "little")
            machines.add({0x01000007: "x86_64", 0x0100000C: "aarch64"}.get(cpu, f"Mach-O cpu {cpu:#x}"))
        elif len(body) >= 2 and int.from_bytes(body[:2], "little") in (0x8664, 0xAA64):
            machines.add("x86_64" if int.from_bytes(body[:2], "little") == 0x8664 else "aarch64")
    return machines


# ---- Python ---------------------------------------------------------------------------------

def check_python(env: dict[str, str], work: Path, version: str) -> None:
    # --host makes this platform's only; a merged release (release.yml's verify job) has them all.
    pattern = HOST_WHEELS.get(HOST, "*.whl") if HOST else f"*{WHEEL_TAG}*x86_64.whl"
    wheels = sorted((DIST / "python").glob(f"ocus-{pattern}"))
    mock_wheels = sorted((DIST / "python").glob(f"ocus_mock-{pattern}"))
    expect(len(wheels) == 1 and len(mock_wheels) == 1, f"dist/python has the {HOST or 'x86_64 ' + WHEEL_TAG} wheels")
    venv = work / "venv"
    run(sys.executable, "-m", "venv", venv, env=env, cwd=work)
    python = venv / SCRIPTS / f"python{EXE}"
    run(python, "-m", "pip", "install", "-q", "--no-index", wheels[0], mock_wheels[0], env=env, cwd=work)
    examples = work / "examples"
    # Not the caches: make test's other lane may be writing them (mypy, Python).
    shutil.copytree(ROOT / "examples" / "python", examples,
                    ignore=shutil.ignore_patterns(".mypy_cache", "__pycache__"))
    with emulator([str(venv / SCRIPTS / f"ocus-mock{EXE}")], env, work) as base:
        user = {**env, "OCUS_BASE_URL": base, "OCUS_API_KEY": "ocus_demo_key"}
        out = run(python, "list_projects.py", env=user, cwd=examples)
        expect("all pages: 135 projects" in out.stdout, "Python example lists every project through its wheel")
        run(python, "handle_errors.py", "ocus_demo_key", "not_a_real_key", env=user, cwd=examples)
        imported = run(python, "-c", "import ocus; print(ocus.__file__); print(ocus.__version__)", env=user, cwd=work).stdout
        expect(str(venv) in imported, "ocus is imported from the venv, not the repository")
        expect(imported.split()[-1] == version, f"Python __version__ is {version}")
        agents = run(python, "-c", "import json, sys, urllib.request; log = json.load(urllib.request.urlopen("
                     "sys.argv[1] + '/__admin/requests')); print(sorted({r['headers'].get('user-agent', '') for r in log['requests']}))",
                     base.removesuffix("/v3"), env=user, cwd=work).stdout
        expect(f"ocus-python/{version}" in agents, f"User-Agent says ocus-python/{version}")


# ---- Node.js --------------------------------------------------------------------------------

def check_node(env: dict[str, str], work: Path, version: str) -> None:
    npm = DIST / "npm"
    main = npm / f"ocus-{version}.tgz"
    native = npm / f"ocus-{PLATFORM}-{version}.tgz"
    mock = npm / f"ocus-mock-{version}.tgz"
    project = work / "app"
    project.mkdir()
    (project / "package.json").write_text(json.dumps({"name": "app", "private": True}))
    # No @types/node of the app's own: the ocus package declares the types its index.d.ts uses
    # (without them tsc stops with TS2688: cannot find type definition file for 'node').
    installed = run("npm", "install", "--no-audit", "--no-fund", "--loglevel=error", main, native, mock,
                    "typescript@5.7.2", env=env, cwd=project)
    package = json.loads((project / "node_modules" / "ocus" / "package.json").read_text())
    expect("scripts" not in package, "the ocus package runs no install script")
    del installed
    for file in ("list-projects.js", "handle-errors.js", "list-projects.ts", "tsconfig.json"):
        shutil.copy(ROOT / "examples" / "node" / file, project / file)
    (project / "esm.mjs").write_text(
        "import { Client, NotFoundError } from 'ocus'\n"
        "const client = new Client()\n"
        "const page = await client.projects.listPage({ pageSize: 2 })\n"
        "console.log(`esm: ${page.data.length} projects, NotFoundError is ${typeof NotFoundError}`)\n")
    # The package's own launcher (node_modules/.bin/ocus-mock is a shell shim on Windows).
    with emulator(["node", str(project / "node_modules" / "ocus-mock" / "ocus-mock.js")], env, project) as base:
        user = {**env, "OCUS_BASE_URL": base, "OCUS_API_KEY": "ocus_demo_key"}
        out = run("node", "list-projects.js", env=user, cwd=project)
        expect("all pages: 135 projects" in out.stdout, "Node example lists every project through the tarballs")
        out = run("node", "esm.mjs", env=user, cwd=project)
        expect("esm: 2 projects" in out.stdout, "ESM import works")
        shown = run("node", "-p", f"require('ocus').VERSION + ' ' + require('ocus-{PLATFORM}/package.json').version", env=user, cwd=project)
        expect(shown.stdout.split() == [version, version], f"Node VERSION and the platform package are {version}")
        if sys.platform == "linux":
            # Built with tokio_unstable (scripts/dist.py), the addon drives calls from libuv.
            crossing = run("node", "-p", "const p = require('node:path'); const n = require(p.join(p.dirname(require.resolve('ocus')), 'native.js')); new n.Crossing(() => {}).path", env=user, cwd=project)
            expect(crossing.stdout.strip() == "event-loop", f"the Node addon's calls run on libuv's loop ({crossing.stdout.strip()})")
        run("node", "handle-errors.js", "ocus_demo_key", "not_a_real_key", env=user, cwd=project)
    compiled = run(project / "node_modules" / ".bin" / "tsc", "--noEmit", "-p", "tsconfig.json", env=env, cwd=project, check=False)
    expect(compiled.returncode == 0, "TypeScript example compiles against the installed types")
    # Without the platform package, a clear error instead of MODULE_NOT_FOUND.
    bare = work / "bare"
    bare.mkdir()
    (bare / "package.json").write_text(json.dumps({"name": "bare", "private": True}))
    run("npm", "install", "--no-audit", "--no-fund", "--loglevel=error", "--omit=optional", main, env=env, cwd=bare)
    result = run("node", "-e", "try { require('ocus') } catch (e) { console.log(e.code + ': ' + e.message) }", env=env, cwd=bare)
    expect("OCUS_NATIVE_ADDON_NOT_FOUND" in result.stdout and f"({PLATFORM})" in result.stdout
           and f"ocus-{PLATFORM} is not installed" in result.stdout and "linux-arm64-musl, " in result.stdout,
           "without its addon, require('ocus') names the platform, the package and the published platforms")


# ---- Go -------------------------------------------------------------------------------------

def go_app(work: Path) -> Path:
    """The Go example as another module, using a copy of dist's module tree through `replace`."""
    shutil.copytree(DIST / "go" / "ocus-go", work / "ocus-go")
    app = work / "goapp"
    shutil.copytree(ROOT / "examples" / "go" / "list-projects", app)
    (app / "go.mod").write_text("module example.com/goapp\n\ngo 1.23\n\nrequire github.com/ocus/ocus-go v0.0.0\n\n"
                                "replace github.com/ocus/ocus-go => ../ocus-go\n")
    return app


def check_go(env: dict[str, str], work: Path, version: str) -> None:
    app = go_app(work)
    run("go", "build", "-o", f"app{EXE}", ".", env=env, cwd=app)
    (app / "version").mkdir()
    (app / "version" / "main.go").write_text('package main\n\nimport (\n\t"fmt"\n\n\t"github.com/ocus/ocus-go"\n)\n\n'
                                            'func main() { fmt.Println(ocus.Version) }\n')
    shown = run("go", "run", "./version", env=env, cwd=app).stdout.strip()
    expect(shown == version, f"Go Version is {version}")
    with emulator([str(MOCK)], env, work) as base:
        out = run(str(app / f"app{EXE}"), env={**env, "OCUS_BASE_URL": base, "OCUS_API_KEY": "ocus_demo_key"}, cwd=app)
        expect("all pages: 135 projects" in out.stdout, "Go program built from the module tree lists every project")
    for label, extra in (("freebsd/amd64", {"GOOS": "freebsd", "GOARCH": "amd64"}), ("CGO_ENABLED=0", {"CGO_ENABLED": "0"})):
        result = run("go", "build", "-o", os.devnull, ".", env={**env, **extra}, cwd=app, check=False)
        expect(result.returncode != 0 and "ocus_supports_only_linux_darwin_amd64_arm64_and_windows_amd64" in result.stderr,
               f"Go build for {label} fails naming the supported platforms")


# ---- JVM ----------------------------------------------------------------------------------------

JAVA_APP_POM = """<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.example</groupId>
  <artifactId>app</artifactId>
  <version>1</version>
  <properties>
    <maven.compiler.release>17</maven.compiler.release>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <repositories>
    <repository><id>ocus-dist</id><url>{repository}</url></repository>
  </repositories>
  <dependencies>
    <dependency><groupId>io.ocus</groupId><artifactId>ocus</artifactId><version>{version}</version></dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin><artifactId>maven-compiler-plugin</artifactId><version>3.16.0</version></plugin>
      <plugin><artifactId>maven-dependency-plugin</artifactId><version>3.11.0</version></plugin>
    </plugins>
  </build>
</project>
"""


def check_jvm(env: dict[str, str], work: Path, version: str) -> None:
    jar = DIST / "maven" / "io" / "ocus" / "ocus" / version / f"ocus-{version}.jar"
    expect(jar.exists(), f"dist/maven has io.ocus:ocus:{version}")
    with zipfile.ZipFile(jar) as archive:
        libraries = sorted(n for n in archive.namelist() if n.endswith(tuple(set(JVM_LIBRARIES.values()))))
        archive.extractall(work / "jar", members=libraries)
    if HOST:  # dist.py --host: this platform's library (a merged release: every platform's)
        expect(JVM_LIBRARIES[HOST] in libraries, f"the jar carries {JVM_LIBRARIES[HOST]} ({', '.join(libraries) or 'nothing'})")
    else:
        # A full build (`make dist-all`) also carries aarch64 and Windows x64 (the Go module's
        # Windows library marks one); a merged release (scripts/release.py) also macOS's.
        full = (DIST / "go" / "ocus-go" / "internal" / "ffi" / "lib" / "windows_amd64").exists()
        merged = (DIST / "go" / "ocus-go" / "internal" / "ffi" / "lib" / "darwin_arm64").exists()
        wanted = sorted([JVM_LIBRARIES["linux-x64-gnu"]]
                        + ([JVM_LIBRARIES["linux-arm64-gnu"]] if (DIST / "bin" / "ocus-mock-linux-arm64").exists() else [])
                        + ([JVM_LIBRARIES["win32-x64"]] if full else [])
                        + ([JVM_LIBRARIES["darwin-arm64"], JVM_LIBRARIES["darwin-x64"]] if merged else []))
        expect(libraries == wanted, f"the jar carries {', '.join(wanted)} ({', '.join(libraries) or 'nothing'})")
    for name in (n for n in libraries if n.endswith(".dll")):
        header = (work / "jar" / name).read_bytes()[:4096]
        pe = int.from_bytes(header[0x3C:0x40], "little")
        expect(header[:2] == b"MZ" and header[pe:pe + 4] == b"PE\0\0" and header[pe + 4:pe + 6] == b"\x64\x86",
               f"{name} is a Windows x86-64 DLL")
    for name in (n for n in libraries if n.endswith(".so") and not WINDOWS):
        machine, _, glibc = elf_facts(work / "jar" / name)
        arch = "aarch64" if name.startswith("linux-aarch64") else "x86_64"
        expect(machine == ARCH[arch], f"{name} is {arch}")
        if not QUICK:
            newest = tuple(int(part) for part in glibc.split(".")) if glibc else (0,)
            expect(newest <= (2, 17), f"{name}: newest glibc symbol GLIBC_{glibc} (at most 2.17)")
    # A project of someone else's: its own pom, its own empty local repository.
    app = work / "app"
    (app / "src" / "main" / "java").mkdir(parents=True)
    (app / "pom.xml").write_text(JAVA_APP_POM.format(repository=(DIST / "maven").as_uri(), version=version))
    shutil.copy(ROOT / "examples" / "jvm" / "src" / "main" / "java" / "ListProjectsJava.java", app / "src" / "main" / "java")
    maven = ["mvn", "-B", "-q", "--no-transfer-progress", "-Dstyle.color=never", f"-Dmaven.repo.local={work / 'repository'}"]
    run(*maven, "compile", "dependency:build-classpath", "-Dmdep.outputFile=classpath.txt", env=env, cwd=app)
    classpath = os.pathsep.join([str(app / "target" / "classes"), (app / "classpath.txt").read_text().strip()])
    with emulator([str(MOCK)], env, work) as base:
        out = run("java", "-cp", classpath, "ListProjectsJava", env={**env, "OCUS_BASE_URL": base, "OCUS_API_KEY": "ocus_demo_key"}, cwd=app)
        expect("all pages: 135 projects" in out.stdout, "a fresh Maven project using the jar from dist/maven lists every project")


# ---- aarch64, run under qemu-user ---------------------------------------------------------------

def check_arm64_under_qemu(env: dict[str, str], work: Path) -> None:
    """The aarch64 artifacts run, not only named: the static emulator, and a Go program linked
    with the module's linux_arm64 library (Debian's aarch64 cross gcc), both under qemu-user."""
    mock = DIST / "bin" / "ocus-mock-linux-arm64"
    module = DIST / "go" / "ocus-go"
    if not mock.exists() or not (module / "internal" / "ffi" / "lib" / "linux_arm64").exists():
        return  # a dist/ without --all
    qemu, cc = shutil.which("qemu-aarch64"), shutil.which("aarch64-linux-gnu-gcc")
    expect(bool(qemu and cc), "qemu-aarch64 and aarch64-linux-gnu-gcc are installed (make qemu-tools)")
    if not (qemu and cc):
        return
    app = go_app(work)
    arm64 = {**env, "GOOS": "linux", "GOARCH": "arm64", "CGO_ENABLED": "1", "CC": cc}
    run("go", "build", "-o", "app-arm64", ".", env=arm64, cwd=app)
    kind = subprocess.run(["file", "-b", str(app / "app-arm64")], capture_output=True, text=True).stdout
    expect("ARM aarch64" in kind, f"the Go program is an aarch64 executable ({kind.split(',')[0]})")
    with emulator([qemu, str(mock)], env, work) as base:
        expect(True, "ocus-mock-linux-arm64 (static musl) serves under qemu-aarch64")
        out = run(qemu, "-L", "/usr/aarch64-linux-gnu", "./app-arm64",
                  env={**env, "OCUS_BASE_URL": base, "OCUS_API_KEY": "ocus_demo_key"}, cwd=app)
        expect("all pages: 135 projects" in out.stdout,
               "a Go program linked with lib/linux_arm64 lists every project under qemu-aarch64")


def check_versions(version: str) -> None:
    """Every manifest and artifact name carries the workspace version."""
    names = [p.name for p in DIST.rglob("*") if p.suffix in (".whl", ".tgz") or p.name.endswith(".tar.gz")]
    expect(bool(names) and all(f"-{version}" in n for n in names), f"every package file is version {version}")
    for manifest in DIST.glob("npm/*/package.json"):
        package = json.loads(manifest.read_text())
        deps = package.get("optionalDependencies", {})
        expect(package["version"] == version and all(v == version for v in deps.values()),
               f"npm {package['name']}: version {version}, optional dependencies at {version}")
    source = json.loads((ROOT / "bindings-node" / "package.json").read_text())["version"]
    expect(source == version, f"bindings-node/package.json says {version}")
    # The CLI is a contributor's tool, built from the repository (this step, not the installs, has cargo).
    cli = subprocess.run(["cargo", "run", "--quiet", "--locked", "-p", "ocus-cli", "--", "--version"],
                         cwd=ROOT, capture_output=True, text=True).stdout.split()
    expect(cli[-1:] == [version], f"the CLI says {version}")


def check_sdist(work: Path, version: str) -> None:
    """The sdist builds in a clean venv where Rust is present (it carries core/ and the lock)."""
    sdists = sorted((DIST / "python").glob("ocus-*.tar.gz"))
    expect(len(sdists) == 1, "dist/python has the sdist")
    venv = work / "venv"
    env = dict(os.environ)
    run(sys.executable, "-m", "venv", venv, env=env, cwd=work)
    run(venv / "bin" / "python", "-m", "pip", "install", "-q", sdists[0], env=env, cwd=work)
    shown = run(venv / "bin" / "python", "-c", "import ocus; print(ocus.__version__)", env=env, cwd=work).stdout.strip()
    expect(shown == version, "the sdist builds and installs with pip")


def main() -> None:
    version = re.search(r'^version = "(.*)"', (ROOT / "Cargo.toml").read_text(), re.M).group(1)
    started = time.monotonic()
    check_versions(version)
    if HOST is None:
        check_files()
    with tempfile.TemporaryDirectory(prefix="ocus-dist-check-") as tmp:
        work = Path(tmp)
        (work / "home").mkdir()
        env = clean_env(work / "home")
        checks = [("python", lambda: check_python(env, work / "python", version)),
                  ("node", lambda: check_node(env, work / "node", version))]
        if (DIST / "maven").exists():  # built on Linux (dist.py)
            checks.append(("jvm", lambda: check_jvm(env, work / "jvm", version)))
        if (DIST / "go").exists():  # not on a Windows runner's own build (dist.py says why)
            checks.append(("go", lambda: check_go(env, work / "go", version)))
            checks.append(("arm64", lambda: check_arm64_under_qemu(env, work / "arm64")))
        for name, check in checks:
            (work / name).mkdir()
            try:
                check()
            except subprocess.CalledProcessError as error:
                expect(False, f"{name}: {error}")
        if not QUICK and HOST is None:
            (work / "sdist").mkdir()
            try:
                check_sdist(work / "sdist", version)
            except subprocess.CalledProcessError as error:
                expect(False, f"sdist: {error}")
    print(f"\ndist-check: {len(failures)} failed, {time.monotonic() - started:.0f} s")
    if failures:
        sys.exit(1)


if __name__ == "__main__":
    main()
