# portscope local: the same sockets and owners as ss -tuanp, in a network
# namespace of the test's own so that nothing else on the machine mixes in.
. "$(dirname "$0")/lib.sh"
need_root "local_basic runs in its own network namespace"
H=$(dirname "$0")/helpers

# Everything below runs inside a fresh network namespace (loopback only).
if [ "${INNER:-}" != 1 ]; then
	INNER=1 exec unshare --net bash "$0" "$@"
fi
ip link set lo up
spawn python3 "$H/population.py" "$TMP/ready"
wait_for 10 test -s "$TMP/ready" || { notok "population started"; exit 1; }
read -r _ parent child shared <"$TMP/ready"
# owners are listed by pid; after a pid wrap the child's can be the lower
lo=$((parent < child ? parent : child)) hi=$((parent < child ? child : parent))

# 1. same set of (proto, local, remote, state, owner pids) as ss -tuanp
"$PORTSCOPE" local --json >"$TMP/ps.json" 2>"$TMP/ps.err"
check_eq "local --json exits 0" "$?" 0
ss -tuanp >"$TMP/ss.txt"
python3 "$H/sockset.py" portscope "$TMP/ps.json" >"$TMP/ps.set"
python3 "$H/sockset.py" ss "$TMP/ss.txt" >"$TMP/ss.set"
if diff -u "$TMP/ss.set" "$TMP/ps.set" >"$TMP/diff"; then
	ok "local --json reports exactly the sockets and owner pids of ss -tuanp ($(wc -l <"$TMP/ps.set") sockets)"
else
	notok "local --json differs from ss -tuanp"; sed 's/^/#   /' "$TMP/diff"
fi
# each owner source on its own gives the same answer
for src in procfs bpf; do
	[ $src = bpf ] && ! need_bpf "--owners bpf matches ss -tuanp and keeps both owners" && continue
	"$PORTSCOPE" local --json --owners $src >"$TMP/src.json"
	python3 "$H/sockset.py" portscope "$TMP/src.json" >"$TMP/src.set"
	if diff -u "$TMP/ss.set" "$TMP/src.set" >"$TMP/diff"; then
		ok "--owners $src matches ss -tuanp"
	else
		notok "--owners $src differs from ss -tuanp"; sed 's/^/#   /' "$TMP/diff"
	fi
	"$PORTSCOPE" local --json --owners $src --port "$shared" >"$TMP/src.json"
	check_grep "--owners $src --port keeps both owners" "$TMP/src.json" \
		"\"pid\":$lo,.*\"pid\":$hi,"
done
# raw sockets (ICMP over IPv4 and IPv6) as ss -wanp shows them
spawn python3 -c '
import socket, sys, time
bound = socket.socket()
bound.bind(("127.0.0.1", 0))	# bound, neither listening nor connected
a = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
b = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
open(sys.argv[1], "w").write("up")
time.sleep(60)' "$TMP/rawup"
rawpid=$SPAWNED
wait_for 10 test -s "$TMP/rawup"
"$PORTSCOPE" local --json --raw >"$TMP/raw.json"
ss -wanp >"$TMP/raw.ss"
python3 "$H/sockset.py" portscope "$TMP/raw.json" >"$TMP/raw.ps.set"
python3 "$H/sockset.py" ss "$TMP/raw.ss" >"$TMP/raw.ss.set"
if diff -u "$TMP/raw.ss.set" "$TMP/raw.ps.set" >"$TMP/diff"; then
	ok "local --raw matches ss -wanp ($(wc -l <"$TMP/raw.ps.set") sockets)"
else
	notok "local --raw differs from ss -wanp"; sed 's/^/#   /' "$TMP/diff"
fi
check_grep "raw ICMPv6 socket: protocol 58, its owner" "$TMP/raw.json" \
	"\"proto\":\"raw\",\"family\":6,.*\"local_port\":58,.*\"state\":\"UNCONN\",.*\"pid\":$rawpid,"
"$PORTSCOPE" local --json --tcp --state close >"$TMP/bound.json"
check_grep "a bound-only TCP socket is listed as CLOSE with its owner" "$TMP/bound.json" \
	"\"proto\":\"tcp\",\"family\":4,\"local_addr\":\"127.0.0.1\",.*\"state\":\"CLOSE\",.*\"pid\":$rawpid,"
kill "$rawpid"; wait "$rawpid" 2>/dev/null

"$PORTSCOPE" local --json --owners none >"$TMP/src.json"
check_eq "--owners none says 'not scanned'" "$(grep -c '"owner_missing":"not scanned"' "$TMP/src.json")" 19
check_eq "population has 19 sockets" "$(wc -l <"$TMP/ps.set")" 19
check_grep "TIME_WAIT socket says 'no owner'" "$TMP/ps.json" \
	'"state":"TIME_WAIT",.*"owners":\[\],"owner_missing":"no owner"'
check_grep "shared listener lists parent and child" "$TMP/ps.json" \
	"\"local_port\":$shared,.*\"owners\":\[\{\"pid\":$lo,.*\{\"pid\":$hi,"
check_grep "IPv6 listener on ::1" "$TMP/ps.json" '"family":6,"local_addr":"::1",.*"state":"LISTEN"'
check_grep "unconnected UDP is UNCONN" "$TMP/ps.json" '"proto":"udp",.*"state":"UNCONN"'
check_grep "connected UDP is ESTABLISHED" "$TMP/ps.json" '"proto":"udp",.*"state":"ESTABLISHED"'
check_grep "owners carry comm and exe" "$TMP/ps.json" '"comm":"python3","exe":"/[^"]*python'
check_eq "no notice when root" "$(cat "$TMP/ps.err")" ""
check "every line is a JSON object" python3 -c '
import json, sys
for l in open(sys.argv[1]): json.loads(l)' "$TMP/ps.json"

# 2. filters
"$PORTSCOPE" local --json --tcp >"$TMP/f"; check_nogrep "--tcp has no UDP" "$TMP/f" '"proto":"udp"'
check_eq "--tcp counts the TCP sockets" "$(wc -l <"$TMP/f")" "$(grep -c '^tcp' "$TMP/ps.set")"
"$PORTSCOPE" local --json --udp >"$TMP/f"; check_eq "--udp counts the UDP sockets" "$(wc -l <"$TMP/f")" 3
"$PORTSCOPE" local --json -6 >"$TMP/f"; check_nogrep "-6 has no IPv4" "$TMP/f" '"family":4'
check_eq "-6 counts IPv6 sockets" "$(wc -l <"$TMP/f")" 8
"$PORTSCOPE" local --json -4 --udp >"$TMP/f"; check_eq "-4 --udp" "$(wc -l <"$TMP/f")" 2
"$PORTSCOPE" local --json --listening >"$TMP/f"
check_eq "--listening: 3 listeners + 2 unconnected UDP" "$(wc -l <"$TMP/f")" 5
"$PORTSCOPE" local --json --state time-wait >"$TMP/f"
check_eq "--state time-wait" "$(wc -l <"$TMP/f")" 1
"$PORTSCOPE" local --json --state ESTABLISHED >"$TMP/f"
check_eq "--state ESTABLISHED: 12 TCP + 1 connected UDP" "$(wc -l <"$TMP/f")" 13
"$PORTSCOPE" local --json --port "$shared" >"$TMP/f"
check_eq "--port selects the shared listener only" "$(wc -l <"$TMP/f")" 1
check_grep "--port keeps both owners" "$TMP/f" "\"pid\":$lo,.*\"pid\":$hi,"
"$PORTSCOPE" local --json --pid "$child" >"$TMP/f"
check_eq "--pid of the child: the inherited sockets" "$(wc -l <"$TMP/f")" \
	"$(grep -c "[ ,]$child\$\|[ ,]$child," "$TMP/ps.set")"
check_nogrep "--pid lists only sockets the child holds" "$TMP/f" '"owners":\[\]'

# 3. text, CSV, PortQry syntax, log file
"$PORTSCOPE" -local >"$TMP/t"
check_eq "-local exits 0" "$?" 0
check_grep "-local: port usage table" "$TMP/t" '^TCP/UDP Port Usage'
check_grep "-local: 19 active ports" "$TMP/t" "^19 active ports found"
check_grep "-local: statistics" "$TMP/t" '^TCP ports in a LISTENING state: +3 = 18\.75%'
check_grep "-local: per-process section" "$TMP/t" "^Process ID: $parent \(python3\)"
check_grep "-local: orphan count" "$TMP/t" 'no owner \(TIME_WAIT.*: 1$'
"$PORTSCOPE" -local -v >"$TMP/t"
check_grep "-local -v: executable" "$TMP/t" '^Executable: +/.*python'
check_grep "-local -v: command line" "$TMP/t" '^Command line: .*population.py'
check_grep "-local -v: modules, PortQry's 'path (0xBASE)'" "$TMP/t" '^/.*libc\.so[^ ]* \(0x[0-9a-f]+\)$'
check_grep "-local -v: user" "$TMP/t" '^User: +root'
"$PORTSCOPE" local -v >"$TMP/t"
check_grep "local -v (native): modules in local's own layout" "$TMP/t" '^    0x[0-9a-f]{16}  /.*libc\.so'
"$PORTSCOPE" local --csv >"$TMP/c"
check_eq "csv header" "$(head -1 "$TMP/c")" "proto,process,pid,state,local_address,local_port,remote_address,remote_port,inode,uid,owner_missing"
check_eq "csv has a row per socket" "$(($(wc -l <"$TMP/c") - 1))" 19
check_grep "csv shared socket lists both pids" "$TMP/c" "^TCP,\"python3;python3\",\"$lo;$hi\",LISTEN,127.0.0.1,$shared,"
"$PORTSCOPE" -local -l "$TMP/log" >"$TMP/t"
# the log: the shared header (its lines are checked in local_errors.sh),
# the same report as stdout, the end line
check_eq "-l writes the same report to the log, after its header, before its end line" \
	"$(sed -n '/^TCP\/UDP Port Usage$/,$p' "$TMP/log" | sed '$d')" "$(cat "$TMP/t")"
check_eq "-l: the log ends with the end line" "$(tail -n 1 "$TMP/log")" "========= end of log file ========="
"$PORTSCOPE" -local -l "$TMP/log" </dev/null >/dev/null 2>"$TMP/e"
check_eq "-l refuses to overwrite without -y" "$?" 2
check_grep "-l says why" "$TMP/e" "exists; use -y"
echo old >"$TMP/log"
"$PORTSCOPE" -local -l "$TMP/log" -y >/dev/null
check_grep "-y overwrites" "$TMP/log" '^TCP/UDP Port Usage'
