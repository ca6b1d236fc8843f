#!/usr/bin/env bash
# -n -p udp -e 137 in PortQry's form against a real nmbd (on a veth end:
# nmbd wants a broadcast interface): the generic verdict, PortQry's
# "Attempting NETBIOS adapter status query to UDP port 137...", "Server's
# response: MAC address" with twelve hex digits, then the verdict line.
. "$(dirname "$0")/probe_lib.bash"
nmbd_start
for i in $(seq 50); do	# nmbd registers its names a moment after it binds
	in_ns "$PORTSCOPE" -n 10.137.0.1 -nr -p udp -e 137 >"$TMP/o" 2>&1; rc=$?
	grep -q 'PSTEST<20>' "$TMP/o" && break
	sleep 0.2
done
check_eq "netbios: exit 0" "$rc" 0
check_eq "netbios: PortQry's steps" \
	"$(sed -n '/^UDP port 137 (/,/^Server/p' "$TMP/o" | sed -E 's/[0-9a-f]{12}$/MAC/')" \
	"UDP port 137 (netbios-ns service): LISTENING or FILTERED
Attempting NETBIOS adapter status query to UDP port 137...
Server's response: MAC address MAC"
check_eq "netbios: the verdict line after a blank line, last" "$(tail -n 2 "$TMP/o")" "
UDP port 137 is LISTENING"
check_grep "netbios: the name table after the MAC" "$TMP/o" '^  PSTEST<20> +UNIQUE'
