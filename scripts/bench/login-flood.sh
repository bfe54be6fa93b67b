#!/usr/bin/env bash
# Login flood: 100 concurrent anonymous logins against the production server (argon2id at its
# real cost), first from one address, then from a new address per request (through a trusted
# proxy), while the admin logs in every half second from the office address. Prints the server's
# peak RSS and the admin's login latency (docs/PERFORMANCE.md, docs/SECURITY.md).
#
#   scripts/bench/login-flood.sh [duration=20s] [concurrency=100]
set -euo pipefail
cd "$(dirname "$0")/../.."

duration=${1:-20s}
conc=${2:-100}
port=${BENCH_PORT:-18081}
base="http://127.0.0.1:$port"
root_dsn=${TEST_MYSQL_DSN:-root@tcp(127.0.0.1:3306)/test}
dsn="${root_dsn%/*}/jb_flood"
admin_pw=flood-admin-password
work=$(mktemp -d)
server=

mariadb --protocol=tcp -h127.0.0.1 -uroot -e 'DROP DATABASE IF EXISTS jb_flood; CREATE DATABASE jb_flood CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci'
go build -tags noembed -o "$work/server" ./functions/server
go build -o "$work/loginflood" ./functions/internal/loadtest/loginflood

stop_server() { [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null; server=; }
trap 'stop_server; rm -rf "$work"' EXIT

for mode in one spread; do
  redis-cli -h 127.0.0.1 --scan --pattern 'jbflood:*' | xargs -r redis-cli -h 127.0.0.1 del >/dev/null
  HTTP_ADDR=127.0.0.1:$port MYSQL_DSN="$dsn" REDIS_ADDR=127.0.0.1:6379 REDIS_PREFIX=jbflood: LOG_LEVEL=error \
  JWT_SECRET=$(printf 'j%.0s' {1..32}) PII_SECRET=$(printf 'p%.0s' {1..32}) BOOTSTRAP_ADMIN_PASSWORD=$admin_pw \
  TRUSTED_PROXIES=127.0.0.1 MEDIA_WORKERS=0 "$work/server" >> "$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.1; done
  flags=()
  [ "$mode" = spread ] && flags+=(-spread)
  echo "== $mode"
  "$work/loginflood" -base "$base" -pid "$server" -user admin -password "$admin_pw" -c "$conc" -d "$duration" "${flags[@]}"
  stop_server
done
