"""List every project, page after page (the key comes from OCUS_API_KEY or OCUS_API_KEY_FILE)."""

from __future__ import annotations

from collections import Counter

import ocus


def main() -> None:
    with ocus.Client() as client:
        first = client.projects.list_page(page_size=5)
        print(f"first page: {len(first)} of {first.meta.get('total')} projects")
        if first.response is not None:  # status, headers and request id of the page's response
            print(f"  (HTTP {first.response.status_code}, request {first.response.request_id})")
        for project in first:
            print(f"  {project.id}  {project.status:<20}  {project.name}")
        statuses = Counter(project.status for project in client.projects.list(page_size=50))
        print(f"all pages: {sum(statuses.values())} projects")
        for status, count in statuses.most_common():
            print(f"  {status:<20} {count}")
        raw, response = client.request("GET", "/projects", params={"page[size]": 1}, with_response=True)
        print(f"total from a raw request: {raw['meta']['total']} ({response.headers['content-type']})")


if __name__ == "__main__":
    main()
