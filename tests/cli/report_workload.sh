# portscope report over a database that portscope record wrote while a
# scripted workload ran in the test's own network namespace: a listener
# held for a known time, a server with 5 connections from a client running
# as nobody, UDP flows, a listener on all addresses run from a copy of the
# interpreter under /tmp, ports new since a baseline period.  The report's
# numbers must be the true ones: % of time within one flush interval, counts
# exact, hour buckets, the odd-path program, a port of interest and the new
# ports flagged; JSON checked with python, CSV parsed, PR-PORTS lines; bad
# input is one line and status 2.
. "$(dirname "$0")/lib.sh"
# hours, days and the baseline's end in a zone with a half-hour offset:
# report follows TZ (report_tz.sh checks the buckets across a DST change)
export TZ=Asia/Kolkata
need_root "report_workload runs record in its own network namespace"
need_bpf "report_workload: the short connections it counts need the event engine" || exit 0
if [ "${INNER:-}" != 1 ]; then
	INNER=1 exec unshare --net bash "$0" "$@"
fi
ip link set lo up
command -v sqlite3 >/dev/null || { notok "the sqlite3 shell is not installed"; exit 0; }
H=$(dirname "$0")/helpers
W=$H/record_work.py
PY=/usr/bin/python3	# not a shim under root's home: the client runs as nobody
db=$TMP/r.db
FLUSH=0.2
has() { grep -q "$2" "$1"; }

t_start=$(date +%s.%N)
hour0=$(date +%-H)
spawn "$PORTSCOPE" record --db "$db" --jsonl "$TMP/r.jsonl" --flush-interval $FLUSH 2>"$TMP/rec.err"
rec=$SPAWNED
check "the recorder is recording" wait_for 10 has "$TMP/rec.err" "recording into"
t_ready=$(date +%s.%N)

# the baseline period: only 7000 listens
"$PY" "$H/report_hold.py" 127.0.0.1 7000 1.5 >"$TMP/hold7000.out"
base_until=$(date '+%Y-%m-%d %H:%M:%S' -d @$(( $(date +%s) + 1 )))
sleep 1.2

# after it: a listener held 2 s (the % of time check), on 127.0.0.1:7500
"$PY" "$H/report_hold.py" 127.0.0.1 7500 2 >"$TMP/hold7500.out"
# a copy of the interpreter under /tmp listening on all addresses, never connected to
mkdir -p "$TMP/odd" && cp "$(readlink -f "$PY")" "$TMP/odd/"
odd="$TMP/odd/$(basename "$(readlink -f "$PY")")"
"$odd" "$H/report_hold.py" 0.0.0.0 7400 0.5 >"$TMP/hold7400.out"
# another copy, two listeners that overlap: 7600 for 2 s, 7601 from 1 s
# later for 2 s; the program's % of time is their union (about 3 s), not
# their sum (4 s)
mkdir -p "$TMP/two" && cp "$(readlink -f "$PY")" "$TMP/two/"
two="$TMP/two/$(basename "$(readlink -f "$PY")")"
"$two" "$H/report_hold.py" 127.0.0.1 7600 2 >"$TMP/hold7600.out" & h7600=$!
sleep 1
"$two" "$H/report_hold.py" 127.0.0.1 7601 2 >"$TMP/hold7601.out"
wait $h7600
# a server, and a client as nobody: 5 TCP connections, 3 + 1 UDP flows
mkfifo "$TMP/server.in"; exec {sfd}<>"$TMP/server.in"
spawn bash -c 'exec "$0" "$1" server 7100 7200 5 <&"$2" >"$3"' "$PY" "$W" "$sfd" "$TMP/server.out"
srv=$SPAWNED
wait_for 10 grep -q '^pid ' "$TMP/server.out"
setpriv --reuid=65534 --regid=65534 --clear-groups "$PY" "$W" client 7100 7200 5 3 >"$TMP/client.out"
check_grep "the client ran to its end" "$TMP/client.out" '^done$'
kill "$srv"; wait "$srv" 2>/dev/null
sleep 1	# five flush intervals
t_kill=$(date +%s.%N)
kill -TERM "$rec"; wait "$rec"
t_end=$(date +%s.%N)
hour1=$(date +%-H)
check_grep "the recorder stopped cleanly" "$TMP/rec.err" "stopped: [0-9]+ events stored"

R() { "$PORTSCOPE" report --db "$db" "$@"; }
R --json --ports-of-interest 7100,31337 --users-of-interest nobody \
	--remotes-of-interest 127.0.0.0/8 --baseline-since 1h \
	--baseline-until "$base_until" >"$TMP/r.json"
check_eq "report --json: status 0" "$?" 0

# every number checked in one python program; each line it prints is a check
python3 - "$TMP/r.json" "$TMP" "$t_start" "$t_end" "$FLUSH" "$odd" "$hour0" "$hour1" "$t_ready" "$t_kill" "$two" <<'PY' >"$TMP/checks"
import json, sys
path, tmp, t_start, t_end, flush, odd, hour0, hour1, t_ready, t_kill, two = sys.argv[1:]
t_start, t_end, flush, t_ready, t_kill = map(float, (t_start, t_end, flush, t_ready, t_kill))
doc = json.load(open(path))
def check(desc, cond, got=None):
    print(("ok - " if cond else "not ok - ") + desc + ("" if cond or got is None else "  # got %r" % (got,)))
check("schema is portscope-report/1", doc.get("schema") == "portscope-report/1", doc.get("schema"))
for k in ("generated", "hosts", "since", "until", "recorded_seconds", "filters", "sections"):
    check("the document has '%s'" % k, k in doc)
secs = doc["sections"]
for k in ("interest", "ports", "processes", "remotes", "users", "hours", "days"):
    check("section '%s' is a list" % k, isinstance(secs.get(k), list))
rec = doc["recorded_seconds"]
check("recorded time is the recorder's lifetime: from before it said 'recording' to after SIGTERM",
      t_kill - t_ready - flush <= rec <= t_end - t_start + flush, (rec, t_kill - t_ready, t_end - t_start))
ports = {(p["proto"], p["port"]): p for p in secs["ports"]}
s7500, e7500 = map(float, open(tmp + "/hold7500.out").read().split()[1:3])
p = ports.get(("tcp", 7500))
check("port 7500 is listed", p is not None)
if p:
    busy = p["pct_time"] * rec / 100
    check("7500: %% of time is the 2 s it was held, within one flush interval (%.3f s)" % busy,
          abs(busy - (e7500 - s7500)) <= flush, busy)
    check("7500: use listen, 0 connections", p["kinds"] == "listen" and p["connections"] == 0, p)
held = lambda port: tuple(map(float, open("%s/hold%d.out" % (tmp, port)).read().split()[1:3]))
(s0, e0), (s1, e1) = held(7600), held(7601)
union = max(e0, e1) - min(s0, s1) if s1 <= e0 else (e0 - s0) + (e1 - s1)
prog = [x for x in secs["processes"] if x["program"] == two]
check("the second copy is one program", len(prog) == 1, [x["program"] for x in secs["processes"]])
if prog:
    busy = prog[0]["pct_time"] * rec / 100
    check("its %% of time is the union of 7600 and 7601 (%.3f s), within two flush intervals (%.3f s)"
          % (union, busy), abs(busy - union) <= 2 * flush and union < (e0 - s0) + (e1 - s1) - 0.5,
          (busy, union))
    check("it listens on 7600 and 7601", prog[0]["ports"] == "tcp/7600,tcp/7601", prog[0]["ports"])
for port in (7600, 7601):
    p = ports.get(("tcp", port))
    check("%d: %% of time is the 2 s it was held" % port, p is not None and
          abs(p["pct_time"] * rec / 100 - (held(port)[1] - held(port)[0])) <= flush, p)
p = ports.get(("tcp", 7100))
check("7100: exactly 5 connections accepted", p and p["connections"] == 5, p)
check("7100: by the server, as root", p and p["users"] == "root" and "python" in p["programs"], p)
check("7200/udp bound", ("udp", 7200) in ports, sorted(ports))
procs = [x for x in secs["processes"] if "nobody" in (x["users"] or "")]
check("the client (nobody): 5 TCP + 3 + 1 UDP flows out", len(procs) == 1 and procs[0]["outgoing"] == 9, procs)
users = {u["user"]: u for u in secs["users"]}
check("user nobody: 9 connections, listens on nothing", "nobody" in users and users["nobody"]["connections"] == 9
      and users["nobody"]["ports"] is None, users.get("nobody"))
check("user root listens on 7000, 7100, 7400, 7500 and udp 7200",
      "root" in users and set((users["root"]["ports"] or "").split(",")) >=
      {"tcp/7000", "tcp/7100", "tcp/7400", "tcp/7500", "udp/7200"}, users.get("root"))
rem = [r for r in secs["remotes"] if r["direction"] == "out" and r["port"] == 7100]
check("remotes: a name column, null without --resolve",
      all("name" in r and r["name"] is None for r in secs["remotes"]) and secs["remotes"], secs["remotes"][:1])
check("remote 127.0.0.1:7100 out: 5 connections", len(rem) == 1 and rem[0]["connections"] == 5
      and rem[0]["address"] == "127.0.0.1", rem)
rem = [r for r in secs["remotes"] if r["direction"] == "in" and r["port"] == 7100]
check("remote 127.0.0.1 in on 7100: 5 connections", len(rem) == 1 and rem[0]["connections"] == 5, rem)
hours = secs["hours"]
check("24 hour buckets", [h["hour"] for h in hours] == list(range(24)))
conns = sum(h["connections"] for h in hours)
check("hours: 5 + 5 TCP (made, accepted) + 4 UDP flows = 14 connections", conns == 14, conns)
if hour0 == hour1:
    check("hours: all in the local hour the workload ran (%s, Asia/Kolkata)" % hour0, hours[int(hour0)]["connections"] == 14,
          hours[int(hour0)])
else:
    print("ok - hours: the workload's hour # SKIP it ran across an hour boundary")
check("days: one day, 14 connections", len(secs["days"]) == 1 and secs["days"][0]["connections"] == 14, secs["days"])
what = {}
for i in secs["interest"]:
    what.setdefault(i["what"], []).append(i)
poi = [i["subject"] for i in what.get("port of interest", [])]
check("port of interest 7100 flagged, 31337 (unused) not", "tcp/7100" in poi and not any("31337" in x for x in poi), poi)
check("user of interest nobody flagged", [i["subject"] for i in what.get("user of interest", [])] == ["nobody"])
check("remote of interest 127.0.0.1 flagged", [i["subject"] for i in what.get("remote of interest", [])] == ["127.0.0.1"])
oddp = [i for i in what.get("odd executable path", []) if i["subject"] == odd]
check("the interpreter copy under /tmp is an odd path", len(oddp) == 1 and "under /tmp" in oddp[0]["detail"]
      and "also runs from" in oddp[0]["detail"], what.get("odd executable path"))
lis = [i["subject"] for i in what.get("listener never connected to", [])]
check("7400 on 0.0.0.0, never connected to, flagged; 7100 (connected) not", lis == ["tcp/7400"], lis)
new = sorted(i["subject"] for i in what.get("new since baseline", []))
check("new since the baseline: 7100, 7400, 7500, 7600, 7601, udp 7200, not 7000",
      set(new) == {"tcp/7100", "tcp/7400", "tcp/7500", "tcp/7600", "tcp/7601", "udp/7200"}, new)
PY
cat "$TMP/checks"

# text: aligned, within 100 columns, the sections present
R >"$TMP/r.txt"
check_eq "text report: status 0" "$?" 0
check_eq "text report: no line wider than 100 columns" \
	"$(awk 'length($0) > 100' "$TMP/r.txt" | wc -l)" 0
for t in "Things of interest" "Ports" "Programs" "Remote ends" "Users" \
	"Sockets opened per hour" "Sockets opened per day"; do
	check_grep "text report: section '$t'" "$TMP/r.txt" "^$t"
done
check_grep "text report: 7100 with its 5 connections" "$TMP/r.txt" "^  tcp +7100 +listen,accept .* 5$"
check_grep "text report: remote ends with their addresses" "$TMP/r.txt" "^  DIR +PROTO +REMOTE ADDRESS +PORT "
check_eq "text report: no NAME column while every name is null" "$(grep -c ' NAME ' "$TMP/r.txt")" 0
R --section remotes --html "$TMP/remotes.html"
check_grep "HTML: the remote ends' table has its address column" "$TMP/remotes.html" 'data-key="address"'
check_eq "HTML: and no name column while every name is null" "$(grep -c 'data-key="name"' "$TMP/remotes.html")" 0
R --csv --section remotes >"$TMP/remotes.csv"
check "CSV of remotes: a name column after the address, empty" python3 -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
sys.exit(0 if rows[0][3:5] == ["address", "name"] and len(rows) > 1 and all(r[4] == "" for r in rows[1:]) else 1)' "$TMP/remotes.csv"

# filters
R --json --user nobody >"$TMP/nobody.json"
check_eq "--user nobody: only nobody in users, no listener" \
	"$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["sections"]; print([u["user"] for u in d["users"]], len(d["ports"]))' "$TMP/nobody.json")" \
	"['nobody'] 0"
R --json --port 7500 --section ports >"$TMP/p.json"
check_eq "--port 7500 --section ports: that port alone, the only section" \
	"$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["sections"]; print(list(d), [p["port"] for p in d["ports"]])' "$TMP/p.json")" \
	"['ports'] [7500]"
R --json --process "$(basename "$odd")" --section ports >"$TMP/proc.json"
check "--process NAME: the file name matches (7400, 7500, 7100 listed)" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["sections"]["ports"]
sys.exit(0 if {("tcp", 7400), ("tcp", 7500), ("tcp", 7100)} <= {(p["proto"], p["port"]) for p in d} else 1)' "$TMP/proc.json"
R --json --since "2000-01-01" --until "2000-01-02" --section ports >"$TMP/old.json"
check_eq "--since/--until before the recording: no ports" \
	"$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["sections"]["ports"]))' "$TMP/old.json")" 0

# CSV: one table, parsed
R --csv --section ports >"$TMP/ports.csv"
check "CSV of ports parses, one row per port of the JSON, same columns" python3 -c '
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
j = json.load(open(sys.argv[2]))["sections"]["ports"]
sys.exit(0 if len(rows) == len(j) and rows and set(rows[0]) == set(j[0]) and
         [r["port"] for r in rows] == [str(p["port"]) for p in j] else 1)' "$TMP/ports.csv" "$TMP/r.json"

# PR-PORTS lines: one per stored event with a protocol, 10 fields
R --format pr >"$TMP/pr.txt"
check_eq "--format pr: one line per event with a protocol" "$(wc -l <"$TMP/pr.txt")" \
	"$(sqlite3 "$db" "SELECT count(*) FROM events WHERE proto IS NOT NULL")"
check_eq "--format pr: 10 fields each" "$(awk -F, 'NF != 10' "$TMP/pr.txt" | wc -l)" 0
check_grep "--format pr: the client's connection to 7100 as nobody" "$TMP/pr.txt" \
	"^[0-9-]+,[0-9:]+,TCP,[0-9]+,127\.0\.0\.1,7100,127\.0\.0\.1,[0-9]+,[^,]*python[^,]*,nobody$"

# several databases: each carries its hostname and machine id (another
# machine's copy: both changed; tests/cli/report_hosts.sh records real ones)
cp "$db" "$TMP/b.db"
sqlite3 "$TMP/b.db" "UPDATE meta SET value = 'otherhost' WHERE key = 'hostname';
	UPDATE meta SET value = '0123456789abcdef0123456789abcdef' WHERE key = 'machine_id'"
R --db "$TMP/b.db" --json --section ports --port 7100 >"$TMP/two.json"
check_eq "--db a --db b: both hosts, 7100 once for each" \
	"$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["hosts"]), sorted(set(p["host"] for p in d["sections"]["ports"])) == sorted(set(d["hosts"])), len(d["sections"]["ports"]))' "$TMP/two.json")" \
	"2 True 2"

# --jsonl: what record streamed, without the database, answers the same
"$PORTSCOPE" report --jsonl "$TMP/r.jsonl" --json >"$TMP/j.json"
check_eq "report --jsonl FILE: status 0" "$?" 0
python3 - "$TMP/j.json" "$TMP/r.json" "$TMP" "$FLUSH" <<'PY'
import json, sys
j, d = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
tmp, flush = sys.argv[3], float(sys.argv[4])
def check(desc, cond, got=None):
    print(("ok - " if cond else "not ok - ") + "--jsonl: " + desc + ("" if cond else "  # got %r" % (got,)))
check("one host, named after the file", j["hosts"] == ["r.jsonl"], j["hosts"])
key = lambda p: (p["proto"], p["port"], p["kinds"], p["connections"])
check("the same ports, uses and connection counts as the database",
      sorted(map(key, j["sections"]["ports"])) == sorted(map(key, d["sections"]["ports"])),
      (sorted(map(key, j["sections"]["ports"])), sorted(map(key, d["sections"]["ports"]))))
p = [x for x in j["sections"]["ports"] if x["port"] == 7500][0]
s, e = map(float, open(tmp + "/hold7500.out").read().split()[1:3])
busy = p["pct_time"] * j["recorded_seconds"] / 100
check("7500 held 2 s, within one flush interval (%.3f s)" % busy, abs(busy - (e - s)) <= flush, busy)
u = {x["user"]: x["connections"] for x in j["sections"]["users"]}
check("nobody: 9 connections", u.get("nobody") == 9, u)
PY
printf '{"event":"connect"}\nnot json\n' >"$TMP/bad.jsonl"

# bad input: one line, status 2
bad() {	# bad DESC WANT ARGS...
	local desc=$1 want=$2 out rc; shift 2
	out=$("$PORTSCOPE" report "$@" 2>&1); rc=$?
	check_eq "$desc: status 2, one line" "$rc $out" "2 portscope: $want"
}
bad "a JSON Lines file with a line that is not an event" \
	"'$TMP/bad.jsonl' line 1: not an event of record --jsonl" --jsonl "$TMP/bad.jsonl"
bad "a missing database" "cannot open '$TMP/none.db': No such file or directory" --db "$TMP/none.db"
sqlite3 "$TMP/v2.db" "CREATE TABLE t (a); PRAGMA user_version = 2"
bad "a database of another schema version" \
	"'$TMP/v2.db': schema version 2, this portscope reads version 1" --db "$TMP/v2.db"
sqlite3 "$TMP/other.db" "CREATE TABLE t (a)"
bad "a database that is not record's" "'$TMP/other.db': not a portscope record database" --db "$TMP/other.db"
bad "--since after --until" \
	"--since (2026-12-02) is not before --until (2026-12-01); see 'portscope help report'" \
	--db "$db" --since 2026-12-02 --until 2026-12-01
bad "a bad time" "bad since 'yesterday': give a date (2026-12-01), a date and time (2026-12-01 13:00) or an age (24h); see 'portscope help report'" \
	--db "$db" --since yesterday
bad "--csv with two sections" "--csv writes one table: give one --section (ports, processes, remotes, users, hours, days or interest); see 'portscope help report'" \
	--db "$db" --csv --section ports,users
bad "an unknown section" "unknown section 'bogus': give ports, processes, remotes, users, time, hours, days or interest; see 'portscope help report'" \
	--db "$db" --section bogus
bad "a bad port" "bad port '70000': too large, give 1-65535; see 'portscope help report'" --db "$db" --port 70000
bad "a bad CIDR" "bad remote of interest '10.0.0.0/33': give an address or a CIDR (10.0.0.0/8, 2001:db8::/32); see 'portscope help report'" \
	--db "$db" --remotes-of-interest 10.0.0.0/33
