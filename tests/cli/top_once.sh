# portscope top's non-interactive forms in a namespace made here: --once
# (text and CSV, checked against local --csv), --batch N (everything,
# then only changes), not root (says why owners are missing), option errors
# (one line, exit 2), and no terminal.
. "$(dirname "$0")/lib.sh"
need_root "network namespaces"
if [ "${INNER:-}" != 1 ]; then
	INNER=1 exec unshare --net bash "$0" "$@"
fi
ip link set lo up
spawn python3 -c '
import socket, sys, time
ls = socket.socket(); ls.bind(("127.0.0.1", 7101)); ls.listen()
l6 = socket.socket(socket.AF_INET6); l6.bind(("::1", 7102)); l6.listen()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 7103))
c = socket.create_connection(("127.0.0.1", 7101)); a, _ = ls.accept()
c.sendall(b"x" * 3000); a.recv(65536)
open(sys.argv[1], "w").write("up")
time.sleep(120)' "$TMP/up"
wait_for 10 test -s "$TMP/up" || { notok "workload did not start"; exit 0; }
pid=$SPAWNED

"$PORTSCOPE" top --once --csv >"$TMP/csv" 2>"$TMP/err"
check_eq "--once --csv exits 0" "$?" 0
check_eq "--once --csv: nothing on stderr as root" "$(cat "$TMP/err")" ""
check_eq "--once --csv: TCPView's column order" "$(head -n 1 "$TMP/csv")" \
	"process,pid,proto,state,local_address,local_port,remote_address,remote_port,sent_bytes,received_bytes,age_s,user,unit,owner_missing,change"
awk -F, 'NR > 1 { sub(/v6$/, "", $3); print $3, $2, $4, $5, $6, $7, $8 }' "$TMP/csv" | sort >"$TMP/top.rows"
"$PORTSCOPE" local --csv --tcp --udp | awk -F, 'NR > 1 { print $1, $3, $4, $5, $6, $7, $8 }' |
	sort >"$TMP/local.rows"
check_eq "--once --csv: 5 endpoints" "$(wc -l <"$TMP/top.rows")" 5
if diff "$TMP/local.rows" "$TMP/top.rows" >"$TMP/d"; then ok "--once --csv matches local --csv"
else notok "--once --csv matches local --csv"; sed 's/^/#   /' "$TMP/d"; fi
check_grep "IPv6 listener is TCPv6" "$TMP/csv" "^python3,$pid,TCPv6,LISTEN,::1,7102,::,0,"
check_grep "UDP socket: no byte counters" "$TMP/csv" "^python3,$pid,UDP,UNCONN,127\.0\.0\.1,7103,0\.0\.0\.0,0,,,"
check_grep "client end: 3000 bytes sent (tcp_info)" "$TMP/csv" \
	"^python3,$pid,TCP,ESTABLISHED,127\.0\.0\.1,[0-9]+,127\.0\.0\.1,7101,3000,0,"
check_grep "server end: 3000 bytes received" "$TMP/csv" \
	"^python3,$pid,TCP,ESTABLISHED,127\.0\.0\.1,7101,127\.0\.0\.1,[0-9]+,0,3000,"
check_grep "user and unit columns filled" "$TMP/csv" "^python3,$pid,TCP,LISTEN,127\.0\.0\.1,7101,.*,root,"

"$PORTSCOPE" top --once >"$TMP/text"
check_eq "--once: header" "$(head -n 1 "$TMP/text" | tr -s ' ')" \
	"Process PID Proto State Local Remote Sent Recv Age User Unit"
check_grep "--once: a row" "$TMP/text" "^python3 +$pid +TCP +LISTEN +127\.0\.0\.1:7101 +\*:\*"
check_grep "--once: bytes in human units" "$TMP/text" "127\.0\.0\.1:7101 +127\.0\.0\.1:[0-9]+ +0 +2\.9K "
"$PORTSCOPE" top --once --udp -6 >"$TMP/none"
check_eq "--once --udp -6: header only" "$(wc -l <"$TMP/none")" 1
"$PORTSCOPE" top --once --csv --filter 7102 >"$TMP/f"
check_eq "--once --filter: one row" "$(tail -n +2 "$TMP/f" | cut -d, -f6)" 7102
"$PORTSCOPE" top --once --csv --sort local --reverse -4 | tail -n +2 | cut -d, -f6 >"$TMP/s"
check "--sort local --reverse -4: local ports descending" sort -rnc "$TMP/s"
check_eq "--sort local --reverse -4: all four IPv4 rows" "$(wc -l <"$TMP/s")" 4

# --batch: the first refresh in full, then only what changed (the client
# connects and resets when told, between refreshes)
python3 -c '
import os, socket, struct, sys, time
d = sys.argv[1]
while not os.path.exists(d + "/go-connect"): time.sleep(0.02)
c = socket.create_connection(("127.0.0.1", 7101))
open(d + "/connected", "w").write("1")
while not os.path.exists(d + "/go-close"): time.sleep(0.02)
c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
c.close()
open(d + "/closed", "w").write("1")' "$TMP" &
bpid=$!
"$PORTSCOPE" top --batch 12 --interval 0.3 >"$TMP/batch" &
tpid=$!
wait_for 10 grep -q "refresh 2:" "$TMP/batch"; touch "$TMP/go-connect"
wait_for 10 test -s "$TMP/connected"; sleep 0.7; touch "$TMP/go-close"
wait_for 10 test -s "$TMP/closed"
wait $tpid
check_eq "--batch exits 0" "$?" 0
wait $bpid
check_eq "--batch 12: twelve refreshes" "$(grep -c '^== .* refresh [0-9]' "$TMP/batch")" 12
check_grep "--batch: first refresh lists everything" "$TMP/batch" '^== [0-9:]+ refresh 1: 5 endpoints$'
check_grep "--batch: a new connection" "$TMP/batch" "^new +.*127\.0\.0\.1:[0-9]+ +127\.0\.0\.1:7101 "
# (its owner may read "closed" when the refresh ran as it closed)
check_grep "--batch: its reset closes the client end" "$TMP/batch" \
	"^closed +.*ESTABLISHED +127\.0\.0\.1:[0-9]+ +127\.0\.0\.1:7101 "
check_grep "--batch: and the server end, never accepted" "$TMP/batch" \
	"^closed +\(no owner\) .*127\.0\.0\.1:7101 +127\.0\.0\.1:[0-9]+ "
check_eq "--batch: unchanged rows not repeated" \
	"$(grep -c '127\.0\.0\.1:7103' "$TMP/batch")" 1
"$PORTSCOPE" top --batch 2 --interval 0.1 --csv >"$TMP/bcsv"
check_eq "--batch --csv: one header" "$(grep -c '^process,pid' "$TMP/bcsv")" 1

# not root: what it can, and why owners are missing
chmod 755 "$TMP"
setpriv --reuid=65534 --regid=65534 --clear-groups "$PORTSCOPE" top --once --csv >"$TMP/nr" 2>"$TMP/nre"
check_eq "not root: exits 0" "$?" 0
check_eq "not root: all 5 endpoints listed" "$(tail -n +2 "$TMP/nr" | wc -l)" 5
check_eq "not root: each says not permitted" "$(grep -c ',not permitted,$' "$TMP/nr")" 5
check_grep "not root: one notice why" "$TMP/nre" "not running as root"
check_eq "not root: one line on stderr" "$(wc -l <"$TMP/nre")" 1

# a dumb terminal cannot show the live view: what changes, as lines with
# their change word (the marker), until stopped
python3 -c '
import socket, time
time.sleep(0.8)
c = socket.create_connection(("127.0.0.1", 7101))
time.sleep(5)' &
dpid=$!
TERM=dumb timeout -s INT 2.5 script -qfec "$PORTSCOPE top --interval 0.3" /dev/null >"$TMP/dumb" 2>&1
kill $dpid; wait $dpid 2>/dev/null
check_grep "TERM=dumb: says why there is no live view" "$TMP/dumb" \
	"terminal 'dumb' cannot show the live view; printing what changes every 0\.3s"
check_grep "TERM=dumb: a new connection, marked new" "$TMP/dumb" "^new +.*127\.0\.0\.1:[0-9]+ +127\.0\.0\.1:7101 "

# errors: one line, exit 2
err() {	# err DESC REGEX ARGS...
	local d=$1 re=$2; shift 2
	"$PORTSCOPE" top "$@" >"$TMP/o" 2>"$TMP/e"
	check_eq "$d: exit 2" "$?" 2
	check_eq "$d: one line" "$(wc -l <"$TMP/e")" 1
	check_grep "$d: says why" "$TMP/e" "$re"
}
err "--interval 0" "bad interval '0': too small, give 0\.1-3600 seconds; see 'portscope help top'" --interval 0
err "--interval 3601" "bad interval '3601': too large" --interval 3601
err "--interval abc" "bad interval 'abc': not a number" --interval abc
err "--linger -1" "bad linger '-1': not a number, give 0-3600 seconds" --linger -1
err "--batch 0" "bad batch count '0': too small, give 1-1000000" --batch 0
err "--batch 1000001" "bad batch count '1000001': too large" --batch 1000001
err "--sort bogus" "unknown column 'bogus'" --sort bogus
err "--filter too long" "is too long: give at most 63 bytes" --filter "$(printf 'x%.0s' $(seq 64))"
err "--once --batch" "choose one of --once and --batch N" --once --batch 2
err "--csv alone" "--csv needs --once or --batch N" --csv
err "--owners bogus" "unknown owner source 'bogus'" --owners bogus
err "unknown option" "unknown option '--bogus'" --bogus
err "stray argument" "unexpected argument 'x'" x
err "--interval without value" "option '--interval' needs a value" --interval
# interactive without a terminal
"$PORTSCOPE" top </dev/null >"$TMP/o" 2>"$TMP/e"
check_eq "no terminal: exit 1" "$?" 1
check_grep "no terminal: says to use --once or --batch" "$TMP/e" "top needs a terminal; use 'top --once' or 'top --batch N'"
"$PORTSCOPE" help top >"$TMP/h"
check_grep "help top: usage" "$TMP/h" "^usage: portscope top"
