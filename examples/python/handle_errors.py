"""What a revoked, expired or unknown key looks like, and how to handle it."""

from __future__ import annotations

import os
import sys

import ocus


def describe(api_key: str) -> str:
    try:
        with ocus.Client(api_key=api_key, max_retries=1) as client:
            page = client.projects.list_page(page_size=1)
            return f"ok: {page.meta.get('total')} projects"
    except ocus.AuthenticationError as error:  # 401: missing or invalid key
        return f"401 {error.kind}: {error.message} (request {error.request_id})"
    except ocus.PermissionDeniedError as error:  # 403: revoked or expired key
        return f"403 {error.kind}: {error.message} (request {error.request_id})"
    except ocus.RateLimitError as error:
        return f"429: retry after {error.retry_after} s"
    except ocus.APIConnectionError as error:
        return f"cannot reach OCUS: {error}"


def main() -> int:
    keys = sys.argv[1:] or [os.environ.get("OCUS_API_KEY", "")]
    for key in keys:
        print(describe(key))
    try:
        ocus.Client(api_key="two words")
    except ocus.ConfigurationError as error:
        print(f"rejected before sending: {error}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
