#!/usr/bin/env bash
# Deployment files (issue 10): what can be checked without a Docker engine, a cluster or a
# cloud. yamllint on the compose file, the Kubernetes manifests and the CI workflow;
# `docker-compose config` (Debian's docker-compose validates the file offline); `nginx -t` on
# the compose nginx config (service names mapped to loopback); shellcheck on every shell
# script; and the Dockerfile's runtime packages checked against what the binary links.
# Terraform and the images themselves cannot be checked here (no terraform in Debian, no Docker
# engine): the README says so.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT" || exit 1
pass=0; fail=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; [ -n "${2:-}" ] && echo "$2" | head -30; fail=$((fail + 1)); }
check() { local name="$1"; shift; local out; if out="$("$@" 2>&1)"; then ok "$name"; else bad "$name" "$out"; fi; }

for p in yamllint docker-compose shellcheck nginx; do
  command -v "$p" >/dev/null || { echo "deploy: $p missing (tools/deps.sh installs it)"; }
done
check "yamllint deploy/ and .github/" yamllint -s -c deploy/.yamllint deploy/docker-compose.yml deploy/k8s .github/workflows
check "docker-compose config" docker-compose -f deploy/docker-compose.yml config -q
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
sed -e 's/api-[12]:8080/127.0.0.1:9/' deploy/nginx/compose.conf > "$tmp/site.conf"
cat > "$tmp/nginx.conf" <<CONF
pid $tmp/nginx.pid;
error_log $tmp/error.log;
events {}
http { access_log off; client_body_temp_path $tmp; proxy_temp_path $tmp; include $tmp/site.conf; }
CONF
check "nginx -t deploy/nginx/compose.conf" nginx -t -q -c "$tmp/nginx.conf"
mapfile -t scripts < <(git ls-files '*.sh' .ci/run)
check "shellcheck (${#scripts[@]} scripts)" shellcheck -S warning "${scripts[@]}"
# Every shared library the built binary links comes from a package the runtime image installs.
if [ -x build/app/carbonx ]; then
  # The libraries the binary names itself (NEEDED); their own dependencies come with apt.
  direct="$(readelf -d build/app/carbonx | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')"
  need="$(for l in $direct; do ldd build/app/carbonx | awk -v l="$l" '$1 == l {print $3}'; done \
    | xargs -r -n1 readlink -f | xargs -r dpkg -S 2>/dev/null \
    | cut -d: -f1 | sort -u | grep -v -E '^(libc6|libstdc\+\+6|libgcc-s1|zlib1g)$')"
  missing=""
  for p in $need; do grep -q -- "$p" Dockerfile || missing="$missing $p"; done
  if [ -z "$missing" ]; then ok "Dockerfile runtime packages cover ldd carbonx"; else bad "Dockerfile runtime packages" "missing:$missing"; fi
fi
echo "RESULT $pass $fail"
[ "$fail" -eq 0 ]
