#!/usr/bin/env bash
# The main job: every example against the local emulator, no real key needed.
# Runs inside scripts/with-emulator (OCUS_BASE_URL and OCUS_MOCK_URL are set).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
ocus="$root/target/debug/ocus"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
fail=0

step "CLI: first page of projects (key ocus_demo_key)"
OCUS_API_KEY=ocus_demo_key "$ocus" projects list --page-size 3 || fail=1

step "CLI: every page (--jsonl, one project per line), counted"
count=$(OCUS_API_KEY=ocus_demo_key "$ocus" projects list --jsonl | wc -l)
echo "$count projects across all pages"
[ "$count" -gt 100 ] || fail=1

step "CLI: an unknown key -> 401, handled (exit code 4)"
OCUS_API_KEY=not_a_real_key "$ocus" projects list; code=$?
echo "exit code $code"; [ "$code" -eq 4 ] || fail=1

step "CLI: a revoked key -> 403, handled (exit code 5)"
OCUS_API_KEY=ocus_demo_revoked_key "$ocus" projects list; code=$?
echo "exit code $code"; [ "$code" -eq 5 ] || fail=1

tls() { curl -s "$OCUS_MOCK_URL/__admin/info" | python3 -c "import json, sys; print(json.load(sys.stdin)['tls']['$1'])"; }
step "CLI: HTTPS with a private CA, trusted with --ca-bundle (HTTP/2)"
OCUS_API_KEY=ocus_demo_key "$ocus" projects get 910a2dec-8902-4cc1-9758-35de1c9756ce \
  --base-url "$(tls base_url)" --ca-bundle "$(tls ca_file)" | head -n 3 || fail=1
curl -s "$OCUS_MOCK_URL/__admin/requests" | python3 -c "import json, sys; print('served over', json.load(sys.stdin)['requests'][-1]['http_version'])"

step "CLI: the same CA not trusted -> a connection error that says why (exit code 14)"
OCUS_API_KEY=ocus_demo_key "$ocus" projects get 910a2dec-8902-4cc1-9758-35de1c9756ce \
  --base-url "$(tls base_url)" --max-retries 0; code=$?
echo "exit code $code"; [ "$code" -eq 14 ] || fail=1

for example in "$root"/examples/*/demo.sh; do
  [ -e "$example" ] || continue
  step "$(basename "$(dirname "$example")") example"
  bash "$example" || fail=1
done

if [ "$fail" -eq 0 ]; then step "demo: all steps behaved as expected"; else step "demo: FAILED"; fi
exit $fail
