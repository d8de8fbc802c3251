#!/usr/bin/env bash
# End-to-end comparison over loopback keep-alive against one fake Atlas (fake-atlas binary):
# sequential updateGroupInvites calls with Digest through atlas-admin-ureq, atlas-admin-hyper,
# Python requests (HTTPDigestAuth, one Session) and curl --digest (one process per call).
# Prints calls/s (each client timed in-process after set-up; curl per process) and HTTP
# requests per call (counted by the server), then a memory check.
#   bash tests/e2e-bench.sh [calls]        (default 5000; curl runs calls/25, the memory check 20 x calls)
# E2E_BENCH_PROFILE=dev builds in the dev profile instead of release: CI's quick run
# (`E2E_BENCH_PROFILE=dev bash tests/e2e-bench.sh 20`) only checks that the script still works.
set -euo pipefail
cd "$(dirname "$0")/.."
CALLS=${1:-5000}
CURL_CALLS=$(( CALLS / 25 > 20 ? CALLS / 25 : 20 ))
PY_CALLS=$(( CALLS / 2 > 200 ? CALLS / 2 : 200 ))
MEMORY_CALLS=$(( CALLS * 20 ))
case ${E2E_BENCH_PROFILE:-release} in
  release) PROFILE=(--release) DIR=release ;;
  dev) PROFILE=() DIR=debug ;;
  *) echo "E2E_BENCH_PROFILE must be release or dev" >&2; exit 2 ;;
esac

cargo build -q ${PROFILE[@]+"${PROFILE[@]}"} -p atlas-admin-testing --bin fake-atlas
cargo build -q ${PROFILE[@]+"${PROFILE[@]}"} -p atlas-admin-hyper --example e2e-bench
BIN=${CARGO_TARGET_DIR:-target}/$DIR

out=$(mktemp)
"$BIN/fake-atlas" --port 0 >"$out" &
FAKE=$!
trap 'kill $FAKE 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 100); do grep -q MONGODB_ATLAS_GROUP_ID "$out" && break; sleep 0.05; done
set -a; eval "$(grep '^MONGODB_ATLAS_' "$out")"; set +a
BASE=$MONGODB_ATLAS_BASE_URL
URL="$BASE/api/atlas/v2/groups/$MONGODB_ATLAS_GROUP_ID/invites"
VND="application/vnd.atlas.2023-01-01+json"
BODY='{"roles":["GROUP_BACKUP_MANAGER"],"username":"bench@example.com"}'

requests() { curl -s --noproxy "*" "$BASE/__fake/counters" | python3 -c 'import json,sys; print(json.load(sys.stdin)["api_requests"])'; }

rows=()
# measure NAME CALLS COMMAND...: COMMAND prints its own calls/s (timed inside the client, after
# set-up) as the last word of its output, or nothing, in which case the whole run is timed.
# Requests per call are the server's count over the run (including one challenge and set-up).
measure() {
  local name=$1 calls=$2; shift 2
  local before after start end out rate
  before=$(requests); start=$(date +%s.%N)
  out=$("$@")
  end=$(date +%s.%N); after=$(requests)
  rate=$(printf '%s' "$out" | python3 -c 'import json,sys
t = sys.stdin.read().strip()
try: print(json.loads(t)["calls_per_sec"])
except Exception: print(t.split()[-1] if t else "")')
  [ -n "$rate" ] || rate=$(python3 -c "print($calls/($end-$start))")
  rows+=("$(python3 -c "print(f'{\"$name\":<18}{$calls:>8}{$rate:>12.0f}{($after-$before)/$calls:>14.3f}')")")
  eval "RATE_${name//[^a-z]/_}=$rate"
}

measure ureq "$CALLS" "$BIN/examples/e2e-bench" ureq "$CALLS"
measure hyper "$CALLS" "$BIN/examples/e2e-bench" hyper "$CALLS"
if python3 -c "import requests" 2>/dev/null; then
  measure python "$PY_CALLS" python3 - "$URL" "$PY_CALLS" <<PY
import sys, time, requests
from requests.auth import HTTPDigestAuth
url, n = sys.argv[1], int(sys.argv[2])
s = requests.Session()
s.trust_env = False
s.auth = HTTPDigestAuth("$MONGODB_ATLAS_PUBLIC_API_KEY", "$MONGODB_ATLAS_PRIVATE_API_KEY")
h = {"Accept": "$VND", "Content-Type": "$VND"}
assert s.patch(url, data='$BODY', headers=h).status_code == 200  # first challenge, connection
start = time.perf_counter()
for _ in range(n - 1):
    r = s.patch(url, data='$BODY', headers=h)
    assert r.status_code == 200, r.text
print((n - 1) / (time.perf_counter() - start))
PY
else
  echo "python requests not installed: skipping its row (pip install requests)"
fi
curl_loop() { for _ in $(seq "$CURL_CALLS"); do curl -sf --noproxy "*" --digest -u "$MONGODB_ATLAS_PUBLIC_API_KEY:$MONGODB_ATLAS_PRIVATE_API_KEY" -X PATCH -H "Accept: $VND" -H "Content-Type: $VND" -d "$BODY" "$URL" >/dev/null; done; }
measure curl "$CURL_CALLS" curl_loop

printf '%-18s%8s%12s%14s\n' client calls calls/s requests/call
printf '%s\n' "${rows[@]}"
if [ -n "${RATE_python:-}" ]; then
  python3 -c "print(f'ureq / python requests: {$RATE_ureq/$RATE_python:.1f}x   hyper / python requests: {$RATE_hyper/$RATE_python:.1f}x')"
fi

echo "memory: $MEMORY_CALLS calls on one ureq client (resident KiB after each $(( MEMORY_CALLS / 10 ))):"
"$BIN/examples/e2e-bench" memory "$MEMORY_CALLS"
