# portscope record's options and outputs: bad input (one line, status 2),
# files it cannot use (one line, status 1), --jsonl - (each line parses,
# with the process's details), SIGHUP reopens a --jsonl file, sd_notify
# (READY, STATUS, STOPPING), RFC 5424 messages received by a real rsyslogd
# that the test starts with its own socket, --retain and --max-size prune
# the oldest data and say so.
. "$(dirname "$0")/lib.sh"
need_root "record_options runs in its own network and mount namespaces"
if [ "${INNER:-}" != 1 ]; then
	INNER=1 exec unshare --net --mount bash "$0" "$@"
fi
ip link set lo up
. "$(dirname "$0")/helpers/watch_lib.sh"	# check_wait, has, jhas
"$PORTSCOPE" --version | grep -qx 'sqlite: yes' || { skip "record_options" "built without SQLite"; exit 0; }
# with_bpf CHECK DESC ARGS...: run the check when built with BPF (short-lived
# sockets need the event engine's BPF source), else count it as skipped
with_bpf() { local c=$1 d=$2; shift 2; if have_bpf; then "$c" "$d" "$@"; else skip "$d" "built without BPF"; fi; }
W="$(dirname "$0")/helpers/record_work.py"
sq() { sqlite3 -batch -noheader "$1" "$2"; }

# ---- bad input: one line, status 2
bad() {	# bad WANT ARGS...: status 2 and exactly the line WANT
	local want=$1 out rc; shift
	out=$("$PORTSCOPE" record --db "$TMP/never.db" "$@" 2>&1); rc=$?
	if [ "$rc" = 2 ] && [ "$out" = "portscope: $want" ]; then ok "record $*: status 2, one line"; else
		notok "record $*: status 2, one line"; echo "#   got $rc: $(printf %q "$out")"; echo "#   want: portscope: $want"; fi
}
H="; see 'portscope help record'"
bad "bad retain '0': too small, give 1-36500 days$H" --retain 0
bad "bad retain 'x': not a number, give 1-36500 days$H" --retain x
bad "bad retain '36501': too large, give 1-36500 days$H" --retain 36501
bad "bad max-size '0': too small, give 1-1048576 MB$H" --max-size 0
bad "bad max-size '1048577': too large, give 1-1048576 MB$H" --max-size 1048577
bad "bad flush-interval '0': too small, give 0.05-60 seconds$H" --flush-interval 0
bad "bad flush-interval '61': too large, give 0.05-60 seconds$H" --flush-interval 61
bad "bad flush-interval '1s': not a number, give 0.05-60 seconds$H" --flush-interval 1s
bad "bad poll-interval '0.01': too small, give 0.05-60 seconds$H" --poll-interval 0.01
bad "--jsonl needs a file name or '-'$H" --jsonl ''
bad "option '--retain' given twice ('1' and '2')$H" --retain 1 --retain 2
bad "option '--db' needs a value$H" --db
bad "unknown option '--bogus'$H" --bogus
bad "unexpected argument 'extra'$H" extra
check "no database was created by bad input" test ! -e "$TMP/never.db"

out=$("$PORTSCOPE" record --db "$TMP/no/such/dir/r.db" 2>&1); rc=$?
check_eq "a database in a missing directory: status 1" "$rc" 1
check_eq "... one line" "$out" "portscope: cannot open '$TMP/no/such/dir/r.db': No such file or directory"
sqlite3 "$TMP/newer.db" "PRAGMA user_version = 99"
out=$("$PORTSCOPE" record --db "$TMP/newer.db" 2>&1); rc=$?
check_eq "a database of a newer schema: status 1, one line" "$rc: $out" \
	"1: portscope: '$TMP/newer.db': schema version 99 is newer than this portscope's (1)"
"$PORTSCOPE" help record >"$TMP/help" 2>&1
check_grep "help record documents --syslog-socket" "$TMP/help" "--syslog-socket P"

# ---- --jsonl -, sd_notify, rsyslogd, all in one run
python3 - "$TMP/notify.sock" "$TMP/notify.log" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(60)
with open(sys.argv[2], "a") as out:
    while True:
        try:
            m = s.recv(4096).decode()
        except socket.timeout:
            break
        out.write(m.replace("\n", " ") + "\n"); out.flush()
        if m.startswith("STOPPING=1"):
            break
PY
_pids+=($!)
wait_for 5 test -S "$TMP/notify.sock"

cat >"$TMP/rs.conf" <<RS
global(workDirectory="$TMP")
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket="$TMP/log.sock" CreatePath="on" UseSpecialParser="off" ParseHostname="on")
template(name="raw" type="string" string="%app-name% %procid% %msgid% %structured-data% %msg%\\n")
*.* action(type="omfile" file="$TMP/syslog.out" template="raw")
RS
if ! command -v rsyslogd >/dev/null; then
	notok "rsyslogd is not installed"
else
	spawn rsyslogd -n -f "$TMP/rs.conf" -i "$TMP/rsyslog.pid"
	wait_for 10 test -S "$TMP/log.sock"
fi

db=$TMP/r.db
NOTIFY_SOCKET=$TMP/notify.sock spawn "$PORTSCOPE" record --db "$db" --jsonl - \
	--syslog-socket "$TMP/log.sock" --flush-interval 0.2 >"$TMP/j" 2>"$TMP/rec.err"
rec=$SPAWNED
check_wait "sd_notify: READY=1" 10 has "$TMP/notify.log" "^READY=1"
check_wait "sd_notify: STATUS says it is recording" 10 has "$TMP/notify.log" "^STATUS=recording \((bpf|poll)\): "
mkfifo "$TMP/server.in"; exec {sfd}<>"$TMP/server.in"
spawn bash -c 'exec python3 "$0" server 7100 7200 3 <&"$1" >"$2"' "$W" "$sfd" "$TMP/server.out"
wait_for 10 grep -q '^pid ' "$TMP/server.out"
spid=$(sed -n 's/^pid //p' "$TMP/server.out")
python3 "$W" client 7100 7200 2 1 >"$TMP/client.out"
cpid=$(sed -n 's/^pid //p' "$TMP/client.out")
with_bpf check_wait "--jsonl -: the client's connect to 7100" 10 jhas "$TMP/j" \
	"o['event'] == 'connect' and o['remote_port'] == 7100 and o['pid'] == $cpid and 'python3' in o['exe'] and o['user'] == 'root'"
check_wait "--jsonl -: the server's listen, with its command line" 10 jhas "$TMP/j" \
	"o['event'] == 'listen' and o['local_port'] == 7100 and o['pid'] == $spid and 'record_work.py server' in o['cmdline']"
check_wait "syslog: rsyslogd received the listen as RFC 5424 with structured data" 10 has "$TMP/syslog.out" \
	"^portscope $rec listen \[portscope@32473 event=\"listen\" proto=\"tcp\" local_addr=\"127\.0\.0\.1\" local_port=\"7100\" .*pid=\"$spid\" uid=\"0\" comm=\"python3\" user=\"root\" exe=\"[^\"]*python3[^\"]*\".*\] listen tcp 127\.0\.0\.1:7100 pid $spid \(python3\) uid 0$"
with_bpf check_wait "syslog: ... and the client's connect" 10 has "$TMP/syslog.out" \
	"^portscope $rec connect \[portscope@32473 event=\"connect\" .*remote_port=\"7100\" .*pid=\"$cpid\""
exec {sfd}>&-
kill -TERM "$rec"; wait "$rec"; rc=$?
check_eq "stopped by SIGTERM: status 0" "$rc" 0
check_wait "sd_notify: STOPPING=1" 10 has "$TMP/notify.log" "^STOPPING=1"
python3 - "$TMP/j" >"$TMP/jcheck" 2>&1 <<'PY'
import json, sys
n = 0
for line in open(sys.argv[1]):
    o = json.loads(line)
    assert "ts" in o and "event" in o, line
    n += 1
print(n)
PY
check "--jsonl -: every line is one JSON object with ts and event ($(cat "$TMP/jcheck") lines)" \
	test "$(cat "$TMP/jcheck")" -gt 0
check_eq "--jsonl -: as many lines as events seen (stored + aggregated)" "$(cat "$TMP/jcheck")" \
	"$(sq "$db" "SELECT events + aggregated FROM runs")"

# ---- without the rights for BPF (not root): the poll backend, and the log says why
np=$(mktemp -d /tmp/portscope-np.XXXXXX)
chmod 0777 "$np"
on_exit rm -rf "$np"
spawn bash -c 'exec setpriv --reuid=65534 --regid=65534 --clear-groups "$0" record --db "$1/np.db" --flush-interval 0.2 2>"$1/np.err"' "$PORTSCOPE" "$np"
rec=$SPAWNED
check_wait "not root: recording with the poll backend" 10 has "$np/np.err" "recording into '$np/np.db' \(events: poll,"
check_grep "not root: the log says why BPF is not used" "$np/np.err" "^portscope: event source: poll \(BPF not used: .+\)$"
python3 "$W" client 7100 7600 0 0 >/dev/null	# nothing; the run needs a moment
check_eq "not root: the run says which backend and why" \
	"$(sq "$np/np.db" "SELECT backend || ' ' || (length(fallback_reason) > 0) FROM runs")" "poll 1"
kill -TERM "$rec"; wait "$rec"
check_eq "not root: stops cleanly" "$?" 0
cp "$np/np.db" "$np/ro.db"
chmod 0444 "$np/ro.db"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$PORTSCOPE" record --db "$np/ro.db" 2>&1); rc=$?
check_eq "a database it may not write: status 1, one line" "$rc: $out" \
	"1: portscope: cannot open '$np/ro.db': Permission denied"

# ---- --all-netns: a process in another network namespace is recorded too,
# and without it, it is not
if need_bpf "--all-netns"; then
	spawn "$PORTSCOPE" record --db "$TMP/ns.db" --all-netns --flush-interval 0.2 2>"$TMP/ns.err"
	recall=$SPAWNED
	spawn "$PORTSCOPE" record --db "$TMP/ns1.db" --flush-interval 0.2 2>"$TMP/ns1.err"
	recone=$SPAWNED
	wait_for 10 has "$TMP/ns.err" "recording into"
	wait_for 10 has "$TMP/ns1.err" "recording into"
	unshare --net bash -c 'ip link set lo up; exec python3 "$0" client 7100 7800 0 2' "$W" >"$TMP/ns.out"
	npid=$(sed -n 's/^pid //p' "$TMP/ns.out")
	sq_is() { [ "$(sq "$1" "$2")" = "$3" ]; }
	check_wait "--all-netns: the flows of a process in another namespace" 10 sq_is "$TMP/ns.db" \
		"SELECT sum(count) FROM intervals WHERE pid = $npid AND remote_port = 7800" 2
	check_eq "... with its namespace in the events" \
		"$(sq "$TMP/ns.db" "SELECT count(DISTINCT netns) FROM events WHERE pid = $npid") $(sq "$TMP/ns.db" "SELECT netns != (SELECT netns FROM events WHERE type = 'existing' LIMIT 1) FROM events WHERE pid = $npid LIMIT 1")" "1 1"
	sleep 0.5
	check_eq "without --all-netns: not recorded" "$(sq "$TMP/ns1.db" "SELECT count(*) FROM events WHERE pid = $npid")" 0
	kill -TERM "$recall" "$recone"; wait "$recall" "$recone"
fi

# ---- a process gone before the recorder could read /proc: recorded as
# 'exited' with what the event says, and its unit from the event's cgroup
cg=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
if ! have_bpf; then
	skip "a process gone before it could be read" "built without BPF"
elif [ -n "$cg" ] && mkdir "$cg/pstest-$$.service" 2>/dev/null; then
	on_exit rmdir "$cg/pstest-$$.service"
	spawn "$PORTSCOPE" record --db "$TMP/ex.db" --flush-interval 0.2 2>"$TMP/ex.err"
	rec=$SPAWNED
	wait_for 10 has "$TMP/ex.err" "recording into"
	kill -STOP "$rec"
	bash -c 'echo $$ >"$1/cgroup.procs"; exec python3 -c "
import socket, sys
print(\"pid\", __import__(\"os\").getpid(), flush=True)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.sendto(b\"x\", (\"127.0.0.1\", 7900))"' \
		_ "$cg/pstest-$$.service" >"$TMP/ex.out"
	xpid=$(sed -n 's/^pid //p' "$TMP/ex.out")
	kill -CONT "$rec"
	check_wait "exited early: the process row says so" 10 sq_is "$TMP/ex.db" \
		"SELECT missing FROM processes WHERE pid = $xpid" exited
	check_eq "... with comm and uid from the event, and its unit from the cgroup" \
		"$(sq "$TMP/ex.db" "SELECT comm || ' ' || uid || ' ' || unit || ' ' || ifnull(exe, '-') FROM processes WHERE pid = $xpid")" \
		"python3 0 pstest-$$.service -"
	kill -TERM "$rec"; wait "$rec"
else
	notok "cannot make a cgroup under '$cg'"
fi

# ---- a full disk: said once, events wait, all are written when there is room
if need_bpf "full disk"; then
	mkdir "$TMP/small"
	mount -t tmpfs -o size=1m tmpfs "$TMP/small" && on_exit umount "$TMP/small"
	spawn "$PORTSCOPE" record --db "$TMP/small/r.db" --flush-interval 0.2 2>"$TMP/full.err"
	rec=$SPAWNED
	wait_for 10 has "$TMP/full.err" "recording into"
	dd if=/dev/zero of="$TMP/small/fill" bs=4k 2>/dev/null
	python3 "$W" client 7100 7500 0 40 >"$TMP/fc.out"
	fpid=$(sed -n 's/^pid //p' "$TMP/fc.out")
	check_wait "full disk: said" 10 has "$TMP/full.err" \
		"^portscope: cannot write '$TMP/small/r.db': .*database or disk is full; events wait in memory"
	rm -f "$TMP/small/fill"
	check_wait "full disk: room again, the waiting events are written" 10 has "$TMP/full.err" \
		"^portscope: writing '$TMP/small/r.db' again: the [1-9][0-9]* events that waited are stored"
	check_eq "full disk: the flows made while it was full are all there" \
		"$(sq "$TMP/small/r.db" "SELECT sum(count) FROM intervals WHERE kind = 'udp_flow' AND pid = $fpid AND remote_port = 7500")" 40
	check_eq "full disk: said once" "$(grep -c "cannot write" "$TMP/full.err")" 1
	kill -TERM "$rec"; wait "$rec"
	check_eq "full disk: integrity" "$(sq "$TMP/small/r.db" "PRAGMA integrity_check")" ok
fi

# ---- a --jsonl that cannot be written: said once, counted at the end
if need_bpf "--jsonl /dev/full"; then
	spawn "$PORTSCOPE" record --db "$TMP/jf.db" --jsonl /dev/full --flush-interval 0.2 2>"$TMP/jf.err"
	rec=$SPAWNED
	wait_for 10 has "$TMP/jf.err" "recording into"
	python3 "$W" client 7100 7700 0 3 >/dev/null
	check_wait "--jsonl /dev/full: said" 10 has "$TMP/jf.err" \
		"^portscope: cannot write '/dev/full': No space left on device \(JSON Lines are lost until it works again\)$"
	sleep 0.5
	kill -TERM "$rec"; wait "$rec"
	check_eq "--jsonl /dev/full: said once" "$(grep -c "cannot write '/dev/full'" "$TMP/jf.err")" 1
	check_grep "--jsonl /dev/full: the lines not written are counted at the end" "$TMP/jf.err" \
		"^portscope: stopped: .*; not written: [1-9][0-9]* JSON lines, 0 syslog messages$"
	check_eq "--jsonl /dev/full: the database has them all" \
		"$(sq "$TMP/jf.db" "SELECT sum(count) FROM intervals WHERE remote_port = 7700")" 3
fi

# ---- SIGHUP reopens the --jsonl file
spawn "$PORTSCOPE" record --db "$TMP/h.db" --jsonl "$TMP/h.jsonl" --flush-interval 0.2 2>"$TMP/h.err"
rec=$SPAWNED
check_wait "--jsonl FILE: the baseline is written" 10 jhas "$TMP/h.jsonl" "o['event'] == 'existing'"
mv "$TMP/h.jsonl" "$TMP/h.jsonl.1"
kill -HUP "$rec"
check_wait "SIGHUP: says it reopened the file" 10 has "$TMP/h.err" "reopened '$TMP/h.jsonl'"
python3 "$W" client 7100 7200 1 0 >/dev/null
with_bpf check_wait "SIGHUP: new events go to the new file" 10 jhas "$TMP/h.jsonl" "o['event'] == 'connect' and o['remote_port'] == 7100"
check "SIGHUP: the old file kept what it had, and none of the new" jnone "$TMP/h.jsonl.1" "o['event'] == 'connect'"
kill -TERM "$rec"; wait "$rec"

# ---- --retain: data older than the limit goes, and the log says so
now=$(date +%s%N)
old=$((now - 3 * 86400 * 1000000000))
sq "$db" "INSERT INTO events (ts, run_id, type, flags) VALUES ($old, 1, 'bind', 0), ($old, 1, 'close', 0);
	INSERT INTO intervals (run_id, kind, proto, family, opened, closed) VALUES (1, 'bound', 'udp', 4, $old, $old);
	INSERT INTO processes (run_id, pid, first_seen, last_seen) VALUES (1, 4242, $old, $old)"
kept=$(sq "$db" "SELECT count(*) FROM events WHERE ts > $old")
spawn "$PORTSCOPE" record --db "$db" --retain 2 --flush-interval 0.2 2>"$TMP/ret.err"
rec=$SPAWNED
check_wait "--retain 2: says what it pruned" 10 has "$TMP/ret.err" \
	"^portscope: pruned 2 events, 1 intervals, 1 processes and 0 runs older than [0-9-]+ [0-9:]+ UTC \(--retain 2\)"
check_eq "--retain 2: the 3-day-old rows are gone" \
	"$(sq "$db" "SELECT (SELECT count(*) FROM events WHERE ts = $old) + (SELECT count(*) FROM intervals WHERE opened = $old) + (SELECT count(*) FROM processes WHERE pid = 4242)")" 0
check_eq "--retain 2: the recent ones are kept" "$(sq "$db" "SELECT count(*) FROM events WHERE ts > $old AND run_id = 1")" "$kept"
kill -TERM "$rec"; wait "$rec"

# ---- --max-size: the oldest go until the file fits
sq "$TMP/big.db" "PRAGMA page_size" >/dev/null
"$PORTSCOPE" record --db "$TMP/big.db" --flush-interval 0.2 2>/dev/null & p=$!
wait_for 10 sh -c "sqlite3 '$TMP/big.db' 'SELECT count(*) FROM runs' 2>/dev/null | grep -q 1"
kill -TERM $p; wait $p
sq "$TMP/big.db" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000)
	INSERT INTO events (ts, run_id, type, flags, proto, local_addr, local_port, comm)
	SELECT $old + i * 1000000000, 1, 'connect', 0, 'tcp', '127.0.0.1', i % 60000, 'filler-process' FROM n"
size_mb() { sq "$1" "SELECT (page_count * page_size) / 1000000 FROM pragma_page_count, pragma_page_size"; }
check "the filled database is over 8 MB ($(size_mb "$TMP/big.db") MB)" test "$(size_mb "$TMP/big.db")" -ge 8
spawn "$PORTSCOPE" record --db "$TMP/big.db" --max-size 4 --flush-interval 0.2 2>"$TMP/max.err"
rec=$SPAWNED
check_wait "--max-size 4: says what it pruned" 20 has "$TMP/max.err" \
	"^portscope: pruned [0-9]+ events, .* \(--max-size 4\); the database went from [0-9.]+ to [0-3]\.[0-9] MB"
check "--max-size 4: the file is at most 4 MB ($(size_mb "$TMP/big.db") MB)" test "$(size_mb "$TMP/big.db")" -le 4
check_eq "--max-size 4: the newest filler events are kept" \
	"$(sq "$TMP/big.db" "SELECT max(ts) FROM events WHERE comm = 'filler-process'")" "$((old + 200000 * 1000000000))"
kill -TERM "$rec"; wait "$rec"
check_eq "integrity after pruning" "$(sq "$TMP/big.db" "PRAGMA integrity_check")" ok

# ---- the systemd unit: installed by make install, valid, and its
# capability set is enough to load BPF and read another user's process
make -s -C "${PORTSCOPE_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}" install-record-service DESTDIR="$TMP/inst" \
	BINDIR="$(dirname "$PORTSCOPE")" UNITDIR=/unit >"$TMP/inst.log" 2>&1
unit=$TMP/inst/unit/portscope-record.service
check "make install puts portscope-record.service in place" test -f "$unit"
check_grep "the unit is Type=notify" "$unit" "^Type=notify$"
for k in "ProtectSystem=strict" "ReadWritePaths=/var/lib/portscope" "NoNewPrivileges=yes" "PrivateTmp=yes"; do
	check_grep "the unit has $k" "$unit" "^$k$"
done
if command -v systemd-analyze >/dev/null; then
	systemd-analyze verify --man=no "$unit" >"$TMP/verify" 2>&1
	check_eq "systemd-analyze verify finds nothing wrong" "$?: $(cat "$TMP/verify")" "0: "
else
	notok "systemd-analyze is not installed"
fi
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit" | tr 'A-Z' 'a-z' | sed 's/cap_/+/g; s/ /,/g')
check "the unit names its capabilities ($caps)" test -n "$caps"
mkfifo "$TMP/hold.in"; exec {hfd}<>"$TMP/hold.in"
spawn bash -c 'exec setpriv --reuid=65534 --regid=65534 --clear-groups \
	/usr/bin/python3 "$0" hold 7400 <&"$1" >"$2"' "$W" "$hfd" "$TMP/hold.out"
wait_for 10 grep -q '^pid ' "$TMP/hold.out"
hpid=$(sed -n 's/^pid //p' "$TMP/hold.out")
spawn setpriv --bounding-set "-all,$caps" -- "$PORTSCOPE" record --db "$TMP/caps.db" \
	--flush-interval 0.2 2>"$TMP/caps.err"
rec=$SPAWNED
check_wait "with only the unit's capabilities: recording" 10 has "$TMP/caps.err" "recording into"
with_bpf check_eq "... with BPF" "$(sq "$TMP/caps.db" "SELECT backend FROM runs")" bpf
wait_for 10 sh -c "[ \"\$(sqlite3 '$TMP/caps.db' \"SELECT count(*) FROM processes WHERE pid = $hpid\")\" = 1 ]"
check_eq "... another user's listener with its owner, executable and modules" \
	"$(sq "$TMP/caps.db" "SELECT p.user || ' ' || (p.exe LIKE '%python3%') || ' ' || (SELECT count(*) > 0 FROM modules m WHERE m.process_id = p.id) FROM processes p JOIN events e ON e.process_id = p.id WHERE e.type = 'existing' AND e.local_port = 7400")" \
	"nobody 1 1"
kill -TERM "$rec"; wait "$rec"
check_eq "... and it stops cleanly" "$?" 0
