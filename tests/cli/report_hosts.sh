# report --db a --db b: files merge by machine, not by hostname.  Real
# record databases, each made in namespaces of its own: a UTS namespace
# (hostname web1 for all of them), a mount namespace where a file of the
# test is bind-mounted over /etc/machine-id, a network namespace with one
# listener on a port of its own.  Two files of one machine (a rotated
# database) are one host; two machines named web1 are two hosts, labelled
# "web1 (first 8 digits of the id)" whatever the order of --db; a file
# without a machine id (as before portscope kept it) merges by hostname;
# two files of one host never mix up their processes.
. "$(dirname "$0")/lib.sh"
need_root "report_hosts needs mount, UTS and network namespaces"
command -v sqlite3 >/dev/null || { notok "the sqlite3 shell is not installed"; exit 0; }
"$PORTSCOPE" --version | grep -qx 'sqlite: yes' || { skip "report_hosts" "built without SQLite"; exit 0; }
PY=$(readlink -f /usr/bin/python3)
H=$(dirname "$0")/helpers
mid() { printf '%s' "$1"; od -An -tx1 -N12 /dev/urandom | tr -d ' \n'; echo; }
mid_a=$(mid 1a1a1a1a) mid_b=$(mid 2b2b2b2b) mid_c=$(mid 1a1a1a1a)	# c: a's first 8 digits
printf '%s\n' "$mid_a" >"$TMP/mid-a"
printf '%s\n' "$mid_b" >"$TMP/mid-b"
printf '%s\n' "$mid_c" >"$TMP/mid-c"
: >"$TMP/mid-none"	# empty, as before first boot: no machine id
mkdir -p "$TMP/odd" && cp "$PY" "$TMP/odd/"
odd="$TMP/odd/$(basename "$PY")"
real_mid=$(cat /etc/machine-id) real_host=$(hostname)

# rec DB HOSTNAME MIDFILE PORT PYTHON: record (polling) in new namespaces
# while PYTHON holds a listener on PORT; stops once the database has it.
rec() {
	unshare --mount --uts --net bash -c '
		set -e
		mount --make-rprivate /
		mount --bind "$3" /etc/machine-id
		hostname "$2"
		ip link set lo up
		echo "inside: $(hostname) $(cat /etc/machine-id)" >"$1.ns"
		"$5" "$6" 127.0.0.1 "$4" 30 >/dev/null & l=$!
		"$7" record --db "$1" --poll --flush-interval 0.1 2>"$1.log" & r=$!
		for _ in $(seq 500); do
			n=$(sqlite3 "$1" "SELECT count(*) FROM intervals WHERE local_port = $4" 2>/dev/null || true)
			[ "${n:-0}" -ge 1 ] && break
			sleep 0.02
		done
		kill -TERM $r; wait $r || true
		kill $l; wait $l 2>/dev/null || true
		[ "${n:-0}" -ge 1 ]' rec \
		"$1" "$2" "$3" "$4" "$5" "$H/report_hold.py" "$PORTSCOPE"
}
check "record web1, machine A, listener on 7001" rec "$TMP/a1.db" web1 "$TMP/mid-a" 7001 "$odd"
check "record web1, machine A again (the next file), listener on 7002" \
	rec "$TMP/a2.db" web1 "$TMP/mid-a" 7002 "$PY"
check "record web1, machine B, listener on 7003" rec "$TMP/b.db" web1 "$TMP/mid-b" 7003 "$PY"
check "record web1, machine C (its id starts as A's), listener on 7005" \
	rec "$TMP/c.db" web1 "$TMP/mid-c" 7005 "$PY"
check "record web1 without a machine id, listener on 7004" \
	rec "$TMP/none.db" web1 "$TMP/mid-none" 7004 "$PY"
check_eq "each recording saw its own hostname and machine id" \
	"$(cat "$TMP/a1.db.ns" "$TMP/b.db.ns" "$TMP/none.db.ns")" \
	"inside: web1 $mid_a
inside: web1 $mid_b
inside: web1 "
check_eq "this machine's hostname and machine id are untouched" \
	"$(hostname) $(cat /etc/machine-id)" "$real_host $real_mid"
meta() { sqlite3 "$1" "SELECT group_concat(key || '=' || value, ' ') FROM (SELECT * FROM meta WHERE key IN ('hostname', 'machine_id') ORDER BY key)"; }
check_eq "a1.db's meta: hostname web1, machine_id A" "$(meta "$TMP/a1.db")" "hostname=web1 machine_id=$mid_a"
check_eq "b.db's meta: hostname web1, machine_id B" "$(meta "$TMP/b.db")" "hostname=web1 machine_id=$mid_b"
check_eq "none.db's meta: hostname web1, no machine_id" "$(meta "$TMP/none.db")" "hostname=web1"
check_eq "the schema version is still 1" "$(sqlite3 "$TMP/a1.db" 'PRAGMA user_version')" 1

# hosts_of FILE...: "host list | port:host ..." from report --json
hosts_of() {
	local args=() f
	for f in "$@"; do args+=(--db "$TMP/$f.db"); done
	"$PORTSCOPE" report "${args[@]}" --section ports --json |
		jq -r '(.hosts | join(",")) + " | " +
			([.sections.ports[] | select(.port >= 7001 and .port <= 7005) |
			"\(.port):\(.host)"] | sort | join(" "))'
}
la="web1 (${mid_a:0:8})" lb="web1 (${mid_b:0:8})"
check_eq "two files of one machine: one host, web1, both ports" \
	"$(hosts_of a1 a2)" "web1 | 7001:web1 7002:web1"
check_eq "two machines named web1: two hosts, told apart by machine id" \
	"$(hosts_of a1 a2 b)" "$la,$lb | 7001:$la 7002:$la 7003:$lb"
check_eq "the same labels whatever the order of --db" \
	"$(hosts_of b a2 a1)" "$lb,$la | 7001:$la 7002:$la 7003:$lb"
check_eq "a file without a machine id merges by hostname with the one machine of that name" \
	"$(hosts_of none a1)" "web1 | 7001:web1 7004:web1"
check_eq "... and stays apart, as web1, when two machines are named web1" \
	"$(hosts_of a1 none b)" "$la,web1,$lb | 7001:$la 7003:$lb 7004:web1"
check_eq "machines whose ids share 8 digits: labelled with all 32" \
	"$(hosts_of a1 c b)" "web1 ($mid_a),web1 ($mid_c),$lb | 7001:web1 ($mid_a) 7003:$lb 7005:web1 ($mid_c)"

"$PORTSCOPE" report --db "$TMP/a1.db" --db "$TMP/b.db" --section ports >"$TMP/text"
check_grep "text: a HOST column with web1 (${mid_a:0:8})" "$TMP/text" "^  web1 \(${mid_a:0:8}\) +tcp +7001 "
check_grep "text: ... and web1 (${mid_b:0:8})" "$TMP/text" "^  web1 \(${mid_b:0:8}\) +tcp +7003 "
"$PORTSCOPE" report --db "$TMP/a1.db" --db "$TMP/a2.db" --format pr >"$TMP/pr"
check "PR-PORTS lines of one machine's two files: ten fields (one host)" \
	awk -F, 'END { exit !(NR > 0 && ok) } NR == 1 { ok = 1 } NF != 10 { ok = 0 }' "$TMP/pr"

# Processes are joined by id within their own file: the odd-path listener
# of a1.db is not taken for a2.db's listener, which has the same id there.
check_eq "the two listeners have the same process id in their files" \
	"$(sqlite3 "$TMP/a1.db" "SELECT DISTINCT process_id FROM intervals WHERE local_port = 7001")" \
	"$(sqlite3 "$TMP/a2.db" "SELECT DISTINCT process_id FROM intervals WHERE local_port = 7002")"
"$PORTSCOPE" report --db "$TMP/a1.db" --db "$TMP/a2.db" --port 7002 --section interest --json >"$TMP/int2.json"
check_eq "--port 7002 (a2.db's listener): no odd executable path" \
	"$(jq '[.sections.interest[] | select(.what == "odd executable path")] | length' "$TMP/int2.json")" 0
"$PORTSCOPE" report --db "$TMP/a1.db" --db "$TMP/a2.db" --port 7001 --section interest --json >"$TMP/int1.json"
check_eq "--port 7001 (a1.db's listener): its odd executable path" \
	"$(jq -r '[.sections.interest[] | select(.what == "odd executable path") | .subject] | join(" ")' "$TMP/int1.json")" \
	"$odd"

"$PORTSCOPE" report --db "$TMP/a1.db" --db "$TMP/b.db" --html "$TMP/r.html"
check_eq "--html: status 0" "$?" 0
check_eq "--html: a HOST column, each machine's ports under its label" \
	"$(grep -o '<tr><td class="h">[^<]*</td><td>tcp</td><td class="n">700[13]</td>' "$TMP/r.html" |
		sed 's/<[^>]*>/ /g; s/  */ /g; s/^ //; s/ $//' | sort | tr '\n' '|')" \
	"$la tcp 7001|$lb tcp 7003|"
