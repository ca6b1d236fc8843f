#!/usr/bin/env bash
# NetBIOS node status against a real nmbd.  nmbd wants a broadcast
# interface, so the namespace gets a veth pair and nmbd serves on one end.
. "$(dirname "$0")/probe_lib.bash"
nmbd_start
for i in $(seq 50); do
	query -p udp -e 137 10.137.0.1 >"$TMP/out" 2>&1
	grep -q 'PSTEST<20>' "$TMP/out" && break
	sleep 0.2
done
check_grep "netbios: verdict" "$TMP/out" '^UDP port 137 \(netbios-ns service\): LISTENING$'
check_grep "netbios: MAC address in PortQry's line" "$TMP/out" "^Server's response: MAC address [0-9a-f]{12}\$"
check_grep "netbios: workstation name" "$TMP/out" '^  PSTEST<00> +UNIQUE'
check_grep "netbios: server name" "$TMP/out" '^  PSTEST<20> +UNIQUE'
check_grep "netbios: group name" "$TMP/out" '^  PSGROUP<00> +GROUP'

query -p udp -e 137 --json 10.137.0.1 >"$TMP/json" 2>&1
check_eq "netbios: json reason" "$(json_get "$TMP/json" .reason)" "netbios node status"
check_grep "netbios: json mac" "$TMP/json" '"mac":"([0-9A-F]{2}-){5}[0-9A-F]{2}"'
check_eq "netbios: json names" \
    "$(json_get "$TMP/json" '[.probe.netbios.names[] | select(.suffix == 32) | .name] | join(",")')" \
    "PSTEST"
