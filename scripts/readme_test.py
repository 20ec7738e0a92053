#!/usr/bin/env python3
"""`make test-readme`: every code block of the READMEs runs as written, against the emulator.

Run under `scripts/with-emulator` (OCUS_BASE_URL); each block gets OCUS_API_KEY=ocus_demo_key
and OCUS_WEBHOOK_SECRET, nothing else it did not write itself:
  python  the venv's python (the installed wheel), then `mypy --strict`
  js      node, from examples/node (where `ocus` is installed as a user installs it)
  ts      `tsc --noEmit --strict` against the installed types, from examples/node
  go      `go run`, as a package of the examples module (which requires github.com/ocus/ocus-go)
  kotlin  a top-level `main` compiled by Maven in a copy of examples/jvm (io.ocus:ocus from the
          local Maven repository, as `make jvm-install` leaves it), then run with java
  java    the same for one public class with a `main`
  c       gcc -Wall -Werror with the header and the static library, then run
  rust    an example of the ocus-cli package (`cargo run --example`)
  sh      bash -euo pipefail from the project root, with target/debug (the CLI) on PATH
A block preceded by `<!-- readme-test: skip: REASON -->` is listed with its reason; blocks in
other languages (json, the layout tree) are data and listed as such. Nothing is skipped silently.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple, Optional

ROOT = Path(__file__).resolve().parent.parent
READMES = ["README.md", "tests/emulator/README.md", "tests/scenarios/README.md", "bindings-python/README.md",
           "bindings-node/README.md", "bindings-go-ffi/go/README.md", "bindings-jvm/README.md"]
PY = ROOT / "target" / "py-venv" / "bin" / "python"
FENCE = re.compile(r"^(?:<!-- readme-test: skip: (?P<skip>.*?) -->\n)?```(?P<lang>[a-z]*)\n(?P<code>.*?)^```$", re.M | re.S)
RUNNABLE = {"python", "js", "ts", "go", "kotlin", "java", "c", "rust", "sh"}
MVN = ["mvn", "-B", "-q", "--no-transfer-progress", "-Dstyle.color=never"]


def env() -> dict[str, str]:
    base = os.environ.get("OCUS_BASE_URL")
    if not base:
        sys.exit("readme-test: run it under scripts/with-emulator (no OCUS_BASE_URL)")
    keep = {k: v for k, v in os.environ.items() if not k.startswith("OCUS_")}
    return {**keep, "OCUS_BASE_URL": base, "OCUS_API_KEY": "ocus_demo_key",
            "OCUS_WEBHOOK_SECRET": "whsec_readme", "PATH": f"{ROOT / 'target' / 'debug'}:{keep['PATH']}"}


def run(command: list[str | Path], cwd: Path, environment: dict[str, str]) -> tuple[bool, str]:
    try:
        result = subprocess.run([str(c) for c in command], cwd=cwd, env=environment, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
    except subprocess.TimeoutExpired as timeout:
        return False, f"still running after {timeout.timeout} s: {timeout.output or ''}"
    return result.returncode == 0, result.stdout


def run_block(lang: str, code: str, work: Path, environment: dict[str, str], label: str) -> tuple[bool, str]:
    if lang == "python":
        (work / "snippet.py").write_text(code)
        ok, out = run([PY, "snippet.py"], work, environment)
        if ok:
            ok, typed = run([PY, "-m", "mypy", "--strict", "--no-incremental", "snippet.py"], work, environment)
            out += typed
        return ok, out
    if lang in ("js", "ts"):
        node_project = ROOT / "examples" / "node"
        name = f".readme-{label}.{'js' if lang == 'js' else 'ts'}"
        (node_project / name).write_text(code)
        try:
            if lang == "js":
                return run(["node", name], node_project, environment)
            # The example project's own TypeScript and @types/node; strict, no output.
            return run(["node_modules/.bin/tsc", "--noEmit", "--strict", "--target", "es2022", "--module", "node16",
                        "--moduleResolution", "node16", "--types", "node", name], node_project, environment)
        finally:
            (node_project / name).unlink()
    if lang == "go":
        package = ROOT / "examples" / "go" / f"readme{label}"
        package.mkdir(exist_ok=True)  # (left by a run that was killed)
        try:
            (package / "main.go").write_text(code)
            return run(["go", "run", f"./readme{label}"], ROOT / "examples" / "go", environment)
        finally:
            shutil.rmtree(package)
    if lang in ("kotlin", "java"):
        # A project of its own (examples/jvm's pom: io.ocus:ocus and the Kotlin compiler).
        shutil.copy(ROOT / "examples" / "jvm" / "pom.xml", work / "pom.xml")
        if lang == "kotlin":
            source, main = work / "src" / "main" / "kotlin" / "Readme.kt", "ReadmeKt"
        else:
            found = re.search(r"public (?:final )?class (\w+)", code)
            if found is None:
                return False, "a Java block needs a public class with a main method"
            main = found.group(1)
            source = work / "src" / "main" / "java" / f"{main}.java"
        source.parent.mkdir(parents=True)
        source.write_text(code)
        ok, out = run([*MVN, "package", "dependency:build-classpath", "-Dmdep.outputFile=classpath.txt"], work, environment)
        if not ok:
            return ok, out
        classpath = f"{work / 'target' / 'classes'}:{(work / 'classpath.txt').read_text().strip()}"
        return run(["java", "-cp", classpath, main], work, environment)
    if lang == "c":
        (work / "snippet.c").write_text(code)
        ok, out = run(["gcc", "-Wall", "-Wextra", "-Werror", "-std=c11", "-I", ROOT / "bindings-go-ffi" / "include",
                       "snippet.c", ROOT / "target" / "release" / "libocus_ffi.a",
                       "-lgcc_s", "-lutil", "-lrt", "-lpthread", "-lm", "-ldl", "-lc", "-o", "snippet"], work, environment)
        return (ok, out) if not ok else run([work / "snippet"], work, environment)
    if lang == "rust":
        example = ROOT / "examples" / "cli" / "examples" / f"readme_{label}.rs"
        example.parent.mkdir(exist_ok=True)
        example.write_text(code)
        try:
            return run(["cargo", "run", "--quiet", "--locked", "-p", "ocus-cli", "--example", f"readme_{label}"],
                       ROOT, environment)
        finally:
            example.unlink()
            if not any(example.parent.iterdir()):
                example.parent.rmdir()
    if lang == "sh":
        # From the project root, as the README's commands are typed.
        (work / "snippet.sh").write_text(code)
        return run(["bash", "-euo", "pipefail", work / "snippet.sh"], ROOT, environment)
    raise AssertionError(lang)


class Block(NamedTuple):
    lang: str
    code: str
    skip: Optional[str]  # the reason given in a `readme-test: skip` comment
    where: str  # README:line (lang)
    label: str  # unique among the READMEs, for file and package names


def blocks(readme: str) -> list[Block]:
    """The fenced code blocks of `readme` (a path from the project root), in order."""
    text = (ROOT / readme).read_text()
    fences = sum(1 for line in text.splitlines() if line.lstrip().startswith("```"))
    matches = list(FENCE.finditer(text))
    if fences != 2 * len(matches):
        # A fence this script does not read (indented, or with text after the language)
        # would be a block nobody runs.
        sys.exit(f"readme-test: {readme} has {fences} fence lines but {len(matches)} blocks were read")
    label_prefix = re.sub(r"[^a-z0-9]", "", readme.lower().removesuffix(".md"))
    found = []
    for index, match in enumerate(matches, 1):
        lang, skip = match["lang"], match["skip"]
        line = text[: match.start()].count("\n") + 1 + (1 if skip else 0)
        found.append(Block(lang, match["code"], skip, f"{readme}:{line} ({lang or 'text'})", f"{label_prefix}{index}"))
    return found


def main() -> None:
    environment = env()
    started = time.monotonic()
    runnable = []
    for readme in READMES:
        for block in blocks(readme):
            if block.skip:
                print(f"skip {block.where}: {block.skip}")
            elif block.lang not in RUNNABLE:
                print(f"data {block.where}: not a program")
            else:
                runnable.append(block)

    def run_one(block: Block) -> tuple[bool, str, float]:
        block_started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="ocus-readme-") as tmp:
            ok, out = run_block(block.lang, block.code, Path(tmp), environment, block.label)
        return ok, out, time.monotonic() - block_started

    # Two at a time: most blocks wait on a JVM, Maven or a compiler starting, and every block
    # writes only its own files (named by its label), so they need no order.
    failed = 0
    with ThreadPoolExecutor(max_workers=2) as pool:
        for block, (ok, out, seconds) in zip(runnable, pool.map(run_one, runnable)):
            print(f"{'ok  ' if ok else 'FAIL'} {block.where} ({seconds:.1f} s)", flush=True)
            if not ok:
                failed += 1
                print("\n".join("     | " + line for line in out.rstrip().splitlines()[-40:]))
    print(f"\nreadme-test: {len(runnable)} blocks run, {failed} failed, {time.monotonic() - started:.0f} s")
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
