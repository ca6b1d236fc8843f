#!/usr/bin/env bash
# portscope query: a local failure is an error, never a verdict about the
# target.  Too few file descriptors (backed off, then an error), a queue
# discipline that answers ENOBUFS, a link-local address without its zone,
# no route; write errors on standard output and the log; the log's end
# line after signals and a failed lookup; the sanitizer-checked lines
# (--json localhost, -cn) and one-line errors for hostile input.
# Runtime errors exit 4, usage errors 2.
. "$(dirname "$0")/lib.sh"
need_root "network namespaces, ulimit and tc"
P=$PORTSCOPE

# -- too few file descriptors: back off and give the true verdicts
python3 "$(dirname "$0")/query_servers.py" 127.0.0.1 tcp:0 >"$TMP/srv" &
srv=$!; _pids+=("$srv")
wait_for 5 test -s "$TMP/srv" || { notok "test server did not start"; exit 0; }
port=$(grep -oE '[0-9]+' "$TMP/srv" | head -1)
lo=$(( port > 500 ? port - 500 : 1 )); hi=$(( lo + 999 ))
"$P" query -nr --reason -r "$lo:$hi" 127.0.0.1 >"$TMP/want"
bash -c "ulimit -n 20 && exec \"\$0\" query -nr --reason -r $lo:$hi 127.0.0.1" "$P" \
	>"$TMP/o" 2>"$TMP/e"; rc=$?
check_eq "ulimit -n 20: exit 1, the worst verdict (NOT LISTENING)" "$rc" 1
check_eq "ulimit -n 20: the same 1000 verdicts as without a limit" \
	"$(cat "$TMP/o")" "$(cat "$TMP/want")"
check "ulimit -n 20: one port LISTENING, $((999)) NOT LISTENING" \
	[ "$(grep -c ': LISTENING (reason: syn-ack)$' "$TMP/o")" = 1 ] && \
	[ "$(grep -c ': NOT LISTENING (reason: reset)$' "$TMP/o")" = 999 ]
check_nogrep "ulimit -n 20: no FILTERED" "$TMP/o" 'FILTERED'
bash -c "ulimit -n 4 && exec \"\$0\" query -nr --reason -r $lo:$hi 127.0.0.1" "$P" \
	>"$TMP/o" 2>"$TMP/e"; rc=$?
check_eq "ulimit -n 4: runtime error, exit 4" "$rc" 4
check_eq "ulimit -n 4: one line naming what failed" "$(cat "$TMP/e")" \
	"portscope: cannot query 127.0.0.1: socket: Too many open files, even with one socket in flight"
check_nogrep "ulimit -n 4: no verdict" "$TMP/o" 'port [0-9]+'

# -- a namespace pair whose link drops what overflows a tiny tbf queue
C=psqe$$c T=psqe$$t
ip netns add "$C" && on_exit ip netns del "$C" &&
ip netns add "$T" && on_exit ip netns del "$T" &&
ip link add "psqe$$a" netns "$C" type veth peer name "psqe$$b" netns "$T" || {
	notok "cannot create namespaces and veth pair"; exit 0; }
ip -n "$C" link set lo up; ip -n "$T" link set lo up
ip -n "$C" addr add 10.232.0.1/24 dev "psqe$$a"
ip -n "$T" addr add 10.232.0.2/24 dev "psqe$$b"
ip -n "$C" link set "psqe$$a" up; ip -n "$T" link set "psqe$$b" up
ip netns exec "$T" sysctl -qw net.ipv4.icmp_ratelimit=0
tc -n "$C" qdisc add dev "psqe$$a" root tbf rate 200kbit burst 1600 limit 300 ||
	{ notok "cannot add a tbf qdisc"; exit 0; }
ip netns exec "$C" "$P" query -nr --reason -p udp -r 2000:2299 10.232.0.2 \
	>"$TMP/o" 2>"$TMP/e"; rc=$?
drops=$(tc -n "$C" -s qdisc show dev "psqe$$a" | grep -oE 'dropped [0-9]+' | grep -oE '[0-9]+')
check "tbf: the queue did overflow (dropped $drops)" [ "${drops:-0}" -gt 0 ]
if [ "$rc" -eq 1 ]; then	# every port NOT LISTENING: the worst verdict
	check_eq "tbf: backed off: 300 ports NOT LISTENING by icmp" \
		"$(grep -c ': NOT LISTENING (reason: icmp port-unreachable)$' "$TMP/o")" 300
else
	check_eq "tbf: or a runtime error, exit 4" "$rc" 4
	check_grep "tbf: the error names the send" "$TMP/e" '^portscope: cannot query 10.232.0.2: send: No buffer space available'
fi
check_nogrep "tbf: no local failure as a verdict" "$TMP/o" 'could not be sent|local error|FILTERED'

# -- no route: a namespace with nothing but lo sends nothing anywhere
N=psqe$$n
ip netns add "$N" && on_exit ip netns del "$N" || { notok "cannot create namespace"; exit 0; }
ip -n "$N" link set lo up
for p in tcp udp; do
	ip netns exec "$N" "$P" query -nr -p $p -e 80 192.0.2.1 >"$TMP/o" 2>"$TMP/e"; rc=$?
	check_eq "no route ($p): exit 4" "$rc" 4
	check_eq "no route ($p): the error, not a verdict" "$(cat "$TMP/e")" \
		"portscope: cannot query 192.0.2.1: connect: Network is unreachable"
	check_nogrep "no route ($p): no verdict" "$TMP/o" 'port 80'
done
ip netns exec "$N" "$P" query -q -e 80 192.0.2.1 2>"$TMP/e"; rc=$?
check_eq "no route with -q: exit 4, not a verdict's 2" "$rc" 4

# -- a link-local address without its zone
"$P" query -nr -e 80 fe80::1 >"$TMP/o" 2>"$TMP/e"; rc=$?
check_eq "fe80::1: exit 4" "$rc" 4
check_eq "fe80::1: asks for the interface" "$(cat "$TMP/e")" \
	"portscope: cannot query 'fe80::1': a link-local address needs its interface, as in 'fe80::1%eth0'"
check_nogrep "fe80::1: no verdict" "$TMP/o" 'port 80'

# -- write errors
"$P" query -nr -e "$port" 127.0.0.1 >/dev/full 2>"$TMP/e"; rc=$?
check_eq "> /dev/full: exit 4" "$rc" 4
check_eq "> /dev/full: the error" "$(cat "$TMP/e")" \
	"portscope: cannot write to standard output: No space left on device"
"$P" query -nr -e "$port" 127.0.0.1 >&- 2>"$TMP/e"; rc=$?
check_eq "stdout closed: exit 4" "$rc" 4
check_eq "stdout closed: the error" "$(cat "$TMP/e")" \
	"portscope: cannot write to standard output: Bad file descriptor"
"$P" query -nr -e "$port" -l /dev/full -y 127.0.0.1 >"$TMP/o" 2>"$TMP/e"; rc=$?
check_eq "-l /dev/full: exit 4" "$rc" 4
check_eq "-l /dev/full: the error" "$(cat "$TMP/e")" \
	"portscope: cannot write to '/dev/full': No space left on device"
check_grep "-l /dev/full: the verdict is still on stdout" "$TMP/o" ": LISTENING$"

# -- the log's end line after a failed lookup (no resolver reachable)
ip netns exec "$N" "$P" query -e 80 -l "$TMP/log" -y nosuch.invalid >/dev/null 2>"$TMP/e"; rc=$?
check_eq "failed lookup: exit 4" "$rc" 4
check_grep "failed lookup: one-line error" "$TMP/e" "^portscope: cannot resolve 'nosuch.invalid': "
check_eq "failed lookup: the log ends with its end line" "$(tail -n 1 "$TMP/log")" "========= end of log file ========="
check_grep "failed lookup: the log says why" "$TMP/log" "^portscope: cannot resolve 'nosuch.invalid'"

# -- ... and after signals, in the middle of a query: a silent UDP port
# keeps it running for seconds (3 tries of the first 1 s timeout)
python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True); time.sleep(60)' >"$TMP/silent" &
_pids+=("$!")
wait_for 5 test -s "$TMP/silent" || { notok "silent udp socket"; exit 0; }
sport=$(cat "$TMP/silent")
for sig in HUP INT TERM; do
	rm -f "$TMP/log"
	# a background job ignores SIGINT unless job control is on: set -m
	set -m
	"$P" query -p udp -e "$sport" -l "$TMP/log" -y 127.0.0.1 >/dev/null 2>&1 &
	qp=$!
	set +m
	wait_for 5 grep -q 'Local computer name' "$TMP/log"
	kill -s "$sig" "$qp"; wait "$qp"; rc=$?
	check_eq "SIG$sig: killed by the signal" "$rc" $((128 + $(kill -l "$sig")))
	check_eq "SIG$sig: the log ends with its end line" "$(tail -n 1 "$TMP/log")" "========= end of log file ========="
done
rm -f "$TMP/log"
"$P" query -nr -p udp -e "$sport" -l "$TMP/log" -y 127.0.0.1 | true
rc=${PIPESTATUS[0]}
check_eq "SIGPIPE: killed by the signal" "$rc" 141
check_eq "SIGPIPE: the log ends with its end line" "$(tail -n 1 "$TMP/log")" "========= end of log file ========="

# -- lines the sanitizer build must run clean (build/san runs this file too)
"$P" query --json -e "$port" localhost >"$TMP/o" 2>"$TMP/e"; rc=$?
check_eq "--json localhost: exit 0, nothing on stderr" "$rc $(cat "$TMP/e")" "0 "
check_grep "--json localhost: the verdict" "$TMP/o" '"verdict":"LISTENING"'
"$P" query -nr -cn '!private!' -e "$port" 127.0.0.1 >"$TMP/o" 2>"$TMP/e"; rc=$?
check_eq "-cn !private!: exit 0, nothing on stderr (no leak report)" "$rc $(cat "$TMP/e")" "0 "
"$P" query -nr -cn '!a!' -cn '!b!' -p udp -e 161 127.0.0.1 >"$TMP/o" 2>"$TMP/e"; rc=$?
check_eq "-cn twice: exit 1 (nothing on udp/161), nothing on stderr" "$rc $(cat "$TMP/e")" "1 "

# -- hostile input gives one-line errors
"$P" query -e 80 $'bad\nhost' >/dev/null 2>"$TMP/e"; rc=$?
check_eq "a host with a newline: exit 4, one line" "$rc $(wc -l <"$TMP/e")" "4 1"
check_grep "a host with a newline: escaped" "$TMP/e" "cannot resolve 'bad\\\\x0ahost'"
"$P" query -e 80 $'a\nb' $'c\nd' >/dev/null 2>"$TMP/e"; rc=$?
check_eq "two hosts with newlines: exit 3, one line" "$rc $(wc -l <"$TMP/e")" "3 1"
for v in +80 ' 80' 80x -80 0 65536 ''; do
	"$P" query -e "$v" 127.0.0.1 >/dev/null 2>"$TMP/e"; rc=$?
	check_eq "-e '$v': usage error, exit 3, one line" "$rc $(wc -l <"$TMP/e")" "3 1"
done
