#!/usr/bin/env bash
# portscope -i: PortQry's interactive mode, scripted from a pipe and typed
# on a terminal (a pty), against loopback in a namespace of its own: node,
# set, query, the port-set shortcuts, help, errors that do not end the
# session, and the exit status of the last query.
. "$(dirname "$0")/lib.sh"
need_root "network namespaces"
NS=psi$$
ip netns add "$NS" || { notok "cannot create namespace $NS"; exit 0; }
on_exit ip netns del "$NS"
ip -n "$NS" link set lo up
inns() { ip netns exec "$NS" "$@"; }
spawn ip netns exec "$NS" python3 "$(dirname "$0")/query_servers.py" 127.0.0.1 tcp:0 udp:0 >"$TMP/ports"
wait_for 5 test -s "$TMP/ports" || { notok "test servers did not start"; exit 0; }
read -r T1 U1 <"$TMP/ports"

# -- scripted from a pipe: no prompt, no banner; settings persist
cat >"$TMP/script" <<SCRIPT
# a comment, then an empty line

node 127.0.0.1
set nr=on
set e=$T1
q
s o=$T1,1
query
set p=UDP
set e=$U1
q
frobnicate
set e=70000
q nosuchset
set p=tcp
set e=$T1
q
exit
q
SCRIPT
inns "$PORTSCOPE" -i <"$TMP/script" >"$TMP/o" 2>"$TMP/e"
check_eq "pipe: exit status of the last query (LISTENING)" "$?" 0
check_eq "pipe: verdicts in order, settings carried from query to query" \
	"$(grep -E '^(TCP|UDP) port' "$TMP/o")" \
	"TCP port $T1 (unknown service): LISTENING
TCP port $T1 (unknown service): LISTENING
TCP port 1 (tcpmux service): NOT LISTENING
UDP port $U1 (unknown service): LISTENING
TCP port $T1 (unknown service): LISTENING"
check_eq "pipe: each query has PortQry's preamble" \
	"$(grep -c '^Querying target system called:$' "$TMP/o")" 4
check_nogrep "pipe: no prompt and no banner" "$TMP/o" '^> |interactive mode'
check_nogrep "pipe: -nr carried: no reverse lookup" "$TMP/o" 'resolve IP address'
check_eq "pipe: errors on stderr, one line each, the session goes on" \
	"$(cat "$TMP/e")" \
	"portscope: unknown command 'frobnicate' (type help)
portscope: port '70000' is too large (1 to 65535)
portscope: no port set called 'nosuchset' (there are: dns, domain, ldap, rpc, sql, mail, web, ipsec, netbios, ntp, snmp, files)"

# -- the port-set shortcut queries each port of the set with its protocol
printf 'n 127.0.0.1\ns nr=on\nq dns\n' | inns "$PORTSCOPE" -i >"$TMP/o" 2>"$TMP/e"
check_eq "q dns: the dns set's ports, each with its protocol" \
	"$(grep -E '^(TCP|UDP) port' "$TMP/o")" \
	"UDP port 53 (domain service): NOT LISTENING
TCP port 53 (domain service): NOT LISTENING"

# -- help and the settings listing
printf 'help\nset\n' | inns "$PORTSCOPE" -i -n 127.0.0.1 -e "$T1" -p udp >"$TMP/o" 2>&1
check_grep "help: node, query, set, exit" "$TMP/o" '^  node NAME \| n NAME '
check_grep "help: the port-set shortcut names the sets" "$TMP/o" '^ +dns, domain, ldap, rpc, sql'
check_eq "set: shows the presets given on the command line" \
	"$(sed -n '/^Current Query Options:/,/^$/p;/^   node:/,/protocol:/p' "$TMP/o" | grep -E '^   (node|port|protocol):' | sort -u)" \
	"   node:          127.0.0.1
   port:          $T1
   protocol:      udp"

# -- the session's status is the last query's verdict code
printf 'n 127.0.0.1\ns nr=on\ns e=%s\nq\ns e=1\nq\n' "$T1" | inns "$PORTSCOPE" -i >"$TMP/o" 2>&1
check_eq "status: the last query's (NOT LISTENING: 1)" "$?" 1

# -- a query without a node is an error, not a query
printf 'q\n' | inns "$PORTSCOPE" -i >"$TMP/o" 2>"$TMP/e"
check_grep "no node: says what to do" "$TMP/e" "^portscope: no node to query: use 'node NAME' first$"
check_eq "no node: nothing queried" "$(grep -c 'port' "$TMP/o")" 0

# -- a bad preset is a usage error
inns "$PORTSCOPE" -i -e 0 </dev/null >"$TMP/o" 2>"$TMP/e"
check_eq "bad preset: usage error status (3, as query's)" "$?" 3
check_grep "bad preset: one line" "$TMP/e" "^portscope: port '0' is too small \(1 to 65535\)$"

# -- on a terminal: banner, settings, prompt; typed commands run
inns python3 "$(dirname "$0")/helpers/pty_keys.py" 'q\nexit\n' '> $' \
	"$PORTSCOPE" -i -n 127.0.0.1 -nr -e "$T1" >"$TMP/pty" 2>&1
check_grep "tty: exit status 0" "$TMP/pty" '^status 0'
check_grep "tty: banner" "$TMP/pty" 'PortQry interactive mode'
check_grep "tty: the settings before the first prompt" "$TMP/pty" 'Current Query Options:'
check_grep "tty: the typed query ran" "$TMP/pty" "TCP port $T1 \(unknown service\): LISTENING"
check_eq "tty: a prompt before each command and after the query" \
	"$(grep -o '^> ' "$TMP/pty" | wc -l)" 2
