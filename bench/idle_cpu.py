"""What an idle client costs (issue 20's goal: at most 0.1% of a core over 60 s with a client
open and no calls). For each language, one process opens a client, makes a call on each path
(so the pool, the runtime threads and the completion machinery exist), then does nothing for
SECONDS and reports its own CPU time over that window; beside it, the same program without a
client gives the language runtime's own floor. All processes run at once (they are idle).

Usage: python3 bench/idle_cpu.py [--seconds N] [python] [node] [go] [jvm]
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys

from release_emulator import ROOT, release_emulator

PYTHON = r"""
import asyncio, json, os, resource, sys, time
base, id, seconds, which = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
async def main():
    clients = []
    if which == "ocus":
        import ocus
        client = ocus.Client(api_key=os.environ["KEY"], base_url=base)
        client.projects.get(id)
        async_client = ocus.AsyncClient(api_key=os.environ["KEY"], base_url=base)
        await asyncio.gather(async_client.projects.get(id), async_client.projects.get(id))
        clients = [client, async_client]
    await asyncio.sleep(1)
    before = cpu()
    await asyncio.sleep(seconds)
    print(json.dumps({"cpu_ms": (cpu() - before) * 1000, "seconds": seconds}))
asyncio.run(main())
"""

NODE = r"""
const [base, id, secondsText, which] = process.argv.slice(2)
const seconds = Number(secondsText)
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000 }
async function main() {
  let client
  if (which === 'ocus') {
    const { Client } = require(process.env.OCUS_ROOT + '/bindings-node')
    client = new Client({ apiKey: process.env.KEY, baseUrl: base })
    await client.projects.get(id)
    await Promise.all([client.projects.get(id), client.projects.get(id)])
  }
  await new Promise((r) => setTimeout(r, 1000))
  const before = cpu()
  await new Promise((r) => setTimeout(r, seconds * 1000))
  console.log(JSON.stringify({ cpu_ms: cpu() - before, seconds }))
  client?.close()
}
main()
"""


def commands(language: str, base: str, project: str, seconds: int, which: str) -> list[str]:
    args = [base, project, str(seconds), which]
    if language == "python":
        return [str(ROOT / "target/py-venv/bin/python"), "-c", PYTHON, *args]
    if language == "node":
        return ["node", "-e", NODE, "--", *args]
    if language == "go":
        return [str(ROOT / "target/idledriver"), *args]
    if language == "jvm":
        return ["mvn", "-B", "-q", "-Dstyle.color=never", "-f", str(ROOT / "bindings-jvm/pom.xml"),
                "org.codehaus.mojo:exec-maven-plugin:3.6.4:exec",
                "-Dexec.executable=java", "-Dexec.classpathScope=test",
                "-Dexec.args=-Xms64m -Xmx256m -cp %classpath io.ocus.bench.IdleKt " + shlex.join(args)]
    raise SystemExit(f"unknown language {language}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("languages", nargs="*", default=["python", "node", "go", "jvm"])
    options = parser.parse_args()
    if "go" in options.languages:
        subprocess.run(["go", "build", "-o", str(ROOT / "target/idledriver"), "./internal/idledriver"],
                       cwd=ROOT / "bindings-go-ffi/go", check=True)
    if "jvm" in options.languages:
        # Compiled once here: two Maven runs compiling into one target directory would race.
        subprocess.run(["mvn", "-B", "-q", "-Dstyle.color=never", "-f", str(ROOT / "bindings-jvm/pom.xml"),
                        "test-compile"], check=True)
    with release_emulator() as (base, project, env):
        running = {
            (language, which): subprocess.Popen(commands(language, base, project, options.seconds, which),
                                                stdout=subprocess.PIPE, env=env, text=True)
            for language in options.languages for which in ("ocus", "none")
        }
        results = {}
        for (language, which), process in running.items():
            out, _ = process.communicate(timeout=options.seconds + 300)
            lines = [line[line.index('{"cpu_ms"'):] for line in out.splitlines() if '{"cpu_ms"' in line]
            if process.returncode != 0 or not lines:
                sys.exit(f"{language} {which} failed (exit {process.returncode}): {out}")
            results[(language, which)] = json.loads(lines[-1])
    print(f"Idle CPU over {options.seconds} s (process CPU time; goal: an idle client adds at most 0.1% of a core)")
    print(f"{'language':<8} {'with a client':>14} {'runtime alone':>14} {'client adds':>12}")
    for language in options.languages:
        with_client = results[(language, "ocus")]["cpu_ms"]
        alone = results[(language, "none")]["cpu_ms"]
        added = (with_client - alone) / (options.seconds * 1000) * 100
        print(f"{language:<8} {with_client:>11.1f} ms {alone:>11.1f} ms {added:>11.3f}%")


if __name__ == "__main__":
    main()
