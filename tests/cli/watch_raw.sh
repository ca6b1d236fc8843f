# portscope watch watches TCP and UDP; raw sockets only with --raw, and
# every row says its own protocol (a raw socket's "port" is its IP
# protocol number: a raw socket of protocol 253 sits on "port" 253).
. "$(dirname "$0")/lib.sh"
need_root "watch_raw runs in its own network namespace and opens raw sockets"
if [ "${INNER:-}" != 1 ]; then
	INNER=1 exec unshare --net bash "$0" "$@"
fi
ip link set lo up
spawn python3 -c '
import socket, sys, time
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 253))
t = socket.socket(); t.bind(("127.0.0.1", 253)); t.listen()
r = socket.socket(socket.AF_INET, socket.SOCK_RAW, 253)
r6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, 253)
open(sys.argv[1], "w").write("up")
time.sleep(60)' "$TMP/up"
wait_for 10 test -s "$TMP/up" || notok "the sockets were opened"

"$PORTSCOPE" watch --port 253 --count 1 --interval 0.05 >"$TMP/t" 2>"$TMP/e"
check_eq "without --raw: status 0" "$?" 0
check_grep "without --raw: the UDP socket, labelled UDP" "$TMP/t" "  NOW +UDP +127\.0\.0\.1:253 +\*:\* +UNCONN "
check_grep "without --raw: the TCP listener, labelled TCP" "$TMP/t" "  NOW +TCP +127\.0\.0\.1:253 +\*:\* +LISTEN "
check_eq "without --raw: two sockets, no raw one" "$(grep -c '  NOW ' "$TMP/t")" 2
check_grep "without --raw: counted as two" "$TMP/t" ": 2 sockets now ========$"

"$PORTSCOPE" watch --port 253 --count 1 --interval 0.05 --raw >"$TMP/r" 2>"$TMP/e"
check_eq "--raw: status 0" "$?" 0
check_eq "--raw: four sockets" "$(grep -c '  NOW ' "$TMP/r")" 4
check_eq "--raw: the raw sockets are labelled RAW" "$(grep -cE '  NOW +RAW +(0\.0\.0\.0|\[::\]):253 ' "$TMP/r")" 2
check_eq "--raw: exactly one TCP row" "$(grep -cE '  NOW +TCP ' "$TMP/r")" 1
check_eq "--raw: exactly one UDP row" "$(grep -cE '  NOW +UDP ' "$TMP/r")" 1

"$PORTSCOPE" watch --port 253 --count 1 --interval 0.05 --raw --json >"$TMP/j" 2>"$TMP/e"
check_eq "--raw --json: protocols as local --json names them" \
	"$(python3 -c 'import json,sys; print(" ".join(sorted(json.loads(l)["proto"] for l in open(sys.argv[1]))))' "$TMP/j")" \
	"raw raw tcp udp"
check_eq "no warnings" "$(warnings "$TMP/e")" ""
