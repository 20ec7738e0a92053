#!/usr/bin/env bash
# The Python examples against the emulator (run by `make demo` via scripts/demo.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
python="${OCUS_PYTHON:-$here/../../target/py-venv/bin/python}"
export OCUS_API_KEY=ocus_demo_key
"$python" "$here/list_projects.py"
"$python" "$here/handle_errors.py" ocus_demo_key not_a_real_key ocus_demo_revoked_key ocus_demo_expired_key
"$python" "$here/async_fanout.py"
# A signed webhook from the emulator to the example receiver, verified there.
export OCUS_WEBHOOK_SECRET=whsec_demo
out=$(mktemp)
"$python" "$here/webhook_receiver.py" --once >"$out" &
receiver=$!
for _ in $(seq 1 100); do grep -q listening "$out" && break; sleep 0.05; done
url=$(sed -n 's/^listening on //p' "$out")
curl -s -X POST "$OCUS_MOCK_URL/__admin/webhooks" -H 'content-type: application/json' \
  -d "{\"url\": \"$url\", \"secret\": \"whsec_demo\", \"event\": \"project.status.updated\", \"status\": \"completed\"}" >/dev/null
wait "$receiver"
cat "$out"
grep -q "verified project.status.updated" "$out"
rm -f "$out"
