#!/usr/bin/env bash
# Load test of the shim on the machine's MariaDB and Redis with wrk (Debian package wrk): order
# list, order detail and login, first with the read cache off (the baseline), then on.
#
#   scripts/bench/api.sh [duration=20s] [connections=64]
#
# It creates a fresh database (jb_bench), builds the production server (-tags noembed), seeds it
# through the API and stops everything at the end. Every request goes to 127.0.0.1; wrk shares the
# machine's cores with the server, MariaDB and Redis.
set -euo pipefail
cd "$(dirname "$0")/../.."

duration=${1:-20s}
conns=${2:-64}
port=${BENCH_PORT:-18080}
base="http://127.0.0.1:$port"
root_dsn=${TEST_MYSQL_DSN:-root@tcp(127.0.0.1:3306)/test}
dsn="${root_dsn%/*}/jb_bench"
admin_pw=bench-admin-password
work=$(mktemp -d)
server=

command -v wrk >/dev/null || { [ "$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; } || { echo "install wrk" >&2; exit 1; }
mariadb --protocol=tcp -h127.0.0.1 -uroot -e 'DROP DATABASE IF EXISTS jb_bench; CREATE DATABASE jb_bench CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci'
redis-cli -h 127.0.0.1 --scan --pattern 'jbbench:*' | xargs -r redis-cli -h 127.0.0.1 del >/dev/null

go build -tags noembed -o "$work/server" ./functions/server
go build -o "$work/seed" ./functions/internal/loadtest/seed

stop_server() { [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null; server=; }
trap 'stop_server; rm -rf "$work"' EXIT

start_server() { # $1: READ_CACHE_SIZE
  stop_server
  HTTP_ADDR=127.0.0.1:$port MYSQL_DSN="$dsn" REDIS_ADDR=127.0.0.1:6379 REDIS_PREFIX=jbbench: LOG_LEVEL=error \
  JWT_SECRET=$(printf 'j%.0s' {1..32}) PII_SECRET=$(printf 'p%.0s' {1..32}) BOOTSTRAP_ADMIN_PASSWORD=$admin_pw \
  LOGIN_MAX_FAILURES_PER_IP=100000 READ_CACHE_SIZE="$1" "$work/server" >> "$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do curl -fs "$base/healthz" >/dev/null && return; sleep 0.1; done
  echo "server did not start:"; cat "$work/server.log"; exit 1
}

start_server 0
eval "$("$work/seed" -base "$base" -admin-password "$admin_pw" -orders 2000)"
printf 'wrk.headers["Authorization"] = "Bearer %s"\n' "$TOKEN" > "$work/auth.lua"
printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = %s\n' \
  "'{\"username\":\"$USERNAME\",\"password\":\"$PASSWORD\"}'" > "$work/login.lua"

list="$base/api/v1/orders?page_size=20&status=TRIAGE&sort=-created_at"
detail="$base/api/v1/orders/$ORDER_ID"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB; $(date -u '+%F %H:%M UTC')"
echo "wrk -t2 -c$conns -d$duration; 2,000 orders over 50 customers"
for cache in 0 20000; do
  start_server "$cache"
  echo; echo "######## READ_CACHE_SIZE=$cache"
  echo "== order list (page of 20, filtered by status, newest first)"
  wrk -t2 -c"$conns" -d"$duration" --latency -s "$work/auth.lua" "$list"
  echo "== order detail"
  wrk -t2 -c"$conns" -d"$duration" --latency -s "$work/auth.lua" "$detail"
done
echo; echo "== login (argon2id, 19 MiB, 2 passes: slow on purpose)"
wrk -t2 -c8 -d"$duration" --latency -s "$work/login.lua" "$base/api/v1/auth/login"
