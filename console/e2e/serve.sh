#!/usr/bin/env bash
# The server the browser test drives: the shim (go run ./functions/server) on MariaDB, Redis and
# FFmpeg, with a database of its own created fresh for the run and a Redis prefix of its own, so it
# neither sees nor disturbs anything else on the machine. Playwright starts it (playwright.config.ts)
# and stops it when the run ends.
#
# TEST_MYSQL_DSN and TEST_REDIS_ADDR are the test command's (scripts/test.sh gives a fresh Debian
# MariaDB a TCP account once, there); E2E_PORT the port.
set -euo pipefail
cd "$(dirname "$0")/../.."

dsn=${TEST_MYSQL_DSN:-root@tcp(127.0.0.1:3306)/test}
re='^([^:@]+)(:([^@]*))?@tcp\(([^:)]+):([0-9]+)\)/'
[[ $dsn =~ $re ]] || { echo "serve.sh: cannot read TEST_MYSQL_DSN=$dsn" >&2; exit 1; }
user=${BASH_REMATCH[1]} pass=${BASH_REMATCH[3]} host=${BASH_REMATCH[4]} port=${BASH_REMATCH[5]}
db=jb_e2e_console
sql() { MYSQL_PWD=$pass mariadb --protocol=tcp -h"$host" -P"$port" -u"$user" -e "$1"; }
sql "DROP DATABASE IF EXISTS $db; CREATE DATABASE $db CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"

data=$(mktemp -d)
bin="$data/server"
go build -o "$bin" ./functions/server
cleanup() {
  rm -rf "$data"
  sql "DROP DATABASE IF EXISTS $db" || true
}
trap cleanup EXIT
trap 'kill "$pid" 2>/dev/null; wait "$pid"; exit 0' INT TERM

addr=127.0.0.1:${E2E_PORT:-18080}
export APP_ENV=local \
  HTTP_ADDR=$addr \
  PUBLIC_BASE_URL=http://$addr \
  MYSQL_DSN="${user}${pass:+:$pass}@tcp($host:$port)/$db" \
  REDIS_ADDR=${TEST_REDIS_ADDR:-127.0.0.1:6379} \
  REDIS_PREFIX="jbe2e:$(date +%s%N):" \
  JWT_SECRET=e2e-jwt-secret-0123456789abcdef0123456789 \
  PII_SECRET=e2e-pii-secret-0123456789abcdef0123456789 \
  BOOTSTRAP_ADMIN_PASSWORD=${E2E_ADMIN_PASSWORD:-Admin-e2e-Pass-2026} \
  DATA_DIR="$data" \
  MEDIA_WORKERS=2 \
  REVIEW_SAMPLE_RATE=1 \
  LOG_LEVEL=warn
"$bin" &
pid=$!
wait "$pid"
