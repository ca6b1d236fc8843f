#!/usr/bin/env bash
# report_gen.sh PORTSCOPE DB EVENTS INTERVALS: a record database of a week
# of made-up traffic, for report's HTML test and bench/report.  The schema
# is the one `portscope record` makes (it runs for a moment with the
# polling source in a network namespace of its own); then one SQL
# transaction inserts INTERVALS intervals (1% listeners on ports 1-500,
# 60% connections made to 50 x 200 remote addresses, 30% accepted, 9% UDP
# flows) and EVENTS events spread over them, by 200 processes of 10 users,
# two of them from odd paths; every interval closes by the end of its run,
# as record's do.  Prints nothing; status 0 when done.
set -eu
ps=$1 db=$2 nev=$3 niv=$4
rm -f "$db" "$db-wal" "$db-shm"
# shellcheck disable=SC2016
unshare --net bash -c '
	"$0" record --db "$1" --poll 2>"$1.log" & r=$!
	for _ in $(seq 200); do grep -q "recording into" "$1.log" && break; sleep 0.05; done
	kill -TERM $r; wait $r' "$ps" "$db"
rm -f "$db.log"
sqlite3 "$db" >/dev/null <<SQL
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
BEGIN;
DELETE FROM events; DELETE FROM intervals; DELETE FROM processes; DELETE FROM runs;
-- a week, ending an hour ago
CREATE TEMP TABLE k AS SELECT (strftime('%s', 'now') - 3600 - 7 * 86400) * 1000000000 AS t0,
  7 * 86400 * 1000000000 AS span;
INSERT INTO runs (id, started, last_commit, stopped, end, pid, hostname, version, backend)
  SELECT 1, t0, t0 + span, t0 + span, 'stop', 1, 'bench', 'gen', 'bpf' FROM k;
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200)
INSERT INTO processes (id, run_id, pid, start_time, first_seen, last_seen, uid, user, comm, exe)
  SELECT x, 1, 1000 + x, 0, t0, t0 + span, x % 10, 'user' || (x % 10), 'prog' || (x % 50),
    CASE x WHEN 7 THEN '/tmp/.x/prog7' WHEN 8 THEN '/usr/sbin/prog8 (deleted)'
      ELSE '/usr/bin/prog' || (x % 50) END
  FROM c, k;
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < $niv)
INSERT INTO intervals (id, run_id, kind, proto, family, local_addr, local_port, remote_addr,
    remote_port, state, process_id, pid, uid, comm, opened, closed, end, count)
  SELECT x, 1, kind, CASE kind WHEN 'udp_flow' THEN 'udp' ELSE 'tcp' END, 4,
    CASE WHEN kind = 'listen' AND x % 3 = 0 THEN '0.0.0.0' ELSE '10.1.0.1' END,
    CASE WHEN kind IN ('listen', 'accept') THEN 1 + x % 500 ELSE 32768 + x % 28000 END,
    CASE kind WHEN 'listen' THEN NULL ELSE '10.0.' || (x % 50) || '.' || (x % 200) END,
    CASE kind WHEN 'listen' THEN NULL WHEN 'accept' THEN 32768 + x % 28000 ELSE 1 + x % 500 END,
    CASE kind WHEN 'listen' THEN 'LISTEN' WHEN 'udp_flow' THEN 'UNCONN' ELSE 'CLOSE' END,
    1 + x % 200, 1001 + x % 200, (1 + x % 200) % 10, 'prog' || ((1 + x % 200) % 50),
    t0 + (x * 604799 % $niv) * (span / $niv),
    min(t0 + span, t0 + (x * 604799 % $niv) * (span / $niv) + CASE kind WHEN 'listen'
      THEN span / 10 ELSE 1000000000 * (1 + x % 30) END),
    'close', 1 + x % 3
  FROM (SELECT x, CASE WHEN x % 100 = 0 THEN 'listen' WHEN x % 100 < 61 THEN 'connect'
      WHEN x % 100 < 91 THEN 'accept' ELSE 'udp_flow' END AS kind FROM c), k;
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < $nev)
INSERT INTO events (ts, run_id, type, flags, proto, family, local_addr, local_port,
    remote_addr, remote_port, state, pid, uid, comm, process_id, interval_id)
  SELECT i.opened + (c.x % 7) * 1000, 1, CASE c.x % 3 WHEN 0 THEN 'connect' WHEN 1 THEN 'state'
      ELSE 'close' END, 0, i.proto, 4, i.local_addr, i.local_port, i.remote_addr,
    i.remote_port, i.state, i.pid, i.uid, i.comm, i.process_id, i.id
  FROM c JOIN intervals i ON i.id = 1 + c.x % $niv;
UPDATE runs SET events = $nev;
COMMIT;
PRAGMA journal_mode = WAL;
SQL
