#!/usr/bin/env bash
# SNMP probe against a real snmpd: the values with the right community,
# a clear "wrong community" line (not silence) with another; IPv6 and
# PortQry's own command line.
. "$(dirname "$0")/probe_lib.bash"
need_cmd snmpd
cat >"$TMP/snmpd.conf" <<CONF
agentAddress udp:127.0.0.1:161,udp6:[::1]:161
rocommunity public 127.0.0.1
rocommunity6 public ::1
sysName portscope-test
sysDescr portscope test agent
CONF
MIBS= ns_spawn snmpd -f -Lf "$TMP/snmpd.log" -C -c "$TMP/snmpd.conf" \
    -p "$TMP/snmpd.pid" -I -ifTable,ifXTable >"$TMP/snmpd.out" 2>&1
wait_for 10 listening u 161 || notok "snmpd did not start"

query -p udp -e 161 127.0.0.1 >"$TMP/out" 2>&1
check_grep "snmp: verdict" "$TMP/out" '^UDP port 161 \(snmp service\): LISTENING$'
check_grep "snmp: sysName printed" "$TMP/out" '^sysName: portscope-test$'
check_grep "snmp: sysDescr printed" "$TMP/out" '^sysDescr: portscope test agent$'
check_grep "snmp: v2c answered" "$TMP/out" "SNMPv2c agent answered community 'public'"

query -p udp -e 161 --json 127.0.0.1 >"$TMP/json" 2>&1
check_eq "snmp: json verdict" "$(json_get "$TMP/json" .verdict)" "LISTENING"
check_eq "snmp: json reason" "$(json_get "$TMP/json" .reason)" "snmp reply"
check_eq "snmp: json probe.snmp sysName" \
    "$(json_get "$TMP/json" '.probe.snmp.values[] | select(.name == "sysName") | .value')" \
    "portscope-test"

query -p udp -e 161 -cn '!wrong!' --reason 127.0.0.1 >"$TMP/bad" 2>&1
check_grep "snmp wrong community: still LISTENING" "$TMP/bad" \
    '^UDP port 161 \(snmp service\): LISTENING \(reason: snmp reply, wrong community\)$'
check_grep "snmp wrong community: said clearly" "$TMP/bad" \
    "with community 'wrong': wrong community"
check_nogrep "snmp wrong community: no values" "$TMP/bad" '^sysName'

query -p udp -e 161 ::1 >"$TMP/v6" 2>&1
check_grep "snmp over IPv6: values" "$TMP/v6" '^sysName: portscope-test$'
in_ns "$PORTSCOPE" -n 127.0.0.1 -nr -p udp -e 161 -cn '!public!' >"$TMP/pq" 2>&1
check_grep "snmp, PortQry form with -cn: values" "$TMP/pq" '^sysName: portscope-test$'
