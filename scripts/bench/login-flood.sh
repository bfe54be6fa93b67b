#!/usr/bin/env bash
# Login flood: anonymous logins from many addresses at once (through a trusted proxy, so no
# per-address limit stops them) against the production build (argon2id at its real cost), while a
# guesser tries the admin's password from one address and the admin logs in every half second
# from their desk. Three rounds: a flood from one address, one from many, and one from many after
# Redis has lost its data (the admin's known desk then comes from the login log in MySQL), and
# one from many while Redis stalls for 600 ms of every second (CLIENT PAUSE: the limits must then
# decide in process, and still stop the guesser).
# Each round prints what the flood, the guesser and the admin got, where the login limits decided,
# and the server's peak RSS; it fails when a bar is missed (loginflood's header says which).
# The figures go in docs/SECURITY.md "A login flood".
#
#   scripts/bench/login-flood.sh [duration=20s] [concurrency=150]
set -euo pipefail
cd "$(dirname "$0")/../.."

duration=${1:-20s}
conc=${2:-150}
port=${BENCH_PORT:-18081}
mport=$((port + 1000))
base="http://127.0.0.1:$port"
root_dsn=${TEST_MYSQL_DSN:-root@tcp(127.0.0.1:3306)/test}
dsn="${root_dsn%/*}/jb_flood"
admin_pw=flood-admin-password
work=$(mktemp -d)
server=

mariadb --protocol=tcp -h127.0.0.1 -uroot -e 'DROP DATABASE IF EXISTS jb_flood; CREATE DATABASE jb_flood CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci'
go build -tags noembed -o "$work/server" ./functions/server
go build -o "$work/loginflood" ./functions/internal/loadtest/loginflood

stall=
stop_stall() { [ -n "$stall" ] && kill "$stall" 2>/dev/null; wait "$stall" 2>/dev/null || true; stall=; }
stop_server() { [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null; server=; }
flush_redis() { redis-cli -h 127.0.0.1 --scan --pattern 'jbflood:*' | xargs -r redis-cli -h 127.0.0.1 del >/dev/null; }
trap 'stop_stall; stop_server; rm -rf "$work"; mariadb --protocol=tcp -h127.0.0.1 -uroot -e "DROP DATABASE IF EXISTS jb_flood" || true' EXIT

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(date -u +%FT%TZ); commit $(git rev-parse --short HEAD)"
failed=0
for mode in one spread lost stall; do
  flush_redis
  : > "$work/server.log"
  HTTP_ADDR=127.0.0.1:$port METRICS_ADDR=127.0.0.1:$mport MYSQL_DSN="$dsn" REDIS_ADDR=127.0.0.1:6379 REDIS_PREFIX=jbflood: LOG_LEVEL=error \
  JWT_SECRET=$(printf 'j%.0s' {1..32}) PII_SECRET=$(printf 'p%.0s' {1..32}) BOOTSTRAP_ADMIN_PASSWORD=$admin_pw \
  TRUSTED_PROXIES=127.0.0.1 MEDIA_WORKERS=0 "$work/server" >> "$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.1; done
  flags=()
  case $mode in
    one) echo "== a flood from one address" ;;
    spread) echo "== a flood from many addresses"; flags+=(-spread) ;;
    lost)
      # The previous rounds logged the admin in from the desk: that pair is in the login log.
      # Redis loses everything now, the server too (a new process): only MySQL remembers the desk.
      echo "== a flood from many addresses, after Redis lost its data"; flags+=(-spread -warm=false) ;;
    stall)
      echo "== a flood from many addresses while Redis stalls 600 ms of every second"; flags+=(-spread)
      (sleep 1; while :; do redis-cli -h 127.0.0.1 CLIENT PAUSE 600 ALL >/dev/null; sleep 1; done) &
      stall=$! ;;
  esac
  "$work/loginflood" -base "$base" -pid "$server" -metrics "http://127.0.0.1:$mport" -log "$work/server.log" \
    -user admin -password "$admin_pw" -c "$conc" -d "$duration" "${flags[@]}" || failed=1
  stop_stall
  stop_server
done
exit $failed
