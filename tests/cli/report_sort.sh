# portscope report --html, used the way a person uses it: headless Chromium
# driven through WebDriver (chromium-driver, python3-selenium) clicks the
# tables' headings (a number, a time, a percentage, an address, text; each
# twice for descending) and sorts from the keyboard (Tab to a heading,
# Enter, Space); each time every row's place is checked against the order
# computed from the same report's --json.  Also: no error in the browser's
# log, the page with JavaScript off (tables readable, headings aligned,
# not wider than the window), and a table of 11 000 rows sorted both ways
# (the time each click took is printed, bounded only by 10 s).
. "$(dirname "$0")/lib.sh"
need_root "report_sort makes its database with record in a namespace of its own"
command -v sqlite3 >/dev/null || { notok "the sqlite3 shell is not installed"; exit 0; }
command -v chromedriver >/dev/null || { notok "chromedriver is not installed (chromium-driver, in .ci/packages-test)"; exit 0; }
PY=
for p in /usr/bin/python3 python3; do
	if "$p" -c 'import selenium' 2>/dev/null; then PY=$p; break; fi
done
[ -n "$PY" ] || { notok "no python3 with selenium (python3-selenium, in .ci/packages-test)"; exit 0; }
H=$(dirname "$0")/helpers
db=$TMP/g.db
check "a database of made-up traffic" "$H/report_gen.sh" "$PORTSCOPE" "$db" 20000 5000
# one --until for both, so open listeners' last-seen times agree
until_=$(date -u '+%Y-%m-%d %H:%M:%S')
"$PORTSCOPE" report --db "$db" --until "$until_" --ports-of-interest 80 --html "$TMP/r.html"
check_eq "report --html: status 0" "$?" 0
"$PORTSCOPE" report --db "$db" --until "$until_" --ports-of-interest 80 --json >"$TMP/r.json"
check_eq "report --json: status 0" "$?" 0
timeout 300 "$PY" "$H/report_sort.py" clicks "$TMP/r.html" "$TMP/r.json"
check_eq "the clicks ran to the end" "$?" 0
timeout 300 "$PY" "$H/report_sort.py" nojs "$TMP/r.html" "$TMP/r.json"
check_eq "the page without JavaScript was checked to the end" "$?" 0

# A large table: 10 000 more connections, each to an address of its own.
sqlite3 "$db" "
INSERT INTO intervals (run_id, kind, proto, family, local_addr, local_port, remote_addr,
    remote_port, state, process_id, pid, uid, comm, opened, closed, end, count)
  WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 10000)
  SELECT 1, 'connect', 'tcp', 4, '10.1.0.1', 40000 + x % 20000,
    '172.' || (16 + x * 7 % 16) || '.' || (x * 13 % 256) || '.' || (x * 101 % 256),
    1 + x * 37 % 1000, 'CLOSE', 1 + x % 200, 1001 + x % 200, (1 + x % 200) % 10, 'prog',
    r.started + (x * 7919 % 10000) * 60000000000,
    r.started + (x * 7919 % 10000) * 60000000000 + 1000000000, 'close', 1 + x * 31 % 97
  FROM c, runs r WHERE r.id = 1"
check_eq "10 000 more connections inserted" "$?" 0
"$PORTSCOPE" report --db "$db" --until "$until_" --section remotes --html "$TMP/big.html" &&
	"$PORTSCOPE" report --db "$db" --until "$until_" --section remotes --json >"$TMP/big.json"
check_eq "the large report in HTML and JSON: status 0" "$?" 0
n=$(jq '.sections.remotes | length' "$TMP/big.json")
check "the large report's remotes table has over 10 000 rows ($n)" test "$n" -gt 10000
for key in address connections first_seen; do
	timeout 300 "$PY" "$H/report_sort.py" big "$TMP/big.html" "$TMP/big.json" remotes "$key"
	check_eq "the large table sorted by $key to the end" "$?" 0
done
