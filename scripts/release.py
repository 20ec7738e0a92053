#!/usr/bin/env python3
"""The release as one dist/, and the check that nothing in it is missing.

  release.py merge PARTS    dist/ from the release workflow's parts: PARTS/dist-<job>/dist.tar,
                            one from the Linux job (`make dist-check-all`) and one per macOS and
                            Windows runner (`scripts/dist.py --host`)
  release.py check [--built-here]
                            every artifact the README's "Release artifacts" table names is in
                            dist/; with --built-here, only the cells built on Linux (what
                            `make dist-all` makes), so `make dist-check-all` checks the table too
  release.py job NAME       the `run:` steps of a job of .github/workflows/release.yml, run here
                            in order as the runner would (its `uses:` steps are the toolchains
                            this machine already has; the upload is a copy into target/release-parts)

Which platform's files a merge takes from which part: the Linux part is the base (the sources,
the `ocus` npm package, the sdist, the Linux and Windows-GNU libraries built with zig and
MinGW-w64); each macOS or Windows part adds its own wheels, npm addon, emulator binary, Go
library (macOS) and JNA library (macOS) into the jar, and the npm `ocus-mock` package is packed
again with every platform's emulator binary. A file the base has already is kept.
"""

from __future__ import annotations

import argparse
import fnmatch
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import dist  # noqa: E402  (the version, the Maven metadata)

ROOT = dist.ROOT
DIST = dist.DIST
README = ROOT / "README.md"
WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"
JAR_GLOB = "maven/io/ocus/ocus/*/ocus-*.jar"


# ---- the table --------------------------------------------------------------------------------

class Cell:
    def __init__(self, artifact: str, platform: str, pattern: str, built_here: bool):
        self.artifact, self.platform, self.pattern, self.built_here = artifact, platform, pattern, built_here

    def __str__(self) -> str:
        return f"{self.artifact}, {self.platform}: {self.pattern}"


def expected() -> list[Cell]:
    """The README's "Release artifacts" table: a row per artifact, a column per platform, each
    cell a path in dist/ (a glob; `jar!entry` for a file inside the jar) and where it is built."""
    text = README.read_text()
    start = text.index("<!-- release-artifacts -->")
    rows = []
    for line in text[start:].splitlines()[1:]:
        if not line.startswith("|"):
            break
        rows.append(line)
    if not rows:
        sys.exit("release: the README has no table after <!-- release-artifacts -->")
    header = [c.strip() for c in rows[0].strip("|").split("|")]
    cells = []
    for row in rows[2:]:
        columns = [c.strip() for c in row.strip("|").split("|")]
        for platform, cell in zip(header[1:], columns[1:]):
            if cell == "-":
                continue
            found = re.fullmatch(r"`([^`]+)` \((here|release\.yml)\)", cell)
            if not found:
                sys.exit(f"release: README cell {cell!r} ({columns[0]}, {platform}) is not `path` (here|release.yml)")
            cells.append(Cell(columns[0], platform, found.group(1), found.group(2) == "here"))
    return cells


def present(pattern: str, root: Path) -> bool:
    if "!" not in pattern:
        return any(root.glob(pattern))
    jar_pattern, entry = pattern.split("!", 1)
    for jar in root.glob(jar_pattern):
        with zipfile.ZipFile(jar) as archive:
            if any(fnmatch.fnmatch(name, entry) for name in archive.namelist()):
                return True
    return False


def check(built_here: bool, root: Path = DIST) -> int:
    cells = [c for c in expected() if c.built_here or not built_here]
    missing = [c for c in cells if not present(c.pattern, root)]
    for cell in cells:
        print(("FAIL " if cell in missing else "ok   ") + str(cell))
    which = "built here" if built_here else "expected"
    print(f"\nrelease check: {len(cells) - len(missing)} of {len(cells)} {which} artifacts in {root}")
    return 1 if missing else 0


# ---- the merge ----------------------------------------------------------------------------------

def unpack(parts: Path) -> dict[str, Path]:
    """Each part's dist/, by job name (the upload is a tar: it keeps the executable bits)."""
    trees = {}
    for folder in sorted(p for p in parts.iterdir() if p.is_dir() and p.name.startswith("dist-")):
        archive = folder / "dist.tar"
        if not archive.exists():
            sys.exit(f"release: {archive} is missing")
        with tarfile.open(archive) as tar:
            tar.extractall(folder / "unpacked", filter="tar")
        trees[folder.name.removeprefix("dist-")] = folder / "unpacked" / "dist"
    if "linux" not in trees:
        sys.exit(f"release: no dist-linux part in {parts}")
    return trees


def copy_new(source: Path, target: Path) -> None:
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
        print(f"  + {target.relative_to(DIST)}")


def add_to_jar(jar: Path, entries: dict[str, bytes]) -> None:
    """The jar rewritten with the new entries (a jar is a zip; its manifest stays first)."""
    with zipfile.ZipFile(jar) as archive:
        have = {info.filename: (info, archive.read(info)) for info in archive.infolist()}
    new = {name: data for name, data in entries.items() if name not in have}
    if not new:
        return
    with tempfile.NamedTemporaryFile(dir=jar.parent, delete=False) as handle:
        rebuilt = Path(handle.name)
    with zipfile.ZipFile(rebuilt, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in have.values():
            archive.writestr(info, data)
        for name, data in sorted(new.items()):
            archive.writestr(name, data)
            print(f"  + {jar.name}!{name}")
    rebuilt.replace(jar)


def merge(parts: Path) -> None:
    trees = unpack(parts)
    if DIST.exists():
        shutil.rmtree(DIST)
    shutil.copytree(trees.pop("linux"), DIST, symlinks=True)
    jar = next(DIST.glob(JAR_GLOB), None)
    for job, tree in trees.items():
        host = (tree / "HOST").read_text().strip()
        print(f"{job} ({host}):")
        for wheel in sorted((tree / "python").glob("*.whl")):
            copy_new(wheel, DIST / "python" / wheel.name)
        for addon in sorted((tree / "npm").glob(f"ocus-{host}-*.tgz")):
            copy_new(addon, DIST / "npm" / addon.name)
        for binary in sorted((tree / "bin").glob(f"ocus-mock-{host}*")):
            copy_new(binary, DIST / "bin" / binary.name)
        libraries = tree / "go" / "ocus-go" / "internal" / "ffi" / "lib"
        for library in sorted(libraries.glob("*/libocus_ffi.a")) if libraries.exists() else []:
            copy_new(library, DIST / "go" / "ocus-go" / "internal" / "ffi" / "lib" / library.parent.name / library.name)
        host_jar = next(tree.glob(JAR_GLOB), None)
        if host_jar and jar and host.startswith("darwin"):
            # macOS's library only: Windows x64's comes from the Linux part (MinGW-w64), the
            # same build as the Go module's and the one run under Wine there.
            with zipfile.ZipFile(host_jar) as archive:
                natives = {n: archive.read(n) for n in archive.namelist() if n.startswith("darwin-") and not n.endswith("/")}
            add_to_jar(jar, natives)
    if jar:
        dist.maven_metadata(jar.parent.parent, jar.parent.name)
    # `npx ocus-mock` with every platform's emulator binary, not only the Linux part's.
    ver = dist.version()
    shutil.rmtree(DIST / "npm" / "ocus-mock")
    (DIST / "npm" / f"ocus-mock-{ver}.tgz").unlink()
    dist.node_mock(DIST / "npm", ver)
    dist.run("npm", "pack", "--silent", "--pack-destination", DIST / "npm", cwd=DIST / "npm" / "ocus-mock")
    (DIST / "HOST").unlink(missing_ok=True)


# ---- a workflow job, run here ------------------------------------------------------------------

def job(name: str) -> int:
    import yaml  # in target/dist-venv (scripts/dist-requirements.txt)

    workflow = yaml.safe_load(WORKFLOW.read_text())
    steps = workflow["jobs"][name]["steps"]
    parts = ROOT / "target" / "release-parts"
    for step in steps:
        if "uses" in step:
            action = step["uses"].split("@")[0]
            if action == "actions/upload-artifact":
                folder = parts / step["with"]["name"]
                folder.mkdir(parents=True, exist_ok=True)
                shutil.copy(ROOT / step["with"]["path"], folder / Path(step["with"]["path"]).name)
                print(f"== upload-artifact: {step['with']['path']} -> {folder.relative_to(ROOT)}", flush=True)
            else:
                print(f"== {action}: this machine's own toolchain", flush=True)
            continue
        print(f"== run: {step['run'].strip()}", flush=True)
        result = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", step["run"]], cwd=ROOT)
        if result.returncode != 0:
            print(f"release job {name}: step failed with exit {result.returncode}")
            return result.returncode
    print(f"release job {name}: every step passed")
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("merge").add_argument("parts", type=Path)
    checking = commands.add_parser("check")
    checking.add_argument("--built-here", action="store_true")
    commands.add_parser("job").add_argument("name")
    args = parser.parse_args()
    if args.command == "merge":
        merge(args.parts)
        sys.exit(check(built_here=False))
    if args.command == "check":
        sys.exit(check(args.built_here))
    sys.exit(job(args.name))


if __name__ == "__main__":
    main()
