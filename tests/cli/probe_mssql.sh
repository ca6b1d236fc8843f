#!/usr/bin/env bash
# SQL Server browser probe.  No Debian package serves [MC-SQLR], so the
# responder answers with a SVR_RESP built byte for byte from the spec.
. "$(dirname "$0")/probe_lib.bash"
ns_spawn python3 "$RESPONDER" mssql 127.0.0.1 1434 >/dev/null 2>&1
wait_for 10 listening u 1434 || notok "responder did not start"
query -p udp -e 1434 --reason 127.0.0.1 >"$TMP/out" 2>&1
check_grep "mssql: verdict" "$TMP/out" '^UDP port 1434 \(.*\): LISTENING \(reason: sql browser reply\)$'
check_grep "mssql: instance" "$TMP/out" '^InstanceName SQLEXPRESS$'
check_grep "mssql: tcp port" "$TMP/out" '^tcp 49733$'
check_grep "mssql: named pipe" "$TMP/out" '^np \\\\PSTEST\\pipe\\sql\\query$'
check_eq "mssql: both instances, PortQry's 'ServerName NAME' lines" "$(grep -c '^ServerName ' "$TMP/out")" 2
query -p udp -e 1434 --json 127.0.0.1 >"$TMP/json" 2>&1
check_eq "mssql: json instances" \
    "$(json_get "$TMP/json" '[.probe.mssql.instances[].InstanceName] | join(",")')" \
    "MSSQLSERVER,SQLEXPRESS"
