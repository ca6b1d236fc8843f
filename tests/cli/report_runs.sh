# portscope report's time is the time that was recorded.  (1) A database
# (record's schema, rows written here) with a run that stopped and one
# that died (no stop, its last commit its end), and listeners whose
# intervals reach past their run's end: each port's and program's %TIME is
# its time within its run, never over 100.  A port in use for 36 ms of
# 200 s shows "<0.1" in text and HTML, its number in JSON and CSV.  Remote
# ends with the same count are in the order of their addresses' values
# (10.0.0.9, 10.0.0.50, 10.0.0.150, then IPv6) in text, JSON and CSV, and
# so are the remotes of interest.  (2) Real `portscope record` databases:
# a.db, then b.db a copy of it that went on recording; report --db a.db
# --db b.db answers exactly what b.db alone does, in every section and in
# the PR-PORTS lines (the runs both files hold count once).
. "$(dirname "$0")/lib.sh"
need_root "report_runs runs record in a network namespace of its own"
command -v sqlite3 >/dev/null || { notok "the sqlite3 shell is not installed"; exit 0; }
"$PORTSCOPE" --version | grep -qx 'sqlite: yes' || { skip "report_runs" "built without SQLite"; exit 0; }
H=$(dirname "$0")/helpers
export TZ=UTC
db=$TMP/clip.db
check "a database with record's schema" "$H/report_gen.sh" "$PORTSCOPE" "$db" 1 1

# T = 2026-03-01 00:00 UTC.  Run 1 recorded T+0..T+100 s and stopped; run
# 2 started at T+200 s and died, its last commit at T+300 s: 200 s
# recorded.  8080: opened at T+50, closed T+500 (past run 1's end): 50 s.
# 8081: run 2, opened T+250, closed T+400 (past its last commit): 50 s.
# 8082: 36 ms in run 1.  All three by one program: 100 s of 200.
T="strftime('%s', '2026-03-01 00:00:00') * 1000000000"
S=1000000000
{
	echo "PRAGMA journal_mode = OFF; BEGIN;"
	echo "DELETE FROM events; DELETE FROM intervals; DELETE FROM processes; DELETE FROM runs;"
	echo "INSERT INTO runs (id, started, last_commit, stopped, end, pid) VALUES
	      (1, $T, $T + 100 * $S, $T + 100 * $S, 'stop', 11),
	      (2, $T + 200 * $S, $T + 300 * $S, NULL, NULL, 12);"
	echo "INSERT INTO processes (id, run_id, pid, first_seen, last_seen, uid, user, comm, exe)
	      VALUES (1, 1, 100, 0, 0, 0, 'root', 'clipd', '/usr/bin/clipd');"
	for l in "1 8080 50 500" "2 8081 250 400"; do
		set -- $l
		echo "INSERT INTO intervals (run_id, kind, proto, family, local_addr, local_port,
		      process_id, pid, uid, comm, opened, closed, count)
		      VALUES ($1, 'listen', 'tcp', 4, '0.0.0.0', $2, 1, 100, 0, 'clipd',
		      $T + $3 * $S, $T + $4 * $S, 1);"
	done
	echo "INSERT INTO intervals (run_id, kind, proto, family, local_addr, local_port,
	      process_id, pid, uid, comm, opened, closed, count)
	      VALUES (1, 'listen', 'tcp', 4, '127.0.0.1', 8082, 1, 100, 0, 'clipd',
	      $T + 60 * $S, $T + 60 * $S + 36000000, 1);"
	# one connection to each, in an order neither textual nor numeric
	for a in 2001:db8::2 10.0.0.150 ::1 10.0.0.50 192.168.1.1 10.0.0.9; do
		echo "INSERT INTO intervals (run_id, kind, proto, family, local_addr, local_port,
		      remote_addr, remote_port, process_id, pid, uid, comm, opened, closed, count)
		      VALUES (1, 'connect', 'tcp', 4, '10.1.0.1', 40000, '$a', 443, 1, 100, 0,
		      'clipd', $T + 70 * $S, $T + 71 * $S, 1);"
	done
	echo "COMMIT;"
} | sqlite3 "$db" >/dev/null
check_eq "the database holds the sockets" "$(sqlite3 "$db" 'SELECT count(*) FROM intervals')" 9

R() { "$PORTSCOPE" report --db "$db" "$@"; }
R --json >"$TMP/clip.json"
check_eq "--json: status 0" "$?" 0
pct() { jq -r "$1" "$TMP/clip.json"; }
check_eq "recorded: 200 s (run 1's 100, run 2's 100 up to its last commit)" \
	"$(pct .recorded_seconds)" 200
check_eq "8080 (closed after its run stopped): 25% (50 s of 200), not 225%" \
	"$(pct '.sections.ports[] | select(.port == 8080) | .pct_time')" 25
check_eq "8081 (closed after its run died): 25%, not 75%" \
	"$(pct '.sections.ports[] | select(.port == 8081) | .pct_time')" 25
check_eq "the program: 50% (100 s of 200), not 225%" \
	"$(pct '.sections.processes[] | select(.program == "/usr/bin/clipd") | .pct_time')" 50
check_eq "no %TIME over 100" \
	"$(pct '[.sections[] | .[] | select((.pct_time // 0) > 100)] | length')" 0
check_eq "8080's last seen: when its run stopped" \
	"$(pct '.sections.ports[] | select(.port == 8080) | .last_seen')" "2026-03-01T00:01:40Z"
check_eq "8082 (36 ms of 200 s) in JSON: 0.018" \
	"$(pct '.sections.ports[] | select(.port == 8082) | .pct_time')" 0.018

R --section ports >"$TMP/ports.txt"
check_grep "text: 8080 at 25.0" "$TMP/ports.txt" "^  tcp +8080 .* 25\.0 +0$"
check_grep "text: 8082 at <0.1, not 0.0" "$TMP/ports.txt" "^  tcp +8082 .* <0\.1 +0$"
R --section ports --csv >"$TMP/ports.csv"
check_grep "CSV: 8082 at 0.018" "$TMP/ports.csv" ",tcp,8082,.*,0\.018,0"$'\r'"$"
R --html "$TMP/r.html"
check_eq "--html: status 0" "$?" 0
check_grep "HTML: 8082's cell shows <0.1 and sorts by 0.018" "$TMP/r.html" \
	'<td class="n">8082</td>.*<td class="n" data-v="0\.018">&lt;0\.1</td>'

order="10.0.0.9 10.0.0.50 10.0.0.150 192.168.1.1 ::1 2001:db8::2"
R --section remotes >"$TMP/remotes.txt"
check_eq "text: remotes of one count by address value, IPv4 then IPv6" \
	"$(awk '$1 == "out" { printf "%s ", $3 }' "$TMP/remotes.txt")" "$order "
check_eq "JSON: the same order" \
	"$(jq -r '[.sections.remotes[].address] | join(" ")' "$TMP/clip.json")" "$order"
R --section remotes --csv >"$TMP/remotes.csv"
check_eq "CSV: the same order" \
	"$(tail -n +2 "$TMP/remotes.csv" | cut -d, -f4 | tr -d '\r' | tr '\n' ' ')" "$order "
R --remotes-of-interest 10.0.0.0/8 --section interest --json >"$TMP/oi.json"
check_eq "remotes of interest: by address value" \
	"$(jq -r '[.sections.interest[] | select(.what == "remote of interest") | .subject] | join(" ")' "$TMP/oi.json")" \
	"10.0.0.9 10.0.0.50 10.0.0.150"

# (2) A copy of a database that went on recording.
# rec DB PORT: record (polling) in a network namespace of its own, and
# hold a listener on PORT once it records; stops once the database has it.
rec() {
	unshare --net bash -c '
		ip link set lo up
		: >"$1.log"
		"$5" record --db "$1" --poll --flush-interval 0.1 2>"$1.log" & r=$!
		for _ in $(seq 500); do grep -q "recording into" "$1.log" && break; sleep 0.02; done
		# opened while recording: an event (a PR-PORTS line) as well
		"$4" "$3" 127.0.0.1 "$2" 30 >/dev/null & l=$!
		for _ in $(seq 500); do
			n=$(sqlite3 "$1" "SELECT count(*) FROM intervals WHERE local_port = $2" 2>/dev/null || true)
			[ "${n:-0}" -ge 1 ] && break
			sleep 0.02
		done
		sleep 0.5
		kill -TERM $r; wait $r || true
		kill $l; wait $l 2>/dev/null || true
		[ "${n:-0}" -ge 1 ]' rec "$1" "$2" "$H/report_hold.py" "$(readlink -f /usr/bin/python3)" \
		"$PORTSCOPE"
}
check "record a.db, a listener on 7101" rec "$TMP/a.db" 7101
cp "$TMP/a.db" "$TMP/b.db"
[ -f "$TMP/a.db-wal" ] && cp "$TMP/a.db-wal" "$TMP/b.db-wal"
sleep 1
check "b.db, a copy of a.db, records on: a listener on 7102" rec "$TMP/b.db" 7102
check_eq "b.db has a.db's run and one more" \
	"$(sqlite3 "$TMP/b.db" 'SELECT count(*) FROM runs'):$(sqlite3 "$TMP/a.db" 'SELECT count(*) FROM runs')" "2:1"
# what a user compares: the recorded time and every section
view() {
	"$PORTSCOPE" report "$@" --json | jq -c '{recorded_seconds, hosts, sections}'
}
view --db "$TMP/b.db" >"$TMP/b.view"
view --db "$TMP/a.db" --db "$TMP/b.db" >"$TMP/ab.view"
view --db "$TMP/b.db" --db "$TMP/a.db" >"$TMP/ba.view"
check "b.db alone: 7101 and 7102 in use" \
	jq -e '[.sections.ports[] | select(.port == 7101 or .port == 7102) | .pct_time > 0] == [true, true]' "$TMP/b.view"
check_eq "--db a.db --db b.db: the same report as b.db alone" "$(cat "$TMP/ab.view")" "$(cat "$TMP/b.view")"
check_eq "--db b.db --db a.db: the same" "$(cat "$TMP/ba.view")" "$(cat "$TMP/b.view")"
check_eq "--db a.db --db a.db: the same as a.db alone" \
	"$(view --db "$TMP/a.db" --db "$TMP/a.db")" "$(view --db "$TMP/a.db")"
"$PORTSCOPE" report --db "$TMP/b.db" --format pr >"$TMP/b.pr"
check_grep "b.db's PR-PORTS lines: one from a.db's run (7101)" "$TMP/b.pr" ",7101,"
check_grep "... and one from its own (7102)" "$TMP/b.pr" ",7102,"
check_eq "--db a.db --db b.db --format pr: b.db's lines, each once" \
	"$("$PORTSCOPE" report --db "$TMP/a.db" --db "$TMP/b.db" --format pr)" "$(cat "$TMP/b.pr")"
