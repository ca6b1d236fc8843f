# TCP byte counts at close are the application's bytes: connections that
# move exactly N bytes each way (N = 0, 1, 100, 65536), ended with a FIN
# from each side (client first, server first), with a reset from either
# side and no FIN, and with data left unread (the kernel resets).  The
# kernel counts a SYN and a FIN as a byte each; none of them may show.
# Checked in `events --json` close events (both sides of each connection)
# and in the intervals `record` stores.
. "$(dirname "$0")/lib.sh"
need_root "events_bytes runs in its own network namespace"
if [ "${INNER:-}" != 1 ]; then
	INNER=1 exec unshare --net bash "$0" "$@"
fi
ip link set lo up
. "$(dirname "$0")/helpers/ev_lib.sh"
ev_guard

BASE=7600
mkfifo "$TMP/b.in"
exec {bfd}<>"$TMP/b.in"
spawn bash -c 'exec python3 "$3" "${@:4}" <&"$1" >"$2"' _ "$bfd" "$TMP/b.out" \
	"$H/ev_bytes.py" $BASE 0 1 100 65536
wait_for 10 grep -q '^ready' "$TMP/b.out" || echo "# ev_bytes.py: not ready"
rec=
if command -v sqlite3 >/dev/null && "$PORTSCOPE" --version | grep -qx 'sqlite: yes'; then
	spawn "$PORTSCOPE" record --db "$TMP/r.db" --flush-interval 0.2 2>"$TMP/rec.err"
	rec=$SPAWNED
	wait_for 10 grep -q "recording into" "$TMP/rec.err" || echo "# record: not recording"
fi
# a socket older than portscope, for ev_start to wait on
python3 -c 'import socket, time; s = socket.socket(); s.bind(("127.0.0.1", 7599)); s.listen(); time.sleep(120)' &
old=$!
on_exit "kill $old 2>/dev/null"
wait_for 10 ss -Htln 'sport = :7599' | grep -q 7599
ev_start "$TMP/ev" '"event":"existing".*"local_port":7599'
echo go >&"$bfd"
wait_for 60 grep -q '^done' "$TMP/b.out" || echo "# ev_bytes.py: not done"
ncases=$(grep -c '^case ' "$TMP/b.out")
check_eq "the workload made 20 connections (4 sizes, 5 endings)" "$ncases" 20
last=$((BASE + ncases - 1))
# both closes of the last connection, then a little more for the others
wait_for 20 count_at_least 2 "$TMP/ev" "o['event'] == 'close' and $last in (o['local_port'], o['remote_port']) and o['remote_port'] != 0"
ev_stop

# side PORT WHICH: "sent received" of the close event of the client
# (remote port PORT) or of the server's accepted socket (local port PORT)
side() {
	python3 - "$TMP/ev" "$1" "$2" <<'PY'
import json, sys
f, port, which = sys.argv[1], int(sys.argv[2]), sys.argv[3]
out = []
for line in open(f):
    o = json.loads(line)
    if o["event"] != "close" or o["proto"] != "tcp" or o["remote_port"] == 0:
        continue
    if (which == "client" and o["remote_port"] == port) or \
       (which == "server" and o["local_port"] == port):
        out.append("%s %s" % (o.get("bytes_sent"), o.get("bytes_received")))
print(";".join(out) if out else "none")
PY
}
while read -r _ port n ending cs cr ss sr; do
	check_eq "N=$n $ending: the client's close says sent $cs, received $cr" \
		"$(side "$port" client)" "$cs $cr"
	check_eq "N=$n $ending: the server's close says sent $ss, received $sr" \
		"$(side "$port" server)" "$ss $sr"
done < <(grep '^case ' "$TMP/b.out")

if [ -z "$rec" ]; then
	skip "record's intervals hold the same bytes" "no sqlite3 shell or built without SQLite"
	exit 0
fi
sq() { sqlite3 -batch -noheader "$TMP/r.db" "$1"; }
sq_ge() { [ "$(sq "$1")" -ge "$2" ] 2>/dev/null; }
wait_for 20 sq_ge "SELECT count(*) FROM intervals WHERE proto = 'tcp' AND closed IS NOT NULL AND (remote_port = $last OR local_port = $last AND remote_port != 0)" 2
kill -TERM "$rec"; wait "$rec" 2>/dev/null
while read -r _ port n ending cs cr ss sr; do
	check_eq "record, N=$n $ending: the client's interval holds sent $cs, received $cr" \
		"$(sq "SELECT bytes_sent || ' ' || bytes_received FROM intervals WHERE proto = 'tcp' AND remote_port = $port AND closed IS NOT NULL")" "$cs $cr"
	check_eq "record, N=$n $ending: the server's interval holds sent $ss, received $sr" \
		"$(sq "SELECT bytes_sent || ' ' || bytes_received FROM intervals WHERE proto = 'tcp' AND local_port = $port AND remote_port != 0 AND closed IS NOT NULL")" "$ss $sr"
done < <(grep '^case ' "$TMP/b.out")
