# CSV that a spreadsheet opens safely: text cells that start with =, +, -,
# @, a tab or a carriage return (a formula to Excel or LibreOffice) are
# quoted with a ' in front (OWASP's advice), in report --csv and local
# --csv; number columns stay numbers.  Read back with Python's csv module.
. "$(dirname "$0")/lib.sh"
need_root "report_csv runs record and a process in network namespaces of its own"
command -v sqlite3 >/dev/null || { notok "the sqlite3 shell is not installed"; exit 0; }
if [ "${INNER:-}" != 1 ]; then
	INNER=1 exec unshare --net bash "$0" "$@"
fi
ip link set lo up
H=$(dirname "$0")/helpers
db=$TMP/g.db
check "a database of made-up traffic" "$H/report_gen.sh" "$PORTSCOPE" "$db" 2000 500
# programs and users with names a spreadsheet would run
sqlite3 "$db" "UPDATE processes SET exe = '=HYPERLINK(\"http://x.invalid/\",\"a\")' WHERE id = 1;
	UPDATE processes SET exe = '-2+3' WHERE id = 2;
	UPDATE processes SET exe = '@SUM(A1)' WHERE id = 3;
	UPDATE processes SET exe = '+x', user = char(9) || 'tabbed' WHERE id = 4;
	UPDATE processes SET exe = char(13) || 'cr' WHERE id = 5;
	UPDATE processes SET user = '=1+1' WHERE id % 10 = 6"
check_eq "names that are formulas put in the database" "$?" 0
for sec in processes users; do
	"$PORTSCOPE" report --db "$db" --csv --section "$sec" >"$TMP/$sec.csv"
	check_eq "report --csv --section $sec: status 0" "$?" 0
done
python3 - "$TMP/processes.csv" "$TMP/users.csv" <<'PY'
import csv, sys
def check(d, c, got=None):
    print(("ok - " if c else "not ok - ") + d + ("" if c else "  # got %r" % (got,)))
procs = list(csv.DictReader(open(sys.argv[1], newline="")))
users = list(csv.DictReader(open(sys.argv[2], newline="")))
progs = {r["program"] for r in procs}
for want in ("'=HYPERLINK(\"http://x.invalid/\",\"a\")", "'-2+3", "'@SUM(A1)", "'+x", "'\rcr"):
    check("report processes: the program %r reads back as %r" % (want[1:], want), want in progs,
          sorted(p for p in progs if not p.startswith("/"))[:8])
check("report processes: no text cell starts a formula",
      all(v == "" or v[0] not in "=+-@\t\r" for r in procs for k, v in r.items()
          if k in ("host", "program", "ports", "users", "units")))
check("report users: the user '=1+1' reads back as \"'=1+1\"",
      any(r["user"] == "'=1+1" for r in users), [r["user"] for r in users])
check("report users: the user '\\ttabbed' reads back as \"'\\ttabbed\"",
      any(r["user"] == "'\ttabbed" for r in users), [r["user"] for r in users])
def numbers(rows, keys, conv):
    bad = [(k, r[k]) for r in rows for k in keys if r[k] != ""]
    try:
        [conv(v) for _, v in bad]
        return all(not v.startswith("'") for _, v in bad) and len(bad) > 0
    except ValueError:
        return False
check("report processes: outgoing and incoming are integers, pct_time a number",
      numbers(procs, ("outgoing", "incoming"), int) and numbers(procs, ("pct_time",), float))
check("report users: connections are integers", numbers(users, ("connections",), int))
PY

# local --csv: a process named like a formula holding a UDP socket
spawn python3 -c '
import socket, sys, time
open("/proc/self/comm", "w").write("=1+2")
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 7201))
open(sys.argv[1], "w").write("up")
time.sleep(60)' "$TMP/up"
wait_for 10 test -s "$TMP/up" || notok "the process named =1+2 started"
"$PORTSCOPE" local --csv >"$TMP/local.csv"
check_eq "local --csv: status 0" "$?" 0
python3 - "$TMP/local.csv" <<'PY'
import csv, sys
def check(d, c, got=None):
    print(("ok - " if c else "not ok - ") + d + ("" if c else "  # got %r" % (got,)))
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
mine = [r for r in rows if r["local_port"] == "7201"]
check("local --csv: the socket of port 7201 is there", len(mine) == 1, rows)
if mine:
    check("local --csv: its process '=1+2' reads back as \"'=1+2\"", mine[0]["process"] == "'=1+2", mine[0])
    check("local --csv: its pid is an integer", mine[0]["pid"].isdigit(), mine[0]["pid"])
check("local --csv: ports and uids are integers everywhere",
      all(r["local_port"].isdigit() and (r["uid"] == "" or r["uid"].isdigit()) for r in rows))
PY
