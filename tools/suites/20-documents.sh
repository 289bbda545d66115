#!/usr/bin/env bash
# Documents (issue 7), end to end through the carbonx-doc CLI:
#  - CIDs equal those of the reference JavaScript importer (ipfs-unixfs-importer, run in
#    the pinned Node 22) for the edge sizes and 20 random sizes (seeded; CX_SEED replays);
#  - add/get round trips and Range reads, CAR export checked by @ipld/car;
#  - a flipped byte on disk is reported, not served;
#  - private documents: ciphertext on disk, readable with the key, refused with another.
# The C++ unit tests (cx_documents_tests) run in 10-cpp.sh through ctest.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${BUILD:-$ROOT/build}"
source "$ROOT/tools/env.sh"
JS="$ROOT/backend/src/documents/js"
DOC="$BUILD/documents/carbonx-doc"
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
finish() { echo "RESULT $pass $fail"; [ "$fail" -eq 0 ]; exit $?; }

if [ ! -x "$DOC" ]; then bad "carbonx-doc not built at $DOC"; finish; fi
case "$(node --version)" in v22.*) ok "node $(node --version)";; *) bad "node is $(node --version), want the pinned 22"; finish;; esac
if [ ! -d "$JS/node_modules/ipfs-unixfs-importer" ] || [ "$JS/package-lock.json" -nt "$JS/node_modules/.package-lock.json" ]; then
  (cd "$JS" && npm ci --no-audit --no-fund --silent) || { bad "npm ci in $JS"; finish; }
fi

WORK="$(mktemp -d /tmp/cx-doc-suite.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
SEED="${CX_SEED:-$(( (RANDOM << 15) | RANDOM ))}"
echo "seed $SEED (replay with CX_SEED=$SEED)"
mkdir -p "$WORK/files"
node "$JS/gen.mjs" "$SEED" "$WORK/files" > "$WORK/sizes" || { bad "generating files"; finish; }

# 1. CIDs: JS reference vs the C++ importer (cid) vs the store (add).
mapfile -t NAMES < <(cut -d' ' -f1 "$WORK/sizes")
(cd "$WORK/files" && node "$JS/reference.mjs" "${NAMES[@]}") > "$WORK/js-cids" \
  || { bad "reference importer failed"; finish; }
DATA="$WORK/data"
while read -r name size; do
  want="$(awk -v n="$name" '$3 == n {print $1}' "$WORK/js-cids")"
  got="$("$DOC" cid "$WORK/files/$name")"
  added="$("$DOC" add "$WORK/files/$name" --data "$DATA")"
  if [ -n "$want" ] && [ "$got" = "$want" ] && [ "$added" = "$want" ]; then
    ok "cid $name ($size bytes) $want"
  else
    bad "cid $name ($size bytes): js=$want cpp=$got store=$added"
  fi
  # Whole-file round trip.
  if "$DOC" get "$added" --data "$DATA" --out "$WORK/out" && cmp -s "$WORK/out" "$WORK/files/$name"; then
    ok "get $name"
  else
    bad "get $name differs"
  fi
done < "$WORK/sizes"

# 2. Range reads on the 50 MiB file, across leaf and node boundaries.
BIG="$WORK/files/fifty-mib"
BIGCID="$("$DOC" cid "$BIG")"
for range in "0 1" "262143 2" "1000000 700000" "45613000 200000" "52428700 1000" "52428799 5"; do
  set -- $range
  if cmp -s <("$DOC" get "$BIGCID" --data "$DATA" --offset "$1" --length "$2") \
            <(tail -c +"$(( $1 + 1 ))" "$BIG" | head -c "$2"); then
    ok "range $1+$2"
  else
    bad "range $1+$2"
  fi
done
if "$DOC" get "$BIGCID" --data "$DATA" --offset 52428801 >/dev/null 2>"$WORK/err"; then
  bad "range past the end was served"
else
  ok "range past the end refused: $(cat "$WORK/err")"
fi

# 3. CAR export, read back by @ipld/car and compared with the JS importer's blocks.
for name in fifty-mib chunk-plus-1 one-byte random-19; do
  cid="$(awk -v n="$name" '$3 == n {print $1}' "$WORK/js-cids")"
  if "$DOC" car "$cid" --data "$DATA" --out "$WORK/$name.car" >/dev/null &&
     node "$JS/check-car.mjs" "$WORK/$name.car" "$WORK/files/$name" "$cid"; then
    ok "car $name"
  else
    bad "car $name"
  fi
done

# 4. A flipped byte in a stored block is detected on read and verify, not served.
D2="$WORK/corrupt"
C2="$("$DOC" add "$WORK/files/mib-minus-1" --data "$D2")"
LEAF="$(find "$D2/blocks" -type f -size 256k | head -1)"
if [ -n "$LEAF" ]; then
  b="$(dd if="$LEAF" bs=1 skip=1000 count=1 2>/dev/null | od -An -tu1 | tr -d ' ')"
  printf "$(printf '\\%03o' $(( b ^ 1 )))" | dd of="$LEAF" bs=1 seek=1000 conv=notrunc 2>/dev/null
  if "$DOC" get "$C2" --data "$D2" > "$WORK/served" 2>"$WORK/err"; then
    bad "corrupt block was served"
  elif grep -q "DOC_BLOCK_CORRUPT" "$WORK/err"; then
    ok "flipped byte detected: $(cat "$WORK/err")"
  else
    bad "flipped byte: unexpected error $(cat "$WORK/err")"
  fi
  if "$DOC" verify "$C2" --data "$D2" >/dev/null 2>&1; then bad "verify passed a corrupt block"; else ok "verify reports the corrupt block"; fi
else
  bad "no leaf block found to corrupt"
fi

# 5. Private documents.
D3="$WORK/private"
KEY="$(openssl rand -hex 32)"
SECRET="$WORK/secret"
for i in $(seq 1 20000); do echo "KYC PASSPORT NUMBER X-$i CONFIDENTIAL"; done > "$SECRET"
PC="$(CX_DOC_MASTER_KEY="$KEY" "$DOC" add "$SECRET" --data "$D3" --private --media-type text/plain)"
if [ -n "$PC" ] && [ "$PC" != "$("$DOC" cid "$SECRET")" ]; then ok "private add $PC (CID of the ciphertext)"; else bad "private add"; fi
if grep -rlq "CONFIDENTIAL" "$D3/blocks"; then bad "plaintext found on disk"; else ok "no plaintext in the block files"; fi
if CX_DOC_MASTER_KEY="$KEY" "$DOC" get "$PC" --data "$D3" | cmp -s - "$SECRET"; then ok "private get with the key"; else bad "private get with the key"; fi
if CX_DOC_MASTER_KEY="$(openssl rand -hex 32)" "$DOC" get "$PC" --data "$D3" >/dev/null 2>"$WORK/err"; then
  bad "private document read with a wrong key"
else
  ok "wrong key refused: $(cat "$WORK/err")"
fi
if "$DOC" get "$PC" --data "$D3" >/dev/null 2>&1; then bad "private document read without a key"; else ok "no key refused"; fi
if CX_DOC_MASTER_KEY="$KEY" "$DOC" verify "$PC" --data "$D3" | grep -q "plaintext_checked=1"; then ok "private verify"; else bad "private verify"; fi

finish
