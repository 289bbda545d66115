#!/usr/bin/env bash
# Emergency: halt (or resume) every instrument of a carbonx server (docs/operations.md,
# "Emergency response"). Each halt is a journaled admin command: orders are refused, cancels
# stay possible; resuming goes through a re-opening call auction.
#   CX_URL=https://carbonx.example.com CX_TOKEN=<admin access token> tools/ops/halt-all.sh [halt|resume]
# Prints one line per instrument and "halt-all: N of M <action>"; exit 1 if any call failed.
set -euo pipefail
action="${1:-halt}"
case "$action" in halt|resume) ;; *) echo "usage: $0 [halt|resume]" >&2; exit 2 ;; esac
: "${CX_URL:?CX_URL must be the base URL of the server}" "${CX_TOKEN:?CX_TOKEN must be an admin access token}"
ids="$(curl -fsS "$CX_URL/api/v1/instruments" | python3 -c 'import json,sys; print(" ".join(str(i["id"]) for i in json.load(sys.stdin)["items"]))')"
total=0; done_=0
body="$(mktemp)"; trap 'rm -f "$body"' EXIT
for id in $ids; do
  total=$((total + 1))
  code="$(curl -s -o "$body" -w '%{http_code}' -X POST -H "authorization: Bearer $CX_TOKEN" \
    -H 'content-type: application/json' -d '{}' "$CX_URL/api/v1/instruments/$id/$action")"
  if [ "$code" = 200 ] || [ "$code" = 201 ]; then
    done_=$((done_ + 1)); echo "instrument $id: ${action}ed"
  else
    echo "instrument $id: $action failed (HTTP $code): $(cat "$body")"
  fi
done
echo "halt-all: $done_ of $total ${action}ed"
[ "$done_" -eq "$total" ]
