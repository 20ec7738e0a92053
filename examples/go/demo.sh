#!/usr/bin/env bash
# The Go examples against the emulator (run by `make demo` via scripts/demo.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/" ./...
export OCUS_API_KEY=ocus_demo_key
"$bin/list-projects"
"$bin/handle-errors" ocus_demo_key not_a_real_key ocus_demo_revoked_key ocus_demo_expired_key
"$bin/fanout"
export OCUS_WEBHOOK_SECRET=whsec_demo
out="$bin/receiver.out"
"$bin/webhook-receiver" -once >"$out" &
receiver=$!
for _ in $(seq 1 100); do grep -q listening "$out" && break; sleep 0.05; done
url=$(sed -n 's/^listening on //p' "$out")
curl -s -X POST "$OCUS_MOCK_URL/__admin/webhooks" -H 'content-type: application/json' \
  -d "{\"url\": \"$url\", \"secret\": \"whsec_demo\", \"event\": \"project.status.updated\", \"status\": \"completed\"}" >/dev/null
wait "$receiver"
cat "$out"
grep -q "verified project.status.updated" "$out"
