# A kernel without udp_diag: UDP sockets are read from /proc/net/udp and
# udp6 instead of being dropped, and the user is told so once.  The
# fallback is forced with a hidden test switch (PORTSCOPE_TEST_NO_UDP_DIAG)
# and its rows compared with sock_diag's for a real population.
. "$(dirname "$0")/lib.sh"
need_root "local_udp_fallback runs in its own network namespace"
H=$(dirname "$0")/helpers
if [ "${INNER:-}" != 1 ]; then
	INNER=1 exec unshare --net bash "$0" "$@"
fi
ip link set lo up
spawn python3 "$H/population.py" "$TMP/ready"
wait_for 10 test -s "$TMP/ready" || { notok "population started"; exit 1; }
# more UDP: both families, connected and not, and one on a port of its own
spawn python3 -c '
import socket, sys, time
keep = []
for fam, a in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1"), (socket.AF_INET6, "::")):
    for _ in range(3):
        u = socket.socket(fam, socket.SOCK_DGRAM); u.bind((a, 0)); keep.append(u)
    c = socket.socket(fam, socket.SOCK_DGRAM); c.connect((a if a != "::" else "::1", 9)); keep.append(c)
p = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); p.bind(("127.0.0.1", 5353)); keep.append(p)
open(sys.argv[1], "w").write("up")
time.sleep(60)' "$TMP/up"
wait_for 10 test -s "$TMP/up" || notok "more UDP sockets opened"

# the fields that both sources must agree on, one line per socket, sorted
rows() {
	python3 -c '
import json, sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    print(o["proto"], o["family"], o["local_addr"], o["local_port"], o["remote_addr"],
          o["remote_port"], o["state"], o["inode"], o["uid"],
          ",".join(str(w["pid"]) + ":" + w["comm"] for w in o["owners"]), o.get("owner_missing"))
' "$1" | sort
}

srcs=procfs
need_bpf "the fallback with --owners bpf" && srcs="procfs bpf"
for src in $srcs; do
	"$PORTSCOPE" local --json --udp --owners $src >"$TMP/diag.$src" 2>"$TMP/diag.$src.err"
	PORTSCOPE_TEST_NO_UDP_DIAG=1 "$PORTSCOPE" local --json --udp --owners $src \
		>"$TMP/proc.$src" 2>"$TMP/proc.$src.err"
	check_eq "owners from $src: status 0 with the fallback" "$?" 0
	rows "$TMP/diag.$src" >"$TMP/diag.$src.rows"
	rows "$TMP/proc.$src" >"$TMP/proc.$src.rows"
	check "owners from $src: sock_diag sees the UDP population ($(wc -l <"$TMP/diag.$src.rows") sockets)" \
		test "$(wc -l <"$TMP/diag.$src.rows")" -ge 16
	if cmp -s "$TMP/diag.$src.rows" "$TMP/proc.$src.rows"; then
		ok "owners from $src: /proc/net/udp{,6} gives the same rows as sock_diag"
	else
		notok "owners from $src: /proc/net/udp{,6} gives the same rows as sock_diag"
		diff "$TMP/diag.$src.rows" "$TMP/proc.$src.rows" | sed 's/^/#   /' | head -20
	fi
	check_eq "owners from $src: no notice with udp_diag" "$(cat "$TMP/diag.$src.err")" ""
	check_eq "owners from $src: the fallback is said once, on stderr" "$(cat "$TMP/proc.$src.err")" \
		"portscope: this kernel has no udp_diag: UDP sockets are read from /proc/net/udp and udp6 (no socket cookies; a closed one cannot be told from one whose owner was not found)"
done

# filters apply to the fallback rows as the kernel applies them
PORTSCOPE_TEST_NO_UDP_DIAG=1 "$PORTSCOPE" local --json --port 5353 >"$TMP/p" 2>/dev/null
check_eq "--port on fallback rows" "$(python3 -c 'import json,sys; print([(o["proto"], o["local_port"]) for o in map(json.loads, open(sys.argv[1]))])' "$TMP/p")" \
	"[('udp', 5353)]"
PORTSCOPE_TEST_NO_UDP_DIAG=1 "$PORTSCOPE" local --json --udp --state established >"$TMP/e" 2>/dev/null
check_eq "--state established on fallback rows: the connected UDP sockets" \
	"$(grep -c '"state":"ESTABLISHED"' "$TMP/e") $(wc -l <"$TMP/e")" \
	"$(grep -c '"proto":"udp".*"state":"ESTABLISHED"' "$TMP/diag.procfs") $(grep -c '"proto":"udp".*"state":"ESTABLISHED"' "$TMP/diag.procfs")"

# watch says it once, not at every check
PORTSCOPE_TEST_NO_UDP_DIAG=1 "$PORTSCOPE" watch --port 5353 --interval 0.05 --count 5 >"$TMP/w" 2>"$TMP/w.err"
check_grep "watch: the UDP socket is seen through the fallback" "$TMP/w" "  NOW +UDP +127\.0\.0\.1:5353 "
check_eq "watch: the notice once in five checks" "$(grep -c 'no udp_diag' "$TMP/w.err")" 1
