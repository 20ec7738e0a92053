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
"$here/../../scripts/webhook-roundtrip" project.status.updated body -- "$bin/webhook-receiver" -once
"$here/../../scripts/webhook-roundtrip" project.status.updated data -- "$bin/webhook-receiver" -once
# OpenTelemetry: a module of its own (ocusotel and the SDK stay out of the examples module).
(cd otel-console && go build -o "$bin/otel-console" . && "$bin/otel-console")
