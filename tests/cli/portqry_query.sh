#!/usr/bin/env bash
# portscope -n in PortQry 2.0's form against real servers in a namespace
# of its own, compared line by line with PortQry's layout, values
# abstracted (the expected transcripts: tests/cli/expected/portqry_n_*.txt;
# the strings and their sources: doc/portqry-compat.md §1): the RPC
# endpoint mapper over UDP (as in Microsoft's "Portqry Examples", example
# 2), the SQL Server browser, CLDAP, SNMP, DNS on both protocols; -r
# without the endpoint-mapper dump; exit codes with and without -q; the
# -q -l overwrite; -y without -l; -cn !words!; -p in any case; -o with
# ';'; -sp in use; a name that does not resolve; the log; -?.
. "$(dirname "$0")/probe_lib.bash"
need_cmd snmpd
need_cmd dnsmasq
EXP=$(dirname "$0")/expected
pq() { in_ns "$PORTSCOPE" "$@"; }

ns_spawn python3 "$RESPONDER" rpcdg 127.0.0.1 135 "$TOP/tests/fuzz/corpus/fuzz_rpc" >/dev/null 2>&1
ns_spawn python3 "$RESPONDER" mssql 127.0.0.1 1434 >/dev/null 2>&1
ns_spawn python3 "$RESPONDER" cldap 127.0.0.1 389 >/dev/null 2>&1
cat >"$TMP/snmpd.conf" <<CONF
agentAddress udp:127.0.0.1:161
rocommunity public 127.0.0.1
sysName portscope-test
sysDescr portscope test agent
CONF
MIBS= ns_spawn snmpd -f -Lf "$TMP/snmpd.log" -C -c "$TMP/snmpd.conf" \
    -p "$TMP/snmpd.pid" -I -ifTable,ifXTable >/dev/null 2>&1
ns_spawn dnsmasq -k --conf-file=/dev/null --no-resolv --no-hosts --pid-file= \
	--listen-address=127.0.0.1 --bind-interfaces --port=53 --log-facility=- 2>/dev/null
for s in "u 135" "u 1434" "u 389" "u 161" "u 53" "t 53"; do
	wait_for 10 listening $s || notok "nothing listens on $s"
done
# values: the reverse name, SNMP's uptime, dnsmasq's version
abstract() {
	sed -E 's/^IP address resolved to .*/IP address resolved to NAME/;
	    s/^sysUpTime: .*/sysUpTime: TICKS/; s/"dnsmasq-[0-9.]+"/"dnsmasq-VERSION"/' "$1"
}
same() {	# DESC FILE EXPECTED
	check_eq "$1" "$(abstract "$2")" "$(cat "$EXP/$3")"
}

pq -n 127.0.0.1 -p udp -e 1434 >"$TMP/o"; rc=$?
same "sql: PortQry's steps, line by line" "$TMP/o" portqry_n_sql.txt
check_eq "sql: exit 0 without -q (LISTENING)" "$rc" 0
pq -n 127.0.0.1 -nr -p UDP -e 389 >"$TMP/o"
same "cldap, -p UDP in capitals: PortQry's steps" "$TMP/o" portqry_n_cldap.txt
pq -n 127.0.0.1 -nr -p udp -e 161 >"$TMP/o"
same "snmp: community line, steps" "$TMP/o" portqry_n_snmp.txt
pq -n 127.0.0.1 -nr -p both -e 53 >"$TMP/o"
same "dns: TCP 53 and UDP 53, both queried" "$TMP/o" portqry_n_dns.txt

# the endpoint mapper over UDP: Microsoft's example 2, section by section
pq -n 127.0.0.1 -nr -p udp -e 135 >"$TMP/rpc"; rc=$?
check_eq "rpc: exit 0" "$rc" 0
check_eq "rpc: the steps before the entries (cc738095)" \
	"$(sed -n '/^UDP port 135 (epmap/,/^$/p' "$TMP/rpc")" \
	"UDP port 135 (epmap service): LISTENING or FILTERED
Using ephemeral source port
Querying Endpoint Mapper Database...
Server's response:"
check_eq "rpc: the total, three blank lines, the end marker, the verdict" \
	"$(sed -n '/^Total endpoints found/,$p' "$TMP/rpc")" \
	"Total endpoints found: 38



==== End of RPC Endpoint Mapper query response ====

UDP port 135 is LISTENING"
python3 - "$TMP/rpc" >"$TMP/py" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
body = t.split("Server's response:\n\n", 1)[1].split("Total endpoints found:", 1)[0]
ents = body.split("\n\n")[:-1]
bad = [e for e in ents if not re.fullmatch(r"UUID: [0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}( \S.*)?\n(ncacn|ncadg|ncalrpc)\S*:\S*\[.*\]", e)]
print(len(ents), len(bad))
PY
check_eq "rpc: 38 entries, each 'UUID: <uuid> <annotation>' then its binding" "$(cat "$TMP/py")" "38 0"
check_grep "rpc: the annotation on the UUID line" "$TMP/rpc" '^UUID: 338cd001-2244-31f1-aaaa-900038001003 winreg$'

# -r: no endpoint-mapper dump (PortQry does not query it for a range)
pq -n 127.0.0.1 -nr -p udp -r 134:135 >"$TMP/o"; rc=$?
same "-r 134:135: verdicts only, no dump" "$TMP/o" portqry_n_range.txt
check_eq "-r: exit 2, the worst verdict (LISTENING or FILTERED)" "$rc" 2
pq -n 127.0.0.1 -nr -p udp -o 134,135 >"$TMP/o"
check_grep "-o 134,135: the dump is made" "$TMP/o" '^Querying Endpoint Mapper Database\.\.\.$'

# exit codes: with and without -q, the worst of several ports
pq -n 127.0.0.1 -p udp -e 137 >/dev/null; check_eq "closed port: exit 1 without -q" "$?" 1
pq -n 127.0.0.1 -p udp -e 137 -q >"$TMP/o" 2>&1; check_eq "closed port, -q: exit 1, nothing printed" "$?:$(cat "$TMP/o")" "1:"
pq -n 127.0.0.1 -p udp -e 1434 -q >"$TMP/o" 2>&1; check_eq "-q LISTENING: exit 0, nothing printed" "$?:$(cat "$TMP/o")" "0:"
pq -n 127.0.0.1 -p udp -o '1434;137' -q; check_eq "-o with ';': two ports, the worst is 1" "$?" 1
pq -n 127.0.0.1 -e 0 >/dev/null 2>"$TMP/e"; rc=$?
check_eq "usage error: exit 3, apart from every verdict" "$rc" 3
check_eq "usage error: one line on stderr" "$(wc -l <"$TMP/e")" 1

# -cn !my community! typed without quotes: the words between the bangs
pq -n 127.0.0.1 -nr -p udp -e 161 -cn !my community! >"$TMP/o"
check_eq "-cn !my community!: the community PortQry shows" \
	"$(sed -n '/^community name for query:$/{n;p}' "$TMP/o")" "my community"

# -y without -l is ignored; -q -l overwrites an existing log without asking
pq -n 127.0.0.1 -nr -p udp -e 1434 -y >"$TMP/o" 2>&1
check_eq "-y without -l: ignored, the query runs" "$?" 0
echo "an old log" >"$TMP/log"
pq -n 127.0.0.1 -nr -p udp -e 1434 -q -l "$TMP/log" </dev/null >"$TMP/o" 2>&1
check_eq "-q -l over an existing log: exit 0, nothing printed" "$?:$(cat "$TMP/o")" "0:"
check_nogrep "-q -l: the old log is gone" "$TMP/log" "an old log"
check_eq "-q -l: PortQry's log: title, header, the steps, the end line" \
	"$(abstract "$TMP/log" | sed -E '1s/Version [^ ]+/Version V/; s/^(System Date: ).*/\1DATE/;
	    s/^ \S*portscope -n/ PROG -n/; s/^ '"$(hostname)"'$/ HOST/' | sed -n '1,10p;/^UDP port 1434 is/,$p')" \
	"portscope Version V Log File

System Date: DATE

Command run:
 PROG -n 127.0.0.1 -nr -p udp -e 1434 -q -l $TMP/log

Local computer name:

 HOST
UDP port 1434 is LISTENING
========= end of log file ========="

# -sp naming a port in use: PortQry's three lines on stdout
spawn ip netns exec "$NS" python3 -c 'import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", 40111)); time.sleep(60)'
wait_for 5 listening u 40111 || notok "the holder of udp/40111 did not start"
pq -n 127.0.0.1 -nr -p udp -e 1434 -sp 40111 >"$TMP/o" 2>"$TMP/e"; rc=$?
check_eq "-sp in use: exit 4 (a local failure, not a verdict)" "$rc" 4
check_eq "-sp in use: PortQry's three lines, last on stdout" "$(tail -n 3 "$TMP/o")" \
	"Cannot use specified source port.
Port is already in use.
Specify a port that is not in use and run the command again."

# a name that does not resolve: PortQry's line on stdout
pq -n no-such-host.invalid -e 80 >"$TMP/o" 2>"$TMP/e"; rc=$?
check_eq "unresolvable name: exit 4" "$rc" 4
check_eq "unresolvable name: PortQry's lines on stdout" "$(sed -n '/^Attempting/,$p' "$TMP/o")" \
	"Attempting to resolve name to IP address...

Failed to resolve name to IP address"

# the help screen
"$PORTSCOPE" -? >"$TMP/o"; rc=$?
check_eq "-?: exit 0" "$rc" 0
check_grep "-?: the usage lines" "$TMP/o" '^portscope -n name_to_query \[-p protocol\] \[-e \|\| -r \|\| -o port\(s\)\] \[-options\]$'
check_grep "-?: one line per option, its argument in brackets" "$TMP/o" '^  -p \[protocol\] +tcp, udp or both'
check_grep "-?: the exit codes" "$TMP/o" '^Exit status of -n and -i: 0 LISTENING, 1 NOT LISTENING, 2 FILTERED or$'
