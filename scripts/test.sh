#!/usr/bin/env bash
# The whole test suite, on a fresh Debian/Ubuntu machine with Go installed:
#   ./scripts/test.sh
# It installs what is missing (as root, with apt-get), starts MariaDB and Redis if they are
# installed but stopped, then runs gofmt, go vet, every test of every module, the console's
# checks and browser test, the deployment on the local Tencent Cloud (scripts/test-cloud) and the
# fuzz targets. With CI=true, tests that need MariaDB, Redis, Terraform or a browser fail
# instead of skipping when those are missing. Terraform takes the providers from the registry,
# or from the mirror a TF_CLI_CONFIG_FILE names.
#
# Environment: TEST_MYSQL_DSN, TEST_REDIS_ADDR (defaults: root@tcp(127.0.0.1:3306)/test,
# 127.0.0.1:6379), FUZZTIME (per fuzz target, default 100000x: a count of inputs).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n==> %s\n' "$*"; }

command -v go >/dev/null || { echo "Go is required: https://go.dev/doc/install" >&2; exit 1; }

# --- packages -----------------------------------------------------------------------------------
missing=()
command -v ffmpeg >/dev/null || missing+=(ffmpeg)
command -v zip >/dev/null || missing+=(zip)
command -v unzip >/dev/null || missing+=(unzip)
command -v promtool >/dev/null || missing+=(prometheus)
command -v amtool >/dev/null || missing+=(prometheus-alertmanager)
command -v mariadbd >/dev/null || [ -x /usr/sbin/mariadbd ] || missing+=(mariadb-server)
command -v redis-server >/dev/null || missing+=(redis-server)
# The console's browser test: Debian's Chromium (never a downloaded browser) and a CJK font, so
# the screenshots it saves show the Chinese pages as people see them.
command -v chromium >/dev/null || missing+=(chromium)
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing+=(fonts-wqy-microhei)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # Tools only: keep packages such as prometheus from starting their daemons.
    policy=/usr/sbin/policy-rc.d
    made_policy=false
    if [ ! -e "$policy" ]; then
      printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod +x "$policy"; made_policy=true
    fi
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || { $made_policy && rm -f "$policy"; exit 1; }
    $made_policy && rm -f "$policy"
  else
    echo "warning: ${missing[*]} missing and not root: tests needing them will skip (or fail with CI=true)" >&2
  fi
fi

# --- services -----------------------------------------------------------------------------------
mysql_up() { mariadb-admin --protocol=tcp -h127.0.0.1 -uroot ping >/dev/null 2>&1 || mariadb-admin ping >/dev/null 2>&1; }
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; }
wait_for() { for _ in $(seq 1 60); do "$1" && return 0; sleep 0.5; done; return 1; }

if [ -z "${TEST_MYSQL_DSN:-}" ] && [ -x /usr/sbin/mariadbd ] && ! mysql_up; then
  log "starting MariaDB"
  mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null || true
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql >/dev/null 2>&1 || true
  wait_for mysql_up || echo "warning: MariaDB did not start" >&2
fi
if [ -z "${TEST_MYSQL_DSN:-}" ] && mysql_up \
   && ! mariadb --protocol=tcp -h127.0.0.1 -uroot -e 'SELECT 1' >/dev/null 2>&1 \
   && mariadb -uroot -e 'SELECT 1' >/dev/null 2>&1; then
  # A fresh Debian install lets root in only over the socket; give the tests a TCP account.
  mariadb -uroot -e "CREATE USER IF NOT EXISTS 'jbtest'@'127.0.0.1' IDENTIFIED BY 'jbtest';
    GRANT ALL PRIVILEGES ON *.* TO 'jbtest'@'127.0.0.1'; CREATE DATABASE IF NOT EXISTS test;"
  export TEST_MYSQL_DSN='jbtest:jbtest@tcp(127.0.0.1:3306)/test'
fi
if [ -z "${TEST_REDIS_ADDR:-}" ] && command -v redis-server >/dev/null && ! redis_up; then
  log "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log >/dev/null || true
  wait_for redis_up || echo "warning: Redis did not start" >&2
fi

# --- checks -------------------------------------------------------------------------------------
log "gofmt"
unformatted=$(gofmt -l shared functions)
if [ -n "$unformatted" ]; then echo "not gofmt-formatted:"; echo "$unformatted"; exit 1; fi

log "go vet"
go vet ./shared/... ./functions/...
go vet -tags noembed ./functions/server/

log "each module builds on its own (GOWORK=off)"
(cd shared && GOWORK=off go build ./...)
(cd functions && GOWORK=off go build ./... && GOWORK=off go build -tags noembed -o /dev/null ./server/)

log "go test"
go test -count=1 -timeout 15m ./shared/... ./functions/...

# The local Tencent Cloud is a module of its own (tencentcloud-sdk-go's one big module cannot sit
# beside the per-package imports the other modules use), outside go.work.
log "the local Tencent Cloud: go vet, go test"
(cd functions/internal/localcloud && GOWORK=off go vet ./... && GOWORK=off go test -count=1 ./...)

# The console and its contract with the API. The committed OpenAPI document must be what the
# server describes now, lint clean, with the generated TypeScript current; the console must
# type-check (vue-tsc --strict), pass its unit tests (Vitest), build to exactly the committed
# dist/ the server embeds, stay within its size budget, and pass the browser test (Playwright
# driving Debian's Chromium against the shim on MariaDB, Redis and FFmpeg; screenshots in
# console/test-results/). npm packages come from the lock file (npm ci).
log "console: OpenAPI document, types, vue-tsc, Chinese only in t(), Vitest, build, budget, browser test"
if command -v npm >/dev/null; then
  spec=$(mktemp)
  go run ./functions/server openapi > "$spec"
  if ! cmp -s "$spec" console/openapi.json; then
    rm -f "$spec"
    echo "console/openapi.json is not what the server describes: run"
    echo "  go run ./functions/server openapi > console/openapi.json && (cd console && npm run api:types)"
    exit 1
  fi
  rm -f "$spec"
  build=$(mktemp -d)
  (
    cd console
    npm ci --no-audit --no-fund --loglevel=error
    npm run --silent api:lint
    npm run --silent api:check
    npm run --silent typecheck
    npm run --silent lint:han
    npm run --silent test:unit
    CONSOLE_OUT_DIR="$build" npx vite build --logLevel warn
  )
  if ! diff -r "$build" functions/internal/console/dist >/dev/null; then
    diff -rq "$build" functions/internal/console/dist || true
    rm -rf "$build"
    echo "functions/internal/console/dist is not the build of console/: run (cd console && npm run build) and commit it"
    exit 1
  fi
  rm -rf "$build"
  node console/scripts/budget.mjs
  if command -v chromium >/dev/null && command -v ffmpeg >/dev/null; then
    (cd console && npx playwright test)
  elif [ "${CI:-}" = true ]; then
    echo "chromium and ffmpeg are required for the console's browser test" >&2; exit 1
  else
    echo "warning: chromium or ffmpeg missing: the console's browser test is skipped" >&2
  fi
elif [ "${CI:-}" = true ]; then
  echo "npm is required (Node 20+): the console cannot be checked" >&2; exit 1
else
  echo "warning: npm missing: the console checks are skipped" >&2
fi

# The deployment, run: the real providers apply dev to the local Tencent Cloud, the functions it
# deploys serve the console's browser test and the API flow, a release with a rotated secret, a
# refused broken build, a rollback, and a destroy that leaves nothing (scripts/test-cloud).
log "the deployment on the local Tencent Cloud"
if command -v terraform >/dev/null && [ "$(id -u)" = 0 ] && command -v chromium >/dev/null && command -v npm >/dev/null; then
  scripts/test-cloud
elif [ "${CI:-}" = true ]; then
  echo "the deployment test needs root, Terraform >= 1.11, chromium and npm" >&2; exit 1
else
  echo "warning: not root, or Terraform, chromium or npm missing: the deployment test is skipped" >&2
fi

# A count, not a duration: with a duration, the fuzz coordinator can report "context deadline
# exceeded" as a failure when the time runs out mid-exchange with a worker (seen in CI on
# 2026-11-30, FuzzCOSEvent, no crasher). 100000 inputs take 4-20 s here.
log "fuzz (${FUZZTIME:-100000x} each)"
for target in FuzzAPIGatewayEvent FuzzFunctionURLEvent FuzzCOSEvent FuzzTimerEvent; do
  go test -run='^$' -fuzz="^${target}\$" -fuzztime="${FUZZTIME:-100000x}" ./shared/scf/
done
