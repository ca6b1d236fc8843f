#!/usr/bin/env bash
# Named port sets: --list-sets shows them with their ports, --set NAME
# queries exactly those ports with their own protocols, in order.
. "$(dirname "$0")/probe_lib.bash"
"$PORTSCOPE" query --list-sets >"$TMP/sets" 2>&1
check_eq "--list-sets: exit status" "$?" 0
for s in dns domain ldap rpc sql mail web ipsec netbios; do
	check_grep "--list-sets: $s" "$TMP/sets" "^$s +[a-zA-Z]"
done
check_grep "--list-sets: ports of sql" "$TMP/sets" '^ +tcp/1433 udp/1434$'

ns_spawn python3 "$RESPONDER" mssql 127.0.0.1 1434 >/dev/null 2>&1
wait_for 10 listening u 1434 || notok "responder did not start"
query --set sql 127.0.0.1 >"$TMP/out" 2>&1
check_eq "--set sql: one line per port, in order" \
    "$(grep -E '^(TCP|UDP) port' "$TMP/out" | cut -d' ' -f1-3 | tr '\n' ' ')" \
    "TCP port 1433 UDP port 1434 "
check_grep "--set sql: the browser probe ran" "$TMP/out" '^InstanceName SQLEXPRESS$'
query --set ipsec --json 127.0.0.1 >"$TMP/json" 2>&1
check_eq "--set ipsec: json protocols and ports" \
    "$(jq -r '.proto + "/" + (.port | tostring)' "$TMP/json" | tr '\n' ' ')" \
    "udp/500 udp/4500 udp/1701 "

"$PORTSCOPE" query --set nosuch 127.0.0.1 >"$TMP/err" 2>&1
check_eq "--set unknown: exit 3 (usage)" "$?" 3
check_grep "--set unknown: names the sets" "$TMP/err" "no set called 'nosuch' \(there are: dns, domain, "
"$PORTSCOPE" query --set dns -e 53 127.0.0.1 >"$TMP/err2" 2>&1
check_eq "--set with -e: exit 3 (usage)" "$?" 3
check_eq "--set with -e: one line saying why" "$(cat "$TMP/err2")" \
    "portscope: -e, -o, -r and --set cannot be combined; see 'portscope help query'"
