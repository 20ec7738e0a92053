#!/usr/bin/env python3
"""`make dist`: every installable artifact, at the workspace version, into dist/.

    scripts/dist.py            this machine's platform (x86_64 Linux, glibc), as released
    scripts/dist.py --all      plus aarch64 and musl (cross builds with zig)
    scripts/dist.py --check-platforms
                               the platforms built only by the release workflow (Windows,
                               macOS): every crate checked and linted for them here (no link)
    scripts/dist.py --quick    the same packages from this tree's release builds, with no zig
                               and no LTO (minutes less; run by `make test`, so a broken package
                               cannot land; glibc-age and wheel-tag claims are `make dist`'s)

Writes:
  dist/python/   ocus wheels (cp39-abi3, manylinux2014 / musllinux_1_2) and sdist;
                 ocus-mock wheels (the emulator as a command)
  dist/npm/      ocus (JS, types, loader; no install script), ocus-<platform> (the addon),
                 ocus-mock (the emulator as a command): folders and `npm pack` tarballs
  dist/go/ocus-go/  the Go module, carrying the header and one static library per platform
  dist/bin/      ocus-mock, static (musl) Linux binaries
  dist/maven/    io.ocus:ocus as a Maven repository (jar + pom + checksums): the jar carries
                 libocus_jvm.so for each built Linux platform under JNA's resource path

Tools come from pinned versions (scripts/dist-requirements.txt into target/dist-venv, and
cargo-zigbuild into target/tools); nothing is installed outside the repository.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
TARGET = ROOT / "target"
VENV = TARGET / "dist-venv"
TOOLS = TARGET / "tools"
ZIGBUILD_VERSION = "0.24.1"
PROFILE = "dist"  # [profile.dist] in Cargo.toml: release, LTO, one codegen unit, stripped


class Target:
    def __init__(self, triple: str, py_tag: str | None, node: str, node_cpu: str, libc: str | None, go: str | None,
                 os: str = "linux"):
        self.triple, self.py_tag, self.node, self.node_cpu, self.libc, self.go = triple, py_tag, node, node_cpu, libc, go
        self.os = os  # Node's process.platform

    @property
    def cross(self) -> bool:
        """Linux targets are built here with zig; the others on their own runners (--host)."""
        return self.os == "linux" and not HOST_MODE

    @property
    def musl(self) -> bool:
        return self.libc == "musl"

    @property
    def zig_triple(self) -> str:
        # cargo-zigbuild links gnu targets against this glibc (manylinux2014's).
        return self.triple + (".2.17" if not self.musl else "")

    def out_dir(self) -> Path:
        return TARGET / self.triple / PROFILE


TARGETS = [
    Target("x86_64-unknown-linux-gnu", "manylinux2014", "linux-x64-gnu", "x64", "glibc", "linux_amd64"),
    Target("aarch64-unknown-linux-gnu", "manylinux2014", "linux-arm64-gnu", "arm64", "glibc", "linux_arm64"),
    Target("x86_64-unknown-linux-musl", "musllinux_1_2", "linux-x64-musl", "x64", "musl", None),
    Target("aarch64-unknown-linux-musl", "musllinux_1_2", "linux-arm64-musl", "arm64", "musl", None),
]
NATIVE = TARGETS[0]
# Built on their own machines by .github/workflows/release.yml (`scripts/dist.py --host`), with
# the platform's own toolchain. Their wheels carry the platform's default tag. Go's module
# carries the Linux libraries and windows/amd64's, built here with MinGW-w64, and the macOS
# ones, built on macOS (linking them needs the SDK's Security and CoreFoundation frameworks,
# which exist only there; here they are compile-checked: check_platforms()).
HOST_TARGETS = [
    Target("aarch64-apple-darwin", None, "darwin-arm64", "arm64", None, "darwin_arm64", os="darwin"),
    Target("x86_64-apple-darwin", None, "darwin-x64", "x64", None, "darwin_amd64", os="darwin"),
    Target("x86_64-pc-windows-msvc", None, "win32-x64", "x64", None, None, os="win32"),
]
HOST_MODE = False  # --host: this machine's platform, built with its own toolchain
ALL = False  # --all: every target built here (Linux cross builds, the Go module's Windows library)
# The emulator's static binaries: musl, so they run on any Linux.
MOCK_BINARIES = {"x86_64-unknown-linux-musl": "linux-x64", "aarch64-unknown-linux-musl": "linux-arm64"}


# A target's RUSTFLAGS replace .cargo/config.toml's build.rustflags, so they repeat its flag
# (the Node addon's event-loop runtime needs tokio's unstable metrics).
TOKIO_UNSTABLE = "--cfg tokio_unstable"


def run(*args: str | Path, env: dict[str, str] | None = None, cwd: Path = ROOT, capture: bool = False) -> str:
    shown = " ".join(str(a) for a in args)
    print(f"+ {shown}", flush=True)
    # Resolved first: on Windows, npm is npm.cmd, which CreateProcess does not try.
    path = (env or os.environ).get("PATH")
    command = [shutil.which(str(args[0]), path=path) or str(args[0]), *(str(a) for a in args[1:])]
    result = subprocess.run(command, cwd=cwd, env=env, check=True, text=True,
                            stdout=subprocess.PIPE if capture else None)
    return result.stdout if capture else ""


def version() -> str:
    return tomllib.loads((ROOT / "Cargo.toml").read_text())["workspace"]["package"]["version"]


def tool_env() -> dict[str, str]:
    """PATH with the pinned tools first (zig from the ziglang wheel, as `python -m ziglang`)."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(VENV / ("Scripts" if os.name == "nt" else "bin")), str(TOOLS / "bin"), env["PATH"]])
    return env


def install_tools(targets: list[Target]) -> None:
    if not (VENV / "bin" / "python").exists():
        run(sys.executable, "-m", "venv", VENV)
    run(VENV / "bin" / "python", "-m", "pip", "install", "-q", "-r", ROOT / "scripts" / "dist-requirements.txt")
    if not (TOOLS / "bin" / "cargo-zigbuild").exists():
        run("cargo", "install", "--locked", "--quiet", "cargo-zigbuild", "--version", ZIGBUILD_VERSION, "--root", TOOLS)
    if not llvm_strip().exists():
        run("rustup", "component", "add", "llvm-tools")
    installed = run("rustup", "target", "list", "--installed", capture=True).split()
    for triple in dict.fromkeys(t.triple for t in targets):
        if triple not in installed:
            run("rustup", "target", "add", triple)


QUICK = False  # --quick: artifacts come from the host release build (see quick())


def llvm_strip() -> Path:
    """rustup's llvm-strip: one tool for every target's archives."""
    sysroot = run("rustc", "--print", "sysroot", capture=True).strip()
    host = run("rustc", "-vV", capture=True).split("host: ")[1].split()[0]
    return Path(sysroot) / "lib" / "rustlib" / host / "bin" / "llvm-strip"


def zigbuild(target: Target, package: str, *, static: bool = False) -> Path:
    if QUICK:
        return TARGET / "release"
    if not target.cross:
        run("cargo", "build", "--locked", "--profile", PROFILE, "-p", package, "--target", target.triple)
        return target.out_dir()
    env = tool_env()
    if target.musl and not static:
        # A musl cdylib needs the C runtime linked dynamically (Node loads it as a .so).
        env[f"CARGO_TARGET_{target.triple.upper().replace('-', '_')}_RUSTFLAGS"] = f"-C target-feature=-crt-static {TOKIO_UNSTABLE}"
    run("cargo", "zigbuild", "--locked", "--profile", PROFILE, "-p", package, "--target", target.zig_triple, env=env)
    return target.out_dir()


# ---- Python ---------------------------------------------------------------------------------

def python(targets: list[Target]) -> None:
    out = DIST / "python"
    maturin = VENV / ("Scripts/maturin.exe" if os.name == "nt" else "bin/maturin")
    for target in targets:
        for manifest in ("bindings-python/Cargo.toml", "tests/emulator/Cargo.toml"):
            how = ["--zig", "--compatibility", target.py_tag] if target.cross else []
            if not target.cross and target.os == "linux":
                how = ["--compatibility", "linux"]  # a host build makes no manylinux claim
            run(maturin, "build", "--locked", "--profile", PROFILE, *how, "--target", target.triple,
                "-m", manifest, "--out", out, env=tool_env())
    run(maturin, "sdist", "-m", "bindings-python/Cargo.toml", "--out", out, env=tool_env())


# ---- Node.js --------------------------------------------------------------------------------

def node(targets: list[Target], ver: str) -> None:
    out = DIST / "npm"
    source = json.loads((ROOT / "bindings-node" / "package.json").read_text())
    platform_packages = {}
    for target in targets:
        lib = zigbuild(target, "ocus-node") / ADDON_FILE[target.os]
        name = f"ocus-{target.node}"
        folder = out / name
        folder.mkdir(parents=True)
        binary = f"ocus.{target.node}.node"
        shutil.copy(lib, folder / binary)
        write_json(folder / "package.json", {
            "name": name, "version": ver,
            "description": f"The native addon of `ocus` for {target.node} (installed by `ocus` as an optional dependency).",
            "license": source["license"], "repository": REPOSITORY,
            "main": binary, "files": [binary],
            "os": [target.os], "cpu": [target.node_cpu],
            **({"libc": [target.libc]} if target.libc else {}),
            "engines": source["engines"],
        })
        platform_packages[name] = ver
    main = out / "ocus"
    main.mkdir(parents=True)
    # The package's own JavaScript and types, as its package.json lists them (the native
    # addon comes from the platform packages; the Rust sources and build script stay behind).
    js_files = [f for f in source["files"] if f.endswith((".js", ".mjs", ".d.ts")) and "/" not in f]
    for file in js_files:
        shutil.copy(ROOT / "bindings-node" / file, main / file)
    shutil.copy(ROOT / "bindings-node" / "README.md", main / "README.md")  # the npm page
    package = {k: v for k, v in source.items() if k not in ("scripts", "devDependencies", "files")}
    package["version"] = ver
    package["repository"] = REPOSITORY
    package["files"] = js_files
    # Every platform this release supports, built here or not (--all builds them all).
    package["optionalDependencies"] = {f"ocus-{t.node}": ver for t in TARGETS + HOST_TARGETS}
    write_json(main / "package.json", package)
    node_mock(out, ver)
    for folder in sorted(p for p in out.iterdir() if p.is_dir()):
        run("npm", "pack", "--silent", "--pack-destination", out, cwd=folder)


# What cargo names a cdylib on each platform.
ADDON_FILE = {"linux": "libocus_node.so", "darwin": "libocus_node.dylib", "win32": "ocus_node.dll"}


def node_mock(out: Path, ver: str) -> None:
    """`npx ocus-mock`: the static emulator binaries behind a small launcher."""
    folder = out / "ocus-mock"
    (folder / "bin").mkdir(parents=True)
    binaries = sorted((DIST / "bin").glob("ocus-mock-*"))
    for binary in binaries:
        shutil.copy(binary, folder / "bin" / binary.name)
    (folder / "ocus-mock.js").write_text(MOCK_LAUNCHER)
    # The package page: how to run tests against it, and the admin API (also `--admin-help`).
    shutil.copy(ROOT / "tests" / "emulator" / "README.md", folder / "README.md")
    write_json(folder / "package.json", {
        "name": "ocus-mock", "version": ver,
        "description": "A local emulator of the OCUS API v3 (fault injection, request log, webhooks) for testing code that uses `ocus`.",
        "license": "MIT", "repository": REPOSITORY,
        "bin": {"ocus-mock": "ocus-mock.js"},
        "files": ["ocus-mock.js"] + [f"bin/{b.name}" for b in binaries],
        "os": sorted({b.name.split("-")[2] for b in binaries}),
        "cpu": sorted({"x64" if "x64" in b.name else "arm64" for b in binaries}),
    })


MOCK_LAUNCHER = """#!/usr/bin/env node
'use strict'
// Runs the emulator binary for this machine, passing arguments through.
const { spawn } = require('node:child_process')
const path = require('node:path')
const fs = require('node:fs')
const exe = process.platform === 'win32' ? '.exe' : ''
const binary = path.join(__dirname, 'bin', `ocus-mock-${process.platform}-${process.arch}${exe}`)
if (!fs.existsSync(binary)) {
  console.error(`ocus-mock: no binary for ${process.platform}-${process.arch} in this package (it has: ${fs.readdirSync(path.join(__dirname, 'bin')).join(', ')}); build it with \\`cargo build -p ocus-mock\\` from the ocus repository`)
  process.exit(2)
}
const child = spawn(binary, process.argv.slice(2), { stdio: 'inherit' })
// Stopping the launcher stops the emulator: the signals a terminal or a test runner sends are
// passed on, so no emulator outlives the command that started it.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
"""


# ---- the emulator as a static binary ----------------------------------------------------------

def mock_binaries(targets: list[Target]) -> None:
    out = DIST / "bin"
    out.mkdir(parents=True, exist_ok=True)
    for target in targets:
        if target.triple in MOCK_BINARIES:
            built = zigbuild(target, "ocus-mock", static=True) / "ocus-mock"
            shutil.copy(built, out / f"ocus-mock-{MOCK_BINARIES[target.triple]}")
        elif not target.cross:
            exe = ".exe" if target.os == "win32" else ""
            built = zigbuild(target, "ocus-mock") / f"ocus-mock{exe}"
            shutil.copy(built, out / f"ocus-mock-{target.node.removesuffix('-gnu')}{exe}")


# ---- Go -------------------------------------------------------------------------------------

def go(targets: list[Target]) -> None:
    source = ROOT / "bindings-go-ffi" / "go"
    module = DIST / "go" / "ocus-go"
    shutil.copytree(source, module, symlinks=False,
                    ignore=shutil.ignore_patterns("*_test.go", "lib", "include", "*.test"))
    ffi = module / "internal" / "ffi"
    (ffi / "include").mkdir()
    shutil.copy(ROOT / "bindings-go-ffi" / "include" / "ocus.h", ffi / "include" / "ocus.h")
    for target in (t for t in targets if t.go):
        lib = zigbuild(target, "ocus-ffi") / "libocus_ffi.a"
        (ffi / "lib" / target.go).mkdir(parents=True)
        shutil.copy(lib, ffi / "lib" / target.go / "libocus_ffi.a")
        if not QUICK:
            # The standard library's debug info rides along in every object (~19 MiB); Go's
            # linker would drop it, but it weighs on every `go get`.
            run(llvm_strip(), "--strip-debug", ffi / "lib" / target.go / "libocus_ffi.a")
        check_link_flags(target, ffi / f"link_{target.go}.go")
    if ALL:
        windows_go_library(ffi)
    (module / "LICENSE").write_text((ROOT / "LICENSE").read_text() if (ROOT / "LICENSE").exists() else "MIT\n")


def check_link_flags(target: Target, link_file: Path) -> None:
    """The module's flags must be what rustc says this target's static library needs."""
    if QUICK:
        return  # the release build checks them
    # Through zigbuild, so the dependencies built above are reused; only ocus-ffi recompiles.
    cargo = ["cargo-zigbuild", "rustc"] if target.cross else ["cargo", "rustc"]
    compare_link_flags([*cargo, "--locked", "--profile", PROFILE, "-p", "ocus-ffi",
                        "--target", target.zig_triple if target.cross else target.triple],
                       tool_env(), target.triple, link_file, "")


def compare_link_flags(cargo_rustc: list[str], env: dict[str, str], triple: str, link_file: Path, extra: str) -> None:
    """Fails unless `link_file` links rustc's native-static-libs for `triple`, then `extra`."""
    result = subprocess.run([*cargo_rustc, "--crate-type", "staticlib", "--", "--print", "native-static-libs"],
                            cwd=ROOT, env=env, text=True, capture_output=True)
    match = re.search(r"native-static-libs: (.*)", result.stderr)
    if result.returncode != 0 or not match:
        sys.exit(f"dist: no native-static-libs from rustc for {triple}:\n{result.stderr[-2000:]}")
    wanted = f"{match.group(1).strip()} {extra}".strip()
    have = re.search(r"libocus_ffi\.a (.*)", link_file.read_text()).group(1).strip()
    if wanted != have:
        sys.exit(f"dist: {link_file.name} links `{have}` but rustc says `{wanted}`: update it")


# ---- Windows (Go) -----------------------------------------------------------------------------

# Built here with Debian's MinGW-w64 (`make windows-tools`), not zig: a Go program on Windows
# links with MinGW's gcc, and scripts/windows_check.py runs what this builds under Wine.
WINDOWS_GNU = "x86_64-pc-windows-gnu"
# What the Windows link needs beyond rustc's list: winpthreads (aws-lc, compiled by MinGW's
# gcc, takes its locks from it), statically.
WINDOWS_EXTRA_LINK = "-Wl,-Bstatic -lpthread -Wl,-Bdynamic"


def mingw_env() -> dict[str, str]:
    """Cargo's C compiler, archiver and linker for x86_64-pc-windows-gnu: MinGW-w64's, with
    -static for programs (no MinGW DLL to carry)."""
    key = WINDOWS_GNU.replace("-", "_")
    return {**os.environ, f"CC_{key}": "x86_64-w64-mingw32-gcc", f"AR_{key}": "x86_64-w64-mingw32-ar",
            f"CARGO_TARGET_{key.upper()}_LINKER": "x86_64-w64-mingw32-gcc",
            f"CARGO_TARGET_{key.upper()}_RUSTFLAGS": f"-C link-arg=-static {TOKIO_UNSTABLE}"}


def windows_go_library(ffi: Path) -> None:
    """The Go module's windows_amd64 library, its link flags checked like the others."""
    cargo = ["cargo", "build", "--locked", "--profile", PROFILE, "-p", "ocus-ffi", "--target", WINDOWS_GNU]
    run(*cargo, env=mingw_env())
    (ffi / "lib" / "windows_amd64").mkdir(parents=True)
    lib = ffi / "lib" / "windows_amd64" / "libocus_ffi.a"
    shutil.copy(TARGET / WINDOWS_GNU / PROFILE / "libocus_ffi.a", lib)
    run(llvm_strip(), "--strip-debug", lib)
    compare_link_flags(["cargo", "rustc", *cargo[2:]], mingw_env(), WINDOWS_GNU, ffi / "link_windows_amd64.go",
                       WINDOWS_EXTRA_LINK)


# ---- JVM ------------------------------------------------------------------------------------

# JNA's resource prefix of each platform whose library the jar carries (glibc builds: JNA does
# not tell musl apart, and a manylinux2014-age library loads on every glibc JVM). The macOS
# ones are built on macOS (release.yml) and put into the jar by scripts/release.py.
JNA_PLATFORMS = {"x86_64-unknown-linux-gnu": "linux-x86-64", "aarch64-unknown-linux-gnu": "linux-aarch64",
                 "aarch64-apple-darwin": "darwin-aarch64", "x86_64-apple-darwin": "darwin-x86-64",
                 "x86_64-pc-windows-msvc": "win32-x86-64"}
# What cargo names the JVM's cdylib on each platform (the name JNA looks for: uniffi's "ocus_jvm").
JVM_LIBRARY = {"linux": "libocus_jvm.so", "darwin": "libocus_jvm.dylib", "win32": "ocus_jvm.dll"}
MVN = ["mvn", "-B", "-q", "--no-transfer-progress", "-Dstyle.color=never"]


def jvm(targets: list[Target], ver: str) -> None:
    """The jar with every built platform's library, laid out as a Maven repository."""
    pom = (ROOT / "bindings-jvm" / "pom.xml").read_text()
    pom_version = re.search(r"<artifactId>ocus</artifactId>\s*<version>(.*?)</version>", pom).group(1)
    if pom_version != f"{ver}-SNAPSHOT":
        sys.exit(f"dist: bindings-jvm/pom.xml says {pom_version}, the workspace {ver} (-SNAPSHOT expected)")
    # The working tree's pom is a snapshot (local installs never shadow a release); the
    # shipped jar and pom carry the release version.
    release_pom = pom.replace(f"<version>{pom_version}</version>", f"<version>{ver}</version>", 1)
    natives = TARGET / "jvm-native"
    shutil.rmtree(natives, ignore_errors=True)
    for target in targets:
        platform = JNA_PLATFORMS.get(target.triple)
        if platform is None:
            continue
        (natives / platform).mkdir(parents=True)
        library = JVM_LIBRARY[target.os]
        shutil.copy(zigbuild(target, "ocus-jvm") / library, natives / platform / library)
    if ALL:
        # Windows x64, built here with MinGW-w64 (scripts/windows_check.py loads it under Wine).
        run("cargo", "build", "--locked", "--profile", PROFILE, "-p", "ocus-jvm", "--target", WINDOWS_GNU, env=mingw_env())
        (natives / "win32-x86-64").mkdir(parents=True)
        shutil.copy(TARGET / WINDOWS_GNU / PROFILE / "ocus_jvm.dll", natives / "win32-x86-64" / "ocus_jvm.dll")
    # Built in a copy: the jar must hold exactly these libraries, never a stale one left in
    # bindings-jvm/target by an earlier build (nor disturb a test run using that folder).
    build = TARGET / "jvm-dist-build"
    shutil.rmtree(build, ignore_errors=True)
    build.mkdir(parents=True)
    (build / "pom.xml").write_text(release_pom)
    shutil.copytree(ROOT / "bindings-jvm" / "src" / "main", build / "src" / "main")
    run(*MVN, "package", "-Dmaven.test.skip=true", f"-Docus.native.dir={natives}", cwd=build)
    folder = DIST / "maven" / "io" / "ocus" / "ocus"
    (folder / ver).mkdir(parents=True)
    for source, name in ((build / "target" / f"ocus-{ver}.jar", f"ocus-{ver}.jar"),
                         (build / "pom.xml", f"ocus-{ver}.pom")):
        shutil.copy(source, folder / ver / name)
    maven_metadata(folder, ver)


def maven_metadata(folder: Path, ver: str) -> None:
    """maven-metadata.xml and the checksums Maven asks for (again after scripts/release.py
    adds the macOS libraries to the jar)."""
    (folder / "maven-metadata.xml").write_text(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<metadata>\n  <groupId>io.ocus</groupId>\n"
        f"  <artifactId>ocus</artifactId>\n  <versioning>\n    <latest>{ver}</latest>\n    <release>{ver}</release>\n"
        f"    <versions>\n      <version>{ver}</version>\n    </versions>\n  </versioning>\n</metadata>\n")
    for path in [*(f for f in (folder / ver).iterdir() if f.suffix in (".jar", ".pom")), folder / "maven-metadata.xml"]:
        for algorithm in ("sha1", "md5"):
            digest = hashlib.new(algorithm, path.read_bytes()).hexdigest()
            path.with_name(f"{path.name}.{algorithm}").write_text(digest)


# ---- shared ---------------------------------------------------------------------------------

REPOSITORY = {"type": "git", "url": "https://github.com/ocus/ocus-sdk"}


def write_json(path: Path, value: object) -> None:
    path.write_text(json.dumps(value, indent=2) + "\n")


def quick(ver: str) -> None:
    """The native packages from the host release builds `make test` has made anyway."""
    # The same invocations as `make build`, `make go-lib` and the Node build: no-ops when fresh.
    run("cargo", "build", "--locked", "--release", "-p", "ocus-mock")
    run("cargo", "build", "--locked", "--release", "-p", "ocus-ffi")
    run("cargo", "build", "--locked", "--release", "-p", "ocus-jvm")
    run("cargo", "build", "--locked", "-p", "ocus-node", "--release", "--manifest-path", ROOT / "bindings-node" / "Cargo.toml")
    (DIST / "bin").mkdir()
    shutil.copy(TARGET / "release" / "ocus-mock", DIST / "bin" / "ocus-mock-linux-x64")
    go([NATIVE])
    node([NATIVE], ver)
    jvm([NATIVE], ver)
    maturin = VENV / "bin" / "maturin"
    run(maturin, "build", "--locked", "--release", "--compatibility", "linux", "-m", "bindings-python/Cargo.toml",
        "--out", DIST / "python", env=tool_env())
    run(maturin, "build", "--locked", "--compatibility", "linux", "-m", "tests/emulator/Cargo.toml",
        "--out", DIST / "python", env=tool_env())


# Built by .github/workflows/release.yml on their own runners; checked here without linking.
CHECK_ONLY_TARGETS = ["x86_64-pc-windows-gnu", "aarch64-apple-darwin", "x86_64-apple-darwin"]
CRATES = ["ocus", "ocus-ffi", "ocus-python", "ocus-node", "ocus-jvm", "ocus-cli", "ocus-mock"]


def host() -> None:
    """dist/ for the machine this runs on (release.yml runs it on macOS and Windows runners;
    on Linux it builds the host's packages without zig, which is how it is tested here)."""
    global HOST_MODE
    HOST_MODE = True
    triple = run("rustc", "-vV", capture=True).split("host: ")[1].split()[0]
    target = next((t for t in HOST_TARGETS + TARGETS if t.triple == triple), None)
    if target is None:
        sys.exit(f"dist --host: {triple} is not a platform ocus releases "
                 f"({', '.join(t.triple for t in TARGETS + HOST_TARGETS)})")
    if not (VENV / "bin" / "maturin").exists() and not (VENV / "Scripts" / "maturin.exe").exists():
        run(sys.executable, "-m", "venv", VENV)
    pinned = [line for line in (ROOT / "scripts" / "dist-requirements.txt").read_text().split() if line.startswith("maturin==")]
    run(venv_python(), "-m", "pip", "install", "-q", *pinned)  # the platform's own linker: no zig
    if DIST.exists():
        shutil.rmtree(DIST)
    DIST.mkdir()
    ver = version()
    mock_binaries([target])
    if target.go:
        if not llvm_strip().exists():
            run("rustup", "component", "add", "llvm-tools")
        go([target])
    node([target], ver)
    if target.os != "linux":
        jvm([target], ver)  # the jar with this platform's library alone (Linux's comes from dist.py)
    python([target])
    (DIST / "HOST").write_text(target.node + "\n")


def venv_python() -> Path:
    windows = VENV / "Scripts" / "python.exe"
    return windows if windows.exists() else VENV / "bin" / "python"


def check_platforms() -> None:
    """`cargo clippy -D warnings` of every crate for each check-only target, with zig as the
    C compiler (aws-lc's sources) so that no SDK is needed. Nothing links: napi's build script
    looks only for libnode.dll's folder, which an empty file satisfies."""
    install_tools([])
    installed = run("rustup", "target", "list", "--installed", capture=True).split()
    for triple in CHECK_ONLY_TARGETS:
        if triple not in installed:
            run("rustup", "target", "add", triple)
    env = tool_env()
    libnode = TARGET / "libnode-stub"
    libnode.mkdir(parents=True, exist_ok=True)
    (libnode / "libnode.dll").touch()
    env["LIBNODE_PATH"] = str(libnode)
    crates = [arg for crate in CRATES for arg in ("-p", crate)]
    for triple in CHECK_ONLY_TARGETS:
        run("cargo-zigbuild", "clippy", "--locked", "--target", triple, *crates, "--all-targets",
            "--", "-D", "warnings", env=env)
        print(f"{triple}: every crate checks and lints clean")
    for target in (t for t in HOST_TARGETS if t.os == "darwin"):
        go_compile_check_darwin(target, env)


def go_compile_check_darwin(target: Target, env: dict[str, str]) -> None:
    """As far as macOS's Go build gets without the macOS SDK: the static library built with zig,
    its link flags checked against rustc's, and the module compiled for the platform with cgo
    (zig cc as the C compiler), `go vet` included. Only the final link needs the SDK's
    frameworks; release.yml's macOS jobs link and run it."""
    cargo = ["cargo-zigbuild", "rustc", "--locked", "--release", "-p", "ocus-ffi", "--target", target.triple]
    compare_link_flags(cargo, env, target.triple,
                       ROOT / "bindings-go-ffi" / "go" / "internal" / "ffi" / f"link_{target.go}.go", "")
    module = TARGET / "go-darwin-check" / target.go
    shutil.rmtree(module, ignore_errors=True)
    shutil.copytree(ROOT / "bindings-go-ffi" / "go", module, symlinks=False,
                    ignore=shutil.ignore_patterns("lib", "include", "*.test"))
    ffi = module / "internal" / "ffi"
    (ffi / "lib" / target.go).mkdir(parents=True)
    shutil.copy(TARGET / target.triple / "release" / "libocus_ffi.a", ffi / "lib" / target.go)
    (ffi / "include").mkdir()
    shutil.copy(ROOT / "bindings-go-ffi" / "include" / "ocus.h", ffi / "include")
    zig_cc = TARGET / "go-darwin-check" / f"zig-cc-{target.go}"
    zig_arch = "aarch64" if target.node_cpu == "arm64" else "x86_64"
    zig_cc.write_text(f'#!/bin/sh\nexec "{VENV / "bin" / "python"}" -m ziglang cc -target {zig_arch}-macos "$@"\n')
    zig_cc.chmod(0o755)
    goarch = target.go.split("_")[1]
    go_env = {**env, "GOOS": "darwin", "GOARCH": goarch, "CGO_ENABLED": "1", "CC": str(zig_cc), "GOFLAGS": "-mod=mod"}
    run("go", "vet", "./...", env=go_env, cwd=module)
    print(f"{target.triple}: the Go module compiles and vets with cgo (linked and run by release.yml)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--all", action="store_true", help="also aarch64 and musl (cross builds)")
    parser.add_argument("--quick", action="store_true", help="from the host release builds (make test)")
    parser.add_argument("--check-platforms", action="store_true", help="check Windows and macOS (no link)")
    parser.add_argument("--host", action="store_true",
                        help="this machine's platform with its own toolchain (release runners for macOS and Windows)")
    args = parser.parse_args()
    if args.check_platforms:
        check_platforms()
        return
    if args.host:
        host()
        return
    global QUICK
    QUICK = args.quick
    if args.quick:
        if not (VENV / "bin" / "maturin").exists():
            run(sys.executable, "-m", "venv", VENV)
        pinned = [line for line in (ROOT / "scripts" / "dist-requirements.txt").read_text().split() if line.startswith("maturin==")]
        run(VENV / "bin" / "python", "-m", "pip", "install", "-q", *pinned)  # no zig needed here
        if DIST.exists():
            shutil.rmtree(DIST)
        DIST.mkdir()
        quick(version())
        (DIST / "QUICK").write_text("built by scripts/dist.py --quick: not for release\n")
        return
    global ALL
    ALL = args.all
    targets = TARGETS if args.all else [NATIVE]
    mock_targets = [t for t in TARGETS if t.triple in MOCK_BINARIES and (args.all or t.node_cpu == NATIVE.node_cpu)]
    install_tools(targets + mock_targets)
    if DIST.exists():
        shutil.rmtree(DIST)
    DIST.mkdir()
    ver = version()
    mock_binaries(mock_targets)
    go(targets)
    node(targets, ver)
    jvm(targets, ver)
    python(targets)
    print("\ndist/:")
    for path in sorted(DIST.rglob("*")):
        if path.is_file() and path.suffix in (".whl", ".gz", ".tgz", ".a", ".node", ".jar") or path.parent.name == "bin":
            print(f"  {path.relative_to(DIST)}  {path.stat().st_size / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
