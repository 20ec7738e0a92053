#!/usr/bin/env bash
# The Node.js examples against the emulator (run by `make demo` via scripts/demo.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export OCUS_API_KEY=ocus_demo_key
node "$here/list-projects.js"
node "$here/otel-console.js"
node "$here/handle-errors.js" ocus_demo_key not_a_real_key ocus_demo_revoked_key ocus_demo_expired_key
"$here/../../scripts/webhook-roundtrip" project.status.updated body -- node "$here/webhook-receiver.js" --once
"$here/../../scripts/webhook-roundtrip" project.status.updated data -- node "$here/webhook-receiver.js" --once
