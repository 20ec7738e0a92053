#!/usr/bin/env bash
# The Python examples against the emulator (run by `make demo` via scripts/demo.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
python="${OCUS_PYTHON:-$here/../../target/py-venv/bin/python}"
export OCUS_API_KEY=ocus_demo_key
"$python" "$here/list_projects.py"
"$python" "$here/handle_errors.py" ocus_demo_key not_a_real_key ocus_demo_revoked_key ocus_demo_expired_key
"$python" "$here/async_fanout.py"
"$python" "$here/otel_console.py"
"$here/../../scripts/webhook-roundtrip" project.status.updated body -- "$python" "$here/webhook_receiver.py" --once
"$here/../../scripts/webhook-roundtrip" project.status.updated data -- "$python" "$here/webhook_receiver.py" --once
