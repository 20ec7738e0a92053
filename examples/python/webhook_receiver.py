"""A minimal webhook receiver that verifies `ocus-signature` over the raw body.

Run it, then point OCUS (or the emulator's POST /__admin/webhooks) at http://127.0.0.1:PORT/.
With --once it handles one delivery and exits (used by the demo).
"""

from __future__ import annotations

import argparse
import http.server
import os

import ocus


class WebhookHandler(http.server.BaseHTTPRequestHandler):
    secret = os.environ.get("OCUS_WEBHOOK_SECRET", "")

    def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
        raw_body = self.rfile.read(int(self.headers.get("content-length", "0")))
        try:
            event = ocus.webhooks.verify(raw_body, self.headers.get(ocus.webhooks.SIGNATURE_HEADER), self.secret)
        except ocus.SignatureVerificationError as error:
            print(f"rejected webhook: {error.code}")
            self.send_response(400)
            self.end_headers()
            return
        print(f"verified {event.id} for project {event.project_id} (status {event.status}, signed: {event.signed_part})")
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--once", action="store_true")
    args = parser.parse_args()
    server = http.server.HTTPServer(("127.0.0.1", args.port), WebhookHandler)
    print(f"listening on http://127.0.0.1:{server.server_address[1]}/", flush=True)
    if args.once:
        server.handle_request()
    else:
        server.serve_forever()


if __name__ == "__main__":
    main()
