#!/usr/bin/env bash
# Throwaway PostgreSQL 15 cluster for suites and node tests (shell twin of
# backend/src/store/pg_testing.h).
#
#   eval "$(tools/pg-throwaway.sh start [--tls] [--fsync=off] [--owner-pid PID])"
#     -> sets PG_URL (postgresql://cx@127.0.0.1:PORT/postgres, or with TLS
#        postgresql://cx@localhost:PORT/postgres?hostaddr=127.0.0.1&sslmode=verify-full&sslrootcert=DIR/ca.crt),
#        PG_DIR, PG_PORT, PG_CA (TLS only)
#   tools/pg-throwaway.sh createdb NAME   (uses $PG_URL; prints the new database's URL)
#   tools/pg-throwaway.sh stop DIR        (pg_ctl -m immediate stop; rm -rf DIR)
# initdb/pg_ctl refuse root: as root they run as the `postgres` user. The server listens
# on 127.0.0.1 only (trust auth for user cx; TLS mode: hostssl only), its unix socket in
# DIR. --owner-pid: stop and remove the cluster when that process exits (default: the
# caller's parent shell, so an aborted suite does not leave a server running).
set -euo pipefail
BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
RUN_AS=${PG_RUN_AS:-postgres}
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u "$RUN_AS" -- "$@"; else "$@"; fi; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

cmd=${1:-}; shift || true
case "$cmd" in
start)
  tls=0; fsync=on; owner=$PPID
  while [ $# -gt 0 ]; do
    case "$1" in
      --tls) tls=1 ;;
      --fsync=off) fsync=off ;;
      --owner-pid) owner=$2; shift ;;
      *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
  done
  tmp=${TMPDIR:-/tmp}
  tmpl="$tmp/cx-pg-template-$(id -u)-15"
  if [ ! -f "$tmpl/data/PG_VERSION" ]; then
    t="$tmpl.tmp.$$"; rm -rf "$t"; mkdir -p "$t"; chmod 755 "$t"
    [ "$(id -u)" = 0 ] && chown "$RUN_AS" "$t"
    as_pg "$BIN/initdb" -D "$t/data" -U cx --auth=trust -E UTF8 --no-locale --no-sync >"$t.log" 2>&1 \
      || { cat "$t.log" >&2; exit 1; }
    mv -T "$t" "$tmpl" 2>/dev/null || rm -rf "$t"
    rm -f "$t.log"
  fi
  dir=$(mktemp -d "$tmp/cx-pg-XXXXXX"); chmod 755 "$dir"
  cp -a "$tmpl/data" "$dir/data"; chmod 700 "$dir/data"
  if [ "$tls" = 1 ]; then
    (cd "$dir"
     printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > server.ext
     for ca in ca wrong-ca; do
       openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3 \
         -subj "/CN=cx $ca" -keyout $ca.key -out $ca.crt
     done
     openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=localhost \
       -keyout server.key -out server.csr
     openssl x509 -req -days 3 -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
       -extfile server.ext -out server.crt
     chmod 600 server.key) >"$dir/setup.log" 2>&1 || { cat "$dir/setup.log" >&2; exit 1; }
  fi
  if [ "$tls" = 1 ]; then
    printf 'local all all trust\nhostssl all all 127.0.0.1/32 trust\nhostssl all all ::1/128 trust\n' > "$dir/data/pg_hba.conf"
  else
    printf 'local all all trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n' > "$dir/data/pg_hba.conf"
  fi
  [ "$(id -u)" = 0 ] && chown -R "$RUN_AS" "$dir"
  ok=0
  for _ in 1 2 3 4; do
    port=$(free_port)
    {
      echo "port = $port"
      echo "listen_addresses = '127.0.0.1'"
      echo "unix_socket_directories = '$dir'"
      echo "fsync = $fsync"
      echo "synchronous_commit = on"
      echo "max_connections = 100"
      echo "shared_buffers = 64MB"
      echo "max_wal_size = 2GB"
      if [ "$tls" = 1 ]; then
        echo "ssl = on"; echo "ssl_cert_file = '$dir/server.crt'"; echo "ssl_key_file = '$dir/server.key'"
      fi
    } > "$dir/data/postgresql.auto.conf"
    [ "$(id -u)" = 0 ] && chown "$RUN_AS" "$dir/data/postgresql.auto.conf"
    if as_pg "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null 2>&1; then ok=1; break; fi
  done
  [ "$ok" = 1 ] || { cat "$dir/server.log" >&2; exit 1; }
  # Reaper: stop and remove the cluster once the owner process is gone.
  (while kill -0 "$owner" 2>/dev/null; do sleep 2; done
   as_pg "$BIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
   rm -rf "$dir") </dev/null >/dev/null 2>&1 &
  if [ "$tls" = 1 ]; then
    echo "PG_URL='postgresql://cx@localhost:$port/postgres?hostaddr=127.0.0.1&sslmode=verify-full&sslrootcert=$dir/ca.crt'"
    echo "PG_CA='$dir/ca.crt'"
  else
    echo "PG_URL='postgresql://cx@127.0.0.1:$port/postgres'"
  fi
  echo "PG_DIR='$dir'"
  echo "PG_PORT=$port"
  ;;
createdb)
  name=$1
  "$BIN/psql" "$PG_URL" -qAtc "CREATE DATABASE \"$name\"" >/dev/null
  echo "${PG_URL%%/postgres*}/$name${PG_URL#*/postgres}"
  ;;
stop)
  dir=$1
  [ -d "$dir/data" ] && as_pg "$BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  ;;
*)
  echo "usage: $0 start [--tls] [--fsync=off] [--owner-pid PID] | createdb NAME | stop DIR" >&2
  exit 2
  ;;
esac
