#!/usr/bin/env bash
# portscope query against loopback, inside a network namespace of its own
# (only "lo"), so that every port without our listeners is truly closed:
# verdicts, reasons, order, JSON, -q exit codes, -l, usage errors, name
# resolution, and no false LISTENING from connections to ourselves.
. "$(dirname "$0")/lib.sh"
need_root "network namespaces"
NS=psq$$l
ip netns add "$NS" || { notok "cannot create namespace $NS"; exit 0; }
on_exit ip netns del "$NS"
ip -n "$NS" link set lo up
inns() { ip netns exec "$NS" "$@"; }
srv="$(dirname "$0")/query_servers.py"

# (spawned with ip netns exec itself, which execs: the pid is the server's)
spawn ip netns exec "$NS" python3 "$srv" 127.0.0.1 tcp:0 tcp:0 udp:0 sink:0 >"$TMP/ports4"
spawn ip netns exec "$NS" python3 "$srv" ::1 tcp:0 udp:0 >"$TMP/ports6"
wait_for 5 test -s "$TMP/ports4" && wait_for 5 test -s "$TMP/ports6" ||
	{ notok "test servers did not start"; exit 0; }
read -r T1 T2 U1 S1 <"$TMP/ports4"
read -r T6 U6 <"$TMP/ports6"

# -- TCP, text, order as given, reasons
inns "$PORTSCOPE" query -nr --reason -o "$T1,1,$T2" 127.0.0.1 >"$TMP/o" 2>"$TMP/e"
check_eq "tcp -o: exit status 1, the worst verdict (NOT LISTENING)" "$?" 1
check_eq "tcp -o: verdict lines in the order given" \
	"$(grep '^TCP port' "$TMP/o")" \
	"TCP port $T1 (unknown service): LISTENING (reason: syn-ack)
TCP port 1 (tcpmux service): NOT LISTENING (reason: reset)
TCP port $T2 (unknown service): LISTENING (reason: syn-ack)"
check_grep "PortQry preamble" "$TMP/o" '^Querying target system called:$'
check_grep "PortQry preamble: querying..." "$TMP/o" '^querying\.\.\.$'

# -- PortQry's own form, -q exit codes, TCP and UDP
inns "$PORTSCOPE" -n 127.0.0.1 -e "$T1" -q >"$TMP/o"; rc=$?
check_eq "-q tcp LISTENING exits 0" "$rc" 0
check_eq "-q prints nothing" "$(cat "$TMP/o")" ""
inns "$PORTSCOPE" -n 127.0.0.1 -e 2 -q; check_eq "-q tcp NOT LISTENING exits 1" "$?" 1
inns "$PORTSCOPE" -n 127.0.0.1 -p udp -e "$U1" -q; check_eq "-q udp LISTENING (echo reply) exits 0" "$?" 0
inns "$PORTSCOPE" -n 127.0.0.1 -p udp -e 9 -q; check_eq "-q udp NOT LISTENING exits 1" "$?" 1

# -- UDP and -p both, JSON Lines
inns "$PORTSCOPE" query --json -p both -o "$U1,7" 127.0.0.1 >"$TMP/j"
check_eq "json: one object per proto and port, port order, tcp first" \
	"$(jq -r '[.proto, .port, .verdict, .reason, .tries] | join(" ")' "$TMP/j")" \
	"tcp $U1 NOT LISTENING reset 1
udp $U1 LISTENING udp reply 1
tcp 7 NOT LISTENING reset 1
udp 7 NOT LISTENING icmp port-unreachable 1"
check_eq "json: host, addr, service and rtt_ms fields" \
	"$(jq -r 'select(.port == 7 and .proto == "udp") | [.host, .addr, .service, (.rtt_ms | type)] | join(" ")' "$TMP/j")" \
	"127.0.0.1 127.0.0.1 echo number"
check_eq "json: generic probe report on a udp reply" \
	"$(jq -c 'select(.verdict == "LISTENING") | .probe' "$TMP/j")" '{"generic":{"bytes":4}}'

# -- IPv6
inns "$PORTSCOPE" query -nr --reason -p both -o "$T6,$U6,3" ::1 >"$TMP/o"
check_eq "ipv6: tcp and udp verdicts with reasons" "$(grep ' port ' "$TMP/o")" \
	"TCP port $T6 (unknown service): LISTENING (reason: syn-ack)
UDP port $T6 (unknown service): NOT LISTENING (reason: icmp6 port-unreachable)
TCP port $U6 (unknown service): NOT LISTENING (reason: reset)
UDP port $U6 (unknown service): LISTENING (reason: udp reply)
TCP port 3 (unknown service): NOT LISTENING (reason: reset)
UDP port 3 (unknown service): NOT LISTENING (reason: icmp6 port-unreachable)"
inns "$PORTSCOPE" query -nr -6 -e 1 127.0.0.1 >"$TMP/o" 2>"$TMP/e"
check_eq "-6 with an IPv4 address: runtime error, exits 4" "$?" 4
check_grep "-6 with an IPv4 address: clear error" "$TMP/e" "cannot resolve '127\.0\.0\.1'"
inns "$PORTSCOPE" query -4 -e "$T1" localhost >"$TMP/o" 2>&1
check_grep "name: PortQry's resolve line" "$TMP/o" '^Attempting to resolve name to IP address\.\.\.$'
check_grep "-4 localhost resolves to 127.0.0.1" "$TMP/o" '^Name resolved to 127\.0\.0\.1$'
check_grep "-4 localhost: verdict" "$TMP/o" "^TCP port $T1 \(unknown service\): LISTENING$"
inns "$PORTSCOPE" query -e "$T1" 127.0.0.1 >"$TMP/o" 2>&1
check_grep "reverse lookup of 127.0.0.1" "$TMP/o" '^IP address resolved to localhost'

# -- the whole ephemeral range: only our listeners, never ourselves
inns "$PORTSCOPE" query -nr --parallel 4000 -r 32768:60999 127.0.0.1 >"$TMP/o"
check_eq "-r: one line per port" "$(grep -c '^TCP port' "$TMP/o")" 28232
want=$(for p in "$T1" "$T2" "$U1"; do [ "$p" -ge 32768 ] && [ "$p" -le 60999 ] && [ "$p" != "$U1" ] && echo "$p"; done | sort -n)
check_eq "-r over the ephemeral range: LISTENING only where we listen" \
	"$(grep ': LISTENING' "$TMP/o" | awk '{print $3}' | sort -n)" "$want"
# a source port equal to the target port: the kernel connects us to ourselves
inns "$PORTSCOPE" query --json -sp 40999 -e 40999 127.0.0.1 >"$TMP/j"
check_eq "tcp self-connect (-sp P -e P) is not LISTENING" \
	"$(jq -r '.verdict + " / " + .reason' "$TMP/j")" "NOT LISTENING / only connected to itself"
inns "$PORTSCOPE" query --json -p udp -sp 40998 -e 40998 127.0.0.1 >"$TMP/j"
check_eq "udp datagram to ourselves (-sp P -e P) is not LISTENING" \
	"$(jq -r '.verdict + " / " + .reason' "$TMP/j")" "NOT LISTENING / only connected to itself"
inns "$PORTSCOPE" query -sp "$T1" -e 1 127.0.0.1 >"$TMP/o" 2>"$TMP/e"
check_eq "-sp on a busy port: runtime error, exits 4" "$?" 4
check_grep "-sp busy: clear message" "$TMP/e" "source port $T1 \(tcp\) is already in use"

# -- -l log, -y
echo keep >"$TMP/log"
inns "$PORTSCOPE" -n 127.0.0.1 -e "$T1" -l "$TMP/log" </dev/null >/dev/null 2>"$TMP/e"
check_eq "-l on an existing file without -y: runtime error, exits 4" "$?" 4
check_eq "-l without -y leaves the file alone" "$(cat "$TMP/log")" keep
inns "$PORTSCOPE" -n 127.0.0.1 -nr -e "$T1" -l "$TMP/log" -y >"$TMP/o"
check_grep "-l -y: log has the command line" "$TMP/log" "^ (.*/)?portscope -n 127\.0\.0\.1 -nr -e $T1 -l "
check_grep "-l: log has the verdict" "$TMP/log" "^TCP port $T1 \(unknown service\): LISTENING$"
check_eq "-l: log ends with the end line" "$(tail -n 1 "$TMP/log")" "========= end of log file ========="
check_grep "-l: screen output too" "$TMP/o" "^TCP port $T1 \(unknown service\): LISTENING$"

# -- -l after an interrupt: the end line is still written
ip netns exec "$NS" "$PORTSCOPE" query -p udp -e "$S1" -l "$TMP/log2" 127.0.0.1 >/dev/null 2>&1 &
qp=$!
wait_for 5 grep -q '^querying' "$TMP/log2"; sleep 0.3
kill -INT "$qp"; wait "$qp"; rc=$?
check_eq "-l: interrupted query dies of SIGINT" "$rc" 130
check_eq "-l: end line after an interrupt" "$(tail -n 1 "$TMP/log2")" "========= end of log file ========="
check_nogrep "-l: interrupted before any verdict" "$TMP/log2" '^UDP port'

# -- a silent UDP port (bound, never answers): LISTENING or FILTERED
inns "$PORTSCOPE" query --json -p udp -e "$S1" 127.0.0.1 >"$TMP/j"
check_eq "udp silent port: LISTENING or FILTERED after 3 datagrams" \
	"$(jq -r '[.verdict, .reason, .tries, .rtt_ms] | join(" / ")' "$TMP/j")" \
	"LISTENING or FILTERED / no response after 3 tries / 3 / "

# -- a UDP 53 that answers the DNS probe with bytes that are no DNS
spawn ip netns exec "$NS" python3 "$srv" 127.0.0.1 junk:53 >"$TMP/junk"
wait_for 5 test -s "$TMP/junk"
inns "$PORTSCOPE" query --json -p udp -e 53 127.0.0.1 >"$TMP/j"
check_eq "udp 53 with a non-DNS answer: LISTENING, malformed reply, no report" \
	"$(jq -r '[.verdict, .reason, .tries, (.probe | tostring)] | join(" / ")' "$TMP/j")" \
	"LISTENING / malformed reply / 2 / null"

# -- --max-rate: 100 attempts at 200 a second take half a second
t0=$(date +%s%N)
inns "$PORTSCOPE" query -nr --max-rate 200 -r 1:100 127.0.0.1 >"$TMP/o"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check_eq "--max-rate: every port answered" "$(grep -c ': NOT LISTENING$' "$TMP/o")" 100
check "--max-rate 200: 100 ports take at least 450 ms (took $ms ms)" [ "$ms" -ge 450 ]

# -- usage errors: exit 2, one line on stderr, nothing on stdout
usage_case() {	# DESC REGEX ARGS...
	local d=$1 re=$2; shift 2
	"$PORTSCOPE" "$@" >"$TMP/o" 2>"$TMP/e"; rc=$?
	if [ "$rc" -eq 3 ] && [ ! -s "$TMP/o" ] && [ "$(wc -l <"$TMP/e")" -eq 1 ] &&
	    grep -qE -- "$re" "$TMP/e"; then ok "usage: $d"
	else notok "usage: $d (exit $rc)"; sed 's/^/#   /' "$TMP/e" "$TMP/o"; fi
}
usage_case "port 0" "-e: bad port '0': too small, give 1-65535; see 'portscope help query'" query -e 0 127.0.0.1
usage_case "port 65536" "bad port '65536': too large" -n 127.0.0.1 -e 65536
usage_case "port abc" "bad port 'abc': not a number" query -e abc 127.0.0.1
usage_case "port +80" "bad port '\+80': not a number" query -e +80 127.0.0.1
usage_case "-r start above end" "start of '5:3' must be below" query -r 5:3 127.0.0.1
usage_case "-r not a range" "not a range" query -r 5 127.0.0.1
usage_case "-o empty element" "not a list of ports" query -o 1,,2 127.0.0.1
usage_case "-e with -o" "cannot be combined" query -e 1 -o 2,3 127.0.0.1
usage_case "-p sctp" "not tcp, udp or both" query -p sctp 127.0.0.1
inns "$PORTSCOPE" query -q -o 1,2 127.0.0.1 >"$TMP/o" 2>"$TMP/e"
check_eq "-q with a list: the worst verdict, nothing printed" "$?:$(cat "$TMP/o" "$TMP/e")" "1:"
inns "$PORTSCOPE" query -q -p both -o "$T1,$U1" 127.0.0.1 >"$TMP/o" 2>"$TMP/e"
check_eq "-q with -p both: tcp/$U1 closed makes it 1" "$?:$(cat "$TMP/o" "$TMP/e")" "1:"
usage_case "no host" "which host" query -e 1
usage_case "two hosts" "one host at a time" query a b
usage_case "unknown option" "unknown option '--frobnicate'" query --frobnicate 127.0.0.1
usage_case "-cn without !" "between exclamation marks" -n 127.0.0.1 -cn public
usage_case "-y without -l" "-y answers" query -y 127.0.0.1
usage_case "--parallel 0" "bad --parallel value '0': too small, give 1-16384" query --parallel 0 127.0.0.1
usage_case "missing value" "needs a value" query 127.0.0.1 -e

# -- a name that does not resolve (inside the namespace: nothing leaves it)
inns "$PORTSCOPE" -n no-such-host.invalid -e 80 >"$TMP/o" 2>"$TMP/e"; rc=$?
check_eq "unresolvable name: runtime error, exits 4" "$rc" 4
check_grep "unresolvable name: clear error" "$TMP/e" "cannot resolve 'no-such-host\.invalid'"
check_nogrep "unresolvable name: no verdict" "$TMP/o" 'port 80'
