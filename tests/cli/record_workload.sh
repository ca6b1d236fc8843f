# portscope record with a real workload in its own network namespace: a
# listener from before the start (the baseline), a TCP server with 5 short
# connections from a client running as another user, UDP flows, a client
# that exits.  The database, read with the sqlite3 shell, holds each with
# the right pid and user.  Then kill -9 mid-run and a restart: the file
# opens without repair, what was committed is kept, the baseline is taken
# again; a second recorder on the same file is refused; SIGTERM ends a run
# cleanly.
. "$(dirname "$0")/lib.sh"
need_root "record_workload runs in its own network namespace"
need_bpf "record_workload: the short connections it checks need the event engine" || exit 0
if [ "${INNER:-}" != 1 ]; then
	INNER=1 exec unshare --net bash "$0" "$@"
fi
ip link set lo up
. "$(dirname "$0")/helpers/watch_lib.sh"	# check_wait, has
command -v sqlite3 >/dev/null || { notok "the sqlite3 shell is not installed"; exit 0; }
"$PORTSCOPE" --version | grep -qx 'sqlite: yes' || { skip "record_workload" "built without SQLite"; exit 0; }
W="$(dirname "$0")/helpers/record_work.py"
PY=/usr/bin/python3	# not a shim under root's home: the client runs as nobody
db=$TMP/r.db
sq() { sqlite3 -batch -noheader "$db" "$1"; }
sq_ge() { [ "$(sq "$1")" -ge "$2" ] 2>/dev/null; }	# for wait_for

# feed NAME: a FIFO the helper reads as stdin (it exits when it closes)
feed() { mkfifo "$TMP/$1.in"; exec {FEED}<>"$TMP/$1.in"; }
pid_of() { wait_for 10 grep -q '^pid ' "$1" && sed -n 's/^pid //p' "$1"; }

# a listener older than the recorder
feed hold; hold_fd=$FEED
spawn bash -c 'exec python3 "$0" hold 7000 <&"$1" >"$2"' "$W" "$hold_fd" "$TMP/hold.out"
hpid=$(pid_of "$TMP/hold.out")

spawn "$PORTSCOPE" record --db "$db" --flush-interval 0.2 2>"$TMP/rec1.err"
rec=$SPAWNED
check_wait "the recorder says it is recording" 10 has "$TMP/rec1.err" "recording into '$db'"
backend=$(sq "SELECT backend FROM runs WHERE id = 1")
check_eq "events come from BPF (the poll backend would miss short connections)" "$backend" bpf

check_wait "baseline: the older listener on 7000 with its pid" 10 sq_ge \
	"SELECT count(*) FROM events WHERE type = 'existing' AND local_port = 7000 AND pid = $hpid AND run_id = 1" 1
check_eq "baseline: its process's details (user, exe, command line)" \
	"$(sq "SELECT user || '|' || (exe LIKE '%python3%') || '|' || (cmdline LIKE '%record_work.py hold 7000') FROM processes WHERE pid = $hpid")" \
	"root|1|1"
check "baseline: its modules (the interpreter and libc)" sq_ge \
	"SELECT count(*) FROM modules m JOIN processes p ON p.id = m.process_id WHERE p.pid = $hpid AND m.path LIKE '%libc.so%'" 1
check_eq "baseline: its interval is open since the start" \
	"$(sq "SELECT kind || ' ' || at_start || ' ' || ifnull(closed, 'open') FROM intervals WHERE local_port = 7000")" \
	"listen 1 open"

# the workload
feed server; server_fd=$FEED
spawn bash -c 'exec python3 "$0" server 7100 7200 7 <&"$1" >"$2"' "$W" "$server_fd" "$TMP/server.out"
spid=$(pid_of "$TMP/server.out")
setpriv --reuid=65534 --regid=65534 --clear-groups "$PY" "$W" client 7100 7200 5 3 >"$TMP/client.out"
check_grep "the client (uid 65534) ran to its end and exited" "$TMP/client.out" '^done$'
cpid=$(sed -n 's/^pid //p' "$TMP/client.out")

check_wait "the server's listener on 7100" 10 sq_ge \
	"SELECT count(*) FROM intervals WHERE kind = 'listen' AND local_port = 7100 AND pid = $spid" 1
check_wait "5 connections from the client to 7100 (counted per minute)" 10 sq_ge \
	"SELECT sum(count) FROM intervals WHERE kind = 'connect' AND remote_port = 7100 AND pid = $cpid" 5
check_eq "... exactly 5, as uid 65534, user nobody" \
	"$(sq "SELECT sum(i.count) || ' ' || group_concat(DISTINCT i.uid) || ' ' || group_concat(DISTINCT p.user) FROM intervals i JOIN processes p ON p.id = i.process_id WHERE i.kind = 'connect' AND i.remote_port = 7100 AND i.pid = $cpid")" \
	"5 65534 nobody"
# 100 bytes sent and 1000 received each: the application's bytes, no SYN
# or FIN counted (tests/cli/events_bytes.sh has the cases)
check_wait "... their bytes: 100 sent and 1000 received each, exactly" 10 sq_ge \
	"SELECT sum(bytes_sent) = 500 AND sum(bytes_received) = 5000 FROM intervals WHERE kind = 'connect' AND remote_port = 7100 AND pid = $cpid" 1
check_wait "5 accepted connections on 7100, credited to the server" 10 sq_ge \
	"SELECT sum(count) FROM intervals WHERE kind = 'accept' AND local_port = 7100 AND pid = $spid" 5
check_wait "3 UDP datagrams to 7200 from new sockets: one flow interval counted 3" 10 sq_ge \
	"SELECT sum(count) FROM intervals WHERE kind = 'udp_flow' AND remote_port = 7200 AND pid = $cpid" 3
check_eq "... and one to 7201" \
	"$(sq "SELECT sum(count) FROM intervals WHERE kind = 'udp_flow' AND remote_port = 7201 AND pid = $cpid")" 1
check_wait "the exited client's sockets are all closed" 10 sq_ge \
	"SELECT count(*) = 0 FROM intervals WHERE pid = $cpid AND closed IS NULL" 1
check_eq "the client's process row: user nobody, its executable" \
	"$(sq "SELECT user || ' ' || (exe LIKE '%python3%') FROM processes WHERE pid = $cpid")" "nobody 1"
check_eq "the client's raw events all carry its uid" \
	"$(sq "SELECT count(*) > 0, count(*) = sum(uid = 65534) FROM events WHERE pid = $cpid")" "1|1"
check "repeats were aggregated (the run counts them)" sq_ge "SELECT aggregated FROM runs WHERE id = 1" 1

# a second client, then kill -9 after ten flush intervals without a look
setpriv --reuid=65534 --regid=65534 --clear-groups "$PY" "$W" client 7100 7300 2 1 >"$TMP/client2.out"
c2pid=$(sed -n 's/^pid //p' "$TMP/client2.out")
sleep 2	# ten flush intervals: generous on a loaded machine
before=$(sq "SELECT count(*) FROM events")
kill -9 "$rec"
wait "$rec" 2>/dev/null
check_eq "after kill -9: integrity_check is ok" "$(sq "PRAGMA integrity_check")" ok
check_eq "after kill -9: the second client's 2 connections (older than a flush interval) are there" \
	"$(sq "SELECT sum(count) FROM intervals WHERE kind = 'connect' AND pid = $c2pid")" 2
check_eq "after kill -9: ... and its flow to 7300" \
	"$(sq "SELECT count(*) FROM intervals WHERE kind = 'udp_flow' AND remote_port = 7300 AND pid = $c2pid")" 1

spawn "$PORTSCOPE" record --db "$db" --flush-interval 0.2 2>"$TMP/rec2.err"
rec2=$SPAWNED
check_wait "restart: recording again" 10 has "$TMP/rec2.err" "recording into"
check_eq "restart: the killed run is marked died, the new one runs" \
	"$(sq "SELECT group_concat(id || ':' || ifnull(end, '-'), ' ') FROM runs")" "1:died 2:-"
check_eq "restart: the first run's events are kept" "$(sq "SELECT count(*) FROM events WHERE run_id = 1")" "$before"
check_wait "restart: the baseline is taken again (7000 and 7100)" 10 sq_ge \
	"SELECT count(DISTINCT local_port) FROM events WHERE run_id = 2 AND type = 'existing' AND local_port IN (7000, 7100)" 2
check_eq "restart: the first run's open intervals end at its last commit" \
	"$(sq "SELECT count(*) FROM intervals WHERE run_id = 1 AND (closed IS NULL OR (end = 'died') != (closed = (SELECT last_commit FROM runs WHERE id = 1)))")" 0

"$PORTSCOPE" record --db "$db" >"$TMP/second.out" 2>&1
check_eq "a second recorder on the same file: status 1" "$?" 1
check_eq "... with one line naming the one that holds it" "$(cat "$TMP/second.out")" \
	"portscope: '$db' is in use by another recorder (pid $rec2)"

kill -TERM "$rec2"
wait "$rec2"
check_eq "SIGTERM: status 0" "$?" 0
check_grep "SIGTERM: says what it stored" "$TMP/rec2.err" "^portscope: stopped: [0-9]+ events stored"
check_eq "SIGTERM: the run ends 'stop', its open intervals are closed" \
	"$(sq "SELECT end FROM runs WHERE id = 2") $(sq "SELECT count(*) FROM intervals WHERE run_id = 2 AND closed IS NULL")" "stop 0"
check_eq "SIGTERM: the listeners still open end 'stop'" \
	"$(sq "SELECT group_concat(local_port) FROM (SELECT local_port FROM intervals WHERE run_id = 2 AND end = 'stop' AND kind = 'listen' ORDER BY local_port)")" "7000,7100"
check_eq "no warnings from either run" "$(grep -vE 'recording into|baseline:|stopping|stopped:' "$TMP/rec1.err" "$TMP/rec2.err")" ""
