"""Fetch many projects concurrently with asyncio."""

from __future__ import annotations

import asyncio
import time

import ocus


async def main() -> None:
    async with ocus.AsyncClient() as client:
        ids = [project.id async for project in client.projects.list(page_size=100)]
        started = time.perf_counter()
        projects = await asyncio.gather(*(client.projects.get(project_id) for project_id in ids))
        elapsed = time.perf_counter() - started
        print(f"fetched {len(projects)} projects concurrently in {elapsed * 1000:.0f} ms")
        try:
            await client.projects.get("00000000-0000-4000-8000-000000000000")
        except ocus.NotFoundError as error:
            print(f"missing project: {error.status} {error.message}")


if __name__ == "__main__":
    asyncio.run(main())
