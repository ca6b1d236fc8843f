# portscope report's hours, days and times in the local time zone: a
# database whose sockets were opened at known instants around New York's
# change to daylight saving time (8 March 2026, 07:00 UTC) is reported with
# TZ=America/New_York, TZ=Asia/Kolkata (+05:30) and --utc, and every hour
# and day bucket, time and zone name is checked against Python's zoneinfo.
# The buckets differ between the three zones, so bucketing in any other
# zone than the one asked for fails.
. "$(dirname "$0")/lib.sh"
need_root "report_tz makes its database with record in a namespace of its own"
command -v sqlite3 >/dev/null || { notok "the sqlite3 shell is not installed"; exit 0; }
python3 -c 'import zoneinfo; zoneinfo.ZoneInfo("America/New_York"); zoneinfo.ZoneInfo("Asia/Kolkata")' ||
	{ notok "the time zone data is not installed (tzdata, .ci/packages-test)"; exit 0; }
H=$(dirname "$0")/helpers
db=$TMP/tz.db
check "a database with record's schema" "$H/report_gen.sh" "$PORTSCOPE" "$db" 1 1

# sockets opened at these UTC instants, count 1, 2, 4, ... so that each
# bucket's sum says which ones it holds; one listener on 8080 from 06:30 to
# 07:30 UTC (01:30 EST to 03:30 EDT)
opens="2026-03-07T23:10 2026-03-08T04:30 2026-03-08T05:10 2026-03-08T06:30 2026-03-08T07:30
2026-03-08T12:15 2026-03-08T18:45 2026-03-09T03:59 2026-03-09T04:01"
{
	echo "PRAGMA journal_mode = OFF; BEGIN;"
	echo "DELETE FROM events; DELETE FROM intervals; DELETE FROM processes; DELETE FROM runs;"
	echo "INSERT INTO runs (id, started, last_commit, stopped, end, pid) VALUES
	      (1, strftime('%s', '2026-03-07 00:00:00') * 1000000000,
	       strftime('%s', '2026-03-10 00:00:00') * 1000000000,
	       strftime('%s', '2026-03-10 00:00:00') * 1000000000, 'stop', 1);"
	echo "INSERT INTO processes (id, run_id, pid, first_seen, last_seen, uid, user, comm, exe)
	      VALUES (1, 1, 100, 0, 0, 0, 'root', 'tzprog', '/usr/bin/tzprog');"
	i=0
	for t in $opens; do
		ns="strftime('%s', '${t/T/ }:00') * 1000000000"
		echo "INSERT INTO intervals (run_id, kind, proto, family, local_addr, local_port, remote_addr,
		      remote_port, process_id, pid, uid, comm, opened, closed, count)
		      VALUES (1, 'connect', 'tcp', 4, '10.0.0.1', 40000, '10.0.0.2', 443, 1, 100, 0, 'tzprog',
		      $ns, $ns + 60000000000, $((1 << i)));"
		echo "INSERT INTO events (ts, run_id, type, flags, proto, family, local_addr, local_port,
		      remote_addr, remote_port, pid, uid, comm, process_id)
		      VALUES ($ns, 1, 'connect', 0, 'tcp', 4, '10.0.0.1', 40000, '10.0.0.2', 443, 100, 0,
		      'tzprog', 1);"
		i=$((i + 1))
	done
	echo "INSERT INTO intervals (run_id, kind, proto, family, local_addr, local_port, process_id,
	      pid, uid, comm, opened, closed, count)
	      VALUES (1, 'listen', 'tcp', 4, '0.0.0.0', 8080, 1, 100, 0, 'tzprog',
	      strftime('%s', '2026-03-08 06:30:00') * 1000000000,
	      strftime('%s', '2026-03-08 07:30:00') * 1000000000, 1);"
	echo "COMMIT;"
} | sqlite3 "$db" >/dev/null
check_eq "the database holds the sockets" "$(sqlite3 "$db" 'SELECT count(*) FROM intervals')" 10

R() { "$PORTSCOPE" report --db "$db" "$@"; }
TZ=America/New_York R --json --until "2026-03-09 20:00" >"$TMP/ny.json"
check_eq "TZ=America/New_York --json: status 0" "$?" 0
TZ=Asia/Kolkata R --json >"$TMP/in.json"; check_eq "TZ=Asia/Kolkata --json: status 0" "$?" 0
TZ=Asia/Kolkata R --json --utc >"$TMP/utc.json"; check_eq "TZ=Asia/Kolkata --utc --json: status 0" "$?" 0
TZ=America/New_York R --json --since "2026-03-08 03:00" >"$TMP/since.json"
TZ=Asia/Kolkata R --json --since "2026-03-08T07:00:00Z" >"$TMP/sincez.json"

python3 - "$TMP" "$opens" <<'PY'
import json, sys
from datetime import datetime, timezone
from zoneinfo import ZoneInfo
tmp, opens = sys.argv[1], sys.argv[2].split()
inst = [datetime.fromisoformat(t).replace(tzinfo=timezone.utc) for t in opens]
def check(desc, cond, got=None):
    print(("ok - " if cond else "not ok - ") + desc + ("" if cond else "  # got %r" % (got,)))
def truth(zone, since=None):
    hours, days = [[0, 0] for _ in range(24)], {}
    for i, t in enumerate(inst):
        if since and t < since:
            continue
        l = t.astimezone(zone)
        hours[l.hour][0] += 1 << i
        d = days.setdefault(l.strftime("%Y-%m-%d"), [0, 0])
        d[0] += 1 << i
    # the listener: a socket, not a connection, opened 06:30 UTC
    l = datetime(2026, 3, 8, 6, 30, tzinfo=timezone.utc).astimezone(zone)
    if not since or l >= since:
        hours[l.hour][1] += 1
        days.setdefault(l.strftime("%Y-%m-%d"), [0, 0])[1] += 1
    return ([(h, c, c + s) for h, (c, s) in enumerate(hours)],
            sorted((d, c, c + s) for d, (c, s) in days.items()))
def got(doc):
    s = doc["sections"]
    return ([(h["hour"], h["connections"], h["sockets"]) for h in s["hours"]],
            [(d["day"], d["connections"], d["sockets"]) for d in s["days"]])
ny, ist, utc = ZoneInfo("America/New_York"), ZoneInfo("Asia/Kolkata"), timezone.utc
check("the zones bucket differently (else this test could not tell them apart)",
      truth(ny)[0] != truth(utc)[0] != truth(ist)[0] and truth(ny)[1] != truth(utc)[1] != truth(ist)[1])
for name, f, zone in (("New York", "ny", ny), ("Kolkata", "in", ist), ("--utc", "utc", utc)):
    doc = json.load(open("%s/%s.json" % (tmp, f)))
    h, d = got(doc)
    th, td = truth(zone)
    check("%s: the 24 hour buckets are the true local ones" % name, h == th,
          [x for x in zip(h, th) if x[0] != x[1]])
    check("%s: the day buckets are the true local ones" % name, d == td, (d, td))
    p = [x for x in doc["sections"]["ports"] if x["port"] == 8080]
    want = datetime(2026, 3, 8, 6, 30, tzinfo=timezone.utc).astimezone(zone)
    wantl = datetime(2026, 3, 8, 7, 30, tzinfo=timezone.utc).astimezone(zone)
    iso = lambda t: "Z" if f == "utc" else t.strftime("%z")[:3] + ":" + t.strftime("%z")[3:]
    check("%s: first_seen and last_seen are local ISO 8601 with the offset" % name,
          len(p) == 1 and p[0]["first_seen"] == want.strftime("%Y-%m-%dT%H:%M:%S") + iso(want)
          and p[0]["last_seen"] == wantl.strftime("%Y-%m-%dT%H:%M:%S") + iso(wantl), p)
ny_doc, in_doc, utc_doc = (json.load(open("%s/%s.json" % (tmp, f))) for f in ("ny", "in", "utc"))
check("New York: the zone named with both offsets", ny_doc["time_zone"] == "EST, -0500 / EDT, -0400",
      ny_doc["time_zone"])
check("New York: the window starts in EST and ends in EDT",
      ny_doc["since"] == "2026-03-06T19:00:00-05:00" and ny_doc["until"] == "2026-03-09T20:00:00-04:00",
      (ny_doc["since"], ny_doc["until"]))
check("Kolkata: the zone named", in_doc["time_zone"] == "IST, +0530", in_doc["time_zone"])
check("--utc: UTC named, times end in Z", utc_doc["time_zone"] == "UTC, +0000" and
      utc_doc["since"] == "2026-03-07T00:00:00Z", (utc_doc["time_zone"], utc_doc["since"]))
s = datetime(2026, 3, 8, 7, 0, tzinfo=timezone.utc)
for f, zone, desc in (("since", ny, "--since '2026-03-08 03:00' is local (New York: 07:00 UTC)"),
                      ("sincez", ist, "--since 2026-03-08T07:00:00Z is UTC")):
    h, d = got(json.load(open("%s/%s.json" % (tmp, f))))
    check(desc, (h, d) == truth(zone, since=s), (h, d, truth(zone, since=s)))
PY

# text, CSV, PR-PORTS lines and the HTML page show the same local times
TZ=America/New_York R --section ports >"$TMP/ny.txt"
check_grep "text: the header names the zone" "$TMP/ny.txt" "times in EST, -0500 / EDT, -0400$"
check_grep "text: 8080 first seen 01:30 EST" "$TMP/ny.txt" "^  tcp +8080 .* 2026-03-08 01:30:00 "
TZ=America/New_York R --csv --section ports >"$TMP/ny.csv"
check_grep "CSV: first seen 01:30 EST, last seen 03:30 EDT" "$TMP/ny.csv" \
	",2026-03-08 01:30:00,2026-03-08 03:30:00,"
TZ=Asia/Kolkata R --format pr >"$TMP/in.pr"
check_eq "PR-PORTS lines: local dates and times (Kolkata)" "$(cut -d, -f1,2 "$TMP/in.pr" | tr '\n' ' ')" \
	"2026-03-08,04:40:00 2026-03-08,10:00:00 2026-03-08,10:40:00 2026-03-08,12:00:00 2026-03-08,13:00:00 2026-03-08,17:45:00 2026-03-09,00:15:00 2026-03-09,09:29:00 2026-03-09,09:31:00 "
TZ=Asia/Kolkata R --format pr --utc >"$TMP/utc.pr"
check_eq "PR-PORTS lines with --utc: UTC" "$(head -n 1 "$TMP/utc.pr" | cut -d, -f1,2)" "2026-03-07,23:10:00"
TZ=Asia/Kolkata R --html "$TMP/in.html"
check_grep "HTML: the zone named beside the window" "$TMP/in.html" "times in IST, \+0530"

# a database with nothing recorded: every section empty (hours all zero),
# status 0, in every format
sqlite3 "$db" "DELETE FROM intervals; DELETE FROM events; DELETE FROM runs"
for f in "" --json "--csv --section interest" "--html $TMP/empty.html" "--format pr"; do
	# shellcheck disable=SC2086
	TZ=America/New_York R $f >"$TMP/empty.out" 2>"$TMP/empty.err"
	check_eq "nothing recorded, report ${f:---text}: status 0, no message" "$? $(cat "$TMP/empty.err")" "0 "
done
TZ=America/New_York R --json >"$TMP/empty.json"
check "nothing recorded: 24 empty hours, no days, no ports" python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))["sections"]
sys.exit(0 if [h["sockets"] for h in s["hours"]] == [0] * 24 and s["days"] == [] and s["ports"] == [] else 1)' "$TMP/empty.json"
