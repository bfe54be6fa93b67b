#!/usr/bin/env bash
# Scaling benchmark: the same reads at 2,000, 50,000 and 500,000 orders (docs/PERFORMANCE.md,
# "Flat latency as the data grows"). For each size it seeds a fresh database, then measures with
# wrk, read cache off and on: list by status, list in each allow-listed sort, search (a frequent
# term, a rare one, one that matches nothing), detail, dashboard; with the cache off, the
# dashboard computed afresh one request at a time; with it on, a bare net/http server returning
# the same bytes as the list and the detail (the yardstick for the cached path), then a
# transition and order creation.
#
#   scripts/bench/scale.sh [sizes="2000 50000 500000"] [duration=5s] [connections=16]
#   SKIP_SEED=1 scripts/bench/scale.sh 500000   # measure again on the database the last run left
#   EXPLAIN=1 …                                  # then print the plan of every query, at the last size
#
# Seeding is SQL, not the API (500,000 orders through the API would take an hour): the server
# is started once on an empty database so its migrations create the schema and its bootstrap
# creates the admin; the seed tool adds a few staff through the API; then INSERT … SELECT over
# MariaDB's sequence tables writes 8 experts, customers, items, orders and their create events
# with every column the schema asks for. Orders arrive at a steady 450 a day, ending now, so a
# bigger table is a longer history (as a real one grows), not a busier month: the dashboard's
# 30 days hold the same orders at 50k and 500k. The search index and the status counters are
# then built by the production code (migration 0014, run again by the server's start; the
# rollups as migration 0013 builds them).
#
# Its own database (jb_scale) and Redis prefix (jbscale:); the root login over TCP is the one the
# test script sets up (scripts/test.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."

sizes=${1:-2000 50000 500000}
duration=${2:-5s}
conns=${3:-16}
port=${BENCH_PORT:-18082}
base="http://127.0.0.1:$port"
root_dsn=${TEST_MYSQL_DSN:-root@tcp(127.0.0.1:3306)/test}
dsn="${root_dsn%/*}/jb_scale"
admin_pw=scale-admin-password
work=$(mktemp -d)
server=
sql() { mariadb --protocol=tcp -h127.0.0.1 -uroot -N jb_scale -e "$1"; }

command -v wrk >/dev/null || { [ "$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; } || { echo "install wrk" >&2; exit 1; }
go build -tags noembed -o "$work/server" ./functions/server
go build -o "$work/seed" ./functions/internal/loadtest/seed
go build -o "$work/bare" ./functions/internal/loadtest/bare

stop_server() { [ -n "$server" ] && kill "$server" 2>/dev/null && { wait "$server" 2>/dev/null || true; }; server=; }
bare=
stop_bare() { [ -n "$bare" ] && kill "$bare" 2>/dev/null && { wait "$bare" 2>/dev/null || true; }; bare=; }
trap 'stop_server; stop_bare; rm -rf "$work"' EXIT

env_common() {
  export MYSQL_DSN="$dsn" REDIS_ADDR=127.0.0.1:6379 REDIS_PREFIX=jbscale: LOG_LEVEL=error \
    JWT_SECRET=$(printf 'j%.0s' {1..32}) PII_SECRET=$(printf 'p%.0s' {1..32}) BOOTSTRAP_ADMIN_PASSWORD=$admin_pw \
    LOGIN_MAX_FAILURES_PER_IP=100000
}
start_server() { # $1: READ_CACHE_SIZE, $2: how long to wait for it, in tenths of a second
  stop_server
  env_common
  HTTP_ADDR=127.0.0.1:$port READ_CACHE_SIZE="$1" "$work/server" >> "$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 "${2:-300}"); do curl -fs "$base/healthz" >/dev/null && return; sleep 0.1; done
  echo "server did not start:"; cat "$work/server.log"; exit 1
}

# seed N: a fresh database with N orders.
seed() {
  local n=$1
  mariadb --protocol=tcp -h127.0.0.1 -uroot -e 'DROP DATABASE IF EXISTS jb_scale; CREATE DATABASE jb_scale CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci'
  redis-cli -h 127.0.0.1 --scan --pattern 'jbscale:*' | xargs -r redis-cli -h 127.0.0.1 del >/dev/null
  start_server 0
  "$work/seed" -base "$base" -admin-password "$admin_pw" -orders 1 >/dev/null # staff and an expert
  stop_server
  local customers=$(( n / 5 )) items=$(( n / 2 )) open=$(( n / 10 < 3000 ? n / 10 : 3000 ))
  # Names, eras, glazes and shapes as the business writes them; one title in 10,007 is the rare
  # 成化斗彩鸡缸杯, and no title holds 赝品.
  sql "
INSERT INTO admin_users (username, display_name, password_hash, role_id, created_at, updated_at)
SELECT CONCAT('expert', seq), CONCAT('鉴定师', seq), 'x', 4, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) FROM seq_1_to_8;
INSERT INTO experts (user_id, name, capacity, created_at, updated_at)
SELECT id, display_name, 1000000, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) FROM admin_users WHERE username LIKE 'expert%';
INSERT INTO customers (name, phone_masked, note, created_at, updated_at)
SELECT CONCAT(ELT(1 + seq % 20, '王','李','张','刘','陈','杨','黄','赵','吴','周','徐','孙','马','朱','胡','郭','何','高','林','欧阳'),
              ELT(1 + (seq DIV 20) % 24, '芳','伟','娜','敏','静','丽','强','磊','军','洋','勇','艳','杰','娟','涛','明','超','秀英','建华','国强','晓东','海燕','子涵','雨桐')),
       CONCAT('138****', LPAD(seq % 10000, 4, '0')), '', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6)
FROM seq_1_to_$customers;
INSERT INTO items (customer_id, category_id, title, declared_value_fen, created_at, updated_at)
SELECT (SELECT MIN(id) FROM customers) + seq % $customers, 1 + seq % 17,
       IF(seq % 10007 = 0, '成化斗彩鸡缸杯',
       CONCAT(ELT(1 + seq % 12, '乾隆','康熙','雍正','嘉庆','道光','光绪','明代','宋代','元代','清中期','民国','汉代'),
              ELT(1 + (seq DIV 12) % 12, '青花','粉彩','斗彩','五彩','珐琅彩','白玉','和田玉','翡翠','紫砂','青铜','黄花梨','铜鎏金'),
              ELT(1 + (seq DIV 144) % 20, '缠枝莲纹梅瓶','山水人物笔筒','龙纹盘','手镯','观音挂件','天球瓶','玉壶春瓶','香炉','印章','鼻烟壶',
                  '笔洗','茶壶','佛像','山子摆件','如意','花觚','执壶','盖碗','砚台','带钩'))),
       100000 * (1 + seq % 50), UTC_TIMESTAMP(6), UTC_TIMESTAMP(6)
FROM seq_1_to_$items;
INSERT INTO orders (order_no, customer_id, item_id, product_id, category_id, title, customer_name, status, round,
  assignee_expert_id, price_fen, sla_due_at, note, version, created_by, created_at, updated_at, completed_at)
SELECT CONCAT('TMP', seq), i.customer_id, i.id, p.id, i.category_id, i.title, c.name,
       CASE WHEN x.seq <= $n - $open THEN IF(x.seq % 3 = 0, 'CERT_ISSUED', 'COMPLETED')
            WHEN x.seq % 2 = 0 THEN 'SUBMITTED'
            ELSE ELT(1 + x.seq % 5, 'TRIAGE','QUEUED','ASSIGNED','IN_APPRAISAL','IN_REVIEW') END,
       1, IF(x.seq <= $n - $open OR x.seq % 2 = 1 AND x.seq % 5 >= 2, (SELECT MIN(id) FROM experts) + x.seq % 8, NULL), p.price_fen,
       x.at + INTERVAL p.sla_hours HOUR, '', 1, 1, x.at, x.at,
       IF(x.seq <= $n - $open, x.at + INTERVAL (1 + x.seq % 72) HOUR + INTERVAL x.seq % 3600 SECOND, NULL)
FROM (SELECT seq, UTC_TIMESTAMP(6) - INTERVAL ($n - seq) * 192 SECOND AS at FROM seq_1_to_$n) x
JOIN items i ON i.id = (SELECT MIN(id) FROM items) + x.seq % $items
JOIN customers c ON c.id = i.customer_id
JOIN service_products p ON p.id = 1 + x.seq % 3;
UPDATE orders SET order_no = CONCAT('JB', DATE_FORMAT(created_at + INTERVAL 8 HOUR, '%Y%m%d'), LPAD(id, 6, '0')) WHERE order_no LIKE 'TMP%';
INSERT INTO order_events (order_id, round, action, from_status, to_status, version, actor_user_id, note, created_at)
SELECT id, 1, 'create', '', 'SUBMITTED', 1, NULL, '', created_at FROM orders WHERE version = 1 AND id NOT IN (SELECT order_id FROM order_events);
DELETE FROM order_counts;
INSERT INTO order_counts (status, shard, n) SELECT status, 0, COUNT(*) FROM orders GROUP BY status;
DELETE FROM order_days;
INSERT INTO order_days (day, shard, intake, completed)
  SELECT DATE(DATE_ADD(created_at, INTERVAL 8 HOUR)) AS d, 0, COUNT(*), 0 FROM orders GROUP BY d;
INSERT INTO order_days (day, shard, intake, completed)
  SELECT DATE(DATE_ADD(completed_at, INTERVAL 8 HOUR)) AS d, 1, 0, COUNT(*) FROM orders
  WHERE completed_at IS NOT NULL AND status IN ('COMPLETED', 'CERT_ISSUED') GROUP BY d;
DELETE FROM order_terms;
DELETE FROM schema_migrations WHERE name = '0014_order_terms';
ANALYZE TABLE orders, order_events;" >/dev/null
  local t0=$SECONDS
  start_server 0 36000 # its migration indexes the orders: minutes at 500,000
  stop_server
  sql "ANALYZE TABLE order_terms" >/dev/null
  settle
  echo "seeded $(sql 'SELECT COUNT(*) FROM orders') orders, $(sql 'SELECT COUNT(*) FROM order_terms') terms (index built in $(( SECONDS - t0 ))s)" >&2
}

# settle: let InnoDB write the seed's dirty pages before anything is measured. Right after the
# 500,000-order seed it was still flushing millions of term rows, and the first measurements'
# P99 were ten times the later ones'.
settle() {
  local pct
  pct=$(sql "SELECT @@innodb_max_dirty_pages_pct")
  sql "SET GLOBAL innodb_max_dirty_pages_pct = 0"
  for _ in $(seq 1 600); do
    [ "$(sql "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'INNODB_BUFFER_POOL_PAGES_DIRTY'")" -lt 500 ] && break
    sleep 0.5
  done
  sql "SET GLOBAL innodb_max_dirty_pages_pct = $pct"
}

# computed NAME URL: one request at a time, each after the cached dashboard is deleted (wrk
# would measure the cached copy, which the dashboard keeps for 30 s whatever the read cache
# does): 20 requests, P50 and the slowest (in the P99 column).
computed() {
  local times
  times=$(for _ in $(seq 1 20); do
    redis-cli -h 127.0.0.1 del jbscale:cache:dashboard:v1 >/dev/null
    curl -fs -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $token" "$2"
  done | sort -n)
  printf '| %s | %s | %s | — | %s | %s |\n' "$size" "$cache" "$1" \
    "$(sed -n 10p <<<"$times" | awk '{printf "%.2fms", $1 * 1000}')" "$(tail -1 <<<"$times" | awk '{printf "%.2fms", $1 * 1000}')"
}

# measure NAME URL [LUA [DURATION]]: one wrk run; prints a table row: req/s, P50, P99.
measure() {
  local out
  out=$(wrk -t2 -c"$conns" -d"${4:-$duration}" --latency -s "${3:-$work/auth.lua}" "$2")
  local rps p50 p99 non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  printf '| %s | %s | %s | %s | %s | %s |%s\n' "$size" "$cache" "$1" "$rps" "$p50" "$p99" "${non2xx:+ $non2xx non-2xx!}"
}

# explain: every statement one pass of the read requests sends (but the session's grant, the same
# primary-key read everywhere), as MariaDB's slow log (with a threshold of 0, for this pass only)
# recorded it, and its EXPLAIN: the plans at this size.
explain() {
  sql "SET GLOBAL log_output = 'TABLE'; SET GLOBAL long_query_time = 0; TRUNCATE mysql.slow_log; SET GLOBAL slow_query_log = 1"
  start_server 0 # new connections take the threshold
  local token
  token=$(curl -fs -X POST -H 'Content-Type: application/json' -d "{\"username\":\"admin\",\"password\":\"$admin_pw\"}" "$base/api/v1/auth/login" | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
  for u in "orders?status=IN_REVIEW" "orders?status=COMPLETED" "orders?sort=-created_at" "orders?sort=updated_at" "orders?sort=-sla_due_at" \
    "orders?sort=price_fen" "orders?sort=-order_no" "orders?q=%E9%9D%92%E8%8A%B1" "orders?q=%E9%B8%A1%E7%BC%B8%E6%9D%AF" \
    "orders?q=%E8%B5%9D%E5%93%81" "orders?q=%E4%B9%BE%E9%9A%86%E9%9D%92%E8%8A%B1" "orders/$order_id" "dashboard"; do
    echo "### GET /api/v1/$u"
    sql "TRUNCATE mysql.slow_log"
    redis-cli -h 127.0.0.1 --scan --pattern 'jbscale:cache:*' | xargs -r redis-cli -h 127.0.0.1 del >/dev/null # the cached dashboard
    curl -fs -o /dev/null -H "Authorization: Bearer $token" "$base/api/v1/$u"
    sql "SELECT sql_text FROM mysql.slow_log WHERE db = 'jb_scale' AND sql_text LIKE 'SELECT%' AND sql_text NOT LIKE 'SELECT u.id, u.username%' ORDER BY start_time" |
      while IFS= read -r q; do
        q=${q//\\n/ }
        printf '\n```sql\n%s\n```\n\n' "${q:0:400}"
        sql "EXPLAIN $q" | awk -F'\t' 'BEGIN { print "| table | type | key | rows | extra |"; print "|---|---|---|---|---|" } { printf "| %s | %s | %s | %s | %s |\n", $3, $4, $6, $9, $10 }'
      done
  done
  sql "SET GLOBAL slow_query_log = 0; SET GLOBAL long_query_time = 10; TRUNCATE mysql.slow_log"
  stop_server
}

echo "| orders | cache | request | req/s | P50 | P99 |"
echo "|---|---|---|---|---|---|"
for size in $sizes; do
  [ "${SKIP_SEED:-}" = 1 ] || seed "$size"
  order_id=$(sql "SELECT id FROM orders WHERE status = 'IN_REVIEW' ORDER BY id DESC LIMIT 1")
  item_id=$(sql "SELECT MAX(id) FROM items")
  for cache in 0 1000; do
    start_server "$cache"
    token=$(curl -fs -X POST -H 'Content-Type: application/json' -d "{\"username\":\"admin\",\"password\":\"$admin_pw\"}" "$base/api/v1/auth/login" | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
    printf 'wrk.headers["Authorization"] = "Bearer %s"\n' "$token" > "$work/auth.lua"
    cache_name=$([ "$cache" = 0 ] && echo off || echo on)
    cache=$cache_name
    measure "list status=IN_REVIEW" "$base/api/v1/orders?status=IN_REVIEW"
    measure "list status=COMPLETED" "$base/api/v1/orders?status=COMPLETED"
    for s in -created_at updated_at -sla_due_at price_fen -order_no; do
      measure "list sort=$s" "$base/api/v1/orders?sort=$s"
    done
    measure "search 青花 (frequent)" "$base/api/v1/orders?q=%E9%9D%92%E8%8A%B1"
    measure "search 鸡缸杯 (rare)" "$base/api/v1/orders?q=%E9%B8%A1%E7%BC%B8%E6%9D%AF"
    measure "search 赝品 (none)" "$base/api/v1/orders?q=%E8%B5%9D%E5%93%81"
    measure "detail" "$base/api/v1/orders/$order_id"
    measure "dashboard" "$base/api/v1/dashboard"
    if [ "$cache" = off ]; then computed "dashboard, computed (20 × one)" "$base/api/v1/dashboard"; fi
    if [ "$cache" = on ]; then
      # The yardstick: the same bytes from a server that does nothing else.
      curl -fs -H "Authorization: Bearer $token" "$base/api/v1/orders?status=IN_REVIEW" > "$work/list.json"
      curl -fs -H "Authorization: Bearer $token" "$base/api/v1/orders/$order_id" > "$work/detail.json"
      "$work/bare" -addr 127.0.0.1:$((port + 1)) /list="$work/list.json" /detail="$work/detail.json" &
      bare=$!
      sleep 0.5
      measure "bare net/http, the list's bytes" "http://127.0.0.1:$((port + 1))/list"
      measure "bare net/http, the detail's bytes" "http://127.0.0.1:$((port + 1))/detail"
      stop_bare
    fi
    if [ "$cache" = on ]; then
      # The writes, as production runs them: with the read cache on (with it off, every request
      # also reads the caller's grant from MySQL). Creates first: they leave thousands of new
      # orders for the transitions.
      printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.headers["Authorization"] = "Bearer %s"\nwrk.body = %s\n' \
        "$token" "'{\"item_id\":\"$item_id\",\"product_id\":\"1\"}'" > "$work/create.lua"
      measure "order create" "$base/api/v1/orders" "$work/create.lua"
      # Transitions: SUBMITTED → TRIAGE on orders read at version 1, each once (a second triage
      # would be a 409, and counted as one); the two wrk threads take alternate orders.
      { printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.headers["Authorization"] = "Bearer %s"\nwrk.body = %s\n' \
          "$token" "'{\"version\":1}'"
        printf 'ids = {%s}\n' "$(sql "SELECT GROUP_CONCAT(id) FROM (SELECT id FROM orders WHERE status = 'SUBMITTED' AND version = 1 ORDER BY id LIMIT 100000) s")"
        printf 'local threads = 0\nfunction setup(thread) thread:set("offset", threads); threads = threads + 1 end\n'
        printf 'i = 0\nrequest = function() local id = ids[(i * 2 + offset) %% #ids + 1]; i = i + 1; return wrk.format(nil, "/api/v1/orders/" .. id .. "/triage") end\n'
      } > "$work/triage.lua"
      # One second, and more orders than a second of transitions takes.
      if [ "$(sql "SELECT COUNT(*) FROM orders WHERE status = 'SUBMITTED' AND version = 1")" -ge 5000 ]; then
        measure "transition (triage), 1 s" "$base" "$work/triage.lua" 1s
      fi
    fi
  done
  stop_server
done
[ "${EXPLAIN:-}" = 1 ] && explain
